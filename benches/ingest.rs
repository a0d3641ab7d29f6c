//! Ingest throughput per input format: the same articles written as JSON Lines, saved HTML
//! pages (four layouts with navigation, ads, related links, comments and cookie banners), RSS
//! feeds, a per-record-gzipped WARC crawl and plain text files, each at least `--mb` MB
//! (default 100), indexed through `index_inputs` exactly as `dateline index` does. Reports MB/s
//! of input, articles/s, and where the time went: extraction (reading thread), analysis
//! (language detection and entity tagging) and indexing (tantivy).
//!
//! ```text
//! cargo bench --bench ingest                                      # the demo archive's articles
//! cargo bench --bench ingest -- ../shared/data/news/all_news.jsonl.gz
//! ```
//! Options after `--`: a corpus (JSON Lines, optionally .gz), `--mb N` (input size per format),
//! `--formats jsonl,html,feed,warc,text`, `--threads N`, `--memory MB`, `--out DIR` (write the
//! inputs there and keep them, e.g. to measure `dateline index` on them with `/usr/bin/time`).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use dateline::article::RawArticle;
use dateline::index::{Report, index_inputs};
use dateline::ingest::{Input, ReadOptions, discover};
use dateline::{Indexer, IndexerOptions};

struct Options {
    corpus: Option<PathBuf>,
    mb: usize,
    formats: Vec<String>,
    threads: usize,
    memory_mb: usize,
    /// Write the inputs here and keep them (for running `dateline index` on them by hand).
    out: Option<PathBuf>,
}

fn options() -> Options {
    let mut o = Options {
        corpus: None,
        mb: 100,
        formats: ["jsonl", "html", "feed", "warc", "text"]
            .map(String::from)
            .to_vec(),
        threads: 2,
        memory_mb: 256,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--mb" => o.mb = value().parse().expect("a number"),
            "--threads" => o.threads = value().parse().expect("a number"),
            "--memory" => o.memory_mb = value().parse().expect("a number"),
            "--formats" => o.formats = value().split(',').map(String::from).collect(),
            "--out" => o.out = Some(PathBuf::from(value())),
            "--bench" => {}
            other if !other.starts_with('-') => o.corpus = Some(PathBuf::from(other)),
            other => panic!("unknown option `{other}`"),
        }
    }
    o
}

/// The articles every format is made from.
struct Source {
    title: String,
    body: String,
    date: String,
    outlet: String,
}

