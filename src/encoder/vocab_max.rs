//! SPLADE pooling: the vocabulary projection fused with the max over positions.
//!
//! SPLADE's weight for vocabulary term `v` over a sequence of hidden states `h_t` is
//!
//! ```text
//! w[v] = max_t log(1 + relu(h_t · E_v + b_v))  =  log(1 + relu(max_t (h_t · E_v) + b_v))
//! ```
//!
//! The equality holds because `x ↦ log(1 + relu(x + b))` is non-decreasing (also after
//! rounding to `f32`), so the max can be taken on the raw dot products. The decoder is
//! walked panel by panel ([`PackedWeights::max_over_rows`]), keeping only a running max:
//! the `[tokens, vocab]` logits are never materialised. Only padding-free rows are passed
//! in, so padding positions never take part in the max.
//!
//! **Attribution.** The same pass records, for each term, the position `t` whose dot
//! product is the max (the first one on an exact tie): every non-zero weight comes from
//! exactly one input position, its *source*. Where two positions' raw products differ but
//! round to the same weight after the activation, the source is the larger product's.

use rayon::prelude::*;

use super::kernel::{PackedWeights, PANEL};

/// Panels per parallel task: 64 panels = 1,024 terms.
const PANELS_PER_TASK: usize = 64;

/// The MLM decoder (`[vocab, hidden]` weights and `[vocab]` bias), packed for pooling.
#[derive(Debug, Clone)]
pub struct PackedDecoder {
    weights: PackedWeights,
    bias: Vec<f32>,
}

impl PackedDecoder {
    /// Packs a row-major `[vocab, hidden]` weight matrix and its `[vocab]` bias.
    ///
    /// # Panics
    /// If the slice lengths disagree with `vocab` and `hidden` (the loader checks tensor
    /// shapes before calling this).
    pub fn new(weight: &[f32], bias: &[f32], vocab: usize, hidden: usize) -> Self {
        assert_eq!(bias.len(), vocab, "decoder bias shape");
        let weights = PackedWeights::new(weight, vocab, hidden);
        let mut bias = bias.to_vec();
        bias.resize(weights.panels() * PANEL, 0.0);
        Self { weights, bias }
    }

    /// Vocabulary size (the length of each output row).
    pub fn vocab(&self) -> usize {
        self.weights.outputs()
    }

    /// Hidden size (the length of each input row).
    pub fn hidden(&self) -> usize {
        self.weights.inputs()
    }

    /// Whether the AVX2/FMA micro-kernel is in use (else a portable loop).
    pub fn uses_simd(&self) -> bool {
        self.weights.uses_simd()
    }

    /// SPLADE weights of one sequence on the calling thread: `rows` holds its hidden states
    /// (`[tokens, hidden]`, row-major, no padding).
    pub fn pool(&self, rows: &[f32]) -> Pooled {
        let mut out = Pooled::zeros(self.vocab());
        self.pool_panels(rows, 0, &mut out.weights, &mut out.sources);
        out
    }

    /// SPLADE weights of many sequences, spread over the current rayon pool.
    pub fn pool_batch(&self, sequences: &[&[f32]]) -> Vec<Pooled> {
        let mut outs: Vec<Pooled> = sequences
            .iter()
            .map(|_| Pooled::zeros(self.vocab()))
            .collect();
        let chunk = PANELS_PER_TASK * PANEL;
        // (a sequence's rows, first panel, its weights and sources for those panels)
        type Task<'a> = (&'a [f32], usize, &'a mut [f32], &'a mut [u32]);
        let mut tasks: Vec<Task> = Vec::new();
        for (rows, out) in sequences.iter().zip(outs.iter_mut()) {
            let chunks = out
                .weights
                .chunks_mut(chunk)
                .zip(out.sources.chunks_mut(chunk));
            for (c, (weights, sources)) in chunks.enumerate() {
                tasks.push((rows, c * PANELS_PER_TASK, weights, sources));
            }
        }
        tasks
            .into_par_iter()
            .for_each(|(rows, first_panel, weights, sources)| {
                self.pool_panels(rows, first_panel, weights, sources)
            });
        outs
    }

    /// Fills `weights` (the terms of panels `first_panel..`) for one sequence with
    /// `log1p(relu(max + bias))`, and `sources` with the row of each max.
    fn pool_panels(
        &self,
        rows: &[f32],
        first_panel: usize,
        weights: &mut [f32],
        sources: &mut [u32],
    ) {
        let padded = weights.len().div_ceil(PANEL) * PANEL;
        let mut maxes = vec![0.0f32; padded];
        let mut argmax = vec![0u32; padded];
        self.weights
            .max_over_rows(rows, first_panel, &mut maxes, &mut argmax);
        let bias = &self.bias[first_panel * PANEL..];
        for ((o, &m), &b) in weights.iter_mut().zip(&maxes).zip(bias) {
            let x = m + b;
            *o = if x > 0.0 { x.ln_1p() } else { 0.0 };
        }
        sources.copy_from_slice(&argmax[..sources.len()]);
    }
}

/// One sequence's pooled output over the whole vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooled {
    /// `[vocab]` SPLADE weights (0 for terms the text does not activate).
    pub weights: Vec<f32>,
    /// `[vocab]` input position whose logit gave each weight (meaningful where the weight
    /// is `> 0`).
    pub sources: Vec<u32>,
}

impl Pooled {
    fn zeros(vocab: usize) -> Self {
        Self {
            weights: vec![0.0; vocab],
            sources: vec![0; vocab],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::kernel::tests::noise;
    use super::*;

    /// The textbook recipe: full logits, activation, then max over rows; with the first
    /// row of the max (on the `f64` logits, so unaffected by the activation's rounding).
    fn naive(
        rows: &[f32],
        weight: &[f32],
        bias: &[f32],
        vocab: usize,
        hidden: usize,
    ) -> Vec<(f32, u32)> {
        let n_rows = rows.len() / hidden;
        (0..vocab)
            .map(|v| {
                let logits: Vec<f64> = (0..n_rows)
                    .map(|t| {
                        (0..hidden)
                            .map(|k| rows[t * hidden + k] as f64 * weight[v * hidden + k] as f64)
                            .sum::<f64>()
                            + bias[v] as f64
                    })
                    .collect();
                let best = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let source = logits.iter().position(|&l| l == best).unwrap_or(0);
                (best.max(0.0).ln_1p() as f32, source as u32)
            })
            .collect()
    }

    #[test]
    fn matches_the_naive_recipe() {
        for &(vocab, hidden) in &[(1, 1), (17, 3), (1100, 16), (40, 128)] {
            for n_rows in [0, 1, 5, 6, 7, 13] {
                let weight = noise(vocab * hidden, 1 + vocab as u64);
                let bias = noise(vocab, 2 + hidden as u64);
                let rows = noise(n_rows * hidden, 3 + n_rows as u64);
                let dec = PackedDecoder::new(&weight, &bias, vocab, hidden);
                let expected = naive(&rows, &weight, &bias, vocab, hidden);
                let got = dec.pool(&rows);
                let batch = dec.pool_batch(&[&rows, &rows[..0]]);
                assert_eq!(batch[0], got);
                for (v, &(weight, source)) in expected.iter().enumerate() {
                    assert!(
                        (got.weights[v] - weight).abs() < 1e-5,
                        "v={v} {vocab}x{hidden} rows={n_rows}"
                    );
                    if got.weights[v] > 0.0 {
                        assert_eq!(got.sources[v], source, "v={v} rows={n_rows}");
                    }
                    assert_eq!(batch[1].weights[v], 0.0, "an empty sequence has no weights");
                }
            }
        }
    }
}
