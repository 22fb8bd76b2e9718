//! The semantic theme: every style the TUI uses, named by what it means, in one place.
//!
//! Two palettes, `dark` (default) and `light`, chosen in the config file (`theme = "light"`).
//! Term colours for stacked contribution bars cycle through [`Theme::term_colors`] by a
//! term's slot (its rank by query weight), so a term has the same colour in the expansion
//! pane, in every hit's bar and in the inspector.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// Which palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
}

/// Semantic styles.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: ThemeName,
    pub base: Style,
    pub dim: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub selected: Style,
    pub term_input: Style,
    pub term_expansion: Style,
    pub term_off: Style,
    pub rank_up: Style,
    pub rank_down: Style,
    pub rank_new: Style,
    pub rank_same: Style,
    pub highlight_both: Style,
    pub highlight_splade: Style,
    pub highlight_bm25: Style,
    /// The source word of the selected document term.
    pub highlight_source: Style,
    pub relevant: Style,
    pub error: Style,
    pub warning: Style,
    pub key: Style,
    pub bar_other: Color,
    pub term_colors: [Color; 8],
}

impl Theme {
    /// The palette of that name.
    pub fn named(name: ThemeName) -> Self {
        match name {
            ThemeName::Dark => Self::dark(),
            ThemeName::Light => Self::light(),
        }
    }

