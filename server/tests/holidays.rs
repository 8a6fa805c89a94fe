//! Holidays that suspend time restrictions, through the press-to-unlock
//! server function, on SQLite and PostgreSQL: on such a day at the place
//! (its own time zone), time-restricted access is closed and the refusal
//! names the holiday; other holidays change nothing; owners and admins keep
//! skipping the groups' hours (the door's own hours hold everyone).

mod common;

use common::{call_with, TestApp};
use postern::model::UserForm;
use postern::services::users;
use postern::types::Password;

/// UTC+14: its local date is often not UTC's, so the place's zone matters.
const ZONE: &str = "Pacific/Kiritimati";
/// Open around the clock (the second window crosses midnight).
const ALWAYS: &str = "Every day 00:00-12:00\nEvery day 12:00-00:00";

struct Site {
    place: String,
    /// The door's own time restriction is on (always open by its windows).
    front: String,
    /// No door hours; reached through group "Day shift", whose hours are on.
    side: String,
    member: String,
}

async fn site(app: &TestApp) -> Site {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "1.87"), ("form[longitude]", "-157.4"), ("form[time_zone]", ZONE)]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let front = app
        .create(
            "save_door",
            &[
                ("form[name]", "Front"),
                ("form[place_id]", &place),
                ("form[controller_id]", &controller),
                ("form[relay]", "1"),
                ("form[time_restriction]", "on"),
                ("form[time_windows]", ALWAYS),
            ],
        )
        .await;
    let side = app.create("save_door", &[("form[name]", "Side"), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", "2")]).await;
    let staff = app.create("save_group", &[("form[name]", "Staff")]).await;
    let day_shift = app.create("save_group", &[("form[name]", "Day shift"), ("form[time_restriction]", "on"), ("form[time_windows]", ALWAYS)]).await;
    for (group, door) in [(&staff, &front), (&day_shift, &side)] {
        assert_eq!(app.call("change_group_door", &[("group_id", group), ("door_id", door), ("add", "true")]).await.0, 200);
    }
    let form = UserForm { name: "Mia".into(), email: "mia@example.com".into(), confirmed: Some("on".into()), app_access: Some("on".into()), ..Default::default() };
    let member = users::insert(&app.db, &form.validate().unwrap(), None).await.unwrap();
    users::set_password(&app.db, member, &Password::parse("member password 1").unwrap()).await.unwrap();
    let member = member.to_string();
    for group in [&staff, &day_shift] {
        assert_eq!(app.call("change_group_member", &[("group_id", group), ("user_id", &member), ("add", "true")]).await.0, 200);
    }
    Site { place, front, side, member }
}

/// Mia, signed in in her own browser.
async fn mia(app: &TestApp) -> reqwest::Client {
    let browser = app.new_browser();
    let (status, _) = call_with(&browser, &app.address, "login", &[("email", "mia@example.com"), ("password", "member password 1")]).await;
    assert_eq!(status, 200);
    browser
}

/// Today at the place, as YYYY-MM-DD.
fn today_at_the_place() -> jiff::civil::Date {
    jiff::Timestamp::now().in_tz(ZONE).unwrap().date()
}

async fn add_holiday(app: &TestApp, place: &str, name: &str, date: &str, yearly: bool, suppress: bool) -> String {
    let mut form = vec![("place_id", place), ("form[name]", name), ("form[date]", date)];
    if yearly {
        form.push(("form[yearly]", "on"));
    }
    if suppress {
        form.push(("form[suppress_time_restrictions]", "on"));
    }
    app.create("add_holiday", &form).await
}

/// Presses unlock; (granted, the reasons in words).
async fn press(client: &reqwest::Client, app: &TestApp, door: &str) -> (bool, String) {
    let (status, body) = call_with(client, &app.address, "unlock_door", &[("door_id", door)]).await;
    assert_eq!(status, 200, "{body}");
    (body["granted"].as_bool().expect("granted"), body["reasons"].to_string())
}

/// The reason codes logged with the latest unlock event.
async fn last_logged_reasons(app: &TestApp) -> String {
    let (reasons,): (String,) = sqlx::query_as("SELECT reasons FROM events WHERE action = 'unlock' ORDER BY id DESC LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    reasons
}

async fn a_suppressing_holiday_closes_time_restricted_access(app: &TestApp) {
    let site = site(app).await;
    let browser = mia(app).await;
    let today = today_at_the_place();

    // A normal day: both doors open for Mia.
    assert_eq!(press(&browser, app, &site.front).await.0, true);
    assert_eq!(press(&browser, app, &site.side).await.0, true);

    // A holiday that does not suspend time restrictions changes nothing.
    let plain = add_holiday(app, &site.place, "Founders' Day", &today.to_string(), false, false).await;
    assert_eq!(press(&browser, app, &site.front).await, (true, "[]".to_owned()));
    assert_eq!(press(&browser, app, &site.side).await.0, true);
    assert_eq!(app.call("delete_holiday", &[("place_id", &site.place), ("id", &plain)]).await.0, 200);

    // One on another day changes nothing either.
    let tomorrow = today.tomorrow().unwrap().to_string();
    add_holiday(app, &site.place, "Tomorrow's Day", &tomorrow, false, true).await;
    assert_eq!(press(&browser, app, &site.front).await.0, true);

    // A yearly holiday on today's month and day (first kept in 2020, a leap
    // year, so Feb 29 is a valid date) that suspends time restrictions.
    let first = jiff::civil::date(2020, today.month(), today.day()).to_string();
    add_holiday(app, &site.place, "Christmas Day", &first, true, true).await;
    let (granted, reasons) = press(&browser, app, &site.front).await;
    assert!(!granted, "{reasons}");
    assert!(reasons.contains("Closed for Christmas Day: time-restricted access is suspended today."), "{reasons}");
    assert!(last_logged_reasons(app).await.contains("holiday"), "{}", last_logged_reasons(app).await);
    // The group's hours are closed too.
    let (granted, reasons) = press(&browser, app, &site.side).await;
    assert!(!granted, "{reasons}");
    assert!(reasons.contains("Group “Day shift” is closed for Christmas Day"), "{reasons}");
    assert!(last_logged_reasons(app).await.contains("group_holiday"), "{}", last_logged_reasons(app).await);

    // The owner skips the groups (and so their hours) as ever …
    assert_eq!(press(&app.client, app, &site.side).await, (true, "[]".to_owned()));
    // … while a door's own hours hold everyone, owners included.
    let (granted, reasons) = press(&app.client, app, &site.front).await;
    assert!(!granted && reasons.contains("Christmas Day"), "{reasons}");

    // The explainer's time row names the holiday and its fix.
    let (status, explained) = app.call("explain_access", &[("query[user]", &site.member), ("query[door]", &site.front)]).await;
    assert_eq!(status, 200, "{explained}");
    let checks = explained["explanation"]["checks"].as_array().expect("an explanation");
    let time = checks.iter().find(|c| c["rule"] == "Time restriction").expect("a time row");
    assert_eq!(time["passed"], false, "{explained}");
    assert_eq!(time["details"][0], "Closed for Christmas Day: time-restricted access is suspended today.");
    assert!(time["fixes"][0].as_str().unwrap().contains("Holiday “Christmas Day”"), "{explained}");
}
on_both_databases!(a_suppressing_holiday_closes_time_restricted_access);
