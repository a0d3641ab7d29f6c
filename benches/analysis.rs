//! Micro-benchmarks of the per-article analysis steps: language detection on the bounded
//! sample, tokenising a body with its language's analyzer, and entity tagging.
//!
//! ```text
//! cargo bench --bench analysis
//! DATELINE_BENCH_NEWS=../shared/data/news/all_news.jsonl.gz cargo bench --bench analysis -- entities
//! ```
//! With `DATELINE_BENCH_NEWS` (JSON Lines, optionally .gz), entity tagging is also measured on
//! the first 2,000 English bodies of that real news corpus.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dateline::analysis::{LanguageGroup, detect_language, register_analyzers};
use tantivy::tokenizer::TokenizerManager;

fn demo_bodies() -> Vec<(String, String, String)> {
    dateline::demo::FILES
        .iter()
        .flat_map(|(_, text)| text.lines())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                v["language"].as_str().unwrap().to_string(),
                v["title"].as_str().unwrap().to_string(),
                v["body"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The first `n` English bodies of a JSON Lines corpus.
fn english_news(path: &str, n: usize) -> Vec<String> {
    common::read_corpus_bytes(std::path::Path::new(path))
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<serde_json::Value>(line).ok())
        .filter(|v| v["lang"].as_str().or(v["language"].as_str()) == Some("en"))
        .filter_map(|v| v["body"].as_str().map(str::to_string))
        .take(n)
        .collect()
}

fn bench(c: &mut Criterion) {
    let articles = demo_bodies();
    let bytes: usize = articles.iter().map(|(_, t, b)| t.len() + b.len()).sum();
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("detect_language/demo archive", |b| {
        b.iter(|| {
            let detected = articles
                .iter()
                .filter(|(_, title, body)| detect_language(title, body).is_some())
                .count();
            assert_eq!(detected, articles.len());
        })
    });
    let manager = TokenizerManager::default();
    register_analyzers(&manager);
    group.bench_function("tokenize/demo archive", |b| {
        b.iter(|| {
            let mut tokens = 0usize;
            for (lang, title, body) in &articles {
                let name = LanguageGroup::for_language(Some(lang)).analyzer_name();
                let mut analyzer = manager.get(&name).unwrap();
                for text in [title, body] {
                    let mut stream = analyzer.token_stream(text);
                    while stream.advance() {
                        tokens += 1;
                    }
                }
            }
            assert!(tokens > 10_000);
        })
    });
    group.finish();

    // Entity tagging, measured in whitespace-separated tokens per second.
    let tagger = dateline::entities::Tagger::builtin();
    let texts: Vec<&str> = articles.iter().map(|(_, _, body)| body.as_str()).collect();
    let tokens: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let mut group = c.benchmark_group("entities");
    group.throughput(Throughput::Elements(tokens as u64));
    group.bench_function("gazetteer/demo archive bodies", |b| {
        b.iter(|| {
            let mentions: usize = texts.iter().map(|t| tagger.tag_gazetteer(t).len()).sum();
            assert!(mentions > 500);
        })
    });
    group.bench_function("gazetteer+model/demo archive bodies", |b| {
        b.iter(|| {
            let mentions: usize = texts.iter().map(|t| tagger.tag(t).len()).sum();
            assert!(mentions > 500);
        })
    });
    group.finish();
    if let Ok(path) = std::env::var("DATELINE_BENCH_NEWS") {
        let news = english_news(&path, 2000);
        let tokens: usize = news.iter().map(|t| t.split_whitespace().count()).sum();
        let mut group = c.benchmark_group("entities");
        group.throughput(Throughput::Elements(tokens as u64));
        group.bench_function("gazetteer+model/real news bodies", |b| {
            b.iter(|| news.iter().map(|t| tagger.tag(t).len()).sum::<usize>())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
