//! Helpers shared by the benchmark binaries: the real `dateline serve` process, a keep-alive
//! HTTP client, process memory.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A keep-alive HTTP/1.1 GET; returns the status.
pub fn get(stream: &mut BufReader<TcpStream>, addr: SocketAddr, uri: &str) -> std::io::Result<u16> {
    // One write: a request split over several packets waits on Nagle's algorithm.
    let request = format!("GET {uri} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream.get_mut().write_all(request.as_bytes())?;
    let mut status_line = String::new();
    stream.read_line(&mut status_line)?;
    let status = status_line
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body)?;
    Ok(status)
}

/// A field of `/proc/PID/status` (`VmRSS:`, `RssAnon:`, `VmHWM:`), in KB.
pub fn rss_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Starts `dateline serve` on a free loopback port; returns the child and its address.
pub fn start_server(index: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .arg("--index")
        .arg(index)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("dateline serve starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.trim().trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no address in `{line}`"));
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (child, addr)
}

/// The bytes of a corpus file, gunzipped when it is gzip.
pub fn read_corpus_bytes(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path)
        .unwrap_or_else(|e| panic!("cannot read the corpus `{}`: {e}", path.display()));
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return raw;
    }
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut text)
        .expect("the corpus is a complete gzip file");
    text
}

/// Bare tantivy's English analysis in the comparisons: simple tokenizer, lower case, Snowball.
pub fn en_stem() -> tantivy::tokenizer::TextAnalyzer {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Compiles `benches/lucene/{class}.java` against Debian's Lucene 8 jars into `work`; returns
/// the class path to run it with, or `None` (saying so) when Lucene or a JDK is not installed.
pub fn lucene_classpath(work: &Path, class: &str) -> Option<String> {
    let jars: Vec<String> = [
        "core",
        "analyzers-common",
        "queryparser",
        "facet",
        "highlighter",
        "queries",
        "sandbox",
        "memory",
    ]
    .iter()
    .filter_map(|name| {
        std::fs::read_dir("/usr/share/java").ok()?.find_map(|e| {
            let e = e.ok()?;
            let file = e.file_name().to_string_lossy().into_owned();
            (file.starts_with(&format!("lucene-{name}-8")) && file.ends_with(".jar"))
                .then(|| e.path().display().to_string())
        })
    })
    .collect();
    if jars.len() < 8 {
        eprintln!(
            "Lucene 8 not found in /usr/share/java (apt-get install liblucene8-java): skipped"
        );
        return None;
    }
    let classes = work.join("lucene-classes");
    std::fs::create_dir_all(&classes).ok()?;
    let classpath = jars.join(":");
    let status = Command::new("javac")
        .arg("-d")
        .arg(&classes)
        .arg("-cp")
        .arg(&classpath)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("benches/lucene/{class}.java")))
        .status()
        .ok()?;
    status
        .success()
        .then(|| format!("{classpath}:{}", classes.display()))
}

/// xorshift64*: a seeded generator (the scale harness's corpora depend on its sequence).
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
