//! Slows and then refuses repeated sign-ins, in the database so all replicas
//! count together.
//!
//! Every attempt is counted **before** its password is checked, by one
//! upsert per counter that returns the new count (`INSERT … ON CONFLICT DO
//! UPDATE … RETURNING`, atomic on SQLite and on PostgreSQL): of 30 attempts
//! arriving at once against a limit of 5, exactly 5 get their password
//! checked and the other 25 are refused without touching argon2. A sign-in
//! that succeeds gives its attempt back.
//!
//! The counters (OWASP's "device cookie" scheme):
//! - a browser that signed in to the account before (its device cookie is
//!   bound to the account in `sign_in_devices`, stored as a SHA-256) has its
//!   own allowance, [`MAX_PER_DEVICE`], and nothing else counts against it:
//!   someone guessing from elsewhere cannot lock the person out of their
//!   usual browser;
//! - any other browser counts per (account, address), [`MAX_PER_PAIR`];
//!   per address over all accounts, [`MAX_PER_IP`]; and per account from
//!   every address together, [`MAX_PER_ACCOUNT`], the ceiling that stops
//!   guessing spread over many addresses.
//!
//! Counters run over [`WINDOW_MS`]. Past its limit a counter is locked out,
//! and the lock-out grows while the attempts go on: it doubles with every
//! further `limit` refused attempts, from 15 minutes up to [`MAX_LOCKOUT_MS`].
//! A failed attempt also waits a growing delay (0.5 s, 1 s, 2 s, then 4 s)
//! before it is answered, which slows a script without holding anything
//! but a timer.

use super::tokens::hash_token;
use super::{now_ms, Db, ServiceError, ServiceResult};

/// The window counters run over: 15 minutes.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// The longest lock-out: 8 hours (15 minutes doubled five times).
pub const MAX_LOCKOUT_MS: i64 = WINDOW_MS << 5;
/// Attempts on one account from one address (and a browser the account has
/// not been used on) within the window.
pub const MAX_PER_PAIR: i64 = 5;
/// Attempts on one account from all browsers it has not been used on,
/// whatever their address, within the window: at most about a thousand
/// guesses a day for someone spreading them over many addresses.
pub const MAX_PER_ACCOUNT: i64 = 10;
/// Attempts from one address on any accounts within the window (password
/// spraying); browsers known to the account do not count here.
pub const MAX_PER_IP: i64 = 20;
/// Attempts from a browser that signed in to the account before.
pub const MAX_PER_DEVICE: i64 = 5;
/// Attempts to re-enter the password of a signed-in session (two-factor doors).
pub const MAX_CONFIRMATIONS: i64 = 5;
/// The longest email address (RFC 5321's path limit), checked before
/// anything is stored or hashed.
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest password a sign-in considers, in bytes (passwords are at most
/// 128 characters, which is at most 512 bytes of UTF-8).
pub const MAX_PASSWORD_BYTES: usize = 512;
/// A device cookie bound to an account is forgotten after a year unused.
const DEVICE_KEPT_MS: i64 = 365 * 24 * 3600 * 1000;

/// Who is signing in, as far as throttling goes.
#[derive(Clone, Copy, Debug)]
pub struct Client<'a> {
    /// The client's address (the TCP peer, or the forwarded address behind a
    /// trusted proxy).
    pub ip: &'a str,
    /// The browser's device cookie, if it sent one.
    pub device: Option<&'a str>,
}

/// Which counter a refusal came from: it decides the sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Pair,
    Ip,
    Account,
    Device,
    Confirm,
}

impl Scope {
    fn limit(self) -> i64 {
        match self {
            Scope::Pair => MAX_PER_PAIR,
            Scope::Ip => MAX_PER_IP,
            Scope::Account => MAX_PER_ACCOUNT,
            Scope::Device => MAX_PER_DEVICE,
            Scope::Confirm => MAX_CONFIRMATIONS,
        }
    }
}

/// An attempt counted and allowed: its password may now be checked. Hand
/// it back with [`succeeded`] or [`failed`].
#[derive(Debug)]
pub struct Attempt {
    /// The counters this attempt was counted in.
    counters: Vec<(Scope, String)>,
    /// The count of the first counter (per browser), for the failure's delay.
    level: i64,
    /// True when the browser is known to the account.
    pub known_device: bool,
}

