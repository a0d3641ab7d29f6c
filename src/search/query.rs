//! The query language users type, parsed into a [`Node`] tree.
//!
//! Words, `"phrases"`, `AND`/`OR`/`NOT`/`-word`/`+word`, `(groups)`, `field:value` and
//! `published:[2024-06-01 TO 2024-06-30]`; `*` alone matches every article. Words next to each
//! other must all match (default AND). Errors name the 1-based character position.
//!
//! The tree is kept shallow and small, whatever is typed: `NOT NOT a` is `a`, a group of the
//! operator around it is merged into it (`a (b c)` is `a b c`), a repeated term counts once,
//! groups nest at most [`MAX_QUERY_DEPTH`] deep and a query holds at most [`MAX_QUERY_TERMS`]
//! terms. Nothing that walks the tree afterwards (ours or tantivy's) can then run out of stack.

use time::OffsetDateTime;

use crate::{Error, Result, dates};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2000;
/// Deepest nesting of `( … )` groups accepted.
pub const MAX_QUERY_DEPTH: usize = 16;
/// Most terms (words, words of phrases, field values, dates) one query may hold, once repeated
/// terms are merged.
pub const MAX_QUERY_TERMS: usize = 128;

/// Which text a word or phrase is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Title, body (each in its language's analysis) and entity aliases.
    Any,
    /// Titles only.
    Title,
    /// Bodies only.
    Body,
    /// The unstemmed `exact` field: the word as written, no stemming.
    Exact,
    /// Entity names and aliases.
    Entity,
}

/// A field matched by whole value (case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordField {
    /// `person:`
    Person,
    /// `place:`
    Place,
    /// `org:`
    Org,
    /// `source:`
    Source,
    /// `language:`
    Language,
    /// `author:`
    Author,
    /// `section:`
    Section,
    /// `tag:`
    Tag,
    /// `id:`
    Id,
}

/// A date interval `[from, to)`; an open side is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// Inclusive start.
    pub from: Option<OffsetDateTime>,
    /// Exclusive end.
    pub to: Option<OffsetDateTime>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Every article.
    All,
    /// A word (`phrase: false`) or a quoted phrase.
    Text {
        /// Where to look.
        scope: Scope,
        /// The text as typed.
        text: String,
        /// Whether it was quoted.
        phrase: bool,
    },
    /// `field:value` on a keyword field.
    Keyword {
        /// The field.
        field: KeywordField,
        /// The value as typed.
        value: String,
    },
    /// `published:…`
    Published(DateRange),
    /// Every child must match (negated children must not).
    And(Vec<Node>),
    /// At least one child must match.
    Or(Vec<Node>),
    /// The child must not match.
    Not(Box<Node>),
}

const FIELDS: &str = "title, body, exact, entity, person, place, org, source, language, author (or byline), section, tag, id, published";

/// Why `word` (a word as typed, outside quotes) is an operator of another search tool's
/// language that Dateline does not run yet, if it is one: answering it with the articles that
/// hold the letters `w/5` would be a silent zero.
fn foreign_operator(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let digits = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
    let proximity = ["w/", "/", "near/", "near", "pre/", "adj", "onear/"]
        .iter()
        .any(|prefix| lower.strip_prefix(prefix).is_some_and(digits))
        || matches!(
            lower.as_str(),
            "w/s" | "w/p" | "w/seg" | "w/" | "near/" | "pre/"
        );
    if proximity {
        return Some(format!(
            "the proximity operator `{word}` is not supported yet: search both words (AND), or the exact \"phrase\""
        ));
    }
    if lower.strip_prefix("atleast").is_some_and(digits) {
        return Some(format!(
            "`{word}` (a word at least N times) is not supported yet: search the word alone"
        ));
    }
    if lower.starts_with("length>") || lower.starts_with("length<") {
        return Some(format!(
            "`{word}` (a word-count filter) is not supported yet"
        ));
    }
    None
}

