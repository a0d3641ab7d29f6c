//! The server's alerts: after every commit it sees, a round of checks of the saved searches
//! against the new articles; and, at every tick, the webhook deliveries that are due.

use std::sync::Arc;
use std::time::Duration;

use crate::alerts::{self, RetryPolicy};
use crate::server::AppState;

/// How often the server looks for new commits and due deliveries.
#[derive(Debug, Clone, Copy)]
pub struct AlertSchedule {
    /// Between two looks.
    pub every: Duration,
    /// When failed webhook deliveries are tried again.
    pub retry: RetryPolicy,
}

impl Default for AlertSchedule {
    fn default() -> Self {
        AlertSchedule {
            every: Duration::from_secs(5),
            retry: RetryPolicy::default(),
        }
    }
}

/// Runs alerts until the task is dropped.
pub async fn watch(state: Arc<AppState>, schedule: AlertSchedule) {
    let mut ticks = tokio::time::interval(schedule.every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The index's latest stamp at the last round (`None` before the first).
    let mut checked: Option<Option<i64>> = None;
    loop {
        ticks.tick().await;
        let state = state.clone();
        let last = checked;
        let done = tokio::task::spawn_blocking(move || round(&state, last, schedule.retry)).await;
        match done {
            Ok(Ok(latest)) => checked = Some(latest),
            // No index or no database yet, or a failure: the next tick tries again.
            Ok(Err(error)) => tracing::debug!("alerts: {error}"),
            Err(error) => tracing::warn!("alerts: the round failed: {error}"),
        }
    }
}

/// One round: checks when the index changed since `last`, then delivers. Returns the latest
/// stamp checked.
fn round(
    state: &AppState,
    last: Option<Option<i64>>,
    retry: RetryPolicy,
) -> Result<Option<i64>, String> {
    let engine = state.engine().map_err(|e| format!("{e:?}"))?;
    let saved = state.saved().map_err(|e| e.to_string())?;
    engine.reload().map_err(|e| e.to_string())?;
    let latest = engine.latest_stamp();
    if last != Some(latest) {
        match alerts::check(&engine, &saved) {
            Ok(report) => {
                if report.new_matches > 0 || !report.failed.is_empty() {
                    tracing::info!(
                        "alerts: {} new stor(ies) for {} of {} saved search(es) among {} new article(s)",
                        report.new_matches,
                        report.searches_with_new,
                        report.searches,
                        report.new_articles
                    );
                }
                for (id, error) in &report.failed {
                    tracing::warn!("alerts: saved search {id} cannot run: {error}");
                }
            }
            Err(error) => return Err(error.to_string()),
        }
    }
    match alerts::deliver(&saved, retry) {
        Ok(report) if report != alerts::DeliveryReport::default() => tracing::info!(
            "webhooks: {} delivered, {} to retry, {} given up",
            report.delivered,
            report.retrying,
            report.given_up
        ),
        Ok(_) => {}
        Err(error) => tracing::warn!("webhooks: {error}"),
    }
    Ok(latest)
}
