//! Test helpers: a real Postern server on port 0 against a fresh SQLite file
//! or a fresh PostgreSQL database, and an HTTP client that behaves like a
//! same-origin browser (cookies kept, Origin sent).

#![allow(dead_code)]

use postern::services::Db;
use postern_server::config::Config;
use postern_server::startup::Application;
use rand::Rng;
use serde_json::Value;
use std::time::Duration;

/// Where the test PostgreSQL lives; each test creates its own database there.
pub fn postgres_admin_url() -> String {
    std::env::var("POSTERN_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub db: Db,
    /// The server's controller bridges (to drive simulated controllers).
    pub bridges: postern::services::bridge::Bridges,
    /// The server's unlock service.
    pub unlock: postern::services::unlock::UnlockService,
    /// The server's live door status (for services called directly).
    pub live: postern::services::live::Live,
    pub client: reqwest::Client,
    database_url: String,
    backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    PostgresDatabase(String),
}

fn random_name(prefix: &str) -> String {
    let n: u64 = rand::thread_rng().gen();
    format!("{prefix}_{n:016x}")
}

async fn admin_execute(sql: &str) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("{}/postgres", postgres_admin_url()))
        .await
        .expect("PostgreSQL must be running for the integration tests (see README: scripts/test.sh starts it)");
    conn.execute(sql).await.expect("admin SQL failed");
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Like [`spawn`](Self::spawn), with the configuration adjusted first
    /// (an SMTP server, an SMS provider, quotas…).
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", random_name("postern_test")));
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Backend::Postgres => {
                let name = random_name("postern_test");
                admin_execute(&format!("CREATE DATABASE {name}")).await;
                (format!("{}/{name}", postern_admin_or_base()), Cleanup::PostgresDatabase(name))
            }
        };
        let mut config = Config { database_url: url.clone(), ..test_config() };
        adjust(&mut config);
        postern_server::telemetry::init("warn");
        let app = Application::build(&config).await.expect("the server starts");
        let address = format!("http://127.0.0.1:{}", app.port);
        let db = app.db.clone();
        let bridges = app.bridges.clone();
        let unlock = app.unlock.clone();
        let live = app.live.clone();
        tokio::spawn(app.run_until_stopped());
        TestApp { client: browser_client(&address), address, db, bridges, unlock, live, database_url: url, backend, cleanup }
    }

    /// The database's URL (to open a connection of one's own, as another
    /// process would).
    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `sql` in another process, as an operator would: the `sqlite3`
    /// shell on the SQLite file, `psql` on the PostgreSQL database.
    pub async fn execute_in_another_process(&self, sql: &str) {
        let mut command = match &self.cleanup {
            Cleanup::File(path) => {
                let mut shell = tokio::process::Command::new("sqlite3");
                // Waits for the server's write lock, as an operator's shell would be told to.
                shell.args(["-cmd", ".timeout 5000"]).arg(path).arg(sql);
                shell
            }
            Cleanup::PostgresDatabase(name) => {
                let mut shell = tokio::process::Command::new("psql");
                shell.arg(format!("{}/{name}", postern_admin_or_base())).args(["-v", "ON_ERROR_STOP=1", "-c", sql]);
                shell
            }
        };
        let output = command.output().await.expect("sqlite3 and psql are installed (scripts/install-deps.sh)");
        assert!(output.status.success(), "{sql}: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// A second, independent browser (its own cookies).
    pub fn new_browser(&self) -> reqwest::Client {
        browser_client(&self.address)
    }

    /// Calls a server function like the hydrated page does; returns status and JSON.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
        call_with(&self.client, &self.address, endpoint, form).await
    }

    /// Calls a server function that creates something; returns its id as text.
    pub async fn create(&self, endpoint: &str, form: &[(&str, &str)]) -> String {
        let (status, body) = self.call(endpoint, form).await;
        assert_eq!(status, 200, "{endpoint}: {body}");
        body.as_i64().unwrap_or_else(|| panic!("{endpoint} returns an id: {body}")).to_string()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.address)).header("accept", "text/html").send().await.expect("GET works")
    }

    /// A confirmed person with app access and this role, named after their
    /// email's local part, without a password; returns their id.
    pub async fn insert_person(&self, email: &str, role: postern::types::Role) -> i64 {
        let form = postern::model::UserForm {
            name: email.split('@').next().unwrap_or(email).into(),
            email: email.into(),
            role: role.as_str().into(),
            confirmed: Some("on".into()),
            app_access: Some("on".into()),
            ..Default::default()
        };
        postern::services::users::insert(&self.db, &form.validate().unwrap(), None).await.unwrap()
    }

    /// Creates the owner through the first-run form and keeps the session.
    pub async fn sign_up_owner(&self) -> (String, String) {
        let email = "owner@example.com".to_owned();
        let password = "correct horse battery".to_owned();
        let (status, body) = self
            .call("setup_owner", &[("organization", "Acme"), ("name", "Olive Owner"), ("email", &email), ("password", &password)])
            .await;
        assert_eq!(status, 200, "setup_owner failed: {body}");
        (email, password)
    }

    pub async fn cleanup(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PostgresDatabase(name) => {
                admin_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            }
        }
    }
}

/// The configuration test servers start from (port 0; the database URL is
/// set by the caller).
pub fn test_config() -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: String::new(),
        cookie_secure: false,
        session_idle: Duration::from_secs(3600),
        session_absolute: Duration::from_secs(24 * 3600),
        site_root: "target/site".into(),
        log: "warn".into(),
        smtp: None,
        sms: None,
        link_settings: Default::default(),
        public_url: None,
        trusted_proxies: Default::default(),
        api_limits: Default::default(),
        webhook_allow_private: false,
    }
}

fn postern_admin_or_base() -> String {
    postgres_admin_url()
}

pub fn browser_client(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("origin", address.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn call_with(client: &reqwest::Client, address: &str, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = client
        .post(format!("{address}/rpc/{endpoint}"))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .expect("server function call");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// The message the server put beside `field`, from an `Invalid` error body.
pub fn field_message(body: &Value, field: &str) -> Option<String> {
    body.get("Invalid")?
        .as_array()?
        .iter()
        .find(|e| e.get("field").and_then(Value::as_str) == Some(field))
        .and_then(|e| e.get("message")?.as_str().map(str::to_owned))
}

/// Runs one scenario against both databases, as two separate tests.
#[macro_export]
macro_rules! on_both_databases {
    ($scenario:ident) => {
        mod $scenario {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = common::TestApp::spawn(common::Backend::Sqlite).await;
                super::$scenario(&app).await;
                app.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = common::TestApp::spawn(common::Backend::Postgres).await;
                super::$scenario(&app).await;
                app.cleanup().await;
            }
        }
    };
    // With the configuration adjusted first: `on_both_databases!(scenario, |config| ...)`.
    ($scenario:ident, $adjust:expr) => {
        mod $scenario {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = common::TestApp::spawn_with(common::Backend::Sqlite, $adjust).await;
                super::$scenario(&app).await;
                app.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = common::TestApp::spawn_with(common::Backend::Postgres, $adjust).await;
                super::$scenario(&app).await;
                app.cleanup().await;
            }
        }
    };
}

/// Waits (up to 10 s) until `check` holds.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
