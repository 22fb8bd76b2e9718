//! BM25 scoring exactly as Lucene's `BM25Similarity` (Lucene 8+/9, used by Anserini).
//!
//! ```text
//! idf    = (f32) ln(1 + (N - df + 0.5) / (df + 0.5))          computed in f64, then cast
//! avgdl  = (f32) (sumTotalTermFreq / N)                        exact lengths, in f64
//! inv    = 1 / (k1 * ((1 - b) + b * dl / avgdl))               f32; dl decoded from the norm
//! weight = boost * idf                                         boost = query term count
//! score  = weight - weight / (1 + tf * inv)                    f32
//! ```
//!
//! `score` is `weight * tf / (tf + k1 * (1 - b + b * dl / avgdl))` rearranged (Lucene 8.x's
//! rewrite for monotonicity). There is no `(k1 + 1)` factor: Lucene 8 dropped it
//! (LUCENE-8563) because it scales every score by the same constant and so never changes a
//! ranking. `N` is the number of documents that have the field, `df` the number of them
//! that contain the term, `dl` the document's length as stored in its one-byte norm (see
//! [`super::norms`]), not its exact length. A document's score is the sum of its matching
//! terms' scores, added up in `f64` and rounded to `f32` once (as Lucene's disjunction
//! scorers do); see [`sum_term_scores`].

use serde::{Deserialize, Serialize};
use std::fmt;

use super::norms::{is_exact_norm, LENGTH_TABLE};

/// BM25's free parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bm25Params {
    /// Term-frequency saturation (`k1 >= 0`, finite).
    pub k1: f32,
    /// Length normalisation strength (`0 <= b <= 1`).
    pub b: f32,
}

/// Why [`Bm25Params::new`] refused a value (Lucene's constructor throws for the same ones).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum Bm25ParamsError {
    /// `k1` was negative, infinite or NaN.
    #[error("illegal k1 value {0}: k1 must be a non-negative finite number (Anserini uses 0.9)")]
    K1(f32),
    /// `b` was outside `[0, 1]` or NaN.
    #[error("illegal b value {0}: b must be between 0 and 1 (Anserini uses 0.4)")]
    B(f32),
}

impl Bm25Params {
    /// Anserini's defaults: `k1 = 0.9`, `b = 0.4`.
    pub const ANSERINI: Self = Self { k1: 0.9, b: 0.4 };
    /// Lucene's own defaults: `k1 = 1.2`, `b = 0.75`.
    pub const LUCENE: Self = Self { k1: 1.2, b: 0.75 };

    /// Checked constructor.
    pub fn new(k1: f32, b: f32) -> Result<Self, Bm25ParamsError> {
        if !k1.is_finite() || k1 < 0.0 {
            return Err(Bm25ParamsError::K1(k1));
        }
        if b.is_nan() || !(0.0..=1.0).contains(&b) {
            return Err(Bm25ParamsError::B(b));
        }
        Ok(Self { k1, b })
    }
}

impl Default for Bm25Params {
    /// [`Bm25Params::ANSERINI`].
    fn default() -> Self {
        Self::ANSERINI
    }
}

/// Lucene's BM25 idf: `ln(1 + (N - df + 0.5) / (df + 0.5))`, in `f64`, rounded to `f32`.
pub fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let df = doc_freq as f64;
    let n = doc_count as f64;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln() as f32
}

/// Lucene's average field length: `sumTotalTermFreq / docCount` in `f64`, rounded to `f32`.
///
/// `sum_total_term_freq` is the sum of the *exact* lengths. Returns `1.0` for an empty
/// collection (Lucene never scores one), so that scores stay finite.
pub fn avg_field_length(sum_total_term_freq: u64, doc_count: u64) -> f32 {
    if doc_count == 0 {
        return 1.0;
    }
    (sum_total_term_freq as f64 / doc_count as f64) as f32
}

/// `1 / (k1 * ((1 - b) + b * dl / avgdl))` in `f32`, in Lucene's order of operations.
fn norm_inverse(params: Bm25Params, dl: f32, avgdl: f32) -> f32 {
    1.0 / length_norm(params, dl, avgdl)
}

/// `k1 * ((1 - b) + b * dl / avgdl)` in `f32`, in Lucene's order of operations.
fn length_norm(params: Bm25Params, dl: f32, avgdl: f32) -> f32 {
    params.k1 * ((1.0 - params.b) + params.b * dl / avgdl)
}

/// One term's BM25 score for one document, bit for bit as Lucene computes it, for a query
/// that contains the term once.
///
/// `tf`: occurrences in the document; `df`/`doc_count`: see [`idf`]; `norm`: the document's
/// norm byte ([`super::norms::encode_length`] of its token count); `avgdl`: see
/// [`avg_field_length`]. For repeated query terms use [`Bm25Scorer`] with a boost.
pub fn bm25_term_score(
    tf: u32,
    df: u64,
    doc_count: u64,
    norm: u8,
    avgdl: f32,
    params: Bm25Params,
) -> f32 {
    let weight = idf(df, doc_count);
    let dl = LENGTH_TABLE[usize::from(norm)] as f32;
    score_with(weight, tf as f32, norm_inverse(params, dl, avgdl))
}

