//! The query language users type, parsed into a [`Node`] tree.
//!
//! Words, `"phrases"`, `AND`/`OR`/`NOT`/`-word`/`+word`, `(groups)`, `field:value` and
//! `published:[2024-06-01 TO 2024-06-30]`; `*` alone matches every article. Words next to each
//! other must all match (default AND). Errors name the 1-based character position.
//!
//! The tree is kept shallow and small, whatever is typed: `NOT NOT a` is `a`, a group of the
//! operator around it is merged into it (`a (b c)` is `a b c`), a repeated term counts once
//! (a plain word typed again is kept, at most [`MAX_REPEATS`] times, to weigh in ranking),
//! groups nest at most [`MAX_QUERY_DEPTH`] deep and a query holds at most [`MAX_QUERY_TERMS`]
//! terms. Nothing that walks the tree afterwards (ours or tantivy's) can then run out of stack.

mod display;
mod operators;

use time::OffsetDateTime;

use crate::{Error, Result, dates};
use operators::Proximity;
pub use operators::{MIN_PATTERN_PREFIX, Within, is_pattern};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 4000;
/// Deepest nesting of `( … )` groups accepted.
pub const MAX_QUERY_DEPTH: usize = 16;
/// Most terms (words, words of phrases, field values, dates) one query may hold, once repeated
/// terms are merged.
pub const MAX_QUERY_TERMS: usize = 256;
/// A plain word typed more often than this weighs no more.
pub const MAX_REPEATS: usize = 8;

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
    /// `dateline:`
    DatelinePlace,
    /// `credit:`
    Credit,
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
    /// `left w/5 right` and the other proximity operators.
    Near {
        /// The left side.
        left: Box<Node>,
        /// The right side.
        right: Box<Node>,
        /// How near.
        within: Within,
        /// Whether the left side must come first (`pre/N`).
        ordered: bool,
        /// `left not w/N right`: the left side with no right side near it.
        exclude: bool,
    },
    /// `atleastN word`: the word (phrase, pattern) occurs at least `times` times.
    AtLeast {
        /// How many times.
        times: u32,
        /// What occurs.
        node: Box<Node>,
    },
    /// `hlead(…)`, `lead:`: in the headline or the first paragraph.
    Lead(Box<Node>),
    /// `length>500`: the article's word count, inclusive bounds.
    Length {
        /// Fewest words.
        min: Option<u32>,
        /// Most words.
        max: Option<u32>,
    },
}

const FIELDS: &str = "title, body, exact, entity, lead, person, place, org, source, language, author (or byline), section, tag, id, published";

