//! One function per endpoint. Every search-engine call runs on the blocking pool, never on the
//! async executor.

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::mpsc;

use crate::Engine;
use crate::search::{
    ArticleView, ExportFormat, Lineage, SearchRequest, SearchResponse, Stats, write_header,
    write_row,
};
use crate::server::error::ApiError;
use crate::server::{AppState, assets, params};

/// Export rows are sent in chunks of about this many bytes.
const EXPORT_CHUNK: usize = 64 * 1024;

/// Runs `work` on the blocking pool once one of the search slots is free (waiting at most
/// the limit): however many requests arrive, only so many searches run at once. The index is
/// opened there too, the first time, not on the async executor.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    work: impl FnOnce(&Engine) -> crate::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let wait = state.limits.search_queue_wait;
    let slot = tokio::time::timeout(wait, state.searches.clone().acquire_owned())
        .await
        .map_err(|_| busy(wait))?
        .map_err(ApiError::internal)?;
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let engine = state.engine()?;
        let result = work(&engine).map_err(ApiError::from);
        drop(slot);
        result
    })
    .await
    .map_err(ApiError::internal)?
}

fn busy(wait: std::time::Duration) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        format!(
            "the server is answering as many searches as it can and none finished within {} s: try again shortly",
            wait.as_secs_f64()
        ),
    )
}

/// `GET /api/search`
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let request = params::search_request(raw.as_deref().unwrap_or(""))?;
    // The history is a convenience: a state database that cannot be had does not stop a search.
    let history = state.saved();
    if let Err(error) = &history {
        tracing::warn!("search history not kept: {error}");
    }
    let response = blocking(&state, move |e| {
        let response = e.search(&request)?;
        if let (Ok(history), 1) = (&history, request.page)
            && let Err(error) = history.record_search(&request, response.total)
        {
            tracing::warn!("search history not kept: {error}");
        }
        Ok(response)
    })
    .await?;
    Ok(Json(response))
}

/// `GET /api/articles/{id}`
pub async fn article(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(blocking(&state, move |e| e.article(&id)).await?))
}

/// `GET /api/articles/{id}/similar?size=N`
pub async fn similar(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let size = params::similar_size(raw.as_deref().unwrap_or(""))?;
    let hits = blocking(&state, move |e| e.similar(&id, size)).await?;
    Ok(Json(json!({ "hits": hits })))
}

/// `GET /api/stories/{id}`
pub async fn story(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<Lineage>, ApiError> {
    Ok(Json(blocking(&state, move |e| e.story(&id)).await?))
}

/// `GET /api/entities`
pub async fn entities(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = params::entities_request(raw.as_deref().unwrap_or(""))?;
    let found = blocking(&state, move |e| {
        e.entities(&request.prefix, &request.types, request.size)
    })
    .await?;
    Ok(Json(json!({ "entities": found })))
}

/// `GET /api/stats`
pub async fn stats(State(state): State<Arc<AppState>>) -> Result<Json<Stats>, ApiError> {
    Ok(Json(blocking(&state, |e| e.stats()).await?))
}

/// `GET /healthz`: 200 when the index can be searched, 503 `index_unavailable` when it cannot
/// (missing, locked, corrupt: whatever the reason, it is the index that is unavailable).
pub async fn healthz(State(state): State<Arc<AppState>>) -> Result<&'static str, ApiError> {
    let probe = blocking(&state, |e| {
        e.search(&SearchRequest {
            size: 1,
            facets: Some(Vec::new()),
            histogram: crate::search::Interval::None,
            ..SearchRequest::default()
        })
    })
    .await;
    match probe {
        Ok(_) => Ok("ok\n"),
        Err(error) if error.status() == StatusCode::INTERNAL_SERVER_ERROR => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "index_unavailable",
            "the index cannot be searched; the details are in the server's log",
        )),
        Err(error) => Err(error),
    }
}

/// `GET /api/export`: every matching article, streamed.
pub async fn export(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (request, format) = params::export_request(raw.as_deref().unwrap_or(""))?;
    let slot = state.exports.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_exports",
            format!(
                "{} exports are already streaming: try again when one has finished",
                state.limits.max_exports
            ),
        )
    })?;
    // Check the query and filters before the first byte: errors after it cannot change the status.
    let probe = SearchRequest {
        size: 1,
        facets: Some(Vec::new()),
        histogram: crate::search::Interval::None,
        ..request.clone()
    };
    let total = blocking(&state, move |e| e.search(&probe)).await?.total;
    let engine = state.engine()?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let runtime = tokio::runtime::Handle::current();
    let stall = state.limits.export_stall_timeout;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let mut buffer = Vec::with_capacity(EXPORT_CHUNK * 2);
        write_header(format, &mut buffer);
        // A client that stops reading ends its export after a while, freeing the slot.
        let send = |buffer: &mut Vec<u8>| {
            let chunk = Ok(Bytes::from(std::mem::take(buffer)));
            match runtime.block_on(tokio::time::timeout(stall, tx.send(chunk))) {
                Ok(sent) => sent.is_ok(),
                Err(_) => {
                    tracing::warn!(
                        "export ended: the client read nothing for {} s",
                        stall.as_secs_f64()
                    );
                    false
                }
            }
        };
        let result = engine.export(&request, &mut |article| {
            write_row(format, &article, &mut buffer);
            buffer.len() < EXPORT_CHUNK || send(&mut buffer)
        });
        match result {
            Ok(_) => {
                if !buffer.is_empty() {
                    send(&mut buffer);
                }
            }
            Err(error) => {
                tracing::error!("export failed midway: {error}");
                let failed = tx.send(Err(std::io::Error::other(error.to_string())));
                runtime.block_on(tokio::time::timeout(stall, failed)).ok();
            }
        }
    });
    let (mime, extension) = match format {
        ExportFormat::Ndjson => ("application/x-ndjson", "ndjson"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let mut response =
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"dateline-export.{extension}\""
        ))
        .expect("ascii header"),
    );
    headers.insert("x-total-count", HeaderValue::from(total));
    Ok(response)
}

/// Unknown `/api/…` paths.
pub async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no endpoint `{}`: see /api/search, /api/articles/ID, /api/entities, /api/stats, /api/export",
            uri.path()
        ),
    )
}

/// The web front end: the asset asked for, or `index.html`.
pub async fn asset(uri: Uri) -> Response {
    let asset = assets::lookup(uri.path());
    // The page itself is revalidated so a new binary is seen at once; its assets are cached.
    let cache = if asset.path == "/index.html" {
        "no-cache"
    } else {
        "public, max-age=3600"
    };
    (
        [
            (header::CONTENT_TYPE, asset.mime),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response()
}
