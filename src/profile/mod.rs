//! Engine profiles: SPLADE scored the way a search engine scores it, so a user sees which
//! hits its quantisation and pruning move, and why, term by term.
//!
//! A profile is the exact SPLADE query and the index's exact document vectors passed through
//! an engine's rules, then scored locally over the whole index:
//!
//! 1. the query ([`EngineQuery`]): which tokens the engine keeps and the weight it gives each;
//! 2. the documents ([`codec`]): the weight the engine reads back for each stored `f32`;
//! 3. the sum ([`Accumulate`]): Lucene adds clause scores in `f64` and rounds once to `f32`;
//!    Qdrant and PISA add in `f32`, BMP in 16-bit integers.
//!
//! | profile | query | documents | sum |
//! |---|---|---|---|
//! | `elasticsearch[:prune[:R:W]]` | `f32` weights; `pruning_config` drops frequent light tokens | `FeatureField` (9 bits) | `f64` → `f32` |
//! | `opensearch[:two-phase[:P:E:M]]` | `f32` weights; two-phase: light tokens rescore the top `k·E` | `FeatureField` (9 bits) | `f64` → `f32` |
//! | `qdrant`, `qdrant-float16`, `qdrant-uint8` | `f32` weights | `f32`, half, 8-bit per posting list | `f32` |
//! | `anserini[:S]` | integer `round(q·S)` | integer `round(d·S)` | `f64` → `f32` |
//! | `pisa[:B[:M]]` | integer `min(⌈q·M / max q⌉, M)` (BMP's rule) | PISA's linear quantisation to `B` bits | `f32` |
//! | `bmp` | as `pisa:8:32` | as `pisa:8:32` | 16-bit integer, wrapping |
//!
//! Each rule names the engine source or documentation it follows in [`codec`] and
//! [`query`]. Ties rank by document number: Lucene's (Elasticsearch, OpenSearch) internal
//! order when documents are loaded in index order into one shard and segment. Anserini
//! orders ties by document id string, Qdrant's and PISA's tie order is unspecified: compare
//! those up to ties.

pub mod codec;
pub mod explain;
pub mod query;
pub mod score;
mod stats;

use std::fmt;

pub use explain::{explain_profile, profile_parts, ProfileExplanation, ProfileTermRow};
pub use query::{EngineQuery, EngineTerm, Phase};
pub use score::{profile_scores, rescored_window};
pub use stats::ProfileStats;

/// Elasticsearch's `pruning_config` (defaults as Elasticsearch's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenPruning {
    /// `tokens_freq_ratio_threshold` (a whole number from 1 to 100, default 5: Elasticsearch
    /// reads it with `intValue()`).
    pub freq_ratio: f32,
    /// `tokens_weight_threshold` (0 to 1, default 0.4).
    pub weight: f32,
}

impl Default for TokenPruning {
    fn default() -> Self {
        Self {
            freq_ratio: 5.0,
            weight: 0.4,
        }
    }
}

/// OpenSearch's `neural_sparse_two_phase_processor` (defaults as OpenSearch's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoPhase {
    /// `prune_ratio`: tokens below `ratio × max weight` wait for the second phase (0.4).
    pub prune_ratio: f32,
    /// `expansion_rate`: the second phase rescores the first phase's top `k × rate` (5.0).
    pub expansion_rate: f32,
    /// `max_window_size`: at most this many documents are rescored (10,000).
    pub max_window: usize,
}

impl Default for TwoPhase {
    fn default() -> Self {
        Self {
            prune_ratio: 0.4,
            expansion_rate: 5.0,
            max_window: 10_000,
        }
    }
}

/// How Qdrant stores a sparse vector's values (`sparse_vectors.NAME.index.datatype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QdrantDatatype {
    Float32,
    Float16,
    Uint8,
}

impl QdrantDatatype {
    pub const ALL: [Self; 3] = [Self::Float32, Self::Float16, Self::Uint8];

    /// Qdrant's name of it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Float32 => "float32",
            Self::Float16 => "float16",
            Self::Uint8 => "uint8",
        }
    }

    /// The datatype Qdrant calls `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// An engine's way of scoring SPLADE.
