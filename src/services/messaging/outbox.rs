//! The outbox: every email and text message Postern sent, held or failed,
//! kept in memory so admins can see what went out.
//!
//! It is deliberately not in the database: messages carry usable access
//! links, and the database must never hold one. A restart empties it. Only
//! a message held here (no provider configured) keeps its link, for an
//! admin to pass on; once a message was sent (or failed, and its link was
//! deleted), the outbox forgets the link ([`redact_links`]).

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// How many messages the outbox keeps; older ones are dropped first.
pub const OUTBOX_CAPACITY: usize = 500;

/// The way a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Email,
    Sms,
}

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutboxStatus {
    /// No provider is configured: the message stays here, for an admin to
    /// read (how a fresh machine completes the flow).
    Held,
    /// The provider accepted it.
    Sent,
    /// The provider refused it or could not be reached; see `error`.
    Failed,
}

/// One message as recorded in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Increasing from 1 for the life of the process.
    pub id: u64,
    /// When it was recorded, milliseconds since the Unix epoch.
    pub at_ms: i64,
    pub channel: Channel,
    /// An email address or an E.164 phone number.
    pub recipient: String,
    /// Empty for text messages.
    pub subject: String,
    pub body_text: String,
    /// Empty for text messages. Inline images are referenced as `cid:`.
    pub body_html: String,
    pub status: OutboxStatus,
    /// Why it failed; empty unless `status` is `Failed`.
    pub error: String,
}

/// What a sender records; the outbox adds the id and the time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: OutboxStatus,
    pub error: String,
}

#[derive(Debug, Default)]
struct Inner {
    last_id: u64,
    /// Oldest at the front, newest at the back.
    messages: VecDeque<OutboxMessage>,
}

/// The shared, bounded, in-memory outbox. Cloning shares it.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    inner: Arc<Mutex<Inner>>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Outbox {
        Outbox::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the queue half-written.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a message, dropping the oldest beyond [`OUTBOX_CAPACITY`];
    /// returns its id.
    pub fn push(&self, entry: OutboxEntry) -> u64 {
        let at_ms = crate::services::now_ms();
        let mut inner = self.lock();
        inner.last_id += 1;
        let id = inner.last_id;
        inner.messages.push_back(OutboxMessage {
            id,
            at_ms,
            channel: entry.channel,
            recipient: entry.recipient,
            subject: entry.subject,
            body_text: if entry.status == OutboxStatus::Held { entry.body_text } else { redact_links(&entry.body_text) },
            body_html: if entry.status == OutboxStatus::Held { entry.body_html } else { redact_links(&entry.body_html) },
            status: entry.status,
            error: entry.error,
        });
        while inner.messages.len() > OUTBOX_CAPACITY {
            inner.messages.pop_front();
        }
        id
    }

    /// Every message kept, newest first.
    pub fn list(&self) -> Vec<OutboxMessage> {
        self.lock().messages.iter().rev().cloned().collect()
    }

    /// One message by id, if it is still kept.
    pub fn get(&self, id: u64) -> Option<OutboxMessage> {
        self.lock().messages.iter().find(|m| m.id == id).cloned()
    }

    /// How many messages are kept.
    pub fn len(&self) -> usize {
        self.lock().messages.len()
    }

    /// Whether nothing was recorded (or everything was dropped).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What stands in an access link's token once the message has gone.
pub const LINK_REMOVED: &str = "(link removed once sent)";

/// The paths whose next segment is a usable token: access links and
/// welcome emails' set-password links.
const TOKEN_PATHS: [&str; 2] = ["/l/", "/set-password/"];

/// `text` with every access link's token (`/l/<token>`) and set-password
/// link's token (`/set-password/<token>`) replaced by [`LINK_REMOVED`].
pub fn redact_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, len)) = TOKEN_PATHS.iter().filter_map(|p| rest.find(p).map(|at| (at, p.len()))).min() {
        let (before, after) = rest.split_at(at + len);
        out.push_str(before);
        let token_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(after.len());
        if token_len > 0 {
            out.push_str(LINK_REMOVED);
        }
        rest = &after[token_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> OutboxEntry {
        OutboxEntry {
            channel: Channel::Email,
            recipient: format!("person{n}@example.com"),
            subject: format!("subject {n}"),
            body_text: "text".into(),
            body_html: String::new(),
            status: OutboxStatus::Held,
            error: String::new(),
        }
    }

    #[test]
    fn lists_newest_first() {
        let outbox = Outbox::new();
        assert!(outbox.is_empty());
        let first = outbox.push(entry(1));
        let second = outbox.push(entry(2));
        assert!(second > first);
        let ids: Vec<u64> = outbox.list().iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![second, first]);
        assert_eq!(outbox.get(first).map(|m| m.recipient), Some("person1@example.com".into()));
        assert_eq!(outbox.get(999), None);
    }

    #[test]
    fn keeps_only_the_newest_500() {
        let outbox = Outbox::new();
        let ids: Vec<u64> = (0..OUTBOX_CAPACITY + 20).map(|n| outbox.push(entry(n))).collect();
        assert_eq!(outbox.len(), OUTBOX_CAPACITY);
        let listed = outbox.list();
        assert_eq!(listed.first().map(|m| m.id), ids.last().copied());
        assert_eq!(listed.last().map(|m| m.id), Some(ids[20]));
        assert!(outbox.get(ids[19]).is_none(), "the oldest were dropped");
        assert!(outbox.get(ids[20]).is_some());
    }

    #[test]
    fn clones_share_the_messages() {
        let outbox = Outbox::new();
        let clone = outbox.clone();
        clone.push(entry(1));
        assert_eq!(outbox.len(), 1);
    }

    #[test]
    fn a_sent_message_forgets_its_link_and_a_held_one_keeps_it() {
        let link = "Open https://doors.example.com/l/AbC-123_xyz to unlock.";
        assert_eq!(redact_links(link), format!("Open https://doors.example.com/l/{LINK_REMOVED} to unlock."));
        assert_eq!(redact_links("no link here"), "no link here");
        assert_eq!(
            redact_links("Set it at https://d.example/set-password/Xy_9-z and https://d.example/l/Ab1."),
            format!("Set it at https://d.example/set-password/{LINK_REMOVED} and https://d.example/l/{LINK_REMOVED}.")
        );
        let outbox = Outbox::new();
        let with = |status| OutboxEntry { body_text: link.into(), body_html: format!("<a href=\"{link}\">x</a>"), status, ..entry(0) };
        let held = outbox.push(with(OutboxStatus::Held));
        let sent = outbox.push(with(OutboxStatus::Sent));
        let failed = outbox.push(with(OutboxStatus::Failed));
        assert!(outbox.get(held).unwrap().body_text.contains("AbC-123_xyz"), "held: an admin passes it on");
        for id in [sent, failed] {
            let message = outbox.get(id).unwrap();
            assert!(!message.body_text.contains("AbC-123_xyz") && !message.body_html.contains("AbC-123_xyz"), "{message:?}");
        }
    }
}
