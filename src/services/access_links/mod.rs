//! Access links (SPEC §4): created by admins and managers, sent by email, by
//! text message or shown once; the token is 256 random bits and only its
//! SHA-256 is stored; quotas; revocation; the list.

mod page;
mod quota;

pub use page::{count_token_miss, page, press_outcome, resolve, LinkLookup, MAX_MISSES_PER_IP, MISS_WINDOW_MS};
pub use quota::{quotas, LinkSettings};

use super::audit::Audit;
use super::messaging::{qr, texts, Delivery, Messenger};
use super::scope::Scope;
use super::users::require_manager;
use super::{now_ms, owner, tokens, Db, ServiceError, ServiceResult};
use crate::model::{
    AccessLink, LinkChannel, LinkRecipient, LinkStatus, Listing, NewAccessLink, SessionUser, UseLimitPeriod, ValidLink,
};
use crate::types::{Page, PhoneNumber, SearchQuery, TimeZoneName, Timestamp};

#[derive(sqlx::FromRow)]
pub(super) struct LinkRow {
    id: i64,
    recipient_name: String,
    channel: String,
    email: Option<String>,
    phone: Option<String>,
    group_id: i64,
    group_name: String,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    use_limit: Option<i64>,
    use_limit_period: Option<String>,
    uses: i64,
    last_used_at: Option<i64>,
    created_at: i64,
    created_by: Option<String>,
    revoked_at: Option<i64>,
}

impl LinkRow {
    pub(super) fn into_link(self, now: i64) -> AccessLink {
        let period = self.use_limit_period.as_deref().and_then(|p| UseLimitPeriod::parse(p).ok());
        let used_up = period == Some(UseLimitPeriod::Total) && self.use_limit.is_some_and(|limit| self.uses >= limit);
        AccessLink {
            status: LinkStatus::at(now, self.revoked_at, self.valid_from, self.valid_until, used_up),
            id: self.id,
            recipient_name: self.recipient_name,
            channel: LinkChannel::parse(&self.channel).unwrap_or(LinkChannel::Manual),
            sent_to: self.email.or(self.phone).unwrap_or_default(),
            group_id: self.group_id,
            group_name: self.group_name,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            use_limit: self.use_limit,
            use_limit_period: period,
            uses: self.uses,
            last_used_at: self.last_used_at,
            created_at: self.created_at,
            created_by: self.created_by.unwrap_or_else(|| "—".into()),
            revoked_at: self.revoked_at,
        }
    }
}

pub(super) const SELECT: &str = "SELECT l.id, l.recipient_name, l.channel, l.email, l.phone, l.group_id, g.name AS group_name,
    l.valid_from, l.valid_until, l.use_limit, l.use_limit_period, l.uses, l.last_used_at, l.created_at,
    u.name AS created_by, l.revoked_at
    FROM access_links l JOIN access_groups g ON g.id = l.group_id LEFT JOIN users u ON u.id = l.created_by";

