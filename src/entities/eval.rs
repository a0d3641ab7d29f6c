//! Scoring the tagger against CoNLL-style gold data: exact span and type, PER/LOC/ORG.
//!
//! Input: one `token TAG` per line (tab or space separated; BIO, IOB2 or IO tags; `-DOCSTART-`
//! lines; blank lines between sentences). Each sentence is tagged as its tokens joined by single
//! spaces, the way the team's peers are scored.

use std::time::{Duration, Instant};

use crate::entities::{Kind, Tagger};

/// A sentence of gold data: tokens and gold spans (token ranges with a type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldSentence {
    /// The tokens.
    pub tokens: Vec<String>,
    /// `(first token, one past the last token, type)`.
    pub spans: Vec<(usize, usize, Kind)>,
}

fn kind_of(label: &str) -> Option<Kind> {
    match label {
        "PER" | "PERSON" | "PS" => Some(Kind::Person),
        "LOC" | "GPE" | "LC" => Some(Kind::Place),
        "ORG" | "OG" => Some(Kind::Org),
        _ => None,
    }
}

/// Reads CoNLL-style text into sentences.
pub fn read_conll(text: &str) -> Vec<GoldSentence> {
    read_conll_tags(text)
        .into_iter()
        .map(|(tokens, tags)| GoldSentence {
            spans: spans_of(&tags),
            tokens,
        })
        .collect()
}

/// Reads CoNLL-style text into sentences of (tokens, tags as written).
pub fn read_conll_tags(text: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut sentences = Vec::new();
    let mut current: (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            if !current.0.is_empty() {
                sentences.push(std::mem::take(&mut current));
            }
            continue;
        }
        let mut fields = line.split(['\t', ' ']).filter(|f| !f.is_empty());
        if let (Some(token), Some(tag)) = (fields.next(), fields.next_back()) {
            current.0.push(token.to_string());
            current.1.push(tag.to_string());
        }
    }
    if !current.0.is_empty() {
        sentences.push(current);
    }
    sentences
}

/// Spans of a BIO/IO tag sequence (MISC and unknown types are dropped).
fn spans_of(tags: &[String]) -> Vec<(usize, usize, Kind)> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, label) = tag.split_once('-').unwrap_or((tag.as_str(), ""));
        let continues = prefix == "I" && open.as_ref().is_some_and(|(_, l)| l == label);
        if !continues {
            if let Some((start, label)) = open.take()
                && let Some(kind) = kind_of(&label)
            {
                spans.push((start, i, kind));
            }
            if prefix == "B" || prefix == "I" {
                open = Some((i, label.to_string()));
            }
        }
    }
    if let Some((start, label)) = open
        && let Some(kind) = kind_of(&label)
    {
        spans.push((start, tags.len(), kind));
    }
    spans
}

/// Counts for one type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted spans that are gold.
    pub true_positives: u64,
    /// Predicted spans that are not.
    pub false_positives: u64,
    /// Gold spans not predicted.
    pub false_negatives: u64,
}

impl Counts {
    /// Precision, recall and F1.
    pub fn prf(&self) -> (f64, f64, f64) {
        let tp = self.true_positives as f64;
        let p = tp / (tp + self.false_positives as f64).max(1.0);
        let r = tp / (tp + self.false_negatives as f64).max(1.0);
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

/// The result of an evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Per type: person, place, org.
    pub by_kind: [(Kind, Counts); 3],
    /// Tokens tagged.
    pub tokens: u64,
    /// Time spent tagging.
    pub elapsed: Duration,
}

impl Evaluation {
    fn new() -> Evaluation {
        Evaluation {
            by_kind: [
                (Kind::Person, Counts::default()),
                (Kind::Place, Counts::default()),
                (Kind::Org, Counts::default()),
            ],
            tokens: 0,
            elapsed: Duration::ZERO,
        }
    }

    /// Counts predicted spans against gold spans (same units, exact match with type).
    fn score<T: PartialEq>(&mut self, predicted: &[(T, T, Kind)], gold: &[(T, T, Kind)]) {
        let slot = |kind: Kind| match kind {
            Kind::Person => 0,
            Kind::Place => 1,
            Kind::Org => 2,
        };
        for span in predicted {
            let counts = &mut self.by_kind[slot(span.2)].1;
            if gold.contains(span) {
                counts.true_positives += 1;
            } else {
                counts.false_positives += 1;
            }
        }
        for span in gold {
            if !predicted.contains(span) {
                self.by_kind[slot(span.2)].1.false_negatives += 1;
            }
        }
    }

