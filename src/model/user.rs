use super::checked;
use crate::field_error::FieldErrors;
use crate::types::{Email, Name, PhoneNumber, Role};
use serde::{Deserialize, Serialize};

/// The signed-in person, as the UI knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub role: Role,
    pub confirmed: bool,
    pub app_access: bool,
    pub primary_device_required: bool,
    pub primary_device_id: Option<String>,
    pub has_password: bool,
    pub group_count: i64,
    pub card_count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: i64,
    pub user_id: i64,
    pub number: String,
    pub label: String,
    pub active: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserForm {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub confirmed: Option<String>,
    #[serde(default)]
    pub app_access: Option<String>,
    #[serde(default)]
    pub primary_device_required: Option<String>,
}

pub struct ValidUser {
    pub name: Name,
    pub email: Email,
    pub phone: Option<PhoneNumber>,
    pub role: Role,
    pub confirmed: bool,
    pub app_access: bool,
    pub primary_device_required: bool,
}

impl UserForm {
    pub fn validate(&self) -> Result<ValidUser, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", Name::parse(&self.name));
        let email = e.check("email", Email::parse(&self.email));
        let phone = if self.phone.trim().is_empty() {
            Some(None)
        } else {
            e.check("phone", PhoneNumber::parse_e164(&self.phone)).map(Some)
        };
        let role = if self.role.trim().is_empty() {
            Some(Role::Member)
        } else {
            e.check("role", Role::parse(&self.role))
        };
        e.into_result()?;
        let (Some(name), Some(email), Some(phone), Some(role)) = (name, email, phone, role) else {
            return Err(FieldErrors::new());
        };
        Ok(ValidUser {
            name,
            email,
            phone,
            role,
            confirmed: checked(&self.confirmed),
            app_access: checked(&self.app_access),
            primary_device_required: checked(&self.primary_device_required),
        })
    }
}

impl From<&User> for UserForm {
    fn from(u: &User) -> Self {
        let flag = |b: bool| b.then(|| "on".to_owned());
        UserForm {
            name: u.name.clone(),
            email: u.email.clone(),
            phone: u.phone.clone().unwrap_or_default(),
            role: u.role.as_str().to_owned(),
            confirmed: flag(u.confirmed),
            app_access: flag(u.app_access),
            primary_device_required: flag(u.primary_device_required),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_by_default_and_email_normalised() {
        let form = UserForm { name: "Ada".into(), email: " Ada@Example.COM ".into(), ..Default::default() };
        let user = form.validate().unwrap();
        assert_eq!(user.role, Role::Member);
        assert_eq!(user.email.as_str(), "ada@example.com");
    }

    #[test]
    fn bad_email_and_role_are_reported() {
        let form = UserForm { name: "Ada".into(), email: "nope".into(), role: "king".into(), ..Default::default() };
        let errors = form.validate().err().unwrap();
        assert!(errors.get("email").is_some() && errors.get("role").is_some());
    }
}

/// A card as the Credentials → Cards & fobs list shows it, with its holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardEntry {
    pub card: Card,
    pub user_name: String,
    pub user_email: String,
}
