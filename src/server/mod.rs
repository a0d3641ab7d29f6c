//! The HTTP server: the JSON API and the embedded web front end.
//!
//! [`app`] builds the router (tests drive it in-process); [`run`] serves it on a listener until
//! the shutdown future completes. The index is opened on first use and shared; while it cannot be
//! opened, endpoints answer 503 `index_unavailable`, and the server recovers once an index appears.

mod assets;
mod error;
mod handlers;
pub mod params;

pub use error::ApiError;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::routing::get;
use axum::serve::ListenerExt;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::Engine;

/// How long a request may take before it is answered 408 (export streams are exempt).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What the handlers share.
pub struct AppState {
    dir: PathBuf,
    engine: RwLock<Option<Arc<Engine>>>,
    cors_origin: Option<HeaderValue>,
}

impl AppState {
    /// State for serving the index in `dir` (opened on first use).
    pub fn new(dir: &Path) -> AppState {
        AppState {
            dir: dir.to_path_buf(),
            engine: RwLock::new(None),
            cors_origin: None,
        }
    }

    /// Allows browser pages from `origin` to call the API (CORS is off by default).
    pub fn with_cors_origin(mut self, origin: HeaderValue) -> AppState {
        self.cors_origin = Some(origin);
        self
    }

    /// The shared engine, opening the index if it is not open yet.
    pub fn engine(&self) -> Result<Arc<Engine>, ApiError> {
        if let Some(engine) = self.engine.read().expect("engine lock").as_ref() {
            return Ok(engine.clone());
        }
        let mut slot = self.engine.write().expect("engine lock");
        if let Some(engine) = slot.as_ref() {
            return Ok(engine.clone());
        }
        let engine = Arc::new(Engine::open(&self.dir)?);
        *slot = Some(engine.clone());
        Ok(engine)
    }
}

/// Builds the router: `/api/*`, `/healthz` and the web front end.
pub fn app(state: Arc<AppState>) -> Router {
    let cors = state.cors_origin.clone();
    let api = Router::new()
        .route("/api/search", get(handlers::search))
        .route("/api/articles/{id}", get(handlers::article))
        .route("/api/entities", get(handlers::entities))
        .route("/api/stats", get(handlers::stats))
        .route("/healthz", get(handlers::healthz))
        .route("/api/{*rest}", get(handlers::api_not_found))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    let mut router = Router::new()
        .merge(api)
        .route("/api/export", get(handlers::export))
        .fallback(get(handlers::asset))
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        );
    if let Some(origin) = cors {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(origin)
                .allow_methods([Method::GET]),
        );
    }
    router
}

/// Serves `app(state)` on `listener` until `shutdown` completes, then finishes open requests.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Small JSON answers go out at once instead of waiting on Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!("cannot set TCP_NODELAY: {error}");
        }
    });
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
