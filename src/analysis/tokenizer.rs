//! A tokenizer that splits text like Lucene's `StandardTokenizer`.
//!
//! Word boundaries start from UAX#29 (`unicode-segmentation`), so inner `.`, `'`, `’`, `:`
//! and `·` between letters (`U.S`, `don't`, `a:b`) and `.`/`,` between digits (`1,000.5`)
//! stay inside a token, and `_` joins (`x_y`). Lucene's JFlex grammar then decides what is a
//! token (`segments.rs` has the details):
//!
//! * words and numbers: letters (`Word_Break` ALetter/Hebrew_Letter/Katakana) and digits
//!   with the connectors, marks and inner punctuation UAX#29 keeps between them;
//! * CJK: each Han ideograph and each hiragana is its own token; katakana and hangul runs
//!   stay together;
//! * South-East Asian scripts (`Line_Break=Complex_Context`: Thai, Lao, Khmer, Myanmar):
//!   a run is one token (UAX#29 alone would split every character);
//! * emoji: `Extended_Pictographic` characters (including `©`, `®`, `™`, `↔`) with their
//!   VS16, skin tones and zero-width-joiner sequences, flags and keycaps; a skin tone that
//!   follows a letter is a token of its own;
//! * everything else (spaces, punctuation, symbols, lone marks) is dropped.
//!
//! **Long tokens.** Lucene's scanner buffer holds `max_token_length` (default 255) UTF-16
//! units, so a longer token is cut: the longest token that fits is emitted and scanning
//! resumes right after it, as separate tokens with their own positions and offsets.
//!
//! Offsets are **byte** offsets into the input `&str` (Lucene's are UTF-16 offsets).
//!
//! Checked against Lucene 8.7 on every document and query of SciFact and NFCorpus and on
//! ~67,000 random mixed-script strings (`tests/lucene_tokens.rs`). Known differences come
//! from Unicode versions (Lucene's grammar uses Unicode 9 properties, `unicode-segmentation`
//! a recent Unicode): characters whose word-break class changed since (e.g. U+055F), and
//! a flag letter followed by a skin tone.

use unicode_segmentation::UnicodeSegmentation;

use super::charclass::{
    is_emoji_modifier, is_extend_num_let, is_extend_or_format, is_extended_pictographic,
    is_numeric, is_regional_indicator, is_word_core,
};
use super::segments::{ends_with_hebrew_quote, is_plain_mark, lucene_pieces, PieceKind};

/// Lucene's default maximum token length (`StandardAnalyzer.DEFAULT_MAX_TOKEN_LENGTH`), in
/// UTF-16 code units.
pub const DEFAULT_MAX_TOKEN_LENGTH: usize = 255;

/// The largest maximum token length Lucene accepts (`MAX_TOKEN_LENGTH_LIMIT`).
pub const MAX_TOKEN_LENGTH_LIMIT: usize = 1024 * 1024;

/// A token as the tokenizer cuts it, before any filter: a slice of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawToken<'a> {
    /// The token's text, exactly as in the input.
    pub text: &'a str,
    /// Byte offset of the first byte in the input.
    pub start: usize,
    /// Byte offset one past the last byte in the input.
    pub end: usize,
}

/// Splits `text` into tokens like Lucene's `StandardTokenizer` with the given maximum token
/// length (clamped to `1..=MAX_TOKEN_LENGTH_LIMIT`, like Lucene's setter would require).
pub fn tokenize(text: &str, max_token_length: usize) -> Vec<RawToken<'_>> {
    let max = max_token_length.clamp(1, MAX_TOKEN_LENGTH_LIMIT);
    let mut out = Vec::new();
    for (start, end) in pieces(text) {
        if utf16_len(&text[start..end]) <= max {
            out.push(raw_token(text, start, end));
        } else {
            push_long(&mut out, text, start, end, max);
        }
    }
    out
}

