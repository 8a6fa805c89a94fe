//! The messaging part of the configuration: where email and text messages
//! go, the access-link quotas, and the public address used in links.
//!
//! ```toml
//! public_url = "https://doors.example.com"
//! [smtp]                 # absent = messages wait in the outbox
//! host = "smtp.example.com"
//! port = 587
//! tls = "starttls"       # none | starttls | tls
//! username = "doors"
//! password = "…"
//! from = "Doors <doors@example.com>"
//! [sms]                  # a Twilio-style Messages API; absent = outbox
//! url = "https://api.twilio.com"
//! account = "AC…"
//! token = "…"
//! from = "+12125550100"
//! [links]
//! email_quota = 1000
//! sms_monthly_quota = 10
//! ```
//! Each key also reads from `POSTERN_<SECTION>_<KEY>` (e.g. `POSTERN_SMTP_HOST`).

use postern::services::access_links::LinkSettings;
use postern::services::messaging::{SmsSettings, SmtpSettings};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<String>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsFile {
    url: Option<String>,
    account: Option<String>,
    token: Option<String>,
    from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksFile {
    email_quota: Option<i64>,
    sms_monthly_quota: Option<i64>,
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `[smtp]`: `None` when no host is set.
pub fn smtp(file: SmtpFile, env: Env) -> Result<Option<SmtpSettings>, String> {
    let Some(host) = env("POSTERN_SMTP_HOST").or(file.host) else { return Ok(None) };
    let tls_text = env("POSTERN_SMTP_TLS").or(file.tls).unwrap_or_else(|| "starttls".into());
    let tls = SmtpSettings::parse_tls(&tls_text).map_err(|e| format!("smtp.tls: {e}"))?;
    let default_port = match tls_text.trim().to_ascii_lowercase().as_str() {
        "tls" => 465,
        "none" => 25,
        _ => 587,
    };
    let port = match env("POSTERN_SMTP_PORT") {
        Some(text) => text.trim().parse::<u16>().map_err(|_| format!("smtp.port: “{text}” is not a port number (1-65535)."))?,
        None => file.port.unwrap_or(default_port),
    };
    if port == 0 {
        return Err("smtp.port: use a port from 1 to 65535.".into());
    }
    let from = env("POSTERN_SMTP_FROM")
        .or(file.from)
        .ok_or("smtp.from: set the sender, like \"Doors <doors@example.com>\", when smtp.host is set.")?;
    if !from.contains('@') {
        return Err(format!("smtp.from: “{from}” is not an email address like \"Doors <doors@example.com>\"."));
    }
    let username = env("POSTERN_SMTP_USERNAME").or(file.username);
    let password = env("POSTERN_SMTP_PASSWORD").or(file.password);
    if username.is_some() != password.is_some() {
        return Err("smtp.username and smtp.password: set both or neither.".into());
    }
    Ok(Some(SmtpSettings { host: host.trim().to_owned(), port, tls, username, password, from }))
}

/// `[sms]`: `None` when no URL is set.
pub fn sms(file: SmsFile, env: Env) -> Result<Option<SmsSettings>, String> {
    let Some(url) = env("POSTERN_SMS_URL").or(file.url) else { return Ok(None) };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!("sms.url: “{url}” is not an http(s) address like https://api.twilio.com."));
    }
    let need = |key: &str, value: Option<String>| value.ok_or_else(|| format!("sms.{key}: set it when sms.url is set."));
    Ok(Some(SmsSettings {
        url,
        account: need("account", env("POSTERN_SMS_ACCOUNT").or(file.account))?,
        token: need("token", env("POSTERN_SMS_TOKEN").or(file.token))?,
        from: need("from", env("POSTERN_SMS_FROM").or(file.from))?,
    }))
}

