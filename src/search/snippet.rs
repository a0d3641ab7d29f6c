//! Highlighted passages: the part of an article's text that best matches the query, HTML-escaped,
//! with matched words in `<mark>`. When the query holds a proximity clause, the passage is the
//! article's first match of it, found by analysing the text again and matching the same span
//! tree the index matched ([`crate::search::span`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, Score};

use crate::Result;
use crate::analysis::LanguageGroup;
use crate::analysis::{PARAGRAPH_START, SENTENCE_START};
use crate::index::Fields;
use crate::search::compile::{Highlights, SpanHighlights};
use crate::search::span::{PositionLists, Span};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// Builds snippets for the hits of one search, one generator per field, made on first use.
pub struct Snippets<'a> {
    index: &'a Index,
    fields: &'a Fields,
    highlights: Highlights,
    spans: SpanHighlights,
    generators: HashMap<Field, Option<SnippetGenerator>>,
}

impl<'a> Snippets<'a> {
    /// Prepares snippets that mark `highlights`, the query's terms per field.
    pub fn new(
        index: &'a Index,
        fields: &'a Fields,
        highlights: Highlights,
        spans: SpanHighlights,
    ) -> Self {
        Snippets {
            index,
            fields,
            highlights,
            spans,
            generators: HashMap::new(),
        }
    }

    fn generator(&mut self, field: Field) -> Result<Option<&SnippetGenerator>> {
        if !self.generators.contains_key(&field) {
            let generator = match self.highlights.get(&field) {
                Some(terms) if !terms.is_empty() => {
                    let weights: BTreeMap<String, Score> =
                        terms.iter().map(|t| (t.clone(), 1.0)).collect();
                    let analyzer = self.index.tokenizer_for_field(field)?;
                    Some(SnippetGenerator::new(
                        weights,
                        analyzer,
                        field,
                        SNIPPET_CHARS,
                    ))
                }
                _ => None,
            };
            self.generators.insert(field, generator);
        }
        Ok(self.generators[&field].as_ref())
    }

    /// Returns the snippet for an article's body: the passage that best matches the query as
    /// analysed in the article's language, else the article's opening.
    pub fn for_body(&mut self, language: Option<&str>, body: &str) -> Result<String> {
        let field = self
            .fields
            .group(LanguageGroup::for_language(language))
            .body;
        if let Some(snippet) = self.around_match(field, body)? {
            return Ok(snippet);
        }
        if let Some(generator) = self.generator(field)? {
            let mut snippet = generator.snippet(body);
            if !snippet.highlighted().is_empty() {
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                return Ok(snippet.to_html());
            }
        }
        Ok(lead(body))
    }
}

impl Snippets<'_> {
    /// The passage around the first match of the query's proximity trees in `body`, if it
    /// has some and one matches: the matched words and the query's other words marked.
    fn around_match(&self, field: Field, body: &str) -> Result<Option<String>> {
        let Some(trees) = self.spans.get(&field) else {
            return Ok(None);
        };
        let marked: HashSet<&str> = self
            .highlights
            .get(&field)
            .map(|terms| terms.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let wanted: HashSet<&str> = trees
            .iter()
            .flat_map(|(_, leaves)| leaves.iter().flatten().map(String::as_str))
            .collect();
        // Byte range of each position's word, whether the query marks it, where each word
        // the trees look for stands.
        let mut words: Vec<(usize, usize, bool)> = Vec::new();
        let mut at: HashMap<String, Vec<u32>> = HashMap::new();
        let (mut sentences, mut paragraphs) = (Vec::new(), Vec::new());
        let mut analyzer = self.index.tokenizer_for_field(field)?;
        analyzer.token_stream(body).process(&mut |t| {
            let position = t.position as u32;
            match t.text.as_str() {
                SENTENCE_START => sentences.push(position),
                PARAGRAPH_START => paragraphs.push(position),
                text => {
                    if words.len() <= t.position {
                        words.resize(t.position + 1, (t.offset_from, t.offset_to, false));
                    }
                    words[t.position].2 |= marked.contains(text);
                    if wanted.contains(text) {
                        at.entry(text.to_string()).or_default().push(position);
                    }
                }
            }
        });
        let mut first: Option<Span> = None;
        for (tree, leaves) in trees {
            let positions = PositionLists {
                leaves: leaves
                    .iter()
                    .map(|forms| {
                        let mut p: Vec<u32> = forms
                            .iter()
                            .flat_map(|f| at.get(f))
                            .flatten()
                            .copied()
                            .collect();
                        p.sort_unstable();
                        p.dedup();
                        p
                    })
                    .collect(),
                sentences: sentences.clone(),
                paragraphs: paragraphs.clone(),
            };
            if let Some(span) = tree.spans(&positions).first()
                && first.is_none_or(|f| span.start < f.start)
            {
                first = Some(*span);
            }
        }
        let Some(span) = first else {
            return Ok(None);
        };
        let (Some(from), Some(to)) = (
            words.get(span.start as usize),
            words.get(span.end as usize - 1),
        ) else {
            return Ok(None);
        };
        let marks: Vec<(usize, usize)> = words.iter().filter(|w| w.2).map(|w| (w.0, w.1)).collect();
        Ok(Some(passage(body, (from.0, to.1), &marks)))
    }
}

