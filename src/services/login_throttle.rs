//! Slows and then refuses repeated failed sign-ins, per account and per IP,
//! in the database so all replicas count together.

use super::{now_ms, Db, ServiceError, ServiceResult};

/// Failures counted over this window.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures for one email within the window before sign-in is refused.
pub const MAX_PER_EMAIL: i64 = 5;
/// Failures from one IP within the window before sign-in is refused.
pub const MAX_PER_IP: i64 = 20;

/// Refuses when the email or IP has failed too often recently.
pub async fn check(db: &Db, email: &str, ip: &str) -> ServiceResult<()> {
    let since = now_ms() - WINDOW_MS;
    let (by_email,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at > $2 AND succeeded = 0",
    )
    .bind(email)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    let (by_ip,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND at > $2 AND succeeded = 0",
    )
    .bind(ip)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    if by_email >= MAX_PER_EMAIL || by_ip >= MAX_PER_IP {
        tracing::warn!(email, ip, by_email, by_ip, "sign-in refused: too many failures");
        return Err(ServiceError::TooManyRequests {
            message: "Too many failed sign-ins. Wait 15 minutes and try again, or ask an admin to reset your password.".into(),
            retry_after_secs: 15 * 60,
        });
    }
    Ok(())
}

/// Records an attempt; a failure also costs the caller a growing delay.
pub async fn record(db: &Db, email: &str, ip: &str, succeeded: bool) -> ServiceResult<()> {
    sqlx::query("INSERT INTO login_attempts (email, ip, at, succeeded) VALUES ($1, $2, $3, $4)")
        .bind(email)
        .bind(ip)
        .bind(now_ms())
        .bind(i64::from(succeeded))
        .execute(db.pool())
        .await?;
    if succeeded {
        sqlx::query("DELETE FROM login_attempts WHERE email = $1 AND succeeded = 0")
            .bind(email)
            .execute(db.pool())
            .await?;
    } else {
        let (recent,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at > $2 AND succeeded = 0",
        )
        .bind(email)
        .bind(now_ms() - WINDOW_MS)
        .fetch_one(db.pool())
        .await?;
        tracing::warn!(email, ip, recent_failures = recent, "sign-in failed");
        let delay_ms = 250u64 << recent.clamp(0, 4);
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
    }
    Ok(())
}
