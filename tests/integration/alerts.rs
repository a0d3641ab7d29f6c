//! Alerts: saved searches checked against the articles indexed after them — the Atom feed of
//! each (read with a feed parser), "new since you last looked", `dateline alerts run`, and a
//! webhook on a loopback listener that fails once and gets the retry, all while the real
//! server runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dateline::server::AppState;
use dateline::server::alerts::AlertSchedule;
use serde_json::{Value, json};

use crate::common::*;

/// A POST of `body` as JSON to the server.
fn post(server: &Server, target: &str, body: &Value) -> (u16, String) {
    let body = body.to_string();
    let request = format!(
        "POST {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    let (status, _, answer) = server.send(request.as_bytes());
    (status, answer)
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The entries of a feed: article ids, newest first.
fn feed_ids(server: &Server, feed: &str) -> Vec<String> {
    let (status, xml) = server.get(feed);
    assert_eq!(status, 200, "{xml}");
    let parsed = feed_rs::parser::parse(xml.as_bytes()).expect("valid Atom");
    parsed
        .entries
        .iter()
        .map(|e| e.id.trim_start_matches("urn:dateline:article:").to_string())
        .collect()
}

/// Asks `until` every 50 ms for up to 20 s.
fn wait_for(what: &str, mut until: impl FnMut() -> bool) {
    let started = Instant::now();
    while !until() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "waited 20 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A webhook receiver on loopback: answers 500 to the first POST, 200 to the rest, and keeps
/// every body it was sent.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate().take(8) {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).ok();
                let answer = if n == 0 {
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 13\r\nConnection: close\r\n\r\nbusy, later."
                } else {
                    kept.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                };
                stream.write_all(answer.as_bytes()).ok();
            }
        });
        Receiver { url, bodies }
    }
}

