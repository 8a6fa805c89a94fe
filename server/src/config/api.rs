//! The JSON API's rate limits and the reverse proxies whose forwarded
//! address is believed.
//!
//! ```toml
//! trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]   # default: none
//! [api]
//! rate_per_key = 5        # requests per second, or "unlimited"
//! burst_per_key = 60      # requests at once
//! rate_per_ip = 20
//! burst_per_ip = 200
//! ```
//! Each also reads from the environment (`POSTERN_TRUSTED_PROXIES` as a
//! comma-separated list, `POSTERN_API_RATE_PER_KEY`, `POSTERN_API_BURST_PER_KEY`,
//! `POSTERN_API_RATE_PER_IP`, `POSTERN_API_BURST_PER_IP`) and the rates and
//! bursts from `serve`'s flags (`--api-rate-per-key` …), which win.

use super::Overrides;
use crate::api::rate_limit::{self, Rate, RateLimits};
use crate::client_address::TrustedProxies;
use serde::Deserialize;

/// A rate in the file: a number, or the word "unlimited".
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RateValue {
    Number(i64),
    Text(String),
}

impl RateValue {
    fn text(self) -> String {
        match self {
            RateValue::Number(n) => n.to_string(),
            RateValue::Text(text) => text,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiFile {
    rate_per_key: Option<RateValue>,
    burst_per_key: Option<i64>,
    rate_per_ip: Option<RateValue>,
    burst_per_ip: Option<i64>,
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `[api]`: the rate limits, flags over environment over file over defaults.
pub fn limits(file: ApiFile, overrides: &Overrides, env: Env) -> Result<RateLimits, String> {
    let defaults = RateLimits::default();
    let one = |flag: &Option<String>,
               rate_var: &str,
               rate_file: Option<RateValue>,
               burst_flag: &Option<String>,
               burst_var: &str,
               burst_file: Option<i64>,
               default: Option<Rate>|
     -> Result<Option<Rate>, String> {
        let default = default.expect("the defaults are limited");
        let rate = match flag.clone().or_else(|| env(rate_var)).or_else(|| rate_file.map(RateValue::text)) {
            Some(text) => rate_limit::parse_limit(rate_var, &text)?,
            None => Some(default.per_second),
        };
        let burst = match burst_flag.clone().or_else(|| env(burst_var)).or_else(|| burst_file.map(|n| n.to_string())) {
            Some(text) => rate_limit::parse_burst(burst_var, &text)?,
            None => default.burst,
        };
        Ok(rate.map(|per_second| Rate { per_second, burst }))
    };
    Ok(RateLimits {
        per_key: one(
            &overrides.api_rate_per_key,
            rate_limit::PER_KEY_VAR,
            file.rate_per_key,
            &overrides.api_burst_per_key,
            rate_limit::BURST_PER_KEY_VAR,
            file.burst_per_key,
            defaults.per_key,
        )?,
        per_ip: one(
            &overrides.api_rate_per_ip,
            rate_limit::PER_IP_VAR,
            file.rate_per_ip,
            &overrides.api_burst_per_ip,
            rate_limit::BURST_PER_IP_VAR,
            file.burst_per_ip,
            defaults.per_ip,
        )?,
    })
}

/// `trusted_proxies`: the environment's list wins over the file's.
pub fn trusted_proxies(file: Option<Vec<String>>, env: Env) -> Result<TrustedProxies, String> {
    match env("POSTERN_TRUSTED_PROXIES") {
        Some(text) => TrustedProxies::parse_list(&text),
        None => TrustedProxies::parse(file.iter().flatten().map(String::as_str)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_then_file_then_environment_then_flags() {
        let defaults = limits(ApiFile::default(), &Overrides::default(), &no_env).unwrap();
        assert_eq!(defaults, RateLimits::default());
        let file: ApiFile = toml::from_str("rate_per_key = 10\nburst_per_key = 100\nrate_per_ip = \"unlimited\"").unwrap();
        let env = |name: &str| (name == "POSTERN_API_BURST_PER_KEY").then(|| "120".to_owned());
        let flags = Overrides { api_rate_per_key: Some("7".into()), ..Default::default() };
        let chosen = limits(file, &flags, &env).unwrap();
        assert_eq!(chosen.per_key, Some(Rate { per_second: NonZeroU32::new(7).unwrap(), burst: NonZeroU32::new(120).unwrap() }));
        assert_eq!(chosen.per_ip, None);
        let bad = Overrides { api_burst_per_ip: Some("lots".into()), ..Default::default() };
        assert!(limits(ApiFile::default(), &bad, &no_env).unwrap_err().contains("POSTERN_API_BURST_PER_IP"));
    }

    #[test]
    fn trusted_proxies_from_the_file_or_the_environment() {
        let from_file = trusted_proxies(Some(vec!["127.0.0.1".into(), "10.0.0.0/8".into()]), &no_env).unwrap();
        assert!(!from_file.is_empty());
        let env = |name: &str| (name == "POSTERN_TRUSTED_PROXIES").then(|| "::1, 192.0.2.0/24".to_owned());
        assert_eq!(trusted_proxies(None, &env).unwrap(), TrustedProxies::parse(["::1", "192.0.2.0/24"]).unwrap());
        assert!(trusted_proxies(Some(vec!["nope".into()]), &no_env).is_err());
    }
}