    /// Counts over every type.
    pub fn overall(&self) -> Counts {
        let mut all = Counts::default();
        for (_, c) in &self.by_kind {
            all.true_positives += c.true_positives;
            all.false_positives += c.false_positives;
            all.false_negatives += c.false_negatives;
        }
        all
    }
}

/// Tags every sentence and scores exact span + type.
pub fn evaluate(tagger: &Tagger, sentences: &[GoldSentence]) -> Evaluation {
    let mut eval = Evaluation::new();
    // Load everything the tagger loads lazily before timing it.
    tagger.tag("Warm up");
    let mut elapsed = Duration::ZERO;
    for sentence in sentences {
        // Character offsets of each token in the joined text.
        let mut starts = Vec::with_capacity(sentence.tokens.len());
        let mut ends = Vec::with_capacity(sentence.tokens.len());
        let mut at = 0;
        for token in &sentence.tokens {
            starts.push(at);
            at += token.chars().count();
            ends.push(at);
            at += 1;
        }
        let text = sentence.tokens.join(" ");
        let started = Instant::now();
        let mentions = tagger.tag(&text);
        elapsed += started.elapsed();
        eval.tokens += sentence.tokens.len() as u64;
        let predicted: Vec<(usize, usize, Kind)> = mentions
            .iter()
            .map(|m| {
                let first = starts.iter().position(|&s| s == m.start);
                let last = ends.iter().position(|&e| e == m.end);
                match (first, last) {
                    (Some(first), Some(last)) => (first, last + 1, m.kind),
                    // Not on token boundaries: can only be wrong.
                    _ => (usize::MAX, usize::MAX, m.kind),
                }
            })
            .collect();
        eval.score(&predicted, &sentence.spans);
    }
    eval.elapsed = elapsed;
    eval
}

/// A sentence of character-level gold data (KLUE): the text and gold spans in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldText {
    /// The sentence.
    pub text: String,
    /// `(first char, one past the last char, type)`.
    pub spans: Vec<(usize, usize, Kind)>,
}

/// Whether a file is KLUE's character-level format (`CHAR<TAB>TAG` lines, `##` headers).
pub fn is_char_level(text: &str) -> bool {
    text.lines()
        .take(20)
        .any(|l| l.starts_with("## ") && l.contains("CHAR\tNE_TAG"))
}

/// Reads KLUE-style character-level BIO data (one character and its tag per line).
pub fn read_char_level(text: &str) -> Vec<GoldText> {
    let mut out = Vec::new();
    let mut chars = String::new();
    let mut tags: Vec<String> = Vec::new();
    let mut flush = |chars: &mut String, tags: &mut Vec<String>| {
        if !chars.is_empty() {
            out.push(GoldText {
                text: std::mem::take(chars),
                spans: spans_of(tags),
            });
            tags.clear();
        }
    };
    for line in text.lines() {
        if line.starts_with("##") || line.is_empty() {
            flush(&mut chars, &mut tags);
            continue;
        }
        if let Some((ch, tag)) = line.rsplit_once('\t') {
            let Some(c) = ch.chars().next() else { continue };
            chars.push(c);
            tags.push(tag.trim().to_string());
        }
    }
    flush(&mut chars, &mut tags);
    out
}

/// The fields of a factRuEval annotation line, without the comment after `#`.
fn annotation_fields(line: &str) -> Vec<&str> {
    line.split('#')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect()
}

/// Reads a factRuEval-2016 directory (`NAME.txt` texts with `NAME.spans` and `NAME.objects`
/// annotation): one gold text per document, one gold span per object mention (the characters
/// from its first span's start to its last span's end). Person → PER, Location and LocOrg → LOC
/// (LocOrg is a place standing for its government: "Москвы" in "мэрия Москвы"), Org → ORG. A
/// mention nested in a longer one ("Москвы" inside the Org "мэрии Москвы") is dropped, as
/// exact-span scoring can only match one of them.
pub fn read_factrueval(dir: &std::path::Path) -> std::io::Result<Vec<GoldText>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".objects").map(str::to_string)
        })
        .collect();
    names.sort();
    let mut docs = Vec::with_capacity(names.len());
    for name in names {
        let text = std::fs::read_to_string(dir.join(format!("{name}.txt")))?;
        let spans_text = std::fs::read_to_string(dir.join(format!("{name}.spans")))?;
        let objects_text = std::fs::read_to_string(dir.join(format!("{name}.objects")))?;
        // span id → (start, end) in characters
        let mut spans = std::collections::HashMap::new();
        for line in spans_text.lines() {
            let fields = annotation_fields(line);
            if let [id, _, start, len, ..] = fields[..]
                && let (Ok(start), Ok(len)) = (start.parse::<usize>(), len.parse::<usize>())
            {
                spans.insert(id.to_string(), (start, start + len));
            }
        }
        let mut mentions: Vec<(usize, usize, Kind)> = Vec::new();
        for line in objects_text.lines() {
            let fields = annotation_fields(line);
            let [_, kind, span_ids @ ..] = &fields[..] else {
                continue;
            };
            let kind = match *kind {
                "Person" => Kind::Person,
                "Location" | "LocOrg" => Kind::Place,
                "Org" => Kind::Org,
                _ => continue,
            };
            let ranges: Vec<(usize, usize)> = span_ids
                .iter()
                .filter_map(|id| spans.get(*id).copied())
                .collect();
            if let (Some(start), Some(end)) = (
                ranges.iter().map(|r| r.0).min(),
                ranges.iter().map(|r| r.1).max(),
            ) {
                mentions.push((start, end, kind));
            }
        }
        let outer: Vec<(usize, usize, Kind)> = mentions
            .iter()
            .filter(|&&(s, e, _)| {
                !mentions
                    .iter()
                    .any(|&(s2, e2, _)| s2 <= s && e <= e2 && (s2, e2) != (s, e))
            })
            .copied()
            .collect();
        let mut unique = outer;
        unique.sort_by_key(|&(s, e, k)| (s, e, k as u8));
        unique.dedup_by_key(|&mut (s, e, _)| (s, e));
        docs.push(GoldText {
            text,
            spans: unique,
        });
    }
    Ok(docs)
}

