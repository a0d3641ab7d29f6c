//! API errors: `{"error": {"code", "message"}}` with a stable snake_case code and its status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Error;

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// An error with an explicit status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// A 400 for a request parameter.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// A 500 whose details go to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to answer; the details are in its log",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// The HTTP status of a library error: the user's errors ([`Error::is_users`]) are 4xx, an
/// index that cannot be had is 503, the rest is the server's failure.
fn status_of(error: &Error) -> Option<StatusCode> {
    Some(match error {
        Error::ArticleNotFound { .. }
        | Error::StoryNotFound { .. }
        | Error::SavedSearchNotFound { .. } => StatusCode::NOT_FOUND,
        Error::SavedSearchExists { .. } => StatusCode::CONFLICT,
        users if users.is_users() => StatusCode::BAD_REQUEST,
        Error::IndexNotFound { .. } | Error::NotAnIndex { .. } | Error::IndexLocked { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => return None,
    })
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match status_of(&error) {
            Some(status) if status == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!("index unavailable: {error}");
                ApiError::new(status, "index_unavailable", error.to_string())
            }
            Some(status) => ApiError::new(status, error.code(), error.to_string()),
            None => ApiError::internal(error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}
