//! Showing untrusted text on a terminal.
//!
//! Ids, titles and texts come from corpora, query files, runs, history and config files; a
//! terminal acts on the control characters in them (`ESC [ 2 J` clears the screen,
//! `ESC ] 0 ; … BEL` retitles the window, CR and LF move the cursor). Every such string is
//! shown through [`visible`], which replaces each control character (Unicode category Cc:
//! C0, DEL and C1) with a visible glyph: the Control Pictures block for C0 and DEL (`␛` for
//! ESC, `␊` for LF, `␉` for TAB), `�` for C1. Each replacement is one terminal column wide,
//! so layouts measured on the result hold. JSON output needs none of this: serde escapes
//! control characters.

use std::borrow::Cow;

/// The visible glyph for a control character, or `None` for any other character.
pub fn control_picture(c: char) -> Option<char> {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// `text` with every control character replaced by its visible glyph (borrowed when there
/// is none, the common case).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| control_picture(c).unwrap_or(c))
            .collect(),
    )
}

/// `text` for a one-line field where typed or pasted input goes (a query): line breaks and
/// tabs become spaces, other control characters are dropped.
pub fn single_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert!(matches!(visible("plain text é"), Cow::Borrowed(_)));
        assert_eq!(
            visible("\u{1b}[2J\u{1b}]0;pwned\u{7}a\r\nb\tc\u{7f}\u{9b}"),
            "␛[2J␛]0;pwned␇a␍␊b␉c␡\u{fffd}"
        );
        for c in (0u32..0x110000).filter_map(char::from_u32) {
            assert_eq!(control_picture(c).is_some(), c.is_control(), "{c:?}");
        }
    }

    #[test]
    fn single_line_keeps_words_apart() {
        assert_eq!(single_line("a\nb\tc\u{1b}[2Jd"), "a b c[2Jd");
        assert!(matches!(single_line("vitamin d"), Cow::Borrowed(_)));
    }
}
