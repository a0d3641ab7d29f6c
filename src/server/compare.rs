//! `GET /api/compare`: up to six queries on one timeline, as counts and as shares of all
//! coverage in each period.

use std::sync::Arc;

use axum::extract::{RawQuery, State};

use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::handlers::blocking;
use crate::server::params;

/// `GET /api/compare?q=A&q=B&histogram=week&normalize=share`
pub async fn compare(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let params = params::compare_request(raw.as_deref().unwrap_or(""))?;
    let shares = params.shares;
    let compared = blocking(&state, move |engine| {
        engine.compare(&params.queries, &params.base, params.histogram)
    })
    .await?;
    let mut json = serde_json::to_value(&compared).expect("a comparison serialises");
    if !shares && let Some(series) = json["series"].as_array_mut() {
        for one in series {
            if let Some(one) = one.as_object_mut() {
                one.remove("shares");
            }
        }
    }
    Ok(axum::Json(json))
}
