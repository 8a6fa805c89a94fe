//! Access links (SPEC §4): what the "Send access link" form takes, what the
//! credentials list shows, and what the visitor's page shows.

use crate::field_error::FieldErrors;
use crate::types::{Email, Name, PhoneNumber, Timestamp};
use serde::{Deserialize, Serialize};

/// How the link reaches its recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkChannel {
    Email,
    Sms,
    Manual,
}

impl LinkChannel {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "email" => Ok(LinkChannel::Email),
            "sms" => Ok(LinkChannel::Sms),
            "manual" => Ok(LinkChannel::Manual),
            _ => Err("Choose how to send the link: email, text message or manually.".into()),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            LinkChannel::Email => "email",
            LinkChannel::Sms => "sms",
            LinkChannel::Manual => "manual",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            LinkChannel::Email => "Email",
            LinkChannel::Sms => "Text message",
            LinkChannel::Manual => "Sent manually",
        }
    }
}

/// Whether a use limit counts all unlocks or each day's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UseLimitPeriod {
    Total,
    Day,
}

impl UseLimitPeriod {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "" | "total" => Ok(UseLimitPeriod::Total),
            "day" => Ok(UseLimitPeriod::Day),
            _ => Err("Choose “in total” or “per day”.".into()),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            UseLimitPeriod::Total => "total",
            UseLimitPeriod::Day => "day",
        }
    }
}

/// The most unlocks a use limit may allow.
pub const MAX_USE_LIMIT: i64 = 10_000;

/// Where a link stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Valid from a later time.
    Scheduled,
    Active,
    Expired,
    Revoked,
    /// Its total use limit is reached.
    UsedUp,
}

impl LinkStatus {
    /// Revoked, then used up, then expired, then scheduled, else active.
    pub fn at(now: i64, revoked_at: Option<i64>, valid_from: Option<i64>, valid_until: Option<i64>, used_up: bool) -> Self {
        if revoked_at.is_some() {
            LinkStatus::Revoked
        } else if used_up {
            LinkStatus::UsedUp
        } else if valid_until.is_some_and(|until| now >= until) {
            LinkStatus::Expired
        } else if valid_from.is_some_and(|from| now < from) {
            LinkStatus::Scheduled
        } else {
            LinkStatus::Active
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            LinkStatus::Scheduled => "Scheduled",
            LinkStatus::Active => "Active",
            LinkStatus::Expired => "Expired",
            LinkStatus::Revoked => "Revoked",
            LinkStatus::UsedUp => "Used up",
        }
    }

    /// The CSS modifier of its badge.
    pub fn tone(&self) -> &'static str {
        match self {
            LinkStatus::Active => "ok",
            LinkStatus::Scheduled => "info",
            LinkStatus::Expired | LinkStatus::UsedUp => "muted",
            LinkStatus::Revoked => "bad",
        }
    }
}

/// A link as the credentials list shows it: never its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLink {
    pub id: i64,
    pub recipient_name: String,
    pub channel: LinkChannel,
    /// The email address or phone number it went to.
    pub sent_to: String,
    pub group_id: i64,
    pub group_name: String,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub use_limit: Option<i64>,
    pub use_limit_period: Option<UseLimitPeriod>,
    pub uses: i64,
    pub last_used_at: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
    pub status: LinkStatus,
}

impl AccessLink {
    /// "3 of 10", "3 (at most 2 a day)", or "3".
    pub fn uses_text(&self) -> String {
        match (self.use_limit, self.use_limit_period) {
            (Some(limit), Some(UseLimitPeriod::Day)) => format!("{} (at most {limit} a day)", self.uses),
            (Some(limit), _) => format!("{} of {limit}", self.uses),
            (None, _) => self.uses.to_string(),
        }
    }
}

/// A link just created. `url` and `qr_svg` are shown once, for links sent
/// manually, and never again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccessLink {
    pub link: AccessLink,
    pub url: Option<String>,
    pub qr_svg: Option<String>,
    /// What happened to the message: "sent", "held in the outbox", or "shown once".
    pub delivery: String,
}

/// How much of each quota is in use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkQuotas {
    pub email_in_use: i64,
    pub email_limit: i64,
    pub sms_this_month: i64,
    pub sms_limit: i64,
}

/// The "Send access link" form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    pub recipient_name: String,
    pub channel: String,
    pub email: String,
    pub phone: String,
    pub group_id: String,
    /// `datetime-local` text in `time_zone`; blank = valid now.
    pub valid_from: String,
    /// Blank = never expires.
    pub valid_until: String,
    /// The viewer's time zone, for the two dates.
    pub time_zone: String,
    /// Blank = no limit.
    pub use_limit: String,
    pub use_limit_period: String,
}

/// Where the link goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkRecipient {
    Email(Email),
    /// Structurally E.164 here; the service checks it is a +1 NANP number
    /// of the United States, Canada or Puerto Rico.
    Sms(PhoneNumber),
    Manual,
}

/// A checked form.
#[derive(Clone, Debug)]
pub struct ValidLink {
    pub recipient_name: Name,
    pub recipient: LinkRecipient,
    pub group_id: i64,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub use_limit: Option<(i64, UseLimitPeriod)>,
}

