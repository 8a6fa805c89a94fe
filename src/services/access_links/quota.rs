//! The two quotas (SPEC §4): at most `email_quota` email links in use at the
//! same time (expired, revoked and used-up links no longer count), and at
//! most `sms_monthly_quota` text-message links per calendar month (UTC).

use super::super::{Db, ServiceError, ServiceResult};
use crate::model::{LinkChannel, LinkQuotas};

/// The quotas, from the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkSettings {
    pub email_quota: i64,
    pub sms_monthly_quota: i64,
}

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings { email_quota: 1000, sms_monthly_quota: 10 }
    }
}

const EMAIL_IN_USE: &str = "SELECT COUNT(*) FROM access_links WHERE channel = 'email' AND revoked_at IS NULL
    AND (valid_until IS NULL OR valid_until > $1)
    AND NOT (use_limit_period = 'total' AND use_limit IS NOT NULL AND uses >= use_limit)";

const SMS_SINCE: &str = "SELECT COUNT(*) FROM access_links WHERE channel = 'sms' AND created_at >= $1";

/// Refuses with a sentence when the channel's quota is used up. Runs inside
/// the creating transaction.
pub(super) async fn check(
    tx: &mut sqlx::AnyConnection,
    settings: &LinkSettings,
    channel: LinkChannel,
    now: i64,
) -> ServiceResult<()> {
    match channel {
        LinkChannel::Email => {
            let (in_use,): (i64,) = sqlx::query_as(EMAIL_IN_USE).bind(now).fetch_one(&mut *tx).await?;
            if in_use >= settings.email_quota {
                return Err(ServiceError::field(
                    "channel",
                    format!(
                        "{in_use} email links are in use, the most allowed at one time ({}). Revoke links that are no longer needed, or send this one manually.",
                        settings.email_quota
                    ),
                ));
            }
        }
        LinkChannel::Sms => {
            let (sent,): (i64,) = sqlx::query_as(SMS_SINCE).bind(month_start_utc(now)).fetch_one(&mut *tx).await?;
            if sent >= settings.sms_monthly_quota {
                return Err(ServiceError::field(
                    "channel",
                    format!(
                        "{sent} text-message links were sent this month, the most allowed ({}). Send this one by email or manually; the count starts again on the 1st.",
                        settings.sms_monthly_quota
                    ),
                ));
            }
        }
        LinkChannel::Manual => {}
    }
    Ok(())
}

/// How much of each quota is used now, for the credentials page.
pub async fn quotas(db: &Db, settings: &LinkSettings, now: i64) -> ServiceResult<LinkQuotas> {
    let (email_in_use,): (i64,) = sqlx::query_as(EMAIL_IN_USE).bind(now).fetch_one(db.pool()).await?;
    let (sms_this_month,): (i64,) = sqlx::query_as(SMS_SINCE).bind(month_start_utc(now)).fetch_one(db.pool()).await?;
    Ok(LinkQuotas {
        email_in_use,
        email_limit: settings.email_quota,
        sms_this_month,
        sms_limit: settings.sms_monthly_quota,
    })
}

/// Milliseconds at 00:00 UTC on the first day of `now`'s month.
pub fn month_start_utc(now: i64) -> i64 {
    jiff::Timestamp::from_millisecond(now)
        .ok()
        .and_then(|t| t.to_zoned(jiff::tz::TimeZone::UTC).first_of_month().ok())
        .and_then(|z| z.start_of_day().ok())
        .map_or(0, |z| z.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_at_midnight_utc_on_the_first() {
        // 2026-11-22T07:51:06Z → 2026-11-01T00:00:00Z
        assert_eq!(month_start_utc(1_795_333_866_000), 1_793_491_200_000);
        // The first instant of a month is its own start.
        assert_eq!(month_start_utc(1_793_491_200_000), 1_793_491_200_000);
    }

    #[test]
    fn defaults_follow_the_spec() {
        assert_eq!(LinkSettings::default(), LinkSettings { email_quota: 1000, sms_monthly_quota: 10 });
    }
}
