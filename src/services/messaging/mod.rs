//! Messages to people: email (SMTP), text messages (an HTTP SMS provider),
//! the in-memory outbox recording all of them, QR codes and the wording.
//!
//! With no SMTP or SMS provider configured, messages are held in the outbox
//! for admins to read, so every flow works on a fresh machine.

mod html;
pub mod mail;
pub mod outbox;
pub mod qr;
pub mod sms;
mod sms_length;
pub mod texts;

pub use mail::{EmailMessage, InlineImage, Mailer, SmtpSettings, SmtpTls};
pub use outbox::{Channel, Outbox, OutboxEntry, OutboxMessage, OutboxStatus, OUTBOX_CAPACITY};
pub use sms::{SmsSender, SmsSettings};
pub use sms_length::segments as sms_segments;
pub use texts::{access_link_email, access_link_sms, group_added_email, welcome_email, LinkMessage};

/// What became of a message that did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Delivery {
    /// Handed to the SMTP server or the SMS provider.
    Sent,
    /// No provider configured: kept in the outbox for an admin to read.
    Held,
}

/// Everything that sends messages, sharing one outbox. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Messenger {
    pub mailer: Mailer,
    pub sms: SmsSender,
    pub outbox: Outbox,
}

impl Messenger {
    /// A messenger sending through the given providers; `None` holds that
    /// channel's messages in the outbox.
    pub fn new(smtp: Option<SmtpSettings>, sms: Option<SmsSettings>) -> Messenger {
        let outbox = Outbox::new();
        Messenger { mailer: Mailer::new(smtp, outbox.clone()), sms: SmsSender::new(sms, outbox.clone()), outbox }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unconfigured_messenger_holds_both_channels_in_one_outbox() {
        let messenger = Messenger::new(None, None);
        let link = LinkMessage {
            organization: "Acme".into(),
            recipient_name: "Ada".into(),
            url: "https://doors.example.com/l/abc".into(),
            group_name: "Visitors".into(),
            validity: "valid now, does not expire".into(),
        };
        let email = access_link_email(link.clone()).to("ada@example.com");
        assert_eq!(messenger.mailer.send(email).await.unwrap(), Delivery::Held);
        assert_eq!(messenger.sms.send("+12125550123", &access_link_sms(link)).await.unwrap(), Delivery::Held);
        let listed = messenger.outbox.list();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].channel, Channel::Sms);
        assert_eq!(listed[1].channel, Channel::Email);
        assert!(listed.iter().all(|m| m.status == OutboxStatus::Held));
    }
}
