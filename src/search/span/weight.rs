//! [`SpanQuery`]: the articles whose fields hold matches of a [`SpanTree`], scored with BM25
//! over the matches (each weighted by how tight it is), as tantivy scores a phrase.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::algebra::{Need, Positions, SpanTree};
use crate::analysis::{PARAGRAPH_START, SENTENCE_START};
use crate::search::word::{self, B, K1};

/// A tree matched in one field.
#[derive(Debug, Clone)]
pub struct SpanClause {
    /// The field.
    pub field: Field,
    /// Each leaf's terms (a word's forms, or a pattern's expansion).
    pub leaves: Vec<Vec<Term>>,
    /// What must match.
    pub tree: SpanTree,
    /// Multiplies the clause's score.
    pub boost: Score,
}

/// Articles where one of the clauses matches, at least `min_count` times over all clauses.
#[derive(Debug, Clone)]
pub struct SpanQuery {
    clauses: Arc<Vec<SpanClause>>,
    min_count: u32,
}

impl SpanQuery {
    /// Articles where at least one clause matches.
    pub fn new(clauses: Vec<SpanClause>) -> SpanQuery {
        SpanQuery::at_least(clauses, 1)
    }

    /// Articles where the clauses match `min_count` times or more, counted together.
    pub fn at_least(clauses: Vec<SpanClause>, min_count: u32) -> SpanQuery {
        SpanQuery {
            clauses: Arc::new(clauses),
            min_count: min_count.max(1),
        }
    }
}

/// BM25 of one clause: the idf of its leaves and the field's average length.
#[derive(Clone, Copy)]
struct Bm25 {
    idf: Score,
    average_length: Score,
}

impl Bm25 {
    fn score(self, length: u32, frequency: Score) -> Score {
        let norm = K1 * (1.0 - B + B * length as Score / self.average_length);
        self.idf * (1.0 + K1) * frequency / (frequency + norm)
    }
}

impl Query for SpanQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut bm25 = Vec::with_capacity(self.clauses.len());
        for clause in self.clauses.iter() {
            bm25.push(match scoring {
                EnableScoring::Enabled {
                    statistics_provider: stats,
                    ..
                } => {
                    let docs = stats.total_num_docs()?.max(1);
                    let tokens = stats.total_num_tokens(clause.field)?;
                    let mut idf = 0.0;
                    for terms in &clause.leaves {
                        // A leaf's forms count as one word, as a plain word's do.
                        idf += word::idf(word::share_holding(stats, terms, docs)?, docs);
                    }
                    Some(Bm25 {
                        idf,
                        average_length: (tokens as Score / docs as Score).max(1.0),
                    })
                }
                EnableScoring::Disabled { .. } => None,
            });
        }
        Ok(Box::new(SpanWeight {
            clauses: self.clauses.clone(),
            bm25,
            min_count: self.min_count,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in self.clauses.iter() {
            for term in clause.leaves.iter().flatten() {
                visitor(term, true);
            }
        }
    }
}

struct SpanWeight {
    clauses: Arc<Vec<SpanClause>>,
    bm25: Vec<Option<Bm25>>,
    min_count: u32,
}

impl SpanWeight {
    fn span_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<SpanScorer> {
        let mut fields = Vec::new();
        for (clause, bm25) in self.clauses.iter().zip(&self.bm25) {
            if let Some(matcher) = FieldMatcher::open(reader, clause, *bm25, boost)? {
                fields.push(matcher);
            }
        }
        let mut scorer = SpanScorer {
            fields,
            min_count: self.min_count,
            doc: 0,
            score: 0.0,
        };
        scorer.find(0);
        Ok(scorer)
    }
}

impl Weight for SpanWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.span_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.span_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "proximity (BM25 over matches)",
            scorer.score(),
        ))
    }
}

/// The postings of one leaf's terms, and its positions in the current article.
struct Leaf {
    postings: Vec<SegmentPostings>,
    positions: Vec<u32>,
    scratch: Vec<u32>,
}

impl Leaf {
    fn open(reader: &SegmentReader, terms: &[Term], positions: bool) -> tantivy::Result<Leaf> {
        let option = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut postings = Vec::new();
        for term in terms {
            let index = reader.inverted_index(term.field())?;
            if let Some(p) = index.read_postings(term, option)? {
                postings.push(p);
            }
        }
        Ok(Leaf {
            postings,
            positions: Vec::new(),
            scratch: Vec::new(),
        })
    }

    fn mark(reader: &SegmentReader, field: Field, mark: &str) -> tantivy::Result<Leaf> {
        Leaf::open(reader, &[Term::from_field_text(field, mark)], true)
    }

    /// How often `doc` holds the terms. A position holds one form of a word (the word as
    /// written or its marked stem, never both), so the forms' frequencies add up.
    fn frequency(&mut self, doc: DocId) -> u32 {
        let mut frequency = 0;
        for p in &mut self.postings {
            if p.doc() < doc {
                p.seek(doc);
            }
            if p.doc() == doc {
                frequency += p.term_freq();
            }
        }
        frequency
    }

    /// The first article at or after `target` holding one of the terms.
    fn seek(&mut self, target: DocId) -> DocId {
        let mut first = TERMINATED;
        for p in &mut self.postings {
            let doc = if p.doc() < target {
                p.seek(target)
            } else {
                p.doc()
            };
            first = first.min(doc);
        }
        first
    }

