//! How each engine stores a document weight: the `f32` it scores with after storing `w`.
//!
//! | codec | stored as | read back |
//! |---|---|---|
//! | [`feature_field`] | Lucene `FeatureField`: the float's top 17 bits as a term frequency | `w` with its 15 low mantissa bits cleared (9 significant bits, truncated) |
//! | [`float16`] | IEEE 754 half precision, round to nearest even | the half as `f32` |
//! | [`QuantizedU8`] | Qdrant `uint8`: one byte per weight, scaled per posting list | `min + code · (max − min) / 255` |
//! | [`impact`] | an integer impact `round(w · S)` (Anserini, ours) | the integer |
//! | [`LinearQuantizer`] | PISA's linear quantisation to `b` bits | the integer |
//!
//! [`TermCodec`] picks one for a profile and a term's posting list.

use super::{Profile, ProfileStats, QdrantDatatype};

/// Lucene `FeatureField`'s stored value of `w` (Elasticsearch `sparse_vector`, OpenSearch
/// `rank_features`): the term frequency is `floatToIntBits(w) >>> 15` and scoring reads
/// `intBitsToFloat(freq << 15)`, so the 15 low mantissa bits are cut (not rounded).
///
/// Source: `org.apache.lucene.document.FeatureField` (`FeatureTokenStream`,
/// `decodeFeatureValue`). A weight below the smallest normal `f32` reads 0: FeatureField
/// refuses it, and the export leaves it out.
pub fn feature_field(w: f32) -> f32 {
    if w < f32::MIN_POSITIVE {
        return 0.0;
    }
    f32::from_bits((w.to_bits() >> 15) << 15)
}

/// `w` stored as an IEEE 754 half (round to nearest, ties to even) and read back.
pub fn float16(w: f32) -> f32 {
    half::f16::from_f32(w).to_f32()
}

/// Qdrant's `uint8` storage of one posting list (`QuantizedU8Params`,
/// `lib/sparse/src/common/types.rs`, built per posting list in
/// `CompressedPostingBuilder::build`): `diff256 = (max − min) / 255` and
/// `code = ((w − min) / diff256).round().clamp(0, 255)`, read back as
/// `min + code · diff256`, all in `f32`. A list of equal weights (`diff256 = 0`) reads back
/// `min`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantizedU8 {
    pub min: f32,
    pub diff256: f32,
}

/// The smallest and largest of `weights` (`(0, 0)` when there are none).
pub fn min_max(weights: impl Iterator<Item = f32>) -> (f32, f32) {
    let (min, max) = weights.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), w| {
        (lo.min(w), hi.max(w))
    });
    if min > max {
        (0.0, 0.0)
    } else {
        (min, max)
    }
}

impl QuantizedU8 {
    /// The parameters of a posting list whose weights span `min..=max`.
    pub fn between(min: f32, max: f32) -> Self {
        Self {
            min,
            diff256: (max - min) / 255.0,
        }
    }

    /// The stored byte of `w` (`NaN as u8` is 0 in Rust, as in Qdrant).
    pub fn code(&self, w: f32) -> u8 {
        ((w - self.min) / self.diff256).round().clamp(0.0, 255.0) as u8
    }

    /// The weight Qdrant scores with.
    pub fn stored(&self, w: f32) -> f32 {
        self.min + f32::from(self.code(w)) * self.diff256
    }
}

/// The integer impact `round(w · scale)` (product in `f32`, half away from zero) that the
/// Anserini export writes: Anserini repeats a token that many times, so it is the term
/// frequency `ImpactSimilarity` scores.
pub fn impact(w: f32, scale: f32) -> f32 {
    (w * scale).round()
}

/// PISA's `LinearQuantizer` (`src/linear_quantizer.cpp`): with `range = 2^bits − 1`,
/// `code = ⌊(double)(w / max) · (range − 1)⌋ + 1`, from 1 to `range` for `0 ≤ w ≤ max`
/// (`w / max` in `f32`, the rest in `f64`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearQuantizer {
    pub max: f32,
    pub range: u32,
}

impl LinearQuantizer {
    pub fn new(max: f32, bits: u8) -> Self {
        debug_assert!((2..=32).contains(&bits), "PISA quantises to 2 to 32 bits");
        Self {
            max,
            range: ((1u64 << bits) - 1) as u32,
        }
    }

    /// The impact of `w` (clamped to `0..=max`: PISA refuses values outside).
    pub fn code(&self, w: f32) -> u32 {
        if self.max <= 0.0 {
            return 1;
        }
        let normalized = f64::from(w.clamp(0.0, self.max) / self.max);
        (normalized * f64::from(self.range - 1)) as u32 + 1
    }
}

