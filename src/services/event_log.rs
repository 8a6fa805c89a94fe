//! Reading the event log: filters, keyset pagination (newest first), CSV.

use super::scope::Scope;
use super::{Db, ServiceResult};
use crate::model::EventEntry;

/// What to show. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFilter {
    pub door_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Events of the members of this group.
    pub group_id: Option<i64>,
    pub result: Option<String>,
    pub method: Option<String>,
    /// From (inclusive), ms.
    pub from: Option<i64>,
    /// Until (exclusive), ms.
    pub until: Option<i64>,
}

/// Milliseconds at the start (UTC) of a `YYYY-MM-DD` day, or of the day
/// after it when `after` is set (so an "until" date is inclusive).
pub fn day_start_utc(text: &str, after: bool) -> Result<i64, String> {
    let date: jiff::civil::Date = text.trim().parse().map_err(|_| "Enter a date like 2026-11-22.".to_owned())?;
    let date = if after { date.tomorrow().map_err(|_| "That date is out of range.".to_owned())? } else { date };
    let zoned = date.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| "That date is out of range.".to_owned())?;
    Ok(zoned.timestamp().as_millisecond())
}

/// Where the next page starts: events strictly older than (at, id).
pub type Cursor = (i64, i64);

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: i64,
    actor_kind: String,
    actor_user_id: Option<i64>,
    actor_name: String,
    action: String,
    subject: String,
    door_id: Option<i64>,
    link_id: Option<i64>,
    method: Option<String>,
    result: String,
    reasons: String,
    time_zone: Option<String>,
}

impl From<EventRow> for EventEntry {
    fn from(r: EventRow) -> EventEntry {
        EventEntry {
            id: r.id,
            at: r.at,
            actor_kind: r.actor_kind,
            actor_user_id: r.actor_user_id,
            actor_name: r.actor_name,
            action: r.action,
            subject: r.subject,
            door_id: r.door_id,
            link_id: r.link_id,
            method: r.method,
            result: r.result,
            reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
            time_zone: r.time_zone,
        }
    }
}

/// One page, newest first, and the cursor for the next page (if any).
/// Only events in `scope`: a manager's, those at their places' doors.
pub async fn page(db: &Db, scope: Scope, filter: &EventFilter, after: Option<Cursor>, limit: u32) -> ServiceResult<(Vec<EventEntry>, Option<Cursor>)> {
    let limit = i64::from(limit.clamp(1, 500));
    let (cursor_at, cursor_id) = after.unwrap_or((i64::MAX, i64::MAX));
    let scoped = if scope.is_everything() {
        String::new()
    } else {
        format!("AND ({} OR (e.door_id IS NULL AND {}))", scope.door("e.door_id"), scope.place("e.place_id"))
    };
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT id, at, actor_kind, actor_user_id, actor_name, action, subject, door_id, link_id, method, result, reasons,
         COALESCE((SELECT p.time_zone FROM places p WHERE p.id = e.place_id),
                  (SELECT p.time_zone FROM doors d JOIN places p ON p.id = d.place_id WHERE d.id = e.door_id)) AS time_zone
         FROM events e
         WHERE (e.at < $1 OR (e.at = $1 AND e.id < $2))
           AND ($3 = 0 OR e.door_id = $3)
           AND ($4 = 0 OR e.actor_user_id = $4)
           AND ($5 = 0 OR e.actor_user_id IN (SELECT user_id FROM group_members WHERE group_id = $5))
           AND ($6 = '' OR e.result = $6)
           AND ($7 = '' OR e.method = $7)
           AND e.at >= $8 AND e.at < $9 {scoped}
         ORDER BY e.at DESC, e.id DESC LIMIT $10"
    ))
    .bind(cursor_at)
    .bind(cursor_id)
    .bind(filter.door_id.unwrap_or(0))
    .bind(filter.user_id.unwrap_or(0))
    .bind(filter.group_id.unwrap_or(0))
    .bind(filter.result.clone().unwrap_or_default())
    .bind(filter.method.clone().unwrap_or_default())
    .bind(filter.from.unwrap_or(i64::MIN))
    .bind(filter.until.unwrap_or(i64::MAX))
    .bind(limit + 1)
    .fetch_all(db.pool())
    .await?;
    let mut entries: Vec<EventEntry> = rows.into_iter().map(EventEntry::from).collect();
    let next = if entries.len() as i64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|e| (e.at, e.id))
    } else {
        None
    };
    Ok((entries, next))
}

/// The events as CSV (RFC 4180), newest first, up to `max` rows.
pub async fn csv(db: &Db, scope: Scope, filter: &EventFilter, max: u32) -> ServiceResult<String> {
    let mut out = String::from("id,time_utc,time_local,actor_kind,actor,action,subject,door_id,method,result,reasons\r\n");
    let mut cursor = None;
    let mut written = 0u32;
    loop {
        let (entries, next) = page(db, scope, filter, cursor, 500).await?;
        for e in &entries {
            let time = jiff::Timestamp::from_millisecond(e.at).map(|t| t.to_string()).unwrap_or_default();
            let local = match e.time_zone.as_deref().map(crate::types::TimeZoneName::parse) {
                Some(Ok(zone)) => crate::types::Timestamp::from_millis(e.at).format_in(&zone),
                _ => String::new(),
            };
            let fields = [
                e.id.to_string(),
                time,
                local,
                e.actor_kind.clone(),
                e.actor_name.clone(),
                e.action.clone(),
                e.subject.clone(),
                e.door_id.map(|d| d.to_string()).unwrap_or_default(),
                e.method.clone().unwrap_or_default(),
                e.result.clone(),
                e.reasons.join(" "),
            ];
            out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
            written += 1;
            if written >= max {
                return Ok(out);
            }
        }
        match next {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// Quotes a CSV field when needed; neutralises spreadsheet formulas.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }
}

/// The subject (door or thing) of one event.
pub async fn subject(db: &Db, event_id: i64) -> ServiceResult<(String,)> {
    Ok(sqlx::query_as("SELECT subject FROM events WHERE id = $1").bind(event_id).fetch_one(db.pool()).await?)
}
