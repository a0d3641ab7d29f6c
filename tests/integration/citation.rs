//! Citable results: a search's `snapshot` and `result_hash`, and what a permalink with them
//! says after more articles are indexed, after `dateline reindex`, and when it is not the
//! search that was cited.

use std::sync::Arc;

use axum::http::StatusCode;
use dateline::server::AppState;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_cited_search_says_whether_and_how_the_archive_changed() {
    let fx = FixtureIndex::of("stories.jsonl");
    let (_, first) = api_get(
        &Arc::new(AppState::new(&fx.path())),
        "/api/search?q=velmora",
    )
    .await;
    let snapshot = first["snapshot"].as_str().unwrap().to_string();
    let hash = first["result_hash"].as_str().unwrap().to_string();
    assert!(
        snapshot.parse::<i64>().unwrap() > 1_700_000_000_000_000,
        "{snapshot}"
    );
    assert!(hash.starts_with("13-") && hash.len() == 3 + 16, "{hash}");
    assert!(first.get("changed").is_none());
    let cited = format!("/api/search?q=velmora&snapshot={snapshot}&result_hash={hash}");

    let state = Arc::new(AppState::new(&fx.path()));
    let (_, same) = api_get(&state, &cited).await;
    assert_eq!(
        same["changed"],
        json!({"added": 0, "removed": 0, "verified": true})
    );
    assert_eq!(same["result_hash"], hash.as_str());
    // The same count with other articles: not the search cited.
    let (_, other) = api_get(
        &state,
        &format!("/api/search?q=velmora&snapshot={snapshot}&result_hash=13-0000000000000001"),
    )
    .await;
    assert_eq!(other["changed"]["verified"], false);

    let out = dateline(
        &fx.path(),
        &["index", fixture("alerts-new.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state = Arc::new(AppState::new(&fx.path()));
    let (_, later) = api_get(&state, &cited).await;
    assert_eq!(later["total"], 16);
    assert_eq!(
        later["changed"],
        json!({"added": 3, "removed": 0, "verified": true})
    );
    assert_ne!(later["snapshot"], snapshot.as_str());

    // Re-tagged in place: the same articles, the same answer.
    let out = dateline(&fx.path(), &["reindex"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state = Arc::new(AppState::new(&fx.path()));
    let (_, after) = api_get(&state, &cited).await;
    assert_eq!(
        after["changed"],
        json!({"added": 3, "removed": 0, "verified": true})
    );

    // An article of the citation replaced by a new version: removed, and its new version added.
    let dir = tempfile::tempdir().unwrap();
    let replaced = dir.path().join("replaced.jsonl");
    std::fs::write(
        &replaced,
        r#"{"id": "st-orig", "source": "Harbour Wire", "title": "Velmora dockworkers strike (corrected)", "body": "VELMORA, May 6 (Harbour Wire) — Corrected: dockworkers at the port of Velmora walked off the job on Monday.", "language": "en", "published": "2024-05-06T08:00:00Z"}"#,
    )
    .unwrap();
    let out = dateline(&fx.path(), &["index", replaced.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state = Arc::new(AppState::new(&fx.path()));
    let (_, corrected) = api_get(&state, &cited).await;
    assert_eq!(corrected["changed"], json!({"added": 4, "removed": 1}));

    for uri in [
        format!("/api/search?q=velmora&snapshot={snapshot}"),
        format!("/api/search?q=velmora&snapshot=yesterday&result_hash={hash}"),
        "/api/search?q=velmora&snapshot=1&result_hash=13".to_string(),
    ] {
        let (status, body) = api_get(&state, &uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{uri}: {body}");
    }
}
