//! The visitor's side: a presented token resolved to its link (compared by
//! hash in constant time; wrong guesses per IP counted and, past a limit,
//! refused), and what the link's page shows.
//!
//! The token is looked up **first**: a link that exists is always found,
//! however many wrong tokens its address sent before (a visitor behind the
//! same network as a guesser, or a guesser who also holds a real link, is
//! never locked out of it). Only misses are counted, per IP, and a miss past
//! the limit is answered 429 instead of "not valid".

use super::super::{db::flag, now_ms, owner, tokens, Db, ServiceError, ServiceResult};
use super::{link_zone, validity_text, LinkRow, SELECT};
use crate::door_status::{DoorStatus, DoorStatusInputs};
use crate::model::{LinkDoor, LinkPageView, PressOutcome};
use crate::types::Timestamp;

/// Wrong tokens from one IP within this window …
pub const MISS_WINDOW_MS: i64 = 15 * 60 * 1000;
/// … beyond this many are refused with 429 (a real link still opens).
pub const MAX_MISSES_PER_IP: i64 = 30;

/// What a presented token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkLookup {
    /// A link with this token exists (in any state).
    Found { link_id: i64, recipient: String },
    /// No such link: shown exactly like a revoked one.
    Unknown,
}

/// Resolves a token. An unknown token is counted against `ip`; past
/// [`MAX_MISSES_PER_IP`] in [`MISS_WINDOW_MS`] → TooManyRequests.
pub async fn resolve(db: &Db, token: &str, ip: &str) -> ServiceResult<LinkLookup> {
    // Tokens are 43 URL-safe characters; anything else cannot be one.
    let plausible = token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let found: Option<(i64, String, String)> = if plausible {
        sqlx::query_as("SELECT id, recipient_name, token_hash FROM access_links WHERE token_hash = $1")
            .bind(tokens::hash_token(token))
            .fetch_optional(db.pool())
            .await?
    } else {
        None
    };
    if let Some((link_id, recipient, stored)) = found {
        if tokens::matches(token, &stored) {
            return Ok(LinkLookup::Found { link_id, recipient });
        }
    }
    count_token_miss(db, ip).await?;
    Ok(LinkLookup::Unknown)
}

