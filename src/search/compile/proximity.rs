//! Proximity clauses, headline-or-lead, `atleastN` and phrases holding patterns, compiled to
//! [`SpanQuery`] clauses: one span tree per title and body field of every language group, each
//! word analysed as that field analyses it (stems included), each pattern expanded against that
//! field's words.

use std::collections::BTreeSet;

use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::patterns::{MAX_PATTERN_TERMS, Pattern};
use super::{Compiler, best_of, boosted};
use crate::analysis::STEM_MARKER;
use crate::search::query::{Node, Scope, is_pattern};
use crate::search::span::{SpanClause, SpanQuery, SpanTree};
use crate::{Error, Result};

/// What one field's tree is being built with.
struct Builder {
    field: Field,
    stemmed: bool,
    /// Whether the field is a title (the whole of which is "lead").
    title: bool,
    /// Whether the words being added are shown as the match (not an excluded side).
    shown: bool,
    leaves: Vec<Vec<Term>>,
    /// The words of each leaf, to find it again.
    words: Vec<Vec<String>>,
}

impl Builder {
    fn leaf(&mut self, mut words: Vec<String>) -> usize {
        words.sort();
        words.dedup();
        if let Some(i) = self.words.iter().position(|w| *w == words) {
            return i;
        }
        self.leaves.push(
            words
                .iter()
                .map(|w| Term::from_field_text(self.field, w))
                .collect(),
        );
        self.words.push(words);
        self.leaves.len() - 1
    }
}

/// The field a proximity node is searched in: `title:` or `body:` when a side names one.
fn scope_of(node: &Node) -> Scope {
    let scopes = node.text_scopes();
    if scopes.contains(&Scope::Title) {
        Scope::Title
    } else if scopes.contains(&Scope::Body) {
        Scope::Body
    } else {
        Scope::Any
    }
}

/// Splits a word holding a pattern at the punctuation the tokenizer splits on ("jong-u*" is
/// `jong`, `u*`), keeping wildcards.
fn pattern_pieces(word: &str) -> impl Iterator<Item = &str> {
    word.split(|c: char| !(c.is_alphanumeric() || matches!(c, '*' | '?' | '!')))
        .filter(|p| !p.is_empty())
}

