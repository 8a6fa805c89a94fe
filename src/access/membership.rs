//! Whether some group gives the actor access to the door.

use super::checks;
use super::validity::{outside, Outside};
use super::{AccessRequest, GroupPath, GroupReason, Reason};

/// Empty when at least one group gives access; otherwise why none does.
/// Callers skip this for owners and admins, who reach every door.
pub(crate) fn reasons(request: &AccessRequest) -> Vec<Reason> {
    if request.groups.is_empty() {
        return vec![Reason::NoGroup];
    }
    let mut reasons = Vec::new();
    for group in request.groups {
        let blocks = group_reasons(group, request);
        if blocks.is_empty() {
            return Vec::new();
        }
        reasons.extend(blocks.into_iter().map(|reason| Reason::Group {
            group: group.name.clone(),
            reason,
        }));
    }
    reasons
}

/// Why `group` does not give access now, in precedence order.
/// Access links skip the geofence and reader restriction, and have no device.
fn group_reasons(group: &GroupPath, request: &AccessRequest) -> Vec<GroupReason> {
    let context = request.context;
    let door = request.door;
    let sign_in = request.actor.is_sign_in();
    let mut reasons = Vec::new();
    match outside(context.now, group.valid_from, group.valid_until) {
        Some(Outside::NotYet(from)) => reasons.push(GroupReason::NotYetValid { from }),
        Some(Outside::Ended(until)) => reasons.push(GroupReason::Expired { until }),
        None => {}
    }
    match outside(context.now, group.member_from, group.member_until) {
        Some(Outside::NotYet(from)) => reasons.push(GroupReason::MembershipNotYetValid { from }),
        Some(Outside::Ended(until)) => reasons.push(GroupReason::MembershipExpired { until }),
        None => {}
    }
    let place = [
        (sign_in && group.geofence)
            .then(|| checks::geofence(&door.group_geofence(), context.location.as_ref()))
            .flatten(),
        (sign_in && group.reader_restriction)
            .then(|| checks::proximity(context.proximity))
            .flatten(),
    ];
    reasons.extend(place.into_iter().flatten().map(GroupReason::from));
    if let Some(schedule) = &group.time_restriction {
        reasons.extend(match &door.holiday {
            Some(name) => Some(GroupReason::Holiday { name: name.clone() }),
            None => checks::schedule(schedule, context, &door.time_zone).map(GroupReason::from),
        });
    }
    let device = (sign_in && group.primary_device_required)
        .then(|| checks::device(request.user, context))
        .flatten();
    reasons.extend(device.map(GroupReason::from));
    reasons
}