/// A refused attempt's sentence, with the wait.
fn refusal(scope: Scope, retry_after_secs: u64) -> ServiceError {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    let wait = if minutes == 1 { "a minute".to_owned() } else { format!("{minutes} minutes") };
    let message = match scope {
        Scope::Account => format!(
            "Too many failed sign-ins to this account from browsers it has not been used on. \
             Sign in from a browser you have used before, or wait {wait} and try again."
        ),
        Scope::Ip => format!("Too many failed sign-ins from your network. Wait {wait} and try again."),
        Scope::Confirm => format!("Too many wrong passwords. Wait {wait} and try again."),
        Scope::Pair | Scope::Device => format!(
            "Too many failed sign-ins. Wait {wait} and try again, or ask an admin to reset your password."
        ),
    };
    ServiceError::TooManyRequests { message, retry_after_secs }
}

/// The lock-out once `attempts` passed `limit`: 15 minutes, doubled with
/// every further `limit` attempts, at most [`MAX_LOCKOUT_MS`].
pub fn lockout_ms(attempts: i64, limit: i64) -> i64 {
    let over = (attempts - limit - 1).max(0) / limit.max(1);
    (WINDOW_MS << over.min(5)).min(MAX_LOCKOUT_MS)
}

/// Refuses an email address too long to be one, before anything is stored
/// or hashed.
pub fn check_email_length(email: &str) -> ServiceResult<()> {
    if email.len() > MAX_EMAIL_CHARS && email.chars().count() > MAX_EMAIL_CHARS {
        return Err(ServiceError::field("email", "An email address has at most 254 characters."));
    }
    Ok(())
}

/// Refuses a password too long to be one, before it is hashed.
pub fn check_password_length(password: &str) -> ServiceResult<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ServiceError::field("password", "A password has at most 128 characters."));
    }
    Ok(())
}

/// Counts one attempt on `counter` and returns the new count; the count
/// starts again at 1 once the counter's window (or lock-out) is over.
async fn bump(db: &Db, counter: &str, now: i64) -> ServiceResult<(i64, i64)> {
    let row: (i64, i64) = sqlx::query_as(
        "INSERT INTO sign_in_counters (counter, attempts, expires_at) VALUES ($1, 1, $2)
         ON CONFLICT (counter) DO UPDATE SET
           attempts = CASE WHEN sign_in_counters.expires_at <= $3 THEN 1 ELSE sign_in_counters.attempts + 1 END,
           expires_at = CASE WHEN sign_in_counters.expires_at <= $3 THEN $2 ELSE sign_in_counters.expires_at END
         RETURNING attempts, expires_at",
    )
    .bind(counter)
    .bind(now + WINDOW_MS)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok(row)
}

/// Counts the attempt in each counter in turn; the first one past its limit
/// refuses it (and its lock-out grows).
async fn count(db: &Db, counters: Vec<(Scope, String)>, known_device: bool) -> ServiceResult<Attempt> {
    let now = now_ms();
    let mut level = 0;
    for (index, (scope, counter)) in counters.iter().enumerate() {
        let (attempts, expires_at) = bump(db, counter, now).await?;
        if index == 0 {
            level = attempts;
        }
        if attempts > scope.limit() {
            let until = now + lockout_ms(attempts, scope.limit());
            let until = if until > expires_at {
                sqlx::query("UPDATE sign_in_counters SET expires_at = $1 WHERE counter = $2 AND expires_at < $1")
                    .bind(until)
                    .bind(counter)
                    .execute(db.pool())
                    .await?;
                until
            } else {
                expires_at
            };
            tracing::warn!(counter = %counter, attempts, "sign-in refused: too many attempts");
            let retry_after_secs = u64::try_from((until - now + 999) / 1000).unwrap_or(1).max(1);
            return Err(refusal(*scope, retry_after_secs));
        }
    }
    Ok(Attempt { counters, level, known_device })
}