/// Scores the tagger (gazetteer only: the statistical model is English) on character-level
/// sentences in `language`.
pub fn evaluate_chars(tagger: &Tagger, sentences: &[GoldText], language: &str) -> Evaluation {
    let mut eval = Evaluation::new();
    tagger.tag_in("warm up", Some(language), false);
    for sentence in sentences {
        let started = Instant::now();
        let mentions = tagger.tag_in(&sentence.text, Some(language), false);
        eval.elapsed += started.elapsed();
        eval.tokens += sentence.text.split_whitespace().count() as u64;
        let predicted: Vec<(usize, usize, Kind)> =
            mentions.iter().map(|m| (m.start, m.end, m.kind)).collect();
        eval.score(&predicted, &sentence.spans);
    }
    eval
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_and_io_tags_make_the_same_spans() {
        let bio = read_conll(
            "-DOCSTART- O\n\nVladimir\tB-PER\nPutin\tI-PER\nin\tO\nPyongyang\tB-LOC\n.\tO\n\nThe O\nUN B-ORG\nmet O\n",
        );
        let io = read_conll("Vladimir I-PER\nPutin I-PER\nin O\nPyongyang I-LOC\n. O\n");
        assert_eq!(bio.len(), 2);
        assert_eq!(
            bio[0].spans,
            vec![(0, 2, Kind::Person), (3, 4, Kind::Place)]
        );
        assert_eq!(bio[0].spans, io[0].spans);
        assert_eq!(bio[1].spans, vec![(1, 2, Kind::Org)]);
    }

    #[test]
    fn character_level_files_keep_spaces() {
        let text =
            "## klue-ner header CHAR\tNE_TAG\n## id\tsentence\n평\tB-LC\n양\tI-LC\n \tO\n도\tO\n";
        assert!(is_char_level(text));
        let sentences = read_char_level(text);
        assert_eq!(sentences.len(), 1);
        assert_eq!(sentences[0].text, "평양 도");
        assert_eq!(sentences[0].spans, vec![(0, 2, Kind::Place)]);
        let eval = evaluate_chars(Tagger::builtin(), &sentences, "ko");
        assert_eq!(eval.overall().true_positives, 1);
    }

    #[test]
    fn factrueval_objects_become_outermost_mentions() {
        let dir = std::env::temp_dir().join(format!("dateline-fre-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "У мэрии Москвы выступил Юрий Лужков.";
        std::fs::write(dir.join("d.txt"), text).unwrap();
        std::fs::write(
            dir.join("d.spans"),
            "1 org_descr 2 5 10 1  # 10 мэрии\n2 loc_name 8 6 11 1  # 11 Москвы\n3 name 24 4 13 1  # 13 Юрий\n4 surname 29 6 14 1  # 14 Лужков\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("d.objects"),
            "100 Org 1 2 # мэрии Москвы\n101 LocOrg 2 # Москвы\n102 Person 3 4 # Юрий Лужков\n",
        )
        .unwrap();
        let docs = read_factrueval(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(docs.len(), 1);
        assert_eq!(
            docs[0].spans,
            vec![(2, 14, Kind::Org), (24, 35, Kind::Person)]
        );
    }

    #[test]
    fn scoring_counts_exact_spans_only() {
        let gold = read_conll(
            "Vladimir B-PER\nPutin I-PER\nvisited O\nPyongyang B-LOC\nwith O\nLavrov B-PER\n",
        );
        let eval = evaluate(Tagger::builtin(), &gold);
        assert_eq!(eval.overall().true_positives, 3);
        assert_eq!(eval.overall().false_positives, 0);
        assert_eq!(eval.overall().prf().2, 1.0);
        let partial = read_conll("President B-PER\nPutin I-PER\n");
        let eval = evaluate(Tagger::builtin(), &partial);
        assert_eq!(
            (
                eval.overall().true_positives,
                eval.overall().false_positives,
                eval.overall().false_negatives
            ),
            (0, 1, 1)
        );
    }
}