/// The document-weight rule of a profile for one posting list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TermCodec {
    Exact,
    FeatureField,
    Float16,
    Uint8(QuantizedU8),
    Impact(f32),
    Linear(LinearQuantizer),
}

impl TermCodec {
    /// The rule `profile` applies to term `t`'s posting list in `index` (Qdrant's `uint8`
    /// scales each list between its extremes, read once: [`ProfileStats::range`]).
    pub fn for_term(
        profile: &Profile,
        stats: &ProfileStats,
        index: &crate::index::Index,
        t: u32,
    ) -> crate::index::Result<Self> {
        Ok(match profile {
            Profile::Elasticsearch { .. } | Profile::OpenSearch { .. } => Self::FeatureField,
            Profile::Qdrant(QdrantDatatype::Float32) => Self::Exact,
            Profile::Qdrant(QdrantDatatype::Float16) => Self::Float16,
            Profile::Qdrant(QdrantDatatype::Uint8) => {
                let (min, max) = stats.range(index, t)?;
                Self::Uint8(QuantizedU8::between(min, max))
            }
            Profile::Anserini { scale } => Self::Impact(*scale),
            Profile::Pisa { bits, .. } => {
                Self::Linear(LinearQuantizer::new(stats.max_weight, *bits))
            }
            Profile::Bmp => Self::Linear(LinearQuantizer::new(stats.max_weight, 8)),
        })
    }

    /// The weight the engine scores with for a stored weight `w`.
    pub fn stored(&self, w: f32) -> f32 {
        match self {
            Self::Exact => w,
            Self::FeatureField => feature_field(w),
            Self::Float16 => float16(w),
            Self::Uint8(q) => q.stored(w),
            Self::Impact(scale) => impact(w, *scale),
            Self::Linear(q) => q.code(w) as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_field_keeps_nine_significant_bits_by_truncation() {
        // 1 + 2^-8 is representable with 8 fraction bits; 1 + 2^-9 is not and is cut to 1.
        assert_eq!(feature_field(1.0 + 1.0 / 256.0), 1.0 + 1.0 / 256.0);
        assert_eq!(feature_field(1.0 + 1.0 / 512.0), 1.0);
        assert_eq!(
            feature_field(1.0 + 1.0 / 256.0 + 1.0 / 512.0),
            1.0 + 1.0 / 256.0
        );
        assert_eq!(
            feature_field(0.123_456_7),
            f32::from_bits(0.123_456_7f32.to_bits() & !0x7fff)
        );
        // Truncation never rounds up.
        for w in [0.01f32, 0.3, 1.7, 2.999, 41.5] {
            let s = feature_field(w);
            assert!(s <= w && (w - s) / w < 1.0 / 256.0, "{w} -> {s}");
        }
    }

    #[test]
    fn float16_rounds_to_nearest_even() {
        assert_eq!(float16(1.0), 1.0);
        // Half has 10 fraction bits: 1 + 2^-11 is a tie between 1 and 1 + 2^-10 and goes to 1.
        assert_eq!(float16(1.0 + 1.0 / 2048.0), 1.0);
        assert_eq!(float16(1.0 + 3.0 / 2048.0), 1.0 + 2.0 / 1024.0);
    }

    #[test]
    fn qdrant_uint8_scales_each_list_between_its_extremes() {
        let q = QuantizedU8::between(0.5, 3.0);
        assert_eq!(q.stored(0.5), 0.5);
        assert_eq!(q.code(3.0), 255);
        assert_eq!(q.stored(3.0), 0.5 + 255.0 * (2.5f32 / 255.0));
        // 1.0 is 51 steps of 2.5/255 above 0.5 (51.000004 rounds to 51).
        assert_eq!(q.code(1.0), 51);
        // A list of one weight (or equal weights) reads back its minimum.
        let one = QuantizedU8::between(0.7, 0.7);
        assert_eq!((one.code(0.7), one.stored(0.7)), (0, 0.7));
    }

    #[test]
    fn pisa_linear_quantizer_spans_one_to_range() {
        let q = LinearQuantizer::new(2.0, 8);
        assert_eq!(q.range, 255);
        assert_eq!(q.code(2.0), 255);
        assert_eq!(q.code(0.0), 1);
        // 1.0 / 2.0 · 254 = 127, + 1.
        assert_eq!(q.code(1.0), 128);
        assert_eq!(q.code(0.999), 127);
    }

    #[test]
    fn impacts_round_half_away_from_zero() {
        assert_eq!(impact(0.125, 100.0), 13.0);
        assert_eq!(impact(0.004, 100.0), 0.0);
        assert_eq!(impact(2.5, 1.0), 3.0);
    }
}
