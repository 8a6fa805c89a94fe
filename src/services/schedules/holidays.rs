//! A place's holidays: named dates (once or every year) on which recurring
//! unlocks do not start.

use super::{changed, commit_admin, parse_stored_date, Db, ServiceError, ServiceResult};
use crate::model::SessionUser;
use crate::schedule::{Holiday, HolidayCalendar, HolidayForm, ValidHoliday};
use crate::services::error::{map_constraint, ConstraintRule};
use crate::services::now_ms;
use crate::services::users::require_admin;

const CONSTRAINTS: &[ConstraintRule] = &[ConstraintRule {
    constraint: "holidays_place_date_name_key",
    sqlite_columns: "holidays.place_id, holidays.date, holidays.name",
    field: "name",
    message: "This place already has a holiday with this name on this date.",
}];

#[derive(sqlx::FromRow)]
struct HolidayRow {
    id: i64,
    name: String,
    date: String,
    yearly: i64,
    suppress_time_restrictions: i64,
}

impl HolidayRow {
    fn into_holiday(self) -> Option<Holiday> {
        Some(Holiday {
            id: self.id,
            name: self.name,
            date: parse_stored_date(Some(&self.date))?,
            yearly: self.yearly != 0,
            suppress_time_restrictions: self.suppress_time_restrictions != 0,
        })
    }
}

/// A place's holidays, by date.
pub async fn list_holidays(db: &Db, place_id: i64) -> ServiceResult<Vec<Holiday>> {
    let rows: Vec<HolidayRow> = sqlx::query_as(
        "SELECT id, name, date, yearly, suppress_time_restrictions FROM holidays WHERE place_id = $1 ORDER BY date, id",
    )
    .bind(place_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(HolidayRow::into_holiday)
        .collect())
}

/// A place's holidays, ready for the timetable.
pub(super) async fn calendar(db: &Db, place_id: i64) -> ServiceResult<HolidayCalendar> {
    Ok(HolidayCalendar::new(&list_holidays(db, place_id).await?))
}

/// Every place's holidays (the runner), by place id.
pub(super) async fn all_calendars(
    db: &Db,
) -> ServiceResult<std::collections::HashMap<i64, HolidayCalendar>> {
    let rows: Vec<(i64, String, String, i64, i64)> =
        sqlx::query_as("SELECT place_id, name, date, yearly, suppress_time_restrictions FROM holidays ORDER BY place_id")
            .fetch_all(db.pool())
            .await?;
    let mut by_place: std::collections::HashMap<i64, Vec<Holiday>> = Default::default();
    for (place_id, name, date, yearly, suppress) in rows {
        let row = HolidayRow {
            id: 0,
            name,
            date,
            yearly,
            suppress_time_restrictions: suppress,
        };
        if let Some(holiday) = row.into_holiday() {
            by_place.entry(place_id).or_default().push(holiday);
        }
    }
    Ok(by_place
        .into_iter()
        .map(|(place, holidays)| (place, HolidayCalendar::new(&holidays)))
        .collect())
}

/// Adds a holiday to a place.
pub async fn create_holiday(
    db: &Db,
    actor: &SessionUser,
    place_id: i64,
    form: &HolidayForm,
) -> ServiceResult<i64> {
    require_admin(actor)?;
    let valid = form.validate()?;
    let place = place_name(db, place_id).await?;
    let mut write = db.write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO holidays (place_id, name, date, yearly, suppress_time_restrictions, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(place_id)
    .bind(valid.name.as_str())
    .bind(valid.date.to_string())
    .bind(i64::from(valid.yearly))
    .bind(i64::from(valid.suppress_time_restrictions))
    .bind(now_ms())
    .fetch_one(&mut *write)
    .await
    .map_err(|e| map_constraint(e, CONSTRAINTS))?;
    commit_admin(
        write,
        actor,
        "holiday.created",
        &place,
        None,
        &describe(&valid),
    )
    .await?;
    changed(db).await;
    Ok(id)
}

/// Changes a holiday.
pub async fn update_holiday(
    db: &Db,
    actor: &SessionUser,
    id: i64,
    form: &HolidayForm,
) -> ServiceResult<()> {
    require_admin(actor)?;
    let valid = form.validate()?;
    let place = holiday_place(db, id).await?;
    let mut write = db.write().await?;
    sqlx::query("UPDATE holidays SET name = $1, date = $2, yearly = $3, suppress_time_restrictions = $4 WHERE id = $5")
        .bind(valid.name.as_str())
        .bind(valid.date.to_string())
        .bind(i64::from(valid.yearly))
        .bind(i64::from(valid.suppress_time_restrictions))
        .bind(id)
        .execute(&mut *write)
        .await
        .map_err(|e| map_constraint(e, CONSTRAINTS))?;
    commit_admin(
        write,
        actor,
        "holiday.updated",
        &place,
        None,
        &describe(&valid),
    )
    .await?;
    changed(db).await;
    Ok(())
}

/// Deletes a holiday.
pub async fn delete_holiday(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_admin(actor)?;
    let place = holiday_place(db, id).await?;
    let (name,): (String,) = sqlx::query_as("SELECT name FROM holidays WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    let mut write = db.write().await?;
    sqlx::query("DELETE FROM holidays WHERE id = $1")
        .bind(id)
        .execute(&mut *write)
        .await?;
    commit_admin(write, actor, "holiday.deleted", &place, None, &name).await?;
    changed(db).await;
    Ok(())
}

async fn place_name(db: &Db, place_id: i64) -> ServiceResult<String> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM places WHERE id = $1")
        .bind(place_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|(name,)| name).ok_or_else(|| {
        ServiceError::field(
            "place_id",
            "That place does not exist. Choose one from the list.",
        )
    })
}

/// The name of the holiday's place.
async fn holiday_place(db: &Db, id: i64) -> ServiceResult<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT p.name FROM holidays h JOIN places p ON p.id = h.place_id WHERE h.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|(name,)| name)
        .ok_or(ServiceError::NotFound("holiday"))
}

/// "Christmas Day, 2026-12-25, every year" for the log.
fn describe(holiday: &ValidHoliday) -> String {
    let yearly = if holiday.yearly { ", every year" } else { "" };
    format!("{}, {}{yearly}", holiday.name.as_str(), holiday.date)
}
