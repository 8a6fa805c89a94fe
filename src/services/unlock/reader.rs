//! A card or fob presented at a reader (from the simulator panel, or later
//! from a controller bridge): the door wired to that reader unlocks through
//! the same decision, as its holder; an unknown or deactivated card is
//! refused and logged with its number.

use super::super::db::flag;
use super::super::event_writer::NewEvent;
use super::super::{now_ms, ServiceError, ServiceResult};
use super::{UnlockActor, UnlockInput, UnlockMethod, UnlockOutcome, UnlockService};
use crate::access::{ProximityProof, Reason};
use crate::model::SessionUser;
use crate::types::{CardNumber, Role};

impl UnlockService {
    /// Presents `number` at reader `reader_id`; returns the outcome and the
    /// id of the event that records it.
    pub async fn present_card(&self, reader_id: i64, number: &str) -> ServiceResult<(UnlockOutcome, i64)> {
        let door: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM doors WHERE reader_id = $1").bind(reader_id).fetch_optional(self.db.pool()).await?;
        let (door_id,) = door.ok_or(ServiceError::NotFound("door at this reader"))?;
        // The number as stored when it parses, else as read (for the log).
        let number = CardNumber::parse(number)
            .map(|n| n.as_str().to_owned())
            .unwrap_or_else(|_| number.trim().chars().take(40).collect());
        let card: Option<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT u.id, u.name, u.email, u.role, c.active FROM cards c JOIN users u ON u.id = c.user_id WHERE c.number = $1",
        )
        .bind(&number)
        .fetch_optional(self.db.pool())
        .await?;
        match card {
            Some((id, name, email, role, active)) if flag(active) => {
                let user = SessionUser { id, name, email, role: Role::parse(&role).unwrap_or(Role::Member) };
                let input = UnlockInput {
                    door_id,
                    actor: UnlockActor::Card { user, number },
                    method: UnlockMethod::Reader,
                    location: None,
                    proximity: ProximityProof::Valid,
                };
                self.unlock_logged(input).await
            }
            other => {
                let reason = if other.is_some() { Reason::CardDeactivated } else { Reason::UnknownCard };
                self.refuse_card(door_id, &number, other.map(|c| c.0), reason).await
            }
        }
    }

    async fn refuse_card(&self, door_id: i64, number: &str, user_id: Option<i64>, reason: Reason) -> ServiceResult<(UnlockOutcome, i64)> {
        let door = self.door_facts(door_id).await?;
        let event = NewEvent {
            at: now_ms(),
            actor_kind: "card".into(),
            actor_user_id: user_id,
            actor_name: format!("Card {number}"),
            action: "unlock".into(),
            subject: door.name.clone(),
            door_id: Some(door_id),
            place_id: Some(door.place_id),
            method: Some(UnlockMethod::Reader.as_str().into()),
            result: "denied".into(),
            reasons: vec![reason.code().to_owned()],
            details: reason.message(&door.rules.time_zone),
            ..Default::default()
        };
        let event_id = self.events.record(event).await?;
        Ok((UnlockOutcome::Denied { reasons: vec![reason], time_zone: door.rules.time_zone }, event_id))
    }
}
