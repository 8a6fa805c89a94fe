//! Counts for the dashboard's overview, within what the viewer manages.

use super::scope::Scope;
use super::{Db, ServiceError, ServiceResult};

/// Rows of one of the known tables that `scope` reaches.
pub async fn count(db: &Db, scope: Scope, table: &str) -> ServiceResult<(i64,)> {
    let condition = match table {
        "places" => scope.place("id"),
        "controllers" => scope.place("place_id"),
        "doors" => scope.place("place_id"),
        "access_groups" => scope.group("id"),
        "users" => scope.person("id"),
        _ => return Err(ServiceError::internal(format!("cannot count table {table}"))),
    };
    Ok(sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {condition}")).fetch_one(db.pool()).await?)
}
