//! Packed weight matrices and the register-blocked product kernels behind the forward pass.
//!
//! A weight matrix `W` (`[n, k]`, PyTorch `nn.Linear` layout) is repacked once, at load
//! time, into panels of [`PANEL`] = 16 output columns: panel `p` holds `W[p·16 + j][i]` at
//! `p·k·16 + i·16 + j`, zero-padded past `n`. A micro-kernel chosen at run time multiplies a
//! block of input rows with panels while the accumulators stay in registers and the panel
//! (`k × 16` floats, 8 KiB for `k = 128`) stays in L1: AVX-512 takes 8 rows × 2 panels
//! (16 accumulators), AVX2 + FMA 6 rows × 1 panel (12 accumulators), a portable loop one
//! row at a time. Every output is the same chain of fused multiply-adds over `i` in every
//! kernel, so all three give bit-identical results. Two epilogues use the accumulators:
//!
//! - [`PackedWeights::matmul`]: store `x · Wᵀ` (dense layers);
//! - [`PackedWeights::max_over_rows`]: keep the running max over all rows and the row that
//!   gave it (SPLADE pooling and its attribution, see [`super::vocab_max`]), so the
//!   `[rows, n]` product is never written out. A row replaces the max only when it is
//!   strictly greater, and rows are visited in order, so on an exact tie the first row wins
//!   in every kernel.

/// Output columns per panel (two AVX registers of eight `f32`).
pub const PANEL: usize = 16;

/// A `[n, k]` weight matrix repacked into 16-column panels.
#[derive(Debug, Clone)]
pub struct PackedWeights {
    k: usize,
    n: usize,
    panels: Vec<f32>,
    isa: Isa,
}

/// The instruction set of the micro-kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    Portable,
    Avx2,
    Avx512,
}

impl Isa {
    /// The best kernel this CPU runs.
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Self::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Self::Avx2;
            }
        }
        Self::Portable
    }
}

impl PackedWeights {
    /// Packs a row-major `[n, k]` matrix.
    ///
    /// # Panics
    /// If `weight.len() != n * k` (the loader checks shapes before packing).
    pub fn new(weight: &[f32], n: usize, k: usize) -> Self {
        assert_eq!(weight.len(), n * k, "weight shape");
        let n_panels = n.div_ceil(PANEL);
        let mut panels = vec![0.0f32; n_panels * k * PANEL];
        for (col, row) in weight.chunks_exact(k.max(1)).enumerate().take(n) {
            let (p, j) = (col / PANEL, col % PANEL);
            for (i, &w) in row.iter().enumerate() {
                panels[p * k * PANEL + i * PANEL + j] = w;
            }
        }
        Self {
            k,
            n,
            panels,
            isa: Isa::detect(),
        }
    }

    /// Packs the `[n, k]` matrix whose element `(row, col)` is `at(row, col)` (for
    /// operands read in place from a larger buffer, such as attention keys and values).
    pub fn from_fn(n: usize, k: usize, at: impl Fn(usize, usize) -> f32) -> Self {
        let n_panels = n.div_ceil(PANEL);
        let mut panels = vec![0.0f32; n_panels * k * PANEL];
        for row in 0..n {
            let (p, j) = (row / PANEL, row % PANEL);
            for i in 0..k {
                panels[p * k * PANEL + i * PANEL + j] = at(row, i);
            }
        }
        Self {
            k,
            n,
            panels,
            isa: Isa::detect(),
        }
    }

    /// Input width `k`.
    pub fn inputs(&self) -> usize {
        self.k
    }

    /// Output width `n`.
    pub fn outputs(&self) -> usize {
        self.n
    }

    /// Number of 16-column panels.
    pub fn panels(&self) -> usize {
        self.n.div_ceil(PANEL)
    }

    /// Whether a SIMD micro-kernel (AVX2 or AVX-512) is in use.
    pub fn uses_simd(&self) -> bool {
        self.isa != Isa::Portable
    }

    /// The micro-kernel in use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Uses `isa` instead of the detected kernel where this CPU runs it (tests and
    /// benchmarks compare kernels).
    pub fn with_isa(mut self, isa: Isa) -> Self {
        let best = Isa::detect();
        let runs = match isa {
            Isa::Portable => true,
            Isa::Avx2 => best != Isa::Portable,
            Isa::Avx512 => best == Isa::Avx512,
        };
        if runs {
            self.isa = isa;
        }
        self
    }

