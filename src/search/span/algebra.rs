//! Which words of one field match a proximity tree: spans of positions computed from the
//! positions of each leaf, the same way whether they come from the index's postings (to find
//! and score articles) or from analysing an article's text again (to highlight it).

use crate::search::query::Within;

/// The words `[start, end)` of a field a match covers, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Position of the first word.
    pub start: u32,
    /// Position after the last word.
    pub end: u32,
}

impl Span {
    fn width(self) -> u32 {
        self.end - self.start
    }
}

/// What a proximity query matches in one field. Leaves are numbered; each is a set of terms
/// (the forms of a word, or a pattern's expansion), looked up by whoever supplies positions.
#[derive(Debug, Clone, PartialEq)]
pub enum SpanTree {
    /// An occurrence of any of a leaf's terms.
    Leaf(usize),
    /// Children at fixed offsets from the first one's start: a phrase.
    Phrase(Vec<(u32, SpanTree)>),
    /// Any child.
    Or(Vec<SpanTree>),
    /// `left` near `right` (`exclude`: `left` with no `right` near it).
    Near {
        /// The left side.
        left: Box<SpanTree>,
        /// The right side.
        right: Box<SpanTree>,
        /// How near.
        within: Within,
        /// Whether `left` must come first.
        ordered: bool,
        /// Whether this matches `left` where `right` is *not* near.
        exclude: bool,
    },
    /// Matches of the child that end before the field's second paragraph.
    Lead(Box<SpanTree>),
}

/// The positions of one article's field a tree is matched against, all sorted.
pub trait Positions {
    /// Where a leaf's terms occur.
    fn leaf(&self, leaf: usize) -> &[u32];
    /// Where sentences start, except the first.
    fn sentences(&self) -> &[u32];
    /// Where paragraphs start, except the first.
    fn paragraphs(&self) -> &[u32];
}

/// Which leaves an article must hold for a tree to possibly match it.
#[derive(Debug, Clone, PartialEq)]
pub enum Need {
    /// This leaf.
    Leaf(usize),
    /// Every one of these.
    All(Vec<Need>),
    /// One of these.
    Any(Vec<Need>),
}

impl SpanTree {
    /// The tree's matches, sorted, each once.
    pub fn spans(&self, at: &dyn Positions) -> Vec<Span> {
        let mut out = match self {
            SpanTree::Leaf(leaf) => {
                return at
                    .leaf(*leaf)
                    .iter()
                    .map(|&p| Span {
                        start: p,
                        end: p + 1,
                    })
                    .collect();
            }
            SpanTree::Phrase(children) => phrase(children, at),
            SpanTree::Or(children) => children.iter().flat_map(|c| c.spans(at)).collect(),
            SpanTree::Near {
                left,
                right,
                within,
                ordered,
                exclude,
            } => {
                let rule = Rule {
                    within: *within,
                    ordered: *ordered,
                    units: match within {
                        Within::Words(_) => &[],
                        Within::Sentence => at.sentences(),
                        Within::Paragraph => at.paragraphs(),
                    },
                };
                near(&left.spans(at), &right.spans(at), &rule, *exclude)
            }
            SpanTree::Lead(child) => {
                let mut spans = child.spans(at);
                if let Some(&second) = at.paragraphs().first() {
                    spans.retain(|s| s.end <= second);
                }
                return spans;
            }
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The narrowest match the tree can have, in words.
    pub fn min_width(&self) -> u32 {
        match self {
            SpanTree::Leaf(_) => 1,
            SpanTree::Phrase(children) => children
                .iter()
                .map(|(o, c)| o + c.min_width())
                .max()
                .unwrap_or(1),
            SpanTree::Or(children) => children.iter().map(SpanTree::min_width).min().unwrap_or(1),
            SpanTree::Near {
                left,
                right,
                exclude,
                ..
            } => {
                if *exclude {
                    left.min_width()
                } else {
                    left.min_width() + right.min_width()
                }
            }
            SpanTree::Lead(child) => child.min_width(),
        }
    }

    /// How much a match counts towards the score: 1 for the tightest possible match, less
    /// the more words stand between its parts (Lucene's sloppy frequency).
    pub fn weight_of(&self, span: Span) -> f32 {
        let extra = span.width().saturating_sub(self.min_width());
        1.0 / (1.0 + extra as f32)
    }

    /// Which leaves an article must hold for the tree to possibly match it.
    pub fn need(&self) -> Need {
        match self {
            SpanTree::Leaf(leaf) => Need::Leaf(*leaf),
            SpanTree::Phrase(children) => {
                Need::All(children.iter().map(|(_, c)| c.need()).collect())
            }
            SpanTree::Or(children) => Need::Any(children.iter().map(SpanTree::need).collect()),
            SpanTree::Near {
                left,
                right,
                exclude,
                ..
            } => {
                if *exclude {
                    left.need()
                } else {
                    Need::All(vec![left.need(), right.need()])
                }
            }
            SpanTree::Lead(child) => child.need(),
        }
    }

    /// Whether matching reads sentence starts, and paragraph starts.
    pub fn reads_boundaries(&self) -> (bool, bool) {
        match self {
            SpanTree::Leaf(_) => (false, false),
            SpanTree::Phrase(children) => any_reads(children.iter().map(|(_, c)| c)),
            SpanTree::Or(children) => any_reads(children.iter()),
            SpanTree::Near {
                left,
                right,
                within,
                ..
            } => {
                let (s, p) = any_reads([left.as_ref(), right.as_ref()].into_iter());
                (
                    s || *within == Within::Sentence,
                    p || *within == Within::Paragraph,
                )
            }
            SpanTree::Lead(child) => (child.reads_boundaries().0, true),
        }
    }
}

fn any_reads<'a>(trees: impl Iterator<Item = &'a SpanTree>) -> (bool, bool) {
    trees.fold((false, false), |(s, p), t| {
        let (ts, tp) = t.reads_boundaries();
        (s || ts, p || tp)
    })
}

fn phrase(children: &[(u32, SpanTree)], at: &dyn Positions) -> Vec<Span> {
    let Some(((first_offset, first), rest)) = children.split_first() else {
        return Vec::new();
    };
    let rest: Vec<(u32, Vec<Span>)> = rest.iter().map(|(o, c)| (*o, c.spans(at))).collect();
    let mut out = Vec::new();
    'starts: for span in first.spans(at) {
        let Some(start) = span.start.checked_sub(*first_offset) else {
            continue;
        };
        let mut end = span.end;
        for (offset, spans) in &rest {
            let want = start + offset;
            let i = spans.partition_point(|s| s.start < want);
            match spans.get(i) {
                Some(s) if s.start == want => end = end.max(s.end),
                _ => continue 'starts,
            }
        }
        out.push(Span { start, end });
    }
    out
}

