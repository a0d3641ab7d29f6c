//! Highlighted passages: the part of an article's text that best matches the query, HTML-escaped,
//! with matched words in `<mark>`.

use std::collections::{BTreeMap, HashMap};

use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, Score};

use crate::Result;
use crate::analysis::LanguageGroup;
use crate::index::Fields;
use crate::search::compile::Highlights;

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// Builds snippets for the hits of one search, one generator per field, made on first use.
pub struct Snippets<'a> {
    index: &'a Index,
    fields: &'a Fields,
    highlights: Highlights,
    generators: HashMap<Field, Option<SnippetGenerator>>,
}

impl<'a> Snippets<'a> {
    /// Prepares snippets that mark `highlights`, the query's terms per field.
    pub fn new(index: &'a Index, fields: &'a Fields, highlights: Highlights) -> Self {
        Snippets {
            index,
            fields,
            highlights,
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
    fn lead_is_escaped_and_cut_on_a_word() {
        assert_eq!(lead("a <b> & c"), "a &lt;b&gt; &amp; c");
        let long = "word ".repeat(100);
        let l = lead(&long);
        assert!(l.ends_with("word…"));
        assert!(l.chars().count() <= SNIPPET_CHARS + 1);
    }
}