/// Why a word of `text` is a truncation or wildcard pattern, which Dateline does not expand
/// yet, if one is (a URL's `?` is not).
fn wildcard(text: &str) -> Option<String> {
    text.split_whitespace()
        .filter(|w| !w.contains("://"))
        .find(|w| {
            let inner = &w[..w.len() - w.chars().last().map_or(0, char::len_utf8)];
            w.chars().count() > 1
                && (w.ends_with('*') || w.ends_with('!') || inner.contains(['*', '?']))
        })
        .map(|w| {
            format!(
                "truncation and wildcards (`{w}`) are not supported yet: type the word in full (its other forms match already: `sanction` finds `sanctions`)"
            )
        })
}

enum FieldKind {
    Text(Scope),
    Keyword(KeywordField),
    Published,
}

fn field_kind(name: &str) -> Option<FieldKind> {
    use FieldKind::*;
    Some(match name {
        "title" => Text(Scope::Title),
        "body" => Text(Scope::Body),
        "exact" => Text(Scope::Exact),
        "entity" => Text(Scope::Entity),
        "person" => Keyword(KeywordField::Person),
        "place" => Keyword(KeywordField::Place),
        "org" => Keyword(KeywordField::Org),
        "source" => Keyword(KeywordField::Source),
        "language" | "lang" => Keyword(KeywordField::Language),
        "author" | "byline" => Keyword(KeywordField::Author),
        "section" => Keyword(KeywordField::Section),
        "tag" => Keyword(KeywordField::Tag),
        "id" => Keyword(KeywordField::Id),
        "published" | "date" => Published,
        _ => return None,
    })
}

/// Parses a query. An empty query matches every article.
pub fn parse(query: &str) -> Result<Node> {
    let chars: Vec<char> = query.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "q",
            format!(
                "the query is {} characters long; the limit is {MAX_QUERY_CHARS}",
                chars.len()
            ),
        ));
    }
    let mut parser = Parser {
        chars,
        pos: 0,
        depth: 0,
    };
    parser.skip_ws();
    if parser.at_end() {
        return Ok(Node::All);
    }
    let node = parser.parse_or()?;
    parser.skip_ws();
    if let Some(c) = parser.peek() {
        let message = if c == ')' {
            "unmatched `)`: remove it or add a `(` before it".to_string()
        } else {
            format!("unexpected `{c}`")
        };
        return Err(parser.error_at(parser.pos, message));
    }
    let terms = node.terms();
    if terms > MAX_QUERY_TERMS {
        return Err(Error::invalid(
            "q",
            format!(
                "the query holds {terms} different search terms; the limit is {MAX_QUERY_TERMS}: split it into several searches"
            ),
        ));
    }
    Ok(node)
}

impl Node {
    /// How many terms the query holds: words (each word of a phrase), field values, dates.
    pub fn terms(&self) -> usize {
        match self {
            Node::All => 0,
            Node::Text { text, .. } => text.split_whitespace().count().max(1),
            Node::Keyword { .. } | Node::Published(_) => 1,
            Node::And(children) | Node::Or(children) => children.iter().map(Node::terms).sum(),
            Node::Not(child) => child.terms(),
        }
    }

    /// `NOT` of this node: `NOT NOT a` is `a`.
    fn negated(self) -> Node {
        match self {
            Node::Not(inner) => *inner,
            other => Node::Not(Box::new(other)),
        }
    }

    /// Every item must match: groups of ANDs merged into one, repeated items once.
    fn all_of(items: Vec<Node>) -> Node {
        Node::merged(items, |n| matches!(n, Node::And(_)), Node::And)
    }

    /// One branch must match: groups of ORs merged into one, repeated branches once.
    fn any_of(branches: Vec<Node>) -> Node {
        Node::merged(branches, |n| matches!(n, Node::Or(_)), Node::Or)
    }

    fn merged(items: Vec<Node>, same: fn(&Node) -> bool, make: fn(Vec<Node>) -> Node) -> Node {
        let mut out: Vec<Node> = Vec::with_capacity(items.len());
        let push = |node: Node, out: &mut Vec<Node>| {
            if !out.contains(&node) {
                out.push(node);
            }
        };
        for item in items {
            if same(&item) {
                let (Node::And(children) | Node::Or(children)) = item else {
                    unreachable!("`same` matched an AND or an OR")
                };
                for child in children {
                    push(child, &mut out);
                }
            } else {
                push(item, &mut out);
            }
        }
        if out.len() == 1 {
            out.pop().expect("one item")
        } else {
            make(out)
        }
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// How many `(` groups enclose the cursor.
    depth: usize,
}

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error_at(&self, index: usize, message: impl Into<String>) -> Error {
        Error::QuerySyntax {
            position: index + 1,
            message: message.into(),
        }
    }