    /// Light text on a dark terminal.
    pub fn dark() -> Self {
        let fg = Color::Rgb(0xcd, 0xd6, 0xf4);
        let bg = Color::Rgb(0x1e, 0x1e, 0x2e);
        let muted = Color::Rgb(0x7f, 0x84, 0x9c);
        let accent = Color::Rgb(0x89, 0xb4, 0xfa);
        Self {
            name: ThemeName::Dark,
            base: Style::new().fg(fg).bg(bg),
            dim: Style::new().fg(muted),
            title: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Rgb(0x45, 0x47, 0x5a)),
            border_focused: Style::new().fg(accent),
            tab: Style::new().fg(muted),
            tab_active: Style::new().fg(bg).bg(accent).add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Rgb(0x31, 0x32, 0x44)),
            term_input: Style::new()
                .fg(Color::Rgb(0xf9, 0xe2, 0xaf))
                .add_modifier(Modifier::BOLD),
            term_expansion: Style::new()
                .fg(Color::Rgb(0xcb, 0xa6, 0xf7))
                .add_modifier(Modifier::ITALIC),
            term_off: Style::new()
                .fg(muted)
                .add_modifier(Modifier::CROSSED_OUT | Modifier::DIM),
            rank_up: Style::new().fg(Color::Rgb(0xa6, 0xe3, 0xa1)),
            rank_down: Style::new().fg(Color::Rgb(0xf3, 0x8b, 0xa8)),
            rank_new: Style::new()
                .fg(Color::Rgb(0xfa, 0xb3, 0x87))
                .add_modifier(Modifier::BOLD),
            rank_same: Style::new().fg(muted),
            highlight_both: Style::new().fg(bg).bg(Color::Rgb(0xa6, 0xe3, 0xa1)),
            highlight_splade: Style::new().fg(bg).bg(Color::Rgb(0xcb, 0xa6, 0xf7)),
            highlight_bm25: Style::new().fg(bg).bg(Color::Rgb(0xf9, 0xe2, 0xaf)),
            highlight_source: Style::new()
                .fg(bg)
                .bg(Color::Rgb(0xf3, 0x8b, 0xa8))
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            relevant: Style::new()
                .fg(Color::Rgb(0xa6, 0xe3, 0xa1))
                .add_modifier(Modifier::BOLD),
            error: Style::new()
                .fg(Color::Rgb(0xf3, 0x8b, 0xa8))
                .add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Rgb(0xfa, 0xb3, 0x87)),
            key: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            bar_other: Color::Rgb(0x58, 0x5b, 0x70),
            term_colors: [
                Color::Rgb(0x89, 0xb4, 0xfa),
                Color::Rgb(0xf9, 0xe2, 0xaf),
                Color::Rgb(0xa6, 0xe3, 0xa1),
                Color::Rgb(0xf3, 0x8b, 0xa8),
                Color::Rgb(0xcb, 0xa6, 0xf7),
                Color::Rgb(0x94, 0xe2, 0xd5),
                Color::Rgb(0xfa, 0xb3, 0x87),
                Color::Rgb(0xf5, 0xc2, 0xe7),
            ],
        }
    }

    /// Dark text on a light terminal.
    pub fn light() -> Self {
        let fg = Color::Rgb(0x4c, 0x4f, 0x69);
        let bg = Color::Rgb(0xef, 0xf1, 0xf5);
        let muted = Color::Rgb(0x8c, 0x8f, 0xa1);
        let accent = Color::Rgb(0x1e, 0x66, 0xf5);
        Self {
            name: ThemeName::Light,
            base: Style::new().fg(fg).bg(bg),
            dim: Style::new().fg(muted),
            title: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Rgb(0xbc, 0xc0, 0xcc)),
            border_focused: Style::new().fg(accent),
            tab: Style::new().fg(muted),
            tab_active: Style::new().fg(bg).bg(accent).add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Rgb(0xdc, 0xe0, 0xe8)),
            term_input: Style::new()
                .fg(Color::Rgb(0xdf, 0x8e, 0x1d))
                .add_modifier(Modifier::BOLD),
            term_expansion: Style::new()
                .fg(Color::Rgb(0x88, 0x39, 0xef))
                .add_modifier(Modifier::ITALIC),
            term_off: Style::new()
                .fg(muted)
                .add_modifier(Modifier::CROSSED_OUT | Modifier::DIM),
            rank_up: Style::new().fg(Color::Rgb(0x40, 0xa0, 0x2b)),
            rank_down: Style::new().fg(Color::Rgb(0xd2, 0x0f, 0x39)),
            rank_new: Style::new()
                .fg(Color::Rgb(0xfe, 0x64, 0x0b))
                .add_modifier(Modifier::BOLD),
            rank_same: Style::new().fg(muted),
            highlight_both: Style::new().fg(bg).bg(Color::Rgb(0x40, 0xa0, 0x2b)),
            highlight_splade: Style::new().fg(bg).bg(Color::Rgb(0x88, 0x39, 0xef)),
            highlight_bm25: Style::new().fg(fg).bg(Color::Rgb(0xdf, 0x8e, 0x1d)),
            highlight_source: Style::new()
                .fg(bg)
                .bg(Color::Rgb(0xd2, 0x0f, 0x39))
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            relevant: Style::new()
                .fg(Color::Rgb(0x40, 0xa0, 0x2b))
                .add_modifier(Modifier::BOLD),
            error: Style::new()
                .fg(Color::Rgb(0xd2, 0x0f, 0x39))
                .add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Rgb(0xfe, 0x64, 0x0b)),
            key: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            bar_other: Color::Rgb(0xbc, 0xc0, 0xcc),
            term_colors: [
                Color::Rgb(0x1e, 0x66, 0xf5),
                Color::Rgb(0xdf, 0x8e, 0x1d),
                Color::Rgb(0x40, 0xa0, 0x2b),
                Color::Rgb(0xd2, 0x0f, 0x39),
                Color::Rgb(0x88, 0x39, 0xef),
                Color::Rgb(0x17, 0x92, 0x99),
                Color::Rgb(0xfe, 0x64, 0x0b),
                Color::Rgb(0xea, 0x76, 0xcb),
            ],
        }
    }

    /// The colour of term slot `slot` (`None`: a term outside the coloured top terms).
    pub fn term_color(&self, slot: Option<usize>) -> Color {
        slot.map_or(self.bar_other, |s| {
            self.term_colors[s % self.term_colors.len()]
        })
    }

    /// Border style of a pane.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.border_focused
        } else {
            self.border
        }
    }

    /// Style of a rank change (`delta` > 0: moved up).
    pub fn rank_change(&self, delta: i64) -> Style {
        match delta.cmp(&0) {
            std::cmp::Ordering::Greater => self.rank_up,
            std::cmp::Ordering::Less => self.rank_down,
            std::cmp::Ordering::Equal => self.rank_same,
        }
    }
}
