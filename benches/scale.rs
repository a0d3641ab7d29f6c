//! Scale benchmark: Dateline against bare tantivy and Apache Lucene on the same scaled corpus, in
//! one run, at several corpus sizes.
//!
//! ```text
//! sudo apt-get install -y liblucene8-java          # Lucene 8 (Debian)
//! cargo bench --bench scale -- ../shared/data/news/all_news.jsonl.gz
//! cargo bench --bench scale -- ../shared/data/news/all_news.jsonl.gz --sizes 30000,100000,300000,1000000
//! ```
//! `--profile-search DIR ROUNDS THREADS` loops the query mix on an existing index (for `perf`)
//! and prints its p50 and the twelve slowest queries.
//!
//! Options after `--`: the source corpus (JSON Lines, optionally .gz), `--sizes N,N,…` (default
//! 30000,100000), `--rounds N` (search rounds after a warm-up, default 3), `--threads N`
//! (default 2), `--memory MB` (writer budget, default 256), `--seed N`, `--work DIR` (default
//! `target/scale`; scaled corpora are kept there and reused), `--no-lucene`.
//!
//! For each size it writes a scaled corpus (see [`scale`]), then measures:
//! - indexing, each engine in its own process (wall; peak resident and anonymous memory sampled
//!   from `/proc` every 20 ms), same
//!   threads and writer memory: `dateline index` (the shipped CLI: language detection, stemming,
//!   entity tagging, commits every 20,000), bare tantivy 0.27 (title and body English-stemmed,
//!   source/language/person/place/org keyword fast fields, a date fast field; one commit), and
//!   Lucene 8 (`benches/lucene/LuceneBench.java`: EnglishAnalyzer, `SortedSetDocValuesFacetField`
//!   facets, the same fields); and `dateline index --no-stories`, for what story detection costs;
//! - search, a fixed mix of 60 queries (terms, phrases, booleans, source/language/date filters),
//!   each with top 10, counts of the five facets, a monthly histogram and body highlights:
//!   Dateline's library (and the same mix collapsed into stories), Dateline over HTTP (the real
//!   server on loopback), bare tantivy and Lucene; p50/p95/p99 after a warm-up round; the server's anonymous RSS after the mix.
//!
//! Bare tantivy and Lucene take the person/place/org of each article from the corpus, where the
//! scaler wrote what Dateline's tagger finds: all three aggregate the same facet values.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Rng, en_stem, get, rss_kb, start_server};
use dateline::Engine;
use dateline::search::{CollapseBy, Interval, SearchRequest};
use tantivy::aggregation::AggregationCollector;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, Index, TantivyDocument, Term};

struct Options {
    corpus: PathBuf,
    sizes: Vec<usize>,
    rounds: usize,
    threads: usize,
    memory_mb: usize,
    seed: u64,
    work: PathBuf,
    lucene: bool,
    /// Only articles in these languages (empty: all).
    languages: Vec<String>,
}

fn options() -> Options {
    let mut o = Options {
        corpus: PathBuf::new(),
        sizes: vec![30_000, 100_000],
        rounds: 3,
        threads: 2,
        memory_mb: 256,
        seed: 42,
        work: PathBuf::from("target/scale"),
        lucene: true,
        languages: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--sizes" => {
                o.sizes = value()
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .replace('_', "")
                            .parse()
                            .expect("sizes are numbers")
                    })
                    .collect()
            }
            "--rounds" => o.rounds = value().parse().expect("a number"),
            "--threads" => o.threads = value().parse().expect("a number"),
            "--memory" => o.memory_mb = value().parse().expect("a number"),
            "--seed" => o.seed = value().parse().expect("a number"),
            "--work" => o.work = PathBuf::from(value()),
            "--no-lucene" => o.lucene = false,
            "--languages" => {
                o.languages = value().split(',').map(|l| l.trim().to_string()).collect()
            }
            "--bench" => {}
            other if !other.starts_with('-') => o.corpus = PathBuf::from(other),
            other => panic!("unknown option `{other}`"),
        }
    }
    assert!(
        !o.corpus.as_os_str().is_empty(),
        "give the source corpus: cargo bench --bench scale -- ../shared/data/news/all_news.jsonl.gz"
    );
    o
}

// ---------------------------------------------------------------------------------------------
// The corpus scaler.

/// Material of one language of the source corpus.
#[derive(Default)]
struct LanguagePool {
    titles: Vec<String>,
    paragraphs: Vec<String>,
}

/// One source article's metadata, reused by scaled articles.
struct Seed {
    language: String,
    source: String,
}

