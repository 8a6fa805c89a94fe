use crate::error::AppError;
use leptos::prelude::*;
use postern::access::Explanation;
use serde::{Deserialize, Serialize};

/// The explainer's inputs as the URL carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExplainQuery {
    pub user: String,
    /// An access link's id, instead of a person.
    pub link: String,
    pub door: String,
    /// `datetime-local` in the door's place time; blank = now.
    pub at: String,
    /// An instant in ms (links from the event log); used when `at` is blank.
    pub at_ms: String,
    pub latitude: String,
    pub longitude: String,
    pub accuracy: String,
}

/// The pickers, and the explanation when a person and a door are chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExplainPageData {
    pub users: Vec<(i64, String)>,
    pub links: Vec<(i64, String)>,
    pub doors: Vec<(i64, String)>,
    pub explanation: Option<Explanation>,
}

#[server(prefix = "/rpc", endpoint = "explain_access")]
pub async fn explain_access(query: ExplainQuery) -> Result<ExplainPageData, AppError> {
    use postern::services::{access_links, doors, groups, now_ms};
    use postern::types::{Latitude, Longitude, Timestamp, TimeZoneName};
    let actor = crate::auth::api::require_staff().await?;
    let scope = postern::services::scope::Scope::of(&actor);
    let context = crate::server_context::use_app_context()?;
    let users = groups::user_options(&context.db, scope).await?;
    let door_options = doors::options(&context.db, scope).await?;
    let id = |text: &str| text.trim().parse::<i64>().ok();
    let links = access_links::options(&context.db, scope).await?;
    // A manager explains only what they manage: the door, the person or
    // the link must be theirs ("not found" otherwise).
    let offered = |options: &[(i64, String)], wanted: Option<i64>| wanted.is_none_or(|w| options.iter().any(|(id, _)| *id == w));
    if !offered(&door_options, id(&query.door)) || !offered(&users, id(&query.user)) || !offered(&links, id(&query.link)) {
        return Err(postern::services::ServiceError::NotFound("record").into());
    }
    let who = match (id(&query.link), id(&query.user)) {
        (Some(link), _) => Some(Who::Link(link)),
        (None, Some(user)) => Some(Who::Person(user)),
        (None, None) => None,
    };
    let explanation = match (who, id(&query.door)) {
        (Some(who), Some(door)) => {
            let facts = context.unlock.door_facts(door).await?;
            let at_ms = if !query.at.trim().is_empty() {
                let zone: &TimeZoneName = &facts.rules.time_zone;
                Timestamp::parse_datetime_local(&query.at, zone).map_err(|m| AppError::invalid("at", m))?.millis()
            } else {
                query.at_ms.trim().parse::<i64>().unwrap_or_else(|_| now_ms())
            };
            let location = match (query.latitude.trim(), query.longitude.trim()) {
                ("", "") => None,
                (lat, lon) => {
                    let lat = Latitude::parse(lat).map_err(|m| AppError::invalid("latitude", m))?;
                    let lon = Longitude::parse(lon).map_err(|m| AppError::invalid("longitude", m))?;
                    let accuracy = query.accuracy.trim().parse::<f64>().unwrap_or(0.0);
                    Some((lat.value(), lon.value(), accuracy))
                }
            };
            Some(match who {
                Who::Person(user) => context.unlock.explain(user, door, at_ms, location).await?,
                Who::Link(link) => context.unlock.explain_link(link, door, at_ms).await?,
            })
        }
        _ => None,
    };
    Ok(ExplainPageData { users, links, doors: door_options, explanation })
}

#[cfg(feature = "ssr")]
enum Who {
    Person(i64),
    Link(i64),
}
