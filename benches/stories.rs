//! Story detection: clustering quality on a generated syndication corpus, the clusters of a
//! real corpus, and what detection costs in indexing throughput.
//!
//! ```text
//! cargo bench --bench stories -- ../shared/data/news/all_news.jsonl.gz [--originals 2000] [--seed 7] [--rounds 5]
//! ```
//!
//! The generator (seeded, our own) takes `--originals` English articles of the corpus with at
//! least 400 characters of text (distinct bodies), and gives each 0 to 6 copies "run by other
//! outlets", each copy changed in one to three of these ways: a new headline, a trim to its
//! first 30–70% of paragraphs, a credit (an opening dateline or a closing credit line), an
//! outlet's footer, light edits (about 3% of words replaced or dropped), an "UPDATE 1-"
//! paragraph on top (a sentence of another article), paragraphs after the lead reordered;
//! published minutes to two days after the original. The truth is one story per original and
//! its copies. Reported: B-cubed precision and recall over every article, recall per kind of
//! change (copies put in their original's story), and how many stories hold articles of
//! different originals. Then the real corpus as it is: how many stories of two or more, with
//! a sample to check by eye. Throughput: the syndication corpus and the real corpus indexed
//! with and without detection, alternately, `--rounds` times each (medians).

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dateline::index::index_inputs;
use dateline::ingest::{Input, ReadOptions};
use dateline::stories::Signature;
use dateline::{Engine, Indexer, IndexerOptions, SearchRequest};
use serde_json::{Value, json};

/// SplitMix64: a seeded generator, enough for shuffling and coin flips.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
}

const CHANGES: [&str; 7] = [
    "headline", "trim", "credit", "footer", "edits", "update", "reorder",
];
const OUTLETS: [&str; 12] = [
    "Coastline Post",
    "Valley Herald",
    "Evening Gazette",
    "Northern Courier",
    "Island Times",
    "Metro Daily",
    "Plains Observer",
    "Harbour Ledger",
    "Capital Star",
    "Ridge Tribune",
    "Lakeside News",
    "Summit Record",
];
const AGENCIES: [&str; 4] = ["Reuters", "AP", "AFP", "Meridian Wire"];
const CITIES: [&str; 5] = ["LONDON", "NEW YORK", "TOKYO", "WASHINGTON", "FRANKFURT"];
const SWAPS: [(&str, &str); 12] = [
    ("said", "says"),
    ("company", "firm"),
    ("percent", "pct"),
    ("million", "mln"),
    ("government", "administration"),
    ("reported", "announced"),
    ("about", "around"),
    ("increase", "rise"),
    ("also", "additionally"),
    ("officials", "authorities"),
    ("shares", "stock"),
    ("week", "weekly period"),
];

struct Options {
    corpus: PathBuf,
    originals: usize,
    seed: u64,
    rounds: usize,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut o = Options {
        corpus: PathBuf::new(),
        originals: 2000,
        seed: 7,
        rounds: 5,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--originals" => o.originals = value().parse().expect("a number"),
            "--seed" => o.seed = value().parse().expect("a number"),
            "--rounds" => o.rounds = value().parse().expect("a number"),
            path => o.corpus = PathBuf::from(path),
        }
    }
    assert!(
        o.corpus.is_file(),
        "usage: cargo bench --bench stories -- CORPUS.jsonl[.gz] [--originals N] [--seed S] [--rounds R]"
    );
    o
}