/// Creates the link, then sends it. If sending fails the link is deleted
/// (it was never delivered, so nobody holds it) and the error says why.
pub async fn create(
    db: &Db,
    messenger: &Messenger,
    settings: &LinkSettings,
    actor: &SessionUser,
    link: ValidLink,
    base_url: &str,
) -> ServiceResult<NewAccessLink> {
    require_manager(actor)?;
    let now = now_ms();
    let recipient = match &link.recipient {
        LinkRecipient::Sms(phone) => LinkRecipient::Sms(
            PhoneNumber::parse_nanp(phone.as_str()).map_err(|message| ServiceError::field("phone", message))?,
        ),
        other => other.clone(),
    };
    let (group_name,): (String,) = sqlx::query_as(&format!(
        "SELECT name FROM access_groups WHERE id = $1 AND {}",
        Scope::of(actor).group("id")
    ))
    .bind(link.group_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| ServiceError::field("group_id", "That group no longer exists. Choose another."))?;
    let token = tokens::random_token();
    let created = Audit::by(
        actor,
        "access_link.created",
        format!("{} ({}, group {group_name})", link.recipient_name.as_str(), link.channel().label().to_lowercase()),
    );
    let id = insert_within_quota(db, settings, actor, &link, &recipient, &tokens::hash_token(&token), now, created).await?;
    let url = format!("{}/l/{token}", base_url.trim_end_matches('/'));
    let zone = link_zone(db, link.group_id).await?;
    let message = texts::LinkMessage {
        organization: owner::organization_name(db).await?,
        recipient_name: link.recipient_name.as_str().to_owned(),
        url: url.clone(),
        group_name: group_name.clone(),
        validity: validity_text(link.valid_from, link.valid_until, &zone),
    };
    let sent = match &recipient {
        LinkRecipient::Email(email) => {
            messenger.mailer.send(texts::access_link_email(message).to(email.as_str())).await.map(Some)
        }
        LinkRecipient::Sms(phone) => messenger.sms.send(phone.as_str(), &texts::access_link_sms(message)).await.map(Some),
        LinkRecipient::Manual => Ok(None),
    };
    let delivery = match sent {
        Ok(Some(Delivery::Sent)) => "sent",
        Ok(Some(Delivery::Held)) => "held in the outbox (no provider is configured)",
        Ok(None) => "shown once",
        Err(error) => {
            tracing::warn!(%error, link = id, "the access link could not be sent; deleting it");
            let mut write = db.write().await?;
            sqlx::query("DELETE FROM access_links WHERE id = $1").bind(id).execute(&mut *write).await?;
            let subject = format!("{} (group {group_name})", link.recipient_name.as_str());
            write.commit(Audit::by(actor, "access_link.deleted", subject).result("error").details(format!("Not sent: {error}"))).await?;
            let how = if link.channel() == LinkChannel::Sms { "text message" } else { "email" };
            return Err(ServiceError::Unavailable(format!(
                "The {how} could not be sent, so the link was not created. Try again later, or send the link manually."
            )));
        }
    };
    let manual = link.channel() == LinkChannel::Manual;
    Ok(NewAccessLink {
        link: get(db, id).await?,
        qr_svg: manual.then(|| qr::svg(&url)),
        url: manual.then_some(url),
        delivery: delivery.into(),
    })
}

