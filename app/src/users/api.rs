use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{ApiKey, Card, Listing, User, UserForm, WelcomeLinkState, WelcomeStatus};

#[server(prefix = "/rpc", endpoint = "list_users")]
pub async fn list_users(query: String, page: Option<String>) -> Result<Listing<User>, AppError> {
    use postern::types::{Page, SearchQuery};
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::users::list(&db, postern::services::scope::Scope::of(&actor), &SearchQuery::new(&query), Page::parse(page.as_deref())).await?)
}

#[server(prefix = "/rpc", endpoint = "get_user")]
/// The person (when `id` is given), their cards, and whether it is the signed-in person.
pub async fn get_user(id: Option<i64>) -> Result<(Option<User>, Vec<Card>, bool), AppError> {
    use postern::services::users;
    let me = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    match id {
        Some(id) if id == me.id => Ok((Some(users::get(&db, id).await?), users::list_cards(&db, id).await?, true)),
        Some(id) => {
            let person = users::get_in(&db, postern::services::scope::Scope::of(&me), id).await?;
            Ok((Some(person), users::list_cards(&db, id).await?, false))
        }
        None => Ok((None, Vec::new(), false)),
    }
}

/// Creates or changes a person; `send_welcome` (a new person only, a
/// checkbox) sends the welcome email with a set-password link. A welcome
/// that cannot be sent leaves the person created: their page then says none
/// was sent, with a button to try again.
#[server(prefix = "/rpc", endpoint = "save_user")]
pub async fn save_user(id: Option<i64>, form: UserForm, #[server(default)] send_welcome: Option<String>) -> Result<i64, AppError> {
    use postern::services::users;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let user = form.validate()?;
    let id = match id {
        Some(id) => users::update(&db, &actor, id, user).await.map(|_| id)?,
        None => {
            let id = users::create(&db, &actor, user).await?;
            if postern::model::checked(&send_welcome) {
                if let Err(error) = send_welcome_as(&actor, id).await {
                    tracing::warn!(?error, user_id = id, "the welcome email could not be sent");
                }
            }
            id
        }
    };
    leptos_axum::redirect(&format!("/users/{id}"));
    Ok(id)
}

/// Sends (or sends again) the welcome email: a set-password link for a
/// person without a password (valid 7 days; older links stop working).
/// Managers send to members only.
#[server(prefix = "/rpc", endpoint = "send_welcome_email")]
pub async fn send_welcome_email(user_id: i64) -> Result<String, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let sent = send_welcome_as(&actor, user_id).await?;
    let how = match sent.delivery {
        postern::services::messaging::Delivery::Sent => "sent",
        postern::services::messaging::Delivery::Held => "held in the outbox (no SMTP server is configured)",
    };
    let what = if sent.link.is_some() { "with a link to set a password, valid 7 days" } else { "with where to sign in" };
    Ok(format!("Welcome email {how}, {what}."))
}

#[cfg(feature = "ssr")]
async fn send_welcome_as(actor: &postern::model::SessionUser, user_id: i64) -> Result<postern::services::welcome::Sent, AppError> {
    use postern::services::audit::Actor;
    let context = crate::server_context::use_app_context()?;
    let base = match &context.public_url {
        Some(url) => url.clone(),
        None => crate::server_context::request_origin().await?,
    };
    let actor = Actor::User(actor.clone());
    Ok(postern::services::welcome::send(&context.db, &context.messenger, &actor, user_id, &base, true).await?)
}

