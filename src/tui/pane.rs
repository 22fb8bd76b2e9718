//! The explorer's views and panes, named by the state and by actions.

/// The four views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Explore,
    Compare,
    Evaluate,
    Index,
}

impl View {
    pub const ALL: [View; 4] = [View::Explore, View::Compare, View::Evaluate, View::Index];

    /// Tab title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Explore => "Explore",
            Self::Compare => "Compare",
            Self::Evaluate => "Evaluate",
            Self::Index => "Index",
        }
    }
}

/// The focused pane of the Explore view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Query,
    Terms,
    Splade,
    Bm25,
    Inspector,
    /// The Compare view's list of checkpoint B (its A list is [`Focus::Splade`]).
    HitsB,
}
