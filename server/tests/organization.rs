//! Organization settings and the access email sent to members added to a group.

mod common;

use common::{field_message, TestApp};

async fn members_get_the_access_email_only_when_it_is_on(app: &TestApp) {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let door = app.create("save_door", &[("form[name]", "Lobby"), ("form[place_id]", &place)]).await;
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", &door), ("add", "true")]).await.0, 200);
    let first = app.create("save_user", &[("form[name]", "Mia Member"), ("form[email]", "mia@example.com"), ("form[role]", "member")]).await;
    let second = app.create("save_user", &[("form[name]", "Max Member"), ("form[email]", "max@example.com"), ("form[role]", "member")]).await;

    // Off (the default): no email.
    let (_, settings) = app.call("get_settings", &[]).await;
    assert_eq!((settings["name"].as_str(), settings["access_email_enabled"].as_bool()), (Some("Acme"), Some(false)));
    assert_eq!(app.call("change_group_member", &[("group_id", &group), ("user_id", &first), ("add", "true")]).await.0, 200);
    let (_, outbox) = app.call("list_outbox", &[]).await;
    assert_eq!(outbox.as_array().unwrap().len(), 0, "{outbox}");

    // On: the next member gets one naming the group and its door.
    let (status, body) = app.call("save_settings", &[("name", "Acme Labs"), ("access_email_enabled", "on")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.call("change_group_member", &[("group_id", &group), ("user_id", &second), ("add", "true")]).await.0, 200);
    let (_, outbox) = app.call("list_outbox", &[]).await;
    let messages = outbox.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{outbox}");
    assert_eq!(messages[0]["recipient"], "max@example.com");
    assert!(messages[0]["subject"].as_str().unwrap().contains("Staff"), "{outbox}");
    assert!(messages[0]["body_text"].as_str().unwrap().contains("Lobby"), "{outbox}");

    // A blank name is refused beside the field.
    let (status, body) = app.call("save_settings", &[("name", " ")]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "name").is_some(), "{body}");
}
on_both_databases!(members_get_the_access_email_only_when_it_is_on);
