//! The access decision: may this actor open this door now, and if not, why.

use super::checks::{self, Blocked};
use super::validity::{outside, Outside};
use super::{membership, AccessRequest, GroupReason, Reason, UserState};
use crate::types::Timestamp;
use serde::{Deserialize, Serialize};

/// How long a second-factor verification counts as fresh for 2FA doors.
pub const FRESH_VERIFICATION_MS: i64 = 5 * 60 * 1000;

/// The outcome: granted exactly when nothing blocks the unlock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether the door may open.
    pub granted: bool,
    /// Everything that blocks it, most important first.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// Granted when `reasons` is empty.
    pub fn from_reasons(reasons: Vec<Reason>) -> Self {
        Self {
            granted: reasons.is_empty(),
            reasons,
        }
    }

    /// The main reason to show, if denied.
    pub fn headline(&self) -> Option<&Reason> {
        self.reasons.first()
    }
}

/// Decides one unlock. Reasons come in this order: credential, user state,
/// groups, door geofence, door reader, door hours, lockdown, 2FA.
///
/// On a holiday that suspends time restrictions (`DoorRules::holiday`),
/// every time restriction that is on — the door's, a group's — is closed
/// for the day. Owners and admins skip groups, so only the door's holds them.
///
/// A session or API key without a user counts as revoked.
pub fn decide(request: &AccessRequest) -> Decision {
    let sign_in = request.actor.is_sign_in();
    let user = request.user.filter(|_| sign_in);
    let admin = user.is_some_and(|u| u.role.reaches_every_door());

    let mut before = credential_reasons(request, sign_in && user.is_none());
    if let Some(user) = user {
        before.extend(user_reasons(user, request));
    }
    let after = door_reasons(request, admin);
    let mut groups = if admin {
        Vec::new()
    } else {
        membership::reasons(request)
    };
    groups.retain(|r| !already_said(r, &before, &after));

    let mut reasons = Vec::new();
    for reason in before.into_iter().chain(groups).chain(after) {
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    Decision::from_reasons(reasons)
}

/// Revoked (or without its user), then outside its validity window.
fn credential_reasons(request: &AccessRequest, orphaned: bool) -> Vec<Reason> {
    let credential = &request.credential;
    let mut reasons = Vec::new();
    if credential.revoked || orphaned {
        reasons.push(Reason::CredentialRevoked);
    }
    match outside(
        request.context.now,
        credential.valid_from,
        credential.valid_until,
    ) {
        Some(Outside::NotYet(from)) => reasons.push(Reason::CredentialNotYetValid { from }),
        Some(Outside::Ended(until)) => reasons.push(Reason::CredentialExpired { until }),
        None => {}
    }
    if credential.used_up {
        reasons.push(Reason::CredentialUsedUp);
    }
    reasons
}

/// Confirmed, app access on, and the bound device when required.
fn user_reasons(user: &UserState, request: &AccessRequest) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if !user.confirmed {
        reasons.push(Reason::UserNotConfirmed);
    }
    if !user.app_access {
        reasons.push(Reason::AppAccessDisabled);
    }
    if user.primary_device_required {
        reasons.extend(checks::device(Some(user), request.context).map(Reason::from));
    }
    reasons
}

/// The door's own restrictions, lockdown and 2FA. Links skip geofence and reader.
fn door_reasons(request: &AccessRequest, admin: bool) -> Vec<Reason> {
    let door = request.door;
    let context = request.context;
    let sign_in = request.actor.is_sign_in();
    let mut reasons: Vec<Reason> = [
        door.geofence
            .as_ref()
            .filter(|_| sign_in)
            .and_then(|fence| checks::geofence(fence, context.location.as_ref())),
        (sign_in && door.reader_restriction)
            .then(|| checks::proximity(context.proximity))
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .map(Reason::from)
    .collect();
    if let Some(schedule) = &door.time_restriction {
        reasons.extend(match &door.holiday {
            Some(name) => Some(Reason::Holiday { name: name.clone() }),
            None => checks::schedule(schedule, context, &door.time_zone).map(Reason::from),
        });
    }
    if door.locked_down && !admin {
        reasons.push(Reason::LockedDown);
    }
    if door.require_2fa && sign_in && !is_fresh(context.verified_at, context.now) {
        reasons.push(Reason::VerificationRequired);
    }
    reasons
}

/// Verified at most [`FRESH_VERIFICATION_MS`] ago (exclusive), and not in the future.
fn is_fresh(verified_at: Option<Timestamp>, now: Timestamp) -> bool {
    verified_at.is_some_and(|at| {
        at <= now && now.millis().saturating_sub(at.millis()) < FRESH_VERIFICATION_MS
    })
}

/// A group reason that repeats a fact about the request already reported for
/// the user or the door (no location, no reader proof, wrong device).
fn already_said(reason: &Reason, before: &[Reason], after: &[Reason]) -> bool {
    let Reason::Group { reason, .. } = reason else {
        return false;
    };
    let plain = match *reason {
        GroupReason::LocationUnavailable => Blocked::LocationUnavailable,
        GroupReason::OutsideGeofence {
            distance_m,
            radius_m,
            accuracy_m,
        } => Blocked::OutsideGeofence {
            distance_m,
            radius_m,
            accuracy_m,
        },
        GroupReason::ProximityProofMissing => Blocked::ProximityProofMissing,
        GroupReason::ProximityProofInvalid => Blocked::ProximityProofInvalid,
        GroupReason::WrongDevice => Blocked::WrongDevice,
        _ => return false,
    };
    let plain = Reason::from(plain);
    before.contains(&plain) || after.contains(&plain)
}
