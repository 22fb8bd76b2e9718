//! Fused vocabulary projection with a max over positions: the SPLADE pooling kernel.
//!
//! SPLADE's weight for vocabulary term `v` over a sequence of hidden states `h_t` is
//!
//! ```text
//! w[v] = max_t log(1 + relu(h_t · E_v + b_v))  =  log(1 + relu(max_t (h_t · E_v) + b_v))
//! ```
//!
//! The equality holds because `x ↦ log(1 + relu(x + b))` is non-decreasing (also after
//! rounding to `f32`), so the max can be taken on the raw dot products. This kernel never
//! materialises the `[tokens, vocab]` logits: it walks the vocabulary in panels of
//! [`PANEL`] terms, keeps each panel's weights (`hidden × 16` floats, 8 KiB for hidden 128)
//! in L1, multiplies them with blocks of six positions in registers (a 6×16 FMA micro-kernel
//! on AVX2) and folds the results into a running max. Only padding-free rows are passed in,
//! so padding positions never take part in the max.
//!
//! Weights are repacked once at load time: panel `p` holds `E[p*16 + j][k]` at
//! `p*hidden*16 + k*16 + j`, zero-padded past the end of the vocabulary.

use rayon::prelude::*;

/// Vocabulary terms per panel (two AVX registers of eight `f32`).
pub const PANEL: usize = 16;

/// Panels per parallel task: 64 panels = 1,024 terms.
const PANELS_PER_TASK: usize = 64;

/// The MLM decoder (`[vocab, hidden]` weights and `[vocab]` bias), repacked for [`Self::pool`].
#[derive(Debug, Clone)]
pub struct PackedDecoder {
    hidden: usize,
    vocab: usize,
    panels: Vec<f32>,
    bias: Vec<f32>,
    simd: bool,
}

impl PackedDecoder {
    /// Packs a row-major `[vocab, hidden]` weight matrix and its `[vocab]` bias.
    ///
    /// # Panics
    /// If the slice lengths disagree with `vocab` and `hidden` (a programming error: the
    /// loader checks tensor shapes before calling this).
    pub fn new(weight: &[f32], bias: &[f32], vocab: usize, hidden: usize) -> Self {
        assert_eq!(weight.len(), vocab * hidden, "decoder weight shape");
        assert_eq!(bias.len(), vocab, "decoder bias shape");
        let n_panels = vocab.div_ceil(PANEL);
        let mut panels = vec![0.0f32; n_panels * hidden * PANEL];
        for v in 0..vocab {
            let (p, j) = (v / PANEL, v % PANEL);
            let row = &weight[v * hidden..(v + 1) * hidden];
            for (k, &x) in row.iter().enumerate() {
                panels[p * hidden * PANEL + k * PANEL + j] = x;
            }
        }
        let mut padded_bias = bias.to_vec();
        padded_bias.resize(n_panels * PANEL, 0.0);
        Self {
            hidden,
            vocab,
            panels,
            bias: padded_bias,
            simd: simd_available(),
        }
    }

    /// Vocabulary size (the length of each output row).
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// Hidden size (the length of each input row).
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Whether the AVX2/FMA micro-kernel is in use (else a portable loop).
    pub fn uses_simd(&self) -> bool {
        self.simd
    }

