//! Off-screen rendering: draw the state into a `TestBackend` buffer (for snapshot tests,
//! the keystroke benchmark and screenshots) and dump a buffer as JSON cells for
//! `scripts/render_screenshot.py`, which turns it into a PNG.

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use serde_json::{json, Value};

use super::state::State;
use super::theme::Theme;
use super::view;

/// Draws the state on a `width` × `height` off-screen terminal and returns the buffer.
pub fn render(state: &State, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|f| view::draw(f, state))
        .expect("drawing to a test backend");
    terminal.backend().buffer().clone()
}

/// The buffer's text, one line per row, trailing spaces kept (what insta snapshots hold).
pub fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut skip = 0;
        for x in 0..area.width {
            let cell = &buffer[(x, y)];
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = cell.symbol();
            out.push_str(s);
            skip = unicode_width::UnicodeWidthStr::width(s).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

fn hex(color: Color) -> Option<String> {
    let (r, g, b) = match color {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Black => (0, 0, 0),
        Color::Red => (205, 49, 49),
        Color::Green => (13, 188, 121),
        Color::Yellow => (229, 229, 16),
        Color::Blue => (36, 114, 200),
        Color::Magenta => (188, 63, 188),
        Color::Cyan => (17, 168, 205),
        Color::Gray => (204, 204, 204),
        Color::DarkGray => (118, 118, 118),
        Color::LightRed => (241, 76, 76),
        Color::LightGreen => (35, 209, 139),
        Color::LightYellow => (245, 245, 67),
        Color::LightBlue => (59, 142, 234),
        Color::LightMagenta => (214, 112, 214),
        Color::LightCyan => (41, 184, 219),
        Color::White => (229, 229, 229),
        Color::Indexed(i) => {
            let i = i as u32;
            if i >= 232 {
                let v = (8 + (i - 232) * 10) as u8;
                (v, v, v)
            } else if i >= 16 {
                let c = i - 16;
                let level = |n: u32| if n == 0 { 0 } else { (55 + n * 40) as u8 };
                (level(c / 36), level((c / 6) % 6), level(c % 6))
            } else {
                (128, 128, 128)
            }
        }
    };
    Some(format!("#{r:02x}{g:02x}{b:02x}"))
}

/// The buffer as JSON: size, default colours of the theme, and every cell's symbol,
/// colours and modifiers.
pub fn json(buffer: &Buffer, theme: &Theme) -> Value {
    let area = buffer.area;
    let rows: Vec<Value> = (0..area.height)
        .map(|y| {
            Value::Array(
                (0..area.width)
                    .map(|x| {
                        let c = &buffer[(x, y)];
                        let m = c.modifier;
                        json!({
                            "s": c.symbol(),
                            "fg": hex(c.fg),
                            "bg": hex(c.bg),
                            "b": m.contains(Modifier::BOLD),
                            "i": m.contains(Modifier::ITALIC),
                            "u": m.contains(Modifier::UNDERLINED),
                            "d": m.contains(Modifier::DIM),
                            "r": m.contains(Modifier::REVERSED),
                            "x": m.contains(Modifier::CROSSED_OUT),
                        })
                    })
                    .collect(),
            )
        })
        .collect();
    json!({
        "width": area.width,
        "height": area.height,
        "default_fg": theme.base.fg.and_then(hex),
        "default_bg": theme.base.bg.and_then(hex),
        "rows": rows,
    })
}
