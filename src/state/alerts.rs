//! Alerts: each saved search's cursor (the `indexed_at` stamp it has been checked up to), the
//! new matches found for it (one per story: the feed's entries and "N new since you last
//! looked"), and the webhook deliveries waiting, done or given up.
//!
//! A check's matches, the webhook delivery they make and the advanced cursor are written in
//! one transaction: a crash repeats a whole check or none of it, so every new match is
//! delivered exactly once.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::search::{NewMatch, SearchRequest, format_micros};
use crate::state::{State, now};
use crate::{Error, Result};

/// Attempts at a webhook delivery before it is given up (kept, and shown as failed).
pub const MAX_ATTEMPTS: u32 = 8;
/// Deliveries shown with a saved search, newest first.
pub const DELIVERIES_SHOWN: usize = 10;

/// A saved search as alerts see it.
#[derive(Debug, Clone)]
pub struct AlertSearch {
    /// The saved search's id.
    pub id: i64,
    /// Its request.
    pub request: SearchRequest,
    /// The stamp it has been checked up to; `None`: never checked (saved before alerts).
    pub cursor: Option<i64>,
}

/// What a saved search's alert looks like from outside.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlertStatus {
    /// New stories since the user last looked (`POST /api/saved/{id}/seen`).
    pub new: u64,
    /// New stories found since the search was saved.
    pub found: u64,
    /// Articles indexed up to this time have been checked (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_up_to: Option<String>,
    /// When it was last checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked: Option<String>,
    /// Where new matches are POSTed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// The latest webhook deliveries, newest first.
    pub deliveries: Vec<Delivery>,
}

/// One webhook delivery: a POST of the new matches of one check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// Where it goes.
    pub url: String,
    /// New matches it carries.
    pub matches: u64,
    /// `pending` (waiting for its next attempt), `delivered` or `failed` (given up).
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was made (RFC 3339).
    pub created: String,
    /// When it was delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<String>,
    /// What went wrong at the last failed attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it is tried next, while pending (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<String>,
}

/// A delivery to attempt now.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// Its id.
    pub id: i64,
    /// Where it goes.
    pub url: String,
    /// The JSON body.
    pub payload: String,
    /// Attempts so far.
    pub attempts: u32,
}

/// The JSON a webhook receives.
#[derive(Serialize)]
struct Payload<'a> {
    saved_search: PayloadSearch<'a>,
    matches: &'a [&'a NewMatch],
}

#[derive(Serialize)]
struct PayloadSearch<'a> {
    id: i64,
    name: &'a str,
    q: &'a str,
}

/// A saved search's alert columns: cursor, checked, webhook, last match seen.
type AlertRow = (Option<i64>, Option<String>, Option<String>, i64);

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn rfc3339(unix: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// A URL a webhook can be POSTed to.
pub fn checked_webhook(url: &str) -> Result<String> {
    let url = url.trim();
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::invalid("webhook", format!("`{url}` is not an address ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(Error::invalid(
            "webhook",
            format!("`{url}` is not an http:// or https:// address"),
        ));
    }
    Ok(url.to_string())
}

