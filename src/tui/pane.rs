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
    /// Explore's left hit list (SPLADE by default); in Compare, checkpoint A's list.
    Left,
    /// Explore's right hit list (BM25 by default).
    Right,
    Inspector,
    /// The Compare view's list of checkpoint B.
    HitsB,
}
