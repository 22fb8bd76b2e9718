//! The `--system` syntax: which retrieval systems to run and how to fuse them.
//!
//! ```text
//! splade | splade-b | bm25 | dense          a system of the index (splade-b: the --compare index)
//! what-if                                   SPLADE with query and document edits (--drop, --doc-drop, …)
//! splade@ENGINE[:OPTIONS]                   SPLADE as an engine scores it (crate::profile)
//! run:NAME=FILE                             a TREC run file, named NAME
//! rrf:A+B[:K]                               reciprocal rank fusion of A and B (k = 60)
//! linear:A+B:ALPHA[:minmax|:zscore]         ALPHA·norm(A) + (1−ALPHA)·norm(B), min–max by default
//! ```
//!
//! A fusion's components are `splade`, `splade-b`, `bm25`, `dense` or the NAME of a run
//! given with another `--system run:NAME=FILE`.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::error::SystemError;

/// A system that retrieves by itself (not a fusion).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Leaf {
    /// SPLADE with the index's model.
    Splade,
    /// SPLADE of the second index (another checkpoint, same corpus).
    SpladeB,
    Bm25,
    /// The index's dense embeddings with their bi-encoder.
    Dense,
    /// A run file, by name.
    Run(String),
    /// SPLADE with the pipeline's what-if edits: the query edited, and the documents'
    /// vectors edited at query time ([`crate::search::what_if`]).
    WhatIf,
    /// SPLADE as an engine scores it: `splade@PROFILE`, the whole name kept
    /// ([`crate::profile::Profile`]).
    Profile(String),
}

impl Leaf {
    /// The name used on the command line and in reports.
    pub fn name(&self) -> &str {
        match self {
            Self::Splade => "splade",
            Self::SpladeB => "splade-b",
            Self::Bm25 => "bm25",
            Self::Dense => "dense",
            Self::Run(name) | Self::Profile(name) => name,
            Self::WhatIf => "what-if",
        }
    }

    /// The engine profile of a `splade@…` system.
    pub fn profile(&self) -> Option<crate::profile::Profile> {
        match self {
            Self::Profile(name) => name
                .strip_prefix(PROFILE_PREFIX)
                .and_then(|p| crate::profile::Profile::parse(p).ok()),
            _ => None,
        }
    }

    /// Whether it scores the index's SPLADE query vector (SPLADE and its engine profiles).
    pub fn scores_splade_query(&self) -> bool {
        matches!(self, Self::Splade | Self::Profile(_))
    }

    fn builtin(name: &str) -> Option<Self> {
        if let Some(profile) = name.strip_prefix(PROFILE_PREFIX) {
            return crate::profile::Profile::parse(profile)
                .ok()
                .map(|_| Self::Profile(name.to_string()));
        }
        match name {
            "splade" => Some(Self::Splade),
            "splade-b" => Some(Self::SpladeB),
            "bm25" => Some(Self::Bm25),
            "dense" => Some(Self::Dense),
            "what-if" => Some(Self::WhatIf),
            _ => None,
        }
    }
}

/// What names an engine profile system: `splade@elasticsearch`.
pub const PROFILE_PREFIX: &str = "splade@";

/// How a linear fusion normalises each component's scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalization {
    /// `(s − min) / (max − min)` over the component's hits (1 when all are equal).
    MinMax,
    /// `(s − mean) / σ` over the component's hits (population σ; 0 when σ = 0).
    ZScore,
}

/// How two systems are fused.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Fusion {
    /// `Σ 1 / (k + rank)` over the components that return the document.
    Rrf { k: f64 },
    /// `α · norm_A(d) + (1 − α) · norm_B(d)`.
    Linear {
        alpha: f64,
        normalization: Normalization,
    },
}

/// One `--system` value.
#[derive(Debug, Clone, PartialEq)]
pub enum SystemSpec {
    Leaf(Leaf),
    /// `run:NAME=FILE` (a leaf, with where to read it).
    RunFile {
        name: String,
        path: PathBuf,
    },
    Fused {
        fusion: Fusion,
        a: Leaf,
        b: Leaf,
        /// The text given (the system's name).
        text: String,
    },
}

/// Default `k` of reciprocal rank fusion.
pub const RRF_K: f64 = 60.0;

