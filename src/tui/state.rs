//! The TUI's state: what is on screen and what the user has set. Only
//! [`super::update::update`] changes it; drawing only reads it.

use tui_textarea::{CursorMove, TextArea};

use super::config::{Config, History};
use super::keymap::{Context, Keymap};
pub use super::pane::{Focus, View};
use super::theme::Theme;
use crate::engine::{
    Browse, Column, EvalTable, Loaded, QueryView, Request, SideBySide, Target, BM25, SPLADE,
};
use crate::search::what_if::DocEdits;
use crate::search::QueryEdits;
use crate::system::WhatIf;

/// A window over the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    WhyNot,
    /// The term or document browser ([`State::browse`]).
    Browse,
    /// Two explanations side by side ([`State::side_by_side`]).
    SideBySide,
    /// A vocabulary term to add to the query (typed in the id box).
    AddTerm,
}

/// Loading, ready, or failed to load.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Loading,
    Ready(Box<Loaded>),
    Failed(String),
}

/// The Evaluate view's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvalState {
    /// Queries done and total while evaluating.
    pub progress: Option<(usize, usize)>,
    pub table: Option<EvalTable>,
    pub error: Option<String>,
    /// The column the table is sorted by.
    pub sort: EvalColumn,
    pub descending: bool,
    pub selected: usize,
    /// The system the deltas and significance tests compare against.
    pub baseline: usize,
    /// The edits the `what-if` column evaluates (`E`), with their description, and the
    /// evaluation's number (a reply of an older one is dropped).
    pub what_if: Option<WhatIf>,
    pub what_if_words: Option<String>,
    pub generation: u64,
}

/// A column of the Evaluate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalColumn {
    QueryId,
    Query,
    /// nDCG@10 of system `i`.
    System(usize),
    /// The baseline's nDCG@10 minus system `i`'s (`i` ≠ the baseline).
    Delta(usize),
}

impl Default for EvalColumn {
    fn default() -> Self {
        Self::Delta(1)
    }
}

impl EvalColumn {
    /// Every column of a table of `systems` systems against `baseline`, left to right.
    pub fn all(systems: usize, baseline: usize) -> Vec<Self> {
        let mut out = vec![Self::QueryId, Self::Query];
        out.extend((0..systems).map(Self::System));
        out.extend((0..systems).filter(|&i| i != baseline).map(Self::Delta));
        out
    }

    /// The column to the right, wrapping around.
    pub fn next(self, systems: usize, baseline: usize) -> Self {
        let all = Self::all(systems, baseline);
        let at = all.iter().position(|&c| c == self).unwrap_or(0);
        all[(at + 1) % all.len()]
    }
}

impl EvalState {
    /// Takes system `baseline` as the baseline; sorting by a delta then sorts by the delta
    /// of the same system against it (or of the first other system).
    pub fn set_baseline(&mut self, baseline: usize, systems: usize) {
        self.baseline = baseline;
        if let EvalColumn::Delta(i) = self.sort {
            if i == baseline {
                let first = (0..systems).find(|&j| j != baseline).unwrap_or(0);
                self.sort = EvalColumn::Delta(first);
            }
        }
    }

    /// The table's row indices in display order (ties by query id).
    pub fn sorted_rows(&self, table: &EvalTable) -> Vec<usize> {
        let natural = crate::eval::natural_cmp;
        let rows = &table.rows;
        let value = |i: usize, col: EvalColumn| -> f64 {
            match col {
                EvalColumn::System(s) => rows[i].ndcg.get(s).copied().unwrap_or(0.0),
                EvalColumn::Delta(s) => {
                    rows[i].ndcg.get(self.baseline).copied().unwrap_or(0.0)
                        - rows[i].ndcg.get(s).copied().unwrap_or(0.0)
                }
                EvalColumn::QueryId | EvalColumn::Query => 0.0,
            }
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            let o = match self.sort {
                EvalColumn::QueryId => natural(&rows[a].qid, &rows[b].qid),
                EvalColumn::Query => rows[a].text.cmp(&rows[b].text),
                c => value(a, c).total_cmp(&value(b, c)),
            };
            let o = if self.descending { o.reverse() } else { o };
            o.then_with(|| natural(&rows[a].qid, &rows[b].qid))
        });
        order
    }
}