fn score_with(weight: f32, tf: f32, norm_inverse: f32) -> f32 {
    score_of_scaled_tf(weight, tf * norm_inverse)
}

/// `weight - weight / (1 + x)` in `f32`, for `x = tf · norm_inverse` (see
/// [`Bm25Scorer::scaled_tf`]). Every step rounds monotonically, so for `weight ≥ 0` the
/// score never decreases as `x` grows: the largest `x` of a block bounds every score in it.
fn score_of_scaled_tf(weight: f32, x: f32) -> f32 {
    weight - weight / (1.0 + x)
}

/// Adds up per-term scores like Lucene's disjunction scorers: in `f64`, then one rounding.
pub fn sum_term_scores(scores: impl IntoIterator<Item = f32>) -> f32 {
    scores.into_iter().map(f64::from).sum::<f64>() as f32
}

/// A BM25 scorer for one collection: parameters, `avgdl` and Lucene's 256-entry cache of
/// length normalisations (one per norm byte).
#[derive(Debug, Clone)]
pub struct Bm25Scorer {
    params: Bm25Params,
    avgdl: f32,
    norm_inverse: [f32; 256],
}

impl Bm25Scorer {
    /// Builds the norm cache for `avgdl` (see [`avg_field_length`]).
    pub fn new(params: Bm25Params, avgdl: f32) -> Self {
        let mut norm_inverse = [0f32; 256];
        for (slot, &len) in norm_inverse.iter_mut().zip(LENGTH_TABLE.iter()) {
            *slot = self::norm_inverse(params, len as f32, avgdl);
        }
        Self {
            params,
            avgdl,
            norm_inverse,
        }
    }

    /// The parameters.
    pub fn params(&self) -> Bm25Params {
        self.params
    }

    /// The average document length this scorer normalises against.
    pub fn avgdl(&self) -> f32 {
        self.avgdl
    }

    /// A query term's weight: `qtf * idf` (Anserini turns a term repeated `qtf` times in the
    /// query into one clause with boost `qtf`).
    pub fn term_weight(&self, qtf: u32, df: u64, doc_count: u64) -> f32 {
        qtf as f32 * idf(df, doc_count)
    }

    /// A term's score in one document, given its [`term_weight`](Self::term_weight).
    pub fn score(&self, weight: f32, tf: u32, norm: u8) -> f32 {
        score_with(weight, tf as f32, self.norm_inverse[usize::from(norm)])
    }

    /// `tf · norm_inverse[norm]` in `f32`: the one per-document input of a term's score
    /// ([`Self::score`] is [`Self::score_of_scaled_tf`] of it, bit for bit). The BM25
    /// postings store each block's largest, which bounds the block's scores.
    pub fn scaled_tf(&self, tf: u32, norm: u8) -> f32 {
        tf as f32 * self.norm_inverse[usize::from(norm)]
    }

    /// A term's score for a scaled term frequency ([`Self::scaled_tf`]); non-decreasing in
    /// `x` for a non-negative weight.
    pub fn score_of_scaled_tf(&self, weight: f32, x: f32) -> f32 {
        score_of_scaled_tf(weight, x)
    }

    /// Every factor of a term's score in one document, for display.
    pub fn explain(
        &self,
        tf: u32,
        qtf: u32,
        df: u64,
        doc_count: u64,
        norm: u8,
    ) -> TermScoreExplanation {
        let idf = idf(df, doc_count);
        let weight = qtf as f32 * idf;
        let dl = LENGTH_TABLE[usize::from(norm)];
        let inv = self.norm_inverse[usize::from(norm)];
        TermScoreExplanation {
            tf,
            qtf,
            df,
            doc_count,
            idf,
            weight,
            norm,
            dl,
            dl_exact: is_exact_norm(norm),
            avgdl: self.avgdl,
            k1: self.params.k1,
            b: self.params.b,
            length_norm: length_norm(self.params, dl as f32, self.avgdl),
            tf_part: 1.0 - 1.0 / (1.0 + tf as f32 * inv),
            score: score_with(weight, tf as f32, inv),
        }
    }
}

