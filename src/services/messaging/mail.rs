//! Email through SMTP (lettre). Without SMTP settings every message is held
//! in the outbox instead, so a fresh machine still completes every flow.

use super::outbox::{Channel, Outbox, OutboxEntry, OutboxStatus};
use super::Delivery;
use crate::services::ServiceError;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How long one send may take, connection included.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on the same machine or network, tests).
    None,
    /// Plain connection upgraded with STARTTLS, required (usually port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// Where and how to send email.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Postern <doors@example.com>`.
    pub from: String,
}

impl SmtpSettings {
    /// Reads the TLS mode as written in the configuration:
    /// `none`, `starttls` or `tls` (any case).
    pub fn parse_tls(text: &str) -> Result<SmtpTls, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            other => Err(format!("The SMTP TLS mode must be \"none\", \"starttls\" or \"tls\", not \"{other}\".")),
        }
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .finish()
    }
}

/// An image shown inside the HTML part, referenced there as `cid:<content_id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineImage {
    /// Without angle brackets, e.g. `qr@postern`.
    pub content_id: String,
    /// PNG bytes.
    pub bytes: Vec<u8>,
}

/// One email: a plain-text part and an HTML part, optionally with an inline PNG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailMessage {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub inline_png: Option<InlineImage>,
}

/// Sends email, recording every message in the outbox. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Mailer {
    settings: Option<Arc<SmtpSettings>>,
    outbox: Outbox,
}

impl Mailer {
    /// A mailer sending through `settings`, or holding everything in the
    /// outbox when there are none.
    pub fn new(settings: Option<SmtpSettings>, outbox: Outbox) -> Mailer {
        Mailer { settings: settings.map(Arc::new), outbox }
    }

    /// Whether SMTP is configured (otherwise messages are held).
    pub fn is_configured(&self) -> bool {
        self.settings.is_some()
    }

    /// Sends one email (or holds it when SMTP is not configured).
    ///
    /// A failure is recorded in the outbox as `Failed` and returned as
    /// `ServiceError::Internal` with its cause.
    pub async fn send(&self, message: EmailMessage) -> Result<Delivery, ServiceError> {
        let Some(settings) = &self.settings else {
            self.record(&message, OutboxStatus::Held, String::new());
            tracing::info!(subject = %message.subject, "email held in the outbox: SMTP is not configured");
            return Ok(Delivery::Held);
        };
        match send_smtp(settings, &message).await {
            Ok(()) => {
                self.record(&message, OutboxStatus::Sent, String::new());
                tracing::info!(subject = %message.subject, "email sent");
                Ok(Delivery::Sent)
            }
            Err(cause) => {
                tracing::warn!(%cause, host = %settings.host, port = settings.port, "email not sent");
                self.record(&message, OutboxStatus::Failed, cause.clone());
                Err(ServiceError::internal(format!("could not send the email to {}: {cause}", message.to_email)))
            }
        }
    }

    fn record(&self, message: &EmailMessage, status: OutboxStatus, error: String) {
        self.outbox.push(OutboxEntry {
            channel: Channel::Email,
            recipient: message.to_email.clone(),
            subject: message.subject.clone(),
            body_text: message.text.clone(),
            body_html: message.html.clone(),
            status,
            error,
        });
    }
}

async fn send_smtp(settings: &SmtpSettings, message: &EmailMessage) -> Result<(), String> {
    let email = build_message(settings, message)?;
    let transport = transport(settings)?;
    match tokio::time::timeout(SMTP_TIMEOUT, transport.send(email)).await {
        Ok(Ok(_response)) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_elapsed) => Err(format!("no answer from the SMTP server within {} s", SMTP_TIMEOUT.as_secs())),
    }
}

fn transport(settings: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match settings.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host).tls(Tls::None),
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
            .map_err(|e| format!("SMTP host {}: {e}", settings.host))?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
            .map_err(|e| format!("SMTP host {}: {e}", settings.host))?,
    };
    let mut builder = builder.port(settings.port).timeout(Some(SMTP_TIMEOUT));
    if let Some(username) = &settings.username {
        let password = settings.password.clone().unwrap_or_default();
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    Ok(builder.build())
}