/// Everything on screen.
pub struct State {
    pub keymap: Keymap,
    pub theme: Theme,
    pub config: Config,
    pub phase: Phase,
    /// The latest loading progress line.
    pub load_progress: Option<String>,
    pub view: View,
    pub focus: Focus,
    /// The hit list last focused (the inspector shows its selection).
    pub list: Focus,
    /// The systems of the left and right lists (positions in [`Loaded::systems`]).
    pub columns: [usize; 2],
    pub overlay: Overlay,
    pub query: TextArea<'static>,
    pub why_not: TextArea<'static>,
    /// Relevant document picked in the why-not box.
    pub why_not_pick: Option<usize>,
    pub history: History,
    /// The query being written when history browsing started (↓ past the newest brings
    /// it back).
    pub draft: Option<Draft>,
    /// Term edits and pruning of the current query (cleared for a new query).
    pub edits: QueryEdits,
    /// Document-side edits of the `what-if` system (kept across queries; `r` clears them).
    pub doc_edits: DocEdits,
    /// What the side-by-side overlay compares, and its scroll.
    pub side_by_side: Option<SideBySide>,
    pub side_by_side_scroll: u16,
    /// A hit pinned with `c`, to be compared with the next one picked.
    pub pinned: Option<String>,
    /// The right list's system before the what-if system took its place.
    pub right_before_what_if: Option<usize>,
    /// Text for the terminal's clipboard, for the main loop to send (OSC 52).
    pub clipboard: Option<String>,
    /// Where `y` writes the reproducing command (none in tests).
    pub command_file: Option<std::path::PathBuf>,
    /// Edits to evaluate over every judged query (with the evaluation's number), for the
    /// worker to pick up.
    pub eval_request: Option<(u64, WhatIf)>,
    /// Latest request's generation.
    pub generation: u64,
    pub shown: Option<QueryView>,
    /// The last reply's error.
    pub error: Option<String>,
    pub pending: bool,
    /// Replies dropped because a newer request was already out.
    pub stale_dropped: u64,
    pub term_selected: usize,
    /// Selections in the left and right lists.
    pub left_selected: usize,
    pub right_selected: usize,
    /// Selection in the Compare view's list of checkpoint B.
    pub b_selected: usize,
    pub inspector_scroll: u16,
    /// The inspected document's top term whose source word is lit up (`n`/`p`).
    pub doc_term: Option<usize>,
    pub help_scroll: u16,
    /// What the browser overlay shows, and the selected row of its list (a term's
    /// documents, a document's terms).
    pub browse: Option<Browse>,
    pub browse_selected: usize,
    /// A document inspected by id ("why not?") instead of the selected hit.
    pub inspect_id: Option<String>,
    /// The judged query id of the query (opened from the Evaluate view).
    pub qid: Option<String>,
    pub eval: EvalState,
    pub width: u16,
    pub height: u16,
    /// Requests for the worker, drained by the event loop.
    pub outbox: Vec<Request>,
    /// A transient message for the status bar, and whether it is an error.
    pub message: Option<(String, bool)>,
    pub quit: bool,
}

/// An unsent query put aside while browsing the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub text: String,
    pub qid: Option<String>,
    pub edits: QueryEdits,
}

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

impl State {
    /// A fresh state with the given settings (a config problem becomes a status message).
    pub fn new(config: Config, config_error: Option<String>, history: History) -> Self {
        let mut keymap = Keymap::default();
        let mut message = config_error.map(|e| (format!("config ignored: {e}"), true));
        if let Err(e) = keymap.rebind(&config.keys) {
            keymap = Keymap::default();
            message = Some((format!("config keys ignored: {e}"), true));
        }
        let theme = Theme::named(config.theme);
        Self {
            query: query_box(""),
            why_not: id_box(),
            keymap,
            theme,
            config,
            phase: Phase::Loading,
            load_progress: None,
            view: View::Explore,
            focus: Focus::Query,
            list: Focus::Left,
            columns: [SPLADE, BM25],
            overlay: Overlay::None,
            why_not_pick: None,
            history,
            draft: None,
            edits: QueryEdits::default(),
            doc_edits: DocEdits::default(),
            eval_request: None,
            side_by_side: None,
            side_by_side_scroll: 0,
            pinned: None,
            right_before_what_if: None,
            clipboard: None,
            command_file: None,
            generation: 0,
            shown: None,
            error: None,
            pending: false,
            stale_dropped: 0,
            term_selected: 0,
            left_selected: 0,
            right_selected: 0,
            b_selected: 0,
            inspector_scroll: 0,
            doc_term: None,
            help_scroll: 0,
            browse: None,
            browse_selected: 0,
            inspect_id: None,
            qid: None,
            eval: EvalState::default(),
            width: MIN_WIDTH,
            height: MIN_HEIGHT,
            outbox: Vec::new(),
            message,
            quit: false,
        }
    }

