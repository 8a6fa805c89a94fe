//! HTTP digest authentication as Shelly Gen2 devices use it (RFC 7616,
//! SHA-256, `qop=auth`, user always `admin`). The device answers a request
//! without credentials with 401 and a `WWW-Authenticate: Digest realm=…,
//! nonce=…` challenge; the next request carries an `Authorization` header
//! computed from it. Firmware 2.0+ accepts the same nonce again with a
//! growing nonce count, so the challenge is kept until the device sends a
//! new one.

use crate::services::tokens::{hash_token as sha256_hex, random_token};

/// The user name of every Shelly Gen2 device.
pub const USER: &str = "admin";

/// A `WWW-Authenticate: Digest …` challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub qop: Option<String>,
    pub opaque: Option<String>,
    pub algorithm: String,
}

/// Reads a digest challenge; `None` when the header is not one.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let params = parse_params(rest);
    let get = |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    Some(Challenge {
        realm: get("realm")?,
        nonce: get("nonce")?,
        qop: get("qop"),
        opaque: get("opaque"),
        algorithm: get("algorithm").unwrap_or_else(|| "MD5".into()),
    })
}

/// `key=value, key="quoted, value"` pairs.
fn parse_params(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut rest = text.trim_start();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(',').trim().to_owned();
        let after = after.trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        pairs.push((key, value));
        rest = remainder.trim_start().trim_start_matches(',').trim_start();
    }
    pairs
}

/// The `Authorization` header for one request. `nc` counts the requests made
/// with this challenge's nonce, from 1.
pub fn authorization(challenge: &Challenge, user: &str, password: &str, method: &str, uri: &str, nc: u32, cnonce: &str) -> String {
    let ha1 = sha256_hex(&format!("{user}:{}:{password}", challenge.realm));
    let ha2 = sha256_hex(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let mut header = format!(
        "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", algorithm=SHA-256",
        challenge.realm, challenge.nonce
    );
    let response = if challenge.qop.is_some() {
        header.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
        sha256_hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", challenge.nonce))
    } else {
        sha256_hex(&format!("{ha1}:{}:{ha2}", challenge.nonce))
    };
    header.push_str(&format!(", response=\"{response}\""));
    if let Some(opaque) = &challenge.opaque {
        header.push_str(&format!(", opaque=\"{opaque}\""));
    }
    header
}

/// Whether this client can answer the challenge (SHA-256, and `auth` among
/// the offered qop values when any are offered).
pub fn supported(challenge: &Challenge) -> bool {
    challenge.algorithm.eq_ignore_ascii_case("SHA-256")
        && challenge.qop.as_deref().is_none_or(|qop| qop.split(',').any(|q| q.trim() == "auth"))
}

/// A fresh client nonce.
pub fn cnonce() -> String {
    random_token()[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_shelly_challenge() {
        let header = r#"Digest qop="auth", realm="shellypro4pm-f008d1d8b8b8", nonce="60dc59c6", algorithm=SHA-256"#;
        let challenge = parse_challenge(header).unwrap();
        assert_eq!(challenge.realm, "shellypro4pm-f008d1d8b8b8");
        assert_eq!(challenge.nonce, "60dc59c6");
        assert_eq!(challenge.qop.as_deref(), Some("auth"));
        assert_eq!(challenge.algorithm, "SHA-256");
        assert!(supported(&challenge));
        assert_eq!(parse_challenge("Basic realm=\"x\""), None);
        assert_eq!(parse_challenge("Digest qop=\"auth\""), None, "no realm, no nonce");
        let md5 = parse_challenge(r#"Digest realm="r", nonce="n""#).unwrap();
        assert!(!supported(&md5), "MD5 is not offered by Shelly and not answered");
    }

    #[test]
    fn quoted_values_may_hold_commas_and_escapes() {
        let challenge = parse_challenge(r#"Digest realm="a, \"b\"", nonce=abc, opaque="o""#).unwrap();
        assert_eq!(challenge.realm, r#"a, "b""#);
        assert_eq!(challenge.nonce, "abc");
        assert_eq!(challenge.opaque.as_deref(), Some("o"));
    }

    /// RFC 7616 §3.9.1, the SHA-256 example.
    #[test]
    fn matches_the_rfc_7616_example() {
        let challenge = Challenge {
            realm: "http-auth@example.org".into(),
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".into(),
            qop: Some("auth, auth-int".into()),
            opaque: Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS".into()),
            algorithm: "SHA-256".into(),
        };
        let header = authorization(
            &challenge,
            "Mufasa",
            "Circle of Life",
            "GET",
            "/dir/index.html",
            1,
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        );
        assert!(header.contains(r#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#), "{header}");
        assert!(header.contains("nc=00000001"));
        assert!(header.contains(r#"opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#));
    }
}
