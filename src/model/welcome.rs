//! The welcome email as the person's page shows it.

use serde::{Deserialize, Serialize};

/// The last welcome email sent to a person, and what became of its link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeStatus {
    /// When it was sent, milliseconds since the Unix epoch.
    pub sent_at: i64,
    /// Who sent it; `None` for Postern itself (the CLI) or a deleted person.
    pub sent_by: Option<String>,
    /// Whether it carried a set-password link.
    pub with_link: bool,
    /// When the link stops working.
    pub expires_at: Option<i64>,
    /// When the link was used (the person set their password).
    pub used_at: Option<i64>,
}

/// What a welcome email's link is now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WelcomeLinkState {
    /// No link in it: the person already had a password, or none was asked for.
    NoLink,
    /// Waiting to be used.
    Open,
    /// Used: the person set their password.
    Used,
    /// Not used in time.
    Expired,
}

impl WelcomeStatus {
    /// The link's state at `now` (milliseconds).
    pub fn link_state(&self, now: i64) -> WelcomeLinkState {
        match (self.with_link, self.used_at, self.expires_at) {
            (false, _, _) => WelcomeLinkState::NoLink,
            (true, Some(_), _) => WelcomeLinkState::Used,
            (true, None, Some(expires)) if expires <= now => WelcomeLinkState::Expired,
            (true, None, _) => WelcomeLinkState::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_states() {
        let status = WelcomeStatus { sent_at: 0, sent_by: None, with_link: true, expires_at: Some(100), used_at: None };
        assert_eq!(status.link_state(50), WelcomeLinkState::Open);
        assert_eq!(status.link_state(100), WelcomeLinkState::Expired);
        assert_eq!(WelcomeStatus { used_at: Some(60), ..status.clone() }.link_state(200), WelcomeLinkState::Used);
        assert_eq!(WelcomeStatus { with_link: false, ..status }.link_state(50), WelcomeLinkState::NoLink);
    }
}