/// `[links]`: the quotas, defaults from SPEC §4.
pub fn links(file: LinksFile, env: Env) -> Result<LinkSettings, String> {
    let defaults = LinkSettings::default();
    let number = |key: &str, var: &str, value: Option<i64>, default: i64| -> Result<i64, String> {
        let n = match env(var) {
            Some(text) => text.trim().parse::<i64>().map_err(|_| format!("links.{key}: “{text}” is not a whole number."))?,
            None => value.unwrap_or(default),
        };
        if n < 0 {
            return Err(format!("links.{key}: use 0 or more."));
        }
        Ok(n)
    };
    Ok(LinkSettings {
        email_quota: number("email_quota", "POSTERN_LINKS_EMAIL_QUOTA", file.email_quota, defaults.email_quota)?,
        sms_monthly_quota: number(
            "sms_monthly_quota",
            "POSTERN_LINKS_SMS_MONTHLY_QUOTA",
            file.sms_monthly_quota,
            defaults.sms_monthly_quota,
        )?,
    })
}

/// `public_url`: an http(s) origin without a trailing slash.
pub fn public_url(value: Option<String>) -> Result<Option<String>, String> {
    let Some(url) = value else { return Ok(None) };
    let trimmed = url.trim().trim_end_matches('/');
    if !(trimmed.starts_with("https://") || trimmed.starts_with("http://")) || trimmed.len() <= "https://".len() {
        return Err(format!("public_url: “{url}” is not an address like https://doors.example.com."));
    }
    Ok(Some(trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn smtp_is_optional_and_checked() {
        assert_eq!(smtp(SmtpFile::default(), &no_env).unwrap(), None);
        let file = SmtpFile { host: Some("mail.local".into()), from: Some("Doors <d@x.org>".into()), ..Default::default() };
        let s = smtp(file, &no_env).unwrap().unwrap();
        assert_eq!((s.port, s.tls), (587, postern::services::messaging::SmtpTls::StartTls));
        let bad = SmtpFile { host: Some("h".into()), tls: Some("ssl3".into()), from: Some("a@b.c".into()), ..Default::default() };
        assert!(smtp(bad, &no_env).unwrap_err().starts_with("smtp.tls:"));
        let no_from = SmtpFile { host: Some("h".into()), ..Default::default() };
        assert!(smtp(no_from, &no_env).unwrap_err().starts_with("smtp.from:"));
        let env = |k: &str| (k == "POSTERN_SMTP_PORT").then(|| "many".to_owned());
        let file = SmtpFile { host: Some("h".into()), from: Some("a@b.c".into()), ..Default::default() };
        assert!(smtp(file, &env).unwrap_err().starts_with("smtp.port:"));
    }

    #[test]
    fn sms_needs_all_its_keys() {
        assert_eq!(sms(SmsFile::default(), &no_env).unwrap(), None);
        let partial = SmsFile { url: Some("https://api.twilio.com".into()), account: Some("AC1".into()), ..Default::default() };
        assert!(sms(partial, &no_env).unwrap_err().starts_with("sms.token:"));
        let bad = SmsFile { url: Some("ftp://x".into()), ..Default::default() };
        assert!(sms(bad, &no_env).unwrap_err().starts_with("sms.url:"));
    }

    #[test]
    fn quotas_default_to_the_spec_and_refuse_nonsense() {
        assert_eq!(links(LinksFile::default(), &no_env).unwrap(), LinkSettings::default());
        let env = |k: &str| (k == "POSTERN_LINKS_EMAIL_QUOTA").then(|| "lots".to_owned());
        assert!(links(LinksFile::default(), &env).unwrap_err().starts_with("links.email_quota:"));
        assert!(links(LinksFile { sms_monthly_quota: Some(-1), ..Default::default() }, &no_env).is_err());
    }

    #[test]
    fn public_url_is_an_origin() {
        assert_eq!(public_url(Some("https://doors.example.com/".into())).unwrap().as_deref(), Some("https://doors.example.com"));
        assert!(public_url(Some("doors.example.com".into())).is_err());
        assert_eq!(public_url(None).unwrap(), None);
    }
}
