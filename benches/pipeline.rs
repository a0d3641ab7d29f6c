//! End-to-end benchmark: index the same articles through Dateline's full pipeline and through
//! bare tantivy (same writer budget and threads, plain English-stemmed title/body schema), then
//! time a mix of faceted searches.
//!
//! ```text
//! cargo bench --bench pipeline                                   # generated sample
//! cargo bench --bench pipeline -- ../shared/data/news/all_news.jsonl.gz
//! ```
//! Options after `--`: a corpus path (JSON Lines, optionally .gz), `--sample N` (articles in the
//! generated sample, default 30000), `--threads N`, `--memory MB`, `--rounds N` (search rounds),
//! `--repeat N` (alternating indexing runs whose medians are compared, default 3),
//! `--unlabelled PCT` (share of sample articles without a language, default 50),
//! `--write-sample FILE` (write the generated sample as JSON Lines and exit).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dateline::index::index_records;
use dateline::ingest::{DEFAULT_MAX_RECORD_BYTES, JsonlReader};
use dateline::search::{Interval, SearchRequest, Sort};
use dateline::{Engine, Indexer, IndexerOptions};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Index, doc};

struct Options {
    corpus: Option<PathBuf>,
    sample: usize,
    threads: usize,
    memory_mb: usize,
    rounds: usize,
    unlabelled: usize,
    repeat: usize,
}

fn options() -> Options {
    let mut o = Options {
        corpus: None,
        sample: 30_000,
        threads: 2,
        memory_mb: 256,
        rounds: 5,
        unlabelled: 50,
        repeat: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse().ok()).expect("a number");
        match arg.as_str() {
            "--sample" => o.sample = value(),
            "--threads" => o.threads = value(),
            "--memory" => o.memory_mb = value(),
            "--rounds" => o.rounds = value(),
            "--repeat" => o.repeat = value(),
            "--unlabelled" => o.unlabelled = value(),
            "--write-sample" => {
                let path = args.next().expect("a path");
                std::fs::write(&path, generated_sample(o.sample, o.unlabelled)).unwrap();
                std::process::exit(0);
            }
            "--bench" => {}
            other if !other.starts_with('-') => o.corpus = Some(PathBuf::from(other)),
            other => panic!("unknown option `{other}`"),
        }
    }
    o
}

/// One language's material for the generated sample.
#[derive(Default)]
struct Pool {
    lang: String,
    titles: Vec<String>,
    paragraphs: Vec<String>,
    sources: Vec<String>,
}

