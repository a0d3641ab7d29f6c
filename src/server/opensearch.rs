//! The browser's own search bar: an OpenSearch description (`/opensearch.xml`, linked from the
//! page) so Firefox and Chrome can add Dateline as a search engine, and its suggestions in the
//! OpenSearch suggestions format (`/api/suggest?q=pu` → `["pu", ["Vladimir Putin", …]]`) from the
//! entity autocomplete.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::search::{FacetField, escape_html};
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::handlers::blocking;

/// Suggestions offered, at most.
const SUGGESTIONS: usize = 10;

/// This server's address as the request named it (the guard let only its own names through).
pub(crate) fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// `GET /opensearch.xml`
pub async fn description(headers: HeaderMap) -> Response {
    let base = escape_html(&base(&headers));
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>Dateline</ShortName>
  <Description>Search the news archive</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" method="get" template="{base}/?q={{searchTerms}}"/>
  <Url type="application/x-suggestions+json" method="get" template="{base}/api/suggest?q={{searchTerms}}"/>
</OpenSearchDescription>
"#
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/opensearchdescription+xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response()
}

/// `GET /api/suggest?q=`
pub async fn suggest(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let mut typed = None;
    for (name, value) in url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "q" => typed = Some(value.into_owned()),
            other => {
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!("unknown parameter `{other}`: use q"),
                ));
            }
        }
    }
    let typed = typed.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "`q` is missing: the words typed so far",
        )
    })?;
    // The last word typed is completed; the words before it stay as they are.
    let (before, last) = match typed.trim_end().rsplit_once(char::is_whitespace) {
        Some((before, last)) => (format!("{} ", before.trim_end()), last.to_string()),
        None => (String::new(), typed.trim().to_string()),
    };
    let names = if last.is_empty() {
        Vec::new()
    } else {
        let types = [FacetField::Person, FacetField::Place, FacetField::Org];
        blocking(&state, move |e| e.entities(&last, &types, SUGGESTIONS)).await?
    };
    let completions: Vec<String> = names
        .into_iter()
        .map(|entity| format!("{before}{}", entity.name))
        .collect();
    Ok(Json(json!([typed, completions])))
}