/// The factors of one term's BM25 score in one document (what Lucene's `explain` shows).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TermScoreExplanation {
    /// Occurrences of the term in the document.
    pub tf: u32,
    /// Occurrences of the term in the query (the clause boost).
    pub qtf: u32,
    /// Documents containing the term.
    pub df: u64,
    /// Documents with the field (`N`).
    pub doc_count: u64,
    /// `ln(1 + (N - df + 0.5) / (df + 0.5))`.
    pub idf: f32,
    /// `qtf * idf`.
    pub weight: f32,
    /// The document's norm byte.
    pub norm: u8,
    /// Document length decoded from the norm (what BM25 uses).
    pub dl: u32,
    /// Whether `dl` is the exact token count (norm bytes `0..=39`).
    pub dl_exact: bool,
    /// Average document length (exact).
    pub avgdl: f32,
    /// `k1`.
    pub k1: f32,
    /// `b`.
    pub b: f32,
    /// `k1 * (1 - b + b * dl / avgdl)`.
    pub length_norm: f32,
    /// `tf / (tf + length_norm)`, the saturated term frequency in `[0, 1)`.
    pub tf_part: f32,
    /// The term's contribution to the document score, exactly as used for ranking
    /// (`weight * tf_part` up to `f32` rounding).
    pub score: f32,
}

impl fmt::Display for TermScoreExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.4} = qtf {} × idf {:.4} (df {} of {}) × tf {} / (tf + {:.4}) [k1 {}, b {}, dl {}{}, avgdl {:.2}]",
            self.score,
            self.qtf,
            self.idf,
            self.df,
            self.doc_count,
            self.tf,
            self.length_norm,
            self.k1,
            self.b,
            self.dl,
            if self.dl_exact { "" } else { " approx." },
            self.avgdl,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::norms::int_to_byte4;

    #[test]
    fn params() {
        assert_eq!(Bm25Params::default(), Bm25Params { k1: 0.9, b: 0.4 });
        assert!(Bm25Params::new(0.9, 0.4).is_ok());
        assert_eq!(Bm25Params::new(-1.0, 0.4), Err(Bm25ParamsError::K1(-1.0)));
        assert!(Bm25Params::new(f32::INFINITY, 0.4).is_err());
        assert!(Bm25Params::new(0.9, 1.5).is_err());
        assert!(Bm25Params::new(0.9, f32::NAN).is_err());
    }

    #[test]
    fn idf_values() {
        // ln(1 + (10 - 1 + 0.5) / 1.5) = ln(7.333..)
        assert!((idf(1, 10) - 1.992_430_1).abs() < 1e-6);
        assert!(idf(10, 10) > 0.0);
        assert!(idf(0, 0).is_finite());
    }

    #[test]
    fn formula_matches_textbook_bm25_without_k1_plus_one() {
        let p = Bm25Params::ANSERINI;
        let (tf, df, n, len, avgdl) = (3u32, 5u64, 100u64, 20u32, 25.0f32);
        let got = bm25_term_score(tf, df, n, int_to_byte4(len), avgdl, p);
        let idf = (1.0 + (n as f64 - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
        let k = 0.9 * (1.0 - 0.4 + 0.4 * len as f64 / avgdl as f64);
        let want = idf * tf as f64 / (tf as f64 + k);
        assert!(((got as f64) - want).abs() / want < 1e-6, "{got} vs {want}");
        let scorer = Bm25Scorer::new(p, avgdl);
        let w = scorer.term_weight(1, df, n);
        assert_eq!(scorer.score(w, tf, int_to_byte4(len)), got);
        let e = scorer.explain(tf, 1, df, n, int_to_byte4(len));
        assert_eq!(e.score, got);
        assert_eq!(e.dl, 20);
        assert!(e.dl_exact);
        assert!((e.weight * e.tf_part - got).abs() < 1e-6);
        assert!(!e.to_string().is_empty());
        // A query term given twice counts twice.
        let w2 = scorer.term_weight(2, df, n);
        assert!((scorer.score(w2, tf, 20) - 2.0 * scorer.score(w, tf, 20)).abs() < 1e-5);
    }

    #[test]
    fn uses_the_lossy_norm() {
        let p = Bm25Params::ANSERINI;
        // 100 tokens are stored as 96: same score as a 96-token document.
        assert_eq!(
            bm25_term_score(2, 3, 50, int_to_byte4(100), 80.0, p),
            bm25_term_score(2, 3, 50, int_to_byte4(96), 80.0, p)
        );
    }

    #[test]
    fn sums_in_f64() {
        assert_eq!(sum_term_scores([1.0f32, 2.0, 3.5]), 6.5);
        assert_eq!(sum_term_scores(Vec::<f32>::new()), 0.0);
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let s = Bm25Scorer::new(Bm25Params { k1: 0.0, b: 0.0 }, 10.0);
        assert!(s.score(1.0, 1, 255).is_finite());
        let _ = Bm25Scorer::new(Bm25Params::ANSERINI, 0.0).score(1.0, 0, 0);
        let _ = bm25_term_score(
            u32::MAX,
            u64::MAX,
            0,
            255,
            f32::MIN_POSITIVE,
            Bm25Params::LUCENE,
        );
        assert_eq!(avg_field_length(10, 0), 1.0);
    }
}
