//! The relaxed fallback: when every word of a plain-words query must match (the default) and
//! fewer than [`RELAX_BELOW`] articles hold them all, the articles holding most of the words
//! follow the exact matches, ranked after them and marked with the words they lack.
//!
//! "Most" is the largest number of words that at least [`RELAXED_TARGET`] more articles hold
//! (never all of them: those are the exact matches), so a seven-word request missing one word
//! everywhere still lists the articles with six. A query with operators, quotes, patterns,
//! fields or filters says exactly what it wants and is never relaxed.

use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{DocAddress, DocSet, Searcher};

use crate::Result;
use crate::search::query::{Node, Scope, is_pattern};
use crate::search::request::SearchRequest;

/// Fewer exact matches than this ("a handful") bring in the relaxed articles.
pub const RELAX_BELOW: usize = 5;
/// How many relaxed articles the number of words required aims to leave at least.
pub const RELAXED_TARGET: u64 = 1000;

/// The words of a query that may be relaxed: two or more plain words (each searched in any
/// text field, quoted or not), nothing else — no phrase, pattern, operator or field — and no
/// filter in the request.
pub fn plain_words<'a>(node: &'a Node, request: &SearchRequest) -> Option<&'a [Node]> {
    let filtered = !(request.person.is_empty()
        && request.place.is_empty()
        && request.org.is_empty()
        && request.source.is_empty()
        && request.language.is_empty())
        || request
            .from
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty())
        || request.to.as_deref().is_some_and(|v| !v.trim().is_empty())
        || request.min_words.is_some();
    // `AND` and `+word` merge into the same tree as words side by side, but were typed to say
    // every word must match.
    let insisted = request
        .q
        .split_whitespace()
        .any(|w| w == "AND" || (w.len() > 1 && w.starts_with('+')));
    let Node::And(children) = node else {
        return None;
    };
    // A word in quotes is still one word (pasted text quotes words: the "training" phase).
    let plain = |child: &Node| {
        matches!(child, Node::Text { scope: Scope::Any, text, .. }
            if !text.contains(char::is_whitespace) && !is_pattern(text))
    };
    (!filtered && !insisted && children.len() >= 2 && children.iter().all(plain))
        .then_some(children)
}

/// The relaxed articles' query and how many words it requires.
pub struct Relaxation {
    /// Articles holding at least `min_should_match` of the words but not all of them.
    pub query: Box<dyn Query>,
    /// Words an article must hold.
    pub min_should_match: usize,
    /// The words counted towards it (indices into the clauses); the others are in more than
    /// half the articles.
    pub counted: Vec<usize>,
}

/// Plans the relaxed tier for `clauses` (one compiled query per distinct word; `common[i]`
/// when word `i` is in more than half the articles): counts, in one pass over the words'
/// postings, how many articles hold how many of the words, and requires the most words that
/// still leave [`RELAXED_TARGET`] articles (or as many as hold one). Common words ("the",
/// "said") are not counted: holding them says little, and requiring them would keep out the
/// short articles that hold the rare words.
pub fn plan(
    searcher: &Searcher,
    clauses: &[Box<dyn Query>],
    common: &[bool],
) -> Result<Option<Relaxation>> {
    if clauses.len() < 2 {
        return Ok(None);
    }
    let scoring = EnableScoring::disabled_from_searcher(searcher);
    let telling: Vec<usize> = (0..clauses.len()).filter(|&i| !common[i]).collect();
    let words = if telling.len() >= 2 {
        telling
    } else {
        (0..clauses.len()).collect()
    };
    let weights = words
        .iter()
        .map(|&i| clauses[i].weight(scoring))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let n = words.len();
    // holding[j]: articles holding exactly j of the words.
    let mut holding = vec![0u64; n + 1];
    for segment in searcher.segment_readers() {
        let mut counts = vec![0u16; segment.max_doc() as usize];
        for weight in &weights {
            weight.for_each_no_score(segment, &mut |docs| {
                for &doc in docs {
                    counts[doc as usize] += 1;
                }
            })?;
        }
        for (doc, &count) in counts.iter().enumerate() {
            if count > 0 && !segment.is_deleted(doc as u32) {
                holding[usize::from(count).min(n)] += 1;
            }
        }
    }
    let mut at_least = holding[n];
    let mut k = 1;
    for j in (1..n).rev() {
        at_least += holding[j];
        if at_least >= RELAXED_TARGET + holding[n] {
            k = j;
            break;
        }
    }
    let all = BooleanQuery::new(
        clauses
            .iter()
            .map(|q| (Occur::Must, q.box_clone()))
            .collect(),
    );
    // Held words among the counted ones decide; the others only add to the score.
    let counted: Vec<Box<dyn Query>> = words.iter().map(|&i| clauses[i].box_clone()).collect();
    let required = BooleanQuery::with_minimum_required_clauses(
        counted.into_iter().map(|q| (Occur::Should, q)).collect(),
        k,
    );
    let mut subqueries: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(required), 0.0)),
        ),
        (Occur::MustNot, Box::new(all)),
    ];
    subqueries.extend(clauses.iter().map(|q| (Occur::Should, q.box_clone())));
    Ok(Some(Relaxation {
        query: Box::new(BooleanQuery::new(subqueries)),
        min_should_match: k,
        counted: words,
    }))
}

/// Which of `words` (each word's label and weight) the article at `address` lacks.
pub fn missing(
    searcher: &Searcher,
    words: &[(String, Box<dyn Weight>)],
    address: DocAddress,
) -> Result<Vec<String>> {
    let segment = searcher.segment_reader(address.segment_ord);
    let mut out = Vec::new();
    for (word, weight) in words {
        let mut scorer = weight.scorer(segment, 1.0)?;
        // A scorer starts on its first article, which may already be past this one.
        let at = scorer.doc();
        let found = if at >= address.doc_id {
            at
        } else {
            scorer.seek(address.doc_id)
        };
        if found != address.doc_id {
            out.push(word.clone());
        }
    }
    Ok(out)
}
