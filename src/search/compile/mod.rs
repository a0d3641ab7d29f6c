//! Turns a parsed [`Node`] and the request's filters into one tantivy query.
//!
//! A word is analysed once per language group present in the index and matched against that
//! group's title and body fields as one [`WordQuery`] (BM25F over all its fields and forms;
//! stemmed fields hold words as written plus marked stems, `analysis::StemRepeat`, and a word
//! matches its stem or a marked stem, an `exact:` word the word as written). When the text
//! names a known entity, the entity's canonical name in the entity field is an alternative; a
//! word the analyzer splits in several tokens (CJK bigrams, "Jong-un") becomes a phrase, so it
//! keeps its meaning. Alternatives compete in a [`DisjunctionMaxQuery`]: the best wins, the
//! others add a little. Consecutive words of a request that stand together score a little more
//! ([`Compiler::together`]).

mod patterns;
mod proximity;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur,
    PhraseQuery, Query, RangeQuery, RegexPhraseQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, Searcher, Term};

use crate::analysis::{STEM_MARKER, is_boundary};
use crate::article::{clean_line, normalise_language};
use crate::entities;
use crate::index::Fields;
use crate::index::schema::GroupFields;
use crate::search::query::{DateRange, KeywordField, Node, Scope, Within, date_range, is_pattern};
use crate::search::request::SearchRequest;
use crate::search::response::PatternTerms;
use crate::search::span::SpanTree;
use crate::search::word::{WordField, WordQuery};
use crate::{Error, Result, dates};

/// A word in the title counts as much as twice in the body (BM25F field weight; 1 and 3 gave
/// MAP 0.198 and 0.205 on CISI, against 0.204).
const TITLE_WEIGHT: f32 = 2.0;
const ENTITY_BOOST: f32 = 1.5;
const TIE_BREAKER: f32 = 0.2;
/// Two words of a request within this many words of each other stand together.
const TOGETHER_WITHIN: u32 = 8;
/// How much words standing together add, against the words' own scores. Small: on CISI and
/// MEDLINE proximity neither helped nor hurt at this weight (MAP −0.001 and +0.000), and more
/// cost both (0.3: −0.006 on CISI); it orders the news cases people expect (two names in one
/// sentence above the same names paragraphs apart) without reordering anything else much.
const TOGETHER_WEIGHT: f32 = 0.1;
/// Most pairs of consecutive words scored for standing together.
const MAX_TOGETHER_PAIRS: usize = 16;

/// Builds queries against one searcher's view of the index.
pub struct Compiler<'a> {
    index: &'a Index,
    searcher: &'a Searcher,
    fields: &'a Fields,
    /// Language groups that hold at least one article.
    active: Vec<GroupFields>,
    /// Terms to highlight in snippets, per field.
    highlights: RefCell<Highlights>,
    /// Every pattern compiled so far, as typed, with the words it matched in any field.
    patterns: RefCell<BTreeMap<String, BTreeSet<String>>>,
    /// Proximity trees of body fields, to find the passage a snippet shows.
    spans: RefCell<SpanHighlights>,
}

/// Proximity trees per body field, each with the words of its leaves.
pub type SpanHighlights = HashMap<Field, Vec<(SpanTree, Vec<Vec<String>>)>>;

/// Terms to highlight in snippets, per field.
pub type Highlights = HashMap<Field, BTreeSet<String>>;

/// One position of analysed query text.
struct Analyzed {
    position: usize,
    /// The word as written (lower-cased).
    word: String,
    /// Its stem (the word itself when stemming leaves it unchanged or the field does not stem).
    stem: String,
}

