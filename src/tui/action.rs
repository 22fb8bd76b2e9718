//! Intents: every key, mouse event and worker reply becomes an [`Action`] that
//! [`super::update::update`] applies to the state. Key-bindable actions deserialize from
//! their snake-case names, so the config file's `[keys]` table names them directly.

use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use serde::Deserialize;

use super::pane::{Focus, View};
use crate::engine::{EvalTable, Loaded, QueryView};

/// Something that changes the state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    /// Next pane of the view.
    FocusNext,
    FocusPrev,
    /// Back to the query box (closes the inspector).
    FocusQuery,
    ViewExplore,
    ViewCompare,
    ViewEvaluate,
    ViewIndex,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Move between the left and right hit lists.
    OtherList,
    /// Show the next loaded system in the left / right list.
    LeftSystem,
    RightSystem,
    /// Open the selection: inspect a hit, open a query from the Evaluate table.
    Open,
    /// Close the topmost overlay or leave the focused pane.
    Back,
    /// Switch the selected query term off or on.
    ToggleTerm,
    WeightUp,
    WeightDown,
    /// Undo every term edit and the pruning.
    ResetEdits,
    /// Keep fewer / more of the heaviest query terms.
    PruneFewer,
    PruneMore,
    /// Raise / lower the minimum query-term weight.
    ThresholdUp,
    ThresholdDown,
    /// "Why not?": inspect any document by id.
    WhyNot,
    /// Open the term browser on the selected term (expansion pane, document browser).
    BrowseTerm,
    /// Open the document browser on the selected document (hit lists, inspector, term
    /// browser).
    BrowseDocument,
    /// Select the inspected document's next / previous top term: its source word lights up
    /// in the text.
    NextDocTerm,
    PrevDocTerm,
    /// What-if: switch the selected document term off in every document (or back on).
    DocDrop,
    /// What-if: edit document terms only where they are expansions (or everywhere).
    DocScope,
    /// Two explanations side by side: in Compare, the selected document under both
    /// checkpoints; in Explore, the pinned hit next to the selected one (the first press
    /// pins); in the inspector of a "why not?" document, it next to the top hit.
    SideBySide,
    /// The command line that reproduces the view: copied (OSC 52), written to a file, shown.
    CopyCommand,
    /// Add a vocabulary term to the query, with a weight (typed: `token` or `token=w`).
    AddTerm,
    /// Evaluate the current edits over every judged query (Evaluate's `what-if` column).
    EvaluateEdits,
    HistoryPrev,
    /// Newer history entry; past the newest, the unsent draft comes back.
    HistoryNext,
    ClearQuery,
    /// Delete from the cursor to the start of the text box (readline's Ctrl-U).
    DeleteToStart,
    /// Undo the last change in the text box.
    Undo,
    /// Next sort column of the Evaluate table; reverse the order.
    SortNext,
    SortReverse,
    /// Take the next system as the Evaluate table's baseline.
    Baseline,
    /// A key press, mapped through the keymap by `update`.
    #[serde(skip)]
    Key(KeyEvent),
    /// A key for the focused text box.
    #[serde(skip)]
    Input(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): one action however long.
    #[serde(skip)]
    Paste(String),
    #[serde(skip)]
    Mouse(MouseEvent),
    /// Show a view (a click on its tab).
    #[serde(skip)]
    SetView(View),
    /// Focus a pane (a click or the wheel on it); a hit list also becomes the inspected
    /// list.
    #[serde(skip)]
    FocusPane(Focus),
    /// Select row `i` of a pane's list (terms or hits).
    #[serde(skip)]
    Select(Focus, usize),
    /// Select a row of the Evaluate table.
    #[serde(skip)]
    SelectEvalRow(usize),
    /// Move the focused pane's selection by this many rows (the wheel).
    #[serde(skip)]
    Step(i64),
    /// Ask for the inspected hit again (after a selection changed).
    #[serde(skip)]
    Reinspect,
    #[serde(skip)]
    Resize(u16, u16),
    /// Progress of loading (e.g. building the demo index).
    #[serde(skip)]
    LoadProgress(String),
    /// The worker opened the index and the model(s).
    #[serde(skip)]
    Loaded(Box<Result<Loaded, String>>),
    /// The worker's reply to a request.
    #[serde(skip)]
    Reply(u64, Box<Result<QueryView, String>>),
    #[serde(skip)]
    /// An evaluation's progress and result, with its number ([`super::state::EvalState`]):
    /// those of an older evaluation are dropped.
    EvalProgress(u64, usize, usize),
    #[serde(skip)]
    Evaluated(u64, Box<Result<Option<EvalTable>, String>>),
}

impl Action {
    /// The config-file name of a bindable action (shown in the help overlay).
    pub fn name(&self) -> String {
        let debug = format!("{self:?}");
        let mut out = String::new();
        for (i, c) in debug
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .enumerate()
        {
            if c.is_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde() {
        for a in [
            Action::Quit,
            Action::FocusNext,
            Action::ViewEvaluate,
            Action::PruneFewer,
        ] {
            let parsed: Action = serde_json::from_str(&format!("\"{}\"", a.name())).unwrap();
            assert_eq!(parsed, a);
        }
        assert_eq!(Action::WhyNot.name(), "why_not");
    }
}