fn read_corpus(path: &Path) -> Vec<serde_json::Value> {
    common::read_corpus_bytes(path)
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `n` articles built from the source corpus: each takes the language and outlet of a
/// random source article, a random title of that language and 2–7 random paragraphs of that
/// language, a date spread uniformly over 2010–2024, and a unique id; its people, places and
/// organisations are the ones Dateline's gazetteer finds (bare tantivy and Lucene index them as
/// given, Dateline finds them itself). The same seed gives the same corpus. Writes JSON Lines for
/// Dateline and bare tantivy and TSV for Lucene.
fn scale(
    source: &[serde_json::Value],
    n: usize,
    corpus_seed: u64,
    languages: &[String],
    jsonl: &Path,
    tsv: &Path,
) {
    let mut pools: HashMap<String, LanguagePool> = HashMap::new();
    let mut seeds = Vec::new();
    for a in source {
        let language = a["lang"]
            .as_str()
            .or(a["language"].as_str())
            .unwrap_or("en")
            .to_string();
        let pool = pools.entry(language.clone()).or_default();
        if let Some(title) = a["title"].as_str().filter(|t| !t.trim().is_empty()) {
            pool.titles.push(title.trim().to_string());
        }
        let body = a["body"].as_str().unwrap_or("");
        for paragraph in body.split("\n\n").flat_map(|p| p.split("\n    ")) {
            let paragraph = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
            if paragraph.len() >= 40 {
                pool.paragraphs.push(paragraph);
            }
        }
        seeds.push(Seed {
            language,
            source: a["source"].as_str().unwrap_or("unknown").to_string(),
        });
    }
    seeds.retain(|s| {
        (languages.is_empty() || languages.contains(&s.language))
            && pools
                .get(&s.language)
                .is_some_and(|p| !p.titles.is_empty() && !p.paragraphs.is_empty())
    });
    let mut rng = Rng(corpus_seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out_json = BufWriter::new(std::fs::File::create(jsonl).unwrap());
    let mut out_tsv = BufWriter::new(std::fs::File::create(tsv).unwrap());
    let start = time::macros::datetime!(2010-01-01 0:00 UTC).unix_timestamp();
    let span = time::macros::datetime!(2025-01-01 0:00 UTC).unix_timestamp() - start;
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let tagger = dateline::entities::Tagger::builtin();
    for i in 0..n {
        let seed = &seeds[rng.below(seeds.len())];
        let pool = &pools[&seed.language];
        let title = &pool.titles[rng.below(pool.titles.len())];
        let paragraphs: Vec<&str> = (0..2 + rng.below(6))
            .map(|_| pool.paragraphs[rng.below(pool.paragraphs.len())].as_str())
            .collect();
        let body = paragraphs.join("\n\n");
        let when =
            time::OffsetDateTime::from_unix_timestamp(start + (rng.next() % span as u64) as i64)
                .unwrap();
        let published = when
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let id = format!("s{corpus_seed}-{i}");
        // The people, places and organisations Dateline's tagger finds, so bare tantivy and
        // Lucene aggregate exactly the facet values Dateline does.
        let entities = tagger.tag_article(title, &body, Some(&seed.language), false);
        let article = serde_json::json!({
            "id": id,
            "title": title,
            "body": body,
            "published": published,
            "source": seed.source,
            "language": seed.language,
            "people": entities.person,
            "places": entities.place,
            "orgs": entities.org,
        });
        writeln!(out_json, "{article}").unwrap();
        writeln!(
            out_tsv,
            "{id}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            clean(title),
            clean(&body),
            clean(&seed.source),
            seed.language,
            when.unix_timestamp() * 1000,
            &published[..7],
            clean(&entities.person.join("|")),
            clean(&entities.place.join("|")),
            clean(&entities.org.join("|")),
        )
        .unwrap();
    }
    out_json.flush().unwrap();
    out_tsv.flush().unwrap();
}

// ---------------------------------------------------------------------------------------------
// The query mix.

struct MixQuery {
    q: &'static str,
    filter: Option<(&'static str, &'static str)>,
    /// From and to dates, inclusive (YYYY-MM-DD).
    range: Option<(&'static str, &'static str)>,
}

const TEXTS: [&str; 20] = [
    "oil",
    "bank",
    "profit",
    "coffee",
    "election",
    "government",
    "shares",
    "dollar",
    "wheat",
    "president",
    "\"interest rates\"",
    "\"prime minister\"",
    "\"oil prices\"",
    "\"stock exchange\"",
    "oil AND prices",
    "bank OR rates",
    "trade -japan",
    "(wheat OR corn) exports",
    "gold OR silver",
    "*",
];

/// 60 queries: every text alone, with an outlet or language filter, and with a date range.
fn query_mix() -> Vec<MixQuery> {
    let filters = [
        ("source", "reuters21578"),
        ("language", "en"),
        ("source", "bbc_mlg_ucd"),
    ];
    let ranges = [
        ("2016-01-01", "2016-12-31"),
        ("2012-03-01", "2013-02-28"),
        ("2020-01-01", "2024-12-31"),
    ];
    let mut mix = Vec::new();
    for (i, q) in TEXTS.iter().enumerate() {
        mix.push(MixQuery {
            q,
            filter: None,
            range: None,
        });
        mix.push(MixQuery {
            q,
            filter: Some(filters[i % filters.len()]),
            range: None,
        });
        mix.push(MixQuery {
            q,
            filter: None,
            range: Some(ranges[i % ranges.len()]),
        });
    }
    mix
}

/// A query-language operator of one class, and what LuceneBench's `operators` mode runs for it
/// (tab-separated: `near N ORDERED A B`, `nearwild N ORDERED A PATTERN`, `wildcard PATTERN`,
/// `atleast N WORD`), `None` where Lucene 8 has no such query.
struct OperatorQuery {
    class: &'static str,
    q: &'static str,
    lucene: Option<&'static str>,
}

const fn op(class: &'static str, q: &'static str, lucene: Option<&'static str>) -> OperatorQuery {
    OperatorQuery { class, q, lucene }
}

/// The operator classes of the query language: proximity (Lucene's SpanNearQuery), patterns
/// (WildcardQuery), both, `atleastN` (a FunctionRangeQuery over the term frequency), and the
/// same-sentence operator Lucene has no query for.
const OPERATORS: [OperatorQuery; 14] = [
    op(
        "proximity",
        "oil w/5 prices",
        Some("near\t5\tfalse\toil\tprices"),
    ),
    op(
        "proximity",
        "bank pre/3 rates",
        Some("near\t3\ttrue\tbank\trates"),
    ),
    op(
        "proximity",
        "government w/10 election",
        Some("near\t10\tfalse\tgovernment\telection"),
    ),
    op(
        "proximity",
        "\"prime minister\"~3",
        Some("near\t3\tfalse\tprime\tminister"),
    ),
    op(
        "proximity",
        "president w/20 visit",
        Some("near\t20\tfalse\tpresident\tvisit"),
    ),
    op("wildcard", "pric*", Some("wildcard\tpric*")),
    op("wildcard", "export*", Some("wildcard\texport*")),
    op("wildcard", "wom?n", Some("wildcard\twom?n")),
    op("wildcard", "gover*", Some("wildcard\tgover*")),
    op(
        "proximity+wildcard",
        "oil w/5 pric*",
        Some("nearwild\t5\tfalse\toil\tpric*"),
    ),
    op("atleast", "atleast3 oil", Some("atleast\t3\toil")),
    op("atleast", "atleast5 bank", Some("atleast\t5\tbank")),
    op("same sentence", "oil w/s prices", None),
    op("same sentence", "bank w/s rates", None),
];

/// The operator classes in the order they are reported.
fn operator_classes() -> Vec<&'static str> {
    let mut classes: Vec<&str> = OPERATORS.iter().map(|o| o.class).collect();
    classes.dedup();
    classes
}

/// Each operator class through Dateline's library: p50 and p99 per class.
fn dateline_operators(dir: &Path, rounds: usize, threads: usize) -> Vec<(&'static str, [f64; 3])> {
    let engine = Engine::open_with_threads(dir, threads).unwrap();
    let mut times: Vec<(&str, Vec<Duration>)> = operator_classes()
        .into_iter()
        .map(|c| (c, Vec::new()))
        .collect();
    for round in 0..=rounds {
        for o in &OPERATORS {
            let request = SearchRequest {
                histogram: Interval::Month,
                ..SearchRequest::query(o.q)
            };
            let started = Instant::now();
            let response = engine.search(&request).unwrap();
            std::hint::black_box(response);
            if round > 0 {
                let class = times.iter_mut().find(|(c, _)| *c == o.class).unwrap();
                class.1.push(started.elapsed());
            }
        }
    }
    times
        .into_iter()
        .map(|(c, t)| (c, percentiles(t)))
        .collect()
}

fn epoch_ms(date: &str, end_of_day: bool) -> i64 {
    let day = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    let t = day.midnight().assume_utc().unix_timestamp() * 1000;
    if end_of_day { t + 86_399_999 } else { t }
}

// ---------------------------------------------------------------------------------------------
// Bare tantivy.

fn bare_schema() -> Schema {
    let mut builder = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    builder.add_text_field("title", text.clone());
    builder.add_text_field("body", text);
    for keyword in ["source", "language", "person", "place", "org"] {
        builder.add_text_field(keyword, STRING | FAST | STORED);
    }
    builder.add_date_field("published", INDEXED | FAST | STORED);
    builder.build()
}

/// Child process: indexes the JSON Lines corpus into `dir` with bare tantivy.
fn bare_index(corpus: &Path, dir: &Path, threads: usize, memory_mb: usize) {
    let started = Instant::now();
    let schema = bare_schema();
    std::fs::create_dir_all(dir).unwrap();
    let index = Index::create_in_dir(dir, schema.clone()).unwrap();
    index.tokenizers().register("en_stem", en_stem());
    let mut writer = index
        .writer_with_num_threads(threads, memory_mb << 20)
        .unwrap();
    let field = |name: &str| schema.get_field(name).unwrap();
    let (title, body, published) = (field("title"), field("body"), field("published"));
    let mut n = 0u64;
    for line in BufReader::new(std::fs::File::open(corpus).unwrap()).lines() {
        let line = line.unwrap();
        let Ok(a) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let mut doc = TantivyDocument::default();
        doc.add_text(title, a["title"].as_str().unwrap_or(""));
        doc.add_text(body, a["body"].as_str().unwrap_or(""));
        doc.add_text(field("source"), a["source"].as_str().unwrap_or(""));
        doc.add_text(field("language"), a["language"].as_str().unwrap_or(""));
        for (key, name) in [("people", "person"), ("places", "place"), ("orgs", "org")] {
            for v in strings(&a[key]) {
                doc.add_text(field(name), &v);
            }
        }
        if let Some(p) = a["published"].as_str()
            && let Ok(t) =
                time::OffsetDateTime::parse(p, &time::format_description::well_known::Rfc3339)
        {
            doc.add_date(published, DateTime::from_timestamp_secs(t.unix_timestamp()));
        }
        writer.add_document(doc).unwrap();
        n += 1;
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    println!(
        "{{\"articles\": {n}, \"seconds\": {:.3}}}",
        started.elapsed().as_secs_f64()
    );
}

fn bare_aggregations() -> Aggregations {
    let mut aggs = serde_json::Map::new();
    for name in ["person", "place", "org", "source", "language"] {
        aggs.insert(
            name.into(),
            serde_json::json!({"terms": {"field": name, "size": 10}}),
        );
    }
    aggs.insert(
        "month".into(),
        // tantivy has fixed intervals only: days, rolled up to months below (as Dateline does).
        serde_json::json!({"date_histogram": {"field": "published", "fixed_interval": "1d", "min_doc_count": 1}}),
    );
    serde_json::from_value(serde_json::Value::Object(aggs)).unwrap()
}

/// The query mix through bare tantivy: top 10 with stored fields and body snippets, count,
/// five terms aggregations and a monthly histogram.
fn bare_search(dir: &Path, mix: &[MixQuery], rounds: usize) -> Vec<Duration> {
    let index = Index::open_in_dir(dir).unwrap();
    index.tokenizers().register("en_stem", en_stem());
    let schema = index.schema();
    let field = |name: &str| schema.get_field(name).unwrap();
    let searcher = index.reader().unwrap().searcher();
    let mut parser = QueryParser::for_index(&index, vec![field("title"), field("body")]);
    parser.set_conjunction_by_default();
    let mut times = Vec::new();
    for round in 0..=rounds {
        for m in mix {
            let started = Instant::now();
            let text: Box<dyn Query> = if m.q == "*" {
                Box::new(AllQuery)
            } else {
                parser.parse_query(m.q).expect("the mix parses")
            };
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
            if let Some((name, value)) = m.filter {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field(name), value),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
            if let Some((from, to)) = m.range {
                let term = |ms: i64| {
                    Term::from_field_date(field("published"), DateTime::from_timestamp_millis(ms))
                };
                clauses.push((
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        std::ops::Bound::Included(term(epoch_ms(from, false))),
                        std::ops::Bound::Included(term(epoch_ms(to, true))),
                    )),
                ));
            }
            let query = BooleanQuery::new(clauses);
            let collector =
                AggregationCollector::from_aggs(bare_aggregations(), Default::default());
            let (count, top, aggs) = searcher
                .search(
                    &query,
                    &(Count, TopDocs::with_limit(10).order_by_score(), collector),
                )
                .unwrap();
            let snippets = (m.q != "*")
                .then(|| SnippetGenerator::create(&searcher, &*text, field("body")).unwrap());
            for (_, address) in &top {
                let doc: TantivyDocument = searcher.doc(*address).unwrap();
                if let Some(generator) = &snippets {
                    let _ = generator.snippet_from_doc(&doc).to_html();
                }
            }
            let days = serde_json::to_value(&aggs).unwrap();
            let mut months: HashMap<i64, u64> = HashMap::new();
            for bucket in days["month"]["buckets"].as_array().into_iter().flatten() {
                let day = bucket["key"].as_f64().unwrap_or(0.0) as i64 / 1000 / 86_400;
                *months.entry(day / 30).or_default() += bucket["doc_count"].as_u64().unwrap_or(0);
            }
            std::hint::black_box((count, months));
            if round > 0 {
                times.push(started.elapsed());
            }
        }
    }
    times
}

