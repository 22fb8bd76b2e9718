//! Where Lucene's `StandardTokenizer` grammar cuts a UAX#29 segment differently.
//!
//! `unicode-segmentation` follows today's UAX#29; Lucene's JFlex grammar (Unicode 9
//! properties, its own emoji rules) differs inside a segment:
//!
//! * a token never starts on a combining mark or format character (such a segment can
//!   only begin at the start of the text or after a line break): they are skipped;
//! * an emoji glued to a word — by a zero-width joiner (`a\u{200D}😀`, rule WB3c) or as a
//!   skin tone (`a🏻`; skin tones are `Extend` today) — is its own token, and a word after
//!   it starts a new one; a skin tone only joins a modifier base, VS16 only follows an
//!   emoji once, VS15 ends one;
//! * a word needs a letter or digit (`_` and marks alone are not a token); South-East
//!   Asian marks that UAX#29 attached to such connectors start a run of their own;
//! * after a Hebrew `letter"letter` unit, a word cannot go on with punctuation.
//!
//! Flags and keycaps at the start of a segment, merging South-East Asian runs across
//! segments and words after a Hebrew `'` are handled by the caller (`tokenizer.rs`).

use super::charclass::{
    is_complex_context, is_emoji_modifier, is_emoji_modifier_base, is_extend_num_let,
    is_extend_or_format, is_extended_pictographic, is_word_core,
};

const ZWJ: char = '\u{200D}';
/// Emoji presentation selector (VS16): allowed once after an emoji character.
const VS16: char = '\u{FE0F}';
/// Text presentation selector (VS15): ends an emoji token.
const VS15: char = '\u{FE0E}';

/// What a piece of a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PieceKind {
    /// Letters/digits (with inner punctuation, connectors and marks).
    Word,
    /// An emoji sequence.
    Emoji,
    /// A run of South-East Asian letters (Thai, Lao, Khmer, Myanmar, ...).
    SoutheastAsian,
}

/// Where the scanner is inside an emoji token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Emoji {
    /// After zero-width joiners, before the emoji they join.
    Joining,
    /// After an emoji character and its marks; `base`: a skin tone may follow;
    /// `presented`: its VS16 was seen.
    Char { base: bool, presented: bool },
    /// After a skin-tone modifier and its marks.
    Modifier,
}

/// Progress through a Hebrew `letter"letter` (gershayim) unit inside a word: Lucene's grammar
/// can only go on after one with a letter, digit or connector, not with punctuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gershayim {
    None,
    Letter,
    Quote,
    Pair,
}

