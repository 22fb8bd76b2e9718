//! Comparing two systems over the same queries: win/tie/loss, paired t-test, paired
//! randomization (sign-flip) test.
//!
//! Every test works on the per-query differences `d_i = a_i − b_i` (positive: system A is
//! better on query i).

use serde::Serialize;

use super::error::EvalError;
use super::evaluate::Evaluation;
use super::metrics::Metric;
use super::prng::Xoshiro256StarStar;
use super::stats::student_t_two_sided;

/// Two per-query values closer than this are a tie.
pub const TIE_EPSILON: f64 = 1e-9;

/// How often A beats B, ties, and loses, query by query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WinTieLoss {
    /// Queries with `d_i >= TIE_EPSILON` (A better).
    pub wins: usize,
    /// Queries with `|d_i| < TIE_EPSILON` (exact equality included).
    pub ties: usize,
    /// Queries with `d_i <= -TIE_EPSILON` (B better).
    pub losses: usize,
}

/// Counts wins, ties and losses of A over B from the differences `a_i − b_i`
/// (see [`TIE_EPSILON`]; a NaN difference counts as a tie).
pub fn win_tie_loss(diffs: &[f64]) -> WinTieLoss {
    let mut w = WinTieLoss::default();
    for &d in diffs {
        if d >= TIE_EPSILON {
            w.wins += 1;
        } else if d <= -TIE_EPSILON {
            w.losses += 1;
        } else {
            w.ties += 1;
        }
    }
    w
}

/// A two-sided paired t-test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TTest {
    /// Number of pairs.
    pub n: usize,
    /// Mean difference (A − B).
    pub mean_diff: f64,
    /// t statistic `mean / (sd / √n)`, sd with n − 1 in the denominator; ±∞ when every
    /// difference is the same non-zero value.
    pub t: f64,
    /// Degrees of freedom, n − 1.
    pub df: usize,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Two-sided paired t-test on the differences, as `scipy.stats.ttest_rel(a, b)`.
///
/// `None` when n < 2. Zero variance: all differences 0 gives t = 0, p = 1 (scipy gives
/// NaN); all equal and non-zero gives t = ±∞, p = 0 (as scipy).
pub fn paired_t_test(diffs: &[f64]) -> Option<TTest> {
    let n = diffs.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = diffs.iter().sum::<f64>() / nf;
    let var = diffs.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / (nf - 1.0);
    let df = n - 1;
    let (t, p_value) = if var == 0.0 {
        if mean == 0.0 {
            (0.0, 1.0)
        } else {
            (mean.signum() * f64::INFINITY, 0.0)
        }
    } else {
        let t = mean / (var.sqrt() / nf.sqrt());
        (t, student_t_two_sided(t, df as f64))
    };
    Some(TTest {
        n,
        mean_diff: mean,
        t,
        df,
        p_value,
    })
}

/// Settings of the randomization test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RandomizationOptions {
    /// Number of random sign assignments; 10,000 by default.
    pub trials: usize,
    /// PRNG seed (xoshiro256**); fixed by default so results are reproducible.
    pub seed: u64,
}

impl Default for RandomizationOptions {
    fn default() -> Self {
        Self {
            trials: 10_000,
            seed: 0x5EED_2024,
        }
    }
}

/// Result of a paired randomization test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RandomizationTest {
    /// Number of pairs.
    pub n: usize,
    /// Observed mean difference (A − B).
    pub mean_diff: f64,
    /// Trials whose |mean| was at least the observed |mean|.
    pub at_least_as_extreme: usize,
    /// Trials run.
    pub trials: usize,
    /// Seed used.
    pub seed: u64,
    /// Two-sided p-value `(at_least_as_extreme + 1) / (trials + 1)`.
    pub p_value: f64,
}

