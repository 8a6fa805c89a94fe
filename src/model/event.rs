use serde::{Deserialize, Serialize};

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEntry {
    pub id: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub door_id: Option<i64>,
    /// The access link used, for link unlocks.
    pub link_id: Option<i64>,
    pub method: Option<String>,
    pub result: String,
    pub reasons: Vec<String>,
    /// The time zone of the event's place, if it has one.
    pub time_zone: Option<String>,
}
