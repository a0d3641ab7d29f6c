//! The HTTP API: the router in-process for every endpoint and error, and the real server on a
//! loopback port.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dateline::server::{AppState, app, run};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn get(index: &Path, uri: &str) -> Reply {
    get_with(index, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn get_with(index: &Path, request: Request<Body>) -> Reply {
    let response = app(Arc::new(AppState::new(index)))
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn error_of(index: &Path, uri: &str) -> (StatusCode, Value) {
    let reply = get(index, uri).await;
    (reply.status, reply.json()["error"].clone())
}

#[tokio::test]
async fn search_answers_hits_facets_histogram_and_snippets() {
    let fx = FixtureIndex::new();
    let reply = get(&fx.path(), "/api/search?q=%D1%81%D0%B0%D0%BC%D0%BC%D0%B8%D1%82%D0%B0&facets=language,source&histogram=day").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["total"], 1);
    assert_eq!(body["hits"][0]["id"], "ru-summit");
    assert!(
        body["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>саммит</mark>")
    );
    assert_eq!(
        body["facets"],
        json!({"language": [{"value": "ru", "count": 1}], "source": [{"value": "Северный тест", "count": 1}]})
    );
    assert_eq!(
        body["histogram"],
        json!([{"date": "2024-06-19", "count": 1}])
    );

    // Repeated filters: any of several languages, every one of several… (entities come later).
    let both = get(&fx.path(), "/api/search?q=*&language=fr&language=es")
        .await
        .json();
    assert_eq!(both["total"], 2);
    let page = get(&fx.path(), "/api/search?q=*&sort=oldest&size=5&page=3")
        .await
        .json();
    assert_eq!(
        (page["page"].clone(), page["size"].clone()),
        (json!(3), json!(5))
    );
    assert_eq!(page["hits"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn stories_collapse_and_lineage_over_the_api() {
    let fx = FixtureIndex::of("stories.jsonl");
    let index = fx.path();
    let collapsed = get(&index, "/api/search?q=velmora&collapse=story&size=100").await;
    assert_eq!(collapsed.status, StatusCode::OK);
    let body = collapsed.json();
    assert_eq!(
        (body["total"].clone(), body["stories"].clone()),
        (13.into(), 6.into())
    );
    let latest = get(
        &index,
        "/api/search?q=dockworkers&collapse=story&represent=latest",
    )
    .await;
    let hit = &latest.json()["hits"][0];
    assert_eq!(hit["id"], "st-update");
    assert_eq!(hit["story"]["first"], "st-orig");
    let story = hit["story"]["id"].as_str().unwrap().to_string();
    let lineage = get(&index, &format!("/api/stories/{story}")).await;
    assert_eq!(lineage.status, StatusCode::OK);
    let lineage = lineage.json();
    assert_eq!(lineage["versions"], 8);
    assert_eq!(lineage["articles"][0]["id"], "st-orig");
    // Similar coverage: the other stories on the strike, not the copies; the French version is
    // in another language.
    let similar = get(&index, "/api/articles/st-orig/similar?size=2")
        .await
        .json();
    assert_eq!(ids(&similar), strings(&["st-related-1", "st-related-2"]));
    let related = get(&index, "/api/articles/st-related-2/similar")
        .await
        .json();
    assert_eq!(ids(&related)[..2], strings(&["st-related-1", "st-orig"]));
    assert_eq!(related["hits"][1]["story"]["versions"], 8);
    let french = get(&index, "/api/articles/st-french/similar").await.json();
    assert_eq!(french["hits"], json!([]));
    for (uri, code) in [
        ("/api/articles/st-orig/similar?size=0", "invalid_parameter"),
        ("/api/articles/st-orig/similar?size=51", "invalid_parameter"),
        (
            "/api/articles/st-orig/similar?sort=newest",
            "unknown_parameter",
        ),
        ("/api/articles/nope/similar", "article_not_found"),
    ] {
        assert_eq!(error_of(&index, uri).await.1["code"], code, "{uri}");
    }
    let cli = stdout(&dateline(
        &index,
        &["similar", "st-related-2", "--size", "2"],
    ));
    assert!(
        cli.starts_with("  1. Velmora strike: what automation means for dockers — Coastline Post · 2024-05-07 · st-related-1\n  2. Velmora dockworkers strike over crane automation — Harbour Wire · 2024-05-06 · 8 versions · st-orig"),
        "{cli}"
    );
    // The same body as `dateline story ID --json`.
    let cli = dateline(&index, &["story", &story, "--json"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&cli.stdout).unwrap(),
        lineage
    );
}

#[tokio::test]
async fn the_cli_and_the_api_give_the_same_body() {
    let fx = FixtureIndex::new();
    let cli = fx.search(
        "summit OR treaty",
        &[
            "--sort",
            "newest",
            "--facets",
            "source,language",
            "--histogram",
            "week",
            "--size",
            "5",
        ],
    );
    let api = get(
        &fx.path(),
        "/api/search?q=summit+OR+treaty&sort=newest&facets=source,language&histogram=week&size=5",
    )
    .await
    .json();
    let without_time = |mut v: Value| {
        v.as_object_mut().unwrap().remove("took_ms");
        v
    };
    assert_eq!(without_time(cli), without_time(api));
}

#[tokio::test]
async fn every_error_has_its_code_and_status() {
    let fx = FixtureIndex::new();
    let index = fx.path();
    let cases = [
        (
            "/api/search?q=summit&colour=red",
            StatusCode::BAD_REQUEST,
            "unknown_parameter",
        ),
        (
            "/api/search?q=(summit",
            StatusCode::BAD_REQUEST,
            "query_syntax",
        ),
        (
            "/api/search?q=summit&facets=person,colour",
            StatusCode::BAD_REQUEST,
            "unknown_facet",
        ),
        (
            "/api/search?q=summit&from=June",
            StatusCode::BAD_REQUEST,
            "bad_date",
        ),
        (
            "/api/search?q=summit&page=0",
            StatusCode::BAD_REQUEST,
            "page_out_of_range",
        ),
        (
            "/api/search?q=summit&page=1001",
            StatusCode::BAD_REQUEST,
            "page_out_of_range",
        ),
        (
            "/api/search?q=summit&size=101",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/search?q=summit&size=ten",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/search?q=summit&sort=sideways",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/export?q=summit&format=xml",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/export?q=summit&size=5",
            StatusCode::BAD_REQUEST,
            "unknown_parameter",
        ),
        (
            "/api/entities?type=source",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/entities?size=1000",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/articles/no-such-id",
            StatusCode::NOT_FOUND,
            "article_not_found",
        ),
        (
            "/api/stories/0000000000000001",
            StatusCode::NOT_FOUND,
            "story_not_found",
        ),
        (
            "/api/stories/not-a-story",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/search?q=x&collapse=stories",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        ("/api/nothing/here", StatusCode::NOT_FOUND, "not_found"),
    ];
    for (uri, status, code) in cases {
        let (got_status, error) = error_of(&index, uri).await;
        assert_eq!(
            (got_status, error["code"].as_str()),
            (status, Some(code)),
            "{uri}: {error}"
        );
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    let (_, error) = error_of(&index, "/api/search?q=summit+(putin").await;
    assert_eq!(
        error["message"],
        "query syntax error at position 8: the `(` at position 8 is never closed: add a `)`"
    );
    let long = format!("/api/search?q={}", "a".repeat(9000));
    assert_eq!(error_of(&index, &long).await.1["code"], "request_too_large");

    // No index yet: 503, and the server recovers once one is built.
    let empty = tempfile::tempdir().unwrap();
    let (status, error) = error_of(empty.path(), "/api/search?q=summit").await;
    assert_eq!(
        (status, error["code"].as_str().unwrap()),
        (StatusCode::SERVICE_UNAVAILABLE, "index_unavailable")
    );
    assert_eq!(
        get(empty.path(), "/healthz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn article_view_has_every_stored_field() {
    let fx = FixtureIndex::new();
    let reply = get(&fx.path(), "/api/articles/en-summit").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({
            "id": "en-summit",
            "title": "Leaders meet at summit in Pyongyang",
            "body": "The summit opened with talks on trade and energy. Officials described both summits as productive and said a state visit would follow.",
            "url": null,
            "source": "Test Wire",
            "author": "Ada Stone",
            "published": "2024-06-19T09:00:00Z",
            "language": "en",
            "section": "World",
            "tags": [],
            "entities": {"person": [], "place": ["Pyongyang"], "org": []},
            "mentions": [],
            // A story of its own, whose id is the hash of the article id.
            "story": {"id": "bbd1e6d9b4c6f980", "versions": 1, "first": "en-summit",
                "first_source": "Test Wire", "sources": ["Test Wire"]}
        })
    );
}

#[tokio::test]
async fn stats_health_entities_and_assets() {
    let fx = FixtureIndex::new();
    let stats = get(&fx.path(), "/api/stats").await.json();
    assert_eq!(stats["articles"], 12);
    assert_eq!(stats["languages"][0], json!({"value": "en", "count": 5}));
    let health = get(&fx.path(), "/healthz").await;
    assert_eq!(
        (health.status, health.text()),
        (StatusCode::OK, "ok\n".to_string())
    );
    // No entity is tagged in the fixture yet: an empty list, not an error.
    assert_eq!(
        get(&fx.path(), "/api/entities?prefix=jong&type=person")
            .await
            .json(),
        json!({"entities": []})
    );

    let page = get(&fx.path(), "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-cache");
    assert!(page.text().contains("<title>Dateline"));
    let deep_link = get(&fx.path(), "/?q=summit&sort=newest").await;
    assert_eq!(deep_link.body, page.body);
    let script = get(&fx.path(), "/app.js").await;
    assert_eq!(
        script.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        script.headers[header::CACHE_CONTROL],
        "public, max-age=3600"
    );

    let gzipped = get_with(
        &fx.path(),
        Request::get("/api/search?q=*&size=12")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gzipped.headers[header::CONTENT_ENCODING], "gzip");
    // No CORS unless asked for.
    assert!(
        gzipped
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

/// An index of `n` generated articles, more than one page holds.
fn many_articles(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for i in 0..n {
        lines.push_str(&format!(
            "{{\"id\":\"bulk-{i:04}\",\"title\":\"Bulletin {i}\",\"body\":\"Routine bulletin number {i} about the harbour, with a comma, and \\\"quotes\\\".\",\"language\":\"en\",\"published\":\"2024-06-{:02}\"}}\n",
            1 + i % 28
        ));
    }
    let file = dir.path().join("bulk.jsonl");
    std::fs::write(&file, lines).unwrap();
    let out = dateline(
        &dir.path().join("index"),
        &["index", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

#[tokio::test]
async fn export_streams_every_match_exactly_once() {
    let dir = many_articles(250);
    let index = dir.path().join("index");
    let reply = get(&index, "/api/export?q=bulletin&format=ndjson").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/x-ndjson");
    assert_eq!(reply.headers["x-total-count"], "250");
    let mut ids: Vec<String> = reply
        .text()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 250);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250);
    assert_eq!(ids[0], "bulk-0000");
    assert_eq!(ids[249], "bulk-0249");

    let csv = get(&index, "/api/export?q=*&format=csv&from=2024-06-28").await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let mut reader = csv::Reader::from_reader(csv.body.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        dateline::search::CSV_HEADER.to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // Days cycle 1..=28: articles 27, 55, … fall on the 28th.
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r[1].starts_with("2024-06-28")));
    assert!(rows[0][12].contains("with a comma, and \"quotes\""));

    // The CLI exports the same set.
    let out = dateline(&index, &["export", "bulletin"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 250);
    assert!(stderr(&out).contains("exported 250 article(s)"));
}

/// Runs `dateline index -` on `index` in another process with `input` on its standard input.
async fn index_from_stdin(index: std::path::PathBuf, input: &'static [u8]) {
    let out = tokio::task::spawn_blocking(move || {
        dateline_with_stdin(&index, &["index", "-"], Some(input))
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_server_sees_articles_indexed_while_it_runs() {
    let fx = FixtureIndex::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(listener, Arc::new(AppState::new(&fx.path())), async {
        stopped.await.ok();
    }));

    let total = |body: &str| {
        serde_json::from_str::<Value>(body).unwrap()["total"]
            .as_u64()
            .unwrap()
    };
    let (status, body) = tokio::task::spawn_blocking(move || {
        http_get(addr, "/api/search?q=*&facets=&histogram=none")
    })
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(total(&body), 12);

    // Another process indexes into the same directory while the server runs.
    let index = fx.path();
    let (_, before) = tokio::task::spawn_blocking(move || http_get(addr, "/api/stats"))
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&before).unwrap()["articles"],
        12
    );
    let more = br#"{"id":"late-1","title":"Late bulletin","body":"Filed after the server started.","language":"en","source":"Late Desk"}
{"id":"late-2","title":"Later bulletin","body":"Also filed after the server started.","language":"en","source":"Late Desk"}"#;
    index_from_stdin(index, more).await;
    let started = Instant::now();
    loop {
        let (_, body) =
            tokio::task::spawn_blocking(move || http_get(addr, "/api/search?q=bulletin"))
                .await
                .unwrap();
        if total(&body) == 2 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "new articles never appeared: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Statistics (counted once per set of segments and deletions) follow new articles, and a
    // replaced article (a deletion in a segment the server already counted).
    let sources = |body: &str| -> (u64, Vec<(String, u64)>) {
        let stats = serde_json::from_str::<Value>(body).unwrap();
        let wires = stats["sources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["value"].as_str().unwrap().ends_with(" Desk"))
            .map(|s| {
                (
                    s["value"].as_str().unwrap().to_string(),
                    s["count"].as_u64().unwrap(),
                )
            })
            .collect();
        (stats["articles"].as_u64().unwrap(), wires)
    };
    let (_, body) = tokio::task::spawn_blocking(move || http_get(addr, "/api/stats"))
        .await
        .unwrap();
    assert_eq!(sources(&body), (14, vec![("Late Desk".to_string(), 2)]));
    let replaced = br#"{"id":"late-1","title":"Late bulletin","body":"Filed after the server started.","language":"en","source":"Night Desk"}"#;
    index_from_stdin(fx.path(), replaced).await;
    let started = Instant::now();
    loop {
        let (_, body) = tokio::task::spawn_blocking(move || http_get(addr, "/api/stats"))
            .await
            .unwrap();
        let now = sources(&body);
        if now.1.len() == 2 {
            assert_eq!(
                now,
                (
                    14,
                    vec![("Late Desk".to_string(), 1), ("Night Desk".to_string(), 1)]
                )
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the replacement never showed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
