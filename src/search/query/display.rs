//! The canonical form of a parsed query: what the response says was searched, and what the
//! parser tests compare. Operators are upper case, every group is in parentheses, and
//! `published:` shows the half-open interval it searches.

use std::fmt;

use super::{DateRange, KeywordField, Node, Scope, Within};

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, true)
    }
}

impl Scope {
    /// The field prefix a scope is written with (`""` for every text field).
    fn prefix(self) -> &'static str {
        match self {
            Scope::Any => "",
            Scope::Title => "title:",
            Scope::Body => "body:",
            Scope::Exact => "exact:",
            Scope::Entity => "entity:",
        }
    }
}

impl KeywordField {
    /// The field's name in the query language.
    pub fn name(self) -> &'static str {
        match self {
            KeywordField::Person => "person",
            KeywordField::Place => "place",
            KeywordField::Org => "org",
            KeywordField::Source => "source",
            KeywordField::DatelinePlace => "dateline",
            KeywordField::Credit => "credit",
            KeywordField::Language => "language",
            KeywordField::Author => "author",
            KeywordField::Section => "section",
            KeywordField::Tag => "tag",
            KeywordField::Id => "id",
        }
    }
}

fn quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    write!(f, "\"{}\"", text.replace('"', ""))
}

fn day(f: &mut fmt::Formatter<'_>, at: Option<time::OffsetDateTime>) -> fmt::Result {
    match at {
        None => f.write_str("*"),
        Some(t) if t.time() == time::Time::MIDNIGHT => write!(f, "{}", t.date()),
        Some(t) => {
            let text = t
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(|_| fmt::Error)?;
            f.write_str(&text)
        }
    }
}

fn range(f: &mut fmt::Formatter<'_>, r: &DateRange) -> fmt::Result {
    f.write_str("published:[")?;
    day(f, r.from)?;
    f.write_str(" TO ")?;
    day(f, r.to)?;
    f.write_str(")")
}

impl Node {
    fn write(&self, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result {
        let (open, close) = if top { ("", "") } else { ("(", ")") };
        match self {
            Node::All => f.write_str("*"),
            Node::Text {
                scope,
                text,
                phrase,
            } => {
                f.write_str(scope.prefix())?;
                if *phrase || text.contains(char::is_whitespace) {
                    quoted(f, text)
                } else {
                    f.write_str(text)
                }
            }
            Node::Keyword { field, value } => {
                write!(f, "{}:", field.name())?;
                if value.contains(char::is_whitespace) || value.is_empty() {
                    quoted(f, value)
                } else {
                    f.write_str(value)
                }
            }
            Node::Published(r) => range(f, r),
            Node::And(children) | Node::Or(children) => {
                let joiner = if matches!(self, Node::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                f.write_str(open)?;
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(joiner)?;
                    }
                    child.write(f, false)?;
                }
                f.write_str(close)
            }
            Node::Not(child) => {
                f.write_str("NOT ")?;
                child.write(f, false)
            }
            Node::Near {
                left,
                right,
                within,
                ordered,
                exclude,
            } => {
                f.write_str(open)?;
                left.write(f, false)?;
                f.write_str(if *exclude { " NOT " } else { " " })?;
                match (within, ordered) {
                    (Within::Words(n), false) => write!(f, "W/{n}")?,
                    (Within::Words(n), true) => write!(f, "PRE/{n}")?,
                    (Within::Sentence, _) => f.write_str("W/S")?,
                    (Within::Paragraph, _) => f.write_str("W/P")?,
                }
                f.write_str(" ")?;
                right.write(f, false)?;
                f.write_str(close)
            }
            Node::AtLeast { times, node } => {
                write!(f, "ATLEAST{times}(")?;
                node.write(f, true)?;
                f.write_str(")")
            }
            Node::Lead(child) => {
                f.write_str("HLEAD(")?;
                child.write(f, true)?;
                f.write_str(")")
            }
            Node::Length { min, max } => match (min, max) {
                (Some(min), None) => write!(f, "LENGTH>={min}"),
                (None, Some(max)) => write!(f, "LENGTH<={max}"),
                (Some(min), Some(max)) => write!(f, "(LENGTH>={min} AND LENGTH<={max})"),
                (None, None) => f.write_str("*"),
            },
        }
    }
}
