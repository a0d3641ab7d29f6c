//! Relevance benchmark: how well Dateline ranks, against Lucene 8's BM25 and bare tantivy, on
//! test collections with human relevance judgments, in one run.
//!
//! ```text
//! sudo apt-get install -y liblucene8-java          # Lucene 8 (Debian) and a JDK
//! cargo bench --bench relevance -- ../shared/data/relevance
//! ```
//! Options after `--`: the folder of collections (each a sub-folder holding the SMART files
//! `*.ALL`, `*.QRY`, `*.REL`), `--depth N` (results read per query, default 1000),
//! `--only NAME` (one collection), `--work DIR` (default `target/relevance`), `--no-lucene`,
//! `--per-query` (print each query's average precision for every run).
//!
//! For each collection: the documents become JSON Lines indexed by the shipped `dateline index`
//! (language English, title and text, no dates); every judged query runs through Dateline's
//! library as typed (newlines as spaces) and as the OR of its words, through bare tantivy 0.27
//! (one English-stemmed field holding title and text, its `QueryParser`, OR) and through Lucene 8
//! (`benches/lucene/LuceneRelevance.java`: EnglishAnalyzer, one field, classic `QueryParser`, OR,
//! BM25). Measures: MAP (over `depth` results), nDCG@10, P@10 and Recall@100, averaged over the
//! judged queries; a query that fails or finds nothing scores 0.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::en_stem;
use dateline::Engine;
use dateline::search::{Interval, SearchRequest};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, TantivyDocument, doc};

struct Options {
    data: PathBuf,
    depth: usize,
    only: Option<String>,
    work: PathBuf,
    lucene: bool,
    per_query: bool,
}

fn options() -> Options {
    let mut o = Options {
        data: PathBuf::from("../shared/data/relevance"),
        depth: 1000,
        only: None,
        work: PathBuf::from("target/relevance"),
        lucene: true,
        per_query: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("option needs a value");
        match arg.as_str() {
            "--depth" => o.depth = value().parse().expect("a number"),
            "--only" => o.only = Some(value()),
            "--work" => o.work = PathBuf::from(value()),
            "--no-lucene" => o.lucene = false,
            "--per-query" => o.per_query = true,
            "--bench" => {}
            other if other.starts_with("--") => panic!("unknown option {other}"),
            path => o.data = PathBuf::from(path),
        }
    }
    o
}

// ---------------------------------------------------------------------------------------------
// The SMART format.

/// One `.I` record: its id and its sections (`T`, `W`, `A`, …) as text.
struct Record {
    id: String,
    sections: HashMap<char, String>,
}

impl Record {
    fn section(&self, name: char) -> &str {
        self.sections.get(&name).map_or("", |s| s.trim())
    }
}

fn read_records(path: &Path) -> Vec<Record> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut records: Vec<Record> = Vec::new();
    let mut section = None;
    for line in text.lines() {
        if let Some(id) = line.strip_prefix(".I") {
            records.push(Record {
                id: id.trim().to_string(),
                sections: HashMap::new(),
            });
            section = None;
        } else if line.len() == 2
            && line.starts_with('.')
            && line.as_bytes()[1].is_ascii_uppercase()
        {
            section = line.chars().nth(1);
        } else if let (Some(record), Some(name)) = (records.last_mut(), section) {
            let text = record.sections.entry(name).or_default();
            text.push_str(line);
            text.push('\n');
        }
    }
    records
}

/// Relevant documents per query. CISI lists `query doc 0 0.0`; MEDLINE `query 0 doc 1`.
fn read_judgments(path: &Path) -> HashMap<String, HashSet<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (query, doc) = match cols.as_slice() {
            [q, "0", d, rel] if rel.parse::<f64>().is_ok_and(|r| r > 0.0) => (q, d),
            [q, d, _, _] => (q, d),
            _ => continue,
        };
        out.entry(query.to_string())
            .or_default()
            .insert(doc.to_string());
    }
    out
}

