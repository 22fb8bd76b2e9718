//! The last step of every frame: no control character from a corpus, a query file, a run,
//! the history or the config reaches the terminal.
//!
//! Widgets copy text into cells grapheme by grapheme, and a control character is a
//! grapheme of its own, one column wide (unicode-width), so it lands in a cell of its own.
//! Replacing it there with its glyph ([`crate::display::visible`]) keeps every layout that
//! widgets measured, and catches every widget at once.

use ratatui::buffer::Buffer;

/// Replaces control characters in every cell with their visible glyphs.
pub fn make_visible(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if cell.symbol().chars().any(char::is_control) {
            // CR LF is one grapheme, in one cell: one glyph keeps it one column wide.
            let shown = match cell.symbol() {
                "\r\n" => "␤".to_string(),
                s => crate::display::visible(s).into_owned(),
            };
            cell.set_symbol(&shown);
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::widgets::Paragraph;
    use ratatui::Terminal;

    use super::*;

    #[test]
    fn escapes_in_widgets_become_glyphs_in_place() {
        let mut t = Terminal::new(TestBackend::new(12, 2)).unwrap();
        t.draw(|f| {
            f.render_widget(Paragraph::new("a\u{1b}[2Jb\u{7}"), Rect::new(0, 0, 12, 1));
            f.render_widget(Line::from("x\u{1b}]0;p\u{7}y"), Rect::new(0, 1, 12, 1));
            // A CR LF grapheme in one cell (as a widget may place it).
            f.buffer_mut()[(9, 1)].set_symbol("\r\n");
            make_visible(f.buffer_mut());
        })
        .unwrap();
        let buf = t.backend().buffer();
        let row = |y| (0..12).map(|x| buf[(x, y)].symbol()).collect::<String>();
        assert_eq!(row(0), "a␛[2Jb␇     ");
        assert_eq!(row(1), "x␛]0;p␇y ␤  ");
        assert!(!buf.content.iter().any(|c| c.symbol().contains('\u{1b}')));
    }
}