/// Two-sided paired randomization test: under the null hypothesis each difference is as
/// likely to have either sign, so each trial flips the sign of every `d_i` with
/// probability 1/2 and compares |Σ ±d_i| with |Σ d_i| (equivalently the means). A trial
/// counts when `|Σ ±d_i| >= |Σ d_i| − 1e-9 · Σ|d_i|` (the slack absorbs rounding, so sign
/// patterns equal in exact arithmetic count). p = (count + 1) / (trials + 1), never 0.
///
/// `None` when there is no pair. Deterministic for a given seed.
pub fn randomization_test(diffs: &[f64], opts: &RandomizationOptions) -> Option<RandomizationTest> {
    let n = diffs.len();
    if n == 0 {
        return None;
    }
    let observed: f64 = diffs.iter().sum();
    let abs_sum: f64 = diffs.iter().map(|d| d.abs()).sum();
    let threshold = observed.abs() - 1e-9 * abs_sum;
    let mut rng = Xoshiro256StarStar::new(opts.seed);
    let mut count = 0usize;
    for _ in 0..opts.trials {
        let mut sum = 0.0;
        let mut bits = 0u64;
        for (i, &d) in diffs.iter().enumerate() {
            if i % 64 == 0 {
                bits = rng.next_u64();
            }
            sum += if bits & 1 == 1 { -d } else { d };
            bits >>= 1;
        }
        if sum.abs() >= threshold {
            count += 1;
        }
    }
    Some(RandomizationTest {
        n,
        mean_diff: observed / n as f64,
        at_least_as_extreme: count,
        trials: opts.trials,
        seed: opts.seed,
        p_value: (count + 1) as f64 / (opts.trials + 1) as f64,
    })
}

/// Everything about A versus B on one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The measure.
    pub metric: Metric,
    /// Number of paired queries.
    pub n: usize,
    /// Mean of A.
    pub mean_a: f64,
    /// Mean of B.
    pub mean_b: f64,
    /// Mean of A − B.
    pub mean_diff: f64,
    /// Per-query wins of A, ties, losses.
    pub win_tie_loss: WinTieLoss,
    /// Paired t-test (None when n < 2).
    pub t_test: Option<TTest>,
    /// Randomization test (None when n = 0).
    pub randomization: Option<RandomizationTest>,
}

/// Per-query (query id, A value, B value) of one measure; the two evaluations must cover
/// exactly the same queries (evaluate both with the same qrels and options).
pub fn paired_values<'a>(
    a: &'a Evaluation,
    b: &Evaluation,
    metric: Metric,
) -> Result<Vec<(&'a str, f64, f64)>, EvalError> {
    let only_a: Vec<&String> = a
        .per_query
        .keys()
        .filter(|q| !b.per_query.contains_key(*q))
        .collect();
    let only_b: Vec<&String> = b
        .per_query
        .keys()
        .filter(|q| !a.per_query.contains_key(*q))
        .collect();
    if !only_a.is_empty() || !only_b.is_empty() {
        let example = only_a
            .first()
            .or(only_b.first())
            .map(|s| s.to_string())
            .unwrap_or_default();
        return Err(EvalError::QueryMismatch {
            only_a: only_a.len(),
            only_b: only_b.len(),
            example,
        });
    }
    Ok(a.per_query
        .iter()
        .map(|(q, ea)| {
            (
                q.as_str(),
                ea.values.get(metric),
                b.per_query[q].values.get(metric),
            )
        })
        .collect())
}