impl SystemSpec {
    /// Parses one value; run names in fusions are checked later, against the runs given.
    pub fn parse(text: &str) -> Result<Self, SystemError> {
        let bad = |why: String| SystemError::Spec {
            spec: text.to_string(),
            why,
        };
        let text_trim = text.trim();
        if let Some(profile) = text_trim.strip_prefix(PROFILE_PREFIX) {
            crate::profile::Profile::parse(profile).map_err(bad)?;
            return Ok(Self::Leaf(Leaf::Profile(text_trim.to_string())));
        }
        if let Some(leaf) = Leaf::builtin(text_trim) {
            return Ok(Self::Leaf(leaf));
        }
        let Some((kind, rest)) = text_trim.split_once(':') else {
            return Err(bad(
                "expected splade, splade-b, bm25, dense, splade@ENGINE, run:NAME=FILE, \
                 rrf:A+B[:K] or linear:A+B:ALPHA[:minmax|:zscore]"
                    .into(),
            ));
        };
        match kind {
            "run" => {
                let (name, path) = rest
                    .split_once('=')
                    .ok_or_else(|| bad("expected run:NAME=FILE".into()))?;
                check_run_name(name).map_err(bad)?;
                if path.is_empty() {
                    return Err(bad("the run file is missing after '='".into()));
                }
                Ok(Self::RunFile {
                    name: name.to_string(),
                    path: PathBuf::from(path),
                })
            }
            "rrf" | "linear" => {
                // A is everything before '+' (a profile there may take options); B is up
                // to the next ':', and what follows are the fusion's arguments.
                let (a, after) = rest.split_once('+').ok_or_else(|| {
                    bad(format!("expected {kind}:A+B, two systems joined by '+'"))
                })?;
                let mut parts = after.split(':');
                let b = parts.next().unwrap_or_default();
                if a.contains(':') && !a.starts_with(PROFILE_PREFIX) {
                    return Err(bad(format!(
                        "expected {kind}:A+B, two systems joined by '+'"
                    )));
                }
                if b.starts_with(PROFILE_PREFIX) && after.contains(':') {
                    return Err(bad(format!(
                        "after '+', {b:?} would take what follows ':' as the fusion's \
                         arguments, not as its options: put the profile first \
                         ({kind}:{b}:OPTIONS+…)"
                    )));
                }
                let leaf = |s: &str| {
                    Leaf::builtin(s)
                        .or_else(|| check_run_name(s).ok().map(|()| Leaf::Run(s.to_string())))
                        .ok_or_else(|| bad(format!("{s:?} is not a system to fuse")))
                };
                let (a, b) = (leaf(a)?, leaf(b)?);
                if a == b {
                    return Err(bad("a system fused with itself".into()));
                }
                let args: Vec<&str> = parts.collect();
                let number = |s: &str, what: &str| {
                    s.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| bad(format!("{what} {s:?} is not a number")))
                };
                let fusion = if kind == "rrf" {
                    let k = match args.as_slice() {
                        [] => RRF_K,
                        [k] => number(k, "k")?,
                        _ => return Err(bad("expected rrf:A+B or rrf:A+B:K".into())),
                    };
                    if k < 0.0 {
                        return Err(bad(format!("k must be 0 or more, got {k}")));
                    }
                    Fusion::Rrf { k }
                } else {
                    let (alpha, normalization) = match args.as_slice() {
                        [alpha] => (number(alpha, "alpha")?, Normalization::MinMax),
                        [alpha, "minmax"] => (number(alpha, "alpha")?, Normalization::MinMax),
                        [alpha, "zscore"] => (number(alpha, "alpha")?, Normalization::ZScore),
                        [_, other] => {
                            return Err(bad(format!(
                                "normalisation {other:?}: expected minmax or zscore"
                            )))
                        }
                        _ => {
                            return Err(bad(
                                "expected linear:A+B:ALPHA or linear:A+B:ALPHA:zscore".into()
                            ))
                        }
                    };
                    if !(0.0..=1.0).contains(&alpha) {
                        return Err(bad(format!("alpha must be between 0 and 1, got {alpha}")));
                    }
                    Fusion::Linear {
                        alpha,
                        normalization,
                    }
                };
                Ok(Self::Fused {
                    fusion,
                    a,
                    b,
                    text: text_trim.to_string(),
                })
            }
            other => Err(bad(format!(
                "unknown kind {other:?} (run, rrf, linear; or splade, splade-b, bm25, dense)"
            ))),
        }
    }

    /// The system's name in reports and run files.
    pub fn name(&self) -> &str {
        match self {
            Self::Leaf(leaf) => leaf.name(),
            Self::RunFile { name, .. } => name,
            Self::Fused { text, .. } => text,
        }
    }

    /// The name the explorer shows: SPLADE, SPLADE-B, BM25 and Dense for the built-in
    /// systems, the name otherwise.
    pub fn title(&self) -> &str {
        match self {
            Self::Leaf(Leaf::Splade) => "SPLADE",
            Self::Leaf(Leaf::SpladeB) => "SPLADE-B",
            Self::Leaf(Leaf::Bm25) => "BM25",
            Self::Leaf(Leaf::Dense) => "Dense",
            other => other.name(),
        }
    }

    /// The leaves it runs.
    pub fn leaves(&self) -> Vec<Leaf> {
        match self {
            Self::Leaf(leaf) => vec![leaf.clone()],
            Self::RunFile { name, .. } => vec![Leaf::Run(name.clone())],
            Self::Fused { a, b, .. } => vec![a.clone(), b.clone()],
        }
    }
}