    /// The query text.
    pub fn query_text(&self) -> String {
        self.query.lines().join(" ")
    }

    /// Whether the engine is loaded.
    pub fn loaded(&self) -> Option<&Loaded> {
        match &self.phase {
            Phase::Ready(l) => Some(l),
            _ => None,
        }
    }

    /// The loaded systems' names (none before loading).
    pub fn systems(&self) -> &[String] {
        self.loaded().map_or(&[][..], |l| &l.systems[..])
    }

    /// Whether a second checkpoint is loaded.
    pub fn has_compare(&self) -> bool {
        self.loaded().is_some_and(|l| l.compare.is_some())
    }

    /// The keymap context of the focused element.
    pub fn context(&self) -> Context {
        match self.overlay {
            Overlay::Help => return Context::Help,
            Overlay::WhyNot | Overlay::AddTerm => return Context::WhyNot,
            Overlay::Browse | Overlay::SideBySide => return Context::Browse,
            Overlay::None => {}
        }
        match (self.view, self.focus) {
            (View::Evaluate, _) => Context::Evaluate,
            (View::Explore | View::Compare, Focus::Query) => Context::Query,
            (View::Explore, Focus::Terms) => Context::Terms,
            (View::Explore, Focus::Left | Focus::Right) => Context::Hits,
            (View::Explore, Focus::Inspector) => Context::Inspector,
            (View::Compare, Focus::Left | Focus::HitsB) => Context::Compare,
            _ => Context::Global,
        }
    }

    /// The document the inspector shows: a why-not id, or the focused list's selection.
    pub fn inspect_target(&self) -> Option<Target> {
        if let Some(id) = &self.inspect_id {
            return Some(Target::Id(id.clone()));
        }
        Some(match self.list {
            Focus::Right => Target::Hit(Column::Right, self.right_selected),
            _ => Target::Hit(Column::Left, self.left_selected),
        })
    }

    /// The query edits and the document edits, as the `what-if` system takes them.
    pub fn what_if(&self) -> WhatIf {
        WhatIf {
            query: self.edits.clone(),
            docs: self.doc_edits.clone(),
        }
    }

    /// The token of vocabulary id `id` (model A's).
    pub fn token(&self, id: u32) -> String {
        self.loaded()
            .and_then(|l| l.vocabulary.get(id as usize).cloned())
            .unwrap_or_else(|| format!("#{id}"))
    }

    /// The query and document edits in words ([`WhatIf::describe`]).
    pub fn describe_edits(&self) -> String {
        self.what_if().describe(&|id| self.token(id))
    }

    /// Queues a request for the current query, edits and selection.
    pub fn request(&mut self) {
        let query = self.query_text();
        if query.trim().is_empty() || self.loaded().is_none() {
            // Replies still on their way are for an older query: drop them.
            self.generation += 1;
            self.shown = None;
            self.error = None;
            self.pending = false;
            return;
        }
        self.generation += 1;
        self.pending = true;
        let inspect = self.inspect_target();
        self.outbox.push(Request {
            generation: self.generation,
            query,
            edits: self.edits.clone(),
            doc_edits: self.doc_edits.clone(),
            k: self.config.hits,
            inspect,
            doc_sources: self.focus == Focus::Inspector,
            browse: self
                .browse
                .clone()
                .filter(|_| self.overlay == Overlay::Browse),
            side_by_side: self
                .side_by_side
                .clone()
                .filter(|_| self.overlay == Overlay::SideBySide),
            qid: self.qid.clone(),
            compare: self.has_compare() && self.view == View::Compare,
            columns: self.columns,
        });
    }

    /// Replaces the query text (history, Evaluate → Explore).
    pub fn set_query(&mut self, text: &str) {
        self.query = query_box(text);
    }
}

/// A one-line text box holding `text`, cursor at the end.
pub fn query_box(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![crate::display::single_line(text).into_owned()]);
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.move_cursor(CursorMove::End);
    t
}

/// The empty "why not?" id box.
pub fn id_box() -> TextArea<'static> {
    let mut t = TextArea::default();
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.set_placeholder_text("document id");
    t
}