#[test]
fn new_matches_reach_the_feed_the_new_count_and_a_webhook_while_the_server_runs() {
    let fx = FixtureIndex::of("stories.jsonl");
    let receiver = Receiver::start();
    let state = AppState::new(&fx.path()).with_alerts(AlertSchedule {
        every: Duration::from_millis(100),
        retry: dateline::alerts::RetryPolicy { first_wait_secs: 1 },
    });
    let server = Server::start(state);
    let (status, body) = post(
        &server,
        "/api/saved",
        &json!({"name": "Velmora", "q": "velmora", "webhook": receiver.url}),
    );
    assert_eq!(status, 201, "{body}");
    let created = json_of(&body);
    let (id, feed) = (
        created["id"].as_i64().unwrap(),
        created["feed"].as_str().unwrap().to_string(),
    );
    assert_eq!(created["alert"]["webhook"], receiver.url.as_str());
    assert_eq!(
        (
            created["alert"]["new"].as_u64(),
            created["alert"]["found"].as_u64()
        ),
        (Some(0), Some(0))
    );
    // Nothing old: the archive's thirteen Velmora articles were there before the search.
    assert_eq!(created["total"], 13);
    assert!(feed_ids(&server, &feed).is_empty());

    // Indexed while the server runs: a copy of an old story, a new story in two versions, and
    // two articles that do not match.
    let out = dateline(
        &fx.path(),
        &["index", fixture("alerts-new.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    wait_for("the alert", || feed_ids(&server, &feed).len() == 2);
    // One entry per story, newest first; each new match once; nothing that does not match.
    assert_eq!(feed_ids(&server, &feed), strings(&["al-ferry", "al-copy"]));

    let (_, body) = server.get(&format!("/api/saved/{id}"));
    let one = json_of(&body);
    assert_eq!(one["total"], 16);
    assert_eq!(
        (one["alert"]["new"].as_u64(), one["alert"]["found"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(one["alert"]["checked_up_to"].as_str().is_some(), "{one}");

    // The webhook's first attempt failed (500), its retry a second later went through.
    wait_for("the webhook's retry", || {
        !receiver.bodies.lock().unwrap().is_empty()
    });
    let received = receiver.bodies.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(
        received[0]["saved_search"],
        json!({"id": id, "name": "Velmora", "q": "velmora"})
    );
    let sent: Vec<&str> = received[0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["al-copy", "al-ferry"]);
    assert_eq!(
        received[0]["matches"][1]["title"],
        "Velmora ferry to Oskarholm back in June"
    );
    wait_for("the delivery to be recorded", || {
        let (_, body) = server.get(&format!("/api/saved/{id}"));
        json_of(&body)["alert"]["deliveries"][0]["status"] == "delivered"
    });
    let (_, body) = server.get(&format!("/api/saved/{id}"));
    let delivery = json_of(&body)["alert"]["deliveries"][0].clone();
    assert_eq!(
        (delivery["attempts"].as_u64(), delivery["matches"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(
        delivery["error"].as_str().unwrap().contains("answered 500"),
        "the failure stays visible: {delivery}"
    );

    // Looked at: nothing is new any more; more copies of the same stories add nothing.
    let (status, _) = post(&server, &format!("/api/saved/{id}/seen"), &json!({}));
    assert_eq!(status, 204);
    let (_, body) = server.get(&format!("/api/saved/{id}"));
    assert_eq!(json_of(&body)["alert"]["new"], 0);
    let again = tempfile::tempdir().unwrap();
    let late = again.path().join("late.jsonl");
    std::fs::write(
        &late,
        r#"{"id": "al-ferry-3", "source": "Gulf Times", "title": "Oskarholm ferry", "body": "The ferry link between Velmora and the island of Oskarholm will reopen next month after two years of repairs to the northern pier, the regional transport office said on Thursday.\n\nThree crossings a day will run from the middle of June, rising to five in the summer season, and the fare will stay at the level it was when the service stopped. The operator has leased a second vessel to cover the busy weeks.\n\nIsland shopkeepers said the closure had cut their trade by half, since visitors had to fly in on the small airline that serves Oskarholm twice a week. Several guest houses closed for good during the repairs.\n\nThe pier was damaged in a winter storm that tore away part of its concrete deck. Engineers found that its foundations had been weakened by decades of salt water and had to be rebuilt from the seabed up.", "language": "en", "published": "2024-05-09T12:00:00Z"}"#,
    )
    .unwrap();
    let out = dateline(&fx.path(), &["index", late.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    wait_for("the check of the late copy", || {
        let (_, body) = server.get(&format!("/api/saved/{id}"));
        json_of(&body)["total"] == 17
            && json_of(&body)["alert"]["checked_up_to"] != one["alert"]["checked_up_to"]
    });
    let (_, body) = server.get(&format!("/api/saved/{id}"));
    let after = json_of(&body);
    assert_eq!(
        (
            after["alert"]["new"].as_u64(),
            after["alert"]["found"].as_u64()
        ),
        (Some(0), Some(2)),
        "{after}"
    );
    assert_eq!(feed_ids(&server, &feed), strings(&["al-ferry", "al-copy"]));
}

#[test]
fn alerts_run_from_the_command_line_find_each_new_story_once() {
    let fx = FixtureIndex::of("stories.jsonl");
    let index = fx.path();
    let out = dateline(&index, &["saved", "add", "Velmora", "velmora"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = dateline(&index, &["saved", "add", "Orchards", "orchard OR apples"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = |index: &std::path::Path| {
        let out = dateline(index, &["alerts", "run", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json_of(&stdout(&out))
    };
    // Nothing indexed since the searches were saved.
    let first = run(&index);
    assert_eq!(first["checked"]["searches"], 2);
    assert_eq!(first["checked"]["new_matches"], 0);

    let out = dateline(
        &index,
        &["index", fixture("alerts-new.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let second = run(&index);
    assert_eq!(second["checked"]["new_articles"], 5);
    // Velmora: the copy of the old story and the new story (once for its two versions);
    // orchards: the harvest article.
    assert_eq!(second["checked"]["new_matches"], 3);
    assert_eq!(second["checked"]["searches_with_new"], 2);
    let third = run(&index);
    assert_eq!(third["checked"]["new_matches"], 0, "each new story once");

    let out = dateline(&index, &["saved", "list", "--json"]);
    let listed = json_of(&stdout(&out));
    let found: Vec<(String, u64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["alert"]["found"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("Orchards".to_string(), 1), ("Velmora".to_string(), 2)]
    );

    // Re-tagging in place is not new coverage.
    let out = dateline(&index, &["reindex"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(run(&index)["checked"]["new_articles"], 0);

    // A webhook that is not an address is refused before anything is saved.
    let out = dateline(
        &index,
        &[
            "saved",
            "add",
            "Bad hook",
            "velmora",
            "--webhook",
            "ftp://x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not an http:// or https:// address"),
        "{}",
        stderr(&out)
    );
    let out = dateline(&index, &["saved", "list", "--json"]);
    assert_eq!(json_of(&stdout(&out)).as_array().unwrap().len(), 2);
}