#[derive(Debug, Clone, PartialEq)]
pub enum Profile {
    Elasticsearch {
        pruning: Option<TokenPruning>,
    },
    OpenSearch {
        two_phase: Option<TwoPhase>,
    },
    Qdrant(QdrantDatatype),
    /// Integer impacts `round(w · scale)` for documents and queries.
    Anserini {
        scale: f32,
    },
    /// PISA's linear quantisation of document weights to `bits` bits; integer query
    /// weights `min(⌈q · query_max / max q⌉, query_max)` (BMP's rule; PISA weighs a token
    /// by its count).
    Pisa {
        bits: u8,
        query_max: u32,
    },
    /// BMP on the same CIFF: PISA's 8-bit impacts and integer query weights, each
    /// document's score added in 16 bits, wrapping past 65,535 as BMP's `u16` does.
    Bmp,
}

/// Default impact scale of Anserini's and PISA's integer query weights.
pub const DEFAULT_IMPACT_SCALE: f32 = 100.0;
/// Default number of bits of PISA's quantised document weights (BMP reads 8 at most).
pub const DEFAULT_PISA_BITS: u8 = 8;
/// Default largest integer query weight of the PISA profile (BMP's `MAX_TERM_WEIGHT`).
pub const DEFAULT_PISA_QUERY_MAX: u32 = 32;

/// How an engine adds one document's term scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accumulate {
    /// In `f64`, rounded once to `f32` (Lucene's disjunction scorers).
    Double,
    /// In `f32`, term after term in term-id order.
    Single,
    /// Integer products added in 16 bits, wrapping (BMP's `u16` block scores).
    Wrapping16,
}

impl Accumulate {
    /// The sum of one document's term scores, in term-id order, as the engine adds them
    /// (what [`profile_scores`] computes for every document at once).
    pub fn sum(self, parts: impl Iterator<Item = f32>) -> f32 {
        match self {
            Self::Double => parts.map(f64::from).sum::<f64>() as f32,
            Self::Single => parts.fold(0.0f32, |a, p| a + p),
            Self::Wrapping16 => f32::from(parts.fold(0u16, |a, p| a.wrapping_add(p as u16))),
        }
    }
}

/// The profiles `splade@…` names, with their syntax.
pub const PROFILE_SYNTAX: &str = "elasticsearch[:prune[:FREQ_RATIO:WEIGHT]], \
     opensearch[:two-phase[:PRUNE_RATIO:EXPANSION_RATE:MAX_WINDOW]], qdrant, qdrant-float16, \
     qdrant-uint8, anserini[:SCALE], pisa[:BITS[:QUERY_MAX]], bmp";

