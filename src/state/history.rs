//! The search history: the last searches run, newest first.

use rusqlite::params;
use serde::Serialize;

use crate::Result;
use crate::search::SearchRequest;
use crate::state::{State, kept_request, now};

/// Searches the history keeps (per owner).
pub const HISTORY_LENGTH: i64 = 100;

/// A search that was run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The search.
    pub request: SearchRequest,
    /// How many articles matched then.
    pub total: u64,
    /// When (RFC 3339).
    pub at: String,
}

impl State {
    /// Records a search and how many articles it matched; the oldest beyond
    /// [`HISTORY_LENGTH`] go. The same search run again moves to the top.
    pub fn record_search(&self, request: &SearchRequest, total: u64) -> Result<()> {
        let json = kept_request(request);
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.failed(e))?;
        transaction
            .execute(
                "DELETE FROM search_history WHERE owner IS NULL AND request = ?1",
                [&json],
            )
            .and_then(|_| {
                transaction.execute(
                    "INSERT INTO search_history (owner, request, total, at) VALUES (NULL, ?1, ?2, ?3)",
                    params![json, total as i64, now()],
                )
            })
            .and_then(|_| {
                transaction.execute(
                    "DELETE FROM search_history WHERE owner IS NULL AND id NOT IN
                     (SELECT id FROM search_history WHERE owner IS NULL ORDER BY id DESC LIMIT ?1)",
                    [HISTORY_LENGTH],
                )
            })
            .and_then(|_| transaction.commit())
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// The last searches, newest first.
    pub fn history(&self) -> Result<Vec<HistoryEntry>> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(
                "SELECT request, total, at FROM search_history WHERE owner IS NULL
                 ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.failed(e))?;
        let rows = statement
            .query_map([HISTORY_LENGTH], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.failed(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.failed(e))?;
        // An entry a later version wrote in a form this one cannot read is left out.
        Ok(rows
            .into_iter()
            .filter_map(|(request, total, at)| {
                Some(HistoryEntry {
                    request: serde_json::from_str(&request).ok()?,
                    total: total.max(0) as u64,
                    at,
                })
            })
            .collect())
    }
}