impl ValidLink {
    pub fn channel(&self) -> LinkChannel {
        match self.recipient {
            LinkRecipient::Email(_) => LinkChannel::Email,
            LinkRecipient::Sms(_) => LinkChannel::Sms,
            LinkRecipient::Manual => LinkChannel::Manual,
        }
    }
}

impl LinkForm {
    pub fn validate(&self) -> Result<ValidLink, FieldErrors> {
        let mut e = FieldErrors::new();
        let recipient_name = e.check("recipient_name", Name::parse(&self.recipient_name));
        let recipient = match e.check("channel", LinkChannel::parse(&self.channel)) {
            Some(LinkChannel::Email) => e.check("email", Email::parse(&self.email)).map(LinkRecipient::Email),
            Some(LinkChannel::Sms) => e.check("phone", PhoneNumber::parse_e164(&self.phone)).map(LinkRecipient::Sms),
            Some(LinkChannel::Manual) => Some(LinkRecipient::Manual),
            None => None,
        };
        let group_id = match self.group_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                e.push("group_id", "Choose the group whose doors the link opens.");
                None
            }
        };
        let validity = super::validity_fields(&mut e, &self.time_zone, &self.valid_from, &self.valid_until);
        let use_limit = if self.use_limit.trim().is_empty() {
            Some(None)
        } else {
            let count = match self.use_limit.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_USE_LIMIT).contains(&n) => Some(n),
                _ => {
                    e.push("use_limit", format!("Enter a whole number of unlocks from 1 to {MAX_USE_LIMIT}, or leave it blank for no limit."));
                    None
                }
            };
            let period = e.check("use_limit_period", UseLimitPeriod::parse(&self.use_limit_period));
            count.zip(period).map(Some)
        };
        e.into_result()?;
        let (Some(recipient_name), Some(recipient), Some(group_id), Some((valid_from, valid_until)), Some(use_limit)) =
            (recipient_name, recipient, group_id, validity, use_limit)
        else {
            return Err(FieldErrors::new());
        };
        Ok(ValidLink { recipient_name, recipient, group_id, valid_from, valid_until, use_limit })
    }
}

/// One door on the visitor's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkDoor {
    pub id: i64,
    pub name: String,
    pub place_name: String,
    /// The place's time zone, for the door's "unlocked until".
    pub time_zone: String,
    pub status: crate::door_status::DoorStatus,
}

/// The result of a press on the link's page, read back from its event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PressOutcome {
    /// `time_zone`: the door's place's, for "until".
    Unlocked { door: String, until_ms: i64, time_zone: String },
    Refused { door: String, reasons: Vec<String> },
}

/// Everything the visitor's page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPageView {
    pub organization: String,
    pub recipient_name: String,
    pub status: LinkStatus,
    /// Validity in the place's local time, in words.
    pub validity: String,
    pub valid_from: Option<i64>,
    pub time_zone: String,
    pub doors: Vec<LinkDoor>,
    /// Who to ask when the link does not work.
    pub contact: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> LinkForm {
        LinkForm {
            recipient_name: "Vera Visitor".into(),
            channel: "manual".into(),
            group_id: "3".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_manual_link_needs_only_a_name_and_a_group() {
        let link = form().validate().unwrap();
        assert_eq!(link.channel(), LinkChannel::Manual);
        assert_eq!(link.group_id, 3);
        assert_eq!((link.valid_from, link.valid_until, link.use_limit), (None, None, None));
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let bad = LinkForm {
            recipient_name: " ".into(),
            channel: "email".into(),
            email: "not-an-email".into(),
            group_id: "x".into(),
            valid_from: "2026-12-01T10:00".into(),
            valid_until: "2026-12-01T09:00".into(),
            use_limit: "0".into(),
            ..Default::default()
        };
        let errors = bad.validate().unwrap_err();
        for field in ["recipient_name", "email", "group_id", "valid_until", "use_limit"] {
            assert!(errors.get(field).is_some(), "no message for {field}: {errors:?}");
        }
    }

    #[test]
    fn a_text_message_needs_a_phone_number() {
        let f = LinkForm { channel: "sms".into(), phone: "".into(), ..form() };
        assert!(f.validate().unwrap_err().get("phone").is_some());
        let f = LinkForm { channel: "sms".into(), phone: "+1 787 555 0123".into(), ..form() };
        assert!(matches!(f.validate().unwrap().recipient, LinkRecipient::Sms(_)));
    }

    #[test]
    fn use_limits_take_a_period() {
        let f = LinkForm { use_limit: "2".into(), use_limit_period: "day".into(), ..form() };
        assert_eq!(f.validate().unwrap().use_limit, Some((2, UseLimitPeriod::Day)));
        let f = LinkForm { use_limit: "2".into(), use_limit_period: "week".into(), ..form() };
        assert!(f.validate().unwrap_err().get("use_limit_period").is_some());
    }

    #[test]
    fn status_precedence() {
        use LinkStatus::*;
        assert_eq!(LinkStatus::at(10, Some(1), None, Some(5), true), Revoked);
        assert_eq!(LinkStatus::at(10, None, None, Some(5), true), UsedUp);
        assert_eq!(LinkStatus::at(10, None, None, Some(10), false), Expired);
        assert_eq!(LinkStatus::at(10, None, Some(11), None, false), Scheduled);
        assert_eq!(LinkStatus::at(10, None, Some(10), Some(11), false), Active);
    }
}
