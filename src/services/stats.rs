//! Counts for the dashboard's overview.

use super::{Db, ServiceError, ServiceResult};

const COUNTABLE: [&str; 5] = ["places", "controllers", "doors", "access_groups", "users"];

/// Rows in one of the known tables.
pub async fn count(db: &Db, table: &str) -> ServiceResult<(i64,)> {
    if !COUNTABLE.contains(&table) {
        return Err(ServiceError::internal(format!("cannot count table {table}")));
    }
    Ok(sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(db.pool()).await?)
}
