//! `POST /api/batch`: a list of terms (text, one a line, or CSV with `column=`), each counted
//! against the archive, streamed back as NDJSON rows as they are done.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use crate::search::batch_terms;
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::handlers::blocking;
use crate::server::params;

/// `POST /api/batch`
pub async fn batch(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let params = params::batch_request(raw.as_deref().unwrap_or(""))?;
    let text = std::str::from_utf8(&body).map_err(|e| {
        ApiError::bad_request(
            "invalid_body",
            format!(
                "the list is not UTF-8 text (byte {}): save it as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let terms = batch_terms(text, params.column.as_deref())?;
    if terms.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_body",
            "the list is empty: send one term a line (or CSV with `column=`)",
        ));
    }
    // A batch streams for a while: it takes an export's slot.
    let slot = state.exports.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_exports",
            "as many exports and batches as the server allows are streaming: try again when one has finished",
        )
    })?;
    // The index is opened (the first time) on the blocking pool, not here.
    blocking(&state, |_| Ok(())).await?;
    let engine = state.engine()?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let runtime = tokio::runtime::Handle::current();
    let stall = state.limits.export_stall_timeout;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        for term in &terms {
            let row = engine.batch_row(term, &params.base, params.read_as);
            let mut line = serde_json::to_vec(&row).expect("a row serialises");
            line.push(b'\n');
            // A client gone, or reading nothing for a while, ends the batch and frees the slot.
            let sent =
                runtime.block_on(tokio::time::timeout(stall, tx.send(Ok(Bytes::from(line)))));
            if !matches!(sent, Ok(Ok(()))) {
                break;
            }
        }
    });
    let mut response =
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(response)
}
