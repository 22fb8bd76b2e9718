//! Element-wise `exp`, exact GELU and softmax over slices, written once as branch-free
//! scalar code and compiled three times (AVX-512, AVX2, baseline x86-64) so that the
//! compiler vectorises the same operations at each width: every width gives bit-identical
//! results, since no operation is reordered or fused across widths.
//!
//! - `exp(x)`: `x = n·ln 2 + r` with `n = round(x·log₂e)` and `ln 2` split in two parts (Cody
//!   and Waite), `|r| ≤ ln 2 / 2`; `eʳ` by a degree-7 polynomial (Cephes' `expf`
//!   coefficients), `2ⁿ` written into the exponent bits. Relative error below 2.5·10⁻⁷ for
//!   `x ∈ [-87, 88]`; below that range the result is 0 (where `f32` has only subnormals,
//!   far below what a softmax or GELU can resolve), above it `e⁸⁸`.
//! - GELU: `x · ½ · (1 + erf(x / √2))` with Abramowitz and Stegun's formula 7.1.26,
//!   `erf(x) = 1 − (a₁t + a₂t² + a₃t³ + a₄t⁴ + a₅t⁵)·e^(−x²)`, `t = 1 / (1 + p·|x|)`, absolute
//!   error below 1.5·10⁻⁷ in exact arithmetic, 6·10⁻⁷ in `f32`: the formula PyTorch's
//!   vectorised CPU kernels evaluate for `gelu`.
//! - softmax: `e^(xᵢ − max) / Σ`, the sum accumulated left to right.

use crate::simd::dispatch;

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `ln 2 = LN2_HI + LN2_LO`, `LN2_HI` exact in 9 bits so that `n · LN2_HI` is exact.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const EXP_MIN: f32 = -87.0;
const EXP_MAX: f32 = 88.0;

/// `eˣ` (see the module docs).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let tiny = x < EXP_MIN;
    let x = x.clamp(EXP_MIN, EXP_MAX);
    let n = (x * LOG2E + 0.5).floor();
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let e = p * (r * r) + r + 1.0;
    // n ∈ [-126, 127], so n + 127 ∈ [1, 254] is a normal exponent. Adding 2²³ puts that
    // integer in the low mantissa bits, read with bit operations that vectorise (a float to
    // integer cast does not: Rust's saturating cast is done one element at a time).
    const MAGIC: f32 = 8_388_608.0;
    let biased = (n + 127.0 + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits());
    let e = e * f32::from_bits(biased << 23);
    if tiny {
        0.0
    } else {
        e
    }
}

/// `erf(x)` by Abramowitz and Stegun 7.1.26 (see the module docs).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_74,
        1.421_413_8,
        -1.453_152_1,
        1.061_405_4,
    ];
    let ax = x.abs();
    let t = 1.0 / (1.0 + P * ax);
    let poly = ((((A[4] * t + A[3]) * t + A[2]) * t + A[1]) * t + A[0]) * t;
    let y = 1.0 - poly * exp(-ax * ax);
    y.copysign(x)
}

/// Exact (erf) GELU of one value.
#[inline(always)]
fn gelu1(x: f32) -> f32 {
    x * 0.5 * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

#[inline(always)]
fn gelu_loop(x: &mut [f32]) {
    x.iter_mut().for_each(|v| *v = gelu1(*v));
}

#[inline(always)]
fn exp_sub_loop(x: &mut [f32], max: f32) {
    x.iter_mut().for_each(|v| *v = exp(*v - max));
}

/// Exact GELU of every element, in place.
pub fn gelu(x: &mut [f32]) {
    dispatch!((x: &mut [f32]) => gelu_loop(x))
}

/// `x[i] ← e^(x[i] − max)`, in place.
fn exp_sub(x: &mut [f32], max: f32) {
    dispatch!((x: &mut [f32], max: f32) => exp_sub_loop(x, max))
}

/// Softmax of every row of `x` (`width` columns) in place.
pub fn softmax_rows(x: &mut [f32], width: usize) {
    for row in x.chunks_exact_mut(width) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        exp_sub(row, max);
        let sum: f32 = row.iter().sum();
        let inv = 1.0 / sum;
        row.iter_mut().for_each(|v| *v *= inv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp_scale_of_the_library_exp() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x <= 88.0 {
            let want = (x as f64).exp();
            let rel = ((exp(x) as f64 - want) / want).abs();
            worst = worst.max(rel);
            x += 0.001_7;
        }
        assert!(worst < 2.5e-7, "worst relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-1000.0), 0.0);
        assert!(exp(1000.0).is_finite());
    }

    #[test]
    fn erf_is_within_its_published_bound() {
        let (mut x, mut worst) = (-6.0f32, 0.0f64);
        while x <= 6.0 {
            worst = worst.max((erf(x) as f64 - libm::erf(x as f64)).abs());
            x += 0.000_37;
        }
        // 1.5·10⁻⁷ for the formula, plus `f32` rounding of its alternating sum (measured:
        // 5.6·10⁻⁷ at x ≈ ±0.6).
        assert!(worst < 6e-7, "worst absolute error {worst:e}");
        assert!(erf(0.0).abs() < 1e-7);
        assert_eq!(erf(-9.0), -1.0);
    }

    #[test]
    fn every_width_gives_the_same_bits_as_the_scalar_code() {
        let values: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) * 0.013_7).collect();
        let mut vector = values.clone();
        gelu(&mut vector);
        for (v, got) in values.iter().zip(&vector) {
            assert_eq!(gelu1(*v).to_bits(), got.to_bits(), "gelu({v})");
        }
        let mut vector = values.clone();
        exp_sub(&mut vector, 1.5);
        for (v, got) in values.iter().zip(&vector) {
            assert_eq!(exp(*v - 1.5).to_bits(), got.to_bits(), "exp({v})");
        }
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let mut x = vec![1.0, 2.0, 3.0, -1000.0, 0.0, 1000.0];
        softmax_rows(&mut x, 3);
        assert!((x[..3].iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!((x[2] - 0.665_240_9).abs() < 1e-6);
        assert_eq!(x[3..], [0.0, 0.0, 1.0]);
    }
}
