use serde::{Deserialize, Serialize};

/// The organization's settings page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSettings {
    pub name: String,
    /// Members get an email when they are added to a group.
    pub access_email_enabled: bool,
}