enum FieldKind {
    Text(Scope),
    Lead,
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
        "lead" | "hlead" => Lead,
        "person" => Keyword(KeywordField::Person),
        "place" => Keyword(KeywordField::Place),
        "org" => Keyword(KeywordField::Org),
        "source" => Keyword(KeywordField::Source),
        "language" | "lang" => Keyword(KeywordField::Language),
        "author" | "byline" => Keyword(KeywordField::Author),
        "section" => Keyword(KeywordField::Section),
        "tag" => Keyword(KeywordField::Tag),
        "id" => Keyword(KeywordField::Id),
        "dateline" | "dateline_place" => Keyword(KeywordField::DatelinePlace),
        "credit" => Keyword(KeywordField::Credit),
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
            Node::Keyword { .. } | Node::Published(_) | Node::Length { .. } => 1,
            Node::And(children) | Node::Or(children) => children
                .iter()
                .enumerate()
                .filter(|(i, child)| !children[..*i].contains(child))
                .map(|(_, child)| child.terms())
                .sum(),
            Node::Not(child) | Node::Lead(child) | Node::AtLeast { node: child, .. } => {
                child.terms()
            }
            Node::Near { left, right, .. } => left.terms() + right.terms(),
        }
    }

    /// The scopes of the words and phrases of a proximity side.
    pub fn text_scopes(&self) -> Vec<Scope> {
        match self {
            Node::Text { scope, .. } => vec![*scope],
            Node::Or(children) => children.iter().flat_map(Node::text_scopes).collect(),
            Node::Near { left, right, .. } => {
                let mut scopes = left.text_scopes();
                scopes.extend(right.text_scopes());
                scopes
            }
            _ => Vec::new(),
        }
    }

    /// `NOT` of this node: `NOT NOT a` is `a`.
    fn negated(self) -> Node {
        match self {
            Node::Not(inner) => *inner,
            other => Node::Not(Box::new(other)),
        }
    }

    /// Every item must match: groups of ANDs merged into one, repeated items once — but a
    /// plain word typed again is kept, up to [`MAX_REPEATS`] times: a long request that repeats
    /// a word says it matters, and ranking weighs it so.
    fn all_of(items: Vec<Node>) -> Node {
        Node::merged(items, |n| matches!(n, Node::And(_)), Node::And, MAX_REPEATS)
    }

    /// One branch must match: groups of ORs merged into one, repeated branches once (but a
    /// plain word typed again is kept, as in [`Node::all_of`]).
    fn any_of(branches: Vec<Node>) -> Node {
        Node::merged(
            branches,
            |n| matches!(n, Node::Or(_)),
            Node::Or,
            MAX_REPEATS,
        )
    }

    /// Whether this is a plain word (no phrase, any field).
    pub fn is_word(&self) -> bool {
        matches!(self, Node::Text { phrase: false, text, .. } if !text.contains(char::is_whitespace))
    }

    fn merged(
        items: Vec<Node>,
        same: fn(&Node) -> bool,
        make: fn(Vec<Node>) -> Node,
        word_repeats: usize,
    ) -> Node {
        let mut out: Vec<Node> = Vec::with_capacity(items.len());
        let push = |node: Node, out: &mut Vec<Node>| {
            let seen = out.iter().filter(|n| **n == node).count();
            let limit = if node.is_word() { word_repeats } else { 1 };
            if seen < limit {
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
            if self.at_loose_dash() || self.at_list_marker() {
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

    /// Skips a dash or plus sign standing alone between spaces (`appear to be - (a)`, pasted
    /// text): punctuation, not an operator. Returns whether it skipped one.
    fn at_loose_dash(&mut self) -> bool {
        let run = self.chars[self.pos..]
            .iter()
            .take_while(|c| matches!(c, '-' | '+'))
            .count();
        let loose = run > 0
            && self
                .chars
                .get(self.pos + run)
                .is_none_or(|c| c.is_whitespace() || *c == ')');
        if loose {
            self.pos += run;
        }
        loose
    }

    /// Skips a list marker of pasted text — `1)`, `(2)`, `a)`, `(b)`, `iv)` — standing
    /// between spaces: a number of up to three digits, one letter or a Roman numeral, closed by
    /// `)` (opened by `(` or, outside any group, not). Returns whether it skipped one.
    fn at_list_marker(&mut self) -> bool {
        let rest = &self.chars[self.pos..];
        let opened = rest.first() == Some(&'(');
        let label = &rest[usize::from(opened)..];
        let len = label.iter().take_while(|c| c.is_alphanumeric()).count();
        let text = &label[..len];
        let is_label = (1..=3).contains(&len) && text.iter().all(char::is_ascii_digit)
            || len == 1 && text[0].is_alphabetic()
            || (1..=4).contains(&len) && text.iter().all(|c| matches!(c, 'i' | 'v' | 'x'));
        let close = usize::from(opened) + len;
        let marker = is_label
            && rest.get(close) == Some(&')')
            && rest.get(close + 1).is_none_or(|c| c.is_whitespace())
            && (opened || self.depth == 0);
        if marker {
            self.pos += close + 1;
        }
        marker
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
                let node = self.parse_proximity(Within::Paragraph.level())?;
                Ok(if negate { node.negated() } else { node })
            }
            _ => self.parse_proximity(Within::Paragraph.level()),
        }
    }

    /// The proximity operator (after an optional `not`) at the cursor, if one is there: where
    /// it starts, what it says, whether it excludes, and where it ends.
    fn proximity_at(&mut self) -> Result<Option<(usize, Proximity, bool, usize)>> {
        let save = self.pos;
        let at = self.pos;
        let mut word = self.read_word();
        let mut exclude = false;
        if word.eq_ignore_ascii_case("not") {
            self.skip_ws();
            let next = self.read_word();
            if matches!(operators::proximity(&next), Some(Ok(_))) {
                word = next;
                exclude = true;
            }
        }
        let found = match operators::proximity(&word) {
            None => None,
            Some(Err(problem)) => return Err(self.error_at(at, problem)),
            Some(Ok(proximity)) => Some((at, proximity, exclude, self.pos)),
        };
        self.pos = save;
        Ok(found)
    }

    /// Proximity clauses whose operators bind at `level` or tighter, left to right:
    /// `a w/5 b w/s c` is `(a w/5 b) w/s c`, `a w/s b w/5 c` is `a w/s (b w/5 c)`.
    fn parse_proximity(&mut self, level: u8) -> Result<Node> {
        let side_at = self.pos;
        let mut left = match level {
            0 => self.parse_primary()?,
            _ => self.parse_proximity(level - 1)?,
        };
        let mut left_at = side_at;
        loop {
            let before = self.pos;
            self.skip_ws();
            let Some((at, op, exclude, end)) = self.proximity_at()? else {
                self.pos = before;
                return Ok(left);
            };
            if op.within.level() != level {
                self.pos = before;
                return Ok(left);
            }
            let name: String = self.chars[at..end].iter().collect();
            self.pos = end;
            self.skip_ws();
            if self.at_end()
                || self.peek() == Some(')')
                || self.at_operator("OR")
                || self.at_operator("AND")
            {
                return Err(self.error_at(at, format!("`{name}` needs a search term after it")));
            }
            let right_at = self.pos;
            if self.at_operator("NOT") || matches!(self.peek(), Some('-' | '+')) {
                return Err(self.error_at(
                    right_at,
                    format!("this side of `{name}` cannot be negated: write `a not {name} b`"),
                ));
            }
            let right = match level {
                0 => self.parse_primary()?,
                _ => self.parse_proximity(level - 1)?,
            };
            self.check_side(left_at, &left, &name)?;
            self.check_side(right_at, &right, &name)?;
            left = Node::Near {
                left: Box::new(left),
                right: Box::new(right),
                within: op.within,
                ordered: op.ordered,
                exclude,
            };
            self.check_side(right_at, &left, &name)?;
            left_at = side_at;
        }
    }

    /// A side of a proximity clause is a word, a phrase, a pattern, an OR of those or another
    /// proximity clause, searched in the text.
    fn check_side(&self, at: usize, side: &Node, operator: &str) -> Result<()> {
        let problem = match side {
            Node::Text {
                scope: Scope::Entity,
                ..
            } => Some("`entity:` names are not text"),
            Node::Text { .. } | Node::Near { .. } => None,
            Node::Or(children) => {
                for child in children {
                    self.check_side(at, child, operator)?;
                }
                None
            }
            Node::And(_) => Some(
                "several words are not one side: put a phrase in quotes (`\"vladimir putin\"`) or join alternatives with OR",
            ),
            Node::Not(_) => Some("a side cannot be negated: write `a not w/5 b`"),
            _ => Some("filters like `person:` or `published:` are not text: add them with AND"),
        };
        if let Some(problem) = problem {
            return Err(self.error_at(
                at,
                format!(
                    "this side of `{operator}` is not a word, a \"phrase\", a pattern, an (x OR y) group or a proximity clause: {problem}"
                ),
            ));
        }
        let scopes = side.text_scopes();
        if scopes.contains(&Scope::Title) && scopes.contains(&Scope::Body) {
            return Err(self.error_at(
                at,
                format!(
                    "both sides of `{operator}` must be in the same field: `title:` or `body:`"
                ),
            ));
        }
        Ok(())
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
                self.phrase(at, Scope::Any, text)
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

    /// A quoted phrase just read, and Lucene's `~N` after it: `"a b c"~N` is `a w/N b w/N c`.
    fn phrase(&mut self, at: usize, scope: Scope, text: String) -> Result<Node> {
        for word in text.split_whitespace() {
            self.check_pattern(at, word)?;
        }
        if self.peek() != Some('~') {
            return Ok(Node::Text {
                scope,
                text,
                phrase: true,
            });
        }
        let tilde = self.pos;
        self.pos += 1;
        let digits: String = self.read_word();
        let words: Vec<&str> = text.split_whitespace().collect();
        let within = match operators::proximity(&format!("w/{digits}")) {
            Some(Ok(p)) if !digits.is_empty() => p.within,
            Some(Err(problem)) => return Err(self.error_at(tilde, problem.replace("w/", "~"))),
            _ => {
                return Err(self.error_at(
                    tilde,
                    "`\"…\"~` needs a number: `\"putin kim\"~5` finds the words at most 5 words apart",
                ));
            }
        };
        if words.len() < 2 {
            return Err(self.error_at(tilde, "`\"…\"~N` needs at least two words in the quotes"));
        }
        let word = |w: &str| Node::Text {
            scope,
            text: w.to_string(),
            phrase: false,
        };
        let mut node = word(words[0]);
        for w in &words[1..] {
            node = Node::Near {
                left: Box::new(node),
                right: Box::new(word(w)),
                within,
                ordered: false,
                exclude: false,
            };
        }
        Ok(node)
    }

    /// A pattern that cannot be expanded is an error.
    fn check_pattern(&self, at: usize, word: &str) -> Result<()> {
        if is_pattern(word)
            && let Some(problem) = operators::pattern_problem(word)
        {
            return Err(self.error_at(at, problem));
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
                // `https://…` and the like are words, not fields; a colon before a space is
                // punctuation (`nutrition: vitamins`, pasted text).
                None if after.is_none_or(char::is_whitespace) => {
                    self.pos = end + 1;
                    return Ok(Node::Text {
                        scope: Scope::Any,
                        text: name,
                        phrase: false,
                    });
                }
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
        if let Some(problem) = operators::foreign(&word) {
            return Err(self.error_at(at, problem));
        }
        if let Some(found) = operators::proximity(&word) {
            let problem = found.err().unwrap_or_else(|| {
                format!("`{word}` needs a search term before it: `putin {word} kim`")
            });
            return Err(self.error_at(at, problem));
        }
        if let Some(times) = operators::at_least(&word) {
            let times = times.map_err(|problem| self.error_at(at, problem))?;
            return self.parse_at_least(at, &word, times);
        }
        if let Some(bounds) = operators::length(&word) {
            let (min, max) = bounds.map_err(|problem| self.error_at(at, problem))?;
            return Ok(Node::Length { min, max });
        }
        if word.eq_ignore_ascii_case("hlead") && self.peek() == Some('(') {
            let inner = self.parse_primary()?;
            return self.lead_of(at, inner);
        }
        self.check_pattern(at, &word)?;
        Ok(Node::Text {
            scope: Scope::Any,
            text: word,
            phrase: false,
        })
    }

    /// `atleastN word`, `atleastN(word)`, `atleastN "phrase"`: what follows, counted.
    fn parse_at_least(&mut self, at: usize, word: &str, times: u32) -> Result<Node> {
        self.skip_ws();
        if self.at_end()
            || self.peek() == Some(')')
            || self.at_operator("OR")
            || self.at_operator("AND")
        {
            return Err(self.error_at(
                at,
                format!("`{word}` needs a word after it: `{word} missile`"),
            ));
        }
        let node = self.parse_primary()?;
        let countable = match &node {
            Node::Text { scope, .. } => *scope != Scope::Entity,
            Node::Or(children) => children.iter().all(|c| matches!(c, Node::Text { .. })),
            _ => false,
        };
        if !countable {
            return Err(self.error_at(
                at,
                format!(
                    "`{word}` counts a word, a \"phrase\", a pattern or an (x OR y) group of them"
                ),
            ));
        }
        Ok(Node::AtLeast {
            times,
            node: Box::new(node),
        })
    }

    /// `hlead(…)` of a node: AND, OR and NOT apply to each part (`hlead(a AND NOT b)` is
    /// `hlead(a) AND NOT hlead(b)`); words, phrases, patterns and proximity clauses are
    /// matched in the headline or the first paragraph.
    fn lead_of(&self, at: usize, node: Node) -> Result<Node> {
        Ok(match node {
            Node::And(children) => Node::all_of(
                children
                    .into_iter()
                    .map(|c| self.lead_of(at, c))
                    .collect::<Result<_>>()?,
            ),
            Node::Or(children) => Node::any_of(
                children
                    .into_iter()
                    .map(|c| self.lead_of(at, c))
                    .collect::<Result<_>>()?,
            ),
            Node::Not(child) => Node::Not(Box::new(self.lead_of(at, *child)?)),
            Node::Lead(child) => Node::Lead(child),
            text @ (Node::Text { .. } | Node::Near { .. }) => {
                if text
                    .text_scopes()
                    .iter()
                    .any(|s| *s != Scope::Any && *s != Scope::Exact)
                {
                    return Err(self.error_at(
                        at,
                        "`hlead(…)` already names the headline and lead: leave out `title:`, `body:` and `entity:` inside it",
                    ));
                }
                Node::Lead(Box::new(text))
            }
            _ => {
                return Err(self.error_at(
                    at,
                    "`hlead(…)` holds words, phrases, patterns and proximity clauses; add filters like `person:` outside it with AND",
                ));
            }
        })
    }

    fn parse_field_value(&mut self, at: usize, name: &str, kind: FieldKind) -> Result<Node> {
        let value_at = self.pos;
        let (value, quoted) = match self.peek() {
            Some('"') => {
                let value = self.parse_quoted()?;
                match kind {
                    FieldKind::Text(scope) if !value.trim().is_empty() => {
                        return self.phrase(value_at, scope, value);
                    }
                    FieldKind::Lead if !value.trim().is_empty() => {
                        let phrase = self.phrase(value_at, Scope::Any, value)?;
                        return self.lead_of(at, phrase);
                    }
                    _ => {}
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
        if matches!(kind, FieldKind::Text(_) | FieldKind::Lead) && !quoted {
            self.check_pattern(value_at, &value)?;
        }
        Ok(match kind {
            FieldKind::Text(scope) => Node::Text {
                scope,
                text: value,
                phrase: quoted,
            },
            FieldKind::Lead => self.lead_of(
                at,
                Node::Text {
                    scope: Scope::Any,
                    text: value,
                    phrase: false,
                },
            )?,
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
    fn pasted_punctuation_is_not_an_operator() {
        assert_eq!(parse("- kim").unwrap(), word("kim"));
        assert_eq!(
            parse("appear to be - (a) method -- or + not").unwrap(),
            Node::And(vec![
                word("appear"),
                word("to"),
                word("be"),
                word("method"),
                word("or"),
                word("not"),
            ])
        );
        assert_eq!(
            parse("nutrition: vitamins").unwrap(),
            Node::And(vec![word("nutrition"), word("vitamins")])
        );
        assert_eq!(parse("vitamins:").unwrap(), word("vitamins"));
        assert_eq!(
            parse("entities: 1) bile duct (2) giant cell a) liver (iv) end").unwrap(),
            Node::And(
                ["entities", "bile", "duct", "giant", "cell", "liver", "end"]
                    .map(word)
                    .to_vec()
            )
        );
        // In a group, `a)` closes it; a stray `)` after a word is still an error.
        assert_eq!(
            parse("(kim OR a) b").unwrap(),
            Node::And(vec![Node::Or(vec![word("kim"), word("a")]), word("b")])
        );
        assert_eq!(err("putin)").0, 6);
        // `(a)` is a list marker; against a word a dash is still the sign of exclusion.
        assert_eq!(
            parse("summit -kim").unwrap(),
            Node::And(vec![word("summit"), word("kim").negated()])
        );
        assert_eq!(parse("kim -").unwrap(), word("kim"));
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
            parse("a OR (b OR (c OR (d e)))").unwrap(),
            Node::Or(vec![
                word("a"),
                word("b"),
                word("c"),
                Node::And(vec![word("d"), word("e")])
            ])
        );
        assert_eq!(
            parse("a OR (b OR a) OR (c d) OR (c d)").unwrap(),
            Node::Or(vec![
                word("a"),
                word("b"),
                word("a"),
                Node::And(vec![word("c"), word("d")])
            ])
        );
        // Repeated words are kept (they weigh in ranking), at most eight times; repeated
        // branches, phrases and groups count once.
        assert_eq!(
            parse(&"a ".repeat(1000)).unwrap(),
            Node::And(vec![word("a"); MAX_REPEATS])
        );
        assert_eq!(
            parse("a b a b").unwrap(),
            Node::And(vec![word("a"), word("b"), word("a"), word("b")])
        );
        assert_eq!(parse("a b a b").unwrap().terms(), 2);
        assert_eq!(
            parse(r#""a b" c "a b" (d OR e) (d OR e)"#).unwrap(),
            Node::And(vec![
                Node::Text {
                    scope: Scope::Any,
                    text: "a b".into(),
                    phrase: true
                },
                word("c"),
                Node::Or(vec![word("d"), word("e")])
            ])
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
                assert!(message.contains("257 different search terms; the limit is 256"));
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

    /// The canonical form of a parsed query.
    fn canonical(query: &str) -> String {
        match parse(query) {
            Ok(node) => node.to_string(),
            Err(e) => panic!("{query:?} did not parse: {e}"),
        }
    }

    #[test]
    fn proximity_in_every_dialect_has_one_meaning() {
        for (query, parsed) in [
            ("Putin w/5 Kim", "Putin W/5 Kim"),
            ("Putin /5 Kim", "Putin W/5 Kim"),
            ("Putin NEAR/5 Kim", "Putin W/5 Kim"),
            ("Putin near5 Kim", "Putin W/5 Kim"),
            ("\"Putin Kim\"~5", "Putin W/5 Kim"),
            ("Putin pre/3 Kim", "Putin PRE/3 Kim"),
            ("Putin adj3 Kim", "Putin PRE/3 Kim"),
            ("Putin ONEAR/3 Kim", "Putin PRE/3 Kim"),
            ("Putin w/s Kim", "Putin W/S Kim"),
            ("Putin /s Kim", "Putin W/S Kim"),
            ("Putin w/p Kim", "Putin W/P Kim"),
            ("Putin not w/5 Kim", "Putin NOT W/5 Kim"),
            ("Putin NOT w/s Kim", "Putin NOT W/S Kim"),
            ("\"a b c\"~2", "(a W/2 b) W/2 c"),
            ("title:\"a b\"~2", "title:a W/2 title:b"),
        ] {
            assert_eq!(canonical(query), parsed, "{query}");
        }
    }

    #[test]
    fn proximity_binds_tighter_than_and_or_not_and_words_tighter_than_sentences() {
        for (query, parsed) in [
            ("a w/5 b c", "(a W/5 b) AND c"),
            ("a OR b w/5 c", "a OR (b W/5 c)"),
            ("-a w/5 b", "NOT (a W/5 b)"),
            ("NOT a w/5 b", "NOT (a W/5 b)"),
            ("a w/5 b w/3 c", "(a W/5 b) W/3 c"),
            ("a w/s b w/5 c", "a W/S (b W/5 c)"),
            ("a w/p b w/s c", "a W/P (b W/S c)"),
            ("a w/5 b w/p c w/s d", "(a W/5 b) W/P (c W/S d)"),
            ("(a OR b) w/5 \"c d\"", "(a OR b) W/5 \"c d\""),
            ("sanct* w/3 (putin OR kim)", "sanct* W/3 (putin OR kim)"),
            ("a w/5 (b w/2 c)", "a W/5 (b W/2 c)"),
            ("a NOT b", "a AND NOT b"),
            ("a not b", "a AND not AND b"),
            ("near the border", "near AND the AND border"),
        ] {
            assert_eq!(canonical(query), parsed, "{query}");
        }
    }

    #[test]
    fn patterns_prominence_and_length() {
        for (query, parsed) in [
            ("sanct*", "sanct*"),
            ("wom?n", "wom?n"),
            ("sanction!", "sanction!"),
            ("\"nuclear weapon*\"", "\"nuclear weapon*\""),
            ("atleast3 missile", "ATLEAST3(missile)"),
            ("atleast3(missile)", "ATLEAST3(missile)"),
            ("ATLEAST2 \"state visit\"", "ATLEAST2(\"state visit\")"),
            ("hlead(summit)", "HLEAD(summit)"),
            ("hlead(a AND NOT b)", "HLEAD(a) AND NOT HLEAD(b)"),
            ("hlead(a w/3 b)", "HLEAD(a W/3 b)"),
            ("lead:summit", "HLEAD(summit)"),
            ("lead:\"state visit\"", "HLEAD(\"state visit\")"),
            ("length>500", "LENGTH>=501"),
            ("wc<200", "LENGTH<=199"),
            ("length>=10", "LENGTH>=10"),
            ("published:2024-06", "published:[2024-06-01 TO 2024-07-01)"),
            ("person:\"Kim Jong Un\"", "person:\"Kim Jong Un\""),
        ] {
            assert_eq!(canonical(query), parsed, "{query}");
        }
    }

    #[test]
    fn malformed_operators_are_errors_naming_the_position_and_the_fix() {
        for (query, position, says) in [
            ("Putin w/ Kim", 7, "`w/` needs a number of words"),
            ("Putin NEAR/ Kim", 7, "`NEAR/` needs a number"),
            (
                "Putin w/0 Kim",
                7,
                "distances start at 1 (`w/1` is next to each other)",
            ),
            ("Putin w/5000 Kim", 7, "the widest distance is 1000 words"),
            ("Putin pre/", 7, "`pre/` needs a number"),
            ("Putin pre/3", 7, "`pre/3` needs a search term after it"),
            ("Putin w/5 OR Kim", 7, "`w/5` needs a search term after it"),
            ("w/5 Kim", 1, "`w/5` needs a search term before it"),
            ("(Putin w/5) Kim", 8, "needs a search term after it"),
            ("\"Putin Kim\"~", 12, "needs a number"),
            ("\"Putin Kim\"~0", 12, "distances start at 1"),
            ("\"Putin\"~3", 8, "at least two words"),
            ("(vladimir putin) w/5 kim", 1, "put a phrase in quotes"),
            ("person:kim w/5 putin", 1, "filters like `person:`"),
            ("title:kim w/5 body:putin", 15, "must be in the same field"),
            ("kim w/5 -putin", 9, "cannot be negated"),
            ("kim w/5 NOT putin", 9, "write `a not w/5 b`"),
            ("kim w/seg putin", 5, "same segment"),
            ("*tion", 1, "at least 2 letters before its first"),
            ("s*", 1, "at least 2 letters"),
            ("wom!n", 1, "`!` ends a word"),
            ("\"nuclear *pons\"", 1, "at least 2 letters"),
            ("atleast0 missile", 1, "at least once"),
            ("atleast3", 1, "needs a word after it"),
            ("atleast3 person:kim", 1, "counts a word"),
            (
                "hlead(person:kim)",
                1,
                "add filters like `person:` outside it",
            ),
            ("length>", 1, "needs a number of words"),
            ("putin~2", 1, "fuzzy matching (`~`) is not supported"),
            ("x?𐞣", 1, "at least 2 letters"),
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
            "adj",
            "/",
            "nearby",
            "lengthy",
            "ab?𐞣",
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