struct Collection {
    name: String,
    docs: Vec<Record>,
    /// Judged queries: id and text.
    queries: Vec<(String, String)>,
    judgments: HashMap<String, HashSet<String>>,
}

fn find(dir: &Path, ext: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .unwrap_or_else(|| panic!("no .{ext} file in {}", dir.display()))
}

fn read_collection(dir: &Path) -> Collection {
    let judgments = read_judgments(&find(dir, "REL"));
    let queries = read_records(&find(dir, "QRY"))
        .into_iter()
        .filter(|q| judgments.contains_key(&q.id))
        .map(|q| (q.id.clone(), one_line(q.section('W'))))
        .collect();
    Collection {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        docs: read_records(&find(dir, "ALL")),
        queries,
        judgments,
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of a request, for the OR runs.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Measures.

#[derive(Default, Clone, Copy)]
struct Scores {
    ap: f64,
    ndcg10: f64,
    p10: f64,
    r100: f64,
}

fn score(ranked: &[String], relevant: &HashSet<String>) -> Scores {
    let mut found = 0.0;
    let mut precision_sum = 0.0;
    let mut dcg = 0.0;
    let mut found10 = 0.0;
    let mut found100 = 0.0;
    for (i, id) in ranked.iter().enumerate() {
        if !relevant.contains(id) {
            continue;
        }
        found += 1.0;
        precision_sum += found / (i + 1) as f64;
        if i < 10 {
            dcg += 1.0 / ((i + 2) as f64).log2();
            found10 += 1.0;
        }
        if i < 100 {
            found100 += 1.0;
        }
    }
    let ideal: f64 = (0..relevant.len().min(10))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let n = relevant.len().max(1) as f64;
    Scores {
        ap: precision_sum / n,
        ndcg10: if ideal > 0.0 { dcg / ideal } else { 0.0 },
        p10: found10 / 10.0,
        r100: found100 / n,
    }
}

/// A system's rankings, per query id.
type Run = HashMap<String, Vec<String>>;

/// `a − b` on every measure, for a line of the report.
fn difference(a: Scores, b: Scores) -> String {
    format!(
        "MAP {:+.4}, nDCG@10 {:+.4}, P@10 {:+.4}, Recall@100 {:+.4}",
        a.ap - b.ap,
        a.ndcg10 - b.ndcg10,
        a.p10 - b.p10,
        a.r100 - b.r100
    )
}

fn mean(run: &Run, c: &Collection) -> Scores {
    let mut total = Scores::default();
    for (id, _) in &c.queries {
        let s = score(run.get(id).map_or(&[][..], Vec::as_slice), &c.judgments[id]);
        total.ap += s.ap;
        total.ndcg10 += s.ndcg10;
        total.p10 += s.p10;
        total.r100 += s.r100;
    }
    let n = c.queries.len().max(1) as f64;
    Scores {
        ap: total.ap / n,
        ndcg10: total.ndcg10 / n,
        p10: total.p10 / n,
        r100: total.r100 / n,
    }
}

// ---------------------------------------------------------------------------------------------
// The systems.

fn dateline_index(c: &Collection, work: &Path) -> PathBuf {
    let jsonl = work.join(format!("{}.jsonl", c.name));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&jsonl).unwrap());
    for d in &c.docs {
        let article = serde_json::json!({
            "id": d.id,
            "title": one_line(d.section('T')),
            "body": d.section('W'),
            "language": "en",
        });
        writeln!(out, "{article}").unwrap();
    }
    out.flush().unwrap();
    let dir = work.join(format!("dateline-{}", c.name));
    std::fs::remove_dir_all(&dir).ok();
    let status = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .arg("--index")
        .arg(&dir)
        .args(["index", "--quiet"])
        .arg(&jsonl)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "dateline index failed");
    dir
}

