//! Cards and fobs presented at a reader (the simulator's path; later the
//! controller bridge's): the same decision as the card's holder, logged.

mod common;

use common::{field_message, TestApp};

/// A wired door with a reader restriction on reader 1 of its controller,
/// a group with it, and a member holding card 12:3456 in that group.
async fn site(app: &TestApp) -> (String, String) {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let (reader,): (i64,) = sqlx::query_as("SELECT id FROM readers WHERE controller_id = $1 ORDER BY port LIMIT 1")
        .bind(controller.parse::<i64>().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let reader = reader.to_string();
    let door = app
        .create(
            "save_door",
            &[
                ("form[name]", "Lab"),
                ("form[place_id]", &place),
                ("form[controller_id]", &controller),
                ("form[relay]", "1"),
                ("form[reader_id]", &reader),
                ("form[reader_restriction]", "on"),
                ("form[geofence_enabled]", "on"),
            ],
        )
        .await;
    let group = app.create("save_group", &[("form[name]", "Lab crew")]).await;
    let member = app.create("save_user", &[("form[name]", "Rita Reader"), ("form[email]", "rita@example.com"), ("form[role]", "member"), ("form[confirmed]", "on")]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", &door), ("add", "true")]).await.0, 200);
    assert_eq!(app.call("change_group_member", &[("group_id", &group), ("user_id", &member), ("add", "true")]).await.0, 200);
    assert_eq!(app.call("add_card", &[("user_id", &member), ("number", "012-3456"), ("label", "Blue fob")]).await.0, 200);
    (reader, member)
}

async fn reader_events(app: &TestApp) -> Vec<(String, String, String, String, Option<String>)> {
    sqlx::query_as("SELECT actor_kind, actor_name, result, reasons, method FROM events WHERE action = 'unlock' ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

async fn a_known_card_opens_its_door_and_others_are_refused_with_their_number(app: &TestApp) {
    let (reader, _) = site(app).await;
    // The holder's card opens the door: the reader restriction and geofence are met at the door.
    let (status, body) = app.call("present_card", &[("reader_id", &reader), ("number", "12:3456")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["granted"].as_bool(), body["door"].as_str()), (Some(true), Some("Lab")), "{body}");
    // A card nobody holds is refused and logged with its number.
    let (_, body) = app.call("present_card", &[("reader_id", &reader), ("number", "99:1")]).await;
    assert_eq!(body["granted"], false);
    assert_eq!(body["reasons"][0], "This card is not known to Postern.");
    let events = reader_events(app).await;
    assert_eq!(events.len(), 2);
    assert_eq!((events[0].0.as_str(), events[0].2.as_str(), events[0].4.as_deref()), ("card", "granted", Some("reader")));
    assert!(events[0].1.contains("Rita Reader") && events[0].1.contains("12:3456"), "{:?}", events[0]);
    assert_eq!((events[1].1.as_str(), events[1].2.as_str(), events[1].3.as_str()), ("Card 99:1", "denied", "[\"unknown_card\"]"));
}
on_both_databases!(a_known_card_opens_its_door_and_others_are_refused_with_their_number);

async fn deactivated_cards_and_people_without_a_group_are_refused(app: &TestApp) {
    let (reader, member) = site(app).await;
    let (card_id,): (i64,) = sqlx::query_as("SELECT id FROM cards WHERE number = '12:3456'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(app.call("change_card", &[("card_id", &card_id.to_string()), ("change", "deactivate")]).await.0, 200);
    let (_, body) = app.call("present_card", &[("reader_id", &reader), ("number", "12:3456")]).await;
    assert_eq!((body["granted"].as_bool(), body["reasons"][0].as_str()), (Some(false), Some("This card has been deactivated.")));
    assert_eq!(app.call("change_card", &[("card_id", &card_id.to_string()), ("change", "activate")]).await.0, 200);
    let (_, groups) = app.call("get_user", &[("id", &member)]).await;
    assert!(groups.is_array(), "{groups}");
    // Out of the group: the card is known but gives no access to this door.
    let (group,): (i64,) = sqlx::query_as("SELECT id FROM access_groups").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(app.call("change_group_member", &[("group_id", &group.to_string()), ("user_id", &member), ("add", "false")]).await.0, 200);
    let (_, body) = app.call("present_card", &[("reader_id", &reader), ("number", "12:3456")]).await;
    assert_eq!(body["granted"], false, "{body}");
    assert_eq!(body["reasons"][0], "No group gives access to this door.");
    // Bad input gets a message beside the field.
    let (status, body) = app.call("present_card", &[("reader_id", &reader), ("number", " ")]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "number").is_some(), "{body}");
}
on_both_databases!(deactivated_cards_and_people_without_a_group_are_refused);
