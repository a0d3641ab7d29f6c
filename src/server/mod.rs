//! The HTTP server: the JSON API and the embedded web front end.
//!
//! [`app`] builds the router (tests drive it in-process); [`run`] serves it on a listener until
//! the shutdown future completes. The index is opened on first use and shared; while it cannot be
//! opened, endpoints answer 503 `index_unavailable`, and the server recovers once an index appears.
//!
//! Nothing a client sends can exhaust the process: connections ([`listen`]), searches and
//! exports running at once are bounded, a search waiting for its turn or an export whose client
//! stops reading gives up after a while, and requests are checked by [`guard`] first.

pub mod alerts;
mod assets;
mod batch;
mod compare;
mod error;
mod feed;
pub mod guard;
mod handlers;
pub mod listen;
mod opensearch;
pub mod params;
mod saved;

pub use error::ApiError;
pub use listen::run;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::Engine;

/// How long a request may take before it is answered 408 (export streams are exempt).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What one server lets its clients use at once, and how long it waits for them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once; more wait in the kernel's queue.
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers, or stay idle between requests.
    pub header_timeout: Duration,
    /// Searches (and other index reads) running at once.
    pub max_searches: usize,
    /// Longest a search waits for its turn before it is answered 503 `busy`.
    pub search_queue_wait: Duration,
    /// Exports streaming at once; one more is answered 503 `too_many_exports`.
    pub max_exports: usize,
    /// An export whose client reads nothing for this long is ended.
    pub export_stall_timeout: Duration,
}

impl Default for Limits {
    /// 512 connections, 10 s for headers, two searches per core (at least four) waiting at most
    /// 10 s, 4 exports, 60 s for a stalled export.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Limits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            max_searches: (2 * cores).max(4),
            search_queue_wait: Duration::from_secs(10),
            max_exports: 4,
            export_stall_timeout: Duration::from_secs(60),
        }
    }
}

/// What the handlers share.
pub struct AppState {
    dir: PathBuf,
    engine: RwLock<Option<Arc<Engine>>>,
    /// The state database's file, and the database once opened.
    state_path: PathBuf,
    state: std::sync::Mutex<Option<Arc<crate::state::State>>>,
    cors_origin: Option<HeaderValue>,
    /// Host names accepted besides IP addresses and `localhost`.
    allowed_hosts: Vec<String>,
    /// What clients may use at once.
    limits: Limits,
    /// One permit per search running.
    searches: Arc<Semaphore>,
    /// One permit per export streaming.
    exports: Arc<Semaphore>,
    /// When alerts run (`None`: not in this server).
    alerts: Option<alerts::AlertSchedule>,
}

impl AppState {
    /// State for serving the index in `dir` (opened on first use).
    pub fn new(dir: &Path) -> AppState {
        AppState {
            dir: dir.to_path_buf(),
            engine: RwLock::new(None),
            state_path: crate::state::State::path_for(dir),
            state: std::sync::Mutex::new(None),
            cors_origin: None,
            allowed_hosts: Vec::new(),
            limits: Limits::default(),
            searches: Arc::new(Semaphore::new(0)),
            exports: Arc::new(Semaphore::new(0)),
            alerts: None,
        }
        .with_limits(Limits::default())
    }

    /// Serves within other limits than the default ones.
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        self.searches = Arc::new(Semaphore::new(limits.max_searches.max(1)));
        self.exports = Arc::new(Semaphore::new(limits.max_exports.max(1)));
        self.limits = limits;
        self
    }

    /// The limits this server keeps.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Also answers requests whose `Host` is one of `names` (the server's public names).
    pub fn with_allowed_hosts(mut self, names: Vec<String>) -> AppState {
        self.allowed_hosts = names;
        self
    }

    /// Runs alerts: a round of checks after every commit, webhook deliveries when due.
    pub fn with_alerts(mut self, schedule: alerts::AlertSchedule) -> AppState {
        self.alerts = Some(schedule);
        self
    }

    /// When alerts run, if they do.
    pub fn alert_schedule(&self) -> Option<alerts::AlertSchedule> {
        self.alerts
    }

    /// Keeps saved searches and the history in this file rather than beside the index.
    pub fn with_state_file(mut self, path: PathBuf) -> AppState {
        self.state_path = path;
        self
    }

    /// The state database, opening it if it is not open yet.
    pub fn saved(&self) -> crate::Result<Arc<crate::state::State>> {
        let mut slot = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(state) = slot.as_ref() {
            return Ok(state.clone());
        }
        let state = Arc::new(crate::state::State::open(&self.state_path)?);
        *slot = Some(state.clone());
        Ok(state)
    }

    /// Allows browser pages from `origin` to call the API (CORS is off by default).
    pub fn with_cors_origin(mut self, origin: HeaderValue) -> AppState {
        self.cors_origin = Some(origin);
        self
    }

    /// The shared engine, opening the index if it is not open yet.
    pub fn engine(&self) -> Result<Arc<Engine>, ApiError> {
        if let Some(engine) = self
            .engine
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Ok(engine.clone());
        }
        let mut slot = self.engine.write().unwrap_or_else(|e| e.into_inner());
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
        .route("/api/articles/{id}/similar", get(handlers::similar))
        .route("/api/stories/{id}", get(handlers::story))
        .route("/api/entities", get(handlers::entities))
        .route("/api/stats", get(handlers::stats))
        .route("/api/saved", get(saved::list).post(saved::create))
        .route(
            "/api/saved/{id}",
            get(saved::get_one).put(saved::update).delete(saved::remove),
        )
        .route("/api/saved/{id}/seen", post(saved::seen))
        .route("/api/batch", post(batch::batch))
        .route("/api/compare", get(compare::compare))
        .route("/api/history", get(saved::history))
        .route("/api/suggest", get(opensearch::suggest))
        .route("/opensearch.xml", get(opensearch::description))
        .route("/healthz", get(handlers::healthz))
        .route("/api/{*rest}", get(handlers::api_not_found))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    let mut router = Router::new()
        .merge(api)
        .route("/api/export", get(handlers::export))
        .route("/feeds/{file}", get(feed::feed))
        .fallback(get(handlers::asset))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
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
                .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
                .allow_headers([axum::http::header::CONTENT_TYPE]),
        );
    }
    router
}