/// Dateline's ranking of `q`, up to `depth` ids; the error message when the query fails.
fn dateline_ranking(engine: &Engine, q: &str, depth: usize) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    let size = 100;
    for page in 1..=depth.div_ceil(size) {
        let request = SearchRequest {
            page,
            size,
            facets: Some(Vec::new()),
            histogram: Interval::None,
            ..SearchRequest::query(q)
        };
        let response = engine.search(&request).map_err(|e| e.to_string())?;
        let n = response.hits.len();
        ids.extend(response.hits.into_iter().map(|h| h.id));
        if n < size {
            break;
        }
    }
    ids.truncate(depth);
    Ok(ids)
}

fn bare_tantivy(c: &Collection, depth: usize) -> Run {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let text = builder.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let index = Index::create_in_ram(builder.build());
    index.tokenizers().register("en_stem", en_stem());
    let mut writer = index.writer_with_num_threads(1, 64 << 20).unwrap();
    for d in &c.docs {
        let body = format!("{} {}", d.section('T'), d.section('W'));
        writer
            .add_document(doc!(id => d.id.clone(), text => body))
            .unwrap();
    }
    writer.commit().unwrap();
    let searcher = index.reader().unwrap().searcher();
    let parser = QueryParser::for_index(&index, vec![text]);
    let mut run = Run::new();
    for (qid, q) in &c.queries {
        let (query, _) = parser.parse_query_lenient(&words(q).join(" "));
        let top = searcher
            .search(&query, &TopDocs::with_limit(depth).order_by_score())
            .unwrap();
        let ids = top
            .into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                doc.get_first(id)
                    .and_then(|v| tantivy::schema::Value::as_str(&v))
                    .unwrap()
                    .to_string()
            })
            .collect();
        run.insert(qid.clone(), ids);
    }
    run
}

fn lucene(c: &Collection, classpath: &str, work: &Path, depth: usize) -> Run {
    let clean = |s: &str| one_line(s).replace('\t', " ");
    let docs = work.join(format!("{}-docs.tsv", c.name));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&docs).unwrap());
    for d in &c.docs {
        writeln!(
            out,
            "{}\t{}\t{}",
            d.id,
            clean(d.section('T')),
            clean(d.section('W'))
        )
        .unwrap();
    }
    out.flush().unwrap();
    let queries = work.join(format!("{}-queries.tsv", c.name));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&queries).unwrap());
    for (qid, q) in &c.queries {
        writeln!(out, "{qid}\t{}", clean(q)).unwrap();
    }
    out.flush().unwrap();
    let output = Command::new("java")
        .arg("-cp")
        .arg(classpath)
        .arg("LuceneRelevance")
        .arg(&docs)
        .arg(&queries)
        .arg(depth.to_string())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "LuceneRelevance failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (qid, ids) = line.split_once('\t')?;
            Some((
                qid.to_string(),
                ids.split_whitespace().map(str::to_string).collect(),
            ))
        })
        .collect()
}

