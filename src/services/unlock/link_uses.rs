//! An access link's use limit, reserved atomically (SPEC §9): a granted
//! press takes its use with one conditional UPDATE before the grant counts,
//! so N uses are at most N grants whatever arrives at once, and gives it
//! back if nothing opened after all (no controller, offline, no power, a
//! lockdown that committed first).
//!
//! A per-day limit counts the uses of the link's current day (`use_day`,
//! the date on the wall clock of the door's place, with `day_uses`); the
//! first use of a new day starts the count again. `uses` counts every use.

use crate::services::{Db, ServiceResult};
use crate::types::TimeZoneName;

/// The local date at the door's place, as stored in `use_day`.
pub(super) fn day_key(now: i64, zone: &TimeZoneName) -> String {
    jiff::Timestamp::from_millisecond(now).map(|t| t.to_zoned(zone.time_zone()).date().to_string()).unwrap_or_default()
}

/// Takes one use of the link if its limit allows; false when it is used up.
pub(super) async fn reserve(db: &Db, link_id: i64, day: &str, now: i64) -> ServiceResult<bool> {
    let taken = sqlx::query(
        "UPDATE access_links SET uses = uses + 1, last_used_at = $2,
             day_uses = CASE WHEN use_day = $3 THEN day_uses + 1 ELSE 1 END, use_day = $3
         WHERE id = $1 AND (use_limit IS NULL
             OR (use_limit_period = 'total' AND uses < use_limit)
             OR (use_limit_period = 'day' AND (use_day IS NULL OR use_day <> $3 OR day_uses < use_limit)))",
    )
    .bind(link_id)
    .bind(now)
    .bind(day)
    .execute(db.pool())
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// Gives back a use taken by [`reserve`] on `day`.
pub(super) async fn give_back(db: &Db, link_id: i64, day: &str) -> ServiceResult<()> {
    sqlx::query(
        "UPDATE access_links SET uses = uses - 1,
             day_uses = CASE WHEN use_day = $2 AND day_uses > 0 THEN day_uses - 1 ELSE day_uses END
         WHERE id = $1 AND uses > 0",
    )
    .bind(link_id)
    .bind(day)
    .execute(db.pool())
    .await?;
    Ok(())
}
