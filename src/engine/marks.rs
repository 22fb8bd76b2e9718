//! Highlight marks: which words of a document matched, and for which system.

use std::ops::Range;

use super::{Mark, MarkKind};

/// Merges SPLADE and BM25 highlight ranges into sorted, non-overlapping marks.
pub(super) fn merge_marks(splade: Vec<Range<usize>>, bm25: Vec<Range<usize>>) -> Vec<Mark> {
    let mut bounds: Vec<usize> = splade
        .iter()
        .chain(&bm25)
        .flat_map(|r| [r.start, r.end])
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    let covers =
        |rs: &[Range<usize>], a: usize, b: usize| rs.iter().any(|r| r.start <= a && b <= r.end);
    let mut out: Vec<Mark> = Vec::new();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        let kind = match (covers(&splade, a, b), covers(&bm25, a, b)) {
            (true, true) => MarkKind::Both,
            (true, false) => MarkKind::Splade,
            (false, true) => MarkKind::Bm25,
            (false, false) => continue,
        };
        match out.last_mut() {
            Some(m) if m.range.end == a && m.kind == kind => m.range.end = b,
            _ => out.push(Mark { range: a..b, kind }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_merge_and_split_by_system() {
        let m = merge_marks(vec![0..5, 10..12], vec![3..8, 10..12]);
        let got: Vec<(Range<usize>, MarkKind)> = m.into_iter().map(|m| (m.range, m.kind)).collect();
        assert_eq!(
            got,
            vec![
                (0..3, MarkKind::Splade),
                (3..5, MarkKind::Both),
                (5..8, MarkKind::Bm25),
                (10..12, MarkKind::Both)
            ]
        );
    }
}