    /// SPLADE weights of one sequence, on the calling thread: `rows` holds the sequence's
    /// hidden states (`[tokens, hidden]`, row-major, no padding); returns `[vocab]` weights.
    pub fn pool(&self, rows: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0f32; self.vocab];
        self.pool_panels(rows, 0, &mut out);
        out
    }

    /// SPLADE weights of many sequences, spread over the current rayon pool.
    pub fn pool_batch(&self, sequences: &[&[f32]]) -> Vec<Vec<f32>> {
        let mut outs: Vec<Vec<f32>> = sequences.iter().map(|_| vec![0.0; self.vocab]).collect();
        let chunk = PANELS_PER_TASK * PANEL;
        let mut tasks: Vec<(&[f32], usize, &mut [f32])> = Vec::new();
        for (rows, out) in sequences.iter().zip(outs.iter_mut()) {
            for (c, out_chunk) in out.chunks_mut(chunk).enumerate() {
                tasks.push((rows, c * PANELS_PER_TASK, out_chunk));
            }
        }
        tasks
            .into_par_iter()
            .for_each(|(rows, first_panel, out)| self.pool_panels(rows, first_panel, out));
        outs
    }

    /// Fills `out` (the terms of panels `first_panel..`) for one sequence.
    fn pool_panels(&self, rows: &[f32], first_panel: usize, out: &mut [f32]) {
        let hidden = self.hidden;
        debug_assert_eq!(rows.len() % hidden.max(1), 0);
        let n_rows = if hidden == 0 { 0 } else { rows.len() / hidden };
        let n_panels = out.len().div_ceil(PANEL);
        let mut maxes = vec![f32::NEG_INFINITY; n_panels * PANEL];
        let panels = &self.panels[first_panel * hidden * PANEL..][..n_panels * hidden * PANEL];
        if n_rows > 0 {
            #[cfg(target_arch = "x86_64")]
            if self.simd {
                // SAFETY: `simd` is only set when AVX2 and FMA were detected at run time; the
                // slices cover `n_rows * hidden` inputs and `n_panels` full panels.
                unsafe { avx2::panels_max(rows, n_rows, hidden, panels, &mut maxes) };
                return finish(&maxes, &self.bias[first_panel * PANEL..], out);
            }
            portable_panels_max(rows, n_rows, hidden, panels, &mut maxes);
        }
        finish(&maxes, &self.bias[first_panel * PANEL..], out);
    }
}

/// `out[j] = log1p(relu(max[j] + bias[j]))`.
fn finish(maxes: &[f32], bias: &[f32], out: &mut [f32]) {
    for ((o, &m), &b) in out.iter_mut().zip(maxes).zip(bias) {
        let x = m + b;
        *o = if x > 0.0 { x.ln_1p() } else { 0.0 };
    }
}