    /// Whether an operator word (`AND`, `OR`, `NOT`) stands at the cursor.
    fn at_operator(&self, word: &str) -> bool {
        let n = word.chars().count();
        let matches = self.chars[self.pos..]
            .iter()
            .take(n)
            .copied()
            .eq(word.chars());
        matches
            && self
                .chars
                .get(self.pos + n)
                .is_none_or(|c| c.is_whitespace() || *c == '(' || *c == '"')
    }

    fn parse_or(&mut self) -> Result<Node> {
        let mut branches = vec![self.parse_and()?];
        loop {
            self.skip_ws();
            if !self.at_operator("OR") {
                break;
            }
            let at = self.pos;
            self.pos += 2;
            self.skip_ws();
            if self.at_end() || self.peek() == Some(')') {
                return Err(self.error_at(at, "`OR` needs a search term after it"));
            }
            branches.push(self.parse_and()?);
        }
        Ok(Node::any_of(branches))
    }

    fn parse_and(&mut self) -> Result<Node> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.at_end() || self.peek() == Some(')') || self.at_operator("OR") {
                break;
            }
            if self.at_operator("AND") {
                let at = self.pos;
                if items.is_empty() {
                    return Err(self.error_at(at, "`AND` needs a search term before it"));
                }
                self.pos += 3;
                self.skip_ws();
                if self.at_end() || self.peek() == Some(')') || self.at_operator("OR") {
                    return Err(self.error_at(at, "`AND` needs a search term after it"));
                }
                continue;
            }
            items.push(self.parse_unary()?);
        }
        match items.len() {
            0 => {
                let what = match self.peek() {
                    Some(c) => format!("expected a search term before `{c}`"),
                    None => "expected a search term".to_string(),
                };
                Err(self.error_at(self.pos, what))
            }
            _ => Ok(Node::all_of(items)),
        }
    }

    fn parse_unary(&mut self) -> Result<Node> {
        // A run of `NOT`s is read in a loop, not by recursion: `NOT NOT … a` of any length.
        let mut negate = false;
        while self.at_operator("NOT") {
            let at = self.pos;
            self.pos += 3;
            self.skip_ws();
            if self.at_end() || self.peek() == Some(')') {
                return Err(self.error_at(at, "`NOT` needs a search term after it"));
            }
            negate = !negate;
        }
        let node = self.parse_signed()?;
        Ok(if negate { node.negated() } else { node })
    }

    fn parse_signed(&mut self) -> Result<Node> {
        let at = self.pos;
        match self.peek() {
            Some('-') | Some('+') => {
                let negate = self.peek() == Some('-');
                let next = self.chars.get(self.pos + 1);
                if next.is_none_or(|c| c.is_whitespace()) {
                    return Err(self.error_at(
                        at,
                        format!(
                            "`{}` must be followed by a term, without a space",
                            self.chars[at]
                        ),
                    ));
                }
                self.pos += 1;
                let node = self.parse_primary()?;
                Ok(if negate { node.negated() } else { node })
            }
            _ => self.parse_primary(),
        }
    }

    fn parse_primary(&mut self) -> Result<Node> {
        let at = self.pos;
        match self.peek() {
            Some('(') => {
                if self.depth == MAX_QUERY_DEPTH {
                    return Err(self.error_at(
                        at,
                        format!(
                            "groups nest more than {MAX_QUERY_DEPTH} deep here: remove some `(…)`"
                        ),
                    ));
                }
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(')') {
                    return Err(self.error_at(at, "empty `()` group"));
                }
                self.depth += 1;
                let node = self.parse_or();
                self.depth -= 1;
                let node = node?;
                self.skip_ws();
                if self.peek() != Some(')') {
                    return Err(self.error_at(
                        at,
                        format!("the `(` at position {} is never closed: add a `)`", at + 1),
                    ));
                }
                self.pos += 1;
                Ok(node)
            }
            Some('"') => {
                let text = self.parse_quoted()?;
                self.check_phrase(at, &text)?;
                Ok(Node::Text {
                    scope: Scope::Any,
                    text,
                    phrase: true,
                })
            }
            Some(')') => Err(self.error_at(at, "unmatched `)`: remove it or add a `(` before it")),
            _ => self.parse_word_or_field(),
        }
    }

    fn parse_quoted(&mut self) -> Result<String> {
        let at = self.pos;
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '"') {
            self.pos += 1;
        }
        if self.at_end() {
            return Err(self.error_at(
                at,
                format!(
                    "the quote at position {} is never closed: add a closing `\"`",
                    at + 1
                ),
            ));
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        Ok(text)
    }

    /// A phrase may hold no wildcard, and is not followed by Lucene's `~N` slop.
    fn check_phrase(&self, at: usize, text: &str) -> Result<()> {
        if let Some(problem) = wildcard(text) {
            return Err(self.error_at(at, problem));
        }
        if self.peek() == Some('~') {
            return Err(self.error_at(
                self.pos,
                "`\"…\"~N` (words within N of each other) is not supported yet: search the words with AND",
            ));
        }
        Ok(())
    }

    fn read_word(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '"'))
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn parse_word_or_field(&mut self) -> Result<Node> {
        let at = self.pos;
        // A field name is ASCII letters or `_` right before a colon.
        let mut end = self.pos;
        while self
            .chars
            .get(end)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_')
        {
            end += 1;
        }
        if end > at && self.chars.get(end) == Some(&':') {
            let name: String = self.chars[at..end].iter().collect();
            let after = self.chars.get(end + 1).copied();
            match field_kind(&name.to_ascii_lowercase()) {
                Some(kind) => {
                    self.pos = end + 1;
                    return self.parse_field_value(at, &name, kind);
                }
                // `https://…` and the like are words, not fields.
                None if after != Some('/') => {
                    return Err(
                        self.error_at(at, format!("unknown field `{name}`: use one of {FIELDS}"))
                    );
                }
                None => {}
            }
        }
        let word = self.read_word();
        if word == "*" {
            return Ok(Node::All);
        }
        if let Some(problem) = foreign_operator(&word).or_else(|| wildcard(&word)) {
            return Err(self.error_at(at, problem));
        }
        if word.eq_ignore_ascii_case("hlead") && self.peek() == Some('(') {
            return Err(self.error_at(
                at,
                "`hlead(…)` (headline or lead paragraph) is not supported yet: use `title:` for headlines",
            ));
        }
        Ok(Node::Text {
            scope: Scope::Any,
            text: word,
            phrase: false,
        })
    }

    fn parse_field_value(&mut self, at: usize, name: &str, kind: FieldKind) -> Result<Node> {
        let value_at = self.pos;
        let (value, quoted) = match self.peek() {
            Some('"') => {
                let value = self.parse_quoted()?;
                if matches!(kind, FieldKind::Text(_)) {
                    self.check_phrase(value_at, &value)?;
                }
                (value, true)
            }
            Some('[') | Some('{') if matches!(kind, FieldKind::Published) => {
                return self.parse_range(at);
            }
            Some('(') => {
                return Err(self.error_at(
                    value_at,
                    format!("`{name}:(…)` groups are not supported: write `{name}:a OR {name}:b`"),
                ));
            }
            _ => (self.read_word(), false),
        };
        if value.trim().is_empty() {
            return Err(self.error_at(at, format!("`{name}:` needs a value after the colon")));
        }
        if matches!(kind, FieldKind::Text(_))
            && !quoted
            && let Some(problem) = wildcard(&value)
        {
            return Err(self.error_at(value_at, problem));
        }
        Ok(match kind {
            FieldKind::Text(scope) => Node::Text {
                scope,
                text: value,
                phrase: quoted,
            },
            FieldKind::Keyword(field) => Node::Keyword { field, value },
            FieldKind::Published => {
                let range = date_range(&value).ok_or_else(|| {
                    self.error_at(
                        value_at,
                        format!(
                            "`{value}` is not a date: use YYYY, YYYY-MM or YYYY-MM-DD, or a range like `published:[2024-06-01 TO 2024-06-30]`"
                        ),
                    )
                })?;
                Node::Published(self.storable(value_at, &value, range)?)
            }
        })
    }

    /// `range`, when some of it lies in the span of dates the index can store.
    fn storable(&self, at: usize, text: &str, range: DateRange) -> Result<DateRange> {
        let side = if range.to.is_some_and(|to| to <= dates::first_instant()) {
            "before"
        } else if range.from.is_some_and(|from| from >= dates::end_instant()) {
            "after"
        } else {
            return Ok(range);
        };
        Err(self.error_at(
            at,
            format!(
                "`{text}` is {side} the dates Dateline can store ({}): no article can have it",
                dates::STORABLE
            ),
        ))
    }

    fn parse_range(&mut self, at: usize) -> Result<Node> {
        let open = self.pos;
        let hint = "did you mean `published:[2024-06-01 TO 2024-06-30]`?";
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| c != ']' && c != '}') {
            self.pos += 1;
        }
        if self.at_end() {
            return Err(self.error_at(open, format!("the range is never closed with `]`: {hint}")));
        }
        let inner: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        let parts: Vec<&str> = inner.split_whitespace().collect();
        if parts.len() != 3 || !parts[1].eq_ignore_ascii_case("TO") {
            return Err(self.error_at(at, format!("a date range needs `FROM TO UNTIL`: {hint}")));
        }
        let bound = |text: &str| -> Result<Option<DateRange>> {
            if text == "*" {
                return Ok(None);
            }
            date_range(text).map(Some).ok_or_else(|| {
                self.error_at(
                    open,
                    format!("`{text}` is not a date: use YYYY-MM-DD, {hint}"),
                )
            })
        };
        let from = bound(parts[0])?.and_then(|r| r.from);
        let to = bound(parts[2])?.and_then(|r| r.to);
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            return Err(self.error_at(
                open,
                format!("the range ends before it starts: write the earlier date first ({hint})"),
            ));
        }
        Ok(Node::Published(self.storable(
            open,
            &inner,
            DateRange { from, to },
        )?))
    }
}

