//! One batch of events as SQL: the events in multi-row INSERTs, their
//! webhook deliveries queued (`services::webhooks::queue_sql`), and each
//! door's "unlocked until" moved to the batch's latest, all in one
//! transaction — after each grant that lockdown can stop has been checked
//! against its door in that same transaction (SPEC §9).
//!
//! On SQLite the transaction begins with `BEGIN IMMEDIATE` (the database's
//! one write lock, which a lockdown's transaction also takes), and its
//! statements go to the connection's worker thread as one multi-statement
//! query, one round trip for the batch's writes instead of one per
//! statement. PostgreSQL's protocol takes one statement with parameters at a
//! time, so there the statements run one by one; a batch with grants to
//! check first takes the lockdown lock shared
//! ([`LOCKDOWN_LOCK`](crate::services::db::LOCKDOWN_LOCK)). The query's text
//! depends only on how many events the batch has, so SQLite keeps it
//! prepared.

use super::NewEvent;
use crate::services::db::{DbKind, LOCKDOWN_LOCK};
use sqlx::{AnyConnection, Connection};
use std::borrow::Cow;
use std::ops::Range;

/// Rows per INSERT (13 parameters each) and doors per UPDATE statement.
const ROWS_PER_STATEMENT: usize = 64;

/// Columns an event's row fills, in the order of [`event_values`].
const EVENT_COLUMNS: usize = 13;

/// What a granted unlock refused by a lockdown at commit records instead.
pub const LOCKED_DOWN_AT_COMMIT: &str = "The door was locked down before this unlock could be recorded.";

/// A value bound to a statement.
#[derive(Clone, Debug, PartialEq)]
enum Value<'a> {
    Int(i64),
    MaybeInt(Option<i64>),
    Text(&'a str),
    MaybeText(Option<&'a str>),
    Owned(String),
}

/// Statements with numbered parameters (`$1`…), and their values in order.
#[derive(Debug, Default)]
struct Statements<'a> {
    sql: Vec<String>,
    values: Vec<Value<'a>>,
    /// Whether the numbering runs on across statements (one query) or
    /// starts again at `$1` in each (one query per statement).
    continued: bool,
    /// Each statement's values, as a range of `values`.
    ranges: Vec<Range<usize>>,
}

impl<'a> Statements<'a> {
    fn new(continued: bool) -> Statements<'a> {
        Statements { continued, ..Default::default() }
    }

    /// Adds a statement written by `sql`, which is given the number of the
    /// statement's first parameter, and binds `values` to it.
    fn push(&mut self, values: Vec<Value<'a>>, sql: impl FnOnce(usize) -> String) {
        let start = self.values.len();
        let first = if self.continued { start + 1 } else { 1 };
        self.sql.push(sql(first));
        self.values.extend(values);
        self.ranges.push(start..self.values.len());
    }
}

/// One event as written: its id, and whether it is a grant that a
/// lockdown committed before it turned into a denial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub id: i64,
    pub refused_by_lockdown: bool,
}

/// Inserts the batch in one transaction. Returns the events as written, in
/// the batch's order.
pub async fn write_on(conn: &mut AnyConnection, kind: DbKind, events: &[&NewEvent]) -> Result<Vec<Written>, sqlx::Error> {
    let mut tx = match kind {
        DbKind::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        DbKind::Postgres => conn.begin().await?,
    };
    let refused = refused_by_lockdown(&mut tx, kind, events).await?;
    let events: Vec<Cow<'_, NewEvent>> = events
        .iter()
        .zip(&refused)
        .map(|(event, &refused)| if refused { Cow::Owned(denied_by_lockdown(event)) } else { Cow::Borrowed(*event) })
        .collect();
    let events: Vec<&NewEvent> = events.iter().map(|e| e.as_ref()).collect();
    let one_query = kind == DbKind::Sqlite;
    let statements = statements(&events, one_query);
    let mut ids = if one_query {
        let sql = statements.sql.join("; ");
        let query = bind_all(sqlx::query_as::<_, (i64,)>(&sql), &statements.values);
        // Every statement runs (`fetch_one` would stop SQLite after the first row).
        match query.fetch_all(&mut *tx).await?.first() {
            // The batch's rows were given consecutive ids, up to the last one:
            // the write lock is held, and AUTOINCREMENT counts up row by row.
            Some((last,)) => (last + 1 - events.len() as i64..=*last).collect::<Vec<_>>(),
            None => return Err(sqlx::Error::Protocol("the batch's last id was not returned".into())),
        }
    } else {
        let mut ids = Vec::with_capacity(events.len());
        for (sql, range) in statements.sql.iter().zip(&statements.ranges) {
            let query = bind_all(sqlx::query_as::<_, (i64,)>(sql), &statements.values[range.clone()]);
            ids.extend(query.fetch_all(&mut *tx).await?.into_iter().map(|(id,)| id));
        }
        ids
    };
    tx.commit().await?;
    if ids.len() != events.len() {
        return Err(sqlx::Error::Protocol(format!("{} events inserted, {} ids returned", events.len(), ids.len())));
    }
    // Ids are assigned in the order of the VALUES rows (SQLite's rowids and
    // PostgreSQL's identity both increase row by row, and the INSERTs run in
    // the batch's order), so the ids, sorted, line up with `events`.
    ids.sort_unstable();
    Ok(ids.into_iter().zip(refused).map(|(id, refused_by_lockdown)| Written { id, refused_by_lockdown }).collect())
}