/// How near two matches must be.
struct Rule<'a> {
    within: Within,
    ordered: bool,
    /// Starts of the units (sentences or paragraphs) `within` names, if it names some.
    units: &'a [u32],
}

impl Rule<'_> {
    /// Whether `x` (left) and `y` (right) are near enough, without overlapping.
    fn fits(&self, x: Span, y: Span) -> bool {
        let (first, second) = if x.start <= y.start { (x, y) } else { (y, x) };
        if first.end > second.start || (self.ordered && first != x) {
            return false;
        }
        match self.within {
            Within::Words(n) => second.start - first.end < n,
            Within::Sentence | Within::Paragraph => {
                self.unit(first.start) == self.unit(second.end - 1)
            }
        }
    }

    fn unit(&self, position: u32) -> usize {
        self.units.partition_point(|&m| m <= position)
    }

    /// The starts a right-hand match near `x` can have: `[from, to]`.
    fn window(&self, x: Span, widest: u32) -> (u32, u32) {
        match self.within {
            Within::Words(n) => (
                x.start.saturating_sub(n - 1 + widest),
                x.end.saturating_add(n - 1),
            ),
            Within::Sentence | Within::Paragraph => {
                let unit = self.unit(x.start);
                let from = if unit == 0 { 0 } else { self.units[unit - 1] };
                let to = self.units.get(unit).map_or(u32::MAX, |&next| next - 1);
                (from, to)
            }
        }
    }
}

/// For each left match, the tightest cover of it and a right match near it (`exclude`: the
/// left matches with no right match near).
fn near(left: &[Span], right: &[Span], rule: &Rule, exclude: bool) -> Vec<Span> {
    let widest = right.iter().map(|s| s.width()).max().unwrap_or(1);
    let mut out = Vec::new();
    for &x in left {
        let (from, to) = rule.window(x, widest);
        let mut best: Option<Span> = None;
        let first = right.partition_point(|s| s.start < from);
        for &y in right[first..].iter().take_while(|s| s.start <= to) {
            if !rule.fits(x, y) {
                continue;
            }
            let cover = Span {
                start: x.start.min(y.start),
                end: x.end.max(y.end),
            };
            if best.is_none_or(|b| cover.width() < b.width()) {
                best = Some(cover);
            }
        }
        match (best, exclude) {
            (Some(cover), false) => out.push(cover),
            (None, true) => out.push(x),
            _ => {}
        }
    }
    out
}

/// Positions held in memory: each leaf's, and where sentences and paragraphs start.
#[derive(Debug, Clone, Default)]
pub struct PositionLists {
    /// Each leaf's positions, sorted.
    pub leaves: Vec<Vec<u32>>,
    /// Positions where a sentence starts (but the text's first).
    pub sentences: Vec<u32>,
    /// Positions where a paragraph starts (but the text's first).
    pub paragraphs: Vec<u32>,
}

