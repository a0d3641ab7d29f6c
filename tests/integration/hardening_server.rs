//! Hostile and careless clients of the real server on a loopback port: every test is one
//! defect that once killed or exhausted the process, with bounded traffic.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use dateline::server::{AppState, Limits};
use serde_json::Value;

use crate::common::*;

fn encode(query: &str) -> String {
    url::form_urlencoded::byte_serialize(query.as_bytes()).collect()
}

#[test]
fn deeply_nested_queries_answer_400_and_the_server_lives() {
    let fx = FixtureIndex::new();
    let server = Server::on(&fx.path());
    let nested = [
        format!("{}a{}", "(a ".repeat(300), ")".repeat(300)),
        format!("{}a{}", "-(".repeat(300), ")".repeat(300)),
    ];
    for endpoint in ["/api/search", "/api/export"] {
        for query in &nested {
            let (status, error) = server.error(&format!("{endpoint}?q={}", encode(query)));
            assert_eq!(status, 400, "{endpoint} {error}");
            assert_eq!(error["code"], "query_syntax");
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains("groups nest more than 16 deep here"),
                "{error}"
            );
        }
        // Three hundred NOTs are one NOT or none.
        let (status, _) = server.get(&format!(
            "{endpoint}?q={}",
            encode(&format!("{}summit", "NOT ".repeat(300)))
        ));
        assert_eq!(status, 200);
    }
    let (_, body) = server.get(&format!(
        "/api/search?q={}",
        encode(&format!("{}summit", "NOT ".repeat(300)))
    ));
    let plain = server.get("/api/search?q=summit").1;
    // The deepest query allowed runs through tantivy's scorers on a blocking thread's stack.
    let deepest = format!("{}summit{}", "(summit OR (visit ".repeat(8), "))".repeat(8));
    let (status, deep_body) = server.get(&format!("/api/search?q={}", encode(&deepest)));
    assert_eq!(status, 200, "{deep_body}");
    let total = |body: &str| serde_json::from_str::<Value>(body).unwrap()["total"].clone();
    assert_eq!(total(&body), total(&plain));
    server.assert_alive();
}

