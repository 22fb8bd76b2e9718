//! `explain` side by side: one document under two checkpoints (`--compare`), or two
//! documents for one query (`explain INDEX QUERY DOC_A DOC_B`), term by term with the
//! difference of each term's contribution.

use std::io::Write;

use spladescope::display::visible;
use spladescope::search::{RankInfo, SpladeComparison};

use super::output::{pad, paint};

/// Prints a comparison under `heading`; `a` and `b` name the two sides, `between` joins
/// their numbers (`→` for a move, `vs` for two documents).
pub fn print(
    w: &mut impl Write,
    heading: &str,
    [a, b, between]: [&str; 3],
    c: &SpladeComparison,
    color: bool,
) -> std::io::Result<()> {
    let rank = |r: &RankInfo| r.rank.map_or("not ranked".to_string(), |n| format!("#{n}"));
    writeln!(
        w,
        "{}",
        paint(
            &format!(
                "{heading}  · {a} {} {between} {b} {} · score {:.4} {between} {:.4} (Δ {:+.4})",
                rank(&c.a.rank),
                rank(&c.b.rank),
                c.a.score,
                c.b.score,
                c.score_delta
            ),
            "1",
            color
        )
    )?;
    if c.terms.is_empty() {
        return writeln!(w, "  no query term matches either side");
    }
    let side_w = 24;
    writeln!(
        w,
        "  {:<16} {} {} {:>9}  words ({a} / {b})",
        "term",
        pad(&format!("{a}: q × d = part"), side_w),
        pad(&format!("{b}: q × d = part"), side_w),
        "Δ",
    )?;
    for t in &c.terms {
        let words = format!("{} / {}", t.a.word(&t.token), t.b.word(&t.token));
        writeln!(
            w,
            "  {} {} {} {:>+9.4}  {}",
            pad(&visible(&t.token), 16),
            pad(&t.a.product(), side_w),
            pad(&t.b.product(), side_w),
            t.delta,
            paint(&words, "2", color)
        )?;
    }
    writeln!(
        w,
        "  {:<16} {} {} {:>+9.4}",
        "score",
        pad(&format!("{:.4}", c.a.score), side_w),
        pad(&format!("{:.4}", c.b.score), side_w),
        c.score_delta
    )
}