/// Builds the MIME message: alternative(text, related(html, inline PNG)).
fn build_message(settings: &SmtpSettings, message: &EmailMessage) -> Result<Message, String> {
    let from: Mailbox =
        settings.from.parse().map_err(|e| format!("the sender address \"{}\" is not valid: {e}", settings.from))?;
    let to_address =
        message.to_email.parse().map_err(|e| format!("the address \"{}\" is not valid: {e}", message.to_email))?;
    let name = message.to_name.trim();
    let to = Mailbox::new((!name.is_empty()).then(|| name.to_string()), to_address);

    let html = SinglePart::html(message.html.clone());
    let html_part = match &message.inline_png {
        Some(image) => {
            let png = ContentType::parse("image/png").map_err(|e| e.to_string())?;
            MultiPart::related()
                .singlepart(html)
                .singlepart(Attachment::new_inline(image.content_id.clone()).body(image.bytes.clone(), png))
        }
        None => MultiPart::related().singlepart(html),
    };
    let body = MultiPart::alternative().singlepart(SinglePart::plain(message.text.clone())).multipart(html_part);

    Message::builder()
        .from(from)
        .to(to)
        .subject(message.subject.clone())
        .multipart(body)
        .map_err(|e| format!("could not build the email: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> EmailMessage {
        EmailMessage {
            to_name: "Ada Lovelace".into(),
            to_email: "ada@example.com".into(),
            subject: "Hello".into(),
            text: "plain".into(),
            html: "<p>html</p>".into(),
            inline_png: Some(InlineImage { content_id: "qr@postern".into(), bytes: vec![1, 2, 3] }),
        }
    }

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: SmtpTls::None,
            username: Some("user".into()),
            password: Some("hunter2".into()),
            from: "Postern <doors@example.com>".into(),
        }
    }

    #[test]
    fn parses_tls_modes() {
        assert_eq!(SmtpSettings::parse_tls("none"), Ok(SmtpTls::None));
        assert_eq!(SmtpSettings::parse_tls(" StartTLS "), Ok(SmtpTls::StartTls));
        assert_eq!(SmtpSettings::parse_tls("TLS"), Ok(SmtpTls::Tls));
        let error = SmtpSettings::parse_tls("ssl").unwrap_err();
        assert!(error.contains("\"none\", \"starttls\" or \"tls\""), "{error}");
        assert!(error.contains("ssl"), "{error}");
    }

    #[test]
    fn debug_hides_the_password() {
        let text = format!("{:?}", settings());
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    #[test]
    fn builds_alternative_with_related_inline_png() {
        let email = build_message(&settings(), &message()).unwrap();
        let raw = String::from_utf8(email.formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("multipart/related"), "{raw}");
        assert!(raw.contains("Content-ID: <qr@postern>"), "{raw}");
        assert!(raw.contains("image/png"), "{raw}");
        assert!(raw.contains("To: \"Ada Lovelace\" <ada@example.com>"), "{raw}");
    }

    #[test]
    fn refuses_a_bad_recipient() {
        let mut bad = message();
        bad.to_email = "not an address".into();
        assert!(build_message(&settings(), &bad).is_err());
    }

    #[tokio::test]
    async fn holds_when_unconfigured() {
        let outbox = Outbox::new();
        let mailer = Mailer::new(None, outbox.clone());
        assert!(!mailer.is_configured());
        assert_eq!(mailer.send(message()).await.unwrap(), Delivery::Held);
        let listed = outbox.list();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].status, OutboxStatus::Held);
        assert_eq!(listed[0].channel, Channel::Email);
        assert_eq!(listed[0].recipient, "ada@example.com");
        assert_eq!(listed[0].body_html, "<p>html</p>");
    }
}
