//! What lasts beside the index: saved searches and the search history, in an embedded SQLite
//! database (`<index>/dateline.db` unless told otherwise), written ahead (WAL) so that readers
//! never wait for a writer and a crash loses nothing committed.
//!
//! The schema is created and upgraded by [`MIGRATIONS`], in order, on open; SQLite's
//! `user_version` records how many have run. Every table that belongs to a person has an
//! `owner` column (`NULL`: the local user of a single-user server), ready for accounts.

mod alerts;
mod history;
mod saved;

pub use alerts::{
    AlertSearch, AlertStatus, DELIVERIES_SHOWN, Delivery, DueDelivery, MAX_ATTEMPTS,
    checked_webhook,
};
pub use history::HistoryEntry;
pub use saved::{SavedSearch, SavedView};

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

use crate::{Error, Result};

/// The database's file name inside an index directory.
pub const STATE_FILE: &str = "dateline.db";

/// Schema changes, in order; the n-th runs once, on the first open by a version that knows it.
const MIGRATIONS: &[&str] = &[
    // 1: saved searches and the search history.
    "CREATE TABLE saved_search (
        id INTEGER PRIMARY KEY,
        owner TEXT,
        name TEXT NOT NULL,
        request TEXT NOT NULL,
        feed_token TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE UNIQUE INDEX saved_search_owner_name ON saved_search (ifnull(owner, ''), name);
    CREATE TABLE search_history (
        id INTEGER PRIMARY KEY,
        owner TEXT,
        request TEXT NOT NULL,
        total INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX search_history_owner ON search_history (ifnull(owner, ''), id);",
    // 2: alerts. `cursor`: the `indexed_at` stamp (microseconds) a saved search has been
    // checked up to; `seen_match`: the last match its owner has seen.
    "ALTER TABLE saved_search ADD COLUMN cursor INTEGER;
    ALTER TABLE saved_search ADD COLUMN checked TEXT;
    ALTER TABLE saved_search ADD COLUMN webhook TEXT;
    ALTER TABLE saved_search ADD COLUMN seen_match INTEGER;
    CREATE TABLE alert_match (
        id INTEGER PRIMARY KEY,
        saved_search INTEGER NOT NULL REFERENCES saved_search (id) ON DELETE CASCADE,
        story_key TEXT NOT NULL,
        article TEXT NOT NULL,
        indexed_at INTEGER NOT NULL,
        found TEXT NOT NULL,
        UNIQUE (saved_search, story_key)
    );
    CREATE TABLE webhook_delivery (
        id INTEGER PRIMARY KEY,
        saved_search INTEGER NOT NULL REFERENCES saved_search (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        payload TEXT NOT NULL,
        matches INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL,
        delivered TEXT,
        error TEXT,
        next_attempt INTEGER
    );
    CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt)
        WHERE delivered IS NULL;",
];

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The state database.
pub struct State {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl State {
    /// The database of the index in `index_dir`.
    pub fn path_for(index_dir: &Path) -> PathBuf {
        index_dir.join(STATE_FILE)
    }

    /// Opens (or creates) the database at `path`, bringing its schema up to date.
    pub fn open(path: &Path) -> Result<State> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let failed = |e: rusqlite::Error| Error::state(path, e);
        let mut connection = Connection::open(path).map_err(failed)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
        connection
            .pragma_update(None, "journal_mode", "wal")
            .map_err(failed)?;
        connection
            .pragma_update(None, "synchronous", "normal")
            .map_err(failed)?;
        connection
            .pragma_update(None, "foreign_keys", "on")
            .map_err(failed)?;
        migrate(&mut connection).map_err(failed)?;
        Ok(State {
            path: path.to_path_buf(),
            connection: Mutex::new(connection),
        })
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (a transaction not
        // committed is rolled back): the connection stays usable.
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn failed(&self, error: rusqlite::Error) -> Error {
        Error::state(&self.path, error)
    }
}

/// Runs the migrations this database has not had yet, each in its own transaction.
fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let done: usize = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (at, migration) in MIGRATIONS.iter().enumerate().skip(done) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", at + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

/// A request as the database keeps it (saved or in the history), as JSON: where results start
/// is the reader's business, not the search's.
fn kept_request(request: &crate::search::SearchRequest) -> String {
    let request = crate::search::SearchRequest {
        page: 1,
        ..request.clone()
    };
    serde_json::to_string(&request).expect("a request serialises")
}

/// Now, as the database keeps times (RFC 3339, UTC, seconds).
fn now() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
