//! Text messages through a Twilio-style HTTP API. Without SMS settings every
//! message is held in the outbox instead.

use super::outbox::{Channel, Outbox, OutboxEntry, OutboxStatus};
use super::Delivery;
use crate::services::ServiceError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How long the provider may take to answer.
pub const SMS_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a refusal's body goes into the error (providers explain there).
const ERROR_BODY_CHARS: usize = 300;

/// Where and how to send text messages (Twilio's Messages API or a
/// compatible one).
#[derive(Clone, PartialEq, Eq)]
pub struct SmsSettings {
    /// The API base, e.g. `https://api.twilio.com` (no trailing path).
    pub url: String,
    /// The account id, also the basic-auth user name.
    pub account: String,
    /// The auth token, the basic-auth password.
    pub token: String,
    /// The sending number (E.164) or sender id.
    pub from: String,
}

impl fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url)
            .field("account", &self.account)
            .field("token", &"[redacted]")
            .field("from", &self.from)
            .finish()
    }
}

impl SmsSettings {
    /// `POST` here to send: `{url}/2010-04-01/Accounts/{account}/Messages.json`.
    pub fn messages_url(&self) -> String {
        format!("{}/2010-04-01/Accounts/{}/Messages.json", self.url.trim_end_matches('/'), self.account)
    }
}

/// Sends text messages, recording every one in the outbox. Cloning shares it.
#[derive(Clone, Debug)]
pub struct SmsSender {
    settings: Option<Arc<SmsSettings>>,
    client: reqwest::Client,
    outbox: Outbox,
}

impl SmsSender {
    /// A sender using `settings`, or holding everything in the outbox when
    /// there are none.
    pub fn new(settings: Option<SmsSettings>, outbox: Outbox) -> SmsSender {
        SmsSender { settings: settings.map(Arc::new), client: reqwest::Client::new(), outbox }
    }

    /// Whether an SMS provider is configured (otherwise messages are held).
    pub fn is_configured(&self) -> bool {
        self.settings.is_some()
    }

    /// Sends `body` to `to_e164` (or holds it when no provider is configured).
    ///
    /// A non-2xx answer, a network error or a timeout is recorded in the
    /// outbox as `Failed` and returned as `ServiceError::Internal`.
    pub async fn send(&self, to_e164: &str, body: &str) -> Result<Delivery, ServiceError> {
        let Some(settings) = &self.settings else {
            self.record(to_e164, body, OutboxStatus::Held, String::new());
            tracing::info!("text message held in the outbox: no SMS provider is configured");
            return Ok(Delivery::Held);
        };
        match self.post(settings, to_e164, body).await {
            Ok(()) => {
                self.record(to_e164, body, OutboxStatus::Sent, String::new());
                tracing::info!("text message sent");
                Ok(Delivery::Sent)
            }
            Err(cause) => {
                tracing::warn!(%cause, "text message not sent");
                self.record(to_e164, body, OutboxStatus::Failed, cause.clone());
                Err(ServiceError::internal(format!("could not send the text message to {to_e164}: {cause}")))
            }
        }
    }

    async fn post(&self, settings: &SmsSettings, to: &str, body: &str) -> Result<(), String> {
        let response = self
            .client
            .post(settings.messages_url())
            .basic_auth(&settings.account, Some(&settings.token))
            .form(&[("To", to), ("From", settings.from.as_str()), ("Body", body)])
            .timeout(SMS_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    format!("no answer from the SMS provider within {} s", SMS_TIMEOUT.as_secs())
                } else {
                    // Without the URL: it is ours, and the cause is what matters.
                    format!("the SMS provider could not be reached: {}", e.without_url())
                }
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let excerpt: String = text.chars().take(ERROR_BODY_CHARS).collect();
        Err(format!("the SMS provider answered {status}: {}", excerpt.trim()))
    }

    fn record(&self, to: &str, body: &str, status: OutboxStatus, error: String) {
        self.outbox.push(OutboxEntry {
            channel: Channel::Sms,
            recipient: to.to_string(),
            subject: String::new(),
            body_text: body.to_string(),
            body_html: String::new(),
            status,
            error,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_messages_url() {
        let settings = SmsSettings {
            url: "https://api.example.com/".into(),
            account: "AC123".into(),
            token: "secret".into(),
            from: "+15005550006".into(),
        };
        assert_eq!(settings.messages_url(), "https://api.example.com/2010-04-01/Accounts/AC123/Messages.json");
        assert!(!format!("{settings:?}").contains("secret"));
    }

    #[tokio::test]
    async fn holds_when_unconfigured() {
        let outbox = Outbox::new();
        let sms = SmsSender::new(None, outbox.clone());
        assert!(!sms.is_configured());
        assert_eq!(sms.send("+12125550123", "hello").await.unwrap(), Delivery::Held);
        let listed = outbox.list();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].channel, Channel::Sms);
        assert_eq!(listed[0].status, OutboxStatus::Held);
        assert_eq!(listed[0].recipient, "+12125550123");
        assert_eq!(listed[0].body_text, "hello");
    }
}