/// Splits `text` into consecutive pieces of about `target` bytes that tokenise
/// independently: each cut falls after an ASCII space and before a character that is
/// neither whitespace nor `Extend`/`Format`/`ZWJ` (nor an emoji modifier): a word boundary
/// that no UAX#29 rule or Lucene join crosses (spaces are never part of a token, and only
/// WB3d and WB4 attach anything to a space). Any script with spaces between words is cut;
/// a piece is longer when no such place follows. Concatenated, the pieces give `text`.
pub fn independent_pieces(text: &str, target: usize) -> impl Iterator<Item = &str> {
    crate::pieces::pieces(text, target, |b, i| {
        // The byte before the cut is an ASCII space, so the cut is a char boundary.
        let after_space = b[i - 1] == b' '
            && crate::pieces::first_char(&b[i..]).is_some_and(|c| {
                !c.is_whitespace()
                    && !is_extend_or_format(c)
                    && !is_emoji_modifier(c)
                    && c != '\u{200d}'
            });
        after_space || between_ideographs(b, i)
    })
}

/// Whether byte `i` starts a CJK ideograph (of the three-byte blocks) right after another:
/// each is a token of its own and no rule joins them, so text without spaces (Chinese) can
/// be cut there too.
fn between_ideographs(b: &[u8], i: usize) -> bool {
    let ideograph = |c: char| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF);
    i >= 3
        && std::str::from_utf8(&b[i - 3..i])
            .ok()
            .and_then(|s| s.chars().next())
            .is_some_and(ideograph)
        && crate::pieces::first_char(&b[i..]).is_some_and(ideograph)
}

fn raw_token(text: &str, start: usize, end: usize) -> RawToken<'_> {
    RawToken {
        text: &text[start..end],
        start,
        end,
    }
}

/// Lucene's tokens of `text` when length is no limit, as byte ranges.
fn pieces(text: &str) -> Vec<(usize, usize)> {
    let mut pieces: Vec<(usize, usize, PieceKind)> = Vec::new();
    for (start, seg) in text.split_word_bound_indices() {
        let (mut base, mut rest) = (start, seg);
        if let Some(symbol) = symbol_len(seg) {
            add(&mut pieces, text, (start, start + symbol, PieceKind::Emoji));
            (base, rest) = (start + symbol, &seg[symbol..]);
        }
        let found = lucene_pieces(rest);
        if found
            .first()
            .is_none_or(|&(offset, _, kind)| offset > 0 || kind != PieceKind::Word)
        {
            // Connectors that no letter follows still end a word after a Hebrew `'`.
            let tail = rest.len()
                - rest
                    .trim_start_matches(|c| is_extend_num_let(c) || is_extend_or_format(c))
                    .len();
            if tail > 0 && rest.starts_with(is_extend_num_let) {
                if let Some(last) = pieces_last_hebrew_quote(&pieces, text, base) {
                    pieces[last].1 = base + tail;
                    for (offset, piece, kind) in lucene_pieces(&rest[tail..]) {
                        let at = base + tail + offset;
                        add(&mut pieces, text, (at, at + piece.len(), kind));
                    }
                    continue;
                }
            }
        }
        for (offset, piece, kind) in found {
            add(
                &mut pieces,
                text,
                (base + offset, base + offset + piece.len(), kind),
            );
        }
    }
    pieces.into_iter().map(|(s, e, _)| (s, e)).collect()
}

/// Appends a piece, joining it to the previous one where Lucene's grammar does.
fn add(pieces: &mut Vec<(usize, usize, PieceKind)>, text: &str, piece: (usize, usize, PieceKind)) {
    let (start, end, kind) = piece;
    if let Some(last) = pieces.last_mut() {
        let adjacent = last.1 == start && last.2 == kind;
        // UAX#29 splits South-East Asian text into characters; Lucene keeps runs.
        let sea_run = kind == PieceKind::SoutheastAsian;
        // Lucene goes on after a Hebrew letter's `'` with a number or `_`; UAX#29 does not.
        let hebrew = kind == PieceKind::Word
            && text[start..].starts_with(|c| is_numeric(c) || is_extend_num_let(c))
            && ends_with_hebrew_quote(&text[last.0..last.1]);
        if adjacent && (sea_run || hebrew) {
            last.1 = end;
            return;
        }
    }
    pieces.push(piece);
}