/// Escapes a term for use inside a regular expression. Only ASCII punctuation can be a
/// regex operator; every other character (a combining accent, an emoji) is a literal and must
/// not be escaped (`\u{301}` escaped is a syntax error).
fn regex_literal(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl<'a> Compiler<'a> {
    /// Prepares a compiler for the groups present in `searcher`.
    pub fn new(index: &'a Index, fields: &'a Fields, searcher: &'a Searcher) -> Result<Self> {
        let mut active = Vec::new();
        for group in &fields.groups {
            let mut present = false;
            for segment in searcher.segment_readers() {
                if segment.inverted_index(group.body)?.terms().num_terms() > 0
                    || segment.inverted_index(group.title)?.terms().num_terms() > 0
                {
                    present = true;
                    break;
                }
            }
            if present {
                active.push(*group);
            }
        }
        Ok(Compiler {
            index,
            searcher,
            fields,
            active,
            highlights: RefCell::default(),
            patterns: RefCell::default(),
            spans: RefCell::default(),
        })
    }

    /// Returns the terms to highlight and the proximity trees, per field, and the patterns'
    /// expansions, of everything compiled so far.
    pub fn into_parts(self) -> (Highlights, SpanHighlights, Vec<PatternTerms>) {
        let expansions = self
            .patterns
            .into_inner()
            .into_iter()
            .map(|(pattern, terms)| PatternTerms {
                pattern,
                terms: terms.into_iter().collect(),
            })
            .collect();
        (
            self.highlights.into_inner(),
            self.spans.into_inner(),
            expansions,
        )
    }

    /// Marks `terms` of `field` to be highlighted.
    fn highlight(&self, field: Field, terms: &[String]) {
        let mut highlights = self.highlights.borrow_mut();
        highlights
            .entry(field)
            .or_default()
            .extend(terms.iter().cloned());
    }

    /// Builds the query for a request: its parsed query, filtered by its parameters.
    pub fn request(&self, node: &Node, request: &SearchRequest) -> Result<Box<dyn Query>> {
        let main = self.node(node)?.unwrap_or_else(|| Box::new(EmptyQuery));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
        let mut filter = |query: Box<dyn Query>| {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        };
        // An article mentions every person, place and organisation asked for…
        for (field, values) in [
            (KeywordField::Person, &request.person),
            (KeywordField::Place, &request.place),
            (KeywordField::Org, &request.org),
        ] {
            for value in values {
                filter(self.keyword(field, value)?);
            }
        }
        // …but comes from one outlet, is in one language, has one dateline and one credit:
        // several values mean any of them.
        for (field, values) in [
            (KeywordField::Source, &request.source),
            (KeywordField::Language, &request.language),
            (KeywordField::DatelinePlace, &request.dateline_place),
            (KeywordField::Credit, &request.credit),
        ] {
            if !values.is_empty() {
                let any = values
                    .iter()
                    .map(|v| Ok((Occur::Should, self.keyword(field, v)?)))
                    .collect::<Result<Vec<_>>>()?;
                filter(Box::new(BooleanQuery::new(any)));
            }
        }
        let from = parameter_date("from", request.from.as_deref())?.and_then(|r| r.from);
        let to = parameter_date("to", request.to.as_deref())?.and_then(|r| r.to);
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            return Err(Error::invalid(
                "to",
                format!(
                    "`{}` is before `from` `{}`",
                    request.to.as_deref().unwrap_or(""),
                    request.from.as_deref().unwrap_or("")
                ),
            ));
        }
        if from.is_some() || to.is_some() {
            filter(self.published(DateRange { from, to }));
        }
        if let Some(min) = request.min_words {
            filter(self.length(Some(min), None)?);
        }
        if !request.ids.is_empty() {
            let ids = request
                .ids
                .iter()
                .map(|id| Term::from_field_text(self.fields.id, id));
            filter(Box::new(TermSetQuery::new(ids)));
        }
        Ok(if clauses.len() == 1 {
            clauses.pop().expect("one clause").1
        } else {
            Box::new(BooleanQuery::new(clauses))
        })
    }

    /// Compiles a node; `None` when it holds nothing searchable (say, only punctuation).
    pub fn node(&self, node: &Node) -> Result<Option<Box<dyn Query>>> {
        Ok(match node {
            Node::All => Some(Box::new(AllQuery)),
            Node::Text {
                scope,
                text,
                phrase,
            } if text.split_whitespace().any(is_pattern) => {
                if *phrase || text.split_whitespace().nth(1).is_some() {
                    self.spans(node, None)?
                } else {
                    self.pattern_word(*scope, text)?
                }
            }
            Node::Text { scope, text, .. } => self.text(*scope, text)?,
            Node::Near { .. } | Node::Lead(_) => self.spans(node, None)?,
            Node::AtLeast { times, node } => self.spans(node, Some(*times))?,
            Node::Length { min, max } => Some(self.length(*min, *max)?),
            Node::Keyword { field, value } => Some(self.keyword(*field, value)?),
            Node::Published(range) => Some(self.published(*range)),
            Node::Or(children) => {
                let mut clauses = Vec::new();
                for (child, times) in repeats(children) {
                    if let Some(q) = self.node(child)? {
                        clauses.push((Occur::Should, weighted(q, times)));
                    }
                }
                (!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
            }
            Node::Not(child) => self.node(&Node::And(vec![Node::Not(child.clone())]))?,
            Node::And(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (child, times) in repeats(children) {
                    let (occur, inner) = match child {
                        Node::Not(inner) => (Occur::MustNot, inner.as_ref()),
                        other => (Occur::Must, other),
                    };
                    if let Some(q) = self.node(inner)? {
                        clauses.push((occur, weighted(q, times)));
                    }
                }
                for q in self.together(children)? {
                    clauses.push((Occur::Should, q));
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                // Only exclusions: exclude them from everything.
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
        })
    }

    /// Clauses that raise the score of articles where consecutive plain words of `nodes` stand
    /// together (within [`TOGETHER_WITHIN`] words, in either order): one per pair, at most
    /// [`MAX_TOGETHER_PAIRS`], to add as optional clauses beside the words.
    pub fn together(&self, nodes: &[Node]) -> Result<Vec<Box<dyn Query>>> {
        let words: Vec<&Node> = nodes
            .iter()
            .filter(|n| {
                n.is_word()
                    && matches!(n, Node::Text { scope, text, .. }
                        if matches!(scope, Scope::Any | Scope::Title | Scope::Body)
                            && !is_pattern(text))
            })
            .collect();
        let mut telling = Vec::with_capacity(words.len());
        for w in words {
            if !self.common(w)? {
                telling.push(w);
            }
        }
        let words = telling;
        let mut out = Vec::new();
        let mut seen: Vec<(&Node, &Node)> = Vec::new();
        for pair in words.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if a == b || seen.contains(&(a, b)) || seen.contains(&(b, a)) {
                continue;
            }
            seen.push((a, b));
            let near = Node::Near {
                left: Box::new(a.clone()),
                right: Box::new(b.clone()),
                within: Within::Words(TOGETHER_WITHIN),
                ordered: false,
                exclude: false,
            };
            if let Some(q) = self.spans(&near, None)? {
                out.push(Box::new(BoostQuery::new(q, TOGETHER_WEIGHT)) as Box<dyn Query>);
            }
            if out.len() == MAX_TOGETHER_PAIRS {
                break;
            }
        }
        Ok(out)
    }

    /// Whether a plain word is in more than a quarter of the articles (in some body field):
    /// "the", "said". Such a word standing near another says nothing.
    fn common(&self, word: &Node) -> Result<bool> {
        self.in_more_than(word, 4)
    }

    /// Whether a plain word is in more than one article in `parts` (in some body field).
    pub fn in_more_than(&self, word: &Node, parts: u64) -> Result<bool> {
        let Node::Text { text, .. } = word else {
            return Ok(false);
        };
        let articles = self.searcher.num_docs();
        for group in &self.active {
            for w in self.analyze(group.body, text)? {
                for term in [w.stem.clone(), format!("{STEM_MARKER}{}", w.stem), w.word] {
                    let holding = self
                        .searcher
                        .doc_freq(&Term::from_field_text(group.body, &term))?;
                    if holding * parts > articles {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// The fields a scope searches, their boost, and whether stems are matched there.
    fn text_fields(&self, scope: Scope) -> Vec<(Field, f32, bool)> {
        let mut out = Vec::new();
        match scope {
            Scope::Any | Scope::Title | Scope::Body | Scope::Exact => {
                let stem = scope != Scope::Exact;
                for group in &self.active {
                    let stemmed = stem && group.stemmed();
                    if scope != Scope::Body {
                        let boost = if scope == Scope::Exact {
                            1.0
                        } else {
                            TITLE_WEIGHT
                        };
                        out.push((group.title, boost, stemmed));
                    }
                    if scope != Scope::Title {
                        out.push((group.body, 1.0, stemmed));
                    }
                }
            }
            Scope::Entity => out.push((self.fields.entity, 1.0, false)),
        }
        out
    }

    /// Splits text with a field's analyzer: per position, the word as written and its stem.
    fn analyze(&self, field: Field, text: &str) -> Result<Vec<Analyzed>> {
        let mut analyzer = self.index.tokenizer_for_field(field)?;
        let mut stream = analyzer.token_stream(text);
        let mut out: Vec<Analyzed> = Vec::new();
        stream.process(&mut |token| match token.text.strip_prefix(STEM_MARKER) {
            _ if is_boundary(&token.text) => {}
            Some(stem) => {
                if let Some(last) = out.last_mut() {
                    last.stem = stem.to_string();
                }
            }
            None => out.push(Analyzed {
                position: token.position,
                word: token.text.clone(),
                stem: token.text.clone(),
            }),
        });
        Ok(out)
    }

    fn text(&self, scope: Scope, text: &str) -> Result<Option<Box<dyn Query>>> {
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        // Where the text is one word: its forms in every field, scored as one term.
        let mut word_fields = Vec::new();
        for (field, boost, stemmed) in self.text_fields(scope) {
            let words = self.analyze(field, text)?;
            let mut highlights = self.highlights.borrow_mut();
            let highlight = highlights.entry(field).or_default();
            let query: Box<dyn Query> = match (words.as_slice(), stemmed) {
                ([], _) => continue,
                // Every form of the word: the stem as written, or another form marked with it.
                ([one], true) => {
                    let marked = format!("{STEM_MARKER}{}", one.stem);
                    let terms = vec![
                        Term::from_field_text(field, &one.stem),
                        Term::from_field_text(field, &marked),
                    ];
                    highlight.insert(one.stem.clone());
                    highlight.insert(marked);
                    word_fields.push(WordField {
                        field,
                        weight: boost,
                        terms,
                    });
                    continue;
                }
                ([one], false) => {
                    highlight.insert(one.word.clone());
                    word_fields.push(WordField {
                        field,
                        weight: boost,
                        terms: vec![Term::from_field_text(field, &one.word)],
                    });
                    continue;
                }
                (many, true) => {
                    let patterns = many
                        .iter()
                        .map(|w| {
                            highlight.insert(w.stem.clone());
                            highlight.insert(format!("{STEM_MARKER}{}", w.stem));
                            (
                                w.position,
                                format!("{STEM_MARKER}?{}", regex_literal(&w.stem)),
                            )
                        })
                        .collect();
                    Box::new(RegexPhraseQuery::new_with_offset(field, patterns))
                }
                (many, false) => {
                    let terms = many
                        .iter()
                        .map(|w| {
                            highlight.insert(w.word.clone());
                            (w.position, Term::from_field_text(field, &w.word))
                        })
                        .collect();
                    Box::new(PhraseQuery::new_with_offset(terms))
                }
            };
            alternatives.push(boosted(query, boost));
        }
        if !word_fields.is_empty() {
            alternatives.insert(0, Box::new(WordQuery::new(word_fields)));
        }
        // A word or phrase that names a known entity in any script ("Путин") also finds the
        // articles tagged with it, whatever their language.
        if scope == Scope::Any
            && let Some(entity) = entities::lookup(text)
        {
            let field = self.fields.entity;
            let terms: Vec<(usize, Term)> = self
                .analyze(field, &entity.name)?
                .into_iter()
                .map(|w| (w.position, Term::from_field_text(field, &w.word)))
                .collect();
            let query: Box<dyn Query> = if terms.len() == 1 {
                Box::new(TermQuery::new(
                    terms[0].1.clone(),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new_with_offset(terms))
            };
            alternatives.push(Box::new(BoostQuery::new(query, ENTITY_BOOST)));
        }
        Ok(best_of(alternatives))
    }

    fn keyword(&self, field: KeywordField, value: &str) -> Result<Box<dyn Query>> {
        let canonical = |value: &str, kind: entities::Kind| {
            entities::canonical_name(value, kind).map(str::to_lowercase)
        };
        let f = self.fields;
        let since = |field: Option<Field>, what: &str| {
            field.ok_or_else(|| {
                Error::invalid(
                    "q",
                    format!(
                        "this index was built before {what} were kept: index the articles again into a new index directory to search by them"
                    ),
                )
            })
        };
        // Keyword fields are indexed cleaned (as articles are) and lower-cased.
        let folded = clean_line(value).to_lowercase();
        let (field, value) = match field {
            KeywordField::Person => (f.person, folded),
            KeywordField::Place => (f.place, folded),
            KeywordField::Org => (f.org, folded),
            KeywordField::Source => (f.source, folded),
            KeywordField::Author => (f.author, folded),
            KeywordField::Section => (f.section, folded),
            KeywordField::Tag => (f.tag, folded),
            KeywordField::Language => (f.language, normalise_language(value).unwrap_or(folded)),
            // Datelines and credits are indexed under canonical names: "AFP" finds Agence
            // France-Presse.
            KeywordField::DatelinePlace => (
                since(f.dateline_place, "datelines")?,
                canonical(value, entities::Kind::Place).unwrap_or(folded),
            ),
            KeywordField::Credit => (
                since(f.credit, "credits")?,
                canonical(value, entities::Kind::Org).unwrap_or(folded),
            ),
            // Ids are matched exactly as stored.
            KeywordField::Id => (f.id, value.trim().to_string()),
        };
        Ok(Box::new(TermQuery::new(
            Term::from_field_text(field, &value),
            IndexRecordOption::Basic,
        )))
    }

    /// Articles whose body has between `min` and `max` words (inclusive).
    pub fn length(&self, min: Option<u32>, max: Option<u32>) -> Result<Box<dyn Query>> {
        let Some(field) = self.fields.words else {
            return Err(Error::invalid(
                "q",
                "this index was built before word counts were kept: re-index it (`dateline index`) to filter by length",
            ));
        };
        let bound = |n: Option<u32>| match n {
            Some(n) => Bound::Included(Term::from_field_u64(field, u64::from(n))),
            None => Bound::Unbounded,
        };
        Ok(Box::new(ConstScoreQuery::new(
            Box::new(RangeQuery::new(bound(min), bound(max))),
            0.0,
        )))
    }

    /// Articles dated in `range`; an open side is the first or last date the index can store,
    /// so `[* TO *]` is every dated article.
    fn published(&self, range: DateRange) -> Box<dyn Query> {
        let term = |t: time::OffsetDateTime| {
            Term::from_field_date_for_search(self.fields.published, dates::to_index(t))
        };
        let from = range
            .from
            .map_or(dates::first_instant(), |t| t.max(dates::first_instant()));
        let to = range
            .to
            .map_or(dates::end_instant(), |t| t.min(dates::end_instant()));
        if from >= to {
            return Box::new(EmptyQuery);
        }
        Box::new(RangeQuery::new(
            Bound::Included(term(from)),
            Bound::Excluded(term(to)),
        ))
    }
}

/// `query` with its score multiplied by `boost`.
fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// The best of alternative queries (the others add [`TIE_BREAKER`] of theirs); `None` when
/// there is none.
fn best_of(mut alternatives: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match alternatives.len() {
        0 => None,
        1 => alternatives.pop(),
        _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
            alternatives,
            TIE_BREAKER,
        ))),
    }
}

/// Each distinct node of `nodes`, with how many times it occurs (a word typed again).
pub fn repeats(nodes: &[Node]) -> Vec<(&Node, usize)> {
    let mut out: Vec<(&Node, usize)> = Vec::with_capacity(nodes.len());
    for node in nodes {
        match out.iter_mut().find(|(n, _)| *n == node) {
            Some((_, times)) => *times += 1,
            None => out.push((node, 1)),
        }
    }
    out
}

/// A query whose score counts `times` over (a word typed `times` times).
pub fn weighted(query: Box<dyn Query>, times: usize) -> Box<dyn Query> {
    if times == 1 {
        query
    } else {
        Box::new(BoostQuery::new(query, times as f32))
    }
}

fn parameter_date(name: &str, value: Option<&str>) -> Result<Option<DateRange>> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let range = date_range(text).ok_or_else(|| Error::BadDate {
        value: format!("{name}={text}"),
    })?;
    // `to=9999-12-31` asks for everything up to the end; `from=9999-12-31` for nothing at all.
    let nothing = match name {
        "from" => range.from.is_some_and(|t| t >= dates::end_instant()),
        _ => range.to.is_some_and(|t| t <= dates::first_instant()),
    };
    if nothing {
        return Err(Error::invalid(
            name,
            format!(
                "`{text}` is outside the dates Dateline can store ({}): no article can match",
                dates::STORABLE
            ),
        ));
    }
    Ok(Some(range))
}
