//! Saved searches, their Atom feeds and the search history: the router in-process over one
//! real SQLite file, and the command line.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dateline::server::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

async fn send(state: &Arc<AppState>, request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

async fn call(
    state: &Arc<AppState>,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let (status, bytes) = send(state, request.body(body).unwrap()).await;
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
    };
    (status, value)
}

fn code(value: &Value) -> &str {
    value["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn saved_searches_are_created_listed_changed_deleted_and_kept() {
    let fx = FixtureIndex::new();
    let state = Arc::new(AppState::new(&fx.path()));
    let (status, created) = call(
        &state,
        "POST",
        "/api/saved",
        Some(json!({"name": "Summit in Russian", "q": "саммит", "language": ["ru"], "sort": "newest"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let feed = created["feed"].as_str().unwrap().to_string();
    assert!(
        feed.starts_with("/feeds/") && feed.ends_with(".atom") && feed.len() > 40,
        "{feed}"
    );
    assert_eq!(created["total"], 1);
    assert_eq!(created["request"]["language"], json!(["ru"]));
    assert_eq!(created["request"]["sort"], "newest");

    // Refused: a name taken, a parameter /api/search does not know, a query that cannot run,
    // no name, a body that is not declared JSON, a page of another site.
    for (body, status, error) in [
        (
            json!({"name": " Summit in Russian ", "q": "x"}),
            StatusCode::CONFLICT,
            "saved_search_exists",
        ),
        (
            json!({"name": "a", "query": "x"}),
            StatusCode::BAD_REQUEST,
            "unknown_parameter",
        ),
        (
            json!({"name": "a", "q": "putin AND ("}),
            StatusCode::BAD_REQUEST,
            "query_syntax",
        ),
        (
            json!({"q": "putin"}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"name": "a", "size": {"n": 1}}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
    ] {
        let (got, reply) = call(&state, "POST", "/api/saved", Some(body.clone())).await;
        assert_eq!((got, code(&reply)), (status, error), "{body}");
    }
    let plain = Request::post("/api/saved")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(r#"{"name":"a","q":"putin"}"#))
        .unwrap();
    assert_eq!(
        send(&state, plain).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let cross = Request::post("/api/saved")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(r#"{"name":"a","q":"putin"}"#))
        .unwrap();
    let (status, body) = send(&state, cross).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&body)
    );

    let (status, listed) = call(&state, "GET", "/api/saved", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["saved"].as_array().unwrap().len(), 1);
    assert_eq!(listed["saved"][0]["name"], "Summit in Russian");

    // Changed: a new name and query; the feed keeps its address.
    let (status, changed) = call(
        &state,
        "PUT",
        &format!("/api/saved/{id}"),
        Some(json!({"name": "Summit", "q": "summit"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["feed"], feed.as_str());
    assert_eq!(changed["request"]["language"], json!([]));
    let total = changed["total"].as_u64().unwrap();
    assert!(total > 1, "{changed}");

    // Kept: another server over the same directory finds it.
    let again = Arc::new(AppState::new(&fx.path()));
    let (status, one) = call(&again, "GET", &format!("/api/saved/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (one["name"].as_str(), one["total"].as_u64()),
        (Some("Summit"), Some(total))
    );

    let (status, _) = call(&state, "DELETE", &format!("/api/saved/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for method in ["GET", "DELETE"] {
        let (status, body) = call(&state, method, &format!("/api/saved/{id}"), None).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::NOT_FOUND, "saved_search_not_found")
        );
    }
    let (status, body) = call(&state, "GET", "/api/saved/abc", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "saved_search_not_found")
    );
    let (status, body) = call(&state, "GET", &feed, None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "feed_not_found")
    );
}

#[tokio::test]
async fn a_saved_search_has_an_atom_feed_of_the_new_stories_it_finds() {
    let fx = FixtureIndex::of("stories.jsonl");
    let state = Arc::new(AppState::new(&fx.path()));
    let (status, created) = call(
        &state,
        "POST",
        "/api/saved",
        Some(json!({"name": "Velmora & the port", "q": "velmora"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let read_feed = || async {
        let request = Request::get(created["feed"].as_str().unwrap())
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .unwrap();
        let (status, xml) = send(&state, request).await;
        assert_eq!(status, StatusCode::OK);
        // Read as a feed reader reads it.
        feed_rs::parser::parse(&xml[..]).expect("valid Atom")
    };
    // What the archive held before the search was saved is not news.
    let feed = read_feed().await;
    assert_eq!(feed.title.unwrap().content, "Velmora & the port");
    assert!(feed.entries.is_empty());

    let out = dateline(
        &fx.path(),
        &["index", fixture("alerts-new.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let engine = dateline::Engine::open(&fx.path()).unwrap();
    let kept = dateline::state::State::open(&dateline::state::State::path_for(&fx.path())).unwrap();
    let report = dateline::alerts::check(&engine, &kept).unwrap();
    assert_eq!((report.new_articles, report.new_matches), (5, 2));

    let feed = read_feed().await;
    let entries: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.id.trim_start_matches("urn:dateline:article:").to_string())
        .collect();
    // One entry per new story, newest first: the ferry story by its first version, and the
    // new copy of the wire story the archive held.
    assert_eq!(entries, strings(&["al-ferry", "al-copy"]));
    let first = &feed.entries[0];
    assert_eq!(
        first.links[0].href,
        "http://127.0.0.1:8080/?q=velmora&article=al-ferry"
    );
    assert!(
        first.summary.as_ref().unwrap().content.contains("<mark>"),
        "{:?}",
        first.summary
    );
    assert_eq!(first.authors[0].name.as_deref(), Some("Harbour Wire"));
    assert!(first.published.is_some() && first.updated.is_some());
}

#[tokio::test]
async fn the_history_keeps_the_last_hundred_searches_newest_first() {
    let fx = FixtureIndex::new();
    let state = Arc::new(AppState::new(&fx.path()));
    for i in 0..105 {
        let (status, _) = call(
            &state,
            "GET",
            &format!("/api/search?q=summit+OR+w{i}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    // Paging on does not add a search; the same search again moves to the top.
    call(&state, "GET", "/api/search?q=summit+OR+w3&page=2", None).await;
    call(&state, "GET", "/api/search?q=summit+OR+w50", None).await;
    let (status, history) = call(&state, "GET", "/api/history", None).await;
    assert_eq!(status, StatusCode::OK);
    let queries: Vec<&str> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["q"].as_str().unwrap())
        .collect();
    assert_eq!(queries.len(), 100);
    assert_eq!(
        queries[..3],
        ["summit OR w50", "summit OR w104", "summit OR w103"]
    );
    assert_eq!(queries[99], "summit OR w5");
    assert!(history["history"][0]["total"].as_u64().unwrap() > 0);
}

#[test]
fn the_command_line_saves_lists_and_deletes_searches_in_a_state_file() {
    let fx = FixtureIndex::new();
    let file = fx.path().join("elsewhere/state.db");
    let state = file.to_str().unwrap();
    let out = dateline(
        &fx.path(),
        &[
            "--state",
            state,
            "saved",
            "add",
            "Kremlin",
            "putin",
            "--language",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("saved search 1 `Kremlin`: "),
        "{}",
        stdout(&out)
    );
    assert!(file.is_file() && !Path::new(&fx.path().join("dateline.db")).exists());
    let out = dateline(
        &fx.path(),
        &["--state", state, "saved", "add", "Kremlin", "kim"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "dateline: a saved search named `Kremlin` exists already: choose another name or change that one\n"
    );
    let out = dateline(&fx.path(), &["--state", state, "saved", "list", "--json"]);
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["name"], "Kremlin");
    assert_eq!(listed[0]["request"]["language"], json!(["en"]));
    let out = dateline(&fx.path(), &["--state", state, "saved", "rm", "Kremlin"]);
    assert_eq!(stdout(&out), "deleted saved search 1 `Kremlin`\n");
    let out = dateline(&fx.path(), &["--state", state, "saved", "list"]);
    assert!(
        stdout(&out).starts_with("no saved searches"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn the_browsers_search_bar_finds_dateline_and_its_suggestions() {
    let fx = FixtureIndex::new();
    let state = Arc::new(AppState::new(&fx.path()));
    let request = Request::get("/opensearch.xml")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .unwrap();
    let (status, xml) = send(&state, request).await;
    assert_eq!(status, StatusCode::OK);
    let xml = String::from_utf8(xml).unwrap();
    assert!(
        xml.contains(r#"template="http://127.0.0.1:8080/?q={searchTerms}""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"type="application/x-suggestions+json" method="get" template="http://127.0.0.1:8080/api/suggest?q={searchTerms}""#),
        "{xml}"
    );
    let (status, page) = send(&state, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8_lossy(&page)
            .contains(r#"rel="search" type="application/opensearchdescription+xml""#)
    );

    let (status, suggested) = call(&state, "GET", "/api/suggest?q=pyong", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(suggested, json!(["pyong", ["Pyongyang"]]));
    // The last word is completed; the words before it are kept.
    let (_, suggested) = call(&state, "GET", "/api/suggest?q=summit+in+PYONG", None).await;
    assert_eq!(
        suggested,
        json!(["summit in PYONG", ["summit in Pyongyang"]])
    );
    let (_, suggested) = call(&state, "GET", "/api/suggest?q=", None).await;
    assert_eq!(suggested, json!(["", []]));
    let (status, body) = call(&state, "GET", "/api/suggest?term=x", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "unknown_parameter")
    );
}