fn load(corpus: Option<&Path>) -> Vec<Source> {
    let text: Vec<u8> = match corpus {
        Some(path) => common::read_corpus_bytes(path),
        None => dateline::demo::FILES
            .iter()
            .flat_map(|(_, text)| text.bytes())
            .collect(),
    };
    text.split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<RawArticle>(line).ok())
        .filter_map(|raw| {
            let title = raw.title.unwrap_or_default();
            let body = raw.body.unwrap_or_default();
            (!title.trim().is_empty() && body.len() > 200).then(|| Source {
                title: title.trim().to_string(),
                body,
                date: raw
                    .published
                    .filter(|d| d.len() >= 10)
                    .map_or("2024-06-19".to_string(), |d| d[..10].to_string()),
                outlet: raw.source.unwrap_or_else(|| "Bench Wire".into()),
            })
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn paragraphs(body: &str) -> String {
    body.split("\n\n")
        .flat_map(|p| p.split("\n    "))
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>\n", escape(p.trim())))
        .collect()
}

const NAV: &str = "<nav class=\"main-nav\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li><li><a href=\"/business\">Business</a></li><li><a href=\"/sport\">Sport</a></li><li><a href=\"/culture\">Culture</a></li><li><a href=\"/opinion\">Opinion</a></li></ul></nav>";
const COOKIE: &str = "<div class=\"cookie-banner\">We use cookies to improve your experience. <button>Accept</button> <button>Settings</button></div>";
const RELATED: &str = "<aside class=\"related\"><h2>Related</h2><ul><li><a href=\"/r/1\">Markets slip as oil rises</a></li><li><a href=\"/r/2\">Festival draws record crowds</a></li><li><a href=\"/r/3\">Weather turns cold</a></li></ul></aside>";
const COMMENTS: &str = "<section id=\"comments\"><h2>Comments</h2><div class=\"comment\"><b>reader1</b> Interesting read, thanks.</div><div class=\"comment\"><b>reader2</b> I disagree with the analysis.</div></section>";
const FOOTER: &str = "<footer><p>© The Bench Times. All rights reserved.</p><a href=\"/privacy\">Privacy</a> <a href=\"/terms\">Terms</a> <a href=\"/contact\">Contact</a></footer>";

/// One saved page in one of four layouts.
fn page(i: usize, a: &Source) -> String {
    let title = escape(&a.title);
    let outlet = escape(&a.outlet);
    let body = paragraphs(&a.body);
    let url = format!("https://bench.example/{i}");
    match i % 4 {
        0 => format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | {outlet}</title>\
<script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":{headline},\"datePublished\":\"{date}T10:00:00Z\",\"publisher\":{{\"@type\":\"Organization\",\"name\":{pub_name}}},\"url\":\"{url}\"}}</script>\
</head><body>{COOKIE}<header>{NAV}</header><main><article><h1>{title}</h1><p class=\"byline\">By Staff Reporter</p>{body}</article>{RELATED}{COMMENTS}</main>{FOOTER}</body></html>",
            headline = serde_json::to_string(&a.title).unwrap(),
            pub_name = serde_json::to_string(&a.outlet).unwrap(),
            date = a.date,
        ),
        1 => format!(
            "<html><head><title>{title} - {outlet}</title><meta property=\"og:site_name\" content=\"{outlet}\"><meta property=\"og:url\" content=\"{url}\"><meta property=\"article:published_time\" content=\"{date}T08:00:00+03:00\"></head>\
<body><div class=\"topbar\"><a href=\"/login\">Log in</a></div><div class=\"sidebar\"><div class=\"widget\">Most read: <a href=\"/x\">Local team wins</a></div><div class=\"sponsored\">Sponsored: new phone</div></div><div class=\"content\"><div class=\"story-body\"><h1>{title}</h1>{body}</div></div>{FOOTER}</body></html>",
            date = a.date,
        ),
        2 => format!(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><title>{outlet} — {title}</title></head><body>\
<table width=\"100%\"><tr><td class=\"menu\">{NAV}</td></tr></table><table><tr><td class=\"left-column\"><div class=\"banner-ad\">Advertisement</div></td><td class=\"article\"><h1>{title}</h1><div class=\"date\"><time datetime=\"{date}\">{date}</time></div>{body}</td></tr></table>{FOOTER}</body></html>",
            date = a.date,
        ),
        _ => format!(
            "<!DOCTYPE html><html><head><title>{title}</title><link rel=\"canonical\" href=\"{url}\"></head><body><ul class=\"global-nav\"><li><a href=\"/\">Top</a></li></ul>\
<div class=\"entry\"><h1 class=\"entry-title\">{title}</h1><p class=\"entry-date\"><time datetime=\"{date}\">{date}</time></p><div class=\"entry-content\">{body}</div></div>{RELATED}{FOOTER}</body></html>",
            date = a.date,
        ),
    }
}

fn rss_item(i: usize, a: &Source) -> String {
    format!(
        "<item><title>{}</title><link>https://bench.example/feed/{i}</link><pubDate>{}</pubDate><description>{}</description><content:encoded><![CDATA[{}]]></content:encoded></item>\n",
        escape(&a.title),
        rfc2822(&a.date),
        escape(&a.body.chars().take(160).collect::<String>()),
        paragraphs(&a.body).replace("]]>", "]] >"),
    )
}

fn rfc2822(date: &str) -> String {
    let parsed = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(time::macros::date!(2024 - 06 - 19));
    parsed
        .with_time(time::macros::time!(10:00))
        .assume_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap()
}

fn warc_record(kind: &str, uri: &str, content_type: &str, body: &[u8], i: usize) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{i:08x}-0000-4000-8000-{:012x}>\r\nWARC-Date: 2024-06-20T12:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        kind.len(),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Writes at least `target` bytes of input in `format` under `dir`, cycling through the
/// sources; returns the bytes written.
fn generate(format: &str, sources: &[Source], dir: &Path, target: u64) -> u64 {
    std::fs::create_dir_all(dir).unwrap();
    let mut written = 0u64;
    let mut i = 0usize;
    let next = |i: &mut usize| {
        let a = &sources[*i % sources.len()];
        *i += 1;
        a
    };
    match format {
        "jsonl" => {
            let mut out =
                std::io::BufWriter::new(std::fs::File::create(dir.join("corpus.jsonl")).unwrap());
            while written < target {
                let a = next(&mut i);
                let line = serde_json::json!({"id": format!("b{i}"), "title": a.title, "body": a.body, "published": a.date, "source": a.outlet}).to_string();
                writeln!(out, "{line}").unwrap();
                written += line.len() as u64 + 1;
            }
        }
        "html" | "text" => {
            while written < target {
                let a = next(&mut i);
                let (name, text) = if format == "html" {
                    (format!("{:03}/{i:06}.html", i / 1000), page(i, a))
                } else {
                    (
                        format!("{:03}/{i:06}.txt", i / 1000),
                        format!("{}\n\n{}\n", a.title, a.body),
                    )
                };
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &text).unwrap();
                written += text.len() as u64;
            }
        }
        "feed" => {
            let mut n = 0;
            while written < target {
                let mut xml = String::from(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Bench Feed</title><link>https://bench.example/</link>\n",
                );
                for _ in 0..50 {
                    let a = next(&mut i);
                    xml.push_str(&rss_item(i, a));
                }
                xml.push_str("</channel></rss>\n");
                std::fs::write(dir.join(format!("feed-{n:05}.rss")), &xml).unwrap();
                written += xml.len() as u64;
                n += 1;
            }
        }
        "warc" => {
            let mut out =
                std::io::BufWriter::new(std::fs::File::create(dir.join("crawl.warc.gz")).unwrap());
            while written < target {
                let a = next(&mut i);
                let uri = format!("https://bench.example/{i}");
                let html = page(i, a);
                let request = warc_record(
                    "request",
                    &uri,
                    "application/http; msgtype=request",
                    format!("GET /{i} HTTP/1.1\r\nHost: bench.example\r\n\r\n").as_bytes(),
                    i,
                );
                let response = warc_record(
                    "response",
                    &uri,
                    "application/http; msgtype=response",
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
                        html.len()
                    )
                    .as_bytes(),
                    i,
                );
                for record in [request, response] {
                    let compressed = gzip(&record);
                    out.write_all(&compressed).unwrap();
                    written += compressed.len() as u64;
                }
            }
        }
        other => panic!("unknown format `{other}`"),
    }
    written
}