/// A deterministic sample of `n` articles recombined from the demo archive's paragraphs: same
/// languages, new ids, dates spread over four years; `unlabelled_percent` of the articles give
/// no language, so detection runs for them, as for scraped pages.
fn generated_sample(n: usize, unlabelled_percent: usize) -> Vec<u8> {
    let mut by_lang: Vec<Pool> = Vec::new();
    for (_, text) in dateline::demo::FILES {
        let mut pool = Pool::default();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            pool.lang = v["language"].as_str().unwrap().to_string();
            pool.titles.push(v["title"].as_str().unwrap().to_string());
            pool.sources.push(v["source"].as_str().unwrap().to_string());
            let body = v["body"].as_str().unwrap();
            pool.paragraphs
                .extend(body.split("\n\n").map(str::to_string));
        }
        by_lang.push(pool);
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::new();
    for i in 0..n {
        // English-heavy, like most archives.
        let pick = next() % 10;
        let Pool {
            lang,
            titles,
            paragraphs,
            sources,
        } = &by_lang[if pick < 5 {
            0
        } else {
            (pick as usize - 4) % by_lang.len()
        }];
        let body: Vec<&str> = (0..3 + next() % 4)
            .map(|_| paragraphs[(next() % paragraphs.len() as u64) as usize].as_str())
            .collect();
        let day = next() % 1460;
        let date = time::Date::from_calendar_date(2021, time::Month::January, 1).unwrap()
            + time::Duration::days(day as i64);
        let mut record = serde_json::json!({
            "id": format!("sample-{i}"),
            "title": titles[(next() % titles.len() as u64) as usize],
            "body": body.join("\n\n"),
            "published": date.to_string(),
            "source": sources[(next() % sources.len() as u64) as usize],
        });
        if (i % 100) >= unlabelled_percent {
            record["language"] = serde_json::Value::String(lang.clone());
        }
        out.extend_from_slice(record.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

fn load(path: &Path) -> Vec<u8> {
    common::read_corpus_bytes(path)
}

fn dateline_index(corpus: &[u8], dir: &Path, o: &Options) -> (u64, Duration) {
    let started = Instant::now();
    let options = IndexerOptions {
        memory_bytes: o.memory_mb << 20,
        threads: o.threads,
        commit_every: usize::MAX,
        ..IndexerOptions::default()
    };
    let mut indexer = Indexer::open(dir, &options).unwrap();
    let mut report = dateline::index::Report::default();
    let records = JsonlReader::new("corpus".into(), corpus, DEFAULT_MAX_RECORD_BYTES);
    index_records(&mut indexer, records, "corpus", &mut report, &mut |_| {}).unwrap();
    indexer.finish().unwrap();
    (report.indexed, started.elapsed())
}

#[derive(serde::Deserialize)]
struct Plain {
    #[serde(default, alias = "headline")]
    title: Option<String>,
    #[serde(default, alias = "text")]
    body: Option<String>,
}

fn bare_tantivy_index(corpus: &[u8], dir: &Path, o: &Options) -> (Index, u64, Duration) {
    let started = Instant::now();
    let mut builder = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer("en_stem"));
    let title = builder.add_text_field("title", text.clone() | STORED);
    let body = builder.add_text_field("body", text | STORED);
    std::fs::create_dir_all(dir).unwrap();
    let index = Index::create_in_dir(dir, builder.build()).unwrap();
    index.tokenizers().register(
        "en_stem",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build(),
    );
    let mut writer = index
        .writer_with_num_threads(o.threads, o.memory_mb << 20)
        .unwrap();
    let mut n = 0;
    for line in corpus.split(|b| *b == b'\n') {
        let Ok(plain) = serde_json::from_slice::<Plain>(line) else {
            continue;
        };
        writer
            .add_document(doc!(title => plain.title.unwrap_or_default(), body => plain.body.unwrap_or_default()))
            .unwrap();
        n += 1;
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    (index, n, started.elapsed())
}

const QUERIES: [&str; 24] = [
    "summit",
    "treaty",
    "president",
    "\"state visit\"",
    "\"prime minister\"",
    "oil prices",
    "trade OR tariffs",
    "bank -rates",
    "(putin OR kim) summit",
    "title:talks",
    "minister AND (visit OR talks)",
    "market shares",
    "саммит",
    "정상회담",
    "首脳会談",
    "Gipfeltreffen",
    "sommet",
    "election",
    "government NOT election",
    "security council",
    "coffee",
    "profit",
    "weapons",
    "*",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let o = options();
    let (name, corpus) = match &o.corpus {
        Some(path) => (path.display().to_string(), load(path)),
        None => (
            format!(
                "generated sample of {} articles, {}% without a language",
                o.sample, o.unlabelled
            ),
            generated_sample(o.sample, o.unlabelled),
        ),
    };
    let mb = corpus.len() as f64 / 1e6;
    println!(
        "corpus: {name} ({mb:.1} MB of JSON Lines); threads {}, writer memory {} MB",
        o.threads, o.memory_mb
    );
    let work = tempfile::tempdir().unwrap();

    // Both indexings alternate `repeat` times on fresh directories; the medians are compared,
    // as one run on a shared 2-core machine varies by ±15%.
    let mut bare_times = Vec::new();
    let mut dl_times = Vec::new();
    let (mut bare_index, mut bare_n, mut dl_n) = (None, 0, 0);
    for rep in 0..o.repeat.max(1) {
        let bare_dir = work.path().join(format!("bare-{rep}"));
        let dl_dir = work.path().join("dateline");
        std::fs::remove_dir_all(&dl_dir).ok();
        let (index, n, t) = bare_tantivy_index(&corpus, &bare_dir, &o);
        bare_times.push(t);
        bare_index = Some(index);
        bare_n = n;
        let (n, t) = dateline_index(&corpus, &dl_dir, &o);
        dl_times.push(t);
        dl_n = n;
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (bare_t, dl_t) = (median(&mut bare_times), median(&mut dl_times));
    let bare_index = bare_index.expect("indexed at least once");
    let rate = |n: u64, t: Duration| n as f64 / t.as_secs_f64();
    println!(
        "\nindexing (median of {} alternating runs)  articles    seconds   articles/s   MB/s",
        o.repeat.max(1)
    );
    println!(
        "bare tantivy          {bare_n:>11} {:>10.2} {:>12.0} {:>6.1}",
        bare_t.as_secs_f64(),
        rate(bare_n, bare_t),
        mb / bare_t.as_secs_f64()
    );
    println!(
        "dateline pipeline     {dl_n:>11} {:>10.2} {:>12.0} {:>6.1}",
        dl_t.as_secs_f64(),
        rate(dl_n, dl_t),
        mb / dl_t.as_secs_f64()
    );
    let ratio = rate(dl_n, dl_t) / rate(bare_n, bare_t);
    println!("ratio dateline / bare tantivy: {ratio:.2}x (target >= 0.60)");
    println!(
        "index size: dateline {:.1} MB, bare tantivy {:.1} MB",
        dateline::index::size_on_disk(&work.path().join("dateline")) as f64 / 1e6,
        dateline::index::size_on_disk(&work.path().join("bare-0")) as f64 / 1e6
    );

    // Searches: the full request (5 facets + monthly histogram + snippets, 10 hits).
    let engine = Engine::open(&work.path().join("dateline")).unwrap();
    let mut dl_times = Vec::new();
    for round in 0..=o.rounds {
        for q in QUERIES {
            let request = SearchRequest {
                histogram: Interval::Month,
                sort: if q == "*" {
                    Sort::Newest
                } else {
                    Sort::Relevance
                },
                ..SearchRequest::query(q)
            };
            let started = Instant::now();
            let response = engine.search(&request).unwrap();
            assert!(response.hits.len() <= 10);
            if round > 0 {
                dl_times.push(started.elapsed());
            }
        }
    }
    // The same words through bare tantivy's query parser: top 10 and count, no facets.
    let reader = bare_index.reader().unwrap();
    let searcher = reader.searcher();
    let schema = bare_index.schema();
    let mut parser = QueryParser::for_index(
        &bare_index,
        vec![
            schema.get_field("title").unwrap(),
            schema.get_field("body").unwrap(),
        ],
    );
    parser.set_conjunction_by_default();
    let mut bare_times = Vec::new();
    for round in 0..=o.rounds {
        for q in QUERIES {
            let Ok(query) = parser.parse_query(q) else {
                continue;
            };
            let started = Instant::now();
            let (count, top) = searcher
                .search(&query, &(Count, TopDocs::with_limit(10).order_by_score()))
                .unwrap();
            assert!(top.len() <= count.min(10));
            if round > 0 {
                bare_times.push(started.elapsed());
            }
        }
    }
    dl_times.sort();
    bare_times.sort();
    println!(
        "\nsearch ({} queries x {} rounds)         p50 ms   p99 ms",
        QUERIES.len(),
        o.rounds
    );
    println!(
        "dateline: facets+histogram+snippets {:>8.2} {:>8.2}",
        ms(percentile(&dl_times, 0.5)),
        ms(percentile(&dl_times, 0.99))
    );
    println!(
        "bare tantivy: top 10 + count        {:>8.2} {:>8.2}",
        ms(percentile(&bare_times, 0.5)),
        ms(percentile(&bare_times, 0.99))
    );
}