/// The index of the last piece when it is a word that ends at `at` with a Hebrew letter's `'`.
fn pieces_last_hebrew_quote(
    pieces: &[(usize, usize, PieceKind)],
    text: &str,
    at: usize,
) -> Option<usize> {
    let i = pieces.len().checked_sub(1)?;
    let (s, e, kind) = pieces[i];
    (kind == PieceKind::Word && e == at && ends_with_hebrew_quote(&text[s..e])).then_some(i)
}

/// A flag (two regional indicators) or a keycap at the start of the segment, with the marks
/// attached to it: its length in bytes. A skin-tone modifier after it is a separate token.
fn symbol_len(seg: &str) -> Option<usize> {
    let symbol: bool = match seg.chars().next() {
        Some(c) if is_regional_indicator(c) => is_flag(seg),
        Some('#' | '*') => is_keycap(seg),
        _ => false,
    };
    if !symbol {
        return None;
    }
    // A keycap ends at its U+20E3 and the plain marks after it (no VS15/VS16 there); any
    // symbol ends before a skin-tone modifier.
    let end = match seg.find('\u{20E3}') {
        Some(keycap) if !seg.starts_with(is_regional_indicator) => {
            let after = keycap + '\u{20E3}'.len_utf8();
            after + seg[after..].len()
                - seg[after..]
                    .trim_start_matches(|c| {
                        is_plain_mark(c) && !matches!(c, '\u{FE0E}' | '\u{FE0F}')
                    })
                    .len()
        }
        _ => seg.find(is_emoji_modifier).unwrap_or(seg.len()),
    };
    Some(end)
}

/// A regional indicator, plain marks, then a second regional indicator.
fn is_flag(seg: &str) -> bool {
    let mut rest = seg.chars().skip(1).skip_while(|&c| is_plain_mark(c));
    rest.next().is_some_and(is_regional_indicator)
}

/// `#` or `*`, plain marks, an optional VS16, then U+20E3 COMBINING ENCLOSING KEYCAP.
fn is_keycap(seg: &str) -> bool {
    let mut rest = seg
        .chars()
        .skip(1)
        .skip_while(|&c| !matches!(c, '\u{20E3}' | '\u{FE0F}' | '\u{FE0E}') && is_plain_mark(c));
    match rest.next() {
        Some('\u{20E3}') => true,
        Some('\u{FE0F}') => rest.next() == Some('\u{20E3}'),
        _ => false,
    }
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Byte length of the longest prefix of `s` that has at most `max` UTF-16 units (at least
/// one character when `s` is not empty).
fn prefix_within(s: &str, max: usize) -> usize {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return if i == 0 { c.len_utf8() } else { i };
        }
    }
    s.len()
}

/// Emits a token longer than `max` the way Lucene's fixed-size scanner buffer does: the
/// first token within the next `max` units, then scanning resumes right after it. Where no
/// token starts, Lucene skips one character and tries again; stretches from which no
/// token can reach a letter, digit or emoji within `max` units are skipped in one go (same
/// result, linear time).
fn push_long<'a>(out: &mut Vec<RawToken<'a>>, text: &'a str, start: usize, end: usize, max: usize) {
    let mut pos = start;
    while pos < end {
        let rest = &text[pos..end];
        let window = &rest[..prefix_within(rest, max)];
        match pieces(window).first() {
            Some(&(0, len)) => {
                out.push(raw_token(text, pos, pos + len));
                pos += len;
            }
            Some(&(skip, _)) => pos += skip,
            None => {
                let one_char = rest.chars().next().map_or(1, char::len_utf8);
                pos = match rest.char_indices().find(|&(_, c)| can_start_token(c)) {
                    None => end,
                    Some((at, _)) => {
                        (pos + one_char).max(pos + window_start_reaching(rest, at, max))
                    }
                };
            }
        }
    }
}