/// `clients` searches at once, each of 120 different words ORed (words no article has, so the
/// cost is the query's own); their statuses and bodies.
fn heavy_searches(server: &Server, clients: usize) -> Vec<(u16, String)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                scope.spawn(move || {
                    let words: Vec<String> = (0..120).map(|w| format!("w{i}x{w}")).collect();
                    server.get(&format!("/api/search?q={}", encode(&words.join(" OR "))))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn a_long_repetitive_query_is_merged_and_a_huge_one_refused() {
    let fx = FixtureIndex::new();
    let server = Server::on(&fx.path());
    let (status, body) = server.get(&format!("/api/search?q={}", encode(&"summit ".repeat(285))));
    assert_eq!(status, 200, "{body}");
    let distinct: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
    let (status, error) = server.error(&format!("/api/search?q={}", encode(&distinct.join(" "))));
    assert_eq!(status, 400);
    assert_eq!(error["code"], "invalid_parameter");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("the query holds 300 different search terms; the limit is 256"),
        "{error}"
    );
    // Many at once: each is answered, none takes the server down.
    for (status, body) in heavy_searches(&server, 24) {
        assert_eq!(status, 200, "{body}");
    }
    server.assert_alive();
}

#[test]
fn a_search_waits_for_a_slot_and_gives_up_with_busy() {
    let fx = FixtureIndex::new();
    let limits = Limits {
        max_searches: 1,
        search_queue_wait: Duration::from_millis(1),
        ..Limits::default()
    };
    let server = Server::start(AppState::new(&fx.path()).with_limits(limits));
    // Enough heavy searches at once that some find the one slot taken for more than 1 ms.
    let statuses = heavy_searches(&server, 8);
    assert!(statuses.iter().any(|(s, _)| *s == 200), "{statuses:?}");
    let busy: Vec<&String> = statuses
        .iter()
        .filter(|(s, _)| *s == 503)
        .map(|(_, b)| b)
        .collect();
    assert!(!busy.is_empty(), "no search waited: {statuses:?}");
    for body in busy {
        let error: Value = serde_json::from_str(body).unwrap();
        assert_eq!(error["error"]["code"], "busy", "{body}");
    }
    assert!(statuses.iter().all(|(s, _)| *s == 200 || *s == 503));
}

/// An index of `n` articles of about 8 KB each, for exports too large for socket buffers.
fn big_index(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let body =
        "The harbour ferry left on time and the crew checked every cabin twice. ".repeat(110);
    let lines: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"id":"big-{i}","title":"Ferry log {i}","body":"{body}","language":"en"}}"#)
        })
        .collect();
    let file = dir.path().join("big.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = dateline(
        &dir.path().join("index"),
        &["index", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

#[test]
fn exports_nobody_reads_are_bounded_and_time_out() {
    let dir = big_index(2500);
    let limits = Limits {
        max_exports: 2,
        export_stall_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    let server = Server::start(AppState::new(&dir.path().join("index")).with_limits(limits));
    let open_export = || {
        let mut stream = TcpStream::connect(server.addr).unwrap();
        write!(
            stream,
            "GET /api/export?q=ferry&format=ndjson HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.addr
        )
        .unwrap();
        // Read the head only, then stop reading.
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).unwrap();
        assert_eq!(&head[9..12], b"200");
        stream
    };
    let stalled = [open_export(), open_export()];
    let (status, error) = server.error("/api/export?q=ferry");
    assert_eq!(status, 503);
    assert_eq!(error["code"], "too_many_exports");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("2 exports are already streaming")
    );
    server.assert_alive();
    // The stalled exports end after the stall timeout and free their slots.
    let started = Instant::now();
    loop {
        let (status, _) = server.get("/api/export?q=id:big-7");
        if status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the slots never freed"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(stalled);
}

#[test]
fn idle_connections_are_limited_and_closed() {
    let fx = FixtureIndex::new();
    let limits = Limits {
        max_connections: 16,
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let server = Server::start(AppState::new(&fx.path()).with_limits(limits));
    // More idle connections than the server serves, one sending half a header.
    let mut idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    idle[0].write_all(b"GET /healthz HTTP/1.1\r\nHo").unwrap();
    let started = Instant::now();
    server.assert_alive();
    assert!(started.elapsed() < Duration::from_secs(15));
    // The idle ones that were served are closed by the server, not kept for ever.
    idle[0]
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buffer = [0u8; 64];
    let closed = matches!(idle[0].read(&mut buffer), Ok(0) | Err(_));
    assert!(closed, "a half-sent request was kept open");
    idle.clear();
}

#[test]
fn the_host_header_must_name_this_server() {
    let fx = FixtureIndex::new();
    let server = Server::start(
        AppState::new(&fx.path()).with_allowed_hosts(vec!["archive.newsroom.example".into()]),
    );
    let ask = |host: &str| {
        let request =
            format!("GET /api/stats HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let (status, _, body) = server.send(request.as_bytes());
        (status, body)
    };
    let (status, body) = ask("rebind.evil.example:8080");
    assert_eq!(status, 403, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "host_not_allowed");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("start it with `--allow-host rebind.evil.example`"),
        "{body}"
    );
    for host in [
        server.addr.to_string(),
        "localhost:1".into(),
        "archive.newsroom.example".into(),
    ] {
        assert_eq!(ask(&host).0, 200, "{host}");
    }
}

#[test]
fn refused_requests_get_the_json_error_shape() {
    let fx = FixtureIndex::new();
    let server = Server::on(&fx.path());
    let host = server.addr;
    let cases: Vec<(String, u16, &str)> = vec![
        (
            format!(
                "POST /api/search HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            405,
            "method_not_allowed",
        ),
        (
            format!(
                "GET /api/search?q={} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
                "a".repeat(20_000)
            ),
            414,
            "uri_too_long",
        ),
        (
            format!(
                "GET /api/stats HTTP/1.1\r\nHost: {host}\r\nX-Padding: {}\r\nConnection: close\r\n\r\n",
                "p".repeat(40_000)
            ),
            431,
            "headers_too_large",
        ),
    ];
    for (request, status, code) in cases {
        let (got, head, body) = server.send(request.as_bytes());
        assert_eq!(got, status, "{head}\n{body}");
        let error: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_eq!(error["error"]["code"], code, "{body}");
    }
    server.assert_alive();
}

#[test]
fn a_corrupt_index_is_unavailable_not_an_internal_error() {
    let fx = FixtureIndex::new();
    std::fs::write(fx.path().join("meta.json"), b"{\"segments\": [tru").unwrap();
    let server = Server::on(&fx.path());
    let (status, error) = server.error("/healthz");
    assert_eq!(status, 503, "{error}");
    assert_eq!(error["code"], "index_unavailable");
    let (status, error) = server.error("/api/search?q=summit");
    assert_eq!(
        (status, error["code"].as_str()),
        (503, Some("index_unavailable"))
    );
}

#[test]
fn export_cells_that_spreadsheets_would_run_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evil.jsonl");
    std::fs::write(
        &file,
        r#"{"id":"evil","title":"=HYPERLINK(\"http://evil.example\",\"click\")","body":"Plain text about a ferry.","source":"+Evil Wire","author":"@reporter","section":"-Opinion","language":"en"}"#,
    )
    .unwrap();
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let check = |csv: &str| {
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        let cell = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_string();
        assert_eq!(
            cell("title"),
            "'=HYPERLINK(\"http://evil.example\",\"click\")"
        );
        assert_eq!(cell("source"), "'+Evil Wire");
        assert_eq!(cell("author"), "'@reporter");
        assert_eq!(cell("section"), "'-Opinion");
        assert_eq!(cell("body"), "Plain text about a ferry.");
    };
    let server = Server::on(&index);
    let (status, body) = server.get("/api/export?q=ferry&format=csv");
    assert_eq!(status, 200);
    // The body is chunked: take the CSV from between the chunk sizes.
    let csv: String = dechunk(&body);
    check(&csv);
    let out = dateline(&index, &["export", "ferry", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    check(&stdout(&out));
}

/// The payload of a `Transfer-Encoding: chunked` body.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

#[test]
fn queries_that_once_answered_500_answer_200_or_400() {
    let fx = FixtureIndex::new();
    let server = Server::on(&fx.path());
    let search =
        |query: &str, extra: &str| server.get(&format!("/api/search?q={}{extra}", encode(query)));
    let total = |body: &str| {
        serde_json::from_str::<Value>(body).unwrap()["total"]
            .as_u64()
            .unwrap()
    };
    let all = total(&search("*", "").1);
    let undated = serde_json::from_str::<Value>(&server.get("/api/stats").1).unwrap()["undated"]
        .as_u64()
        .unwrap();
    let (status, body) = search("published:[* TO *]", "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(total(&body), all - undated);
    let (status, error) =
        server.error(&format!("/api/search?q={}", encode("published:9999-12-31")));
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("query_syntax")),
        "{error}"
    );
    let (status, body) = search("*", "&to=9999-12-31");
    assert_eq!((status, total(&body)), (200, all));
    let (status, error) = server.error("/api/search?q=*&from=9999-12-31");
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_parameter")),
        "{error}"
    );
    // Decomposed accents (e + U+0301) in a phrase and in a hyphenated word.
    for query in [
        "\"cafe\u{301} paris\"",
        "cafe\u{301}-paris",
        "\"summit cafe\u{301}\"",
    ] {
        let (status, body) = search(query, "");
        assert_eq!(status, 200, "{query}: {body}");
    }
    server.assert_alive();
}
