//! The `what-if` system's edits ([`crate::search::what_if`] scores them), in words for
//! reports and as the command-line flags that reproduce them.

use crate::search::what_if::DocEdits;
use crate::search::QueryEdits;

/// The `what-if` system's edits: of the query (as the explorer's ablation and pruning), and
/// of every document's vector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WhatIf {
    pub query: QueryEdits,
    pub docs: DocEdits,
}

impl WhatIf {
    /// Whether the edits change nothing.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty() && self.docs.is_empty()
    }

    /// The edits in words, terms named by `token`: `drop alzheimer, top 5; documents
    /// parkinson ×0 where an expansion` (`no edits` when there are none).
    pub fn describe(&self, token: &dyn Fn(u32) -> String) -> String {
        let q = &self.query;
        let mut query: Vec<String> = q
            .dropped
            .iter()
            .map(|t| format!("drop {}", token(*t)))
            .collect();
        query.extend(q.weights.iter().map(|(t, w)| format!("{}={w}", token(*t))));
        if let Some(n) = q.pruning.top_n {
            query.push(format!("top {n}"));
        }
        if let Some(m) = q.pruning.min_weight {
            query.push(format!("≥{m}"));
        }
        let docs: Vec<String> = self
            .docs
            .scales
            .iter()
            .map(|(t, s)| format!("{} ×{s}", token(*t)))
            .collect();
        let mut parts = Vec::new();
        if !query.is_empty() {
            parts.push(query.join(", "));
        }
        if !docs.is_empty() {
            let scope = if self.docs.expansions_only {
                " where an expansion"
            } else {
                ""
            };
            parts.push(format!("documents {}{scope}", docs.join(", ")));
        }
        if parts.is_empty() {
            "no edits".into()
        } else {
            parts.join("; ")
        }
    }

    /// The flags of `search`, `explain` and `eval` that make the same edits.
    pub fn args(&self, token: &dyn Fn(u32) -> String) -> Vec<String> {
        let q = &self.query;
        let mut args = Vec::new();
        for t in &q.dropped {
            args.extend(["--drop".into(), token(*t)]);
        }
        for (t, w) in &q.weights {
            args.extend(["--weight".into(), format!("{}={w}", token(*t))]);
        }
        if let Some(n) = q.pruning.top_n {
            args.extend(["--prune-top".into(), n.to_string()]);
        }
        if let Some(m) = q.pruning.min_weight {
            args.extend(["--prune-min".into(), m.to_string()]);
        }
        for (t, s) in &self.docs.scales {
            if *s == 0.0 {
                args.extend(["--doc-drop".into(), token(*t)]);
            } else {
                args.extend(["--doc-scale".into(), format!("{}={s}", token(*t))]);
            }
        }
        if self.docs.expansions_only && !self.docs.is_empty() {
            args.push("--doc-expansions-only".into());
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_flags() {
        let token = |id: u32| ["cat", "dog", "fish"][id as usize].to_string();
        let mut w = WhatIf::default();
        assert_eq!(w.describe(&token), "no edits");
        assert!(w.args(&token).is_empty() && w.is_empty());
        w.query.dropped.insert(0);
        w.query.weights.insert(1, 2.5);
        w.query.pruning.top_n = Some(5);
        w.docs.scales.insert(2, 0.0);
        w.docs.scales.insert(1, 0.5);
        w.docs.expansions_only = true;
        assert_eq!(
            w.describe(&token),
            "drop cat, dog=2.5, top 5; documents dog ×0.5, fish ×0 where an expansion"
        );
        assert_eq!(
            w.args(&token).join(" "),
            "--drop cat --weight dog=2.5 --prune-top 5 --doc-scale dog=0.5 --doc-drop fish \
             --doc-expansions-only"
        );
    }
}
