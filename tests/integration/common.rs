use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use dateline::server::{AppState, run};
use serde_json::Value;

/// The fixture file of 12 team-written articles.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `dateline --index DIR ARGS…` and returns its output.
pub fn dateline(index: &Path, args: &[&str]) -> Output {
    dateline_with_stdin(index, args, None)
}

/// Like [`dateline`], feeding `stdin`.
pub fn dateline_with_stdin(index: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .arg("--index")
        .arg(index)
        .args(args)
        .env_remove("DATELINE_INDEX")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dateline binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A temporary directory holding an index of the fixture articles.
pub struct FixtureIndex {
    pub dir: tempfile::TempDir,
}

impl FixtureIndex {
    pub fn new() -> FixtureIndex {
        FixtureIndex::of("articles.jsonl")
    }

    /// An index of one fixture file.
    pub fn of(name: &str) -> FixtureIndex {
        let dir = tempfile::tempdir().unwrap();
        let out = dateline(
            &dir.path().join("index"),
            &["index", fixture(name).to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        FixtureIndex { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Runs `search QUERY --json EXTRA…` and parses the response.
    pub fn search(&self, query: &str, extra: &[&str]) -> Value {
        let mut args = vec!["search", query, "--json"];
        args.extend_from_slice(extra);
        let out = dateline(&self.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{query}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The ids of the hits of a search, in order.
    pub fn ids(&self, query: &str, extra: &[&str]) -> Vec<String> {
        ids(&self.search(query, extra))
    }

    /// The ids of the hits, sorted (for searches whose order is not the point).
    pub fn id_set(&self, query: &str, extra: &[&str]) -> Vec<String> {
        let mut ids = self.ids(query, extra);
        ids.sort();
        ids
    }
}

pub fn ids(response: &Value) -> Vec<String> {
    response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// `[(value, count)]` of one facet.
pub fn facet(response: &Value, name: &str) -> Vec<(String, u64)> {
    response["facets"][name]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The real server on a loopback port, on a runtime of its own; stopped when dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(state: AppState) -> Server {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, address) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready.send(listener.local_addr().unwrap()).unwrap();
                run(listener, Arc::new(state), async {
                    stopped.await.ok();
                })
                .await
                .unwrap();
            });
        });
        Server {
            addr: address.recv().unwrap(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn on(index: &Path) -> Server {
        Server::start(AppState::new(index))
    }

    /// Sends `request` (a whole HTTP/1.1 request) and reads the answer: status, head, body.
    pub fn send(&self, request: &[u8]) -> (u16, String, String) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        (status, head.to_string(), body.to_string())
    }

    pub fn get(&self, target: &str) -> (u16, String) {
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let (status, _, body) = self.send(request.as_bytes());
        (status, body)
    }

    /// The `error` object of a JSON answer.
    pub fn error(&self, target: &str) -> (u16, Value) {
        let (status, body) = self.get(target);
        let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        (status, json["error"].clone())
    }

    pub fn assert_alive(&self) {
        assert_eq!(self.get("/healthz"), (200, "ok\n".to_string()));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}

/// `GET uri` through the router in-process: the status and the JSON body.
pub async fn api_get(state: &Arc<AppState>, uri: &str) -> (axum::http::StatusCode, Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = dateline::server::app(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)));
    (status, body)
}
