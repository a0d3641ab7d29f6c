//! Batch search: a list of terms counted against the archive, over the API (NDJSON streamed)
//! and the command line (CSV, NDJSON); one bad line never stops the batch.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dateline::server::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

async fn post_batch(state: &Arc<AppState>, query: &str, body: &[u8]) -> (StatusCode, String) {
    let request = Request::post(format!("/api/batch{query}"))
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(body.to_vec()))
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn rows(ndjson: &str) -> Vec<Value> {
    ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test]
async fn a_batch_counts_each_term_and_reports_bad_lines_in_their_rows() {
    let fx = FixtureIndex::of("stories.jsonl");
    let state = Arc::new(AppState::new(&fx.path()));
    let (status, body) = post_batch(
        &state,
        "",
        b"velmora\n\n  (broken \ncrane automation\nzzzz\n",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = rows(&body);
    assert_eq!(
        rows[0],
        json!({"term": "velmora", "total": 13, "stories": 6, "first": "2024-04-29", "last": "2024-05-08",
               "sources": [{"value": "Harbour Wire", "count": 5}, {"value": "Coastline Post", "count": 2},
                           {"value": "Archive Digest", "count": 1}], "error": null})
    );
    assert_eq!(rows[1]["term"], "(broken");
    assert_eq!(rows[1]["total"], 0);
    assert!(
        rows[1]["error"].as_str().unwrap().contains("never closed"),
        "{}",
        rows[1]
    );
    assert_eq!(rows[2]["term"], "crane automation");
    assert!(rows[2]["total"].as_u64().unwrap() > 0 && rows[2]["error"].is_null());
    assert_eq!(
        (rows[3]["total"].as_u64(), rows[3]["first"].clone()),
        (Some(0), Value::Null)
    );
    assert_eq!(rows.len(), 4, "blank lines are skipped");

    // Within filters, as exact phrases, from a CSV column.
    let (status, body) = post_batch(&state, "?source=Harbour%20Wire", b"velmora\n").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(rows_of(&body, "total"), [json!(5)]);
    let (_, body) = post_batch(
        &state,
        "?as=phrase",
        b"automate container cranes\ncontainer automate\n",
    )
    .await;
    let phrased = rows_of(&body, "total");
    assert!(
        phrased[0].as_u64().unwrap() > 0 && phrased[1] == json!(0),
        "{body}"
    );
    let csv = b"name,note\nvelmora,port\n\"crane automation\",x\n";
    let (status, body) = post_batch(&state, "?column=Name", csv).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        rows_of(&body, "term"),
        [json!("velmora"), json!("crane automation")]
    );

    // Refused before anything is counted.
    for (query, body, code) in [
        ("", &b"\n \n"[..], "invalid_body"),
        ("?q=x", &b"velmora"[..], "unknown_parameter"),
        ("?as=regex", &b"velmora"[..], "invalid_parameter"),
        ("?column=person", &b"name\nx\n"[..], "invalid_parameter"),
        ("", &b"caf\xe9\n"[..], "invalid_body"),
    ] {
        let (status, answer) = post_batch(&state, query, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {answer}");
        let error: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(error["error"]["code"], code, "{query}: {answer}");
    }
    let too_many = "velmora\n".repeat(10_001);
    let (status, answer) = post_batch(&state, "", too_many.as_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer.contains("at most 10000"), "{answer}");
}

fn rows_of(body: &str, key: &str) -> Vec<Value> {
    rows(body).iter().map(|r| r[key].clone()).collect()
}

#[test]
fn the_command_line_counts_a_list_as_csv_or_ndjson() {
    let fx = FixtureIndex::of("stories.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("names.txt");
    std::fs::write(&list, "velmora\n(broken\n").unwrap();
    let out = dateline(&fx.path(), &["batch", list.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "term,total,stories,first,last,sources,error\n\
         velmora,13,6,2024-04-29,2024-05-08,Harbour Wire (5); Coastline Post (2); Archive Digest (1),\n\
         (broken,0,,,,,query syntax error at position 1: the `(` at position 1 is never closed: add a `)`\n"
    );
    assert!(
        stderr(&out).contains("counted 2 term(s); 1 could not run"),
        "{}",
        stderr(&out)
    );
    let out = dateline_with_stdin(
        &fx.path(),
        &[
            "batch",
            "-",
            "--format",
            "ndjson",
            "--as",
            "phrase",
            "--from",
            "2024-05-01",
            "-q",
        ],
        Some(b"velmora\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let row: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        (row["first"].as_str(), row["last"].as_str()),
        (Some("2024-05-03"), Some("2024-05-08"))
    );
    let out = dateline(&fx.path(), &["batch", "/nonexistent/list.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the list"),
        "{}",
        stderr(&out)
    );
}
