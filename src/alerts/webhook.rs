//! Webhook deliveries: a JSON POST of one check's new matches to the saved search's address,
//! tried again with exponential backoff when the receiver fails or cannot be reached, and
//! given up (kept, shown as failed in `GET /api/saved/{id}`) after
//! [`crate::state::MAX_ATTEMPTS`] attempts.

use std::time::Duration;

use serde::Serialize;

use crate::Result;
use crate::state::{MAX_ATTEMPTS, State};

/// How long one POST may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait between two attempts.
const MAX_BACKOFF_SECS: u64 = 3_600;
/// Characters of a receiver's answer kept with a failure.
const ANSWER_CHARS: usize = 200;

/// When failed deliveries are tried again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Seconds before the second attempt; each later wait doubles, up to an hour.
    pub first_wait_secs: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_wait_secs: 30,
        }
    }
}

impl RetryPolicy {
    /// Seconds to wait after `attempts` failed attempts; `None`: give up.
    pub fn wait_after(&self, attempts: u32) -> Option<u64> {
        if attempts >= MAX_ATTEMPTS {
            return None;
        }
        let doubled = self
            .first_wait_secs
            .saturating_mul(1 << attempts.saturating_sub(1).min(20));
        Some(doubled.min(MAX_BACKOFF_SECS))
    }
}

/// What a round of deliveries did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DeliveryReport {
    /// Deliveries that went through.
    pub delivered: usize,
    /// Deliveries that failed and will be tried again.
    pub retrying: usize,
    /// Deliveries given up on this round.
    pub given_up: usize,
}

/// POSTs every delivery that is due.
pub fn deliver(state: &State, policy: RetryPolicy) -> Result<DeliveryReport> {
    let due = state.due_deliveries()?;
    let mut report = DeliveryReport::default();
    if due.is_empty() {
        return Ok(report);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("Dateline/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    for delivery in due {
        match post(&agent, &delivery.url, &delivery.payload) {
            Ok(()) => {
                state.delivered(delivery.id)?;
                report.delivered += 1;
            }
            Err(error) => {
                let wait = policy.wait_after(delivery.attempts + 1);
                state.delivery_failed(delivery.id, &error, wait)?;
                match wait {
                    Some(_) => report.retrying += 1,
                    None => report.given_up += 1,
                }
            }
        }
    }
    Ok(report)
}

/// One POST; the error says what the receiver answered or why it could not be reached.
fn post(agent: &ureq::Agent, url: &str, payload: &str) -> std::result::Result<(), String> {
    let mut response = agent
        .post(url)
        .content_type("application/json")
        .send(payload)
        .map_err(|e| format!("could not deliver to {url}: {e}"))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let answer = response
        .body_mut()
        .read_to_string()
        .unwrap_or_default()
        .chars()
        .take(ANSWER_CHARS)
        .collect::<String>();
    Err(format!("{url} answered {status}: {}", answer.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour_then_give_up() {
        let policy = RetryPolicy {
            first_wait_secs: 30,
        };
        let waits: Vec<_> = (1..=MAX_ATTEMPTS).map(|n| policy.wait_after(n)).collect();
        assert_eq!(
            waits,
            [
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(960),
                Some(1920),
                None
            ]
        );
    }
}