impl State {
    /// Every saved search, for a round of alerts.
    pub fn alert_searches(&self) -> Result<Vec<AlertSearch>> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT id, request, cursor FROM saved_search ORDER BY id")
            .map_err(|e| self.failed(e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                ))
            })
            .map_err(|e| self.failed(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.failed(e))?;
        // A request this version cannot read is left out of the round (the API says why).
        Ok(rows
            .into_iter()
            .filter_map(|(id, request, cursor)| {
                Some(AlertSearch {
                    id,
                    request: serde_json::from_str(&request).ok()?,
                    cursor,
                })
            })
            .collect())
    }

    /// Records one check of saved search `id`: its new matches (one per story: a story it
    /// has found before is not new), a webhook delivery of them when it has a webhook, and its
    /// cursor moved to `checked_up_to`. Returns the matches that were new.
    pub fn record_check<'m>(
        &self,
        id: i64,
        matches: &'m [NewMatch],
        checked_up_to: i64,
    ) -> Result<Vec<&'m NewMatch>> {
        let mut connection = self.connection();
        let failed = |e| Error::state(&self.path, e);
        let transaction = connection.transaction().map_err(failed)?;
        let search: Option<(String, String, Option<String>)> = transaction
            .query_row(
                "SELECT name, request, webhook FROM saved_search WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(failed)?;
        // Deleted while it was being checked: nothing to record.
        let Some((name, request, webhook)) = search else {
            return Ok(Vec::new());
        };
        let found = now();
        let mut new = Vec::new();
        for found_match in matches {
            let story = match &found_match.story {
                Some(story) => format!("story:{story}"),
                None => format!("article:{}", found_match.id),
            };
            let inserted = transaction
                .execute(
                    "INSERT OR IGNORE INTO alert_match
                     (saved_search, story_key, article, indexed_at, found)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, story, found_match.id, found_match.stamp, found],
                )
                .map_err(failed)?;
            if inserted == 1 {
                new.push(found_match);
            }
        }
        if let (Some(url), false) = (webhook, new.is_empty()) {
            let q = serde_json::from_str::<SearchRequest>(&request)
                .map(|r| r.q)
                .unwrap_or_default();
            let payload = serde_json::to_string(&Payload {
                saved_search: PayloadSearch {
                    id,
                    name: &name,
                    q: &q,
                },
                matches: &new,
            })
            .expect("a payload serialises");
            transaction
                .execute(
                    "INSERT INTO webhook_delivery
                     (saved_search, url, payload, matches, created, next_attempt)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, url, payload, new.len() as i64, found, unix_now()],
                )
                .map_err(failed)?;
        }
        transaction
            .execute(
                "UPDATE saved_search SET cursor = ?2, checked = ?3 WHERE id = ?1",
                params![id, checked_up_to, found],
            )
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
        Ok(new)
    }

    /// Sets (or, with `None`, removes) the webhook of saved search `id`.
    pub fn set_webhook(&self, id: i64, url: Option<&str>) -> Result<()> {
        let url = url.map(checked_webhook).transpose()?;
        let changed = self
            .connection()
            .execute(
                "UPDATE saved_search SET webhook = ?2 WHERE id = ?1",
                params![id, url],
            )
            .map_err(|e| self.failed(e))?;
        if changed == 0 {
            return Err(Error::SavedSearchNotFound { id });
        }
        Ok(())
    }

    /// The user has looked at saved search `id`: its new matches are not new any more.
    pub fn mark_seen(&self, id: i64) -> Result<()> {
        let changed = self
            .connection()
            .execute(
                "UPDATE saved_search SET seen_match =
                   (SELECT ifnull(max(id), 0) FROM alert_match WHERE saved_search = ?1)
                 WHERE id = ?1",
                [id],
            )
            .map_err(|e| self.failed(e))?;
        if changed == 0 {
            return Err(Error::SavedSearchNotFound { id });
        }
        Ok(())
    }

    /// The ids of the articles of the newest `limit` matches of saved search `id`.
    pub fn alert_articles(&self, id: i64, limit: usize) -> Result<Vec<String>> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(
                "SELECT article FROM alert_match WHERE saved_search = ?1
                 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|e| self.failed(e))?;
        statement
            .query_map(params![id, limit as i64], |row| row.get(0))
            .map_err(|e| self.failed(e))?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| self.failed(e))
    }

    /// The alert of saved search `id`.
    pub fn alert_status(&self, id: i64) -> Result<AlertStatus> {
        let connection = self.connection();
        let failed = |e| Error::state(&self.path, e);
        let row: Option<AlertRow> = connection
            .query_row(
                "SELECT cursor, checked, webhook, ifnull(seen_match, 0)
                 FROM saved_search WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()
            .map_err(failed)?;
        let Some((cursor, checked, webhook, seen)) = row else {
            return Err(Error::SavedSearchNotFound { id });
        };
        let (found, new): (i64, i64) = connection
            .query_row(
                "SELECT count(*), ifnull(sum(id > ?2), 0) FROM alert_match
                 WHERE saved_search = ?1",
                params![id, seen],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(failed)?;
        let mut statement = connection
            .prepare(
                "SELECT id, url, matches, attempts, created, delivered, error, next_attempt
                 FROM webhook_delivery WHERE saved_search = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(failed)?;
        let deliveries = statement
            .query_map(params![id, DELIVERIES_SHOWN as i64], |row| {
                let attempts: u32 = row.get(3)?;
                let delivered: Option<String> = row.get(5)?;
                let next: Option<i64> = row.get(7)?;
                let status = match (&delivered, next) {
                    (Some(_), _) => "delivered",
                    (None, Some(_)) => "pending",
                    (None, None) => "failed",
                };
                Ok(Delivery {
                    id: row.get(0)?,
                    url: row.get(1)?,
                    matches: row.get::<_, i64>(2)? as u64,
                    status: status.to_string(),
                    attempts,
                    created: row.get(4)?,
                    delivered,
                    error: row.get(6)?,
                    next_attempt: next.and_then(rfc3339),
                })
            })
            .map_err(failed)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(failed)?;
        Ok(AlertStatus {
            new: new as u64,
            found: found as u64,
            checked_up_to: cursor.filter(|&c| c > 0).map(format_micros),
            checked,
            webhook,
            deliveries,
        })
    }

    /// The webhook deliveries whose next attempt is due.
    pub fn due_deliveries(&self) -> Result<Vec<DueDelivery>> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(
                "SELECT id, url, payload, attempts FROM webhook_delivery
                 WHERE delivered IS NULL AND next_attempt IS NOT NULL AND next_attempt <= ?1
                 ORDER BY id",
            )
            .map_err(|e| self.failed(e))?;
        statement
            .query_map([unix_now()], |row| {
                Ok(DueDelivery {
                    id: row.get(0)?,
                    url: row.get(1)?,
                    payload: row.get(2)?,
                    attempts: row.get(3)?,
                })
            })
            .map_err(|e| self.failed(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.failed(e))
    }

    /// A delivery went through.
    pub fn delivered(&self, id: i64) -> Result<()> {
        self.connection()
            .execute(
                "UPDATE webhook_delivery
                 SET delivered = ?2, attempts = attempts + 1, next_attempt = NULL
                 WHERE id = ?1",
                params![id, now()],
            )
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// A delivery failed with `error`; it is tried again `retry_in` seconds from now, or,
    /// with `None`, given up.
    pub fn delivery_failed(&self, id: i64, error: &str, retry_in: Option<u64>) -> Result<()> {
        let next = retry_in.map(|secs| unix_now().saturating_add(secs as i64));
        self.connection()
            .execute(
                "UPDATE webhook_delivery
                 SET attempts = attempts + 1, error = ?2, next_attempt = ?3
                 WHERE id = ?1",
                params![id, error, next],
            )
            .map_err(|e| self.failed(e))?;
        Ok(())
    }
}