    /// `y[m × n] = x[m × k] · Wᵀ` (overwriting `y`).
    pub fn matmul(&self, x: &[f32], y: &mut [f32]) {
        let m = x.len().checked_div(self.k).unwrap_or(0);
        assert_eq!(y.len(), m * self.n, "output shape");
        #[cfg(target_arch = "x86_64")]
        match self.isa {
            // SAFETY (both): the instruction sets were detected; the shapes were checked.
            Isa::Avx512 => return unsafe { avx512::matmul(x, m, self.k, &self.panels, self.n, y) },
            Isa::Avx2 => return unsafe { avx2::matmul(x, m, self.k, &self.panels, self.n, y) },
            Isa::Portable => {}
        }
        for (p, panel) in self.panels.chunks_exact(self.k * PANEL).enumerate() {
            let cols = (self.n - p * PANEL).min(PANEL);
            for (r, row) in x.chunks_exact(self.k).enumerate() {
                let acc = portable_dot_panel(row, panel);
                y[r * self.n + p * PANEL..][..cols].copy_from_slice(&acc[..cols]);
            }
        }
    }

    /// `maxes[j] = max over rows r of (x[r] · W[first·16 + j])` for the panels
    /// `first..first + maxes.len() / 16`, and `argmax[j]` the first row `r` that gives it;
    /// `-inf` and row 0 when `x` has no rows.
    pub fn max_over_rows(&self, x: &[f32], first: usize, maxes: &mut [f32], argmax: &mut [u32]) {
        let m = x.len().checked_div(self.k).unwrap_or(0);
        let count = maxes.len() / PANEL;
        assert!(maxes.len().is_multiple_of(PANEL) && first + count <= self.panels());
        assert_eq!(argmax.len(), maxes.len(), "one row index per max");
        assert!(u32::try_from(m).is_ok(), "row count fits a u32");
        let panels = &self.panels[first * self.k * PANEL..][..count * self.k * PANEL];
        maxes.fill(f32::NEG_INFINITY);
        argmax.fill(0);
        #[cfg(target_arch = "x86_64")]
        match self.isa {
            // SAFETY (both): the instruction sets were detected; `panels` holds `count`
            // full panels and `argmax` as many entries as `maxes`.
            Isa::Avx512 => {
                return unsafe { avx512::max_over_rows(x, m, self.k, panels, maxes, argmax) }
            }
            Isa::Avx2 => {
                return unsafe { avx2::max_over_rows(x, m, self.k, panels, maxes, argmax) }
            }
            Isa::Portable => {}
        }
        for ((panel, max), arg) in panels
            .chunks_exact(self.k * PANEL)
            .zip(maxes.chunks_exact_mut(PANEL))
            .zip(argmax.chunks_exact_mut(PANEL))
        {
            for (r, row) in x.chunks_exact(self.k).take(m).enumerate() {
                let acc = portable_dot_panel(row, panel);
                for ((m, i), a) in max.iter_mut().zip(arg.iter_mut()).zip(acc) {
                    if a > *m {
                        *m = a;
                        *i = r as u32;
                    }
                }
            }
        }
    }
}

