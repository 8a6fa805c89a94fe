//! Role boundaries as a matrix (issue 15, point 1), on SQLite and PostgreSQL.
//!
//! [`ENDPOINTS`] is the one table: every server function and every API
//! route with the least role that may call it (and, where the request names
//! a record, which one). It is checked against the lists the router is built
//! from — `server_fn_paths()` (what leptos_axum mounts under `/rpc`) and
//! `postern_server::api::routes()` — so a new endpoint without a row, or a
//! row for an endpoint that is gone, fails the test by name.
//!
//! Each row is then called by the owner, an admin, a manager, a member, a
//! member whose app access was switched off after signing in and taking a
//! key, and a signed-out caller (no cookie, no key). A 401 or 403 is a
//! refusal; any other answer below 500 (404, 409, 422…) means the call got
//! past the role check. Signed-out and switched-off callers must hear 401,
//! signed-in callers refused for their role 403. A wrong cell prints the
//! whole matrix.
//!
//! [`other_peoples_records_by_id`] then acts on other people's records by id (their person,
//! password, cards, memberships and API keys; dashboard and API) as a
//! manager, a member and an admin, against the owner, an admin, another
//! manager and a member: managers change members' records only (SPEC §8);
//! [`a_manager_gives_no_staff_roles`] checks they cannot make staff either.

mod common;

use common::TestApp;
use postern::model::{SessionUser, UserForm};
use postern::services::groups::{self, Validity};
use postern::services::floors::{self, ValidFloor};
use postern::services::{api_keys, users};
use postern::types::{CardNumber, Email, Name, Password, Role};
use postern_server::config::{Config, Rate, RateLimits};
use reqwest::Method;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};

/// Limits high enough that the matrix's own requests never meet them.
fn roomy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(100_000, 100_000)), per_ip: Some(Rate::new(100_000, 100_000)) };
}

const PASSWORD: &str = "a long enough password";
const OWNER_PASSWORD: &str = "correct horse battery";

// ---- the table ---------------------------------------------------------------

/// The least role that may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Least {
    /// Anyone, signed out too.
    Public,
    /// Nobody once the owner exists (the first-run form): 409 for everyone.
    FirstRun,
    /// Anyone signed in (or holding a working key), members too: their own
    /// doors, profile and password check.
    SignedIn,
    /// Managers, admins and the owner.
    Manager,
    /// Admins and the owner.
    Admin,
}

impl Least {
    fn allows(self, who: Who) -> bool {
        match self {
            Least::Public | Least::FirstRun => true,
            Least::SignedIn => !matches!(who, Who::Off | Who::SignedOut),
            Least::Manager => matches!(who, Who::Owner | Who::Admin | Who::Manager),
            Least::Admin => matches!(who, Who::Owner | Who::Admin),
        }
    }

    fn short(self) -> &'static str {
        match self {
            Least::Public => "public",
            Least::FirstRun => "first run",
            Least::SignedIn => "signed in",
            Least::Manager => "manager",
            Least::Admin => "admin",
        }
    }
}

/// The record a row's request names, made fresh for each cell (so an
/// allowed deletion does not take another cell's record away).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Record {
    /// None, or only the shared site (`{door}`, `{place}`, `{group}`…).
    Shared,
    /// A member (`{id}`, `{email}`).
    Member,
    /// The caller themselves (`{id}`).
    Themselves,
    /// A member's card (`{id}`).
    MembersCard,
    /// A member's membership of the shared group (`{id}`).
    MembersMembership,
    /// An API key of the caller's own (`{id}`).
    OwnKey,
    /// A login (API sign-in) of the caller's own (`{id}`).
    OwnLogin,
    Place,
    /// A floor of the annex (`{id}`).
    Floor,
    Controller,
    Door,
    Group,
    /// A group–door link (`{id}`).
    GroupDoor,
    /// A scheduled unlock on the side door (`{id}`).
    Schedule,
    Holiday,
    Zone,
    AccessLink,
}

impl Record {
    fn note(self) -> &'static str {
        match self {
            Record::Shared => "",
            Record::Member => "a member",
            Record::Themselves => "themselves",
            Record::MembersCard => "a member's card",
            Record::MembersMembership => "a member's membership",
            Record::OwnKey => "own API key",
            Record::OwnLogin => "own login",
            Record::Place => "a place",
            Record::Floor => "a floor",
            Record::Controller => "a controller",
            Record::Door => "a door",
            Record::Group => "a group",
            Record::GroupDoor => "a group's door",
            Record::Schedule => "a schedule",
            Record::Holiday => "a holiday",
            Record::Zone => "a zone",
            Record::AccessLink => "an access link",
        }
    }
}

