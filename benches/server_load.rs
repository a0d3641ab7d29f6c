//! Load benchmark of the HTTP server: a bounded client on loopback sends a faceted query mix to
//! `dateline serve` (the real binary, its own process) and, in the same run, the same requests
//! go straight to the library's `Engine`; the difference is the HTTP overhead.
//!
//! ```text
//! cargo bench --bench server_load -- ../shared/data/news/all_news.jsonl.gz
//! cargo bench --bench server_load -- --index /path/to/existing/index
//! ```
//! Options: `--seconds N` per phase (default 20, at most 60), `--clients N` (default 4).
//!
//! A last, bounded phase plays the hostile client: the three ~1 KB queries that once overflowed
//! the stack, then 40 clients at once each sending 5 of the largest queries allowed (128
//! different common words, ORed), and reports their statuses, latency and the server's memory.

mod common;

use std::io::BufReader;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{get, rss_kb, start_server};
use dateline::Engine;
use dateline::search::{FacetField, Interval, SearchRequest, Sort};

const QUERIES: [&str; 20] = [
    "summit",
    "treaty",
    "president",
    "%22state+visit%22",
    "oil+prices",
    "trade+OR+tariffs",
    "bank+-rates",
    "title%3Atalks",
    "minister+AND+(visit+OR+talks)",
    "market+shares",
    "%D1%81%D0%B0%D0%BC%D0%BC%D0%B8%D1%82",
    "%EC%A0%95%EC%83%81%ED%9A%8C%EB%8B%B4",
    "Gipfeltreffen",
    "election",
    "government+NOT+election",
    "security+council",
    "coffee",
    "profit",
    "weapons",
    "*",
];

/// The request for query `i` of the mix: all five facets, a monthly histogram, and for every
/// third query a language filter and date range.
fn request(i: usize) -> (String, SearchRequest) {
    let encoded = QUERIES[i % QUERIES.len()];
    let q = url_decode(encoded);
    let mut uri =
        format!("/api/search?q={encoded}&facets=person,place,org,source,language&histogram=month");
    let mut request = SearchRequest {
        histogram: Interval::Month,
        facets: Some(FacetField::ALL.to_vec()),
        sort: if q == "*" {
            Sort::Newest
        } else {
            Sort::Relevance
        },
        ..SearchRequest::query(q.clone())
    };
    if q == "*" {
        uri.push_str("&sort=newest");
    }
    if i.is_multiple_of(3) {
        uri.push_str("&language=en&from=1987-03-01&to=1987-06-30");
        request.language = vec!["en".into()];
        request.from = Some("1987-03-01".into());
        request.to = Some("1987-06-30".into());
    }
    (uri, request)
}