/// Checks the quota and inserts, with the audit line `created`, in one
/// transaction that first takes the organization row's write lock, so two
/// admins cannot both take the last place (SQLite: the database write lock;
/// PostgreSQL: the row lock).
#[allow(clippy::too_many_arguments)]
async fn insert_within_quota(
    db: &Db,
    settings: &LinkSettings,
    actor: &SessionUser,
    link: &ValidLink,
    recipient: &LinkRecipient,
    token_hash: &str,
    now: i64,
    created: Audit,
) -> ServiceResult<i64> {
    let mut tx = db.write().await?;
    sqlx::query("UPDATE organization SET name = name WHERE id = 1").execute(&mut *tx).await?;
    quota::check(&mut tx, settings, link.channel(), now).await?;
    if let Err(ServiceError::NotFound(_)) = Scope::of(actor).require_group(&mut tx, link.group_id).await {
        return Err(ServiceError::field("group_id", "That group no longer exists. Choose another."));
    }
    let (email, phone) = match recipient {
        LinkRecipient::Email(email) => (Some(email.as_str().to_owned()), None),
        LinkRecipient::Sms(phone) => (None, Some(phone.as_str().to_owned())),
        LinkRecipient::Manual => (None, None),
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO access_links (token_hash, recipient_name, channel, email, phone, group_id, valid_from, valid_until,
         use_limit, use_limit_period, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id",
    )
    .bind(token_hash)
    .bind(link.recipient_name.as_str())
    .bind(link.channel().as_str())
    .bind(email)
    .bind(phone)
    .bind(link.group_id)
    .bind(link.valid_from.map(|t| t.millis()))
    .bind(link.valid_until.map(|t| t.millis()))
    .bind(link.use_limit.map(|(n, _)| n))
    .bind(link.use_limit.map(|(_, p)| p.as_str()))
    .bind(now)
    .bind(actor.id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit(created).await?;
    Ok(id)
}

/// The link `id` if its group is in `scope` ("not found" otherwise).
pub async fn get_in(db: &Db, scope: Scope, id: i64) -> ServiceResult<AccessLink> {
    let row: Option<LinkRow> = sqlx::query_as(&format!("{SELECT} WHERE l.id = $1 AND {}", scope.group("l.group_id")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.into_link(now_ms())).ok_or(ServiceError::NotFound("access link"))
}

pub async fn get(db: &Db, id: i64) -> ServiceResult<AccessLink> {
    let row: Option<LinkRow> = sqlx::query_as(&format!("{SELECT} WHERE l.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(|r| r.into_link(now_ms())).ok_or(ServiceError::NotFound("access link"))
}

/// Newest first; the search matches recipient, address, number or group.
pub async fn list(db: &Db, actor: &SessionUser, query: &SearchQuery, page: Page) -> ServiceResult<Listing<AccessLink>> {
    require_manager(actor)?;
    let filter = format!(
        "WHERE ($1 = '' OR LOWER(l.recipient_name) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(l.email, '')) LIKE $2 ESCAPE '\\'
        OR COALESCE(l.phone, '') LIKE $2 ESCAPE '\\' OR LOWER(g.name) LIKE $2 ESCAPE '\\') AND {}",
        Scope::of(actor).group("l.group_id")
    );
    let (total,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM access_links l JOIN access_groups g ON g.id = l.group_id {filter}"))
            .bind(query.as_str())
            .bind(query.like_pattern())
            .fetch_one(db.pool())
            .await?;
    let rows: Vec<LinkRow> = sqlx::query_as(&format!("{SELECT} {filter} ORDER BY l.created_at DESC, l.id DESC LIMIT $3 OFFSET $4"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    let now = now_ms();
    Ok(Listing { items: rows.into_iter().map(|r| r.into_link(now)).collect(), total, page: page.number, page_size: page.size })
}

/// Revokes at once: the next press on the link's page is refused.
pub async fn revoke(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let scope = Scope::of(actor);
    let link = get_in(db, scope, id).await?;
    let mut write = db.write().await?;
    scope.require_group(&mut write, link.group_id).await?;
    sqlx::query("UPDATE access_links SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(format!("{} <{}>", actor.name, actor.email))
        .bind(id)
        .execute(&mut *write)
        .await?;
    write.commit(Audit::by(actor, "access_link.revoked", format!("{} (group {})", link.recipient_name, link.group_name))).await?;
    Ok(())
}

/// The links staff can pick in the explainer: recent ones first.
pub async fn options(db: &Db, scope: Scope) -> ServiceResult<Vec<(i64, String)>> {
    let rows: Vec<LinkRow> =
        sqlx::query_as(&format!("{SELECT} WHERE {} ORDER BY l.created_at DESC, l.id DESC LIMIT 200", scope.group("l.group_id")))
        .fetch_all(db.pool())
        .await?;
    let now = now_ms();
    Ok(rows
        .into_iter()
        .map(|r| {
            let link = r.into_link(now);
            (link.id, format!("{} — {} ({})", link.recipient_name, link.group_name, link.status.label().to_lowercase()))
        })
        .collect())
}

/// The zone a link's times are shown in: its group's first door's place, or UTC.
pub async fn link_zone(db: &Db, group_id: i64) -> ServiceResult<TimeZoneName> {
    let zone: Option<(String,)> = sqlx::query_as(
        "SELECT p.time_zone FROM group_doors gd JOIN doors d ON d.id = gd.door_id JOIN places p ON p.id = d.place_id
         WHERE gd.group_id = $1 ORDER BY LOWER(d.name), d.id LIMIT 1",
    )
    .bind(group_id)
    .fetch_optional(db.pool())
    .await?;
    let name = zone.map_or_else(|| "UTC".to_owned(), |(z,)| z);
    TimeZoneName::parse(&name).map_err(|_| ServiceError::internal(format!("unknown time zone {name}")))
}

/// "valid now, does not expire", "from … until …", in the place's zone.
pub fn validity_text(from: Option<Timestamp>, until: Option<Timestamp>, zone: &TimeZoneName) -> String {
    match (from, until) {
        (None, None) => "valid now, does not expire".into(),
        (None, Some(u)) => format!("valid now until {}", u.format_in(zone)),
        (Some(f), None) => format!("valid from {}, does not expire", f.format_in(zone)),
        (Some(f), Some(u)) => format!("valid from {} until {}", f.format_in(zone), u.format_in(zone)),
    }
}
