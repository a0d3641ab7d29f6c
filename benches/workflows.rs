//! Workflow benchmark, on an existing (large) index: how fast alerts check saved searches
//! against newly indexed articles (percolation), and how fast a batch of names is counted.
//!
//! ```text
//! cargo bench --bench scale -- ../shared/data/news/all_news.jsonl.gz --sizes 1000000 --no-lucene
//! cargo bench --bench workflows -- ../shared/data/news/all_news.jsonl.gz --index target/scale/dateline-1000000
//! ```
//! Options after `--`: the source corpus (JSON Lines, optionally .gz: the words of the saved
//! searches and the text of the new articles come from it), `--index DIR` (an index it may add
//! to: each run adds `--new` articles with ids of their own), `--searches N` (default 10000),
//! `--new N,N,…` (batches of new articles, default 100,1000), `--batch N` (terms of the batch
//! search, default 10000), `--seed N`.
//!
//! The saved searches are a seeded mix of what journalists keep: one word from a headline,
//! two words, a phrase, a name from the corpus, a word with an outlet or language filter, an OR
//! of two words, a word and a date range. Each batch of new articles (paragraphs of random
//! corpus articles, new ids, dated today) is indexed by the shipped CLI, then every search is
//! run against the articles indexed after the cursor (`Engine::percolate`, as alerts do).
//! Then 300 of the searches are counted over the whole archive, what a search per alert costs.
//!
//! Batch: `--batch` names (pairs of capitalised words from the corpus' English headlines and
//! openings, as a journalist's list of people, places and organisations), each counted as an exact
//! phrase (`Engine::batch_row`, as `/api/batch` and `dateline batch --as phrase` do), one thread.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::Rng;
use dateline::Engine;
use dateline::search::{SearchRequest, Standing};

struct Options {
    corpus: PathBuf,
    index: PathBuf,
    searches: usize,
    batches: Vec<usize>,
    batch_terms: usize,
    seed: u64,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut o = Options {
        corpus: PathBuf::new(),
        index: PathBuf::from("target/scale/dateline-1000000"),
        searches: 10_000,
        batches: vec![100, 1_000],
        batch_terms: 10_000,
        seed: 7,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--index" => o.index = PathBuf::from(value()),
            "--searches" => o.searches = value().parse().expect("a number"),
            "--new" => {
                o.batches = value()
                    .split(',')
                    .map(|n| n.parse().expect("numbers"))
                    .collect()
            }
            "--seed" => o.seed = value().parse().expect("a number"),
            "--batch" => o.batch_terms = value().parse().expect("a number"),
            other => o.corpus = PathBuf::from(other),
        }
    }
    assert!(o.corpus.is_file(), "give the source corpus (JSON Lines)");
    assert!(
        o.index.join("meta.json").is_file(),
        "`--index` must be an index"
    );
    o
}

/// Words of at least five letters from the corpus' English headlines, and its outlets.
struct Vocabulary {
    words: Vec<String>,
    phrases: Vec<String>,
    sources: Vec<String>,
    paragraphs: Vec<String>,
    titles: Vec<String>,
    names: Vec<String>,
}

fn vocabulary(corpus: &Path) -> Vocabulary {
    let mut v = Vocabulary {
        words: Vec::new(),
        phrases: Vec::new(),
        sources: Vec::new(),
        paragraphs: Vec::new(),
        titles: Vec::new(),
        names: Vec::new(),
    };
    for line in common::read_corpus_bytes(corpus).split(|&b| b == b'\n') {
        let Ok(a) = serde_json::from_slice::<serde_json::Value>(line) else {
            continue;
        };
        let lang = a["lang"]
            .as_str()
            .or(a["language"].as_str())
            .unwrap_or("en");
        if lang != "en" {
            continue;
        }
        let title = a["title"].as_str().unwrap_or("");
        let words: Vec<String> = title
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 5)
            .map(str::to_lowercase)
            .collect();
        for pair in words.windows(2) {
            v.phrases.push(format!("\"{} {}\"", pair[0], pair[1]));
        }
        v.words.extend(words);
        if let Some(source) = a["source"].as_str() {
            v.sources.push(source.to_string());
        }
        v.titles.push(title.to_string());
        let body = a["body"].as_str().unwrap_or("");
        let capitalised: Vec<&str> = title
            .split_whitespace()
            .chain(body.split_whitespace().take(200))
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .collect();
        for run in capitalised.windows(2) {
            let name = |w: &str| {
                w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().skip(1).all(char::is_lowercase)
                    && w.len() > 2
            };
            if run.iter().all(|w| name(w)) {
                v.names.push(run.join(" "));
            }
        }
        for p in a["body"].as_str().unwrap_or("").split("\n\n") {
            if p.len() >= 40 {
                v.paragraphs.push(p.to_string());
            }
        }
    }
    v.words.sort();
    v.words.dedup();
    v.sources.sort();
    v.sources.dedup();
    v.names.sort();
    v.names.dedup();
    v
}