fn portable_dot_panel(row: &[f32], panel: &[f32]) -> [f32; PANEL] {
    let mut acc = [0.0f32; PANEL];
    for (&a, b) in row.iter().zip(panel.chunks_exact(PANEL)) {
        for j in 0..PANEL {
            acc[j] = a.mul_add(b[j], acc[j]);
        }
    }
    acc
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::PANEL;
    use std::arch::x86_64::*;

    /// Rows per register block: 6 rows × 2 registers = 12 accumulators.
    const MR: usize = 6;

    /// Accumulators of `R` rows × 16 columns.
    type Acc<const R: usize> = ([__m256; R], [__m256; R]);

    /// `R` rows of `a` (row stride `k`) times one panel `b` (`k × 16`).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn block<const R: usize>(a: *const f32, k: usize, b: *const f32) -> Acc<R> {
        let mut c0 = [_mm256_setzero_ps(); R];
        let mut c1 = [_mm256_setzero_ps(); R];
        for i in 0..k {
            let b0 = _mm256_loadu_ps(b.add(i * PANEL));
            let b1 = _mm256_loadu_ps(b.add(i * PANEL + 8));
            for r in 0..R {
                let av = _mm256_broadcast_ss(&*a.add(r * k + i));
                c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
                c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
            }
        }
        (c0, c1)
    }

    /// Applies `f` to each row block of `m` rows: full blocks of [`MR`], then the rest.
    macro_rules! for_row_blocks {
        ($m:expr, $k:expr, $a:expr, $b:expr, |$r0:ident, $acc:ident| $body:block) => {{
            let mut $r0 = 0;
            while $r0 + MR <= $m {
                let $acc = block::<MR>($a.add($r0 * $k), $k, $b);
                $body
                $r0 += MR;
            }
            let rest = $a.add($r0 * $k);
            match $m - $r0 {
                1 => { let $acc = block::<1>(rest, $k, $b); $body }
                2 => { let $acc = block::<2>(rest, $k, $b); $body }
                3 => { let $acc = block::<3>(rest, $k, $b); $body }
                4 => { let $acc = block::<4>(rest, $k, $b); $body }
                5 => { let $acc = block::<5>(rest, $k, $b); $body }
                _ => {}
            }
        }};
    }

    /// Stores `acc` as rows `r0..` of `y` (row stride `n`), columns `col..col + cols`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn store<const R: usize>(
        acc: &Acc<R>,
        y: *mut f32,
        n: usize,
        r0: usize,
        col: usize,
        cols: usize,
    ) {
        for r in 0..R {
            let dst = y.add((r0 + r) * n + col);
            if cols == PANEL {
                _mm256_storeu_ps(dst, acc.0[r]);
                _mm256_storeu_ps(dst.add(8), acc.1[r]);
            } else {
                let mut tmp = [0.0f32; PANEL];
                _mm256_storeu_ps(tmp.as_mut_ptr(), acc.0[r]);
                _mm256_storeu_ps(tmp.as_mut_ptr().add(8), acc.1[r]);
                std::ptr::copy_nonoverlapping(tmp.as_ptr(), dst, cols);
            }
        }
    }

    /// `y[m × n] = x[m × k] · Wᵀ` from packed panels.
    ///
    /// # Safety
    /// AVX2 and FMA must be available; `x.len() >= m·k`, `y.len() == m·n`, `panels` holds
    /// `ceil(n / 16)` panels of `k × 16`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn matmul(x: &[f32], m: usize, k: usize, panels: &[f32], n: usize, y: &mut [f32]) {
        let a = x.as_ptr();
        let y = y.as_mut_ptr();
        for p in 0..n.div_ceil(PANEL) {
            let b = panels.as_ptr().add(p * k * PANEL);
            let cols = (n - p * PANEL).min(PANEL);
            for_row_blocks!(m, k, a, b, |r0, acc| {
                store(&acc, y, n, r0, p * PANEL, cols);
            });
        }
    }

    /// Folds rows `r0..r0 + R` (`rows`) into the running `max` and its row `arg` (row
    /// indices as bits). The block's max is taken first (`R − 1` max operations, as without
    /// attribution); only when it beats the running max in some lane are the rows compared
    /// one by one, last to first, so the first row equal to the block's max wins.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn keep_max<const R: usize>(
        max: &mut __m256,
        arg: &mut __m256,
        rows: &[__m256; R],
        r0: usize,
    ) {
        let mut block = rows[0];
        for v in &rows[1..] {
            block = _mm256_max_ps(block, *v);
        }
        let greater = _mm256_cmp_ps::<_CMP_GT_OQ>(block, *max);
        if _mm256_movemask_ps(greater) == 0 {
            return;
        }
        for r in (0..R).rev() {
            let at = _mm256_and_ps(greater, _mm256_cmp_ps::<_CMP_EQ_OQ>(rows[r], block));
            let row = _mm256_castsi256_ps(_mm256_set1_epi32((r0 + r) as i32));
            *arg = _mm256_blendv_ps(*arg, row, at);
        }
        *max = _mm256_blendv_ps(*max, block, greater);
    }

    /// Running max over the `m` rows of `x` of `x · panel`, for each panel, and the first
    /// row that gives it.
    ///
    /// # Safety
    /// AVX2 and FMA must be available; `x.len() >= m·k`;
    /// `panels.len() == maxes.len() / 16 · k · 16`; `argmax.len() == maxes.len()`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn max_over_rows(
        x: &[f32],
        m: usize,
        k: usize,
        panels: &[f32],
        maxes: &mut [f32],
        argmax: &mut [u32],
    ) {
        let a = x.as_ptr();
        for p in 0..maxes.len() / PANEL {
            let b = panels.as_ptr().add(p * k * PANEL);
            let mut m0 = _mm256_set1_ps(f32::NEG_INFINITY);
            let mut m1 = m0;
            let mut i0 = _mm256_setzero_ps();
            let mut i1 = i0;
            for_row_blocks!(m, k, a, b, |r0, acc| {
                keep_max(&mut m0, &mut i0, &acc.0, r0);
                keep_max(&mut m1, &mut i1, &acc.1, r0);
            });
            let out = maxes.as_mut_ptr().add(p * PANEL);
            _mm256_storeu_ps(out, m0);
            _mm256_storeu_ps(out.add(8), m1);
            let arg = argmax.as_mut_ptr().add(p * PANEL) as *mut __m256i;
            _mm256_storeu_si256(arg, _mm256_castps_si256(i0));
            _mm256_storeu_si256(arg.add(1), _mm256_castps_si256(i1));
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::PANEL;
    use std::arch::x86_64::*;

    /// Rows per register block: 8 rows × 2 panels = 16 accumulators.
    const MR: usize = 8;

    /// `R` rows of `a` (row stride `k`) times `P` adjacent panels starting at `b`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    #[allow(clippy::needless_range_loop)] // register blocks read best by index
    unsafe fn block<const R: usize, const P: usize>(
        a: *const f32,
        k: usize,
        b: *const f32,
    ) -> [[__m512; R]; P] {
        let mut c = [[_mm512_setzero_ps(); R]; P];
        let stride = k * PANEL;
        for i in 0..k {
            let mut bv = [_mm512_setzero_ps(); P];
            for (p, bv) in bv.iter_mut().enumerate() {
                *bv = _mm512_loadu_ps(b.add(p * stride + i * PANEL));
            }
            for r in 0..R {
                let av = _mm512_set1_ps(*a.add(r * k + i));
                for p in 0..P {
                    c[p][r] = _mm512_fmadd_ps(av, bv[p], c[p][r]);
                }
            }
        }
        c
    }

    /// Applies `f` to each row block of `m` rows against `P` panels: full blocks of
    /// [`MR`], then the rest.
    macro_rules! for_row_blocks {
        ($p:literal, $m:expr, $k:expr, $a:expr, $b:expr, |$r0:ident, $acc:ident| $body:block) => {{
            let mut $r0 = 0;
            while $r0 + MR <= $m {
                let $acc = block::<MR, $p>($a.add($r0 * $k), $k, $b);
                $body
                $r0 += MR;
            }
            let rest = $a.add($r0 * $k);
            match $m - $r0 {
                1 => { let $acc = block::<1, $p>(rest, $k, $b); $body }
                2 => { let $acc = block::<2, $p>(rest, $k, $b); $body }
                3 => { let $acc = block::<3, $p>(rest, $k, $b); $body }
                4 => { let $acc = block::<4, $p>(rest, $k, $b); $body }
                5 => { let $acc = block::<5, $p>(rest, $k, $b); $body }
                6 => { let $acc = block::<6, $p>(rest, $k, $b); $body }
                7 => { let $acc = block::<7, $p>(rest, $k, $b); $body }
                _ => {}
            }
        }};
    }

    /// Stores panel accumulators `acc` as rows `r0..` of `y` (row stride `n`), columns
    /// `col..col + cols`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn store<const R: usize>(
        acc: &[__m512; R],
        y: *mut f32,
        n: usize,
        r0: usize,
        col: usize,
        cols: usize,
    ) {
        let mask: __mmask16 = if cols >= PANEL {
            !0
        } else {
            (1u16 << cols) - 1
        };
        for (r, v) in acc.iter().enumerate() {
            _mm512_mask_storeu_ps(y.add((r0 + r) * n + col), mask, *v);
        }
    }

    /// `y[m × n] = x[m × k] · Wᵀ` from packed panels, two panels at a time.
    ///
    /// # Safety
    /// AVX-512F must be available; `x.len() >= m·k`, `y.len() == m·n`, `panels` holds
    /// `ceil(n / 16)` panels of `k × 16`.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn matmul(x: &[f32], m: usize, k: usize, panels: &[f32], n: usize, y: &mut [f32]) {
        let a = x.as_ptr();
        let y = y.as_mut_ptr();
        let count = n.div_ceil(PANEL);
        let mut p = 0;
        while p + 2 <= count {
            let b = panels.as_ptr().add(p * k * PANEL);
            let (c0, c1) = (p * PANEL, (p + 1) * PANEL);
            for_row_blocks!(2, m, k, a, b, |r0, acc| {
                store(&acc[0], y, n, r0, c0, n - c0);
                store(&acc[1], y, n, r0, c1, n - c1);
            });
            p += 2;
        }
        if p < count {
            let b = panels.as_ptr().add(p * k * PANEL);
            let c0 = p * PANEL;
            for_row_blocks!(1, m, k, a, b, |r0, acc| {
                store(&acc[0], y, n, r0, c0, n - c0);
            });
        }
    }

    /// Folds rows `r0..r0 + R` (`rows`) into the running `max` and its row `arg`: the
    /// block's max first; only when it beats the running max in some lane are the rows
    /// compared one by one, last to first, so the first row equal to the block's max wins.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn keep_max<const R: usize>(
        max: &mut __m512,
        arg: &mut __m512i,
        rows: &[__m512; R],
        r0: usize,
    ) {
        let mut block = rows[0];
        for v in &rows[1..] {
            block = _mm512_max_ps(block, *v);
        }
        let greater = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(block, *max);
        if greater == 0 {
            return;
        }
        for r in (0..R).rev() {
            let at = _mm512_mask_cmp_ps_mask::<_CMP_EQ_OQ>(greater, rows[r], block);
            *arg = _mm512_mask_blend_epi32(at, *arg, _mm512_set1_epi32((r0 + r) as i32));
        }
        *max = _mm512_mask_blend_ps(greater, *max, block);
    }

    /// Running max over the `m` rows of `x` of `x · panel`, for each panel, and the first
    /// row that gives it.
    ///
    /// # Safety
    /// AVX-512F must be available; `x.len() >= m·k`;
    /// `panels.len() == maxes.len() / 16 · k · 16`; `argmax.len() == maxes.len()`.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn max_over_rows(
        x: &[f32],
        m: usize,
        k: usize,
        panels: &[f32],
        maxes: &mut [f32],
        argmax: &mut [u32],
    ) {
        let a = x.as_ptr();
        let count = maxes.len() / PANEL;
        let out = maxes.as_mut_ptr();
        let arg = argmax.as_mut_ptr() as *mut __m512i;
        let mut p = 0;
        while p + 2 <= count {
            let b = panels.as_ptr().add(p * k * PANEL);
            let mut m0 = _mm512_set1_ps(f32::NEG_INFINITY);
            let mut m1 = m0;
            let mut i0 = _mm512_setzero_si512();
            let mut i1 = i0;
            for_row_blocks!(2, m, k, a, b, |r0, acc| {
                keep_max(&mut m0, &mut i0, &acc[0], r0);
                keep_max(&mut m1, &mut i1, &acc[1], r0);
            });
            _mm512_storeu_ps(out.add(p * PANEL), m0);
            _mm512_storeu_ps(out.add((p + 1) * PANEL), m1);
            _mm512_storeu_si512(arg.add(p), i0);
            _mm512_storeu_si512(arg.add(p + 1), i1);
            p += 2;
        }
        if p < count {
            let b = panels.as_ptr().add(p * k * PANEL);
            let mut m0 = _mm512_set1_ps(f32::NEG_INFINITY);
            let mut i0 = _mm512_setzero_si512();
            for_row_blocks!(1, m, k, a, b, |r0, acc| {
                keep_max(&mut m0, &mut i0, &acc[0], r0);
            });
            _mm512_storeu_ps(out.add(p * PANEL), m0);
            _mm512_storeu_si512(arg.add(p), i0);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Deterministic pseudo-random numbers in [-1, 1).
    pub(crate) fn noise(n: usize, seed: u64) -> Vec<f32> {
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

    fn naive(x: &[f32], w: &[f32], n: usize, k: usize) -> Vec<f64> {
        let m = x.len() / k;
        let mut y = vec![0.0f64; m * n];
        for r in 0..m {
            for c in 0..n {
                y[r * n + c] = (0..k)
                    .map(|i| x[r * k + i] as f64 * w[c * k + i] as f64)
                    .sum();
            }
        }
        y
    }

    #[test]
    fn matmul_and_max_match_naive_products_for_awkward_shapes() {
        for isa in [Isa::Avx512, Isa::Avx2, Isa::Portable] {
            for &(n, k) in &[(1, 1), (17, 3), (33, 8), (48, 128), (64, 5)] {
                for m in [0, 1, 2, 5, 6, 7, 8, 9, 13, 17] {
                    let w = noise(n * k, (n * 31 + k) as u64);
                    let x = noise(m * k, m as u64 + 7);
                    let packed = PackedWeights::new(&w, n, k).with_isa(isa);
                    let expected = naive(&x, &w, n, k);
                    let mut y = vec![f32::NAN; m * n];
                    packed.matmul(&x, &mut y);
                    for (got, want) in y.iter().zip(&expected) {
                        assert!((*got as f64 - want).abs() < 1e-4, "n{n} k{k} m{m} {isa:?}");
                    }
                    let mut maxes = vec![0.0; packed.panels() * PANEL];
                    let mut argmax = vec![u32::MAX; maxes.len()];
                    packed.max_over_rows(&x, 0, &mut maxes, &mut argmax);
                    for c in 0..n {
                        let want = (0..m)
                            .map(|r| expected[r * n + c])
                            .fold(f64::NEG_INFINITY, f64::max);
                        assert!(
                            (maxes[c] as f64 - want).abs() < 1e-4
                                || (m == 0 && maxes[c] == f32::NEG_INFINITY),
                            "max n{n} k{k} m{m} {isa:?}"
                        );
                        // The first row whose (kernel-rounded) product is the max.
                        let first = (0..m).find(|&r| y[r * n + c] == maxes[c]).unwrap_or(0);
                        assert_eq!(argmax[c] as usize, first, "argmax n{n} k{k} m{m} {isa:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_first_of_tied_rows_is_the_argmax_in_every_kernel() {
        // Rows 1, 4 and 11 are equal and give every column's max; rows before 1 are smaller.
        let (n, k, m) = (40, 6, 13);
        let w: Vec<f32> = noise(n * k, 9).iter().map(|v| v.abs() + 0.1).collect();
        let mut x = vec![0.0f32; m * k];
        for r in 0..m {
            for i in 0..k {
                x[r * k + i] = if [1, 4, 11].contains(&r) {
                    1.0
                } else {
                    0.5 - r as f32
                };
            }
        }
        for isa in [Isa::Avx512, Isa::Avx2, Isa::Portable] {
            let packed = PackedWeights::new(&w, n, k).with_isa(isa);
            let mut maxes = vec![0.0; packed.panels() * PANEL];
            let mut argmax = vec![0; maxes.len()];
            packed.max_over_rows(&x, 0, &mut maxes, &mut argmax);
            assert!(argmax[..n].iter().all(|&r| r == 1), "{isa:?}: {argmax:?}");
        }
    }

    #[test]
    fn every_kernel_gives_bit_identical_products() {
        let (n, k) = (70, 37);
        let w = noise(n * k, 3);
        let x = noise(19 * k, 4);
        let run = |isa| {
            let packed = PackedWeights::new(&w, n, k).with_isa(isa);
            let mut y = vec![0.0; 19 * n];
            packed.matmul(&x, &mut y);
            let mut maxes = vec![0.0; packed.panels() * PANEL];
            let mut argmax = vec![0; maxes.len()];
            packed.max_over_rows(&x, 0, &mut maxes, &mut argmax);
            (y, maxes, argmax)
        };
        let portable = run(Isa::Portable);
        for isa in [Isa::Avx2, Isa::Avx512] {
            let (y, maxes, argmax) = run(isa);
            assert_eq!(argmax, portable.2);
            assert!(y
                .iter()
                .zip(&portable.0)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
            assert!(maxes
                .iter()
                .zip(&portable.1)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }
}
