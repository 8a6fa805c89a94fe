//! Headers every response carries, and the Content-Security-Policy.
//!
//! Pages rendered by Leptos get a policy with this response's nonce
//! ([`provide_page_policy`], called while the page renders: leptos_axum makes
//! a fresh 128-bit nonce per request and puts it on the hydration script and
//! the inline scripts that carry resolved resources): scripts only from this
//! origin or with the nonce, Wasm compiled (`'wasm-unsafe-eval'`, needed by
//! `WebAssembly.instantiateStreaming`), styles, images, fetches and event
//! streams only from this origin, no plugins, no `<base>`, forms post only
//! here, and no framing. The visitor's page `/l/<token>` sets a stricter one
//! itself (its own inline style and script by hash, nothing else).
//! Everything that is not HTML gets `default-src 'none'`.
//!
//! An HTML response that reaches the middleware without a policy (error
//! pages rendered outside the routes, and — seen a few times per Playwright
//! run, cause not yet found — a dashboard page whose render did not set its
//! nonce policy) gets the page policy with inline scripts allowed instead of
//! a nonce, and a warning in the log: a page whose hydration scripts are
//! blocked cannot be used at all.
//!
//! With `cookie_secure` on, Postern is served over HTTPS, so responses also
//! carry `Strict-Transport-Security: max-age=31536000` (a year), without
//! `includeSubDomains`: other hosts of the same domain may not be on HTTPS.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;

/// What the headers depend on.
#[derive(Clone, Copy, Debug)]
pub struct HeaderSettings {
    /// Postern is served over HTTPS (`cookie_secure`): send HSTS.
    pub https: bool,
}

/// `Strict-Transport-Security`: a year, this host only.
pub const HSTS: &str = "max-age=31536000";

/// The dashboard's policy, with the response's nonce (or, without one,
/// inline scripts allowed: see the module doc).
pub fn page_policy(nonce: Option<&str>) -> String {
    let nonce = nonce.map_or_else(|| " 'unsafe-inline'".to_owned(), |n| format!(" 'nonce-{n}'"));
    // `cargo leptos watch` reloads the page over a WebSocket on another port.
    let reload = if std::env::var_os("LEPTOS_WATCH").is_some() { " ws: wss:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of responses that are not pages.
pub const NOT_A_PAGE_POLICY: &str = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// While a Leptos page renders: sends the page policy with this response's
/// nonce (the one the hydration scripts carry).
pub fn provide_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(Some(&nonce))) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

pub async fn add(State(settings): State<HeaderSettings>, request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // A page may set a stricter policy (the access-link page: no-referrer).
    headers.entry("referrer-policy").or_insert(HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(self)"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if is_html {
            tracing::warn!("an HTML response without its nonce policy: inline scripts allowed for it");
        }
        let policy = if is_html { HeaderValue::from_str(&page_policy(None)).ok() } else { Some(HeaderValue::from_static(NOT_A_PAGE_POLICY)) };
        if let Some(policy) = policy {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    if settings.https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_allows_scripts_only_from_here_or_with_the_nonce() {
        let policy = page_policy(Some("abc123"));
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"), "{policy}");
        let fallback = page_policy(None);
        assert!(!fallback.contains("nonce") && fallback.contains("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval';"), "{fallback}");
    }
}
