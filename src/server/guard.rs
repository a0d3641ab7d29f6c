//! What every request passes before a handler: the `Host` it names, the size of its address and
//! headers; and the JSON error shape for what the router refuses (405).
//!
//! The `Host` check defeats DNS rebinding: a web page on `evil.example` whose name is made to
//! point at 127.0.0.1 could otherwise read a loopback server from the journalist's browser.
//! Accepted: an IP address (any port), `localhost`, and the names given with `--allow-host`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::server::{ApiError, AppState};

/// Longest accepted request target (path and query string), in bytes.
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Most bytes of request headers accepted.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Whether `host` (a `Host` header value) names this server.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host.trim();
    // `[::1]:8080`, `127.0.0.1:8080`, `localhost`, `name:port`.
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, _)) => inner,
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    if name.parse::<IpAddr>().is_ok() || name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    allowed
        .iter()
        .any(|a| a.eq_ignore_ascii_case(name) || a.eq_ignore_ascii_case(host))
}

/// The middleware.
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let uri_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the address is {uri_bytes} bytes; the limit is {MAX_URI_BYTES}"),
        )
        .into_response();
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!(
                "the request headers are {header_bytes} bytes; the limit is {MAX_HEADER_BYTES}"
            ),
        )
        .into_response();
    }
    if let Some(host) = request.headers().get(header::HOST) {
        let host = host.to_str().unwrap_or("");
        if !host_allowed(host, &state.allowed_hosts) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "host_not_allowed",
                format!(
                    "this server does not answer to the name `{host}`: start it with `--allow-host {}` to allow it",
                    host.rsplit_once(':').map_or(host, |(name, _)| name)
                ),
            )
            .into_response();
        }
    }
    let method = request.method().clone();
    if !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
        && let Some(origin) = request.headers().get(header::ORIGIN)
    {
        // A page of another site may send requests here from the journalist's browser; only
        // this server's own pages (and an origin allowed with `--cors`) may change anything.
        let origin = origin.to_str().unwrap_or("");
        let host = origin.split_once("://").map_or("", |(_, host)| host);
        let cors = state
            .cors_origin
            .as_ref()
            .is_some_and(|allowed| allowed.as_bytes() == origin.as_bytes());
        if !cors && !host_allowed(host, &state.allowed_hosts) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "cross_site_request",
                format!(
                    "a page of `{origin}` may not change this server's saved searches: use Dateline's own page, or start the server with `--cors {origin}`"
                ),
            )
            .into_response();
        }
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        return ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!(
                "`{method}` is not served here: Dateline's API answers GET, and POST, PUT and DELETE on saved searches"
            ),
        )
        .into_response();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_that_name_this_server() {
        let allowed = vec!["news.example".to_string()];
        for host in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "[::1]:8080",
            "localhost:8080",
            "LOCALHOST",
            "10.1.2.3:80",
            "news.example",
            "News.Example:8080",
        ] {
            assert!(host_allowed(host, &allowed), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "[::1",
            "",
        ] {
            assert!(!host_allowed(host, &allowed), "{host}");
        }
    }
}
