//! A controller's connection on its page: MQTT and HTTP settings validated
//! beside their fields, passwords kept on the server, and "Test connection"
//! reporting what happened.

mod common;

use common::{field_message, TestApp};

async fn place(app: &TestApp) -> String {
    app.sign_up_owner().await;
    app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await
}

async fn bad_settings_are_refused_beside_their_fields_and_nothing_is_saved(app: &TestApp) {
    let place = place(app).await;
    let (status, body) = app
        .call(
            "save_controller",
            &[
                ("form[name]", "Gate"),
                ("form[place_id]", &place),
                ("form[bridge_kind]", "mqtt"),
                ("form[bridge][mqtt_broker]", "https://broker"),
                ("form[bridge][mqtt_topic]", "gate/#"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(field_message(&body, "mqtt_broker").unwrap().contains("mqtt://host:port"), "{body}");
    assert!(field_message(&body, "mqtt_topic").unwrap().contains("no spaces"), "{body}");
    let (status, body) = app
        .call("save_controller", &[("form[name]", "Relay"), ("form[place_id]", &place), ("form[bridge_kind]", "http"), ("form[bridge][http_address]", "http://x/rpc")])
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(field_message(&body, "http_address").is_some(), "{body}");
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM controllers").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(count, 0);
}
on_both_databases!(bad_settings_are_refused_beside_their_fields_and_nothing_is_saved);

async fn passwords_stay_on_the_server_and_are_kept_when_left_blank(app: &TestApp) {
    let place = place(app).await;
    let form = |password: &'static str| {
        vec![
            ("form[name]", "Gate"),
            ("form[place_id]", place.as_str()),
            ("form[bridge_kind]", "mqtt"),
            ("form[bridge][mqtt_broker]", "127.0.0.1:1"),
            ("form[bridge][mqtt_topic]", "gate_board"),
            ("form[bridge][mqtt_username]", "postern"),
            ("form[bridge][mqtt_password]", password),
        ]
    };
    let id = app.create("save_controller", &form("s3cret-pass")).await;
    let (status, body) = app.call("get_controller", &[("id", &id)]).await;
    assert_eq!(status, 200);
    assert!(!body.to_string().contains("s3cret-pass"), "the password reached the browser: {body}");
    assert_eq!(body[0]["bridge"]["topic"], "gate_board");
    assert_eq!(body[0]["online"], false, "a real controller is offline until heard from");
    // Saved again with the password left blank: the stored one stays.
    let mut again = form("");
    again.push(("id", id.as_str()));
    assert_eq!(app.call("save_controller", &again).await.0, 200);
    let stored = postern::services::controllers::stored_bridge(&app.db, id.parse().unwrap()).await.unwrap();
    let postern::model::BridgeConfig::Mqtt(settings) = stored else { panic!("{stored:?}") };
    assert_eq!((settings.password.as_str(), settings.port), ("s3cret-pass", 1));
}
on_both_databases!(passwords_stay_on_the_server_and_are_kept_when_left_blank);

async fn test_connection_reports_what_happened(app: &TestApp) {
    let place = place(app).await;
    let simulated = app.create("save_controller", &[("form[name]", "Sim"), ("form[place_id]", &place)]).await;
    let (status, body) = app.call("test_connection", &[("id", &simulated)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.as_str().unwrap().contains("relay 1 off"), "{body}");
    // Nothing listens on port 1: the report says the broker refused.
    let mqtt = app
        .create(
            "save_controller",
            &[("form[name]", "Gate"), ("form[place_id]", &place), ("form[bridge_kind]", "mqtt"), ("form[bridge][mqtt_broker]", "127.0.0.1:1"), ("form[bridge][mqtt_topic]", "nobody_here")],
        )
        .await;
    let (status, body) = app.call("test_connection", &[("id", &mqtt)]).await;
    assert_eq!(status, 503, "{body}");
    let text = body.to_string();
    assert!(text.contains("mqtt://127.0.0.1:1"), "{text}");
    // A real broker but no device on that topic: it says nobody answered.
    let quiet = app
        .create(
            "save_controller",
            &[("form[name]", "Quiet"), ("form[place_id]", &place), ("form[bridge_kind]", "mqtt"), ("form[bridge][mqtt_broker]", "127.0.0.1:1883"), ("form[bridge][mqtt_topic]", "postern_test_nobody")],
        )
        .await;
    let (status, body) = app.call("test_connection", &[("id", &quiet)]).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.to_string().contains("answer"), "{body}");
}
on_both_databases!(test_connection_reports_what_happened);