/// Paragraphs of a body: blank lines, or Reuters' indented lines.
fn paragraphs(body: &str) -> Vec<String> {
    body.replace("\r", "")
        .split("\n\n")
        .flat_map(|p| p.split("\n    "))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

struct Original {
    title: String,
    paragraphs: Vec<String>,
    published: i64,
}

fn originals(corpus: &[Value], o: &Options, rng: &mut Rng) -> Vec<Original> {
    let mut seen = HashSet::new();
    let mut pool: Vec<&Value> = corpus
        .iter()
        .filter(|v| v["lang"].as_str().or(v["language"].as_str()) == Some("en"))
        .filter(|v| v["body"].as_str().is_some_and(|b| b.len() >= 400))
        .filter(|v| seen.insert(v["body"].as_str().unwrap().to_string()))
        .collect();
    for i in (1..pool.len()).rev() {
        pool.swap(i, rng.below(i + 1));
    }
    pool.iter()
        .take(o.originals)
        .enumerate()
        .map(|(i, v)| Original {
            title: v["title"].as_str().unwrap_or("").to_string(),
            paragraphs: paragraphs(v["body"].as_str().unwrap()),
            // Originals spread over two years, a few hours apart.
            published: 1_600_000_000 + i as i64 * 30_000,
        })
        .collect()
}

fn edit(paragraph: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in paragraph.split(' ') {
        if rng.chance(0.015) {
            continue;
        }
        let swapped = SWAPS
            .iter()
            .find(|(a, _)| *a == word)
            .map(|(_, b)| b.to_string());
        match swapped {
            Some(b) if rng.chance(0.5) => words.push(b),
            _ if rng.chance(0.015) => words.push("reportedly".to_string()),
            _ => words.push(word.to_string()),
        }
    }
    words.join(" ")
}

/// A copy of `original` with `changes` applied.
fn copy(
    original: &Original,
    changes: &[&str],
    other: &Original,
    rng: &mut Rng,
) -> (String, String) {
    let mut title = original.title.clone();
    let mut ps = original.paragraphs.clone();
    for change in changes {
        match *change {
            "headline" => title = format!("{} ({})", title.to_lowercase(), OUTLETS[rng.below(12)]),
            "trim" => {
                let keep =
                    ((ps.len() as f64) * (0.3 + 0.4 * (rng.below(100) as f64 / 100.0))).ceil();
                ps.truncate((keep as usize).max(1));
            }
            "credit" => {
                let agency = AGENCIES[rng.below(AGENCIES.len())];
                if rng.chance(0.5) {
                    ps[0] = format!("{} ({agency}) - {}", CITIES[rng.below(5)], ps[0]);
                } else {
                    ps.push(format!("— {agency}"));
                }
            }
            "footer" => {
                let outlet = OUTLETS[rng.below(12)];
                ps.push(format!("Follow {outlet} for more news and analysis. Copyright {outlet}. All rights reserved. Sign up for our newsletter."));
            }
            "edits" => ps = ps.iter().map(|p| edit(p, rng)).collect(),
            "update" => {
                title = format!("UPDATE 1-{title}");
                let lead = other.paragraphs[0]
                    .split(". ")
                    .next()
                    .unwrap_or("")
                    .to_string();
                ps.insert(
                    0,
                    format!("{lead}, officials said on Tuesday as the story developed."),
                );
            }
            "reorder" if ps.len() > 2 => {
                let mut rest = ps.split_off(1);
                rest.reverse();
                ps.extend(rest);
            }
            _ => {}
        }
    }
    (title, ps.join("\n\n"))
}

/// Writes the syndication corpus; returns each article's family (original's number) and the
/// changes each copy underwent.
fn generate(
    path: &Path,
    originals: &[Original],
    rng: &mut Rng,
) -> (HashMap<String, usize>, HashMap<String, Vec<&'static str>>) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut family = HashMap::new();
    let mut changed = HashMap::new();
    let date = |t: i64| {
        time::OffsetDateTime::from_unix_timestamp(t)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    for (i, original) in originals.iter().enumerate() {
        let id = format!("orig-{i}");
        let row = json!({"id": id, "source": "Origin Wire", "language": "en", "title": original.title,
            "body": original.paragraphs.join("\n\n"), "published": date(original.published)});
        writeln!(file, "{row}").unwrap();
        family.insert(id, i);
        for c in 0..rng.below(7) {
            let n = 1 + rng.below(3);
            let mut changes: Vec<&'static str> = Vec::new();
            while changes.len() < n {
                let change = CHANGES[rng.below(CHANGES.len())];
                if !changes.contains(&change) {
                    changes.push(change);
                }
            }
            let other = &originals[rng.below(originals.len())];
            let (title, body) = copy(original, &changes, other, rng);
            let id = format!("copy-{i}-{c}");
            let row = json!({"id": id, "source": OUTLETS[rng.below(12)], "language": "en", "title": title,
                "body": body, "published": date(original.published + 60 + rng.below(172_800) as i64)});
            writeln!(file, "{row}").unwrap();
            family.insert(id.clone(), i);
            changed.insert(id, changes);
        }
    }
    (family, changed)
}

fn index(dir: &Path, input: &Path, stories: bool) -> Duration {
    std::fs::remove_dir_all(dir).ok();
    let options = IndexerOptions {
        stories,
        ..IndexerOptions::default()
    };
    let started = Instant::now();
    let mut indexer = Indexer::open(dir, &options).unwrap();
    index_inputs(
        &mut indexer,
        &[Input::File(input.to_path_buf())],
        &ReadOptions::default(),
        Arc::default(),
        &mut |_| {},
    )
    .unwrap();
    indexer.finish().unwrap();
    started.elapsed()
}

/// Story id of every article.
fn stories(dir: &Path) -> HashMap<String, String> {
    let engine = Engine::open(dir).unwrap();
    let mut out = HashMap::new();
    engine
        .export(&SearchRequest::query("*"), &mut |a| {
            out.insert(a.id, a.story.map(|s| s.id).unwrap_or_default());
            true
        })
        .unwrap();
    out
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let o = options();
    let corpus: Vec<Value> = common::read_corpus_bytes(&o.corpus)
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect();
    let mut rng = Rng(o.seed);
    let originals = originals(&corpus, &o, &mut rng);
    let work = tempfile::tempdir().unwrap();
    let syndication = work.path().join("syndication.jsonl");
    let (family, changed) = generate(&syndication, &originals, &mut rng);
    let index_dir = work.path().join("index");
    index(&index_dir, &syndication, true);
    let found = stories(&index_dir);

    // B-cubed over every article.
    let mut by_story: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, story) in &found {
        by_story
            .entry(story.as_str())
            .or_default()
            .push(id.as_str());
    }
    let mut by_family: HashMap<usize, usize> = HashMap::new();
    for f in family.values() {
        *by_family.entry(*f).or_default() += 1;
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (id, story) in &found {
        let cluster = &by_story[story.as_str()];
        let same = cluster
            .iter()
            .filter(|other| family[**other] == family[id])
            .count() as f64;
        precision += same / cluster.len() as f64;
        recall += same / by_family[&family[id]] as f64;
    }
    let n = found.len() as f64;
    let (precision, recall) = (precision / n, recall / n);
    let mixed = by_story
        .values()
        .filter(|ids| {
            ids.iter()
                .map(|id| family[*id])
                .collect::<HashSet<_>>()
                .len()
                > 1
        })
        .count();
    println!(
        "syndication corpus (seed {}): {} originals, {} copies, {} articles; {} stories found, {} families",
        o.seed,
        originals.len(),
        changed.len(),
        found.len(),
        by_story.len(),
        by_family.len()
    );
    println!(
        "B-cubed precision {precision:.4}, recall {recall:.4}, F1 {:.4}; stories mixing originals: {mixed}",
        2.0 * precision * recall / (precision + recall)
    );
    let mut per_change: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (id, changes) in &changed {
        let original = format!("orig-{}", family[id]);
        let joined = found[id] == found[&original];
        for change in changes {
            let entry = per_change.entry(change).or_default();
            entry.0 += usize::from(joined);
            entry.1 += 1;
        }
    }
    println!("recall by change (copies in their original's story):");
    for (change, (joined, all)) in &per_change {
        println!(
            "  {change:<9} {:.3} ({joined}/{all})",
            *joined as f64 / *all as f64
        );
    }

    // The real corpus as it is.
    index(&index_dir, &o.corpus, true);
    let real = stories(&index_dir);
    let mut groups: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, story) in &real {
        groups.entry(story.as_str()).or_default().push(id.as_str());
    }
    let mut multi: Vec<Vec<&str>> = groups.into_values().filter(|g| g.len() > 1).collect();
    multi.sort();
    let largest = multi.iter().map(Vec::len).max().unwrap_or(0);
    println!(
        "\n{}: {} articles, {} stories, {} of two or more holding {} articles, the largest {}",
        o.corpus.display(),
        real.len(),
        real.values().collect::<HashSet<_>>().len(),
        multi.len(),
        multi.iter().map(Vec::len).sum::<usize>(),
        largest
    );
    let titles: HashMap<&str, &str> = corpus
        .iter()
        .filter_map(|v| Some((v["id"].as_str()?, v["title"].as_str().unwrap_or(""))))
        .collect();
    println!("a sample to check by eye:");
    for _ in 0..8.min(multi.len()) {
        let group = &multi[rng.below(multi.len())];
        let shown: Vec<String> = group
            .iter()
            .take(3)
            .map(|id| format!("{id} “{}”", titles.get(id).copied().unwrap_or("")))
            .collect();
        println!("  {} version(s): {}", group.len(), shown.join(" | "));
    }

    // The signature alone, over every body of the corpus (best of three passes).
    let bodies: Vec<&str> = corpus
        .iter()
        .filter_map(|record| record.get("body").and_then(Value::as_str))
        .collect();
    let bytes: usize = bodies.iter().map(|body| body.len()).sum();
    let best = (0..3)
        .map(|_| {
            let started = Instant::now();
            let bins: u64 = bodies
                .iter()
                .map(|body| u64::from(Signature::of(body).bins[0]))
                .sum();
            std::hint::black_box(bins);
            started.elapsed()
        })
        .min()
        .unwrap_or_default();
    println!(
        "\nsignatures of {} bodies ({:.1} MB): {:.3} s, {:.1} MB/s, {:.1} µs an article",
        bodies.len(),
        bytes as f64 / 1e6,
        best.as_secs_f64(),
        bytes as f64 / 1e6 / best.as_secs_f64(),
        best.as_secs_f64() * 1e6 / bodies.len().max(1) as f64
    );

    // Throughput with and without detection, alternately.
    if o.rounds == 0 {
        return;
    }
    println!(
        "\nindexing throughput, median of {} alternating runs:",
        o.rounds
    );
    for (name, input, articles) in [
        ("syndication corpus", &syndication, found.len()),
        ("real corpus", &o.corpus, real.len()),
    ] {
        let (mut on, mut off) = (Vec::new(), Vec::new());
        for _ in 0..o.rounds {
            on.push(index(&index_dir, input, true).as_secs_f64());
            off.push(index(&index_dir, input, false).as_secs_f64());
        }
        let (on, off) = (median(on), median(off));
        println!(
            "  {name}: stories on {on:.2} s ({:.0} articles/s), off {off:.2} s ({:.0} articles/s): detection costs {:.1}% of throughput",
            articles as f64 / on,
            articles as f64 / off,
            (1.0 - off / on) * 100.0
        );
    }
}
