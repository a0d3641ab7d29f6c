//! Highlighted passages: the part of an article's text that best matches the query, HTML-escaped,
//! with matched words in `<mark>`.

use std::collections::HashMap;

use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

use crate::Result;
use crate::analysis::LanguageGroup;
use crate::index::Fields;

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// Builds snippets for the hits of one search, one generator per field, made on first use.
pub struct Snippets<'a> {
    searcher: &'a Searcher,
    query: &'a dyn Query,
    fields: &'a Fields,
    generators: HashMap<Field, SnippetGenerator>,
}

impl<'a> Snippets<'a> {
    /// Prepares snippets for hits of `query`.
    pub fn new(searcher: &'a Searcher, query: &'a dyn Query, fields: &'a Fields) -> Self {
        Snippets {
            searcher,
            query,
            fields,
            generators: HashMap::new(),
        }
    }

    fn highlight(&mut self, field: Field, text: &str) -> Result<String> {
        if !self.generators.contains_key(&field) {
            let mut generator = SnippetGenerator::create(self.searcher, self.query, field)?;
            generator.set_max_num_chars(SNIPPET_CHARS);
            self.generators.insert(field, generator);
        }
        let mut snippet = self.generators[&field].snippet(text);
        if snippet.highlighted().is_empty() {
            return Ok(String::new());
        }
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        Ok(snippet.to_html())
    }

    /// Returns the snippet for an article's body: the best-matching passage as analysed in the
    /// article's language, else as written (exact matches), else the article's opening.
    pub fn for_body(&mut self, language: Option<&str>, body: &str) -> Result<String> {
        let group = self.fields.group(LanguageGroup::for_language(language));
        for field in [group.body, self.fields.exact] {
            let html = self.highlight(field, body)?;
            if !html.is_empty() {
                return Ok(html);
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
