//! The access decision: one pure function, [`decide`], says whether an unlock
//! is granted and lists every reason that blocks it, headline first.

mod checks;
mod decision;
mod explain;
mod group_reason;
mod local_time;
mod membership;
mod proximity;
mod reason;
mod request;
mod rules;
mod validity;
mod weekly;
mod weekly_text;

#[cfg(test)]
mod decision_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod restriction_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod weekly_properties;

pub use decision::{decide, Decision, FRESH_VERIFICATION_MS};
pub use explain::{explain, explain_link, fix, Explanation, RuleCheck};
pub use group_reason::GroupReason;
pub use local_time::LocalTime;
pub use proximity::ProximityProof;
pub use reason::Reason;
pub use request::{AccessRequest, ActorKind, CredentialState, Location, RequestContext, UserState};
pub use rules::{DoorRules, Geofence, GroupPath};
pub use weekly::{WeeklySchedule, WeeklyWindow};
