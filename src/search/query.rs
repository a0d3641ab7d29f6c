//! The query language users type, parsed into a [`Node`] tree.
//!
//! Words, `"phrases"`, `AND`/`OR`/`NOT`/`-word`/`+word`, `(groups)`, `field:value` and
//! `published:[2024-06-01 TO 2024-06-30]`; `*` alone matches every article. Words next to each
//! other must all match (default AND). Errors name the 1-based character position.

use time::OffsetDateTime;

use crate::{Error, Result};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2000;

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

const FIELDS: &str = "title, body, exact, entity, person, place, org, source, language, author, section, tag, id, published";

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
        "author" => Keyword(KeywordField::Author),
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
    let mut parser = Parser { chars, pos: 0 };
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
    Ok(node)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
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
        Ok(if branches.len() == 1 {
            branches.pop().expect("one branch")
        } else {
            Node::Or(branches)
        })
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
            1 => Ok(items.pop().expect("one item")),
            _ => Ok(Node::And(items)),
        }
    }

    fn parse_unary(&mut self) -> Result<Node> {
        let at = self.pos;
        if self.at_operator("NOT") {
            self.pos += 3;
            self.skip_ws();
            if self.at_end() || self.peek() == Some(')') {
                return Err(self.error_at(at, "`NOT` needs a search term after it"));
            }
            return Ok(Node::Not(Box::new(self.parse_unary()?)));
        }
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
                Ok(if negate {
                    Node::Not(Box::new(node))
                } else {
                    node
                })
            }
            _ => self.parse_primary(),
        }
    }

    fn parse_primary(&mut self) -> Result<Node> {
        let at = self.pos;
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(')') {
                    return Err(self.error_at(at, "empty `()` group"));
                }
                let node = self.parse_or()?;
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
        Ok(Node::Text {
            scope: Scope::Any,
            text: word,
            phrase: false,
        })
    }

    fn parse_field_value(&mut self, at: usize, name: &str, kind: FieldKind) -> Result<Node> {
        let value_at = self.pos;
        let (value, quoted) = match self.peek() {
            Some('"') => (self.parse_quoted()?, true),
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
                Node::Published(range)
            }
        })
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
        Ok(Node::Published(DateRange { from, to }))
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
            (day(y, 1, 1)?, day(y + 1, 1, 1)?)
        }
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)? as u8);
            let next = if m == 12 {
                day(y + 1, 1, 1)
            } else {
                day(y, m + 1, 1)
            };
            (day(y, m, 1)?, next?)
        }
        _ => {
            let at = crate::article::parse_date(text).ok()?;
            let is_day = text.len() == 10;
            let span = if is_day {
                time::Duration::DAY
            } else {
                time::Duration::SECOND
            };
            (at, at + span)
        }
    };
    Some(DateRange {
        from: Some(from),
        to: Some(to),
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
}