fn url_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("q={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

struct Phase {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Phase {
    fn report(&mut self, name: &str) -> (f64, f64) {
        self.latencies.sort();
        let p = |q: f64| {
            self.latencies[((self.latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64()
                * 1000.0
        };
        let rate = self.latencies.len() as f64 / self.elapsed.as_secs_f64();
        println!(
            "{name:<22} {:>8} {:>10.0} {:>8.2} {:>8.2} {:>7}",
            self.latencies.len(),
            rate,
            p(0.5),
            p(0.99),
            self.errors
        );
        (rate, p(0.5))
    }
}

/// Runs `clients` threads for `seconds`, each calling `call(i)` in a loop.
fn drive(clients: usize, seconds: u64, call: impl Fn(usize, usize) -> bool + Sync) -> Phase {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let call = &call;
                scope.spawn(move || {
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    let mut i = client * 7;
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        if call(client, i) {
                            latencies.push(t.elapsed());
                        } else {
                            errors += 1;
                        }
                        i += 1;
                    }
                    (latencies, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    let mut phase = Phase {
        latencies: Vec::new(),
        errors: 0,
        elapsed,
    };
    for (latencies, errors) in results {
        phase.latencies.extend(latencies);
        phase.errors += errors;
    }
    phase
}

fn main() {
    let mut corpus: Option<PathBuf> = None;
    let mut index: Option<PathBuf> = None;
    let mut seconds = 20u64;
    let mut clients = 4usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--index" => index = args.next().map(PathBuf::from),
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(20)
                    .min(60)
            }
            "--clients" => clients = args.next().and_then(|v| v.parse().ok()).unwrap_or(4),
            "--bench" => {}
            other if !other.starts_with('-') => corpus = Some(PathBuf::from(other)),
            other => panic!("unknown option `{other}`"),
        }
    }
    let work = tempfile::tempdir().unwrap();
    let index = match (index, corpus) {
        (Some(index), _) => index,
        (None, Some(corpus)) => {
            let dir = work.path().join("index");
            let status = Command::new(env!("CARGO_BIN_EXE_dateline"))
                .arg("--index")
                .arg(&dir)
                .args(["index", "--quiet"])
                .arg(&corpus)
                .status()
                .unwrap();
            assert!(status.code().is_some_and(|c| c <= 1), "indexing failed");
            dir
        }
        (None, None) => {
            let dir = work.path().join("index");
            dateline::demo::build(&dir, &mut |_| {}).unwrap();
            dir
        }
    };
    let (mut server, addr) = start_server(&index);
    let rss_idle = rss_kb(server.id(), "VmRSS:");
    println!(
        "index `{}`; server pid {} at {addr}; {clients} clients, {seconds} s per phase",
        index.display(),
        server.id()
    );
    println!(
        "\n{:<22} {:>8} {:>10} {:>8} {:>8} {:>7}",
        "phase", "requests", "req/s", "p50 ms", "p99 ms", "errors"
    );

    let connections: Vec<std::sync::Mutex<BufReader<TcpStream>>> = (0..clients)
        .map(|_| {
            let tcp = TcpStream::connect(addr).unwrap();
            tcp.set_nodelay(true).unwrap();
            std::sync::Mutex::new(BufReader::new(tcp))
        })
        .collect();
    // Warm up both paths.
    for i in 0..QUERIES.len() {
        get(&mut connections[0].lock().unwrap(), addr, &request(i).0).unwrap();
    }
    let mut http = drive(clients, seconds, |client, i| {
        let mut conn = connections[client].lock().unwrap();
        matches!(get(&mut conn, addr, &request(i).0), Ok(200))
    });
    let (http_rate, http_p50) = http.report("HTTP (dateline serve)");
    let rss_busy = rss_kb(server.id(), "VmRSS:");
    let rss_peak = rss_kb(server.id(), "VmHWM:");

    let engine = Engine::open(&index).unwrap();
    let requests: Vec<SearchRequest> = (0..QUERIES.len() * 3).map(|i| request(i).1).collect();
    let mut library = drive(clients, seconds, |_, i| {
        engine.search(&requests[i % requests.len()]).is_ok()
    });
    let (lib_rate, lib_p50) = library.report("library (Engine)");
    println!(
        "\nHTTP overhead: p50 {:.2}x the library's, throughput {:.2}x the library's",
        http_p50 / lib_p50,
        http_rate / lib_rate
    );
    println!(
        "server RSS: {:.1} MB idle, {:.1} MB after load, peak {:.1} MB",
        rss_idle as f64 / 1024.0,
        rss_busy as f64 / 1024.0,
        rss_peak as f64 / 1024.0
    );
    hostile(&server, addr);
    Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .ok();
    let status = server.wait().unwrap();
    println!("server stopped on SIGTERM: {status}");
    assert_eq!(http.errors, 0, "the server answered errors");
}

/// Common words of news text, for queries as heavy as the limits allow.
const COMMON: [&str; 64] = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "said",
    "for",
    "on",
    "that",
    "is",
    "with",
    "was",
    "by",
    "it",
    "as",
    "at",
    "from",
    "he",
    "his",
    "be",
    "has",
    "have",
    "are",
    "an",
    "its",
    "not",
    "but",
    "year",
    "were",
    "which",
    "will",
    "would",
    "had",
    "been",
    "this",
    "they",
    "who",
    "more",
    "government",
    "market",
    "president",
    "minister",
    "new",
    "percent",
    "million",
    "company",
    "state",
    "first",
    "two",
    "last",
    "also",
    "after",
    "over",
    "people",
    "bank",
    "official",
    "country",
    "week",
    "price",
    "trade",
    "week's",
    "report",
    "billion",
];

/// The hostile phase (see the module documentation).
fn hostile(server: &std::process::Child, addr: std::net::SocketAddr) {
    let encode =
        |q: &str| -> String { url::form_urlencoded::byte_serialize(q.as_bytes()).collect() };
    let one = |uri: &str| -> u16 {
        let tcp = TcpStream::connect(addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        get(&mut BufReader::new(tcp), addr, uri).unwrap_or(0)
    };
    println!(
        "
hostile client:"
    );
    for (name, q) in [
        ("\"NOT \" x 300 + a", format!("{}a", "NOT ".repeat(300))),
        (
            "\"(a \" x 300 + a + \")\" x 300",
            format!("{}a{}", "(a ".repeat(300), ")".repeat(300)),
        ),
        (
            "\"-(\" x 300 + a + \")\" x 300",
            format!("{}a{}", "-(".repeat(300), ")".repeat(300)),
        ),
    ] {
        println!(
            "  {name:<34} search {}  export {}",
            one(&format!("/api/search?q={}", encode(&q))),
            one(&format!("/api/export?q={}", encode(&q)))
        );
    }
    let heavy: String = COMMON
        .iter()
        .flat_map(|w| [w.to_string(), format!("title:{w}")])
        .collect::<Vec<_>>()
        .join(" OR ");
    let uri = format!("/api/search?q={}", encode(&heavy));
    let clients = 40;
    let started = Instant::now();
    let results: Vec<(u16, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                let uri = &uri;
                scope.spawn(move || {
                    (0..5)
                        .map(|_| {
                            let t = Instant::now();
                            (one(uri), t.elapsed())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let elapsed = started.elapsed();
    let mut statuses = std::collections::BTreeMap::new();
    for (status, _) in &results {
        *statuses.entry(*status).or_insert(0) += 1;
    }
    let mut latencies: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
    latencies.sort();
    let p = |q: f64| {
        latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0
    };
    println!(
        "  {clients} clients x 5 queries of 128 terms: {} requests in {:.1} s, statuses {statuses:?}, p50 {:.0} ms, p99 {:.0} ms",
        results.len(),
        elapsed.as_secs_f64(),
        p(0.5),
        p(0.99)
    );
    println!(
        "  server RSS after: {:.1} MB, peak {:.1} MB; /healthz {}",
        rss_kb(server.id(), "VmRSS:") as f64 / 1024.0,
        rss_kb(server.id(), "VmHWM:") as f64 / 1024.0,
        one("/healthz")
    );
}