// ---------------------------------------------------------------------------------------------
// Dateline.

fn dateline_request(m: &MixQuery) -> SearchRequest {
    let mut request = SearchRequest {
        histogram: Interval::Month,
        ..SearchRequest::query(m.q)
    };
    match m.filter {
        Some(("source", v)) => request.source = vec![v.to_string()],
        Some(("language", v)) => request.language = vec![v.to_string()],
        _ => {}
    }
    if let Some((from, to)) = m.range {
        request.from = Some(from.to_string());
        request.to = Some(to.to_string());
    }
    request
}

fn dateline_uri(m: &MixQuery) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("q", m.q);
    query.append_pair("histogram", "month");
    if let Some((name, value)) = m.filter {
        query.append_pair(name, value);
    }
    if let Some((from, to)) = m.range {
        query.append_pair("from", from);
        query.append_pair("to", to);
    }
    format!("/api/search?{}", query.finish())
}

/// The mix through Dateline's library, segments searched on `threads` threads.
fn dateline_search(dir: &Path, mix: &[MixQuery], rounds: usize, threads: usize) -> Vec<Duration> {
    dateline_search_as(dir, mix, rounds, threads, CollapseBy::None)
}

/// The mix through Dateline's library, hits collapsed or not into stories.
fn dateline_search_as(
    dir: &Path,
    mix: &[MixQuery],
    rounds: usize,
    threads: usize,
    collapse: CollapseBy,
) -> Vec<Duration> {
    let engine = Engine::open_with_threads(dir, threads).unwrap();
    let mut times = Vec::new();
    for round in 0..=rounds {
        for m in mix {
            let started = Instant::now();
            let request = SearchRequest {
                collapse,
                ..dateline_request(m)
            };
            let response = engine.search(&request).unwrap();
            std::hint::black_box(response);
            if round > 0 {
                times.push(started.elapsed());
            }
        }
    }
    times
}

