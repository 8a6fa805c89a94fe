//! CSRF protection for every state-changing request from a browser.
//!
//! Leptos server functions have none built in, so a middleware refuses any
//! POST, PUT, PATCH or DELETE that a browser marks as cross-site: the
//! `Sec-Fetch-Site` header must be `same-origin` or `none`, or, for browsers
//! that do not send it, the `Origin` header must match the `Host`. A request
//! with neither header is not from a browser form and carries no ambient
//! cookie risk beyond what SameSite=Lax already blocks; it is allowed only
//! if it carries no session cookie.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn check(request: Request<Body>, next: Next) -> Response {
    if is_safe_method(request.method()) {
        return next.run(request).await;
    }
    match verdict(&request) {
        Ok(()) => next.run(request).await,
        Err(why) => {
            tracing::warn!(method = %request.method(), path = %request.uri().path(), why, "CSRF check refused a request");
            (StatusCode::FORBIDDEN, "This request came from another site and was refused.").into_response()
        }
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn verdict(request: &Request<Body>) -> Result<(), &'static str> {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err("Sec-Fetch-Site is cross-site"),
        };
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
        return if !host.is_empty() && origin_host == host { Ok(()) } else { Err("Origin does not match Host") };
    }
    let has_cookie = headers.get(header::COOKIE).is_some();
    if has_cookie {
        Err("no Origin or Sec-Fetch-Site on a request with cookies")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(headers: &[(&str, &str)]) -> Request<Body> {
        let mut builder = Request::post("/rpc/login");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_passes_cross_site_fails() {
        assert!(verdict(&post(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(verdict(&post(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(verdict(&post(&[("sec-fetch-site", "same-site")])).is_err());
    }

    #[test]
    fn origin_must_match_host() {
        assert!(verdict(&post(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")])).is_ok());
        assert!(verdict(&post(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")])).is_err());
    }

    #[test]
    fn cookie_without_origin_is_refused() {
        assert!(verdict(&post(&[("cookie", "postern_session=x")])).is_err());
        assert!(verdict(&post(&[])).is_ok());
    }
}