impl Compiler<'_> {
    /// A span query for `node` (a proximity clause, a lead, a phrase with patterns), counted
    /// `at_least` times when given.
    pub(super) fn spans(
        &self,
        node: &Node,
        at_least: Option<u32>,
    ) -> Result<Option<Box<dyn Query>>> {
        let mut clauses = Vec::new();
        for (field, boost, stemmed) in self.text_fields(scope_of(node)) {
            if field == self.fields.entity {
                continue;
            }
            let mut builder = Builder {
                field,
                stemmed,
                title: self.active.iter().any(|g| g.title == field),
                shown: true,
                leaves: Vec::new(),
                words: Vec::new(),
            };
            if let Some(tree) = self.tree(&mut builder, node)? {
                if tree.reads_boundaries() != (false, false) && self.fields.words.is_none() {
                    // Indexes that keep word counts are the ones that mark sentences.
                    return Err(Error::invalid(
                        "q",
                        "this index was built before sentences and paragraphs were marked: re-index it (`dateline index`) to use `w/s`, `w/p` or `hlead`",
                    ));
                }
                if !builder.title {
                    self.spans
                        .borrow_mut()
                        .entry(field)
                        .or_default()
                        .push((tree.clone(), builder.words.clone()));
                }
                clauses.push(SpanClause {
                    field,
                    leaves: builder.leaves,
                    tree,
                    boost,
                });
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        Ok(Some(Box::new(match at_least {
            Some(times) => SpanQuery::at_least(clauses, times),
            None => SpanQuery::new(clauses),
        })))
    }

    fn tree(&self, b: &mut Builder, node: &Node) -> Result<Option<SpanTree>> {
        Ok(match node {
            Node::Text { scope, text, .. } => self.text_tree(b, *scope == Scope::Exact, text)?,
            Node::Or(children) => {
                let mut trees = Vec::new();
                for child in children {
                    trees.extend(self.tree(b, child)?);
                }
                match trees.len() {
                    0 => None,
                    1 => trees.pop(),
                    _ => Some(SpanTree::Or(trees)),
                }
            }
            Node::Near {
                left,
                right,
                within,
                ordered,
                exclude,
            } => {
                let left = self.tree(b, left)?;
                let shown = b.shown;
                b.shown = shown && !exclude;
                let right = self.tree(b, right);
                b.shown = shown;
                match (left, right?) {
                    (Some(left), Some(right)) => Some(SpanTree::Near {
                        left: Box::new(left),
                        right: Box::new(right),
                        within: *within,
                        ordered: *ordered,
                        exclude: *exclude,
                    }),
                    // Nothing searchable to exclude: the left side alone.
                    (Some(left), None) if *exclude => Some(left),
                    _ => None,
                }
            }
            Node::Lead(child) => {
                let tree = self.tree(b, child)?;
                if b.title {
                    tree
                } else {
                    tree.map(|t| SpanTree::Lead(Box::new(t)))
                }
            }
            // The parser lets nothing else into a proximity clause.
            _ => None,
        })
    }

    /// A word, phrase or pattern in one field: a leaf, or a phrase of leaves.
    fn text_tree(&self, b: &mut Builder, exact: bool, text: &str) -> Result<Option<SpanTree>> {
        let stem = b.stemmed && !exact;
        let mut items: Vec<(u32, SpanTree)> = Vec::new();
        let mut next = 0u32;
        let literal = |b: &mut Builder,
                       piece: &str,
                       items: &mut Vec<(u32, SpanTree)>,
                       next: &mut u32|
         -> Result<()> {
            let words = self.analyze(b.field, piece)?;
            let mut last = None;
            for w in words {
                let forms = if stem {
                    vec![w.stem.clone(), format!("{STEM_MARKER}{}", w.stem)]
                } else {
                    vec![w.word.clone()]
                };
                if b.shown {
                    self.highlight(b.field, &forms);
                }
                let leaf = b.leaf(forms);
                items.push((*next + w.position as u32, SpanTree::Leaf(leaf)));
                last = Some(w.position as u32);
            }
            if let Some(last) = last {
                *next += last + 1;
            }
            Ok(())
        };
        for word in text.split_whitespace() {
            if !is_pattern(word) {
                literal(b, word, &mut items, &mut next)?;
                continue;
            }
            for piece in pattern_pieces(word) {
                if piece.contains(['*', '?', '!']) {
                    let terms = self.expand(b.field, word, piece)?;
                    if b.shown {
                        self.highlight(b.field, &terms);
                    }
                    let leaf = b.leaf(terms);
                    items.push((next, SpanTree::Leaf(leaf)));
                    next += 1;
                } else {
                    literal(b, piece, &mut items, &mut next)?;
                }
            }
        }
        Ok(match items.len() {
            0 => None,
            1 => items.pop().map(|(_, t)| t),
            _ => {
                let first = items[0].0;
                Some(SpanTree::Phrase(
                    items.into_iter().map(|(p, t)| (p - first, t)).collect(),
                ))
            }
        })
    }

    /// The words of `field` a pattern piece matches (`typed`: the word it is part of, as the
    /// user wrote it), recorded for the response.
    fn expand(&self, field: Field, typed: &str, piece: &str) -> Result<Vec<String>> {
        // Literal runs are normalised as the field normalises words (case, accents).
        let mut normalised = String::new();
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut String| -> Result<()> {
            if run.is_empty() {
                return Ok(());
            }
            let words = self.analyze(field, run)?;
            match words.as_slice() {
                [one] => out.push_str(&one.word),
                _ => out.push_str(&run.to_lowercase()),
            }
            run.clear();
            Ok(())
        };
        for c in piece.chars() {
            if matches!(c, '*' | '?' | '!') {
                flush(&mut run, &mut normalised)?;
                normalised.push(c);
            } else {
                run.push(c);
            }
        }
        flush(&mut run, &mut normalised)?;
        let mut found = BTreeSet::new();
        Pattern::new(&normalised).expand(self.searcher, field, typed, &mut found)?;
        let mut patterns = self.patterns.borrow_mut();
        let all = patterns.entry(typed.to_string()).or_default();
        all.extend(found.iter().cloned());
        if all.len() > MAX_PATTERN_TERMS {
            return Err(Error::invalid(
                "q",
                format!(
                    "`{typed}` matches more than {MAX_PATTERN_TERMS} different words: type more letters before the `*`"
                ),
            ));
        }
        Ok(found.into_iter().collect())
    }

    /// A pattern word on its own: any of its expansions, in every field of the scope.
    pub(super) fn pattern_word(&self, scope: Scope, text: &str) -> Result<Option<Box<dyn Query>>> {
        if pattern_pieces(text).count() > 1 {
            // "jong-u*" is a phrase of two words.
            return self.spans(
                &Node::Text {
                    scope,
                    text: text.to_string(),
                    phrase: true,
                },
                None,
            );
        }
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (field, boost, _) in self.text_fields(scope) {
            if field == self.fields.entity {
                continue;
            }
            let terms = self.expand(field, text, text)?;
            if terms.is_empty() {
                continue;
            }
            self.highlight(field, &terms);
            let any: Vec<(Occur, Box<dyn Query>)> = terms
                .iter()
                .map(|t| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            let query: Box<dyn Query> = Box::new(BooleanQuery::new(any));
            alternatives.push(boosted(query, boost));
        }
        // A pattern no field holds still appears in the response, with no words.
        self.patterns
            .borrow_mut()
            .entry(text.to_string())
            .or_default();
        Ok(best_of(alternatives))
    }
}