/// The mix over HTTP to the real server; returns latencies and the server's anonymous RSS (KB).
fn dateline_http(dir: &Path, mix: &[MixQuery], rounds: usize) -> (Vec<Duration>, u64) {
    let (mut server, addr) = start_server(dir);
    let mut stream = BufReader::new(TcpStream::connect(addr).unwrap());
    stream.get_ref().set_nodelay(true).unwrap();
    let mut times = Vec::new();
    for round in 0..=rounds {
        for m in mix {
            let started = Instant::now();
            let status = get(&mut stream, addr, &dateline_uri(m)).unwrap();
            assert_eq!(status, 200, "{}", dateline_uri(m));
            if round > 0 {
                times.push(started.elapsed());
            }
        }
    }
    let rss = rss_kb(server.id(), "RssAnon:");
    server.kill().ok();
    server.wait().ok();
    (times, rss)
}

// ---------------------------------------------------------------------------------------------
// Running, timing and reporting.

/// Peak memory of a process: resident set (`VmHWM`, which includes pages of memory-mapped
/// index files) and anonymous memory (`RssAnon`, heap and stacks: what the process itself holds),
/// in KB.
#[derive(Clone, Copy, Default)]
struct Peak {
    rss: u64,
    anon: u64,
}

/// Runs a command, sampling its memory every 20 ms; returns its stdout, wall time and peaks.
fn timed(mut command: Command) -> (String, Duration, Peak) {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the command starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        stdout.read_to_string(&mut out).ok();
        out
    });
    let mut peak = Peak::default();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak.rss = peak.rss.max(rss_kb(child.id(), "VmHWM:"));
        peak.anon = peak.anon.max(rss_kb(child.id(), "RssAnon:"));
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    assert!(status.success(), "{command:?} failed");
    (reader.join().unwrap(), elapsed, peak)
}

