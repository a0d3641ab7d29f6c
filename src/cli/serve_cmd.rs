//! `dateline serve`, and serving for `dateline demo`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::http::HeaderValue;
use dateline::server::{AppState, run};

/// Serves the index in `dir` on `addr` until Ctrl-C or SIGTERM.
pub fn serve(
    dir: &Path,
    state_file: &Path,
    addr: SocketAddr,
    cors: Option<&str>,
    allow_hosts: Vec<String>,
) -> anyhow::Result<i32> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tantivy=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut state = AppState::new(dir)
        .with_allowed_hosts(allow_hosts)
        .with_state_file(state_file.to_path_buf());
    if let Some(origin) = cors {
        let origin = HeaderValue::from_str(origin)
            .with_context(|| format!("`--cors {origin}` is not a valid origin"))?;
        state = state.with_cors_origin(origin);
    }
    if !addr.ip().is_loopback() {
        eprintln!("note: serving on {addr}, reachable from other machines");
    }
    // Build the entity alias table now rather than on the first search.
    std::thread::spawn(|| dateline::entities::lookup(""));
    let runtime = tokio::runtime::Runtime::new().context("starting the server runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}: is another server using it?"))?;
        let local = listener.local_addr()?;
        println!("Dateline is serving `{}` at http://{local}/", dir.display());
        println!("Press Ctrl-C to stop.");
        run(listener, Arc::new(state), shutdown_signal())
            .await
            .context("serving")?;
        eprintln!("stopped");
        Ok(0)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
