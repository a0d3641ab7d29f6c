//! [`FormsQuery`]: a word matched in every form it is indexed under (the stem as written, the
//! forms marked with it), scored with BM25 as one term — its frequency in an article is the sum
//! over its forms, its document frequency that of its most frequent form (Lucene's
//! `SynonymQuery`). Two `TermQuery`s would score "summit" and "summits" as two words, each with
//! its own idf, so an article holding both forms would count twice and a rare form would
//! outweigh the word.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Articles holding any of `terms` (forms of one word, in one field), scored as one term.
#[derive(Debug, Clone)]
pub struct FormsQuery {
    field: Field,
    terms: Vec<Term>,
}

impl FormsQuery {
    /// The forms must all belong to `field`.
    pub fn new(field: Field, terms: Vec<Term>) -> FormsQuery {
        debug_assert!(terms.iter().all(|t| t.field() == field));
        FormsQuery { field, terms }
    }
}

impl Query for FormsQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider: stats,
                ..
            } => {
                let docs = stats.total_num_docs()?.max(1);
                let tokens = stats.total_num_tokens(self.field)?;
                let mut frequency = 0;
                for term in &self.terms {
                    frequency = frequency.max(stats.doc_freq(term)?);
                }
                Some(Bm25Weight::for_one_term(
                    frequency.min(docs),
                    docs,
                    tokens as Score / docs as Score,
                ))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(FormsWeight {
            field: self.field,
            terms: self.terms.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, false);
        }
    }
}

struct FormsWeight {
    field: Field,
    terms: Vec<Term>,
    bm25: Option<Bm25Weight>,
}

impl FormsWeight {
    fn forms_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<FormsScorer> {
        let index = reader.inverted_index(self.field)?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            if let Some(p) = index.read_postings(term, IndexRecordOption::WithFreqs)? {
                postings.push(p);
            }
        }
        let lengths = match reader.fieldnorms_readers().get_field(self.field)? {
            Some(lengths) => lengths,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let mut scorer = FormsScorer {
            postings,
            lengths,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            doc: 0,
        };
        scorer.doc = scorer.first();
        Ok(scorer)
    }
}

impl Weight for FormsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.forms_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.forms_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("a word in all its forms (BM25)", scorer.score());
        explanation.add_const("frequency over the forms", scorer.frequency() as Score);
        Ok(explanation)
    }
}

/// The union of the forms' postings, in one segment.
struct FormsScorer {
    postings: Vec<SegmentPostings>,
    lengths: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
}

impl FormsScorer {
    /// The first article any form's postings stand on.
    fn first(&self) -> DocId {
        self.postings
            .iter()
            .map(DocSet::doc)
            .min()
            .unwrap_or(TERMINATED)
    }

    /// How often the current article holds the word, all forms together.
    fn frequency(&self) -> u32 {
        self.postings
            .iter()
            .filter(|p| p.doc() == self.doc)
            .map(Postings::term_freq)
            .sum()
    }
}

impl DocSet for FormsScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        for p in &mut self.postings {
            if p.doc() == self.doc {
                p.advance();
            }
        }
        self.doc = self.first();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for p in &mut self.postings {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.doc = self.first();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.postings.iter().map(DocSet::size_hint).sum()
    }
}

impl Scorer for FormsScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(bm25) => bm25.score(self.lengths.fieldnorm_id(self.doc), self.frequency()),
            None => 1.0,
        }
    }
}
