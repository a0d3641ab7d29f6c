//! Recognising the operator words of the query language, and of other tools' languages: a
//! word that looks like an operator is either understood or an error, never searched as text.

/// How near the two sides of a proximity clause must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// At most this many positions apart (`w/1`: next to each other).
    Words(u32),
    /// In the same sentence.
    Sentence,
    /// In the same paragraph.
    Paragraph,
}

impl Within {
    /// Binding strength: word distances bind tighter than sentences, sentences than
    /// paragraphs (as on Nexis).
    pub fn level(self) -> u8 {
        match self {
            Within::Words(_) => 0,
            Within::Sentence => 1,
            Within::Paragraph => 2,
        }
    }
}

/// Widest word distance a proximity operator may ask for.
pub const MAX_DISTANCE: u32 = 1000;

/// A proximity operator as typed: how near, and whether the left side must come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proximity {
    /// How near.
    pub within: Within,
    /// Whether the left side must come first.
    pub ordered: bool,
}

/// Reads `word` as a proximity operator: `None` if it is not one, an error if it is one
/// written wrong (`w/`, `w/0`).
pub fn proximity(word: &str) -> Option<Result<Proximity, String>> {
    let lower = word.to_ascii_lowercase();
    let fixed = |within, ordered| Some(Ok(Proximity { within, ordered }));
    match lower.as_str() {
        "w/s" | "/s" => return fixed(Within::Sentence, false),
        "w/p" | "/p" => return fixed(Within::Paragraph, false),
        "w/seg" => {
            return Some(Err(format!(
                "`{word}` (same segment) has no meaning here: articles have a `title:` and a body; use `hlead(…)` for the headline or lead"
            )));
        }
        _ => {}
    }
    // Longest prefixes first: `onear/` before `near/`, `near/` before `near`.
    const PREFIXES: [(&str, bool, bool); 7] = [
        ("onear/", true, true),
        ("near/", false, true),
        ("pre/", true, true),
        ("w/", false, true),
        ("/", false, false),
        ("near", false, false),
        ("adj", true, false),
    ];
    for (prefix, ordered, alone_is_error) in PREFIXES {
        let Some(rest) = lower.strip_prefix(prefix) else {
            continue;
        };
        if rest.is_empty() {
            return alone_is_error.then(|| {
                Err(format!(
                    "`{word}` needs a number of words: `{word}5` finds the two sides at most 5 words apart"
                ))
            });
        }
        if !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = rest.parse().unwrap_or(u64::MAX);
        let name = &word[..prefix.len()];
        if n == 0 {
            return Some(Err(format!(
                "`{word}`: distances start at 1 (`{name}1` is next to each other)"
            )));
        }
        if n > u64::from(MAX_DISTANCE) {
            return Some(Err(format!(
                "`{word}`: the widest distance is {MAX_DISTANCE} words; use `w/p` for the same paragraph"
            )));
        }
        return Some(Ok(Proximity {
            within: Within::Words(n as u32),
            ordered,
        }));
    }
    None
}

/// Reads `atleastN`: `None` if `word` is not one, an error for `atleast0`.
pub fn at_least(word: &str) -> Option<Result<u32, String>> {
    let rest = word
        .to_ascii_lowercase()
        .strip_prefix("atleast")?
        .to_string();
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match rest.parse::<u32>() {
        Ok(0) => Some(Err(format!(
            "`{word}`: a word occurs at least once (`atleast1`) or more"
        ))),
        Ok(n) if n <= 1000 => Some(Ok(n)),
        _ => Some(Err(format!("`{word}`: at most `atleast1000`"))),
    }
}

/// The least and most words a length filter allows, inclusive.
pub type WordBounds = (Option<u32>, Option<u32>);

/// Reads a word-count filter, `length>500`, `length<200`, Factiva's `wc>500`. `None` if
/// `word` is not one.
pub fn length(word: &str) -> Option<Result<WordBounds, String>> {
    let lower = word.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("length")
        .or_else(|| lower.strip_prefix("wc"))?;
    let (more, number) = match rest.as_bytes().first() {
        Some(b'>') => (true, &rest[1..]),
        Some(b'<') => (false, &rest[1..]),
        _ => return None,
    };
    let (inclusive, number) = match number.strip_prefix('=') {
        Some(n) => (true, n),
        None => (false, number),
    };
    let Ok(n) = number.parse::<u32>() else {
        return Some(Err(format!(
            "`{word}` needs a number of words: `length>500` or `length<200`"
        )));
    };
    Some(Ok(match (more, inclusive) {
        (true, true) => (Some(n), None),
        (true, false) => (Some(n.saturating_add(1)), None),
        (false, true) => (None, Some(n)),
        (false, false) => match n.checked_sub(1) {
            Some(max) => (None, Some(max)),
            None => return Some(Err(format!("`{word}`: no article has fewer than 0 words"))),
        },
    }))
}

/// Characters a pattern's wildcards are written with.
pub const WILDCARDS: [char; 3] = ['*', '?', '!'];

/// Letters a pattern must start with before its first wildcard.
pub const MIN_PATTERN_PREFIX: usize = 2;

/// Whether a word as typed is a truncation or wildcard pattern (`sanct*`, `sanction!`,
/// `wom?n`). A URL's `?` is not, nor is a question mark ending a word ("Putin?").
pub fn is_pattern(word: &str) -> bool {
    if word.contains("://") || word.chars().count() < 2 {
        return false;
    }
    let inner = &word[..word.len() - word.chars().last().map_or(0, char::len_utf8)];
    word.ends_with('*') || word.ends_with('!') || inner.contains(['*', '?', '!'])
}

/// Why a pattern cannot be expanded, if it cannot.
pub fn pattern_problem(word: &str) -> Option<String> {
    let inner = &word[..word.len() - word.chars().last().map_or(0, char::len_utf8)];
    if inner.contains('!') {
        return Some(format!(
            "`{word}`: `!` ends a word (`sanction!`); use `?` for one letter or `*` for any"
        ));
    }
    let prefix = word.chars().take_while(|c| !WILDCARDS.contains(c)).count();
    if prefix < MIN_PATTERN_PREFIX {
        return Some(format!(
            "`{word}`: a pattern starts with at least {MIN_PATTERN_PREFIX} letters before its first `*`, `?` or `!`"
        ));
    }
    None
}

/// Why `word` is an operator of another tool that Dateline does not run, if it is one.
pub fn foreign(word: &str) -> Option<String> {
    let tilde = word.find('~')?;
    let rest = &word[tilde + 1..];
    (tilde > 0 && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')).then(|| {
        format!(
            "`{word}`: fuzzy matching (`~`) is not supported; the word's other forms match already, or use a pattern like `{}*`",
            &word[..tilde.min(word.len())]
        )
    })
}
