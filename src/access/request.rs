//! Everything the decision needs to know about one unlock attempt.

use super::{DoorRules, GroupPath, ProximityProof};
use crate::types::{Coordinates, Role, Timestamp};
use serde::{Deserialize, Serialize};

/// How the requester identified themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A signed-in user in the app.
    Session,
    /// A user's API key.
    ApiKey,
    /// A shared access link; it belongs to a group, not to a user.
    AccessLink,
}

impl ActorKind {
    /// A session or API key: a user is behind it.
    pub fn is_sign_in(&self) -> bool {
        !matches!(self, ActorKind::AccessLink)
    }
}

/// The session, API key or access link used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialState {
    /// It was revoked.
    pub revoked: bool,
    /// Valid from (inclusive); `None` = always was.
    pub valid_from: Option<Timestamp>,
    /// Valid until (exclusive); `None` = never ends.
    pub valid_until: Option<Timestamp>,
    /// An access link that reached its use limit (in total or for today).
    pub used_up: bool,
}

/// The user behind a session or API key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserState {
    /// Their role in the organization.
    pub role: Role,
    /// They confirmed their account.
    pub confirmed: bool,
    /// "Allow app access" is on.
    pub app_access: bool,
    /// They may only open doors from their bound device.
    pub primary_device_required: bool,
    /// Their bound (primary) device.
    pub bound_device: Option<String>,
}

/// The browser's position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Where the browser thinks it is.
    pub at: Coordinates,
    /// Accuracy radius in meters.
    pub accuracy_m: f64,
}

/// Facts about the moment and the device of the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestContext {
    /// The current time.
    pub now: Timestamp,
    /// The browser's position, if shared.
    pub location: Option<Location>,
    /// The checked proof from the door's reader.
    pub proximity: ProximityProof,
    /// The device the request comes from, if known.
    pub device_id: Option<String>,
    /// When the user last passed a second-factor check.
    pub verified_at: Option<Timestamp>,
}

/// One unlock attempt.
#[derive(Clone, Copy, Debug)]
pub struct AccessRequest<'a> {
    /// Session, API key or access link.
    pub actor: ActorKind,
    /// The state of that credential.
    pub credential: CredentialState,
    /// The user behind a session or API key; ignored for access links.
    pub user: Option<&'a UserState>,
    /// The door's rules.
    pub door: &'a DoorRules,
    /// Only the groups that link this actor (or link) to this door.
    pub groups: &'a [GroupPath],
    /// Time, place and device of the request.
    pub context: &'a RequestContext,
}
