//! Screen geometry, a pure function of the terminal size and the state: drawing uses it to
//! place panes, and mouse handling uses the very same rectangles to find what was clicked.

use ratatui::layout::{Constraint, Layout, Rect};

use super::state::{Focus, State, View, MIN_HEIGHT, MIN_WIDTH};

/// Lines per hit in a hit list.
pub const HIT_HEIGHT: u16 = 2;

/// Where everything is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Regions {
    pub tabs: Rect,
    pub query: Rect,
    pub body: Rect,
    pub status: Rect,
    pub terms: Rect,
    /// Explore's left and right hit lists (Compare: A's list is `left`).
    pub left: Rect,
    pub right: Rect,
    /// Empty when the inspector is not shown.
    pub inspector: Rect,
    /// Compare view: B's hits.
    pub hits_b: Rect,
}

/// Whether the screen is big enough to draw on.
pub fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

/// Whether the inspector fits below the hit lists (otherwise it opens over them).
pub fn roomy(area: Rect) -> bool {
    area.width >= 120 && area.height >= 36
}

/// The regions of `area` for the state.
pub fn regions(area: Rect, state: &State) -> Regions {
    let [tabs, query, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut r = Regions {
        tabs,
        query,
        body,
        status,
        ..Regions::default()
    };
    match state.view {
        View::Explore => {
            let terms_width = match area.width {
                120.. => 32,
                100.. => 28,
                _ => 24,
            };
            if roomy(area) {
                let [top, bottom] =
                    Layout::vertical([Constraint::Percentage(52), Constraint::Min(0)]).areas(body);
                [r.terms, r.left, r.right] = three_panes(top, terms_width);
                r.inspector = bottom;
            } else if state.focus == Focus::Inspector {
                r.inspector = body;
            } else {
                [r.terms, r.left, r.right] = three_panes(body, terms_width);
            }
        }
        View::Compare => {
            let terms_width = if area.width >= 120 { 40 } else { 28 };
            [r.terms, r.left, r.hits_b] = three_panes(body, terms_width);
        }
        View::Evaluate | View::Index => {}
    }
    r
}

/// A terms pane of `terms_width` columns, then two equal hit lists.
fn three_panes(area: Rect, terms_width: u16) -> [Rect; 3] {
    let [terms, lists] =
        Layout::horizontal([Constraint::Length(terms_width), Constraint::Min(0)]).areas(area);
    let [a, b] =
        Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)]).areas(lists);
    [terms, a, b]
}

/// Inner area of a bordered pane.
pub fn inner(area: Rect) -> Rect {
    area.inner(ratatui::layout::Margin::new(1, 1))
}

/// First visible row of a list of `rows` rows of which `selected` must be visible in
/// `visible` rows (the selection scrolls into view at the bottom).
pub fn scroll_offset(selected: usize, visible: usize) -> usize {
    selected.saturating_sub(visible.saturating_sub(1))
}

/// Which tab a column of the tab bar belongs to (the same text the tab bar draws).
pub fn tab_at(x: u16, tabs: Rect) -> Option<View> {
    let mut start = tabs.x + tab_prefix_width();
    for v in View::ALL {
        let w = tab_label(v).chars().count() as u16;
        if x >= start && x < start + w {
            return Some(v);
        }
        start += w + 1;
    }
    None
}

/// The label of a tab.
pub fn tab_label(v: View) -> String {
    let n = View::ALL.iter().position(|x| *x == v).unwrap_or(0) + 1;
    format!(" {n} {} ", v.title())
}

/// Width of the app name before the tabs.
pub fn tab_prefix_width() -> u16 {
    APP_NAME.chars().count() as u16 + 1
}

/// The app name at the left of the tab bar.
pub const APP_NAME: &str = " spladescope ";
