//! Validated domain types. Each `parse` takes user input and returns either
//! the value or a plain-English message for the user.

mod bridge_kind;
mod card_number;
mod controller_model;
mod coordinates;
mod description;
mod email;
mod held_open_seconds;
mod int;
mod latitude;
mod lock_type;
mod longitude;
mod name;
#[cfg(feature = "server")]
mod nanp;
mod page;
mod password;
mod phone_number;
mod pulse_seconds;
mod radius;
mod relay_number;
mod role;
mod search_query;
mod time_zone_name;
mod timestamp;
mod zone_arming;

pub use bridge_kind::BridgeKind;
pub use card_number::CardNumber;
pub use controller_model::ControllerModel;
pub use coordinates::Coordinates;
pub use description::Description;
pub use email::Email;
pub use held_open_seconds::HeldOpenSeconds;
pub use latitude::Latitude;
pub use lock_type::LockType;
pub use longitude::Longitude;
pub use name::Name;
pub use page::Page;
pub use password::Password;
pub use phone_number::PhoneNumber;
pub use pulse_seconds::PulseSeconds;
pub use radius::Radius;
pub use relay_number::RelayNumber;
pub use role::Role;
pub use search_query::SearchQuery;
pub use time_zone_name::TimeZoneName;
pub use timestamp::Timestamp;
pub use zone_arming::ZoneArming;
