//! Character classes the tokenizer needs beyond what `unicode-segmentation` exposes.

use super::unicode_tables::{
    COMPLEX_CONTEXT, EMOJI_MODIFIER_BASE, EXTENDED_PICTOGRAPHIC, EXTEND_FORMAT, HAN_HIRAGANA,
    NUMERIC, WORD_CORE,
};

fn in_table(c: char, table: &[(u32, u32)]) -> bool {
    let cp = u32::from(c);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `Extended_Pictographic` (emoji and pictographs, including `©`, `®`, `™`, `↔`).
pub(crate) fn is_extended_pictographic(c: char) -> bool {
    in_table(c, EXTENDED_PICTOGRAPHIC)
}

/// `Line_Break=Complex_Context`: South-East Asian scripts that Lucene keeps as runs.
pub(crate) fn is_complex_context(c: char) -> bool {
    in_table(c, COMPLEX_CONTEXT)
}

/// `Word_Break=Numeric` (plus fullwidth digits, as in Lucene's grammar).
pub(crate) fn is_numeric(c: char) -> bool {
    in_table(c, NUMERIC)
}

/// `Word_Break` `Extend`, `Format` or `ZWJ`: combining marks, joiners, variation selectors,
/// skin-tone modifiers, soft hyphen, ... (they attach to the character before).
pub(crate) fn is_extend_or_format(c: char) -> bool {
    in_table(c, EXTEND_FORMAT)
}

/// `Word_Break=ExtendNumLet`: connector punctuation such as `_`, and U+202F.
pub(crate) fn is_extend_num_let(c: char) -> bool {
    matches!(
        c,
        '_' | '\u{202F}'
            | '\u{203F}'
            | '\u{2040}'
            | '\u{2054}'
            | '\u{FE33}'
            | '\u{FE34}'
            | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}'
    )
}

/// `Regional_Indicator` (the letters of flag emoji).
pub(crate) fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// `Emoji_Modifier` (skin tones).
pub(crate) fn is_emoji_modifier(c: char) -> bool {
    ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

/// `Emoji_Modifier_Base` (what a skin-tone modifier can attach to, e.g. `👍`).
pub(crate) fn is_emoji_modifier_base(c: char) -> bool {
    in_table(c, EMOJI_MODIFIER_BASE)
}

/// Can `c` be the core of a token: a letter or digit of Lucene's word rule (`Word_Break`
/// ALetter, Hebrew_Letter, Katakana, Numeric), or a Han or hiragana character?
pub(crate) fn is_word_core(c: char) -> bool {
    in_table(c, WORD_CORE) || in_table(c, HAN_HIRAGANA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_extended_pictographic('©'));
        assert!(is_extended_pictographic('😀'));
        assert!(!is_extended_pictographic('a'));
        assert!(is_complex_context('ไ'));
        assert!(!is_complex_context('a'));
        assert!(is_numeric('7'));
        assert!(is_numeric('\u{FF17}'));
        assert!(!is_numeric('²'));
        assert!(is_extend_num_let('_'));
        assert!(is_extend_or_format('\u{301}'));
        assert!(is_extend_or_format('\u{200D}'));
        assert!(is_extend_or_format('\u{AD}'));
        assert!(!is_extend_or_format('a'));
        assert!(is_word_core('β'));
        assert!(is_word_core('漢'));
        assert!(!is_word_core('-'));
    }
}