/// Counts a sign-in attempt on the account `email` (already lower-cased)
/// before its password is checked; refuses it when a counter is past its
/// limit.
pub async fn begin(db: &Db, email: &str, client: Client<'_>) -> ServiceResult<Attempt> {
    check_email_length(email)?;
    let device_hash = client.device.filter(|d| !d.is_empty() && d.len() <= 64).map(hash_token);
    let known = match &device_hash {
        Some(hash) => sqlx::query_as::<_, (i64,)>(
            "SELECT last_used_at FROM sign_in_devices WHERE device_hash = $1 AND email = $2",
        )
        .bind(hash)
        .bind(email)
        .fetch_optional(db.pool())
        .await?
        .is_some_and(|(last_used_at,)| now_ms() - last_used_at < DEVICE_KEPT_MS),
        None => false,
    };
    let counters = match device_hash {
        Some(hash) if known => vec![(Scope::Device, format!("device:{hash} {email}"))],
        _ => vec![
            (Scope::Pair, format!("pair:{email} {}", client.ip)),
            (Scope::Ip, format!("ip:{}", client.ip)),
            (Scope::Account, format!("account:{email}")),
        ],
    };
    count(db, counters, known).await
}

/// Counts an attempt to re-enter the password of a signed-in session.
pub async fn begin_confirmation(db: &Db, user_id: i64) -> ServiceResult<Attempt> {
    count(db, vec![(Scope::Confirm, format!("confirm:{user_id}"))], false).await
}

/// The password was right: the attempt is given back, the browser's own
/// counter (per address, or its device's) starts again, and expired
/// counters are swept.
pub async fn succeeded(db: &Db, attempt: Attempt) -> ServiceResult<()> {
    for (index, (_, counter)) in attempt.counters.iter().enumerate() {
        let sql = if index == 0 {
            "DELETE FROM sign_in_counters WHERE counter = $1"
        } else {
            "UPDATE sign_in_counters SET attempts = attempts - 1 WHERE counter = $1 AND attempts > 0"
        };
        sqlx::query(sql).bind(counter).execute(db.pool()).await?;
    }
    sqlx::query("DELETE FROM sign_in_counters WHERE expires_at <= $1").bind(now_ms()).execute(db.pool()).await?;
    Ok(())
}

/// The password was wrong: the attempt stays counted, and the answer waits
/// a delay that grows with the browser's failures (0.5 s to 4 s).
pub async fn failed(attempt: &Attempt) {
    let delay_ms = 250u64 << attempt.level.clamp(1, 4);
    tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
}

/// Remembers that the browser with this device cookie signed in to the
/// account `email`: from now on it has its own allowance there.
pub async fn trust_device(db: &Db, email: &str, device: &str) -> ServiceResult<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sign_in_devices (device_hash, email, last_used_at) VALUES ($1, $2, $3)
         ON CONFLICT (device_hash, email) DO UPDATE SET last_used_at = $3",
    )
    .bind(hash_token(device))
    .bind(email.trim().to_lowercase())
    .bind(now)
    .execute(db.pool())
    .await?;
    sqlx::query("DELETE FROM sign_in_devices WHERE last_used_at < $1").bind(now - DEVICE_KEPT_MS).execute(db.pool()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_double_with_each_further_limit_of_attempts() {
        let minute = 60 * 1000;
        assert_eq!(lockout_ms(6, 5), 15 * minute);
        assert_eq!(lockout_ms(10, 5), 15 * minute);
        assert_eq!(lockout_ms(11, 5), 30 * minute);
        assert_eq!(lockout_ms(16, 5), 60 * minute);
        assert_eq!(lockout_ms(1_000, 5), MAX_LOCKOUT_MS);
    }

    #[test]
    fn an_email_longer_than_254_characters_is_refused_before_anything_else() {
        assert!(check_email_length(&"a".repeat(254)).is_ok());
        assert!(check_email_length(&"é".repeat(200)).is_ok(), "characters, not bytes");
        let ServiceError::Invalid(errors) = check_email_length(&"a".repeat(1 << 20)).unwrap_err() else { panic!() };
        assert_eq!(errors.0[0].field, "email");
        assert!(check_password_length(&"p".repeat(513)).is_err());
        assert!(check_password_length(&"é".repeat(128)).is_ok());
    }

    #[test]
    fn refusals_say_how_long_to_wait() {
        let ServiceError::TooManyRequests { message, retry_after_secs } = refusal(Scope::Pair, 900) else { panic!() };
        assert_eq!(retry_after_secs, 900);
        assert!(message.starts_with("Too many failed sign-ins") && message.contains("15 minutes"), "{message}");
        let ServiceError::TooManyRequests { message, .. } = refusal(Scope::Account, 30) else { panic!() };
        assert!(message.contains("a browser you have used before") && message.contains("a minute"), "{message}");
    }
}
