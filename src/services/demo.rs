//! A lived-in demo organization: two places in different time zones, two
//! simulated controllers, seven doors (one not wired yet), four groups (one of them Brooklyn's, which its manager manages) and
//! twenty people.

use super::{controllers, doors, groups, owner, places, tokens, users, Db, ServiceError, ServiceResult};
use crate::model::{ControllerForm, DoorForm, GroupForm, PlaceForm, UserForm, ValidUser};
use crate::types::Role;

/// What `demo` created, to print.
pub struct DemoSignIn {
    pub email: String,
    pub password: String,
    pub role: Role,
}

const PEOPLE: [(&str, &str); 20] = [
    ("Ada Lovelace", "admin"), ("Grace Hopper", "manager"), ("Alan Turing", "member"),
    ("Katherine Johnson", "member"), ("Linus Torvalds", "member"), ("Margaret Hamilton", "member"),
    ("Dennis Ritchie", "member"), ("Barbara Liskov", "member"), ("Ken Thompson", "member"),
    ("Frances Allen", "member"), ("Donald Knuth", "member"), ("Radia Perlman", "member"),
    ("Tim Berners-Lee", "member"), ("Hedy Lamarr", "member"), ("John McCarthy", "member"),
    ("Shafi Goldwasser", "member"), ("Edsger Dijkstra", "member"), ("Anita Borg", "member"),
    ("Vint Cerf", "member"), ("Sophie Wilson", "member"),
];

fn invalid(e: crate::field_error::FieldErrors) -> ServiceError {
    ServiceError::Invalid(e)
}

