//! Alerts: every saved search is a standing query. A round checks each against the articles
//! indexed since its cursor ([`Engine::percolate`]), records the new stories it found
//! ([`State::record_check`]: the feed's entries, "N new since you last looked", a webhook
//! delivery) and then POSTs the deliveries that are due ([`deliver`]).
//!
//! The server runs a round after every commit it sees; `dateline alerts run` runs one (for
//! cron).

mod webhook;

pub use webhook::{DeliveryReport, RetryPolicy, deliver};

use serde::Serialize;

use crate::Result;
use crate::search::{Engine, Standing};
use crate::state::State;

/// What a round of checks did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CheckReport {
    /// Saved searches checked.
    pub searches: usize,
    /// Articles new to at least one of them.
    pub new_articles: usize,
    /// New stories recorded, over all searches.
    pub new_matches: usize,
    /// Searches that found something new.
    pub searches_with_new: usize,
    /// Searches whose query could not run, with why (they keep their cursor).
    pub failed: Vec<(i64, String)>,
}

/// Checks every saved search against the articles indexed since its cursor.
pub fn check(engine: &Engine, state: &State) -> Result<CheckReport> {
    let searches = state.alert_searches()?;
    let latest = engine.latest_stamp();
    let mut report = CheckReport {
        searches: searches.len(),
        ..CheckReport::default()
    };
    // A search saved before alerts has no cursor: it starts from now, not from the archive.
    let (fresh, standing): (Vec<_>, Vec<_>) =
        searches.into_iter().partition(|s| s.cursor.is_none());
    for search in fresh {
        state.record_check(search.id, &[], latest.unwrap_or(0))?;
    }
    if standing.is_empty() {
        return Ok(report);
    }
    let queries: Vec<Standing> = standing
        .iter()
        .map(|s| Standing {
            request: s.request.clone(),
            after: s.cursor.unwrap_or(0),
        })
        .collect();
    let percolation = engine.percolate(&queries)?;
    report.new_articles = percolation.new_articles;
    let Some(checked_up_to) = percolation.latest else {
        return Ok(report);
    };
    for (search, found) in standing.iter().zip(percolation.matches) {
        match found {
            Ok(matches) => {
                let new = state.record_check(search.id, &matches, checked_up_to)?;
                report.new_matches += new.len();
                report.searches_with_new += usize::from(!new.is_empty());
            }
            Err(e) => report.failed.push((search.id, e.to_string())),
        }
    }
    Ok(report)
}