/// How a row is called: a server function with a form, an API route
/// (path as in `routes()`, the request's path and JSON body), or a plain
/// page outside Leptos (route as in `PAGE_ROUTES`, the request's path and form).
enum Call {
    Rpc(&'static str, &'static [(&'static str, &'static str)]),
    Api(Method, &'static str, &'static str, Option<&'static str>),
    Page(Method, &'static str, &'static str, &'static [(&'static str, &'static str)]),
}

struct Row {
    call: Call,
    least: Least,
    record: Record,
}

impl Row {
    fn endpoint(&self) -> String {
        match &self.call {
            Call::Rpc(name, _) => format!("/rpc/{name}"),
            Call::Api(method, route, _, _) => format!("{method} /api{route}"),
            Call::Page(method, route, _, _) => format!("{method} {route}"),
        }
    }
}

const fn rpc(name: &'static str, least: Least, record: Record, form: &'static [(&'static str, &'static str)]) -> Row {
    Row { call: Call::Rpc(name, form), least, record }
}

const fn page(method: Method, route: &'static str, path: &'static str, form: &'static [(&'static str, &'static str)]) -> Row {
    Row { call: Call::Page(method, route, path, form), least: Least::Public, record: Record::Shared }
}

const fn api(method: Method, route: &'static str, path: &'static str, body: Option<&'static str>, least: Least, record: Record) -> Row {
    Row { call: Call::Api(method, route, path, body), least, record }
}

use Least::{Admin, FirstRun, Manager, Public, SignedIn};
use Record::*;

/// Every endpoint, once (`GET /api/users/{id}` twice: on oneself and on
/// another). Placeholders in braces are filled per cell. The order is the
/// order of the calls: signing out comes last.
const ENDPOINTS: &[Row] = &[
    // -- server functions (/rpc) --
    rpc("session", Public, Shared, &[]),
    rpc("needs_setup", Public, Shared, &[]),
    rpc("setup_owner", FirstRun, Shared, &[("organization", "X"), ("name", "Mallory"), ("email", "mallory{n}@example.com"), ("password", PASSWORD)]),
    rpc("login", Public, Shared, &[("email", "nobody@example.com"), ("password", "")]),
    rpc("time_zones", Public, Shared, &[]),
    rpc("my_doors", Public, Shared, &[]),
    rpc("unlock_door", SignedIn, Shared, &[("door_id", "{door}")]),
    rpc("confirm_password", SignedIn, Shared, &[("password", "{password}")]),
    rpc("overview_counts", Manager, Shared, &[]),
    rpc("list_places", Manager, Shared, &[("query", "")]),
    rpc("get_place", Manager, Shared, &[("id", "{place}")]),
    rpc("save_place", Admin, Shared, &[("form[name]", "Place {n}"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]),
    rpc("delete_place", Admin, Place, &[("id", "{id}")]),
    rpc("list_controllers", Admin, Shared, &[("query", "")]),
    rpc("get_controller", Admin, Shared, &[("id", "{controller}")]),
    rpc("save_controller", Admin, Shared, &[("form[name]", "C {n}"), ("form[place_id]", "{annex}")]),
    rpc("delete_controller", Admin, Controller, &[("id", "{id}")]),
    rpc("test_connection", Admin, Shared, &[("id", "{controller}")]),
    rpc("list_doors", Manager, Shared, &[("query", "")]),
    rpc("get_door", Manager, Shared, &[("id", "{door}")]),
    rpc("save_door", Admin, Shared, &[("form[name]", "Door {n}"), ("form[place_id]", "{annex}")]),
    rpc("delete_door", Admin, Door, &[("id", "{id}")]),
    rpc("set_door_lockdown", Admin, Shared, &[("door_id", "{side}"), ("on", "true")]),
    rpc("set_place_lockdown", Admin, Shared, &[("place_id", "{annex}"), ("on", "false")]),
    rpc("get_door_schedules", Manager, Shared, &[("door_id", "{side}")]),
    rpc("get_door_held_back", Manager, Shared, &[("door_id", "{side}")]),
    rpc("save_schedule", Admin, Shared, &[("door_id", "{side}"), ("form[kind]", "all_day"), ("form[first_date]", "2030-01-02")]),
    rpc("set_schedule_enabled", Admin, Schedule, &[("door_id", "{side}"), ("id", "{id}"), ("enabled", "false")]),
    rpc("delete_schedule", Admin, Schedule, &[("door_id", "{side}"), ("id", "{id}")]),
    rpc("set_door_zone", Admin, Shared, &[("door_id", "{side}"), ("zone_id", "{zone}")]),
    rpc("get_place_schedules", Manager, Shared, &[("place_id", "{annex}")]),
    rpc("add_holiday", Admin, Shared, &[("place_id", "{annex}"), ("form[name]", "Day {n}"), ("form[date]", "{date}")]),
    rpc("delete_holiday", Admin, Holiday, &[("place_id", "{annex}"), ("id", "{id}")]),
    rpc("add_zone", Admin, Shared, &[("place_id", "{annex}"), ("name", "Zone {n}")]),
    rpc("set_zone_arming", Admin, Zone, &[("place_id", "{annex}"), ("zone_id", "{id}"), ("arming", "away")]),
    rpc("close_zone_day", Admin, Zone, &[("place_id", "{annex}"), ("zone_id", "{id}")]),
    rpc("list_groups", Manager, Shared, &[("query", "")]),
    rpc("get_group", Manager, Shared, &[("id", "{group}")]),
    rpc("save_group", Manager, Shared, &[("form[name]", "Group {n}")]),
    rpc("delete_group", Manager, Group, &[("id", "{id}")]),
    rpc("change_group_member", Manager, Member, &[("group_id", "{group}"), ("user_id", "{id}"), ("add", "true")]),
    rpc("change_group_door", Manager, Group, &[("group_id", "{id}"), ("door_id", "{door}"), ("add", "true")]),
    rpc("list_users", Manager, Shared, &[("query", "")]),
    rpc("get_user", Manager, Member, &[("id", "{id}")]),
    rpc("save_user", Manager, Member, &[("id", "{id}"), ("form[name]", "Renamed"), ("form[email]", "{email}"), ("form[role]", "member"), ("form[confirmed]", "on"), ("form[app_access]", "on")]),
    rpc("delete_user", Manager, Member, &[("id", "{id}")]),
    rpc("set_user_password", Manager, Member, &[("user_id", "{id}"), ("password", "another long password")]),
    rpc("send_welcome_email", Manager, Member, &[("user_id", "{id}")]),
    rpc("get_user_sign_in", Manager, Member, &[("user_id", "{id}")]),
    rpc("revoke_login", SignedIn, OwnLogin, &[("id", "{id}")]),
    rpc("add_card", Manager, Member, &[("user_id", "{id}"), ("number", "{card}"), ("label", "")]),
    rpc("change_card", Manager, MembersCard, &[("card_id", "{id}"), ("change", "deactivate")]),
    rpc("get_manager_places", Admin, Member, &[("user_id", "{id}")]),
    rpc("change_manager_place", Admin, Member, &[("user_id", "{id}"), ("place_id", "{annex}"), ("change", "assign")]),
    rpc("list_all_cards", Manager, Shared, &[("query", "")]),
    rpc("list_access_links", Manager, Shared, &[("query", "")]),
    rpc("access_link_form_options", Manager, Shared, &[]),
    rpc("send_access_link", Manager, Shared, &[("form[recipient_name]", "Vera"), ("form[channel]", "manual"), ("form[group_id]", "{group}")]),
    rpc("revoke_access_link", Manager, AccessLink, &[("id", "{id}")]),
    rpc("list_api_keys", Manager, Shared, &[]),
    rpc("create_api_key", Manager, Shared, &[("name", "matrix")]),
    rpc("revoke_api_key", Manager, OwnKey, &[("id", "{id}")]),
    rpc("explain_access", Manager, Shared, &[("query[door]", "{door}")]),
    rpc("list_events", Manager, Shared, &[("query[result]", "granted")]),
    rpc("get_settings", Manager, Shared, &[]),
    rpc("save_settings", Admin, Shared, &[("name", "Acme")]),
    rpc("list_outbox", Admin, Shared, &[]),
    rpc("list_webhooks", Admin, Shared, &[]),
    rpc("create_webhook", Admin, Shared, &[("form[name]", "Hook {n}"), ("form[url]", "http://127.0.0.1:9/hook"), ("form[secret]", "0123456789abcdef"), ("form[types][lock.unlock]", "on")]),
    rpc("set_webhook_enabled", Admin, Shared, &[("id", "0"), ("enabled", "false")]),
    rpc("delete_webhook", Admin, Shared, &[("id", "0")]),
    rpc("webhook_log", Admin, Shared, &[("id", "0")]),
    rpc("simulator_states", Admin, Shared, &[]),
    rpc("simulator_controllers", Admin, Shared, &[]),
    rpc("simulate", Admin, Shared, &[("controller_id", "{controller}"), ("action", "exit"), ("port", "1")]),
    rpc("present_card", Admin, Shared, &[("reader_id", "0"), ("number", "12:3456")]),
    // -- plain pages (no Wasm): an access link's, a welcome email's set-password link's --
    page(Method::GET, "/l/{token}", "/l/not-a-link-token", &[]),
    page(Method::POST, "/l/{token}", "/l/not-a-link-token", &[("door_id", "{door}")]),
    page(Method::GET, "/set-password/{token}", "/set-password/not-a-welcome-token", &[]),
    page(Method::POST, "/set-password/{token}", "/set-password/not-a-welcome-token", &[("password", "a long enough password"), ("password_again", "a long enough password")]),
    // -- the JSON API (/api) --
    api(Method::GET, "/openapi.json", "/openapi.json", None, Public, Shared),
    api(Method::GET, "/organizations", "/organizations", None, SignedIn, Shared),
    api(Method::GET, "/organizations/{id}", "/organizations/1", None, SignedIn, Shared),
    api(Method::GET, "/locks", "/locks", None, SignedIn, Shared),
    api(Method::POST, "/locks", "/locks", Some(r#"{"lock": {"name": "Lock {n}", "place_id": {annex}}}"#), Admin, Shared),
    api(Method::GET, "/locks/{id}", "/locks/{door}", None, SignedIn, Shared),
    api(Method::PATCH, "/locks/{id}", "/locks/{id}", Some(r#"{"lock": {"name": "Renamed {n}"}}"#), Admin, Door),
    api(Method::DELETE, "/locks/{id}", "/locks/{id}", None, Admin, Door),
    api(Method::POST, "/locks/{id}/unlock", "/locks/{door}/unlock", Some("{}"), SignedIn, Shared),
    api(Method::POST, "/locks/{id}/lock_down", "/locks/{side}/lock_down", None, Admin, Shared),
    api(Method::POST, "/locks/{id}/cancel_lockdown", "/locks/{side}/cancel_lockdown", None, Admin, Shared),
    api(Method::GET, "/group_links", "/group_links", None, Manager, Shared),
    api(Method::POST, "/group_links", "/group_links", Some(r#"{"group_link": {"name": "Vera", "group_id": {group}}}"#), Manager, Shared),
    api(Method::DELETE, "/group_links/{id}", "/group_links/{id}", None, Manager, AccessLink),
    api(Method::GET, "/group_locks", "/group_locks", None, Manager, Shared),
    api(Method::POST, "/group_locks", "/group_locks", Some(r#"{"group_lock": {"group_id": {id}, "lock_id": {door}}}"#), Manager, Group),
    api(Method::DELETE, "/group_locks/{id}", "/group_locks/{id}", None, Manager, GroupDoor),
    api(Method::GET, "/groups", "/groups", None, Manager, Shared),
    api(Method::POST, "/groups", "/groups", Some(r#"{"group": {"name": "API group {n}"}}"#), Manager, Shared),
    api(Method::GET, "/groups/{id}", "/groups/{group}", None, Manager, Shared),
    api(Method::PATCH, "/groups/{id}", "/groups/{id}", Some(r#"{"group": {"name": "Renamed {n}"}}"#), Manager, Group),
    api(Method::DELETE, "/groups/{id}", "/groups/{id}", None, Manager, Group),
    api(Method::GET, "/users", "/users", None, Manager, Shared),
    api(Method::POST, "/users", "/users", Some(r#"{"user": {"name": "New {n}", "email": "new{n}@example.com"}}"#), Manager, Shared),
    api(Method::GET, "/users/{id}", "/users/{id}", None, SignedIn, Themselves),
    api(Method::GET, "/users/{id}", "/users/{id}", None, Manager, Member),
    api(Method::PATCH, "/users/{id}", "/users/{id}", Some(r#"{"user": {"name": "Renamed"}}"#), Manager, Member),
    api(Method::DELETE, "/users/{id}", "/users/{id}", None, Manager, Member),
    api(Method::GET, "/role_assignments", "/role_assignments", None, Manager, Shared),
    api(Method::POST, "/role_assignments", "/role_assignments", Some(r#"{"role_assignment": {"user_id": {id}, "group_id": {group}}}"#), Manager, Member),
    api(Method::PATCH, "/role_assignments/{id}", "/role_assignments/{id}", Some(r#"{"role_assignment": {"valid_until": null}}"#), Manager, MembersMembership),
    api(Method::DELETE, "/role_assignments/{id}", "/role_assignments/{id}", None, Manager, MembersMembership),
    api(Method::GET, "/cards", "/cards", None, Manager, Shared),
    api(Method::POST, "/cards", "/cards", Some(r#"{"card": {"user_id": {id}, "number": "{card}"}}"#), Manager, Member),
    api(Method::PATCH, "/cards/{id}", "/cards/{id}", Some(r#"{"card": {"active": false}}"#), Manager, MembersCard),
    api(Method::DELETE, "/cards/{id}", "/cards/{id}", None, Manager, MembersCard),
    api(Method::GET, "/events", "/events", None, Manager, Shared),
    api(Method::GET, "/places", "/places", None, SignedIn, Shared),
    api(Method::POST, "/places", "/places", Some(r#"{"place": {"name": "API place {n}", "latitude": 1, "longitude": 1, "time_zone": "UTC"}}"#), Admin, Shared),
    api(Method::GET, "/places/{id}", "/places/{annex}", None, SignedIn, Shared),
    api(Method::PATCH, "/places/{id}", "/places/{id}", Some(r#"{"place": {"name": "Renamed place {n}"}}"#), Admin, Place),
    api(Method::DELETE, "/places/{id}", "/places/{id}", None, Admin, Place),
    api(Method::GET, "/floors", "/floors", None, SignedIn, Shared),
    api(Method::POST, "/floors", "/floors", Some(r#"{"floor": {"name": "Floor {n}", "place_id": {annex}}}"#), Admin, Shared),
    api(Method::GET, "/floors/{id}", "/floors/{id}", None, SignedIn, Floor),
    api(Method::PATCH, "/floors/{id}", "/floors/{id}", Some(r#"{"floor": {"name": "Renamed floor {n}"}}"#), Admin, Floor),
    api(Method::DELETE, "/floors/{id}", "/floors/{id}", None, Admin, Floor),
    api(Method::GET, "/user", "/user", None, SignedIn, Shared),
    api(Method::POST, "/logins", "/logins", Some(r#"{"login": {"type": "api", "user_id": {id}}}"#), Manager, Member),
    api(Method::GET, "/logins", "/logins", None, SignedIn, Shared),
    api(Method::DELETE, "/logins/{id}", "/logins/{id}", None, SignedIn, OwnKey),
    // Last of the API's: it ends the key the caller is using.
    api(Method::DELETE, "/login", "/login", None, SignedIn, Shared),
    // Last: it ends the caller's session.
    rpc("logout", Public, Shared, &[]),
];

/// The table's endpoints and the router's must be the same sets.
#[test]
fn every_endpoint_has_a_row_and_every_row_an_endpoint() {
    let mounted: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .chain(postern_server::api::routes().into_iter().map(|r| format!("{} /api{}", r.method, r.path)))
        .chain(postern_server::startup::PAGE_ROUTES.iter().map(|(method, path)| format!("{method} {path}")))
        .collect();
    let rows: BTreeSet<String> = ENDPOINTS.iter().map(Row::endpoint).collect();
    let missing: Vec<_> = mounted.difference(&rows).collect();
    let gone: Vec<_> = rows.difference(&mounted).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "endpoints with no row in ENDPOINTS (add one with its least role): {missing:?}; \
         rows in ENDPOINTS for endpoints the router does not have: {gone:?}"
    );
    assert!(mounted.iter().any(|e| e.starts_with("/rpc/")), "server functions are registered in this binary");
}

// ---- callers -------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Owner,
    Admin,
    Manager,
    Member,
    /// A member whose app access was switched off after signing in and
    /// taking a key.
    Off,
    /// No session cookie, no API key.
    SignedOut,
}

const CALLERS: [Who; 6] = [Who::Owner, Who::Admin, Who::Manager, Who::Member, Who::Off, Who::SignedOut];

impl Who {
    fn short(self) -> &'static str {
        match self {
            Who::Owner => "owner",
            Who::Admin => "admin",
            Who::Manager => "manager",
            Who::Member => "member",
            Who::Off => "off",
            Who::SignedOut => "signed out",
        }
    }
}

/// One caller: their browser (with their session cookie, if any), their
/// API key (if any), and who they are.
struct Caller {
    who: Who,
    browser: reqwest::Client,
    key: Option<String>,
    user: Option<SessionUser>,
    password: &'static str,
}

/// A person with a password, signed in on a browser of their own, with a key.
async fn person(app: &TestApp, email: &str, role: Role) -> (SessionUser, reqwest::Client, String) {
    let id = app.insert_person(email, role).await;
    users::set_password(&app.db, id, &Password::parse(PASSWORD).unwrap()).await.unwrap();
    let browser = app.new_browser();
    let (status, body) = common::call_with(&browser, &app.address, "login", &[("email", email), ("password", PASSWORD)]).await;
    assert!(status == 200 || status == 302 || status == 303, "{email} signs in: {status} {body}");
    let user = session_user(app, id).await;
    let key = api_keys::issue(&app.db, id, &Name::parse("matrix").unwrap()).await.unwrap().secret;
    (user, browser, key)
}

async fn session_user(app: &TestApp, id: i64) -> SessionUser {
    let user = users::get(&app.db, id).await.unwrap();
    SessionUser { id, name: user.name, email: user.email, role: user.role }
}

/// The site every cell shares and the six callers.
struct World {
    owner: SessionUser,
    vars: HashMap<&'static str, String>,
    callers: Vec<Caller>,
    counter: AtomicU32,
}

async fn world(app: &TestApp) -> World {
    app.sign_up_owner().await;
    let owner_id = users::find_by_email(&app.db, &Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap().id;
    let owner = session_user(app, owner_id).await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let annex = app.create("save_place", &[("form[name]", "Annex"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    // "Roof" has no controller: a granted unlock answers 409 and pulses nothing.
    let door = app.create("save_door", &[("form[name]", "Roof"), ("form[place_id]", &place)]).await;
    // "Side", at the annex, takes the lockdowns, schedules and zones.
    let side = app.create("save_door", &[("form[name]", "Side"), ("form[place_id]", &annex)]).await;
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", &door), ("add", "true")]).await.0, 200);
    let zone = app.create("add_zone", &[("place_id", &annex), ("name", "Ground")]).await;

    // The owner signs in again on a browser of its own (app.client makes the fixtures).
    let owner_browser = app.new_browser();
    let (status, body) =
        common::call_with(&owner_browser, &app.address, "login", &[("email", "owner@example.com"), ("password", OWNER_PASSWORD)]).await;
    assert!(status == 200 || status == 302 || status == 303, "the owner signs in: {status} {body}");
    let owner_key = api_keys::issue(&app.db, owner.id, &Name::parse("matrix").unwrap()).await.unwrap().secret;
    let (admin, admin_browser, admin_key) = person(app, "ada@example.com", Role::Admin).await;
    let (manager, manager_browser, manager_key) = person(app, "manny@example.com", Role::Manager).await;
    let (member, member_browser, member_key) = person(app, "mel@example.com", Role::Member).await;
    let (off, off_browser, off_key) = person(app, "otto@example.com", Role::Member).await;
    // The manager manages both places (issue 15, point 2: scoped to them).
    for managed in [&place, &annex] {
        users::set_manager_place(&app.db, &owner, manager.id, managed.parse().unwrap(), true).await.unwrap();
    }
    for id in [manager.id, member.id, off.id] {
        let id = id.to_string();
        assert_eq!(app.call("change_group_member", &[("group_id", &group), ("user_id", &id), ("add", "true")]).await.0, 200);
    }
    // Otto's app access is switched off after he signed in and took a key.
    let switched_off = UserForm {
        name: off.name.clone(),
        email: off.email.clone(),
        role: "member".into(),
        confirmed: Some("on".into()),
        app_access: None,
        ..Default::default()
    };
    users::update(&app.db, &owner, off.id, switched_off.validate().unwrap()).await.unwrap();

    let caller = |who, browser, key: Option<String>, user: Option<SessionUser>, password| Caller { who, browser, key, user, password };
    let callers = vec![
        caller(Who::Owner, owner_browser, Some(owner_key), Some(owner.clone()), OWNER_PASSWORD),
        caller(Who::Admin, admin_browser, Some(admin_key), Some(admin), PASSWORD),
        caller(Who::Manager, manager_browser, Some(manager_key), Some(manager), PASSWORD),
        caller(Who::Member, member_browser, Some(member_key), Some(member), PASSWORD),
        caller(Who::Off, off_browser, Some(off_key), Some(off), PASSWORD),
        caller(Who::SignedOut, app.new_browser(), None, None, ""),
    ];
    let vars = HashMap::from([
        ("place", place),
        ("annex", annex),
        ("controller", controller),
        ("door", door),
        ("side", side),
        ("group", group),
        ("zone", zone),
    ]);
    World { owner, vars, callers, counter: AtomicU32::new(0) }
}

impl World {
    fn next(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn var(&self, name: &str) -> &str {
        &self.vars[name]
    }

    /// A fresh member (no password).
    async fn member(&self, app: &TestApp, role: Role) -> (i64, String) {
        let email = format!("victim{}@example.com", self.next());
        (app.insert_person(&email, role).await, email)
    }

    async fn card(&self, app: &TestApp, holder: i64) -> i64 {
        let number = CardNumber::parse(&format!("{}", 500_000 + self.next())).unwrap();
        users::add_card(&app.db, &self.owner, holder, &number, "").await.unwrap()
    }

    /// A fresh group, made by Postern itself (so a hole that signs the
    /// owner out does not stop the matrix before it is printed).
    async fn fresh_group(&self, app: &TestApp) -> String {
        // At HQ, one of the manager's places (managers manage their places' groups).
        let form = postern::model::GroupForm { name: format!("Fixture group {}", self.next()), place_id: self.var("place").to_owned(), ..Default::default() };
        groups::insert(&app.db, &form.validate().unwrap()).await.unwrap().to_string()
    }

    /// The placeholders of one cell: the shared site, the caller's password,
    /// a fresh number, and the row's record made fresh.
    async fn cell_vars(&self, app: &TestApp, record: Record, caller: &Caller) -> HashMap<&'static str, String> {
        let n = self.next();
        let mut vars = self.vars.clone();
        vars.insert("n", n.to_string());
        vars.insert("password", caller.password.to_owned());
        vars.insert("card", format!("{}", 100_000 + n));
        vars.insert("date", format!("{}-{:02}-{:02}", 2031 + n / 336, 1 + (n / 28) % 12, 1 + n % 28));
        let annex = self.var("annex").to_owned();
        let id: String = match record {
            Record::Shared => String::new(),
            Record::Member => {
                let (id, email) = self.member(app, Role::Member).await;
                vars.insert("email", email);
                id.to_string()
            }
            Record::Themselves => caller.user.as_ref().map_or(self.owner.id, |u| u.id).to_string(),
            Record::MembersCard => {
                let (id, _) = self.member(app, Role::Member).await;
                self.card(app, id).await.to_string()
            }
            Record::MembersMembership => {
                let (id, _) = self.member(app, Role::Member).await;
                let group = self.var("group").parse().unwrap();
                groups::add_membership(&app.db, &self.owner, group, id, Validity::default()).await.unwrap().to_string()
            }
            Record::OwnKey => {
                let holder = caller.user.as_ref().map_or(self.owner.id, |u| u.id);
                api_keys::issue(&app.db, holder, &Name::parse("spare").unwrap()).await.unwrap().key.id.to_string()
            }
            Record::OwnLogin => {
                // Made as a key and turned into a login in SQL: the switched-off
                // member may not be given one any more, but may still hold one.
                let holder = caller.user.as_ref().map_or(self.owner.id, |u| u.id);
                let id = api_keys::issue(&app.db, holder, &Name::parse("phone").unwrap()).await.unwrap().key.id;
                sqlx::query("UPDATE api_keys SET kind = 'login' WHERE id = $1").bind(id).execute(app.db.pool()).await.unwrap();
                id.to_string()
            }
            Record::Place => {
                app.create("save_place", &[("form[name]", &format!("Spare {n}")), ("form[latitude]", "1"), ("form[longitude]", "1"), ("form[time_zone]", "UTC")]).await
            }
            Record::Floor => {
                let floor = ValidFloor {
                    place_id: annex.parse().unwrap(),
                    name: Name::parse(&format!("Spare floor {n}")).unwrap(),
                    description: Default::default(),
                };
                floors::create(&app.db, &self.owner, floor).await.unwrap().to_string()
            }
            Record::Controller => app.create("save_controller", &[("form[name]", &format!("Spare {n}")), ("form[place_id]", &annex)]).await,
            Record::Door => app.create("save_door", &[("form[name]", &format!("Spare {n}")), ("form[place_id]", &annex)]).await,
            Record::Group => self.fresh_group(app).await,
            Record::GroupDoor => {
                let group = self.fresh_group(app).await.parse().unwrap();
                let door = self.var("door").parse().unwrap();
                groups::add_door_link(&app.db, &self.owner, group, door).await.unwrap().to_string()
            }
            Record::Schedule => {
                let date = format!("2032-{:02}-{:02}", 1 + (n / 28) % 12, 1 + n % 28);
                app.create("save_schedule", &[("door_id", self.var("side")), ("form[kind]", "all_day"), ("form[first_date]", &date)]).await
            }
            Record::Holiday => {
                let date = format!("2033-{:02}-{:02}", 1 + (n / 28) % 12, 1 + n % 28);
                app.create("add_holiday", &[("place_id", &annex), ("form[name]", &format!("Spare {n}")), ("form[date]", &date)]).await
            }
            Record::Zone => app.create("add_zone", &[("place_id", &annex), ("name", &format!("Spare {n}"))]).await,
            Record::AccessLink => {
                let form = [("form[recipient_name]", "Spare"), ("form[channel]", "manual"), ("form[group_id]", self.var("group"))];
                let (status, body) = app.call("send_access_link", &form).await;
                assert_eq!(status, 200, "a spare link: {body}");
                body["link"]["id"].as_i64().unwrap().to_string()
            }
        };
        vars.insert("id", id);
        vars
    }
}

fn fill(template: &str, vars: &HashMap<&'static str, String>) -> String {
    let mut text = template.to_owned();
    for (name, value) in vars {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    assert!(!text.contains("{n}") && !text.contains("{id}"), "unfilled placeholder in {template}");
    text
}

/// Sends one API request as `key` (none: no Authorization header).
async fn api_call(app: &TestApp, key: Option<&str>, method: Method, path: &str, body: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().request(method, format!("{}/api{path}", app.address));
    if let Some(key) = key {
        request = request.header("authorization", format!("KISI-LOGIN {key}"));
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let response = request.send().await.expect("the API answers");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

/// One row, called as `caller` with the cell's placeholders.
async fn send(app: &TestApp, row: &Row, caller: &Caller, vars: &HashMap<&'static str, String>) -> (u16, String) {
    match &row.call {
        Call::Rpc(name, form) => {
            let filled: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, fill(v, vars))).collect();
            let form: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, body) = common::call_with(&caller.browser, &app.address, name, &form).await;
            (status, body.to_string())
        }
        Call::Api(method, _, path, body) => {
            let body = body.map(|b| fill(b, vars));
            api_call(app, caller.key.as_deref(), method.clone(), &fill(path, vars), body.as_deref()).await
        }
        Call::Page(method, _, path, form) => {
            let filled: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, fill(v, vars))).collect();
            let response = caller.browser.request(method.clone(), format!("{}{path}", app.address)).form(&filled).send().await.expect("the page answers");
            (response.status().as_u16(), response.text().await.unwrap_or_default())
        }
    }
}

/// Whether `status` is what `who` should hear from a row of `least`.
fn cell_is_right(least: Least, who: Who, status: u16) -> bool {
    if status >= 500 {
        return false;
    }
    if least == Least::FirstRun {
        return status == 409;
    }
    match (least.allows(who), who) {
        (true, _) => status != 401 && status != 403,
        (false, Who::Off | Who::SignedOut) => status == 401,
        (false, _) => status == 403,
    }
}

// ---- the matrix ------------------------------------------------------------------

/// The changes recorded as done by the caller (every change commits with its
/// audit line in the events table), so a refused call can be shown to have
/// changed nothing. Signed-out callers have no id: 0.
async fn audited(app: &TestApp, caller: &Caller) -> i64 {
    let Some(user) = &caller.user else { return 0 };
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE actor_user_id = $1 AND result = 'ok'")
        .bind(user.id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    count
}

async fn every_endpoint_against_every_caller(app: &TestApp) {
    let world = world(app).await;
    let mut lines = Vec::new();
    let mut wrong = Vec::new();
    let mut cells = 0;
    for row in ENDPOINTS {
        let mut line = format!("{:<36} {:<9} {:<22}", row.endpoint(), row.least.short(), row.record.note());
        for caller in &world.callers {
            let vars = world.cell_vars(app, row.record, caller).await;
            let refused = row.least != Least::FirstRun && !row.least.allows(caller.who);
            let before = audited(app, caller).await;
            let (status, body) = send(app, row, caller, &vars).await;
            cells += 1;
            let mut right = cell_is_right(row.least, caller.who, status);
            if right && refused && audited(app, caller).await != before {
                wrong.push(format!("{} as {}: refused ({status}) but a change was recorded", row.endpoint(), caller.who.short()));
                right = false;
            }
            line.push_str(&format!(" {:>4}{}", status, if right { ' ' } else { '!' }));
            if !right {
                wrong.push(format!("{} as {}: {status} {}", row.endpoint(), caller.who.short(), body.chars().take(200).collect::<String>()));
            }
        }
        lines.push(line);
    }
    let header = format!(
        "{:<36} {:<9} {:<22}{}",
        "endpoint",
        "least",
        "record",
        CALLERS.iter().map(|w| format!(" {:>5}", &w.short()[..5.min(w.short().len())])).collect::<String>()
    );
    assert!(
        wrong.is_empty(),
        "{} of {cells} cells are wrong (marked !; 401/403 = refused):\n{header}\n{}\n\n{}",
        wrong.len(),
        lines.join("\n"),
        wrong.join("\n")
    );
    assert_eq!(cells, ENDPOINTS.len() * CALLERS.len());
}
on_both_databases!(every_endpoint_against_every_caller, roomy);

// ---- other people's records, by id ---------------------------------------------------

/// What an action on a person's records needs made first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holds {
    /// Nothing but the person (`{person}`, `{email}`, `{name}`, `{role}`).
    Person,
    /// A card of theirs (`{card}`).
    Card,
    /// A fresh group (`{group}`), and with `true` their membership of it (`{membership}`).
    Group(bool),
    /// An API key of theirs (`{key}`).
    Key,
    /// A login of theirs (`{login}`), made by the owner on their behalf.
    Login,
}

/// One change (or read) of a person's records.
struct Action {
    call: Call,
    holds: Holds,
    /// The owner's account itself (profile, app access, password,
    /// deletion): nobody else may change it, admins included.
    owners_account: bool,
    /// A read: managers read their places' members, and find no staff.
    read: bool,
}

const fn on_person(call: Call, holds: Holds) -> Action {
    Action { call, holds, owners_account: false, read: false }
}

const fn on_account(call: Call) -> Action {
    Action { call, holds: Holds::Person, owners_account: true, read: false }
}

const ACTIONS: &[Action] = &[
    on_account(Call::Rpc("save_user", &[("id", "{person}"), ("form[name]", "{name}"), ("form[email]", "{email}"), ("form[role]", "{role}"), ("form[confirmed]", "on"), ("form[app_access]", "on")])),
    on_account(Call::Rpc("save_user", &[("id", "{person}"), ("form[name]", "{name}"), ("form[email]", "{email}"), ("form[role]", "{role}"), ("form[confirmed]", "on")])),
    on_account(Call::Rpc("delete_user", &[("id", "{person}")])),
    on_account(Call::Rpc("set_user_password", &[("user_id", "{person}"), ("password", "another long password")])),
    on_person(Call::Rpc("add_card", &[("user_id", "{person}"), ("number", "{number}"), ("label", "")]), Holds::Person),
    on_person(Call::Rpc("change_card", &[("card_id", "{card}"), ("change", "deactivate")]), Holds::Card),
    on_person(Call::Rpc("change_card", &[("card_id", "{card}"), ("change", "activate")]), Holds::Card),
    on_person(Call::Rpc("change_card", &[("card_id", "{card}"), ("change", "delete")]), Holds::Card),
    on_person(Call::Rpc("change_group_member", &[("group_id", "{group}"), ("user_id", "{person}"), ("add", "true")]), Holds::Group(false)),
    on_person(Call::Rpc("change_group_member", &[("group_id", "{group}"), ("user_id", "{person}"), ("add", "false")]), Holds::Group(true)),
    on_person(Call::Rpc("revoke_api_key", &[("id", "{key}")]), Holds::Key),
    on_person(Call::Rpc("revoke_login", &[("id", "{login}")]), Holds::Login),
    on_account(Call::Rpc("send_welcome_email", &[("user_id", "{person}")])),
    Action { call: Call::Rpc("get_user", &[("id", "{person}")]), holds: Holds::Person, owners_account: false, read: true },
    on_account(Call::Api(Method::PATCH, "", "/users/{person}", Some(r#"{"user": {"name": "Renamed"}}"#))),
    on_account(Call::Api(Method::PATCH, "", "/users/{person}", Some(r#"{"user": {"app_access": false}}"#))),
    on_account(Call::Api(Method::DELETE, "", "/users/{person}", None)),
    on_person(Call::Api(Method::POST, "", "/cards", Some(r#"{"card": {"user_id": {person}, "number": "{number}"}}"#)), Holds::Person),
    on_person(Call::Api(Method::PATCH, "", "/cards/{card}", Some(r#"{"card": {"active": false}}"#)), Holds::Card),
    on_person(Call::Api(Method::DELETE, "", "/cards/{card}", None), Holds::Card),
    on_person(Call::Api(Method::POST, "", "/role_assignments", Some(r#"{"role_assignment": {"user_id": {person}, "group_id": {group}}}"#)), Holds::Group(false)),
    on_person(Call::Api(Method::PATCH, "", "/role_assignments/{membership}", Some(r#"{"role_assignment": {"valid_until": "2040-01-01T00:00:00Z"}}"#)), Holds::Group(true)),
    on_person(Call::Api(Method::DELETE, "", "/role_assignments/{membership}", None), Holds::Group(true)),
    Action { call: Call::Api(Method::GET, "", "/users/{person}", None), holds: Holds::Person, owners_account: false, read: true },
];

/// What an actor acting on a target's records should hear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// 200 or 204.
    Done,
    /// 403.
    Refused,
    /// 409: the owner cannot be deleted, by anyone.
    Conflict,
    /// 404: outside the caller's scope (a manager reading staff: managers
    /// see the members of their places only).
    Hidden,
}

fn expected(actor: Role, target: Role, action: &Action) -> Outcome {
    let deletes_the_person = matches!(action.call, Call::Rpc("delete_user", _) | Call::Api(Method::DELETE, _, "/users/{person}", _));
    match actor {
        Role::Member => Outcome::Refused,
        Role::Manager if target == Role::Member => Outcome::Done,
        Role::Manager if action.read => Outcome::Hidden,
        Role::Manager => Outcome::Refused,
        _ if target == Role::Owner && action.owners_account && deletes_the_person => Outcome::Conflict,
        _ if target == Role::Owner && action.owners_account => Outcome::Refused,
        _ => Outcome::Done,
    }
}

fn outcome_of(status: u16) -> Option<Outcome> {
    match status {
        200 | 204 => Some(Outcome::Done),
        403 => Some(Outcome::Refused),
        409 => Some(Outcome::Conflict),
        404 => Some(Outcome::Hidden),
        _ => None,
    }
}

/// A manager changes members' records only, never the owner's, an admin's
/// or another manager's; a member changes nobody's; an admin changes
/// everyone's but the owner's account. Dashboard and API alike, by id; each
/// refused change is checked to have changed nothing.
async fn other_peoples_records_by_id(app: &TestApp) {
    let world = world(app).await;
    let actors: Vec<&Caller> = world.callers.iter().filter(|c| matches!(c.who, Who::Admin | Who::Manager | Who::Member)).collect();
    let mut lines = Vec::new();
    let mut wrong = Vec::new();
    for action in ACTIONS {
        let name = match &action.call {
            Call::Rpc(name, form) => match form.iter().find(|(k, _)| ["change", "add"].contains(k)) {
                Some((k, v)) => format!("/rpc/{name} {k}={v}"),
                None if *name == "save_user" && !form.iter().any(|(k, _)| *k == "form[app_access]") => format!("/rpc/{name} app access off"),
                None => format!("/rpc/{name}"),
            },
            Call::Api(method, _, path, body) => format!("{method} /api{path} {}", body.unwrap_or("").chars().take(28).collect::<String>()),
            Call::Page(..) => unreachable!("ACTIONS calls no plain page"),
        };
        for actor in &actors {
            let actor_role = actor.user.as_ref().unwrap().role;
            let mut line = format!("{name:<72} as {:<8}", actor.who.short());
            for target in [Role::Owner, Role::Admin, Role::Manager, Role::Member] {
                let (person, email) = match target {
                    Role::Owner => (world.owner.id, world.owner.email.clone()),
                    role => world.member(app, role).await,
                };
                let n = world.next();
                let mut vars: HashMap<&'static str, String> = HashMap::from([
                    ("person", person.to_string()),
                    ("email", email.clone()),
                    ("name", email.split('@').next().unwrap().to_owned()),
                    ("role", target.as_str().to_owned()),
                    ("number", format!("{}", 700_000 + n)),
                ]);
                match action.holds {
                    Holds::Person => {}
                    Holds::Card => {
                        vars.insert("card", world.card(app, person).await.to_string());
                    }
                    Holds::Group(member) => {
                        let group = world.fresh_group(app).await;
                        if member {
                            let id = groups::add_membership(&app.db, &world.owner, group.parse().unwrap(), person, Validity::default()).await.unwrap();
                            vars.insert("membership", id.to_string());
                        }
                        vars.insert("group", group);
                    }
                    Holds::Key => {
                        let key = api_keys::issue(&app.db, person, &Name::parse("theirs").unwrap()).await.unwrap();
                        vars.insert("key", key.key.id.to_string());
                    }
                    Holds::Login => {
                        let login = api_keys::create_login_for(&app.db, &world.owner, person, &Name::parse("their phone").unwrap()).await.unwrap();
                        vars.insert("login", login.key.id.to_string());
                    }
                }
                let before = snapshot(app, person).await;
                let (status, body) = match &action.call {
                    Call::Rpc(endpoint, form) => {
                        let filled: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, fill_by_id(v, &vars))).collect();
                        let form: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        let (status, body) = common::call_with(&actor.browser, &app.address, endpoint, &form).await;
                        (status, body.to_string())
                    }
                    Call::Api(method, _, path, body) => {
                        let body = body.map(|b| fill_by_id(b, &vars));
                        api_call(app, actor.key.as_deref(), method.clone(), &fill_by_id(path, &vars), body.as_deref()).await
                    }
                    Call::Page(..) => unreachable!("ACTIONS calls no plain page"),
                };
                let want = expected(actor_role, target, action);
                let got = outcome_of(status);
                let mut right = got == Some(want);
                if right && want != Outcome::Done && !action.read && snapshot(app, person).await != before {
                    wrong.push(format!("{name} as {} on {}: refused ({status}) but something changed", actor.who.short(), target.as_str()));
                    right = false;
                } else if !right {
                    wrong.push(format!("{name} as {} on {}: {status}, want {want:?}: {}", actor.who.short(), target.as_str(), body.chars().take(160).collect::<String>()));
                }
                line.push_str(&format!(" {:>7}:{status}{}", target.as_str(), if right { ' ' } else { '!' }));
            }
            lines.push(line);
        }
    }
    assert!(wrong.is_empty(), "{} cells are wrong (marked !):\n{}\n\n{}", wrong.len(), lines.join("\n"), wrong.join("\n"));
}
on_both_databases!(other_peoples_records_by_id, roomy);

fn fill_by_id(template: &str, vars: &HashMap<&'static str, String>) -> String {
    let mut text = template.to_owned();
    for (name, value) in vars {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Everything about a person an action could change: their row, password,
/// cards, memberships and keys.
async fn snapshot(app: &TestApp, person: i64) -> String {
    let person_row: Option<(String, String, String, i64, Option<String>)> =
        sqlx::query_as("SELECT name, email, role, app_access, password_hash FROM users WHERE id = $1")
            .bind(person)
            .fetch_optional(app.db.pool())
            .await
            .unwrap();
    let cards: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, active FROM cards WHERE user_id = $1 ORDER BY id").bind(person).fetch_all(app.db.pool()).await.unwrap();
    let memberships: Vec<(i64, i64, Option<i64>)> =
        sqlx::query_as("SELECT id, group_id, valid_until FROM group_members WHERE user_id = $1 ORDER BY id")
            .bind(person)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let keys: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, revoked_at FROM api_keys WHERE user_id = $1 ORDER BY id").bind(person).fetch_all(app.db.pool()).await.unwrap();
    format!("{person_row:?} {cards:?} {memberships:?} {keys:?}")
}

// ---- no staff roles from a manager ---------------------------------------------------

/// A manager gives no staff role: creating an admin, a manager or an owner,
/// or raising a member to one, is refused on the dashboard and the API
/// (403, or 422 beside the role field) and nothing is written.
async fn a_manager_gives_no_staff_roles(app: &TestApp) {
    let world = world(app).await;
    let manager = world.callers.iter().find(|c| c.who == Who::Manager).unwrap();
    let refused = |status: u16| status == 403 || status == 422;
    for role in ["owner", "admin", "manager"] {
        let email = format!("raised-{role}@example.com");
        let form = [("form[name]", "Raised"), ("form[email]", email.as_str()), ("form[role]", role), ("form[app_access]", "on")];
        let (status, body) = common::call_with(&manager.browser, &app.address, "save_user", &form).await;
        assert!(refused(status), "dashboard: a new {role}: {status} {body}");
        let body = format!(r#"{{"user": {{"name": "Raised", "email": "api-{email}", "role": "{role}"}}}}"#);
        let (status, answer) = api_call(app, manager.key.as_deref(), Method::POST, "/users", Some(&body)).await;
        assert!(refused(status), "API: a new {role}: {status} {answer}");
        let (member, member_email) = world.member(app, Role::Member).await;
        let before = snapshot(app, member).await;
        let id = member.to_string();
        let form = [("id", id.as_str()), ("form[name]", "Raised"), ("form[email]", member_email.as_str()), ("form[role]", role), ("form[app_access]", "on")];
        let (status, body) = common::call_with(&manager.browser, &app.address, "save_user", &form).await;
        assert!(refused(status), "dashboard: a member raised to {role}: {status} {body}");
        let body = format!(r#"{{"user": {{"role": "{role}"}}}}"#);
        let (status, answer) = api_call(app, manager.key.as_deref(), Method::PATCH, &format!("/users/{member}"), Some(&body)).await;
        assert!(refused(status), "API: a member raised to {role}: {status} {answer}");
        assert_eq!(snapshot(app, member).await, before, "the member raised to {role} is unchanged");
    }
    let (raised,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE email LIKE '%raised-%'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(raised, 0, "no staff was created");
}
on_both_databases!(a_manager_gives_no_staff_roles, roomy);