/// For each event: a grant lockdown can stop whose door (or its place) is
/// locked down now, read inside the batch's transaction.
async fn refused_by_lockdown(conn: &mut AnyConnection, kind: DbKind, events: &[&NewEvent]) -> Result<Vec<bool>, sqlx::Error> {
    let checked: Vec<i64> = events.iter().filter(|e| e.stopped_by_lockdown()).filter_map(|e| e.door_id).collect();
    if checked.is_empty() {
        return Ok(vec![false; events.len()]);
    }
    if kind == DbKind::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock_shared($1)").bind(LOCKDOWN_LOCK).execute(&mut *conn).await?;
    }
    let mut locked = std::collections::HashSet::new();
    for chunk in checked.chunks(ROWS_PER_STATEMENT) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT d.id FROM doors d JOIN places p ON p.id = d.place_id
             WHERE d.id IN ({}) AND (d.locked_down_at IS NOT NULL OR p.locked_down_at IS NOT NULL)",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        locked.extend(query.fetch_all(&mut *conn).await?.into_iter().map(|(id,)| id));
    }
    Ok(events.iter().map(|e| e.stopped_by_lockdown() && e.door_id.is_some_and(|d| locked.contains(&d))).collect())
}

/// A grant refused at commit by a lockdown, as it is recorded instead.
fn denied_by_lockdown(event: &NewEvent) -> NewEvent {
    NewEvent {
        result: "denied".into(),
        reasons: vec!["locked_down".into()],
        details: LOCKED_DOWN_AT_COMMIT.into(),
        unlocked_until: None,
        ..event.clone()
    }
}

fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    values: &'q [Value<'q>],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(*v),
            Value::MaybeInt(v) => query.bind(*v),
            Value::Text(v) => query.bind(*v),
            Value::MaybeText(v) => query.bind(*v),
            Value::Owned(v) => query.bind(v.as_str()),
        };
    }
    query
}

/// The batch's statements: INSERTs of up to 64 events, and UPDATEs moving
/// the "unlocked until" of the doors of up to 64 events to the later of the
/// stored and the batch's latest value. The only rows they return are the
/// new events' ids: from each INSERT, or, in one query (`continued`), the
/// last id alone, read right after the INSERTs (so the answer is one row,
/// not one per event).
fn statements<'a>(events: &[&'a NewEvent], continued: bool) -> Statements<'a> {
    let mut statements = Statements::new(continued);
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let values = chunk.iter().flat_map(|event| event_values(event)).collect();
        statements.push(values, |first| {
            let rows: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let params: Vec<String> =
                        (0..EVENT_COLUMNS).map(|column| format!("${}", first + row * EVENT_COLUMNS + column)).collect();
                    format!("({})", params.join(", "))
                })
                .collect();
            let insert = format!(
                "INSERT INTO events (at, actor_kind, actor_user_id, actor_name, action, subject, door_id, place_id, link_id,
                 method, result, reasons, details) VALUES {}",
                rows.join(", ")
            );
            if continued {
                insert
            } else {
                // PostgreSQL: the webhook deliveries of these events are
                // queued by the same statement.
                format!(
                    "WITH q AS ({insert} RETURNING id, at, action), queued AS ({}) SELECT id FROM q",
                    crate::services::webhooks::queue_sql("q")
                )
            }
        });
    }
    if continued {
        statements.push(Vec::new(), |_| "SELECT last_insert_rowid()".to_owned());
        // SQLite: the batch's events are the table's last rows (the write
        // lock is held); their webhook deliveries are queued in this commit.
        let source = format!("(SELECT id, at, action FROM events WHERE id > (SELECT MAX(id) FROM events) - {})", events.len());
        statements.push(Vec::new(), |_| crate::services::webhooks::queue_sql(&source));
    }
    // One (door, until) pair per event, latest first, so a door's first
    // WHEN is its latest; an event that unlocked nothing binds NULLs, which
    // match no door. The statement's text then depends only on how many
    // events the batch has, and SQLite keeps a few texts prepared instead of
    // preparing one for every mix of doors.
    let mut pairs: Vec<Option<(i64, i64)>> = events.iter().map(|e| e.unlocked_until).collect();
    pairs.sort_by_key(|pair| std::cmp::Reverse(pair.map(|(_, until)| until)));
    for chunk in pairs.chunks(ROWS_PER_STATEMENT) {
        let values = chunk
            .iter()
            .flat_map(|pair| [Value::MaybeInt(pair.map(|(door, _)| door)), Value::MaybeInt(pair.map(|(_, until)| until))])
            .collect();
        statements.push(values, |first| {
            let cases: Vec<String> =
                (0..chunk.len()).map(|i| format!("WHEN ${} THEN ${}", first + 2 * i, first + 2 * i + 1)).collect();
            let ids: Vec<String> = (0..chunk.len()).map(|i| format!("${}", first + 2 * i)).collect();
            let new_until = format!("(CASE id {} END)", cases.join(" "));
            format!(
                "UPDATE doors SET unlocked_until = CASE WHEN unlocked_until IS NULL OR unlocked_until < {new_until}
                 THEN {new_until} ELSE unlocked_until END WHERE id IN ({})",
                ids.join(", ")
            )
        });
    }
    statements
}

