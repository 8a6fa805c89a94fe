//! Controllers (a "Controller Pro" has 4 relays and 4 reader ports) and their readers.

use super::audit::{Actor, Audit};
use super::error::{map_constraint, ConstraintRule};
use super::users::require_admin;
use super::{db::flag, now_ms, tokens, Db, ServiceError, ServiceResult};
use crate::model::{BridgeConfig, Controller, Listing, Reader, RelayUse, SessionUser, ValidController};
use crate::types::{BridgeKind, ControllerModel, Page, SearchQuery};

#[derive(sqlx::FromRow)]
struct ControllerRow {
    id: i64,
    name: String,
    place_id: i64,
    place_name: String,
    model: String,
    bridge_kind: String,
    online: i64,
    last_seen_at: Option<i64>,
    bridge_config: String,
    power_lost: i64,
}

const SELECT: &str = "SELECT c.id, c.name, c.place_id, p.name AS place_name, c.model, c.bridge_kind, c.online, c.last_seen_at,
    c.bridge_config, c.power_lost
    FROM controllers c JOIN places p ON p.id = c.place_id";

const NAME_TAKEN: &[ConstraintRule] = &[ConstraintRule {
    constraint: "controllers_name_key",
    sqlite_columns: "controllers.name",
    field: "name",
    message: "Another controller already has this name.",
}];

impl ControllerRow {
    fn into_controller(self, relays: Vec<RelayUse>, readers: Vec<Reader>) -> Controller {
        Controller {
            id: self.id,
            name: self.name,
            place_id: self.place_id,
            place_name: self.place_name,
            model: ControllerModel::parse(&self.model).unwrap_or(ControllerModel::ControllerPro),
            bridge_kind: BridgeKind::parse(&self.bridge_kind).unwrap_or(BridgeKind::Simulated),
            online: flag(self.online),
            power_lost: flag(self.power_lost),
            bridge: stored_config(&self.bridge_config).without_secrets(),
            last_seen_at: self.last_seen_at,
            relays,
            readers,
        }
    }
}

async fn relays_of(db: &Db, controller_id: i64, model: ControllerModel) -> ServiceResult<Vec<RelayUse>> {
    let used: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT relay, id, name FROM doors WHERE controller_id = $1 AND relay IS NOT NULL")
            .bind(controller_id)
            .fetch_all(db.pool())
            .await?;
    Ok((1..=model.relay_count())
        .map(|relay| {
            let door = used.iter().find(|(r, _, _)| *r == i64::from(relay));
            RelayUse { relay, door_id: door.map(|d| d.1), door_name: door.map(|d| d.2.clone()) }
        })
        .collect())
}

/// The readers of one controller, or of every controller (`None`).
pub async fn readers(db: &Db, controller_id: Option<i64>) -> ServiceResult<Vec<Reader>> {
    let rows: Vec<(i64, i64, String, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT r.id, r.controller_id, c.name, r.port, r.name, d.name FROM readers r
         JOIN controllers c ON c.id = r.controller_id LEFT JOIN doors d ON d.reader_id = r.id
         WHERE ($1 = 0 OR r.controller_id = $1) ORDER BY LOWER(c.name), r.port",
    )
    .bind(controller_id.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, controller_id, controller_name, port, name, door_name)| Reader {
            id,
            controller_id,
            controller_name,
            port: u8::try_from(port).unwrap_or(0),
            name,
            door_name,
        })
        .collect())
}

/// Every reader as (id, "Controller · Reader N"), for pickers.
pub async fn reader_options(db: &Db) -> ServiceResult<Vec<(i64, String)>> {
    let readers = readers(db, None).await?;
    Ok(readers.into_iter().map(|r| (r.id, format!("{} · {}", r.controller_name, r.name))).collect())
}

/// Every controller as (id, "name (place)"), for pickers.
pub async fn options(db: &Db) -> ServiceResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT c.id, c.name, p.name FROM controllers c JOIN places p ON p.id = c.place_id ORDER BY LOWER(c.name)",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, name, place)| (id, format!("{name} ({place})"))).collect())
}

pub async fn list(db: &Db, query: &SearchQuery, page: Page) -> ServiceResult<Listing<Controller>> {
    let filter = "WHERE ($1 = '' OR LOWER(c.name) LIKE $2 ESCAPE '\\' OR LOWER(p.name) LIKE $2 ESCAPE '\\')";
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM controllers c JOIN places p ON p.id = c.place_id {filter}"
    ))
    .bind(query.as_str())
    .bind(query.like_pattern())
    .fetch_one(db.pool())
    .await?;
    let rows: Vec<ControllerRow> = sqlx::query_as(&format!("{SELECT} {filter} ORDER BY LOWER(c.name), c.id LIMIT $3 OFFSET $4"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let model = ControllerModel::parse(&row.model).unwrap_or(ControllerModel::ControllerPro);
        let relays = relays_of(db, row.id, model).await?;
        items.push(row.into_controller(relays, Vec::new()));
    }
    Ok(Listing { items, total, page: page.number, page_size: page.size })
}

