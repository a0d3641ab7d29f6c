//! `dateline serve`, and serving for `dateline demo`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::http::HeaderValue;
use dateline::alerts::RetryPolicy;
use dateline::server::alerts::AlertSchedule;
use dateline::server::{AppState, run};

/// How the server runs alerts.
#[derive(Debug, Clone, clap::Args)]
pub struct AlertArgs {
    /// Seconds between two looks for new commits (alerts) and due webhook deliveries.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    alert_every: f64,
    /// Seconds before a failed webhook delivery is tried again; each later wait doubles, up
    /// to an hour, for 8 attempts in all.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    webhook_retry: u64,
    /// Do not run alerts in this server (`dateline alerts run` still does).
    #[arg(long)]
    no_alerts: bool,
}

impl Default for AlertArgs {
    fn default() -> Self {
        AlertArgs {
            alert_every: 5.0,
            webhook_retry: 30,
            no_alerts: false,
        }
    }
}

/// Serves the index in `dir` on `addr` until Ctrl-C or SIGTERM.
pub fn serve(
    dir: &Path,
    state_file: &Path,
    addr: SocketAddr,
    cors: Option<&str>,
    allow_hosts: Vec<String>,
    alerts: AlertArgs,
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
    if !alerts.no_alerts {
        anyhow::ensure!(
            alerts.alert_every.is_finite() && alerts.alert_every >= 0.05,
            "`--alert-every {}`: give at least 0.05 seconds",
            alerts.alert_every
        );
        state = state.with_alerts(AlertSchedule {
            every: std::time::Duration::from_secs_f64(alerts.alert_every),
            retry: RetryPolicy {
                first_wait_secs: alerts.webhook_retry.max(1),
            },
        });
    }
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