impl Positions for PositionLists {
    fn leaf(&self, leaf: usize) -> &[u32] {
        &self.leaves[leaf]
    }

    fn sentences(&self) -> &[u32] {
        &self.sentences
    }

    fn paragraphs(&self) -> &[u32] {
        &self.paragraphs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions of the words of a text: leaf `i` is the `i`th distinct word; `.` ends a
    /// sentence, `|` a paragraph.
    fn positions(words: &[&str], text: &str) -> PositionLists {
        let mut t = PositionLists {
            leaves: vec![Vec::new(); words.len()],
            ..PositionLists::default()
        };
        let mut position = 0;
        for token in text.split_whitespace() {
            match token {
                "." => t.sentences.push(position),
                "|" => {
                    t.sentences.push(position);
                    t.paragraphs.push(position);
                }
                word => {
                    if let Some(i) = words.iter().position(|w| *w == word) {
                        t.leaves[i].push(position);
                    }
                    position += 1;
                }
            }
        }
        t
    }

    fn near(within: Within, ordered: bool, exclude: bool) -> SpanTree {
        SpanTree::Near {
            left: Box::new(SpanTree::Leaf(0)),
            right: Box::new(SpanTree::Leaf(1)),
            within,
            ordered,
            exclude,
        }
    }

    fn matches(tree: &SpanTree, text: &str) -> Vec<(u32, u32)> {
        tree.spans(&positions(&["a", "b", "c"], text))
            .into_iter()
            .map(|s| (s.start, s.end))
            .collect()
    }

    #[test]
    fn within_n_words_counts_positions_apart_in_either_order() {
        let w2 = near(Within::Words(2), false, false);
        assert_eq!(matches(&w2, "a b"), vec![(0, 2)]);
        assert_eq!(matches(&w2, "a x b"), vec![(0, 3)]);
        assert_eq!(matches(&w2, "a x x b"), vec![]);
        assert_eq!(matches(&w2, "b x a"), vec![(0, 3)]);
        let w1 = near(Within::Words(1), false, false);
        assert_eq!(matches(&w1, "b a x b"), vec![(0, 2)]);
    }

    #[test]
    fn ordered_needs_the_left_side_first() {
        let pre = near(Within::Words(3), true, false);
        assert_eq!(matches(&pre, "a x b"), vec![(0, 3)]);
        assert_eq!(matches(&pre, "b x a"), vec![]);
    }

    #[test]
    fn a_word_does_not_stand_near_itself() {
        let tree = SpanTree::Near {
            left: Box::new(SpanTree::Leaf(0)),
            right: Box::new(SpanTree::Leaf(0)),
            within: Within::Words(3),
            ordered: false,
            exclude: false,
        };
        assert_eq!(matches(&tree, "a x x x x a"), vec![]);
        assert_eq!(matches(&tree, "a x a"), vec![(0, 3)]);
    }

    #[test]
    fn sentences_and_paragraphs_bound_matches() {
        let s = near(Within::Sentence, false, false);
        assert_eq!(matches(&s, "a x x x x x x b . x"), vec![(0, 8)]);
        assert_eq!(matches(&s, "a x . b"), vec![]);
        assert_eq!(matches(&s, "x . b x a . a"), vec![(1, 4)]);
        let p = near(Within::Paragraph, false, false);
        assert_eq!(matches(&p, "a . b | x"), vec![(0, 2)]);
        assert_eq!(matches(&p, "a . x | b"), vec![]);
    }

    #[test]
    fn exclusion_keeps_the_left_matches_with_nothing_near() {
        let not = near(Within::Words(2), false, true);
        assert_eq!(matches(&not, "a x x x b a"), vec![(0, 1)]);
        assert_eq!(matches(&not, "a b"), vec![]);
    }

    #[test]
    fn phrases_and_nested_clauses_are_sides() {
        // "a b" w/2 c
        let tree = SpanTree::Near {
            left: Box::new(SpanTree::Phrase(vec![
                (0, SpanTree::Leaf(0)),
                (1, SpanTree::Leaf(1)),
            ])),
            right: Box::new(SpanTree::Leaf(2)),
            within: Within::Words(2),
            ordered: false,
            exclude: false,
        };
        assert_eq!(matches(&tree, "c x a b"), vec![(0, 4)]);
        assert_eq!(matches(&tree, "b a x c"), vec![]);
        assert_eq!(tree.min_width(), 3);
        assert_eq!(tree.weight_of(Span { start: 0, end: 4 }), 0.5);
        let lead = SpanTree::Lead(Box::new(tree));
        assert_eq!(matches(&lead, "a b c | a b c"), vec![(0, 3)]);
        assert_eq!(lead.reads_boundaries(), (false, true));
    }
}