/// The ids of every simulated controller, in name order (the simulator panel).
pub async fn simulated_ids(db: &Db) -> ServiceResult<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM controllers WHERE bridge_kind = $1 ORDER BY LOWER(name), id")
            .bind(BridgeKind::Simulated.as_str())
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn get(db: &Db, id: i64) -> ServiceResult<Controller> {
    let row: ControllerRow = sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(ServiceError::NotFound("controller"))?;
    let model = ControllerModel::parse(&row.model).unwrap_or(ControllerModel::ControllerPro);
    let relays = relays_of(db, id, model).await?;
    let readers = readers(db, Some(id)).await?;
    Ok(row.into_controller(relays, readers))
}

/// Inserts a controller and its reader ports as Postern itself (the demo,
/// fixtures), with its audit line.
pub async fn insert(db: &Db, controller: &ValidController) -> ServiceResult<i64> {
    insert_as(db, &Actor::System, controller).await
}

/// Inserts a controller and its reader ports, in one transaction with the audit line.
async fn insert_as(db: &Db, actor: &Actor, controller: &ValidController) -> ServiceResult<i64> {
    let mut tx = db.write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO controllers (name, place_id, model, bridge_kind, online, created_at, bridge_config)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(controller.name.as_str())
    .bind(controller.place_id)
    .bind(controller.model.as_str())
    .bind(controller.bridge_kind.as_str())
    .bind(i64::from(controller.bridge_kind == BridgeKind::Simulated))
    .bind(now_ms())
    .bind(config_json(&controller.bridge))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| missing_place(map_constraint(e, NAME_TAKEN)))?;
    for port in 1..=i64::from(controller.model.relay_count()) {
        sqlx::query("INSERT INTO readers (controller_id, port, name, secret) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(port)
            .bind(format!("Reader {port}"))
            .bind(tokens::random_token())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit(Audit::new(actor, "controller.created", controller.name.as_str())).await?;
    Ok(id)
}

fn config_json(config: &BridgeConfig) -> String {
    serde_json::to_string(config).unwrap_or_else(|_| "{}".into())
}

/// A stored `bridge_config` column; anything unreadable is "simulated".
pub(crate) fn stored_config(json: &str) -> BridgeConfig {
    serde_json::from_str(json).unwrap_or_default()
}

/// The controller's stored connection, passwords included (server only).
pub async fn stored_bridge(db: &Db, id: i64) -> ServiceResult<BridgeConfig> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT bridge_config FROM controllers WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    let (json,) = row.ok_or(ServiceError::NotFound("controller"))?;
    Ok(stored_config(&json))
}

fn missing_place(error: ServiceError) -> ServiceError {
    match error {
        ServiceError::Conflict(_) => ServiceError::field("place_id", "That place no longer exists. Pick another."),
        other => other,
    }
}

pub async fn create(db: &Db, actor: &SessionUser, controller: ValidController) -> ServiceResult<i64> {
    require_admin(actor)?;
    insert_as(db, &Actor::User(actor.clone()), &controller).await
}

pub async fn update(db: &Db, actor: &SessionUser, id: i64, controller: ValidController) -> ServiceResult<()> {
    require_admin(actor)?;
    let stored = stored_bridge(db, id).await?;
    let bridge = controller.bridge.clone().keep_password_from(&stored);
    // A real controller reads Offline until its bridge hears from it.
    let changed = bridge != stored;
    let mut write = db.write().await?;
    let done = sqlx::query(
        "UPDATE controllers SET name = $1, place_id = $2, model = $3, bridge_kind = $4, bridge_config = $5,
         online = CASE WHEN $6 = 1 THEN $7 ELSE online END WHERE id = $8",
    )
        .bind(controller.name.as_str())
        .bind(controller.place_id)
        .bind(controller.model.as_str())
        .bind(controller.bridge_kind.as_str())
        .bind(config_json(&bridge))
        .bind(i64::from(changed))
        .bind(i64::from(controller.bridge_kind == BridgeKind::Simulated))
        .bind(id)
        .execute(&mut *write)
        .await
        .map_err(|e| missing_place(map_constraint(e, NAME_TAKEN)))?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::NotFound("controller"));
    }
    write.commit(Audit::by(actor, "controller.updated", controller.name.as_str())).await?;
    Ok(())
}

/// Deletes a controller; its doors stay, with no controller (they read Offline).
pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_admin(actor)?;
    let controller = get(db, id).await?;
    let mut tx = db.write().await?;
    sqlx::query("UPDATE doors SET controller_id = NULL, relay = NULL WHERE controller_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM controllers WHERE id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit(Audit::by(actor, "controller.deleted", &controller.name)).await?;
    Ok(())
}
