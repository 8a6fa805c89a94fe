//! The records Postern shows and edits, as sent between server and browser,
//! and the forms that create or change them (validated here, once, so the
//! server functions, the CLI and the REST API refuse the same nonsense).

pub mod access_link;
pub mod api_key;
pub mod bridge_config;
pub mod controller;
pub mod door;
pub mod event;
pub mod group;
pub mod listing;
pub mod organization;
pub mod place;
pub mod user;
mod validity_fields;
pub mod welcome;
pub mod webhook;

pub(crate) use validity_fields::validity_fields;

pub use access_link::{
    AccessLink, LinkChannel, LinkDoor, LinkForm, LinkPageView, LinkQuotas, LinkRecipient, LinkStatus, NewAccessLink, PressOutcome,
    UseLimitPeriod, ValidLink,
};
pub use api_key::{ApiKey, NewApiKey};
pub use bridge_config::{BridgeConfig, BridgeFields, HttpSettings, MqttSettings};
pub use controller::{Controller, ControllerForm, Reader, RelayUse, ValidController};
pub use door::{Door, DoorForm, DoorOptions, ValidDoor};
pub use event::EventEntry;
pub use group::{Group, GroupDoor, GroupForm, GroupMember, ValidGroup};
pub use listing::Listing;
pub use organization::OrganizationSettings;
pub use place::{Place, PlaceForm, ValidPlace};
pub use user::{Card, CardEntry, SessionUser, User, UserForm, ValidUser};
pub use welcome::{WelcomeLinkState, WelcomeStatus};
pub use webhook::{ValidWebhook, Webhook, WebhookAttempt, WebhookForm};

/// Reads an HTML checkbox value (present = checked).
pub fn checked(value: &Option<String>) -> bool {
    matches!(value.as_deref(), Some(v) if v != "false" && v != "off" && v != "0")
}