/// Compares system A with system B on `metric` (differences are A − B).
pub fn compare(
    a: &Evaluation,
    b: &Evaluation,
    metric: Metric,
    opts: &RandomizationOptions,
) -> Result<Comparison, EvalError> {
    let pairs = paired_values(a, b, metric)?;
    let diffs: Vec<f64> = pairs.iter().map(|(_, x, y)| x - y).collect();
    let n = pairs.len();
    let mean = |v: &mut dyn Iterator<Item = f64>| {
        if n == 0 {
            0.0
        } else {
            v.sum::<f64>() / n as f64
        }
    };
    Ok(Comparison {
        metric,
        n,
        mean_a: mean(&mut pairs.iter().map(|p| p.1)),
        mean_b: mean(&mut pairs.iter().map(|p| p.2)),
        mean_diff: mean(&mut diffs.iter().copied()),
        win_tie_loss: win_tie_loss(&diffs),
        t_test: paired_t_test(&diffs),
        randomization: randomization_test(&diffs, opts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_tie_loss_uses_epsilon() {
        let w = win_tie_loss(&[0.1, 0.0, 1e-12, -1e-12, -0.2, 2e-9]);
        assert_eq!(
            w,
            WinTieLoss {
                wins: 2,
                ties: 3,
                losses: 1
            }
        );
    }

    #[test]
    fn t_test_degenerate_cases() {
        assert!(paired_t_test(&[]).is_none());
        assert!(paired_t_test(&[0.3]).is_none());
        let zero = paired_t_test(&[0.0, 0.0, 0.0]).unwrap();
        assert_eq!((zero.t, zero.p_value), (0.0, 1.0));
        let constant = paired_t_test(&[-0.5, -0.5]).unwrap();
        assert_eq!((constant.t, constant.p_value), (f64::NEG_INFINITY, 0.0));
    }

    #[test]
    fn t_test_hand_value() {
        // d = [1, 2, 3]: mean 2, sd 1, t = 2√3, df 2, p = 1 − t/√(2+t²) = 1 − √(12/14).
        let r = paired_t_test(&[1.0, 2.0, 3.0]).unwrap();
        assert!((r.t - 2.0 * 3f64.sqrt()).abs() < 1e-12);
        assert!((r.p_value - (1.0 - (12.0f64 / 14.0).sqrt())).abs() < 1e-12);
    }

    /// Exact two-sided sign-flip p-value by enumerating all 2^n patterns.
    fn exact_p(diffs: &[f64]) -> f64 {
        let obs: f64 = diffs.iter().sum::<f64>().abs();
        let abs_sum: f64 = diffs.iter().map(|d| d.abs()).sum();
        let n = diffs.len();
        let mut count = 0usize;
        for mask in 0u32..(1 << n) {
            let s: f64 = diffs
                .iter()
                .enumerate()
                .map(|(i, d)| if mask >> i & 1 == 1 { -d } else { *d })
                .sum();
            if s.abs() >= obs - 1e-9 * abs_sum {
                count += 1;
            }
        }
        count as f64 / (1u64 << n) as f64
    }

    #[test]
    fn randomization_matches_exact_enumeration() {
        let diffs = [
            0.31, -0.05, 0.12, 0.2, 0.0, -0.11, 0.4, 0.07, 0.25, -0.02, 0.15, 0.3,
        ];
        let exact = exact_p(&diffs);
        let opts = RandomizationOptions {
            trials: 200_000,
            seed: 1,
        };
        let r = randomization_test(&diffs, &opts).unwrap();
        // Binomial standard error at 200k trials is < 0.0012; allow 4 sigma.
        assert!(
            (r.p_value - exact).abs() < 0.005,
            "mc {} exact {exact}",
            r.p_value
        );
        // Same seed, same answer; another seed, a close answer.
        assert_eq!(randomization_test(&diffs, &opts).unwrap(), r);
        let other = randomization_test(
            &diffs,
            &RandomizationOptions {
                trials: 200_000,
                seed: 2,
            },
        )
        .unwrap();
        assert!((other.p_value - exact).abs() < 0.005);
    }

    #[test]
    fn randomization_degenerate_cases() {
        assert!(randomization_test(&[], &RandomizationOptions::default()).is_none());
        let zero = randomization_test(&[0.0; 5], &RandomizationOptions::default()).unwrap();
        assert_eq!(zero.p_value, 1.0);
        // Equal magnitudes: every pattern with the same number of flips ties exactly in real
        // arithmetic; the rounding slack must count them.
        let r = randomization_test(
            &[0.1, 0.1, 0.1, 0.1],
            &RandomizationOptions {
                trials: 50_000,
                seed: 3,
            },
        )
        .unwrap();
        assert!((r.p_value - 2.0 / 16.0).abs() < 0.01, "{}", r.p_value);
        let tiny = randomization_test(
            &[1.0],
            &RandomizationOptions {
                trials: 10,
                seed: 0,
            },
        )
        .unwrap();
        assert_eq!(tiny.p_value, 1.0);
    }
}