/// Returns the period a date names: a year (`2024`), a month (`2024-06`), a day
/// (`2024-06-19`) or an instant (RFC 3339, a one-second period).
pub fn date_range(text: &str) -> Option<DateRange> {
    use time::{Date, Month};
    let text = text.trim();
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let day = |y: i32, m: u8, d: u8| -> Option<OffsetDateTime> {
        Some(
            Date::from_calendar_date(y, Month::try_from(m).ok()?, d)
                .ok()?
                .midnight()
                .assume_utc(),
        )
    };
    let (from, to) = match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            (day(y, 1, 1)?, day(y + 1, 1, 1))
        }
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)? as u8);
            let next = if m == 12 {
                day(y + 1, 1, 1)
            } else {
                day(y, m + 1, 1)
            };
            (day(y, m, 1)?, next)
        }
        _ => {
            let at = dates::parse_date(text).ok()?;
            let is_day = text.len() == 10;
            let span = if is_day {
                time::Duration::DAY
            } else {
                time::Duration::SECOND
            };
            (at, at.checked_add(span))
        }
    };
    // The period after 9999-12-31 has no end the calendar can name: it is open.
    Some(DateRange {
        from: Some(from),
        to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Node {
        Node::Text {
            scope: Scope::Any,
            text: text.into(),
            phrase: false,
        }
    }

    fn err(query: &str) -> (usize, String) {
        match parse(query) {
            Err(Error::QuerySyntax { position, message }) => (position, message),
            other => panic!("expected a syntax error for {query:?}, got {other:?}"),
        }
    }

    #[test]
    fn words_default_to_and() {
        assert_eq!(
            parse("putin kim").unwrap(),
            Node::And(vec![word("putin"), word("kim")])
        );
        assert_eq!(parse("  ").unwrap(), Node::All);
        assert_eq!(parse("*").unwrap(), Node::All);
    }

    #[test]
    fn operators_groups_and_negation() {
        assert_eq!(
            parse("summit AND (putin OR kim) -trade NOT oil").unwrap(),
            Node::And(vec![
                word("summit"),
                Node::Or(vec![word("putin"), word("kim")]),
                Node::Not(Box::new(word("trade"))),
                Node::Not(Box::new(word("oil"))),
            ])
        );
        // Lower-case operators are plain words.
        assert_eq!(
            parse("rock and roll").unwrap(),
            Node::And(vec![word("rock"), word("and"), word("roll")])
        );
        assert_eq!(
            parse("Kim Jong-un").unwrap(),
            Node::And(vec![word("Kim"), word("Jong-un")])
        );
    }

    #[test]
    fn fields_phrases_and_ranges() {
        assert_eq!(
            parse(r#"person:"Kim Jong Un" title:"state visit""#).unwrap(),
            Node::And(vec![
                Node::Keyword {
                    field: KeywordField::Person,
                    value: "Kim Jong Un".into()
                },
                Node::Text {
                    scope: Scope::Title,
                    text: "state visit".into(),
                    phrase: true
                },
            ])
        );
        let Node::Published(range) = parse("published:[2024-06-01 TO 2024-06-30]").unwrap() else {
            panic!()
        };
        assert_eq!(
            range.from.unwrap().to_string(),
            "2024-06-01 0:00:00.0 +00:00:00"
        );
        assert_eq!(
            range.to.unwrap().to_string(),
            "2024-07-01 0:00:00.0 +00:00:00"
        );
        let Node::Published(open) = parse("published:[2024-06 TO *]").unwrap() else {
            panic!()
        };
        assert!(open.to.is_none());
        assert_eq!(
            parse("https://example.com/a").unwrap(),
            word("https://example.com/a")
        );
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(err("summit (putin").0, 8);
        assert!(err("summit (putin").1.contains("never closed"));
        assert_eq!(err("putin)").0, 6);
        assert_eq!(err(r#"kim "jong un"#).0, 5);
        assert_eq!(err("kim OR").0, 5);
        assert_eq!(err("AND kim").0, 1);
        assert_eq!(err("kim NOT").0, 5);
        assert_eq!(err("- kim").0, 1);
        let (pos, msg) = err("foo:bar");
        assert_eq!(pos, 1);
        assert!(msg.contains("unknown field `foo`"));
        let (pos, msg) = err("published:[2024-06-01 2024-06-30]");
        assert_eq!(pos, 1);
        assert!(msg.contains("did you mean `published:[2024-06-01 TO 2024-06-30]`"));
        assert_eq!(err("published:2024-13-01").0, 11);
        assert_eq!(err("title:").0, 1);
    }

    #[test]
    fn negations_and_groups_of_the_same_operator_flatten() {
        let not = |n: Node| Node::Not(Box::new(n));
        assert_eq!(
            parse(&format!("{}a", "NOT ".repeat(300))).unwrap(),
            word("a")
        );
        assert_eq!(
            parse(&format!("{}a", "NOT ".repeat(301))).unwrap(),
            not(word("a"))
        );
        assert_eq!(parse("NOT -a").unwrap(), word("a"));
        assert_eq!(parse("-(-a)").unwrap(), word("a"));
        assert_eq!(
            parse("a (b (c -d))").unwrap(),
            Node::And(vec![word("a"), word("b"), word("c"), not(word("d"))])
        );
        assert_eq!(
            parse("a OR (b OR (c OR a))").unwrap(),
            Node::Or(vec![word("a"), word("b"), word("c")])
        );
        // Repeated terms count once.
        assert_eq!(parse(&"a ".repeat(1000)).unwrap(), word("a"));
        assert_eq!(
            parse("a b a b").unwrap(),
            Node::And(vec![word("a"), word("b")])
        );
    }

    #[test]
    fn nesting_and_size_are_bounded() {
        let nested = |n: usize| format!("{}a{}", "(a OR (b ".repeat(n), "))".repeat(n));
        // Sixteen levels of groups (eight alternations of two) are fine, more are not.
        assert!(parse(&nested(MAX_QUERY_DEPTH / 2)).is_ok());
        let (pos, msg) = err(&nested(MAX_QUERY_DEPTH / 2 + 1));
        assert!(msg.contains("groups nest more than 16 deep"), "{msg}");
        assert_eq!(pos, 9 * (MAX_QUERY_DEPTH / 2) + 1);
        for query in [
            format!("{}a{}", "(a ".repeat(300), ")".repeat(300)),
            format!("{}a{}", "-(".repeat(300), ")".repeat(300)),
        ] {
            assert!(err(&query).1.contains("nest more than"));
        }
        let many: Vec<String> = (0..=MAX_QUERY_TERMS).map(|i| format!("w{i}")).collect();
        match parse(&many.join(" ")) {
            Err(Error::InvalidParameter { name, message }) => {
                assert_eq!(name, "q");
                assert!(message.contains("129 different search terms; the limit is 128"));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&many[..MAX_QUERY_TERMS].join(" ")).is_ok());
    }

    #[test]
    fn dates_the_index_cannot_hold_are_errors_and_open_ranges_work() {
        let (pos, msg) = err("published:9999-12-31");
        assert_eq!(pos, 11);
        assert!(
            msg.contains(
                "`9999-12-31` is after the dates Dateline can store (1677-09-22 to 2262-04-10)"
            ),
            "{msg}"
        );
        assert!(err("published:9999").1.contains("is after"));
        assert!(err("published:[1500 TO 1600]").1.contains("is before"));
        assert!(
            err("published:[2024-06-30 TO 2024-06-01]")
                .1
                .contains("ends before it starts")
        );
        let Node::Published(all) = parse("published:[* TO *]").unwrap() else {
            panic!()
        };
        assert_eq!((all.from, all.to), (None, None));
        let Node::Published(wide) = parse("published:[1600 TO 9999-12-31]").unwrap() else {
            panic!()
        };
        assert_eq!(wide.to, None);
    }

    #[test]
    fn other_tools_operators_are_errors_not_silent_zeros() {
        for (query, position, says) in [
            (
                "Putin w/5 Kim",
                7,
                "the proximity operator `w/5` is not supported yet",
            ),
            ("Putin /5 Kim", 7, "`/5`"),
            ("Putin NEAR/5 Kim", 7, "`NEAR/5`"),
            ("Putin near5 Kim", 7, "`near5`"),
            ("Putin pre/3 Kim", 7, "`pre/3`"),
            ("Putin adj2 Kim", 7, "`adj2`"),
            ("Putin onear/4 Kim", 7, "`onear/4`"),
            ("Putin w/s Kim", 7, "`w/s`"),
            ("Putin w/p Kim", 7, "`w/p`"),
            ("Putin w/ Kim", 7, "`w/`"),
            ("\"Putin Kim\"~5", 12, "`\"…\"~N`"),
            (
                "sanct*",
                1,
                "truncation and wildcards (`sanct*`) are not supported yet",
            ),
            ("sanction!", 1, "(`sanction!`)"),
            ("wom?n", 1, "(`wom?n`)"),
            ("-sanct*", 2, "(`sanct*`)"),
            ("title:sanct*", 7, "(`sanct*`)"),
            ("\"nuclear weapon*\"", 1, "(`weapon*`)"),
            (
                "atleast3 missile",
                1,
                "`atleast3` (a word at least N times) is not supported yet",
            ),
            ("hlead(summit)", 1, "`hlead(…)`"),
            ("length>500", 1, "a word-count filter"),
        ] {
            let (at, message) = err(query);
            assert_eq!(at, position, "{query}: {message}");
            assert!(message.contains(says), "{query}: {message}");
        }
        // Look-alikes that are words, and the field alias.
        for query in [
            "near",
            "what happened?",
            "https://example.com/a?b=1",
            "C++",
            "*",
            "w/o",
        ] {
            assert!(parse(query).is_ok(), "{query}");
        }
        assert_eq!(
            parse("byline:\"Mira Holt\"").unwrap(),
            Node::Keyword {
                field: KeywordField::Author,
                value: "Mira Holt".into()
            }
        );
    }
}