fn percentiles(mut times: Vec<Duration>) -> [f64; 3] {
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    [p(0.5), p(0.95), p(0.99)]
}

fn json_field(json: &str, key: &str) -> f64 {
    let v: serde_json::Value =
        serde_json::from_str(json.trim().lines().last().unwrap_or("{}")).unwrap_or_default();
    v[key].as_f64().unwrap_or(f64::NAN)
}

fn size_mb(dir: &Path) -> f64 {
    dateline::index::size_on_disk(dir) as f64 / 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child-bare-index") {
        bare_index(
            Path::new(&args[2]),
            Path::new(&args[3]),
            args[4].parse().unwrap(),
            args[5].parse().unwrap(),
        );
        return;
    }
    if args.get(1).map(String::as_str) == Some("--profile-search") {
        // Loops Dateline's query mix on an existing index, for `perf record`.
        let threads = args.get(4).map_or(1, |t| t.parse().unwrap());
        let times = dateline_search(
            Path::new(&args[2]),
            &query_mix(),
            args[3].parse().unwrap(),
            threads,
        );
        println!("p50 {:.2} ms", percentiles(times.clone())[0]);
        // Each query's slowest round, slowest first.
        let mix = query_mix();
        let mut per_query: Vec<(Duration, String)> = mix
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let slowest = times.iter().skip(i).step_by(mix.len()).max().copied();
                let label = format!("{} {:?} {:?}", m.q, m.filter, m.range);
                (slowest.unwrap_or_default(), label)
            })
            .collect();
        per_query.sort_by_key(|q| std::cmp::Reverse(q.0));
        for (time, label) in per_query.iter().take(12) {
            println!("{:>8.2} ms  {label}", time.as_secs_f64() * 1e3);
        }
        return;
    }
    let o = options();
    std::fs::create_dir_all(&o.work).unwrap();
    let work = o.work.canonicalize().unwrap();
    let lucene = o
        .lucene
        .then(|| common::lucene_classpath(&work, "LuceneBench"))
        .flatten();
    let source = read_corpus(&o.corpus);
    let mix = query_mix();
    let queries_tsv = work.join("queries.tsv");
    let mut q = String::new();
    for m in &mix {
        let (from, to) = m.range.map_or((String::new(), String::new()), |(f, t)| {
            (
                epoch_ms(f, false).to_string(),
                epoch_ms(t, true).to_string(),
            )
        });
        let (fname, fvalue) = m.filter.unwrap_or(("", ""));
        q.push_str(&format!("{}\t{fname}\t{fvalue}\t{from}\t{to}\n", m.q));
    }
    std::fs::write(&queries_tsv, q).unwrap();
    let operators_tsv = work.join("operators.tsv");
    let ops: String = OPERATORS
        .iter()
        .filter_map(|o| o.lucene.map(|l| format!("{}\t{l}\n", o.class)))
        .collect();
    std::fs::write(&operators_tsv, ops).unwrap();
    println!(
        "scale benchmark: source {} ({} articles), {} threads, {} MB writer memory, {} queries × {} rounds; {}",
        o.corpus.display(),
        source.len(),
        o.threads,
        o.memory_mb,
        mix.len(),
        o.rounds,
        std::env::var("HOSTNAME").unwrap_or_default()
    );
    let mut rows = Vec::new();
    for &n in &o.sizes {
        let only = if o.languages.is_empty() {
            String::new()
        } else {
            format!("-{}", o.languages.join("+"))
        };
        let jsonl = work.join(format!("corpus-{n}-{}{only}-v2.jsonl", o.seed));
        let tsv = work.join(format!("corpus-{n}-{}{only}-v2.tsv", o.seed));
        if !jsonl.exists() || !tsv.exists() {
            let t = Instant::now();
            scale(&source, n, o.seed, &o.languages, &jsonl, &tsv);
            eprintln!(
                "scaled corpus of {n} written in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
        let mb = std::fs::metadata(&jsonl).unwrap().len() as f64 / 1e6;
        let dirs = ["dateline", "bare", "lucene", "dateline-nostories"]
            .map(|e| work.join(format!("{e}-{n}{only}")));
        for d in &dirs {
            std::fs::remove_dir_all(d).ok();
        }
        // Indexing, each engine in its own process.
        let mut dl = Command::new(env!("CARGO_BIN_EXE_dateline"));
        dl.arg("--index")
            .arg(&dirs[0])
            .args(["index", "--quiet", "--threads"])
            .arg(o.threads.to_string())
            .arg("--memory")
            .arg(o.memory_mb.to_string())
            .arg(&jsonl)
            .stdout(Stdio::null());
        let (_, dl_wall, dl_rss) = timed(dl);
        // The same without story detection, for what detection costs.
        let mut plain = Command::new(env!("CARGO_BIN_EXE_dateline"));
        plain
            .arg("--index")
            .arg(&dirs[3])
            .args(["index", "--quiet", "--no-stories", "--threads"])
            .arg(o.threads.to_string())
            .arg("--memory")
            .arg(o.memory_mb.to_string())
            .arg(&jsonl)
            .stdout(Stdio::null());
        let (_, plain_wall, plain_rss) = timed(plain);
        let mut bare = Command::new(std::env::current_exe().unwrap());
        bare.arg("--child-bare-index")
            .arg(&jsonl)
            .arg(&dirs[1])
            .arg(o.threads.to_string())
            .arg(o.memory_mb.to_string());
        let (_, bare_wall, bare_rss) = timed(bare);
        let lucene_index = lucene.as_ref().map(|cp| {
            let mut java = Command::new("java");
            java.args(["-Xmx2g", "-cp", cp, "LuceneBench", "index"])
                .arg(&tsv)
                .arg(&dirs[2])
                .arg(o.threads.to_string())
                .arg(o.memory_mb.to_string());
            timed(java)
        });
        // Searching.
        // Like for like: one thread, as bare tantivy and Lucene search here; then Dateline's
        // default, segments spread over the machine's cores.
        let dl_lib = percentiles(dateline_search(&dirs[0], &mix, o.rounds, 1));
        let parallel = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(dateline::search::MAX_SEARCH_THREADS);
        let dl_par = percentiles(dateline_search(&dirs[0], &mix, o.rounds, parallel));
        let dl_collapsed = percentiles(dateline_search_as(
            &dirs[0],
            &mix,
            o.rounds,
            1,
            CollapseBy::Story,
        ));
        let dl_collapsed_par = percentiles(dateline_search_as(
            &dirs[0],
            &mix,
            o.rounds,
            parallel,
            CollapseBy::Story,
        ));
        let from = dateline::search::PARALLEL_FROM_ARTICLES;
        let (http_times, server_rss) = dateline_http(&dirs[0], &mix, o.rounds);
        let dl_http = percentiles(http_times);
        let bare_p = percentiles(bare_search(&dirs[1], &mix, o.rounds));
        let lucene_p = lucene.as_ref().map(|cp| {
            let mut java = Command::new("java");
            java.args(["-Xmx2g", "-cp", cp, "LuceneBench", "search"])
                .arg(&dirs[2])
                .arg(&queries_tsv)
                .arg(o.rounds.to_string());
            let (out, _, _) = timed(java);
            [
                json_field(&out, "p50_ms"),
                json_field(&out, "p95_ms"),
                json_field(&out, "p99_ms"),
            ]
        });
        let dl_ops = dateline_operators(&dirs[0], o.rounds, 1);
        let dl_ops_par = dateline_operators(&dirs[0], o.rounds, parallel);
        let lucene_ops: Option<serde_json::Value> = lucene.as_ref().map(|cp| {
            let mut java = Command::new("java");
            java.args(["-Xmx2g", "-cp", cp, "LuceneBench", "operators"])
                .arg(&dirs[2])
                .arg(&operators_tsv)
                .arg(o.rounds.to_string());
            let (out, _, _) = timed(java);
            serde_json::from_str(out.trim()).expect("LuceneBench prints JSON")
        });
        let rate = |wall: Duration| n as f64 / wall.as_secs_f64();
        let mut row = format!(
            "\n### {n} articles{} ({mb:.0} MB of JSON Lines)\n\n| engine | index wall | articles/s | MB/s | peak RSS | index size | search p50 / p95 / p99 ms |\n|---|---|---|---|---|---|---|\n",
            if o.languages.is_empty() {
                String::new()
            } else {
                format!(", languages {}", o.languages.join(", "))
            }
        );
        let line = |name: &str, wall: Duration, peak: Peak, dir: &Path, p: [f64; 3]| {
            format!(
                "| {name} | {:.1} s | {:.0} | {:.1} | {:.0} MB ({:.0} MB anon) | {:.0} MB | {:.2} / {:.2} / {:.2} |\n",
                wall.as_secs_f64(),
                rate(wall),
                mb / wall.as_secs_f64(),
                peak.rss as f64 / 1024.0,
                peak.anon as f64 / 1024.0,
                size_mb(dir),
                p[0],
                p[1],
                p[2]
            )
        };
        row.push_str(&line(
            "Dateline (library search, 1 thread)",
            dl_wall,
            dl_rss,
            &dirs[0],
            dl_lib,
        ));
        row.push_str(&format!(
            "| Dateline (library search as shipped: {parallel} threads from {from} articles) | | | | | | {:.2} / {:.2} / {:.2} |\n",
            dl_par[0], dl_par[1], dl_par[2]
        ));
        row.push_str(&format!(
            "| Dateline, collapsed into stories (1 thread / as shipped) | | | | | | {:.2} / {:.2} / {:.2} · {:.2} / {:.2} / {:.2} |\n",
            dl_collapsed[0],
            dl_collapsed[1],
            dl_collapsed[2],
            dl_collapsed_par[0],
            dl_collapsed_par[1],
            dl_collapsed_par[2]
        ));
        row.push_str(&line(
            "Dateline without story detection (`--no-stories`)",
            plain_wall,
            plain_rss,
            &dirs[3],
            [f64::NAN; 3],
        ));
        row.push_str(&format!(
            "| Dateline over HTTP (as shipped) | | | | server: {:.0} MB anon after the mix | | {:.2} / {:.2} / {:.2} |\n",
            server_rss as f64 / 1024.0,
            dl_http[0],
            dl_http[1],
            dl_http[2]
        ));
        row.push_str(&line(
            "bare tantivy 0.27",
            bare_wall,
            bare_rss,
            &dirs[1],
            bare_p,
        ));
        if let (Some((_, wall, rss)), Some(p)) = (&lucene_index, lucene_p) {
            row.push_str(&line("Lucene 8", *wall, *rss, &dirs[2], p));
        }
        row.push_str(&format!(
            "\nstory detection costs {:.1}% of indexing throughput (target ≤ 15%) and {:.1}% of index size; collapsing costs {:.2}× the search p50 (1 thread)\n",
            (1.0 - rate(dl_wall) / rate(plain_wall)) * 100.0,
            (size_mb(&dirs[0]) / size_mb(&dirs[3]) - 1.0) * 100.0,
            dl_collapsed[0] / dl_lib[0]
        ));
        row.push_str(&format!(
            "\nratios: indexing Dateline/tantivy {:.2}× (target ≥ 0.6){}; search p50 (1 thread) Dateline/tantivy {:.2}× (target ≤ 1.5){}; as shipped Dateline/tantivy {:.2}×{}\n",
            rate(dl_wall) / rate(bare_wall),
            lucene_index.as_ref().map_or(String::new(), |(_, wall, _)| format!(
                ", Dateline/Lucene {:.2}× (target ≥ 2)",
                rate(dl_wall) / rate(*wall)
            )),
            dl_lib[0] / bare_p[0],
            lucene_p.map_or(String::new(), |p| format!(
                ", Dateline/Lucene {:.2}× (target ≤ 0.5)",
                dl_lib[0] / p[0]
            )),
            dl_par[0] / bare_p[0],
            lucene_p.map_or(String::new(), |p| format!(
                ", Dateline/Lucene {:.2}×",
                dl_par[0] / p[0]
            )),
        ));
        row.push_str(&format!(
            "\n#### Query-language operators, {n} articles (p50 / p99 ms)\n\n| class | Dateline, 1 thread | Dateline as shipped | Lucene 8 (SpanNear, Wildcard, FunctionRange) |\n|---|---|---|---|\n"
        ));
        for ((class, one), (_, shipped)) in dl_ops.iter().zip(&dl_ops_par) {
            let peer = lucene_ops
                .as_ref()
                .and_then(|j| j[class].as_array().cloned())
                .map_or("no such query".to_string(), |p| {
                    format!(
                        "{:.2} / {:.2}",
                        p[0].as_f64().unwrap_or(f64::NAN),
                        p[1].as_f64().unwrap_or(f64::NAN)
                    )
                });
            row.push_str(&format!(
                "| {class} | {:.2} / {:.2} | {:.2} / {:.2} | {peer} |\n",
                one[0], one[2], shipped[0], shipped[2]
            ));
        }
        print!("{row}");
        std::io::stdout().flush().unwrap();
        rows.push(row);
    }
    let only = if o.languages.is_empty() {
        String::new()
    } else {
        format!("-{}", o.languages.join("+"))
    };
    std::fs::write(work.join(format!("results{only}.md")), rows.concat()).unwrap();
}