/// The passage of about [`SNIPPET_CHARS`] characters of `text` around the byte range `focus`,
/// cut at spaces, HTML-escaped, with the byte ranges `marks` (sorted) in `<mark>`.
fn passage(text: &str, focus: (usize, usize), marks: &[(usize, usize)]) -> String {
    let focus_chars = text[focus.0..focus.1].chars().count();
    let before = SNIPPET_CHARS.saturating_sub(focus_chars) / 3;
    let mut start = text[..focus.0]
        .char_indices()
        .rev()
        .nth(before.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if start > 0 {
        // Start on a word.
        start = text[start..focus.0]
            .find(char::is_whitespace)
            .map_or(focus.0, |i| start + i + 1);
    }
    let mut end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS.max(focus_chars))
        .map_or(text.len(), |(i, _)| start + i);
    if end < text.len() {
        end = text[focus.1.min(end)..end]
            .rfind(char::is_whitespace)
            .map_or(end, |i| focus.1.min(end) + i);
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut cursor = start;
    for &(from, to) in marks {
        if from < cursor || to > end {
            continue;
        }
        out.push_str(&escape_html(&text[cursor..from]));
        out.push_str("<mark>");
        out.push_str(&escape_html(&text[from..to]));
        out.push_str("</mark>");
        cursor = to;
    }
    out.push_str(&escape_html(text[cursor..end].trim_end()));
    if end < text.len() {
        out.push('…');
    }
    out
}

/// The opening of a text, cut at a word boundary, HTML-escaped.
fn lead(text: &str) -> String {
    if text.chars().count() <= SNIPPET_CHARS {
        return escape_html(text);
    }
    let cut = text
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if space > cut / 2 => &head[..space],
        _ => head,
    };
    format!("{}…", escape_html(head.trim_end()))
}

/// Escapes text for inclusion in HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_centre_on_the_match_and_mark_it() {
        let text = format!(
            "{} Putin met Kim & others {}",
            "early ".repeat(60),
            "late ".repeat(60)
        );
        let from = text.find("Putin").unwrap();
        let kim = text.find("Kim").unwrap();
        let p = passage(&text, (from, kim + 3), &[(from, from + 5), (kim, kim + 3)]);
        assert!(p.starts_with("…early"), "{p}");
        assert!(
            p.contains("<mark>Putin</mark> met <mark>Kim</mark> &amp; others"),
            "{p}"
        );
        assert!(p.ends_with("late…"), "{p}");
        assert!(p.chars().count() <= SNIPPET_CHARS + 40, "{p}");
        assert_eq!(passage("Putin", (0, 5), &[(0, 5)]), "<mark>Putin</mark>");
    }

    #[test]
    fn lead_is_escaped_and_cut_on_a_word() {
        assert_eq!(lead("a <b> & c"), "a &lt;b&gt; &amp; c");
        let long = "word ".repeat(100);
        let l = lead(&long);
        assert!(l.ends_with("word…"));
        assert!(l.chars().count() <= SNIPPET_CHARS + 1);
    }
}