impl Gershayim {
    fn next(self, c: char) -> Self {
        if is_hebrew_letter(c) {
            if self == Self::Quote {
                Self::Pair
            } else {
                Self::Letter
            }
        } else if c == '"' && self == Self::Letter {
            Self::Quote
        } else if is_extend_or_format(c) {
            self
        } else {
            Self::None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between tokens, skipping what cannot start one.
    Skip,
    /// In a word from `start`; `core`: it has a letter or digit.
    Word {
        start: usize,
        core: bool,
        hebrew: Gershayim,
    },
    /// In an emoji token from `start`.
    Emoji { start: usize, at: Emoji },
    /// In a South-East Asian run from `start`.
    SoutheastAsian { start: usize },
}

/// A letter or digit that is not itself a combining mark (some marks are `Alphabetic`).
fn is_base_core(c: char) -> bool {
    is_word_core(c) && !is_extend_or_format(c)
}

fn emoji_element(c: char) -> Emoji {
    if is_emoji_modifier(c) {
        Emoji::Modifier
    } else {
        Emoji::Char {
            base: is_emoji_modifier_base(c),
            presented: false,
        }
    }
}

/// The state after `c` at byte `i` when no token is open; `rest` is the text after `c`.
fn begin(i: usize, c: char, rest: &str) -> State {
    if is_complex_context(c) {
        State::SoutheastAsian { start: i }
    } else if is_extended_pictographic(c) || is_emoji_modifier(c) {
        State::Emoji {
            start: i,
            at: emoji_element(c),
        }
    } else if c == ZWJ
        && rest
            .trim_start_matches(ZWJ)
            .starts_with(is_extended_pictographic)
    {
        State::Emoji {
            start: i,
            at: Emoji::Joining,
        }
    } else if is_base_core(c) || is_extend_num_let(c) {
        State::Word {
            start: i,
            core: is_base_core(c),
            hebrew: Gershayim::None.next(c),
        }
    } else {
        State::Skip
    }
}

/// The emoji state after `c`, or `None` when `c` does not belong to the open emoji token.
fn continue_emoji(at: Emoji, c: char, prev: Option<char>, next: Option<char>) -> Option<Emoji> {
    let joined = prev == Some(ZWJ);
    if is_extended_pictographic(c) {
        // A new element, only when a zero-width joiner glues it on.
        return joined.then(|| emoji_element(c));
    }
    if is_emoji_modifier(c) {
        // A skin tone attaches to a modifier base (no VS16 in between) or after a joiner.
        let on_base = at
            == Emoji::Char {
                base: true,
                presented: false,
            };
        return (on_base || joined).then_some(Emoji::Modifier);
    }
    match (at, c) {
        (Emoji::Joining, ZWJ) => Some(Emoji::Joining),
        (Emoji::Joining, _) => None,
        (
            Emoji::Char {
                base,
                presented: false,
            },
            VS16,
        ) => Some(Emoji::Char {
            base,
            presented: true,
        }),
        (_, VS16 | VS15) => None,
        // After VS16 only a joiner that glues on another element continues the token.
        (
            Emoji::Char {
                presented: true, ..
            },
            ZWJ,
        ) => next
            .is_some_and(|n| is_extended_pictographic(n) || is_emoji_modifier(n))
            .then_some(at),
        (
            Emoji::Char {
                presented: true, ..
            },
            _,
        ) => None,
        (_, x) if is_extend_or_format(x) => Some(at),
        _ => None,
    }
}

/// Splits a word-or-emoji segment into the tokens Lucene's grammar would emit:
/// `(byte offset in seg, piece, kind)`.
pub(crate) fn lucene_pieces(seg: &str) -> Vec<(usize, &str, PieceKind)> {
    let mut out = Vec::new();
    // `early`: the piece ends before its UAX#29 segment does.
    let mut close = |state: State, end: usize, early: bool| match state {
        State::Word {
            start, core: true, ..
        } => {
            let word = &seg[start..end];
            let len = if early { word_end(word) } else { word.len() };
            out.push((start, &word[..len], PieceKind::Word));
        }
        // Connectors and marks without a letter are no word, but South-East Asian marks
        // among them make runs (UAX#29 attaches such marks to the connector).
        State::Word {
            start, core: false, ..
        } => {
            for (offset, run) in southeast_asian_runs(&seg[start..end]) {
                out.push((start + offset, run, PieceKind::SoutheastAsian));
            }
        }
        State::SoutheastAsian { start } => {
            out.push((start, &seg[start..end], PieceKind::SoutheastAsian))
        }
        State::Emoji { start, at } if at != Emoji::Joining => {
            out.push((start, &seg[start..end], PieceKind::Emoji))
        }
        _ => {}
    };
    let mut state = State::Skip;
    let mut prev: Option<char> = None;
    let mut chars = seg.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let rest = &seg[i + c.len_utf8()..];
        state = match state {
            State::Skip => begin(i, c, rest),
            State::Word {
                start,
                core,
                hebrew,
            } => {
                let glued_emoji =
                    is_emoji_modifier(c) || (prev == Some(ZWJ) && is_extended_pictographic(c));
                let after_pair = hebrew == Gershayim::Pair
                    && !(is_base_core(c) || is_extend_num_let(c) || is_extend_or_format(c));
                if glued_emoji {
                    // Joiners in front of the emoji that the word does not keep (as marks
                    // after its last letter) start the emoji token.
                    let word = &seg[start..i];
                    let kept = if core { word_end(word) } else { 0 };
                    let joiners = if is_extended_pictographic(c) {
                        word.trim_end_matches(ZWJ).len()
                    } else {
                        word.len()
                    };
                    let emoji_start = start + joiners.max(kept);
                    close(state, emoji_start, true);
                    State::Emoji {
                        start: emoji_start,
                        at: emoji_element(c),
                    }
                } else if after_pair {
                    close(state, i, true);
                    begin(i, c, rest)
                } else {
                    State::Word {
                        start,
                        core: core || is_base_core(c),
                        hebrew: hebrew.next(c),
                    }
                }
            }
            State::SoutheastAsian { .. } => {
                if is_complex_context(c) || is_plain_mark(c) {
                    state
                } else {
                    close(state, i, true);
                    begin(i, c, rest)
                }
            }
            State::Emoji { start, at } => match continue_emoji(at, c, prev, next) {
                Some(at) => State::Emoji { start, at },
                None => {
                    close(state, i, true);
                    begin(i, c, rest)
                }
            },
        };
        prev = Some(c);
    }
    close(state, seg.len(), false);
    out
}

/// Marks that continue a South-East Asian run or a symbol: `Extend`/`Format` but not skin
/// tones (which were not `Extend` in the Unicode version of Lucene's grammar).
pub(crate) fn is_plain_mark(c: char) -> bool {
    is_extend_or_format(c) && !is_emoji_modifier(c)
}

/// Maximal runs of a South-East Asian character followed by more of them or plain marks.
fn southeast_asian_runs(s: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match start {
            None if is_complex_context(c) => start = Some(i),
            Some(st) if !(is_complex_context(c) || is_plain_mark(c)) => {
                runs.push((st, &s[st..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        runs.push((st, &s[st..]));
    }
    runs
}

/// Where a word piece cut short by a glued emoji really ends: after its last letter, digit
/// or connector and the marks attached to it (it may end in `.` or `:`, which Lucene keeps
/// only between letters or digits), or after a Hebrew letter's `'` (UAX#29 rule WB7a).
fn word_end(word: &str) -> usize {
    let mut end = 0;
    let mut attached = false;
    let mut after_hebrew = false;
    for (i, c) in word.char_indices() {
        let keep = is_base_core(c)
            || is_extend_num_let(c)
            || (attached && is_extend_or_format(c))
            || (after_hebrew && c == '\'');
        if keep {
            end = i + c.len_utf8();
            after_hebrew = is_hebrew_letter(c) || (after_hebrew && is_extend_or_format(c));
        } else {
            after_hebrew = false;
        }
        attached = keep;
    }
    end
}

fn is_hebrew_letter(c: char) -> bool {
    matches!(c, '\u{5D0}'..='\u{5EA}' | '\u{5EF}'..='\u{5F2}' | '\u{FB1D}'..='\u{FB4F}')
}

/// Does this word end in a Hebrew letter and `'` (plus marks)? Lucene's grammar lets such
/// a word go on with a number or a connector, where UAX#29 breaks.
pub(crate) fn ends_with_hebrew_quote(word: &str) -> bool {
    let mut rev = word.chars().rev().skip_while(|&c| is_extend_or_format(c));
    rev.next() == Some('\'')
        && rev
            .find(|&c| !is_extend_or_format(c))
            .is_some_and(is_hebrew_letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(seg: &str) -> Vec<&str> {
        lucene_pieces(seg).into_iter().map(|(_, p, _)| p).collect()
    }

    #[test]
    fn pieces() {
        assert_eq!(texts("abc"), ["abc"]);
        assert_eq!(texts("\u{301}\u{301}"), Vec::<&str>::new());
        assert_eq!(texts("a\u{200D}😀"), ["a\u{200D}", "😀"]);
        assert_eq!(texts("😀\u{200D}😀"), ["😀\u{200D}😀"]);
        assert_eq!(texts("x🏻\u{200D}y"), ["x", "🏻\u{200D}", "y"]);
        assert_eq!(texts("👍🏻"), ["👍🏻"]);
        assert_eq!(texts("_\u{301}βß"), ["_\u{301}βß"]);
        assert_eq!(texts("\u{202F}\u{93F}"), Vec::<&str>::new());
        assert_eq!(texts("\u{301}🏻"), ["🏻"]);
        assert_eq!(texts("___"), Vec::<&str>::new());
        assert_eq!(texts("!\u{940}"), Vec::<&str>::new());
        assert_eq!(texts("™\u{940}"), ["™\u{940}"]);
        assert_eq!(texts("™🏻"), ["™", "🏻"]);
        assert_eq!(texts("🏻\u{FE0F}\u{308}🏻"), ["🏻", "🏻"]);
        assert_eq!(texts("❤\u{FE0F}\u{200D}🔥"), ["❤\u{FE0F}\u{200D}🔥"]);
        assert_eq!(texts("👍\u{FE0F}🏻"), ["👍\u{FE0F}", "🏻"]);
        assert_eq!(texts("ม:🏻h"), ["ม", "🏻", "h"]);
        assert_eq!(texts("ab:🏻h"), ["ab", "🏻", "h"]);
        assert_eq!(texts("ไทย🏻ไ"), ["ไทย", "🏻", "ไ"]);
        assert_eq!(texts("\u{5DC}'🏻"), ["\u{5DC}'", "🏻"]);
        assert_eq!(texts("\u{5DC}'"), ["\u{5DC}'"]);
        assert_eq!(
            texts("\u{5E6}\u{5D4}\"\u{5DC}"),
            ["\u{5E6}\u{5D4}\"\u{5DC}"]
        );
        assert_eq!(
            texts("\u{5D0}\"\u{5D1}\"\u{5D2}"),
            ["\u{5D0}\"\u{5D1}", "\u{5D2}"]
        );
        assert_eq!(
            texts("\u{202F}\u{102C}\u{202F}\u{102C}"),
            ["\u{102C}", "\u{102C}"]
        );
        assert_eq!(texts("\u{200D}\u{200D}©"), ["\u{200D}\u{200D}©"]);
    }

    #[test]
    fn hebrew_quote() {
        assert!(ends_with_hebrew_quote("\u{5E9}\u{301}'\u{301}"));
        assert!(!ends_with_hebrew_quote("a'"));
        assert!(!ends_with_hebrew_quote("\u{5E9}"));
        assert!(!ends_with_hebrew_quote("'"));
    }
}