/// An event's values, in the INSERT's column order.
fn event_values<'a>(event: &'a NewEvent) -> [Value<'a>; EVENT_COLUMNS] {
    [
        Value::Int(event.at),
        Value::Text(&event.actor_kind),
        Value::MaybeInt(event.actor_user_id),
        Value::Text(&event.actor_name),
        Value::Text(&event.action),
        Value::Text(&event.subject),
        Value::MaybeInt(event.door_id),
        Value::MaybeInt(event.place_id),
        Value::MaybeInt(event.link_id),
        Value::MaybeText(event.method.as_deref()),
        Value::Text(&event.result),
        Value::Owned(serde_json::to_string(&event.reasons).unwrap_or_else(|_| "[]".into())),
        Value::Text(&event.details),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(door: i64, until: i64, link: Option<i64>) -> NewEvent {
        NewEvent {
            at: until - 5_000,
            action: "unlock".into(),
            result: "granted".into(),
            door_id: Some(door),
            link_id: link,
            unlocked_until: Some((door, until)),
            ..Default::default()
        }
    }

    /// Every `$n` in the statements, in order of appearance.
    fn numbers(sql: &str) -> Vec<usize> {
        sql.split('$').skip(1).map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()).collect()
    }

    #[test]
    fn one_query_numbers_every_parameter_once_in_order() {
        let events = [granted(1, 10_000, None), granted(2, 20_000, Some(7)), granted(1, 30_000, None)];
        let refs: Vec<&NewEvent> = events.iter().collect();
        let statements = statements(&refs, true);
        assert_eq!(statements.sql.len(), 4, "one insert, the last id, the webhook queue, one doors update: {:?}", statements.sql);
        assert!(statements.sql[2].starts_with("INSERT INTO webhook_deliveries") && statements.sql[2].contains("- 3)"));
        assert!(!statements.sql[0].contains("RETURNING") && statements.sql[1] == "SELECT last_insert_rowid()");
        let all: Vec<usize> = statements.sql.iter().flat_map(|sql| numbers(sql)).collect();
        let mut distinct = all.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct, (1..=statements.values.len()).collect::<Vec<_>>(), "each value is used, none missing");
        // Latest first, so the door's first WHEN is its latest "unlocked until".
        let pairs = &statements.values[statements.values.len() - 6..];
        assert_eq!(pairs[..2], [Value::MaybeInt(Some(1)), Value::MaybeInt(Some(30_000))]);
        assert_eq!(pairs[2..4], [Value::MaybeInt(Some(2)), Value::MaybeInt(Some(20_000))]);
    }

    #[test]
    fn the_text_depends_on_the_number_of_events_only() {
        let denied = NewEvent { action: "unlock".into(), result: "denied".into(), door_id: Some(3), ..Default::default() };
        let one_door = [granted(1, 10_000, None), granted(1, 20_000, None), denied.clone()];
        let two_doors = [granted(1, 10_000, None), granted(2, 20_000, None), granted(3, 5_000, None)];
        let text = |events: &[NewEvent]| statements(&events.iter().collect::<Vec<_>>(), true).sql;
        assert_eq!(text(&one_door), text(&two_doors));
        let values = statements(&one_door.iter().collect::<Vec<_>>(), true).values;
        assert_eq!(values[values.len() - 2..], [Value::MaybeInt(None), Value::MaybeInt(None)], "the denial moves no door");
    }

    #[test]
    fn statement_by_statement_starts_each_at_one() {
        let events: Vec<NewEvent> = (0..70).map(|i| granted(i, 1_000 + i, None)).collect();
        let refs: Vec<&NewEvent> = events.iter().collect();
        let statements = statements(&refs, false);
        assert_eq!(statements.sql.len(), 4, "inserts of 64 and 6 events, doors updates of 64 and 6");
        assert!(statements.sql[..2].iter().all(|sql| sql.contains("RETURNING id, at, action") && sql.contains("INSERT INTO webhook_deliveries")));
        for (sql, range) in statements.sql.iter().zip(&statements.ranges) {
            assert_eq!(numbers(sql).into_iter().max(), Some(range.len()), "{sql}");
            assert_eq!(numbers(sql).into_iter().min(), Some(1));
        }
    }
}