/// The person's welcome email (sent? used?) and their logins, without
/// secrets; the logins are `None` when the caller may not see them (a
/// manager on staff).
#[server(prefix = "/rpc", endpoint = "get_user_sign_in")]
pub async fn get_user_sign_in(user_id: i64) -> Result<(Option<(WelcomeStatus, WelcomeLinkState)>, Option<Vec<ApiKey>>), AppError> {
    use postern::services::{api_keys, welcome, ServiceError};
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    if user_id != actor.id {
        postern::services::users::get_in(&db, postern::services::scope::Scope::of(&actor), user_id).await?;
    }
    let logins = match api_keys::logins(&db, &actor, user_id).await {
        Ok(logins) => Some(logins),
        Err(ServiceError::Forbidden(_)) => None,
        Err(error) => return Err(error.into()),
    };
    let now = postern::services::now_ms();
    let welcome = welcome::status(&db, user_id).await?.map(|status| {
        let state = status.link_state(now);
        (status, state)
    });
    Ok((welcome, logins))
}

/// Ends a login (API sign-in): one's own, or a member's by staff.
#[server(prefix = "/rpc", endpoint = "revoke_login")]
pub async fn revoke_login(id: i64) -> Result<(), AppError> {
    let actor = crate::server_context::require_user().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::api_keys::revoke_login(&db, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_user")]
pub async fn delete_user(id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::users::delete(&db, &actor, id).await?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// Sets a person's password so they can sign in (ends their sessions).
#[server(prefix = "/rpc", endpoint = "set_user_password")]
pub async fn set_user_password(user_id: i64, password: String) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let password = postern::types::Password::parse(&password).map_err(|m| AppError::invalid("password", m))?;
    Ok(postern::services::users::set_password_by(&db, &actor, user_id, &password).await?)
}

#[server(prefix = "/rpc", endpoint = "add_card")]
pub async fn add_card(user_id: String, number: String, label: String) -> Result<i64, AppError> {
    use postern::field_error::FieldErrors;
    use postern::types::CardNumber;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let mut errors = FieldErrors::new();
    let user_id = user_id.trim().parse::<i64>().unwrap_or(0);
    if user_id <= 0 {
        errors.push("user_id", "Choose the person who carries the card.");
    }
    let number = errors.check("number", CardNumber::parse(&number));
    if label.chars().count() > 100 {
        errors.push("label", "Use at most 100 characters.");
    }
    errors.into_result()?;
    let Some(number) = number else { return Err(AppError::Internal.with_status()) };
    Ok(postern::services::users::add_card(&db, &actor, user_id, &number, &label).await?)
}

/// Activates, deactivates or deletes a card.
#[server(prefix = "/rpc", endpoint = "change_card")]
pub async fn change_card(card_id: i64, change: String) -> Result<(), AppError> {
    use postern::services::users;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    match change.as_str() {
        "activate" => users::set_card_active(&db, &actor, card_id, true).await?,
        "deactivate" => users::set_card_active(&db, &actor, card_id, false).await?,
        "delete" => users::delete_card(&db, &actor, card_id).await?,
        _ => return Err(AppError::invalid("change", "Unknown card change.")),
    }
    Ok(())
}

/// The places a manager may be assigned, and which they are (admins only).
#[server(prefix = "/rpc", endpoint = "get_manager_places")]
pub async fn get_manager_places(user_id: i64) -> Result<Vec<(i64, String, bool)>, AppError> {
    use postern::services::{places, scope::Scope, users};
    let actor = crate::auth::api::require_admin().await?;
    let db = crate::server_context::use_db()?;
    let assigned = users::manager_places(&db, &actor, user_id).await?;
    Ok(places::options(&db, Scope::Everything)
        .await?
        .into_iter()
        .map(|(id, name)| (id, name, assigned.contains(&id)))
        .collect())
}

/// Assigns a place to a manager (`change` = "assign") or takes it away ("remove").
#[server(prefix = "/rpc", endpoint = "change_manager_place")]
pub async fn change_manager_place(user_id: i64, place_id: i64, change: String) -> Result<(), AppError> {
    let actor = crate::auth::api::require_admin().await?;
    let db = crate::server_context::use_db()?;
    let assigned = match change.as_str() {
        "assign" => true,
        "remove" => false,
        _ => return Err(AppError::invalid("change", "Unknown change: assign or remove a place.")),
    };
    Ok(postern::services::users::set_manager_place(&db, &actor, user_id, place_id, assigned).await?)
}
