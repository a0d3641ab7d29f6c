//! Saved searches: a name and the whole request, with the secret token of its feed.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::search::SearchRequest;
use crate::state::{AlertStatus, State, kept_request, now};
use crate::{Error, Result};

/// Longest name of a saved search, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A saved search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedSearch {
    /// Its id.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// The search: query, filters, order.
    pub request: SearchRequest,
    /// The secret its feed is known by (`/feeds/{token}.atom`): whoever has it can read the
    /// feed, so it is long and random.
    #[serde(skip)]
    pub feed_token: String,
    /// When it was saved (RFC 3339).
    pub created: String,
    /// When it was last changed.
    pub updated: String,
}

/// A saved search as the API and the command line show it: with its feed's path, how many
/// articles match it now and its alert.
#[derive(Debug, Serialize)]
pub struct SavedView<'a> {
    #[serde(flatten)]
    saved: &'a SavedSearch,
    feed: String,
    total: u64,
    alert: AlertStatus,
}

impl SavedSearch {
    /// How it is shown, with `total` articles matching it now.
    pub fn view(&self, total: u64, alert: AlertStatus) -> SavedView<'_> {
        SavedView {
            saved: self,
            feed: self.feed(),
            total,
            alert,
        }
    }

    /// The path of its Atom feed.
    pub fn feed(&self) -> String {
        format!("/feeds/{}.atom", self.feed_token)
    }

    fn read(row: &Row<'_>) -> rusqlite::Result<(i64, String, String, String, String, String)> {
        Ok((
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
        ))
    }
}

const COLUMNS: &str = "id, name, request, feed_token, created, updated";

/// A name a search can be saved under: trimmed, not empty, not too long.
fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "give the saved search a name"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("the name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_string())
}

/// A secret for a feed address: 128 random bits, in hex.
fn new_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random {
        message: e.to_string(),
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl State {
    /// Saves `request` under `name` (which no other saved search of the owner may have).
    /// Alerts start after `cursor`, the index's latest `indexed_at` stamp (`None`: the index
    /// holds no stamped article, and every article indexed from now on is new).
    pub fn add_saved(
        &self,
        name: &str,
        request: &SearchRequest,
        cursor: Option<i64>,
    ) -> Result<SavedSearch> {
        let name = checked_name(name)?;
        let json = kept_request(request);
        let request = serde_json::from_str(&json).expect("a request reads back");
        let token = new_token()?;
        let at = now();
        let connection = self.connection();
        let inserted = connection.execute(
            "INSERT INTO saved_search (owner, name, request, feed_token, created, updated, cursor)
             VALUES (NULL, ?1, ?2, ?3, ?4, ?4, ?5)",
            params![name, json, token, at, cursor.unwrap_or(0)],
        );
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(Error::SavedSearchExists { name }),
            Err(e) => return Err(self.failed(e)),
        }
        Ok(SavedSearch {
            id: connection.last_insert_rowid(),
            name,
            request,
            feed_token: token,
            created: at.clone(),
            updated: at,
        })
    }

    /// Every saved search, by name.
    pub fn saved(&self) -> Result<Vec<SavedSearch>> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {COLUMNS} FROM saved_search WHERE owner IS NULL ORDER BY name, id"
            ))
            .map_err(|e| self.failed(e))?;
        let rows = statement
            .query_map([], SavedSearch::read)
            .map_err(|e| self.failed(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.failed(e))?;
        rows.into_iter().map(|row| self.decoded(row)).collect()
    }

    /// The saved search with this id.
    pub fn saved_search(&self, id: i64) -> Result<SavedSearch> {
        let row = self
            .connection()
            .query_row(
                &format!("SELECT {COLUMNS} FROM saved_search WHERE id = ?1 AND owner IS NULL"),
                [id],
                SavedSearch::read,
            )
            .optional()
            .map_err(|e| self.failed(e))?;
        match row {
            Some(row) => self.decoded(row),
            None => Err(Error::SavedSearchNotFound { id }),
        }
    }

    /// The saved search with this name.
    pub fn saved_named(&self, name: &str) -> Result<Option<SavedSearch>> {
        let row = self
            .connection()
            .query_row(
                &format!("SELECT {COLUMNS} FROM saved_search WHERE name = ?1 AND owner IS NULL"),
                [name.trim()],
                SavedSearch::read,
            )
            .optional()
            .map_err(|e| self.failed(e))?;
        row.map(|row| self.decoded(row)).transpose()
    }

    /// The saved search whose feed has this secret.
    pub fn saved_by_token(&self, token: &str) -> Result<Option<SavedSearch>> {
        let row = self
            .connection()
            .query_row(
                &format!("SELECT {COLUMNS} FROM saved_search WHERE feed_token = ?1"),
                [token],
                SavedSearch::read,
            )
            .optional()
            .map_err(|e| self.failed(e))?;
        row.map(|row| self.decoded(row)).transpose()
    }

    /// Renames a saved search and replaces its request; its feed keeps its address.
    pub fn update_saved(
        &self,
        id: i64,
        name: &str,
        request: &SearchRequest,
    ) -> Result<SavedSearch> {
        let name = checked_name(name)?;
        let json = kept_request(request);
        let updated = self.connection().execute(
            "UPDATE saved_search SET name = ?2, request = ?3, updated = ?4
             WHERE id = ?1 AND owner IS NULL",
            params![id, name, json, now()],
        );
        match updated {
            Ok(0) => Err(Error::SavedSearchNotFound { id }),
            Ok(_) => self.saved_search(id),
            Err(e) if is_unique_violation(&e) => Err(Error::SavedSearchExists { name }),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Deletes a saved search.
    pub fn remove_saved(&self, id: i64) -> Result<()> {
        let removed = self
            .connection()
            .execute(
                "DELETE FROM saved_search WHERE id = ?1 AND owner IS NULL",
                [id],
            )
            .map_err(|e| self.failed(e))?;
        if removed == 0 {
            return Err(Error::SavedSearchNotFound { id });
        }
        Ok(())
    }

    fn decoded(
        &self,
        (id, name, request, feed_token, created, updated): (
            i64,
            String,
            String,
            String,
            String,
            String,
        ),
    ) -> Result<SavedSearch> {
        // A request saved by a later version may hold what this one does not know.
        let request = serde_json::from_str(&request).map_err(|e| Error::State {
            path: self.path.clone(),
            message: format!("saved search {id} cannot be read ({e}): save it again"),
        })?;
        Ok(SavedSearch {
            id,
            name,
            request,
            feed_token,
            created,
            updated,
        })
    }
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}
