//! The Atom feed of a saved search (`/feeds/{token}.atom`): the new stories its alerts found
//! since it was saved (articles indexed after it), newest first, one entry per story, for any
//! feed reader.

use std::fmt::Write;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::search::{CollapseBy, Hit, Interval, SearchRequest, Sort, escape_html};
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::handlers::blocking;
use crate::state::SavedSearch;

/// Entries a feed holds: the newest stories its alerts found.
pub const FEED_ENTRIES: usize = 50;

fn no_feed() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "feed_not_found",
        "no feed at this address: the saved search was deleted, or the address is mistyped",
    )
}

/// `GET /feeds/{token}.atom`
pub async fn feed(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = file.strip_suffix(".atom").ok_or_else(no_feed)?.to_string();
    let kept = state.saved()?;
    let found = tokio::task::spawn_blocking(move || {
        let Some(saved) = kept.saved_by_token(&token)? else {
            return Ok(None);
        };
        let ids = kept.alert_articles(saved.id, FEED_ENTRIES)?;
        crate::Result::Ok(Some((saved, ids)))
    })
    .await
    .map_err(ApiError::internal)??;
    let (saved, ids) = found.ok_or_else(no_feed)?;
    let hits = if ids.is_empty() {
        Vec::new()
    } else {
        let request = SearchRequest {
            sort: Sort::Newest,
            collapse: CollapseBy::None,
            page: 1,
            size: ids.len(),
            facets: Some(Vec::new()),
            histogram: Interval::None,
            ids,
            ..saved.request.clone()
        };
        // The alerts recorded them from a commit this server may not have seen yet.
        blocking(&state, move |engine| {
            engine.reload()?;
            engine.search(&request)
        })
        .await?
        .hits
    };
    let xml = atom(&saved, &hits, &crate::server::opensearch::base(&headers));
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response())
}

/// The feed's XML.
fn atom(saved: &SavedSearch, hits: &[Hit], base: &str) -> String {
    let updated = hits
        .iter()
        .filter_map(|h| h.published.as_deref())
        .max()
        .unwrap_or(&saved.updated);
    let query =
        url::form_urlencoded::byte_serialize(saved.request.q.as_bytes()).collect::<String>();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(xml, "  <id>urn:dateline:saved-search:{}</id>", saved.id);
    let _ = writeln!(xml, "  <title>{}</title>", escape(&saved.name));
    let _ = writeln!(
        xml,
        "  <subtitle>New articles matching `{}` in Dateline since it was saved, one per story</subtitle>",
        escape(&saved.request.q)
    );
    let _ = writeln!(xml, "  <updated>{}</updated>", escape(updated));
    let _ = writeln!(xml, "  <author><name>Dateline</name></author>");
    let _ = writeln!(
        xml,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}{}\"/>",
        escape(base),
        escape(&saved.feed())
    );
    let _ = writeln!(
        xml,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}/?q={}\"/>",
        escape(base),
        escape(&query)
    );
    for hit in hits {
        let article = url::form_urlencoded::byte_serialize(hit.id.as_bytes()).collect::<String>();
        let title = if hit.title.trim().is_empty() {
            "(no title)"
        } else {
            &hit.title
        };
        xml.push_str("  <entry>\n");
        let _ = writeln!(
            xml,
            "    <id>urn:dateline:article:{}</id>",
            escape(&article)
        );
        let _ = writeln!(xml, "    <title>{}</title>", escape(title));
        let _ = writeln!(
            xml,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}/?q={}&amp;article={}\"/>",
            escape(base),
            escape(&query),
            escape(&article)
        );
        if let Some(url) = &hit.url {
            let _ = writeln!(xml, "    <link rel=\"via\" href=\"{}\"/>", escape(url));
        }
        // Undated articles are listed after the dated ones, as of the saved search.
        let when = hit.published.as_deref().unwrap_or(&saved.updated);
        let _ = writeln!(xml, "    <updated>{}</updated>", escape(when));
        if let Some(published) = &hit.published {
            let _ = writeln!(xml, "    <published>{}</published>", escape(published));
        }
        if let Some(source) = &hit.source {
            let _ = writeln!(xml, "    <author><name>{}</name></author>", escape(source));
        }
        let _ = writeln!(
            xml,
            "    <summary type=\"html\">{}</summary>",
            escape(&hit.snippet)
        );
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// Text as XML character data or an attribute value: escaped as for HTML, without the
/// characters XML 1.0 forbids (control characters a scraped page may hold).
fn escape(text: &str) -> String {
    let allowed = |c: &char| {
        matches!(c, '\t' | '\n' | '\r')
            || (*c as u32 >= 0x20 && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    escape_html(&text.chars().filter(allowed).collect::<String>())
}
