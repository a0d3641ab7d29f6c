//! Accepting connections, within [`Limits`](crate::server::Limits): at most so many open at once (more wait in the
//! kernel's queue instead of using up file descriptors), and a client that takes too long to
//! send a request's headers — or sits idle that long between requests — is disconnected.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::server::{AppState, app};

/// Longest the server waits for open requests to finish once it is told to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Largest request head hyper buffers (our own limits, with JSON errors, are lower).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Serves `app(state)` on `listener` until `shutdown` completes, then finishes open requests.
pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let limits = state.limits();
    // Stopped with the server.
    let alerts = state.alert_schedule().map(|schedule| {
        AbortOnDrop(tokio::spawn(crate::server::alerts::watch(
            state.clone(),
            schedule,
        )))
    });
    let router = app(state);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small JSON answers go out at once instead of waiting on Nagle's algorithm.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!("cannot set TCP_NODELAY: {error}");
        }
        let service = TowerToHyperService::new(router.clone());
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(tcp), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!("connection ended: {error}");
            }
            drop(slot);
        });
    }
    drop(listener);
    drop(alerts);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("stopping with requests still open after {} s", SHUTDOWN_GRACE.as_secs());
        }
    }
    Ok(())
}

/// A failed `accept`: out of file descriptors or memory, wait a little before the next;
/// a connection reset before it was accepted, go on at once.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind::*;
    if matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!("cannot accept a connection: {error}");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
