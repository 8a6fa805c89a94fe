//! Configuration: defaults, then a TOML file, then `POSTERN_*` environment
//! variables, then command-line flags. Every value is checked at start-up
//! and a bad one stops Postern with a sentence that names it.

mod api;
mod messaging;

pub use crate::api::rate_limit::{Rate, RateLimits};
pub use crate::client_address::TrustedProxies;
use postern::services::access_links::LinkSettings;
use postern::services::db::DbKind;
use postern::services::messaging::{SmsSettings, SmtpSettings};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The checked configuration every subcommand reads.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    pub cookie_secure: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Where the built site (`pkg/` with the Wasm, CSS) is served from.
    pub site_root: String,
    /// A `tracing` filter such as "info" or "postern=debug,info".
    pub log: String,
    /// Where email goes; `None` = the outbox.
    pub smtp: Option<SmtpSettings>,
    /// Where text messages go; `None` = the outbox.
    pub sms: Option<SmsSettings>,
    /// The access-link quotas.
    pub link_settings: LinkSettings,
    /// The address in links sent to people; `None` = the request's host.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: TrustedProxies,
    /// The JSON API's rate limits (per key, per IP).
    pub api_limits: RateLimits,
    /// Lets webhooks reach loopback and private addresses (off: refused at
    /// registration and when sending).
    pub webhook_allow_private: bool,
}

/// The TOML file's shape: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    database_url: Option<String>,
    cookie_secure: Option<bool>,
    session_idle_minutes: Option<u64>,
    session_absolute_hours: Option<u64>,
    site_root: Option<String>,
    log: Option<String>,
    public_url: Option<String>,
    #[serde(default)]
    smtp: messaging::SmtpFile,
    #[serde(default)]
    sms: messaging::SmsFile,
    #[serde(default)]
    links: messaging::LinksFile,
    trusted_proxies: Option<Vec<String>>,
    #[serde(default)]
    api: api::ApiFile,
    webhook_allow_private: Option<bool>,
}

/// Values given on the command line (they win over everything else).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub database_url: Option<String>,
    pub bind: Option<String>,
    /// `serve --api-rate-per-key`: requests per second, or "unlimited".
    pub api_rate_per_key: Option<String>,
    /// `serve --api-burst-per-key`.
    pub api_burst_per_key: Option<String>,
    /// `serve --api-rate-per-ip`.
    pub api_rate_per_ip: Option<String>,
    /// `serve --api-burst-per-ip`.
    pub api_burst_per_ip: Option<String>,
}

pub const DEFAULT_CONFIG_FILE: &str = "postern.toml";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/postern.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:3000";