fn searches(v: &Vocabulary, n: usize, rng: &mut Rng) -> Vec<SearchRequest> {
    (0..n)
        .map(|i| {
            let word = rng.pick(&v.words).clone();
            let mut request = SearchRequest::default();
            request.q = match i % 7 {
                0 => word,
                1 => format!("{word} {}", rng.pick(&v.words)),
                2 => rng.pick(&v.phrases).clone(),
                3 => format!("{word} OR {}", rng.pick(&v.words)),
                4 => {
                    request.source = vec![rng.pick(&v.sources).clone()];
                    word
                }
                5 => {
                    request.language = vec!["en".into()];
                    word
                }
                _ => {
                    request.from = Some("2020-01-01".into());
                    word
                }
            };
            request
        })
        .collect()
}

fn new_articles(v: &Vocabulary, n: usize, run: u64, rng: &mut Rng, path: &Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let body: Vec<&str> = (0..2 + rng.below(4))
            .map(|_| rng.pick(&v.paragraphs).as_str())
            .collect();
        let article = serde_json::json!({
            "id": format!("percolate-{run}-{i}"),
            "title": rng.pick(&v.titles),
            "body": body.join("\n\n"),
            "source": rng.pick(&v.sources),
            "language": "en",
            "published": "2026-12-01T12:00:00Z",
        });
        writeln!(out, "{article}").unwrap();
    }
}

fn main() {
    let o = options();
    let v = vocabulary(&o.corpus);
    let mut rng = Rng(o.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let requests = searches(&v, o.searches, &mut rng);
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    println!(
        "percolation benchmark: {} saved searches over `{}`",
        requests.len(),
        o.index.display()
    );
    println!();
    println!("| new articles | index | percolation | searches × articles / s | matches |");
    println!("|---|---|---|---|---|");
    for (b, &batch) in o.batches.iter().enumerate() {
        let engine = Engine::open(&o.index).expect("the index opens");
        let cursor = engine.latest_stamp().unwrap_or(0);
        let file = std::env::temp_dir().join(format!("dateline-percolate-{run}-{b}.jsonl"));
        new_articles(&v, batch, run * 100 + b as u64, &mut rng, &file);
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_dateline"))
            .arg("--index")
            .arg(&o.index)
            .args(["index", "--quiet"])
            .arg(&file)
            .status()
            .expect("dateline runs");
        assert!(status.success());
        let indexing = started.elapsed();
        std::fs::remove_file(&file).ok();
        let standing: Vec<Standing> = requests
            .iter()
            .map(|request| Standing {
                request: request.clone(),
                after: cursor,
            })
            .collect();
        let started = Instant::now();
        let found = engine.percolate(&standing).expect("percolation runs");
        let took = started.elapsed().as_secs_f64();
        assert_eq!(found.new_articles, batch, "every new article, nothing else");
        let matches: usize = found
            .matches
            .iter()
            .map(|m| m.as_ref().map_or(0, Vec::len))
            .sum();
        let failed = found.matches.iter().filter(|m| m.is_err()).count();
        assert_eq!(failed, 0, "every generated search runs");
        println!(
            "| {batch} | {:.1} s | {took:.2} s | {:.0} | {matches} |",
            indexing.as_secs_f64(),
            (requests.len() * batch) as f64 / took
        );
    }
    // What the same searches cost run over the whole archive, as a search per alert would.
    let engine = Engine::open(&o.index).expect("the index opens");
    let sample = requests.len().min(300);
    let started = Instant::now();
    for request in &requests[..sample] {
        engine.count(request).expect("the search runs");
    }
    let each = started.elapsed().as_secs_f64() / sample as f64;
    println!();
    println!(
        "each search over the whole archive instead (count, {sample} of them): {:.2} ms a search, {:.1} s for all {}",
        each * 1e3,
        each * requests.len() as f64,
        requests.len()
    );

    let names: Vec<&String> = (0..o.batch_terms).map(|_| rng.pick(&v.names)).collect();
    let base = SearchRequest::default();
    let started = Instant::now();
    let mut found = 0;
    for name in &names {
        let row = engine.batch_row(name, &base, dateline::search::TermsAs::Phrase);
        assert!(row.error.is_none(), "{name}: {:?}", row.error);
        found += usize::from(row.total > 0);
    }
    let took = started.elapsed().as_secs_f64();
    println!();
    println!(
        "batch: {} names ({} distinct in the pool) as exact phrases in {took:.1} s, {:.1} ms a name, {:.0} names/s; {found} appear in the archive",
        names.len(),
        v.names.len(),
        took * 1e3 / names.len() as f64,
        names.len() as f64 / took
    );
}