fn simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Portable version of the kernel (any architecture), same panel walk.
fn portable_panels_max(
    rows: &[f32],
    n_rows: usize,
    hidden: usize,
    panels: &[f32],
    maxes: &mut [f32],
) {
    for (panel, max) in panels
        .chunks_exact(hidden * PANEL)
        .zip(maxes.chunks_exact_mut(PANEL))
    {
        for row in rows.chunks_exact(hidden).take(n_rows) {
            let mut acc = [0.0f32; PANEL];
            for (&a, b) in row.iter().zip(panel.chunks_exact(PANEL)) {
                for j in 0..PANEL {
                    acc[j] = a.mul_add(b[j], acc[j]);
                }
            }
            for j in 0..PANEL {
                max[j] = max[j].max(acc[j]);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::PANEL;
    use std::arch::x86_64::*;

    /// Rows per register block: 6 rows × 2 registers = 12 accumulators.
    const MR: usize = 6;

    /// Running max of `rows · panel` over all rows, for every panel in `panels`.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA; `rows.len() >= n_rows * hidden`;
    /// `panels.len() == maxes.len() / PANEL * hidden * PANEL`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn panels_max(
        rows: &[f32],
        n_rows: usize,
        hidden: usize,
        panels: &[f32],
        maxes: &mut [f32],
    ) {
        let n_panels = maxes.len() / PANEL;
        debug_assert!(rows.len() >= n_rows * hidden);
        debug_assert_eq!(panels.len(), n_panels * hidden * PANEL);
        let a = rows.as_ptr();
        for p in 0..n_panels {
            let b = panels.as_ptr().add(p * hidden * PANEL);
            let mut m0 = _mm256_set1_ps(f32::NEG_INFINITY);
            let mut m1 = m0;
            let mut r = 0;
            while r + MR <= n_rows {
                block::<MR>(a.add(r * hidden), hidden, b, &mut m0, &mut m1);
                r += MR;
            }
            let a_rest = a.add(r * hidden);
            match n_rows - r {
                1 => block::<1>(a_rest, hidden, b, &mut m0, &mut m1),
                2 => block::<2>(a_rest, hidden, b, &mut m0, &mut m1),
                3 => block::<3>(a_rest, hidden, b, &mut m0, &mut m1),
                4 => block::<4>(a_rest, hidden, b, &mut m0, &mut m1),
                5 => block::<5>(a_rest, hidden, b, &mut m0, &mut m1),
                _ => {}
            }
            let out = maxes.as_mut_ptr().add(p * PANEL);
            _mm256_storeu_ps(out, m0);
            _mm256_storeu_ps(out.add(8), m1);
        }
    }

    /// `R` rows × 16 terms: accumulate dot products in registers, then fold into the max.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn block<const R: usize>(
        a: *const f32,
        hidden: usize,
        b: *const f32,
        m0: &mut __m256,
        m1: &mut __m256,
    ) {
        let mut c0 = [_mm256_setzero_ps(); R];
        let mut c1 = [_mm256_setzero_ps(); R];
        for k in 0..hidden {
            let b0 = _mm256_loadu_ps(b.add(k * PANEL));
            let b1 = _mm256_loadu_ps(b.add(k * PANEL + 8));
            for i in 0..R {
                let av = _mm256_broadcast_ss(&*a.add(i * hidden + k));
                c0[i] = _mm256_fmadd_ps(av, b0, c0[i]);
                c1[i] = _mm256_fmadd_ps(av, b1, c1[i]);
            }
        }
        for i in 0..R {
            *m0 = _mm256_max_ps(*m0, c0[i]);
            *m1 = _mm256_max_ps(*m1, c1[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random numbers in [-1, 1).
    fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// The textbook recipe: full logits, activation, then max over rows.
    fn naive(rows: &[f32], weight: &[f32], bias: &[f32], vocab: usize, hidden: usize) -> Vec<f32> {
        let n_rows = rows.len() / hidden;
        (0..vocab)
            .map(|v| {
                (0..n_rows)
                    .map(|t| {
                        let dot: f64 = (0..hidden)
                            .map(|k| rows[t * hidden + k] as f64 * weight[v * hidden + k] as f64)
                            .sum();
                        ((dot + bias[v] as f64).max(0.0)).ln_1p() as f32
                    })
                    .fold(0.0f32, f32::max)
            })
            .collect()
    }

    fn check(vocab: usize, hidden: usize, n_rows: usize, simd: bool) {
        let weight = noise(vocab * hidden, 1 + vocab as u64);
        let bias = noise(vocab, 2 + hidden as u64);
        let rows = noise(n_rows * hidden, 3 + n_rows as u64);
        let mut dec = PackedDecoder::new(&weight, &bias, vocab, hidden);
        dec.simd &= simd;
        let expected = naive(&rows, &weight, &bias, vocab, hidden);
        let got = dec.pool(&rows);
        let batch = dec.pool_batch(&[&rows, &rows[..0]]);
        for v in 0..vocab {
            assert!(
                (got[v] - expected[v]).abs() < 1e-5,
                "v={v} vocab={vocab} hidden={hidden} rows={n_rows} simd={simd}: {} vs {}",
                got[v],
                expected[v]
            );
            assert_eq!(batch[0][v], got[v]);
            assert_eq!(batch[1][v], 0.0, "an empty sequence has no weights");
        }
    }

    #[test]
    fn matches_naive_recipe_for_awkward_shapes() {
        for simd in [true, false] {
            for &(vocab, hidden) in &[(1, 1), (17, 3), (33, 8), (1100, 16), (40, 128)] {
                for n_rows in [0, 1, 2, 5, 6, 7, 13] {
                    check(vocab, hidden, n_rows, simd);
                }
            }
        }
    }

    #[test]
    fn reports_vocab_and_hidden() {
        let dec = PackedDecoder::new(&[0.0; 6], &[0.0; 3], 3, 2);
        assert_eq!((dec.vocab(), dec.hidden()), (3, 2));
        assert_eq!(dec.pool(&[1.0, 1.0]), vec![0.0; 3]);
    }
}