    /// Reads the positions of the terms in `doc`.
    fn load(&mut self, doc: DocId) {
        self.positions.clear();
        let mut sources = 0;
        for p in &mut self.postings {
            if p.doc() < doc {
                p.seek(doc);
            }
            if p.doc() == doc {
                p.positions(&mut self.scratch);
                self.positions.extend_from_slice(&self.scratch);
                sources += 1;
            }
        }
        if sources > 1 {
            self.positions.sort_unstable();
            self.positions.dedup();
        }
    }
}

/// One clause in one segment.
struct FieldMatcher {
    tree: SpanTree,
    need: Need,
    leaves: Vec<Leaf>,
    sentences: Option<Leaf>,
    paragraphs: Option<Leaf>,
    lengths: FieldNormReader,
    bm25: Option<Bm25>,
    boost: Score,
    /// The tree is one leaf: its matches are its frequency.
    counts_only: bool,
}

impl Positions for FieldMatcher {
    fn leaf(&self, leaf: usize) -> &[u32] {
        &self.leaves[leaf].positions
    }

    fn sentences(&self) -> &[u32] {
        self.sentences.as_ref().map_or(&[], |l| &l.positions)
    }

    fn paragraphs(&self) -> &[u32] {
        self.paragraphs.as_ref().map_or(&[], |l| &l.positions)
    }
}

impl FieldMatcher {
    fn open(
        reader: &SegmentReader,
        clause: &SpanClause,
        bm25: Option<Bm25>,
        boost: Score,
    ) -> tantivy::Result<Option<FieldMatcher>> {
        // A lone word is counted from its frequencies, without reading positions.
        let counts_only = matches!(clause.tree, SpanTree::Leaf(_));
        let mut leaves = Vec::with_capacity(clause.leaves.len());
        for terms in &clause.leaves {
            leaves.push(Leaf::open(reader, terms, !counts_only)?);
        }
        let (sentences, paragraphs) = clause.tree.reads_boundaries();
        let lengths = match reader.fieldnorms_readers().get_field(clause.field)? {
            Some(lengths) => lengths,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let mut matcher = FieldMatcher {
            need: clause.tree.need(),
            tree: clause.tree.clone(),
            leaves,
            sentences: sentences
                .then(|| Leaf::mark(reader, clause.field, SENTENCE_START))
                .transpose()?,
            paragraphs: paragraphs
                .then(|| Leaf::mark(reader, clause.field, PARAGRAPH_START))
                .transpose()?,
            lengths,
            bm25,
            boost: boost * clause.boost,
            counts_only,
        };
        // A clause none of whose required terms is in the segment matches nothing here.
        Ok((matcher.seek(0) != TERMINATED).then_some(matcher))
    }

    /// The first article at or after `target` that holds every leaf the tree needs.
    fn seek(&mut self, target: DocId) -> DocId {
        seek_need(&self.need, &mut self.leaves, target)
    }

    /// How many matches `doc` holds (the article must hold what the tree needs), and their score.
    fn matches(&mut self, doc: DocId) -> (u32, Score) {
        if self.counts_only {
            let frequency = self.leaves[0].frequency(doc);
            let score = self.bm25.map_or(1.0, |bm25| {
                bm25.score(self.lengths.fieldnorm(doc), frequency as Score)
            });
            return (frequency, score * self.boost);
        }
        for leaf in &mut self.leaves {
            leaf.load(doc);
        }
        for marks in [&mut self.sentences, &mut self.paragraphs]
            .into_iter()
            .flatten()
        {
            marks.load(doc);
        }
        let spans = self.tree.spans(self);
        let frequency: Score = spans.iter().map(|s| self.tree.weight_of(*s)).sum();
        let score = self.bm25.map_or(1.0, |bm25| {
            bm25.score(self.lengths.fieldnorm(doc), frequency)
        });
        (spans.len() as u32, score * self.boost)
    }
}

fn seek_need(need: &Need, leaves: &mut [Leaf], target: DocId) -> DocId {
    match need {
        Need::Leaf(leaf) => leaves[*leaf].seek(target),
        Need::Any(children) => children
            .iter()
            .map(|c| seek_need(c, leaves, target))
            .min()
            .unwrap_or(TERMINATED),
        Need::All(children) => {
            let mut target = target;
            'agree: loop {
                for child in children {
                    let doc = seek_need(child, leaves, target);
                    if doc == TERMINATED {
                        return TERMINATED;
                    }
                    if doc != target {
                        target = doc;
                        continue 'agree;
                    }
                }
                return target;
            }
        }
    }
}

struct SpanScorer {
    fields: Vec<FieldMatcher>,
    min_count: u32,
    doc: DocId,
    score: Score,
}

impl SpanScorer {
    /// Moves to the first matching article at or after `target`.
    fn find(&mut self, mut target: DocId) -> DocId {
        loop {
            let candidate = self
                .fields
                .iter_mut()
                .map(|f| f.seek(target))
                .min()
                .unwrap_or(TERMINATED);
            if candidate == TERMINATED {
                self.doc = TERMINATED;
                return TERMINATED;
            }
            let (mut count, mut score) = (0, 0.0);
            for field in &mut self.fields {
                if field.seek(candidate) == candidate {
                    let (c, s) = field.matches(candidate);
                    if c > 0 {
                        count += c;
                        score += s;
                    }
                }
            }
            if count >= self.min_count {
                self.doc = candidate;
                self.score = score;
                return candidate;
            }
            target = candidate + 1;
        }
    }
}

impl DocSet for SpanScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.find(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.find(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.fields
            .iter()
            .flat_map(|f| f.leaves.iter().flat_map(|l| &l.postings))
            .map(|p| p.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for SpanScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}
