//! The client's address, worked out once per request and put in the
//! request's extensions as [`ClientIp`] for everything that counts or logs
//! by address (sign-in throttling, wrong access links, the API's per-IP
//! rate limit, sessions).
//!
//! Without `trusted_proxies` it is the TCP peer's address: a forwarded
//! header can be written by anyone, so it is not read. When the peer is one
//! of the listed proxies (single addresses or CIDR ranges), `X-Forwarded-For`
//! is read from the right (the entry the nearest proxy added) leftwards,
//! skipping trusted proxies, and the first address that is not one is the
//! client: entries further left were written by the client itself and may be
//! forged. If every entry is a trusted proxy the left-most one is taken; an
//! entry that is not an address stops the walk at the proxy that passed it.

use app::server_context::ClientIp;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Request};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and ranges ("10.0.0.0/8", "127.0.0.1", "::1"); the
    /// error names the entry.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for entry in entries.into_iter().map(str::trim).filter(|e| !e.is_empty()) {
            let net = match entry.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => entry.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
                    format!("trusted_proxies: “{entry}” is not an IP address or a range like 10.0.0.0/8 or fd00::/8.")
                })?,
            };
            nets.push(net.trunc());
        }
        Ok(TrustedProxies(nets))
    }

    /// Parses a comma- or space-separated list (the environment variable).
    pub fn parse_list(text: &str) -> Result<TrustedProxies, String> {
        TrustedProxies::parse(text.split([',', ' ']))
    }

    /// True when no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut nearest = peer;
        for entry in forwarded.into_iter().rev() {
            let Some(ip) = parse_entry(entry) else { return nearest };
            if !self.contains(ip) {
                return ip;
            }
            nearest = ip;
        }
        nearest
    }
}

/// "203.0.113.7", "203.0.113.7:4711", "2001:db8::1" or "[2001:db8::1]:4711".
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|address| address.ip()))
        .map(|ip| ip.to_canonical())
}

/// Middleware: puts the request's [`ClientIp`] in its extensions.
pub async fn resolve(State(proxies): State<Arc<TrustedProxies>>, mut request: Request<Body>, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let ip = proxies.client_ip(peer.ip(), request.headers());
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_ip(ip("127.0.0.1"), &forwarded(&["203.0.113.9"])), ip("127.0.0.1"));
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let proxies = TrustedProxies::parse_list("127.0.0.1, 10.0.0.0/8").unwrap();
        // The client wrote a forged entry first; the proxies appended the truth.
        let headers = forwarded(&["198.51.100.1, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(proxies.client_ip(ip("127.0.0.1"), &headers), ip("203.0.113.9"));
        // A peer that is not a trusted proxy is believed, not its header.
        assert_eq!(proxies.client_ip(ip("192.0.2.5"), &headers), ip("192.0.2.5"));
        // No header: the proxy itself.
        assert_eq!(proxies.client_ip(ip("127.0.0.1"), &HeaderMap::new()), ip("127.0.0.1"));
        // Garbage stops at the proxy that passed it on.
        assert_eq!(proxies.client_ip(ip("127.0.0.1"), &forwarded(&["203.0.113.9, nonsense"])), ip("127.0.0.1"));
        // Ports and IPv4-mapped IPv6 addresses.
        assert_eq!(proxies.client_ip(ip("::ffff:127.0.0.1"), &forwarded(&["203.0.113.9:4711"])), ip("203.0.113.9"));
        assert_eq!(proxies.client_ip(ip("127.0.0.1"), &forwarded(&["[2001:db8::1]:80"])), ip("2001:db8::1"));
    }

    #[test]
    fn bad_entries_are_named() {
        let error = TrustedProxies::parse_list("127.0.0.1, proxy.example").unwrap_err();
        assert!(error.contains("proxy.example"), "{error}");
        assert!(TrustedProxies::parse(["10.0.0.0/33"]).is_err());
        assert!(TrustedProxies::parse_list(" ").unwrap().is_empty());
    }
}
