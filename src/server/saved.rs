//! Saved searches and the search history over HTTP: `/api/saved`, `/api/saved/{id}`,
//! `/api/history`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::search::Engine;
use crate::server::error::ApiError;
use crate::server::handlers::blocking;
use crate::server::params::SavedBody;
use crate::server::{AppState, params};
use crate::state::{SavedSearch, State as Saved};

fn state_of(state: &AppState) -> Result<Arc<Saved>, ApiError> {
    state.saved().map_err(ApiError::from)
}

/// Bodies that change state must say they are JSON: a page of another site can send a form
/// or plain text to this server without asking, but not JSON (the browser asks first, and
/// only an origin allowed with `--cors` is let through).
fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<SavedBody, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json_required",
            "send the body as JSON, with `Content-Type: application/json`",
        ));
    }
    params::saved_body(body)
}

/// `POST /api/saved`: saves a search; 201 with its id and feed.
pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_body(&headers, &body)?;
    let saved = state_of(&state)?;
    // A search whose query cannot run is refused now rather than failing every time later.
    let created = blocking(&state, move |engine| {
        engine.count(&body.request)?;
        let webhook = checked(&body)?.flatten();
        // Alerts start after what the index holds now, the latest commit included.
        engine.reload()?;
        let created = saved.add_saved(&body.name, &body.request, engine.latest_stamp())?;
        if let Some(url) = webhook {
            saved.set_webhook(created.id, Some(&url))?;
        }
        shown(engine, &saved, &created)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// The body's webhook, checked before anything is written.
fn checked(body: &SavedBody) -> crate::Result<Option<Option<String>>> {
    body.webhook
        .as_ref()
        .map(|w| w.as_deref().map(crate::state::checked_webhook).transpose())
        .transpose()
}

/// A saved search as the API shows it: with how many articles match it now and its alert.
fn shown(engine: &Engine, saved: &Saved, one: &SavedSearch) -> crate::Result<Value> {
    let total = engine.count(&one.request)?;
    Ok(json!(one.view(total, saved.alert_status(one.id)?)))
}

/// `GET /api/saved`: every saved search with how many articles match it now.
pub async fn list(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let saved = state_of(&state)?;
    let listed = blocking(&state, move |engine| {
        saved
            .saved()?
            .iter()
            .map(|one| shown(engine, &saved, one))
            .collect::<crate::Result<Vec<_>>>()
    })
    .await?;
    Ok(Json(json!({ "saved": listed })))
}

/// `GET /api/saved/{id}`
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = saved_id(&id)?;
    let saved = state_of(&state)?;
    let one = blocking(&state, move |engine| {
        shown(engine, &saved, &saved.saved_search(id)?)
    })
    .await?;
    Ok(Json(one))
}

/// `POST /api/saved/{id}/seen`: its owner has looked at its new matches; 204.
pub async fn seen(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = saved_id(&id)?;
    let saved = state_of(&state)?;
    tokio::task::spawn_blocking(move || saved.mark_seen(id))
        .await
        .map_err(ApiError::internal)??;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/saved/{id}`: a new name and request; the feed keeps its address.
pub async fn update(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = saved_id(&id)?;
    let body = json_body(&headers, &body)?;
    let saved = state_of(&state)?;
    let updated = blocking(&state, move |engine| {
        engine.count(&body.request)?;
        let webhook = checked(&body)?;
        let updated = saved.update_saved(id, &body.name, &body.request)?;
        if let Some(webhook) = webhook {
            saved.set_webhook(id, webhook.as_deref())?;
        }
        shown(engine, &saved, &updated)
    })
    .await?;
    Ok(Json(updated))
}

/// `DELETE /api/saved/{id}`: 204.
pub async fn remove(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = saved_id(&id)?;
    let saved = state_of(&state)?;
    tokio::task::spawn_blocking(move || saved.remove_saved(id))
        .await
        .map_err(ApiError::internal)??;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/history`: the last searches run through this server, newest first.
pub async fn history(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let saved = state_of(&state)?;
    let entries = tokio::task::spawn_blocking(move || saved.history())
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(json!({ "history": entries })))
}

fn saved_id(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "saved_search_not_found",
            format!("no saved search with id `{text}`: ids are whole numbers, as `GET /api/saved` lists them"),
        )
    })
}