fn run(dir: &Path, inputs: &[Input], o: &Options) -> Report {
    let options = IndexerOptions {
        memory_bytes: o.memory_mb << 20,
        threads: o.threads,
        ..IndexerOptions::default()
    };
    let mut indexer = Indexer::open(dir, &options).unwrap();
    let report = index_inputs(
        &mut indexer,
        inputs,
        &ReadOptions::default(),
        Arc::default(),
        &mut |_| {},
    )
    .unwrap();
    indexer.finish().unwrap();
    report
}

fn main() {
    let o = options();
    let sources = load(o.corpus.as_deref());
    assert!(!sources.is_empty(), "no usable articles in the corpus");
    let work = tempfile::tempdir().unwrap();
    println!(
        "ingest benchmark: {} source articles from {}, ≥ {} MB per format, {} threads, {} MB writer\n",
        sources.len(),
        o.corpus
            .as_deref()
            .map_or("the demo archive".into(), |p| p.display().to_string()),
        o.mb,
        o.threads,
        o.memory_mb
    );
    println!(
        "| format | input | articles (skipped) | wall | MB/s | articles/s | extraction | analysis | indexing |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for format in &o.formats {
        let input_dir = o.out.as_deref().unwrap_or(work.path()).join(format);
        let generated = Instant::now();
        let bytes = generate(format, &sources, &input_dir, (o.mb as u64) << 20);
        let generation = generated.elapsed();
        let found = discover(std::slice::from_ref(&input_dir)).unwrap();
        let report = run(
            &work.path().join(format!("{format}-index")),
            &found.inputs,
            &o,
        );
        if let Some(first) = report.skipped.first() {
            eprintln!(
                "  ({format}: {} skipped, e.g. {first})",
                report.skipped.len()
            );
        }
        let wall = report.elapsed.as_secs_f64();
        let share = |d: std::time::Duration| {
            format!(
                "{:.1} s ({:.0}%)",
                d.as_secs_f64(),
                100.0 * d.as_secs_f64() / wall
            )
        };
        println!(
            "| {format} | {:.0} MB in {} file(s) | {} ({}) | {wall:.1} s | {:.1} | {:.0} | {} | {} | {} |",
            bytes as f64 / 1e6,
            found.inputs.len(),
            report.indexed,
            report.skipped.len(),
            report.megabytes_per_second(),
            report.articles_per_second(),
            share(report.timings.extraction),
            share(report.timings.analysis),
            share(report.timings.indexing),
        );
        eprintln!(
            "  ({format}: generated in {:.1} s)",
            generation.as_secs_f64()
        );
        if o.out.is_none() {
            std::fs::remove_dir_all(&input_dir).ok();
        }
    }
    println!(
        "\nextraction runs on the reading thread, alongside analysis + indexing on the indexing thread (and tantivy's own threads), so the shares of wall time can add up to more than 100%."
    );
}