fn main() {
    let o = options();
    std::fs::create_dir_all(&o.work).unwrap();
    let work = o.work.canonicalize().unwrap();
    let classpath = o
        .lucene
        .then(|| common::lucene_classpath(&work, "LuceneRelevance"))
        .flatten();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&o.data)
        .unwrap_or_else(|e| panic!("{}: {e}", o.data.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter(|p| {
            o.only
                .as_ref()
                .is_none_or(|only| p.file_name().is_some_and(|n| n == only.as_str()))
        })
        .collect();
    dirs.sort();
    println!(
        "relevance benchmark: {} collection(s) from {}, depth {}",
        dirs.len(),
        o.data.display(),
        o.depth
    );
    for dir in dirs {
        let c = read_collection(&dir);
        let engine = Engine::open(&dateline_index(&c, &work)).unwrap();
        let mut runs: BTreeMap<&str, Run> = BTreeMap::new();
        let mut failures = Vec::new();
        let mut typed = Run::new();
        let mut or = Run::new();
        for (qid, q) in &c.queries {
            match dateline_ranking(&engine, q, o.depth) {
                Ok(ids) => {
                    typed.insert(qid.clone(), ids);
                }
                Err(e) => failures.push(format!("query {qid}: {e}")),
            }
            typed.entry(qid.clone()).or_default();
            match dateline_ranking(&engine, &words(q).join(" OR "), o.depth) {
                Ok(ids) => {
                    or.insert(qid.clone(), ids);
                }
                Err(e) => failures.push(format!("query {qid} as OR: {e}")),
            }
        }
        let empty = typed.values().filter(|ids| ids.is_empty()).count();
        runs.insert("1 Dateline, as typed", typed);
        runs.insert("2 Dateline, OR of the words", or);
        runs.insert("3 bare tantivy 0.27 (OR)", bare_tantivy(&c, o.depth));
        if let Some(cp) = &classpath {
            runs.insert("4 Lucene 8 BM25 (OR)", lucene(&c, cp, &work, o.depth));
        }
        println!(
            "\n#### {} — {} documents, {} judged queries ({} as typed found nothing, {} failed)\n",
            c.name,
            c.docs.len(),
            c.queries.len(),
            empty - failures.iter().filter(|f| !f.contains(" as OR")).count(),
            failures.len()
        );
        for f in &failures {
            println!("- {f}");
        }
        let mut nothing: Vec<&String> = runs["1 Dateline, as typed"]
            .iter()
            .filter(|(_, ids)| ids.is_empty())
            .map(|(id, _)| id)
            .collect();
        nothing.sort_by_key(|id| id.parse::<u32>().unwrap_or(u32::MAX));
        if !nothing.is_empty() {
            println!("- as typed, nothing found for queries {nothing:?}");
        }
        println!("| system | MAP | nDCG@10 | P@10 | Recall@100 |");
        println!("|---|---|---|---|---|");
        let mut means = Vec::new();
        for (name, run) in &runs {
            let s = mean(run, &c);
            println!(
                "| {} | {:.4} | {:.4} | {:.4} | {:.4} |",
                &name[2..],
                s.ap,
                s.ndcg10,
                s.p10,
                s.r100
            );
            means.push((*name, s));
        }
        let find = |prefix: &str| {
            means
                .iter()
                .find(|(n, _)| n.starts_with(prefix))
                .map(|m| m.1)
        };
        let (typed, or) = (find("1").unwrap(), find("2").unwrap());
        print!("\nas typed / OR: MAP {:.2}×", typed.ap / or.ap.max(1e-9));
        if let Some(l) = find("4") {
            let per_query = |run: &Run| -> Vec<f64> {
                c.queries
                    .iter()
                    .map(|(id, _)| {
                        score(run.get(id).map_or(&[][..], Vec::as_slice), &c.judgments[id]).ap
                    })
                    .collect()
            };
            let ours = per_query(&runs["1 Dateline, as typed"]);
            let theirs = per_query(&runs["4 Lucene 8 BM25 (OR)"]);
            let wins = ours.iter().zip(&theirs).filter(|(a, b)| a > b).count();
            let losses = ours.iter().zip(&theirs).filter(|(a, b)| a < b).count();
            print!(
                "; Dateline (OR) − Lucene: {}; Dateline (as typed) − Lucene: {}; per query {wins} better, {losses} worse",
                difference(find("2").unwrap(), l),
                difference(typed, l)
            );
        }
        println!();
        if o.per_query {
            for (qid, _) in &c.queries {
                let aps: Vec<String> = runs
                    .iter()
                    .map(|(name, run)| {
                        let ap = score(
                            run.get(qid).map_or(&[][..], Vec::as_slice),
                            &c.judgments[qid],
                        )
                        .ap;
                        format!("{}={ap:.3}", &name[..1])
                    })
                    .collect();
                println!("query {qid}: {}", aps.join(" "));
            }
        }
    }
}