impl fmt::Display for SystemSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RunFile { name, path } => write!(f, "run:{name}={}", path.display()),
            other => f.write_str(other.name()),
        }
    }
}

/// A run's name: letters, digits, `_`, `-`, `.`; not a built-in system's name.
fn check_run_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the run name is empty".into());
    }
    if Leaf::builtin(name).is_some() || matches!(name, "run" | "rrf" | "linear") {
        return Err(format!("{name:?} is reserved; give the run another name"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(format!(
            "{c:?} in the run name {name:?}: use letters, digits, '_', '-', '.'"
        ));
    }
    Ok(())
}

/// A file name for a system's run (`--run-out`): its name with characters other than
/// letters, digits, `_`, `-`, `.` and `+` replaced by `_`, then `.trec`.
pub fn run_file_name(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.trec")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            SystemSpec::parse("splade").unwrap(),
            SystemSpec::Leaf(Leaf::Splade)
        );
        assert_eq!(
            SystemSpec::parse("run:prod=/tmp/a=b.trec").unwrap(),
            SystemSpec::RunFile {
                name: "prod".into(),
                path: "/tmp/a=b.trec".into()
            }
        );
        let SystemSpec::Fused { fusion, a, b, .. } = SystemSpec::parse("rrf:splade+bm25").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (fusion, a, b),
            (Fusion::Rrf { k: 60.0 }, Leaf::Splade, Leaf::Bm25)
        );
        let SystemSpec::Fused { fusion, b, .. } =
            SystemSpec::parse("linear:splade+prod:0.3:zscore").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            fusion,
            Fusion::Linear {
                alpha: 0.3,
                normalization: Normalization::ZScore
            }
        );
        assert_eq!(b, Leaf::Run("prod".into()));
        assert_eq!(
            SystemSpec::parse("rrf:dense+bm25:10").unwrap().leaves(),
            [Leaf::Dense, Leaf::Bm25]
        );
        let profile = Leaf::Profile("splade@elasticsearch:prune:5:0.4".into());
        assert_eq!(
            SystemSpec::parse("splade@elasticsearch:prune:5:0.4").unwrap(),
            SystemSpec::Leaf(profile.clone())
        );
        assert_eq!(
            profile.profile().unwrap().to_string(),
            "elasticsearch:prune:5:0.4"
        );
        assert_eq!(
            SystemSpec::parse("rrf:splade@qdrant-uint8+bm25")
                .unwrap()
                .leaves(),
            [Leaf::Profile("splade@qdrant-uint8".into()), Leaf::Bm25]
        );
    }

    #[test]
    fn explains_what_is_wrong() {
        for (spec, why) in [
            ("splad", "expected splade"),
            ("rrf:splade", "two systems"),
            ("rrf:splade+splade", "itself"),
            ("rrf:splade+bm25:x", "not a number"),
            ("linear:splade+bm25", "ALPHA"),
            ("linear:splade+bm25:1.5", "between 0 and 1"),
            ("linear:splade+bm25:0.5:l2", "minmax or zscore"),
            ("run:bm25=x", "reserved"),
            ("run:a b=x", "run name"),
            ("run:x=", "missing"),
            ("foo:bar", "unknown kind"),
            ("splade@lucene", "unknown engine"),
            ("rrf:bm25+splade@anserini:50", "put the profile first"),
            ("rrf:bm25+splade@pisa:10", "put the profile first"),
            ("splade@pisa:99", "bits"),
        ] {
            let err = SystemSpec::parse(spec).unwrap_err().to_string();
            assert!(err.contains(why), "{spec}: {err}");
        }
    }

    #[test]
    fn run_file_names_are_safe() {
        assert_eq!(run_file_name("rrf:splade+bm25"), "rrf_splade+bm25.trec");
        assert_eq!(run_file_name("linear:a+b:0.5"), "linear_a+b_0.5.trec");
    }
}
