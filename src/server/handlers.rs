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
    ArticleView, ExportFormat, SearchRequest, SearchResponse, Stats, write_header, write_row,
};
use crate::server::error::ApiError;
use crate::server::{AppState, assets, params};

/// Export rows are sent in chunks of about this many bytes.
const EXPORT_CHUNK: usize = 64 * 1024;

async fn blocking<T: Send + 'static>(
    engine: Arc<Engine>,
    work: impl FnOnce(&Engine) -> crate::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(move || work(&engine))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// `GET /api/search`
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let request = params::search_request(raw.as_deref().unwrap_or(""))?;
    let engine = state.engine()?;
    Ok(Json(blocking(engine, move |e| e.search(&request)).await?))
}

/// `GET /api/articles/{id}`
pub async fn article(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    let engine = state.engine()?;
    Ok(Json(blocking(engine, move |e| e.article(&id)).await?))
}

/// `GET /api/entities`
pub async fn entities(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = params::entities_request(raw.as_deref().unwrap_or(""))?;
    let engine = state.engine()?;
    let found = blocking(engine, move |e| {
        e.entities(&request.prefix, &request.types, request.size)
    })
    .await?;
    Ok(Json(json!({ "entities": found })))
}

/// `GET /api/stats`
pub async fn stats(State(state): State<Arc<AppState>>) -> Result<Json<Stats>, ApiError> {
    let engine = state.engine()?;
    Ok(Json(blocking(engine, |e| e.stats()).await?))
}

/// `GET /healthz`: 200 when the index can be searched.
pub async fn healthz(State(state): State<Arc<AppState>>) -> Result<&'static str, ApiError> {
    let engine = state.engine()?;
    blocking(engine, |e| {
        e.search(&SearchRequest {
            size: 1,
            facets: Some(Vec::new()),
            histogram: crate::search::Interval::None,
            ..SearchRequest::default()
        })
    })
    .await?;
    Ok("ok\n")
}

/// `GET /api/export`: every matching article, streamed.
pub async fn export(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (request, format) = params::export_request(raw.as_deref().unwrap_or(""))?;
    let engine = state.engine()?;
    // Check the query and filters before the first byte: errors after it cannot change the status.
    let probe = SearchRequest {
        size: 1,
        facets: Some(Vec::new()),
        histogram: crate::search::Interval::None,
        ..request.clone()
    };
    let total = blocking(engine.clone(), move |e| e.search(&probe))
        .await?
        .total;
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::task::spawn_blocking(move || {
        let mut buffer = Vec::with_capacity(EXPORT_CHUNK * 2);
        write_header(format, &mut buffer);
        let send = |buffer: &mut Vec<u8>| {
            tx.blocking_send(Ok(Bytes::from(std::mem::take(buffer))))
                .is_ok()
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
                tx.blocking_send(Err(std::io::Error::other(error.to_string())))
                    .ok();
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