impl Profile {
    /// Parses the part after `splade@`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.split(':');
        let engine = parts.next().unwrap_or_default();
        let args: Vec<&str> = parts.collect();
        let number = |s: &str, what: &str, range: std::ops::RangeInclusive<f32>| {
            s.parse::<f32>()
                .ok()
                .filter(|v| range.contains(v))
                .ok_or_else(|| {
                    format!(
                        "{what} {s:?}: expected a number from {} to {}",
                        range.start(),
                        range.end()
                    )
                })
        };
        let none = |p: Profile| {
            if args.is_empty() {
                Ok(p)
            } else {
                Err(format!("{engine} takes no options"))
            }
        };
        match engine {
            "elasticsearch" => match args.as_slice() {
                [] => Ok(Self::Elasticsearch { pruning: None }),
                ["prune"] => Ok(Self::Elasticsearch {
                    pruning: Some(TokenPruning::default()),
                }),
                ["prune", r, w] => Ok(Self::Elasticsearch {
                    pruning: Some(TokenPruning {
                        freq_ratio: r
                            .parse::<u8>()
                            .ok()
                            .filter(|r| (1..=100).contains(r))
                            .ok_or_else(|| {
                                format!(
                                    "tokens_freq_ratio_threshold {r:?}: expected a whole number \
                                     from 1 to 100 (Elasticsearch reads it as an integer)"
                                )
                            })? as f32,
                        weight: number(w, "tokens_weight_threshold", 0.0..=1.0)?,
                    }),
                }),
                _ => Err("expected elasticsearch, elasticsearch:prune or \
                          elasticsearch:prune:FREQ_RATIO:WEIGHT"
                    .into()),
            },
            "opensearch" => match args.as_slice() {
                [] => Ok(Self::OpenSearch { two_phase: None }),
                ["two-phase"] => Ok(Self::OpenSearch {
                    two_phase: Some(TwoPhase::default()),
                }),
                ["two-phase", p, e, m] => Ok(Self::OpenSearch {
                    two_phase: Some(TwoPhase {
                        // OpenSearch's max_ratio takes 0 ≤ ratio < 1.
                        prune_ratio: number(p, "prune_ratio", 0.0..=1.0).and_then(|r| {
                            (r < 1.0).then_some(r).ok_or_else(|| {
                                format!("prune_ratio {p:?}: expected a number from 0 to below 1")
                            })
                        })?,
                        expansion_rate: number(e, "expansion_rate", 1.0..=1e6)?,
                        max_window: m.parse::<usize>().ok().filter(|&m| m >= 50).ok_or_else(
                            || format!("max_window_size {m:?}: expected a whole number ≥ 50"),
                        )?,
                    }),
                }),
                _ => Err("expected opensearch, opensearch:two-phase or \
                          opensearch:two-phase:PRUNE_RATIO:EXPANSION_RATE:MAX_WINDOW"
                    .into()),
            },
            "qdrant" => none(Self::Qdrant(QdrantDatatype::Float32)),
            "bmp" => none(Self::Bmp),
            "qdrant-float16" => none(Self::Qdrant(QdrantDatatype::Float16)),
            "qdrant-uint8" => none(Self::Qdrant(QdrantDatatype::Uint8)),
            "anserini" => match args.as_slice() {
                [] => Ok(Self::Anserini {
                    scale: DEFAULT_IMPACT_SCALE,
                }),
                [s] => Ok(Self::Anserini {
                    scale: number(s, "impact scale", 1.0..=1e6)?,
                }),
                _ => Err("expected anserini or anserini:SCALE".into()),
            },
            "pisa" => {
                let bits = |b: &str| {
                    b.parse::<u8>()
                        .ok()
                        .filter(|b| (2..=24).contains(b))
                        .ok_or_else(|| format!("bits {b:?}: expected 2 to 24"))
                };
                let query_max = |m: &str| {
                    m.parse::<u32>()
                        .ok()
                        .filter(|m| (1..=65_535).contains(m))
                        .ok_or_else(|| format!("query max {m:?}: expected 1 to 65535"))
                };
                match args.as_slice() {
                    [] => Ok(Self::Pisa {
                        bits: DEFAULT_PISA_BITS,
                        query_max: DEFAULT_PISA_QUERY_MAX,
                    }),
                    [b] => Ok(Self::Pisa {
                        bits: bits(b)?,
                        query_max: DEFAULT_PISA_QUERY_MAX,
                    }),
                    [b, m] => Ok(Self::Pisa {
                        bits: bits(b)?,
                        query_max: query_max(m)?,
                    }),
                    _ => Err("expected pisa, pisa:BITS or pisa:BITS:QUERY_MAX".into()),
                }
            }
            other => Err(format!(
                "unknown engine {other:?}: expected {PROFILE_SYNTAX}"
            )),
        }
    }

    /// How the engine adds a document's term scores.
    pub fn accumulate(&self) -> Accumulate {
        match self {
            Self::Elasticsearch { .. } | Self::OpenSearch { .. } | Self::Anserini { .. } => {
                Accumulate::Double
            }
            Self::Qdrant(_) | Self::Pisa { .. } => Accumulate::Single,
            Self::Bmp => Accumulate::Wrapping16,
        }
    }

    /// What the engine refuses to run for a query of weights `query` asked for `depth`
    /// hits (the engine's error, in words; `token` names a term id).
    pub fn refuses(
        &self,
        query: &crate::sparse::SparseVector,
        depth: usize,
        token: &dyn Fn(u32) -> String,
    ) -> Option<String> {
        let Self::OpenSearch { two_phase } = self else {
            return None;
        };
        if let Some((t, w)) = query.iter().find(|&(_, w)| w > 64.0) {
            return Some(format!(
                "OpenSearch's neural_sparse refuses query weights above 64 \
                 (FeatureField.newLinearQuery): {:?} weighs {w}",
                token(t)
            ));
        }
        let t = two_phase.as_ref()?;
        let window = ((depth.max(1) as f32) * t.expansion_rate) as usize;
        (window > t.max_window).then(|| {
            format!(
                "OpenSearch's two-phase processor refuses a window of {depth} hits × \
                 expansion_rate {} = {window}, above max_window_size {}",
                t.expansion_rate, t.max_window
            )
        })
    }

    /// What the profile does, in words.
    pub fn describe(&self) -> String {
        match self {
            Self::Elasticsearch { pruning: None } => {
                "Elasticsearch scores it: sparse_vector (FeatureField, 9 significant bits), \
                 no token pruning"
                    .into()
            }
            Self::Elasticsearch { pruning: Some(p) } => format!(
                "Elasticsearch scores it: sparse_vector (FeatureField, 9 significant bits), \
                 pruning_config tokens_freq_ratio_threshold {} tokens_weight_threshold {}",
                p.freq_ratio, p.weight
            ),
            Self::OpenSearch { two_phase: None } => {
                "OpenSearch scores it: rank_features (FeatureField, 9 significant bits)".into()
            }
            Self::OpenSearch { two_phase: Some(t) } => format!(
                "OpenSearch scores it: rank_features (FeatureField, 9 significant bits), \
                 two-phase prune_ratio {} expansion_rate {} max_window_size {}",
                t.prune_ratio, t.expansion_rate, t.max_window
            ),
            Self::Qdrant(QdrantDatatype::Float32) => {
                "Qdrant scores it: sparse vector, float32".into()
            }
            Self::Qdrant(QdrantDatatype::Float16) => {
                "Qdrant scores it: sparse vector, float16".into()
            }
            Self::Qdrant(QdrantDatatype::Uint8) => {
                "Qdrant scores it: sparse vector, uint8 per posting list".into()
            }
            Self::Anserini { scale } => {
                format!("Anserini scores it: integer impacts round(w·{scale}), queries too")
            }
            Self::Pisa { bits, query_max } => format!(
                "PISA scores it: {bits}-bit linear impacts, integer query weights up to \
                 {query_max}"
            ),
            Self::Bmp => "BMP scores it: 8-bit linear impacts, integer query weights up to 32, \
                          scores added in 16 bits (wrapping past 65,535)"
                .into(),
        }
    }

    /// The engine's name.
    pub fn engine(&self) -> &'static str {
        match self {
            Self::Elasticsearch { .. } => "Elasticsearch",
            Self::OpenSearch { .. } => "OpenSearch",
            Self::Qdrant(_) => "Qdrant",
            Self::Anserini { .. } => "Anserini",
            Self::Pisa { .. } => "PISA",
            Self::Bmp => "BMP",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Elasticsearch { pruning: None } => f.write_str("elasticsearch"),
            Self::Elasticsearch { pruning: Some(p) } => {
                write!(f, "elasticsearch:prune:{}:{}", p.freq_ratio, p.weight)
            }
            Self::OpenSearch { two_phase: None } => f.write_str("opensearch"),
            Self::OpenSearch { two_phase: Some(t) } => write!(
                f,
                "opensearch:two-phase:{}:{}:{}",
                t.prune_ratio, t.expansion_rate, t.max_window
            ),
            Self::Qdrant(QdrantDatatype::Float32) => f.write_str("qdrant"),
            Self::Qdrant(d) => write!(f, "qdrant-{}", d.name()),
            Self::Anserini { scale } => write!(f, "anserini:{scale}"),
            Self::Pisa { bits, query_max } => write!(f, "pisa:{bits}:{query_max}"),
            Self::Bmp => f.write_str("bmp"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_profile() {
        for (text, printed) in [
            ("elasticsearch", "elasticsearch"),
            ("elasticsearch:prune", "elasticsearch:prune:5:0.4"),
            ("elasticsearch:prune:10:0.2", "elasticsearch:prune:10:0.2"),
            ("opensearch", "opensearch"),
            ("opensearch:two-phase", "opensearch:two-phase:0.4:5:10000"),
            ("qdrant-uint8", "qdrant-uint8"),
            ("anserini", "anserini:100"),
            ("pisa", "pisa:8:32"),
            ("pisa:10:64", "pisa:10:64"),
            ("bmp", "bmp"),
        ] {
            let p = Profile::parse(text).unwrap();
            assert_eq!(p.to_string(), printed);
            assert_eq!(Profile::parse(printed).unwrap(), p);
        }
    }

    #[test]
    fn says_what_is_wrong() {
        for (text, why) in [
            ("lucene", "unknown engine"),
            ("elasticsearch:prune:0.5:0.4", "tokens_freq_ratio_threshold"),
            ("elasticsearch:prune:5:2", "tokens_weight_threshold"),
            ("elasticsearch:cut", "expected elasticsearch"),
            ("opensearch:two-phase:0.4:5:10", "max_window_size"),
            ("qdrant-uint8:3", "no options"),
            ("pisa:40", "bits"),
            ("anserini:x", "impact scale"),
        ] {
            let err = Profile::parse(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