impl Config {
    /// Loads from the file (the given one must exist; `postern.toml` is read
    /// if present), the environment and the overrides.
    pub fn load(overrides: &Overrides) -> Result<Config, String> {
        let env = |key: &str| std::env::var(key).ok().filter(|v| !v.trim().is_empty());
        let file_path = overrides.config_file.clone().or_else(|| env("POSTERN_CONFIG").map(PathBuf::from));
        let file = match &file_path {
            Some(path) => read_file(path)?,
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => read_file(Path::new(DEFAULT_CONFIG_FILE))?,
            None => FileConfig::default(),
        };
        let pick = |cli: &Option<String>, var: &str, file: &Option<String>| {
            cli.clone().or_else(|| env(var)).or_else(|| file.clone())
        };
        let bind_text = pick(&overrides.bind, "POSTERN_BIND", &file.bind).unwrap_or_else(|| DEFAULT_BIND.into());
        let bind = bind_text.parse::<SocketAddr>().map_err(|_| {
            format!("bind: “{bind_text}” is not an address and port like 127.0.0.1:3000 or 0.0.0.0:8080.")
        })?;
        let database_url = pick(&overrides.database_url, "POSTERN_DATABASE_URL", &file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        DbKind::from_url(&database_url).map_err(|e| format!("database_url: {e}"))?;
        let cookie_secure = match env("POSTERN_COOKIE_SECURE") {
            Some(text) => parse_bool("cookie_secure", &text)?,
            None => file.cookie_secure.unwrap_or(false),
        };
        let idle_minutes = match env("POSTERN_SESSION_IDLE_MINUTES") {
            Some(text) => parse_number("session_idle_minutes", &text)?,
            None => file.session_idle_minutes.unwrap_or(12 * 60),
        };
        let absolute_hours = match env("POSTERN_SESSION_ABSOLUTE_HOURS") {
            Some(text) => parse_number("session_absolute_hours", &text)?,
            None => file.session_absolute_hours.unwrap_or(7 * 24),
        };
        if !(1..=60 * 24 * 30).contains(&idle_minutes) {
            return Err("session_idle_minutes: use 1 to 43200 (30 days).".into());
        }
        if !(1..=24 * 365).contains(&absolute_hours) {
            return Err("session_absolute_hours: use 1 to 8760 (a year).".into());
        }
        let site_root = env("POSTERN_SITE_ROOT")
            .or_else(|| env("LEPTOS_SITE_ROOT"))
            .or(file.site_root)
            .unwrap_or_else(|| "target/site".into());
        let log = env("POSTERN_LOG").or(file.log).unwrap_or_else(|| "info".into());
        let public_url = messaging::public_url(env("POSTERN_PUBLIC_URL").or(file.public_url))?;
        let smtp = messaging::smtp(file.smtp, &env)?;
        let sms = messaging::sms(file.sms, &env)?;
        let link_settings = messaging::links(file.links, &env)?;
        let trusted_proxies = api::trusted_proxies(file.trusted_proxies, &env)?;
        let api_limits = api::limits(file.api, overrides, &env)?;
        let webhook_allow_private = match env("POSTERN_WEBHOOK_ALLOW_PRIVATE") {
            Some(text) => parse_bool("webhook_allow_private", &text)?,
            None => file.webhook_allow_private.unwrap_or(false),
        };
        Ok(Config {
            bind,
            database_url,
            cookie_secure,
            session_idle: Duration::from_secs(idle_minutes * 60),
            session_absolute: Duration::from_secs(absolute_hours * 3600),
            site_root,
            log,
            smtp,
            sms,
            link_settings,
            public_url,
            trusted_proxies,
            api_limits,
            webhook_allow_private,
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Could not read the configuration file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("The configuration file {} is not valid: {e}", path.display()))
}

fn parse_bool(key: &str, text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{key}: “{text}” is not true or false.")),
    }
}

fn parse_number(key: &str, text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| format!("{key}: “{text}” is not a whole number."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_and_bad_values_are_named() {
        let ok = Config::load(&Overrides {
            database_url: Some("sqlite://x/y.db".into()),
            bind: Some("127.0.0.1:0".into()),
            config_file: None,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.bind.port(), 0);
        assert_eq!(ok.database_url, "sqlite://x/y.db");

        let bad_bind = Config::load(&Overrides { bind: Some("nowhere".into()), ..Default::default() });
        assert!(bad_bind.unwrap_err().starts_with("bind:"));
        let bad_db = Config::load(&Overrides { database_url: Some("mysql://x".into()), ..Default::default() });
        assert!(bad_db.unwrap_err().starts_with("database_url:"));
    }

    #[test]
    fn config_file_with_unknown_key_is_refused() {
        let path = std::env::temp_dir().join(format!("postern-config-{}.toml", std::process::id()));
        std::fs::write(&path, "bind = \"127.0.0.1:4000\"\ndatabse_url = \"x\"\n").unwrap();
        let error = Config::load(&Overrides { config_file: Some(path.clone()), ..Default::default() }).unwrap_err();
        assert!(error.contains("databse_url"), "{error}");
        std::fs::write(&path, "bind = \"127.0.0.1:4000\"\n").unwrap();
        let config = Config::load(&Overrides { config_file: Some(path.clone()), ..Default::default() }).unwrap();
        assert_eq!(config.bind.port(), 4000);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn booleans_and_numbers() {
        assert_eq!(parse_bool("k", "Yes"), Ok(true));
        assert!(parse_bool("k", "maybe").is_err());
        assert!(parse_number("k", "ten").unwrap_err().contains("ten"));
    }
}