/// Fills the demo; refused when it is already there.
pub async fn fill(db: &Db) -> ServiceResult<DemoSignIn> {
    if places::options(db, super::scope::Scope::Everything).await?.iter().any(|(_, name)| name == "Brooklyn HQ") {
        return Err(ServiceError::Conflict("The demo organization is already there.".into()));
    }
    let place = |name: &str, address: &str, lat: &str, lon: &str, tz: &str| PlaceForm {
        name: name.into(),
        address: address.into(),
        latitude: lat.into(),
        longitude: lon.into(),
        time_zone: tz.into(),
        geofence_radius_m: String::new(),
    };
    let brooklyn = places::insert(db, &place("Brooklyn HQ", "55 Water St, Brooklyn, NY 11201", "40.7033", "-73.9903", "America/New_York").validate().map_err(invalid)?).await?;
    let berlin = places::insert(db, &place("Berlin Studio", "Oranienstraße 185, 10999 Berlin", "52.5009", "13.4213", "Europe/Berlin").validate().map_err(invalid)?).await?;

    let controller = |name: &str, place_id: i64| ControllerForm {
        name: name.into(),
        place_id: place_id.to_string(),
        model: String::new(),
        bridge_kind: String::new(),
        bridge: Default::default(),
    };
    let ctl_bk = controllers::insert(db, &controller("Brooklyn lobby controller", brooklyn).validate().map_err(invalid)?).await?;
    let ctl_be = controllers::insert(db, &controller("Berlin controller", berlin).validate().map_err(invalid)?).await?;

    let door = |name: &str, place_id: i64, controller: Option<i64>, relay: u8, lock: &str, exterior: bool| DoorForm {
        name: name.into(),
        place_id: place_id.to_string(),
        controller_id: controller.map(|c| c.to_string()).unwrap_or_default(),
        relay: controller.map(|_| relay.to_string()).unwrap_or_default(),
        lock_type: lock.into(),
        exterior: exterior.then(|| "on".into()),
        ..Default::default()
    };
    let mut door_ids = Vec::new();
    for form in [
        door("Main entrance", brooklyn, Some(ctl_bk), 1, "magnetic", true),
        door("Loading dock", brooklyn, Some(ctl_bk), 2, "strike_fail_secure", true),
        door("Server room", brooklyn, Some(ctl_bk), 3, "strike_fail_secure", false),
        door("Rooftop", brooklyn, None, 0, "wireless", true),
        door("Street door", berlin, Some(ctl_be), 1, "strike_fail_safe", true),
        door("Studio", berlin, Some(ctl_be), 2, "strike_fail_secure", false),
        door("Bike room", berlin, Some(ctl_be), 3, "strike_fail_secure", false),
    ] {
        door_ids.push(doors::insert(db, &form.validate().map_err(invalid)?).await?);
    }
    // Each wired door has the reader on the port of its relay (the simulator's readers).
    sqlx::query(
        "UPDATE doors SET reader_id = (SELECT r.id FROM readers r WHERE r.controller_id = doors.controller_id AND r.port = doors.relay)
         WHERE controller_id IS NOT NULL AND reader_id IS NULL",
    )
    .execute(db.pool())
    .await?;

    let group = |name: &str, description: &str| GroupForm {
        name: name.into(),
        description: description.into(),
        ..Default::default()
    };
    let everyone = groups::insert(db, &group("Everyone", "Front doors for all staff").validate().map_err(invalid)?).await?;
    let engineering = groups::insert(db, &group("Engineering", "Studio and server room").validate().map_err(invalid)?).await?;
    let facilities = groups::insert(db, &group("Facilities", "Every door, for the building team").validate().map_err(invalid)?).await?;
    // Brooklyn's own group: its manager (Grace) manages it and its members.
    let brooklyn_staff = GroupForm { place_id: brooklyn.to_string(), ..group("Brooklyn staff", "The Brooklyn team's doors") };
    let brooklyn_staff = groups::insert(db, &brooklyn_staff.validate().map_err(invalid)?).await?;
    let link = |g: i64, d: usize| (g, door_ids[d]);
    for (g, d) in [
        link(everyone, 0), link(everyone, 4), link(engineering, 2), link(engineering, 5), link(engineering, 0),
        link(facilities, 0), link(facilities, 1), link(facilities, 2), link(facilities, 3), link(facilities, 4),
        link(facilities, 5), link(facilities, 6), link(brooklyn_staff, 0), link(brooklyn_staff, 1),
    ] {
        sqlx::query("INSERT INTO group_doors (group_id, door_id) VALUES ($1, $2)").bind(g).bind(d).execute(db.pool()).await?;
    }

    let password = format!("demo-{}", &tokens::random_token()[..12]);
    let has_owner = owner::exists(db).await?;
    let mut sign_in = None;
    for (i, (name, role)) in PEOPLE.iter().enumerate() {
        let email = format!("{}@example.com", name.to_lowercase().replace([' ', '-'], "."));
        let role = Role::parse(role).unwrap_or(Role::Member);
        let role = if i == 0 && !has_owner { Role::Owner } else { role };
        let user = UserForm { name: (*name).into(), email: email.clone(), role: role.as_str().into(), confirmed: Some("on".into()), app_access: Some("on".into()), ..Default::default() };
        let valid: ValidUser = user.validate().map_err(invalid)?;
        let hash = if i == 0 { Some(super::passwords::hash(password.clone()).await?) } else { None };
        let id = users::insert(db, &valid, hash).await?;
        // Everyone carries a fob, 10:1001 and up, to try on the simulator.
        sqlx::query("INSERT INTO cards (user_id, number, label, active, created_at) VALUES ($1, $2, 'Demo fob', 1, $3) ON CONFLICT (number) DO NOTHING")
            .bind(id)
            .bind(format!("10:{}", 1001 + i))
            .bind(super::now_ms())
            .execute(db.pool())
            .await?;
        if role == Role::Manager {
            // The demo's manager manages Brooklyn (SPEC §8: managers are scoped to places).
            sqlx::query("INSERT INTO manager_places (user_id, place_id) VALUES ($1, $2)").bind(id).bind(brooklyn).execute(db.pool()).await?;
        }
        if i == 0 {
            sign_in = Some(DemoSignIn { email: email.clone(), password: password.clone(), role });
        }
        let member_of: &[i64] = match i % 4 {
            0 => &[everyone, facilities],
            1 | 2 => &[everyone, engineering],
            _ => &[everyone, brooklyn_staff],
        };
        for g in member_of {
            sqlx::query("INSERT INTO group_members (group_id, user_id, added_at) VALUES ($1, $2, $3)")
                .bind(g)
                .bind(id)
                .bind(super::now_ms())
                .execute(db.pool())
                .await?;
        }
    }
    if !has_owner {
        sqlx::query("INSERT INTO organization (id, name, created_at) VALUES (1, 'Demo Co', $1) ON CONFLICT (id) DO NOTHING")
            .bind(super::now_ms())
            .execute(db.pool())
            .await?;
    }
    sign_in.ok_or_else(|| ServiceError::internal("demo created no sign-in"))
}
