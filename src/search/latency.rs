//! Latency summaries of a batch of searches: mean and nearest-rank percentiles.

use std::time::Duration;

use serde::Serialize;

/// Search latency over a batch of queries, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub queries: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// The summary of `times` (nearest-rank percentiles: the smallest time with at least
    /// p% of the times at or below it).
    pub fn of(times: &[Duration]) -> Self {
        let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let pct = |p: f64| {
            if ms.is_empty() {
                return 0.0;
            }
            let rank = ((p / 100.0) * ms.len() as f64).ceil().max(1.0) as usize;
            ms[rank.min(ms.len()) - 1]
        };
        Self {
            queries: ms.len(),
            mean_ms: if ms.is_empty() {
                0.0
            } else {
                ms.iter().sum::<f64>() / ms.len() as f64
            },
            p50_ms: pct(50.0),
            p95_ms: pct(95.0),
            p99_ms: pct(99.0),
            max_ms: ms.last().copied().unwrap_or(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let times: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = Latency::of(&times);
        assert_eq!(
            (l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms),
            (50.0, 95.0, 99.0, 100.0)
        );
        assert!((l.mean_ms - 50.5).abs() < 1e-9);
        assert_eq!(Latency::of(&[]).queries, 0);
        assert_eq!(Latency::of(&[Duration::from_millis(3)]).p99_ms, 3.0);
    }
}
