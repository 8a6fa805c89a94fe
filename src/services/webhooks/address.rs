//! Which addresses a webhook may reach. With `webhook_allow_private` off,
//! loopback, private, link-local, shared (CGNAT), unique-local, multicast
//! and unspecified addresses are refused: at registration (every address
//! the host resolves to must be public) and when sending ([`PublicOnly`],
//! the HTTP client's resolver, keeps only public addresses, so a name that
//! changes to an internal address after registration reaches nothing).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// True for an address an admin must not be able to reach through a webhook.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
}

fn private_v6(ip: Ipv6Addr) -> bool {
    ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || ip.is_unique_local() || ip.is_unicast_link_local()
}

/// The URL's host (brackets taken off an IPv6 address) and port, or a
/// sentence for the form.
pub fn host_and_port(url: &str) -> Result<(String, u16), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "That is not a web address Postern can read.".to_owned())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("Only http:// and https:// addresses can receive webhooks.".into());
    }
    let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("The address needs a host name.")?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    Ok((host, port))
}

/// At registration: the address must be http(s), and (unless private
/// addresses are allowed) its host a public address or a name that resolves
/// only to public ones.
pub async fn check_registration(url: &str, allow_private: bool) -> Result<(), String> {
    let (host, port) = host_and_port(url)?;
    if allow_private {
        return Ok(());
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return if is_private(ip) { Err(refused(&host)) } else { Ok(()) };
    }
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| format!("The host name {host} could not be resolved."))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("The host name {host} could not be resolved."));
    }
    match addresses.iter().find(|a| is_private(a.ip())) {
        Some(private) => Err(format!("{} ({host} resolves to {}).", refused(&host), private.ip())),
        None => Ok(()),
    }
}

fn refused(host: &str) -> String {
    format!("{host} is a loopback, private or link-local address; webhooks may only reach public addresses (see webhook_allow_private)")
}

/// When sending: refuses an address written as a private IP (the client's
/// resolver is not asked for those).
pub fn check_delivery(url: &str, allow_private: bool) -> Result<(), String> {
    let (host, _) = host_and_port(url)?;
    match host.parse::<IpAddr>() {
        Ok(ip) if !allow_private && is_private(ip) => Err(refused(&host)),
        _ => Ok(()),
    }
}

/// The HTTP client's resolver when private addresses are not allowed: the
/// host's public addresses only, or an error when it has none.
#[derive(Clone, Copy, Debug, Default)]
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all.into_iter().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() {
                let error: Box<dyn std::error::Error + Send + Sync> = refused(&host).into();
                return Err(error);
            }
            let addresses: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1"] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1", "172.32.0.1"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn registration_refuses_private_hosts_unless_allowed() {
        assert!(check_registration("http://127.0.0.1:9/x", false).await.unwrap_err().contains("127.0.0.1"));
        assert!(check_registration("http://[::1]:9/x", false).await.is_err());
        assert!(check_registration("http://localhost:9/x", false).await.is_err());
        assert!(check_registration("http://10.0.0.1/x", false).await.is_err());
        assert!(check_registration("http://127.0.0.1:9/x", true).await.is_ok());
        assert!(check_registration("ftp://example.com/x", true).await.is_err());
        assert!(check_delivery("http://169.254.169.254/latest", false).is_err());
        assert!(check_delivery("http://169.254.169.254/latest", true).is_ok());
    }
}