/// Counts a token that matched nothing (an access link's or a welcome
/// email's set-password link) against `ip`; past [`MAX_MISSES_PER_IP`] in
/// [`MISS_WINDOW_MS`] → TooManyRequests. Both kinds share the one count.
pub async fn count_token_miss(db: &Db, ip: &str) -> ServiceResult<()> {
    let now = now_ms();
    sqlx::query("INSERT INTO link_token_misses (ip, at) VALUES ($1, $2)").bind(ip).bind(now).execute(db.pool()).await?;
    sqlx::query("DELETE FROM link_token_misses WHERE at < $1").bind(now - MISS_WINDOW_MS).execute(db.pool()).await?;
    // Counted after this miss's own insert: concurrent misses each see the
    // others that committed first, so no burst slips past the limit.
    let (misses,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM link_token_misses WHERE ip = $1 AND at > $2")
        .bind(ip)
        .bind(now - MISS_WINDOW_MS)
        .fetch_one(db.pool())
        .await?;
    if misses > MAX_MISSES_PER_IP {
        tracing::warn!(ip, misses, "access link page refused: too many unknown tokens");
        return Err(ServiceError::TooManyRequests {
            message: "Too many links that do not work were opened from this network. Wait 15 minutes and try again.".into(),
            retry_after_secs: 15 * 60,
        });
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DoorRow {
    id: i64,
    name: String,
    place_name: String,
    time_zone: String,
    controller_id: Option<i64>,
    controller_online: Option<i64>,
    locked_down_at: Option<i64>,
    place_locked_down_at: Option<i64>,
    unlocked_until: Option<i64>,
    power_lost: Option<i64>,
    lock_type: String,
}

/// The link's page: who it is for, its validity in local time, and the
/// group's doors with their status.
pub async fn page(db: &Db, link_id: i64) -> ServiceResult<LinkPageView> {
    let now = now_ms();
    let row: LinkRow = sqlx::query_as(&format!("{SELECT} WHERE l.id = $1"))
        .bind(link_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(ServiceError::NotFound("access link"))?;
    let link = row.into_link(now);
    let zone = link_zone(db, link.group_id).await?;
    let doors: Vec<DoorRow> = sqlx::query_as(
        "SELECT d.id, d.name, p.name AS place_name, p.time_zone, d.controller_id, c.online AS controller_online, d.locked_down_at,
         p.locked_down_at AS place_locked_down_at, d.unlocked_until, c.power_lost, d.lock_type
         FROM group_doors gd JOIN doors d ON d.id = gd.door_id JOIN places p ON p.id = d.place_id
         LEFT JOIN controllers c ON c.id = d.controller_id
         WHERE gd.group_id = $1 ORDER BY LOWER(p.name), LOWER(d.name), d.id",
    )
    .bind(link.group_id)
    .fetch_all(db.pool())
    .await?;
    let doors = doors
        .into_iter()
        .map(|d| LinkDoor {
            status: DoorStatus::derive(&DoorStatusInputs {
                has_controller: d.controller_id.is_some(),
                controller_online: d.controller_online.is_some_and(flag),
                locked_down: d.locked_down_at.is_some() || d.place_locked_down_at.is_some(),
                unlocked_until: d.unlocked_until.map(Timestamp::from_millis),
                power_lost: d.power_lost.is_some_and(flag),
                fail_safe: crate::types::LockType::parse(&d.lock_type).is_ok_and(|t| t.fail_safe()),
                now: Timestamp::from_millis(now),
            }),
            id: d.id,
            name: d.name,
            place_name: d.place_name,
            time_zone: d.time_zone,
        })
        .collect();
    let contact: Option<(String, String)> = sqlx::query_as(
        "SELECT u.name, u.email FROM access_links l JOIN users u ON u.id = l.created_by WHERE l.id = $1",
    )
    .bind(link_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(LinkPageView {
        organization: owner::organization_name(db).await?,
        recipient_name: link.recipient_name,
        status: link.status,
        validity: validity_text(link.valid_from.map(Timestamp::from_millis), link.valid_until.map(Timestamp::from_millis), &zone),
        valid_from: link.valid_from,
        time_zone: zone.as_str().to_owned(),
        doors,
        contact: contact.map_or_else(
            || "the person who sent you this link".to_owned(),
            |(name, email)| format!("{name} ({email})"),
        ),
    })
}

/// Results older than this are not shown again (a bookmarked URL).
const FRESH_MS: i64 = 2 * 60 * 1000;

/// The press recorded as `event_id`, if it was this link's and is recent:
/// the page shows it after the POST → 303 → GET, so a reload never
/// unlocks again.
pub async fn press_outcome(db: &Db, link_id: i64, event_id: i64) -> ServiceResult<Option<PressOutcome>> {
    let row: Option<(i64, String, String, String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT e.at, e.subject, e.result, e.details, d.pulse_seconds, p.time_zone FROM events e
         LEFT JOIN doors d ON d.id = e.door_id LEFT JOIN places p ON p.id = d.place_id
         WHERE e.id = $1 AND e.link_id = $2 AND e.action = 'unlock'",
    )
    .bind(event_id)
    .bind(link_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((at, door, result, details, pulse, time_zone)) = row else { return Ok(None) };
    if now_ms() - at > FRESH_MS {
        return Ok(None);
    }
    Ok(Some(if result == "granted" {
        PressOutcome::Unlocked { door, until_ms: at + pulse.unwrap_or(5) * 1000, time_zone: time_zone.unwrap_or_else(|| "UTC".into()) }
    } else {
        PressOutcome::Refused { door, reasons: details.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect() }
    }))
}