/// Characters without which no token can be made.
fn can_start_token(c: char) -> bool {
    is_word_core(c)
        || is_extended_pictographic(c)
        || is_emoji_modifier(c)
        || is_regional_indicator(c)
}

/// The smallest byte offset `b <= at` such that `rest[b..]` up to and including the char at
/// `at` fits in `max` UTF-16 units.
fn window_start_reaching(rest: &str, at: usize, max: usize) -> usize {
    let mut units = rest[at..].chars().next().map_or(0, char::len_utf16);
    let mut b = at;
    for (i, c) in rest[..at].char_indices().rev() {
        units += c.len_utf16();
        if units > max {
            break;
        }
        b = i;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s, DEFAULT_MAX_TOKEN_LENGTH)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn uax29_words() {
        assert_eq!(
            texts("e.g. U.S. don't 5'-UTR 1,000.5 3.5 a:b 1:2 __init__ _ x_y IL-6 p53 Ca2+"),
            [
                "e.g", "U.S", "don't", "5", "UTR", "1,000.5", "3.5", "a:b", "1", "2", "__init__",
                "x_y", "IL", "6", "p53", "Ca2"
            ]
        );
        assert_eq!(
            texts("students' O'Neil’s β-cells x² ©2013"),
            ["students", "O'Neil’s", "β", "cells", "x", "©", "2013"]
        );
    }

    #[test]
    fn cjk_thai_emoji() {
        assert_eq!(
            texts("漢字かなカタカナ한국어"),
            ["漢", "字", "か", "な", "カタカナ", "한국어"]
        );
        assert_eq!(texts("ภาษาไทย abc"), ["ภาษาไทย", "abc"]);
        assert_eq!(
            texts("😀😀 👍🏻 🇺🇸 \u{1F1FA} #\u{20E3} ™ ↔ → ° ±"),
            ["😀", "😀", "👍🏻", "🇺🇸", "#\u{20E3}", "™", "↔"]
        );
    }

    #[test]
    fn offsets_are_bytes() {
        let s = "αβ γδ, ok";
        for t in tokenize(s, DEFAULT_MAX_TOKEN_LENGTH) {
            assert_eq!(&s[t.start..t.end], t.text);
        }
        let toks = tokenize(s, DEFAULT_MAX_TOKEN_LENGTH);
        assert_eq!((toks[1].start, toks[1].end), (5, 9));
    }

    #[test]
    fn long_tokens_are_cut_at_255_utf16_units() {
        let word = "a".repeat(600);
        let toks = tokenize(&word, DEFAULT_MAX_TOKEN_LENGTH);
        let lens: Vec<usize> = toks.iter().map(|t| t.text.len()).collect();
        assert_eq!(lens, [255, 255, 90]);
        assert_eq!(toks[1].start, 255);
        // A cut that falls on an inner '.' drops the '.', as Lucene's longest match does.
        let dotted = format!("{}.{}", "b".repeat(255), "c".repeat(10));
        assert_eq!(texts(&dotted), ["b".repeat(255), "c".repeat(10)]);
        let dotted = format!("{}.{}", "b".repeat(254), "c".repeat(10));
        assert_eq!(texts(&dotted), ["b".repeat(254), "c".repeat(10)]);
        // Astral characters count two units each.
        let astral = "𝐱".repeat(200);
        let toks = tokenize(&astral, DEFAULT_MAX_TOKEN_LENGTH);
        assert_eq!(toks[0].text.chars().count(), 127);
        let thai = "ก".repeat(300);
        assert_eq!(tokenize(&thai, 255).len(), 2);
        assert_eq!(tokenize("abc", 0).len(), 3);
    }

    #[test]
    fn nothing_to_tokenize() {
        assert!(texts("").is_empty());
        assert!(texts("  ,.;-- \u{301} ²").is_empty());
        assert!(texts("_____").is_empty());
    }
}
