use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
