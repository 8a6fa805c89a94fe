//! A member's role in an organization.

use serde::{Deserialize, Serialize};

/// What a member may do, from most to least powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Full control, including billing and deleting the organization.
    Owner,
    /// Manages everything except ownership.
    Admin,
    /// Manages the people and doors of their sites.
    Manager,
    /// Opens the doors they were given.
    Member,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Manager, Role::Member];

    /// Stable identifier for storage and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
        }
    }

    /// Name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Manager => "Manager",
            Role::Member => "Member",
        }
    }

    /// Parses an identifier from [`Role::as_str`] (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| "Choose a role: owner, admin, manager or member.".to_string())
    }

    /// Owner or admin.
    pub fn is_admin(&self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Owner, admin or manager.
    pub fn can_manage(&self) -> bool {
        !matches!(self, Role::Member)
    }

    /// How much power the role carries: the owner 3, admins 2, managers 1,
    /// members 0 (a lower role after a change is "given less power").
    pub fn rank(&self) -> u8 {
        match self {
            Role::Owner => 3,
            Role::Admin => 2,
            Role::Manager => 1,
            Role::Member => 0,
        }
    }

    /// Owners and admins may open every door without a grant.
    pub fn reaches_every_door(&self) -> bool {
        self.is_admin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse(" Admin "), Ok(Role::Admin));
        assert!(Role::parse("root").is_err());
        assert_eq!(Role::Manager.label(), "Manager");
    }

    #[test]
    fn permissions() {
        let flags = |r: Role| (r.is_admin(), r.can_manage(), r.reaches_every_door());
        assert_eq!(flags(Role::Owner), (true, true, true));
        assert_eq!(flags(Role::Admin), (true, true, true));
        assert_eq!(flags(Role::Manager), (false, true, false));
        assert_eq!(flags(Role::Member), (false, false, false));
    }
}
