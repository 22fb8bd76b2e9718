//! Exports an index's SPLADE vectors, and the matching queries, into the native form of the
//! engines SPLADE runs in, each with a README of the commands that load and query it.
//!
//! | target | files | documents as | queries as |
//! |---|---|---|---|
//! | `elasticsearch` | `mapping.json`, `docs.ndjson` (bulk), `queries.ndjson` (msearch) | `sparse_vector` `{token: weight}` | `sparse_vector` `query_vector`, `prune` |
//! | `opensearch` | `mapping.json`, `docs.ndjson`, `queries.ndjson`, `pipeline.json` | `rank_features` | `neural_sparse` `query_tokens` |
//! | `qdrant` | `collection.json`, `points/*.json`, `queries.json` (batch) | named sparse vector (`indices` = term ids) | `/points/query/batch` |
//! | `vespa` | `app/` (schema, services), `feed.jsonl`, `queries.jsonl` | `tensor<float>(token{})` and `weightedset<string>` | `sum(query(q) * attribute(…))`, or `wand` |
//! | `anserini` | `corpus/docs.jsonl`, `queries.tsv` | `JsonVectorCollection`, integer impacts | tokens repeated by integer weight |
//! | `ciff` | `index.ciff`, `queries.txt`, `queries.jsonl` | CIFF postings, PISA linear impacts | `qid: tok tok …`, `{token: int}` |
//! | `seismic` | `docs.jsonl`, `queries.jsonl` | `{id, content, vector}` | the same |
//!
//! **Weights** are written as the shortest decimal of the `f32` widened to `f64`
//! (`0.10000000149011612`, not `0.1`), so every parser, whether it reads a decimal straight
//! to `f32` or through `f64` (Qdrant, Jackson, Python), gets exactly the stored `f32`.
//!
//! **Token names.** Elasticsearch (8.11–8.15) rejects `.` in `sparse_vector` feature names
//! ("fields do not support dots in feature names"), and older `rank_features` did too, so
//! the Elasticsearch and OpenSearch exports percent-encode tokens, documents and queries
//! alike: `%` → `%25`, `.` → `%2E` (`[UNK]`, `##ing` unchanged; `...` → `%2E%2E%2E`).
//! [`decode_token`] reverses it when results come back.
//!
//! A directory is written next to `DIR` and renamed into place when complete, so a reader
//! never finds half an export.

mod ciff;
mod engines;
mod readme;
mod write;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use ciff::{parse_ciff, read_ciff, CiffDocs, CiffError};

use crate::index::Index;
use crate::profile::{QdrantDatatype, TokenPruning, TwoPhase};
use crate::sparse::SparseVector;
use crate::vectors::Vocabulary;

/// An engine to export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Elasticsearch,
    Opensearch,
    Qdrant,
    Vespa,
    Anserini,
    Ciff,
    Seismic,
}

impl Target {
    pub const ALL: [Target; 7] = [
        Self::Elasticsearch,
        Self::Opensearch,
        Self::Qdrant,
        Self::Vespa,
        Self::Anserini,
        Self::Ciff,
        Self::Seismic,
    ];

    /// The target `name` names.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Elasticsearch => "elasticsearch",
            Self::Opensearch => "opensearch",
            Self::Qdrant => "qdrant",
            Self::Vespa => "vespa",
            Self::Anserini => "anserini",
            Self::Ciff => "ciff",
            Self::Seismic => "seismic",
        }
    }
}

/// How to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// The index, collection or schema name in the engine.
    pub name: String,
    /// The vector field's name.
    pub field: String,
    /// Hits each query asks for.
    pub k: usize,
    /// Elasticsearch: `prune: true` with this `pruning_config` (default: `prune: false`).
    pub pruning: Option<TokenPruning>,
    /// OpenSearch: a `neural_sparse_two_phase_processor` search pipeline.
    pub two_phase: Option<TwoPhase>,
    /// Qdrant: how the collection stores values.
    pub datatype: QdrantDatatype,
    /// Anserini (and Vespa's weighted set): integer impact `round(w · scale)`.
    pub impact_scale: f32,
    /// CIFF: bits of PISA's linear quantisation of document weights.
    pub bits: u8,
    /// CIFF: the largest integer query weight.
    pub query_max: u32,
    /// Replace an existing export directory.
    pub force: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            name: "splade".into(),
            field: "splade".into(),
            k: 1000,
            pruning: None,
            two_phase: None,
            datatype: QdrantDatatype::Float32,
            impact_scale: crate::profile::DEFAULT_IMPACT_SCALE,
            bits: crate::profile::DEFAULT_PISA_BITS,
            query_max: crate::profile::DEFAULT_PISA_QUERY_MAX,
            force: false,
        }
    }
}

/// What was exported, also written as `export.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub target: Target,
    pub dir: PathBuf,
    pub documents: usize,
    pub queries: usize,
    /// Documents or query tokens left out, and why (an integer impact of 0, …).
    pub notes: Vec<String>,
    /// The `--system` whose scores the engine reproduces, when there is one.
    pub profile: Option<String>,
    /// Files written, relative to `dir`.
    pub files: Vec<String>,
}

/// What can go wrong exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} exists; pass --force to replace it")]
    Exists(PathBuf),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

pub type Result<T, E = ExportError> = std::result::Result<T, E>;

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The queries to export: id and exact SPLADE vector.
pub type Queries = [(String, SparseVector)];

/// Exports `index` (its vocabulary `vocab`) and `queries` for `target` into `dir`.
pub fn export(
    index: &Index,
    vocab: &dyn Vocabulary,
    queries: &Queries,
    target: Target,
    dir: &Path,
    options: &ExportOptions,
) -> Result<ExportSummary> {
    check_options(target, options)?;
    check_tokens(target, vocab)?;
    let staging = write::Staging::create(dir, index.dir(), options.force)?;
    let mut summary = ExportSummary {
        target,
        dir: dir.to_path_buf(),
        documents: index.len(),
        queries: queries.len(),
        notes: Vec::new(),
        profile: profile_for(target, options),
        files: Vec::new(),
    };
    let out = engines::Out {
        index,
        vocab,
        queries,
        options,
        dir: staging.path(),
    };
    summary.files = match target {
        Target::Elasticsearch => engines::elasticsearch(&out, &mut summary.notes)?,
        Target::Opensearch => engines::opensearch(&out, &mut summary.notes)?,
        Target::Qdrant => engines::qdrant(&out)?,
        Target::Vespa => engines::vespa(&out, &mut summary.notes)?,
        Target::Anserini => engines::anserini(&out, &mut summary.notes)?,
        Target::Ciff => ciff::export(&out, &mut summary.notes)?,
        Target::Seismic => engines::seismic(&out)?,
    };
    readme::write(&out, target, &summary)?;
    summary.files.push("README.md".into());
    summary.files.push("export.json".into());
    summary.files.sort();
    let json = serde_json::to_vec_pretty(&summary).expect("a summary serialises");
    let path = staging.path().join("export.json");
    std::fs::write(&path, json).map_err(io_error(&path))?;
    staging.commit()?;
    Ok(summary)
}

/// Refuses options the engine would reject.
fn check_options(target: Target, o: &ExportOptions) -> Result<()> {
    let bad = |why: String| Err(ExportError::Invalid(why));
    if o.pruning.is_some() && target != Target::Elasticsearch {
        return bad("--prune is an Elasticsearch option".into());
    }
    if o.two_phase.is_some() && target != Target::Opensearch {
        return bad("--two-phase is an OpenSearch option".into());
    }
    if o.datatype != QdrantDatatype::Float32 && target != Target::Qdrant {
        return bad("--datatype is a Qdrant option".into());
    }
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && s.starts_with(|c: char| c.is_ascii_lowercase())
    };
    if !name_ok(&o.name) || !name_ok(&o.field) {
        return bad(format!(
            "--name {:?} and --field {:?} must start with a lowercase letter and hold only \
             a-z, 0-9, '_' and '-' (every engine accepts such names)",
            o.name, o.field
        ));
    }
    if o.k == 0 {
        return bad("-k must be at least 1".into());
    }
    if target == Target::Ciff && o.bits > 8 {
        return bad(format!(
            "--bits {}: CIFF impacts for BMP must fit 8 bits (PISA reads more, BMP wraps)",
            o.bits
        ));
    }
    Ok(())
}

/// Refuses a vocabulary whose tokens the target's files cannot carry: whitespace in
/// Anserini's pretokenized input and PISA's and BMP's term lists, more than 65,536 terms
/// for BMP, tokens longer than Seismic's 30 characters.
fn check_tokens(target: Target, vocab: &dyn Vocabulary) -> Result<()> {
    let limit = match target {
        Target::Anserini | Target::Ciff => None,
        Target::Seismic => Some(30),
        _ => return Ok(()),
    };
    if target == Target::Ciff && vocab.size() > 65_536 {
        return Err(ExportError::Invalid(format!(
            "{} terms: BMP reads CIFF term ids as 16 bits (at most 65,536)",
            vocab.size()
        )));
    }
    for t in 0..vocab.size() as u32 {
        let token = vocab.token(t);
        if target != Target::Seismic && token.chars().any(char::is_whitespace) {
            return Err(ExportError::Invalid(format!(
                "token {t} ({token:?}) holds whitespace, which {} cannot carry",
                target.name()
            )));
        }
        if limit.is_some_and(|l| token.chars().count() > l) {
            return Err(ExportError::Invalid(format!(
                "token {t} ({token:?}) is longer than the 30 characters Seismic keeps"
            )));
        }
    }
    Ok(())
}

/// The `--system` whose scores a target's engine gives.
fn profile_for(target: Target, o: &ExportOptions) -> Option<String> {
    use crate::profile::Profile;
    let p = match target {
        Target::Elasticsearch => Profile::Elasticsearch { pruning: o.pruning },
        Target::Opensearch => Profile::OpenSearch {
            two_phase: o.two_phase,
        },
        Target::Qdrant => Profile::Qdrant(o.datatype),
        Target::Anserini => Profile::Anserini {
            scale: o.impact_scale,
        },
        Target::Ciff => Profile::Pisa {
            bits: o.bits,
            query_max: o.query_max,
        },
        Target::Vespa | Target::Seismic => return None,
    };
    Some(format!("splade@{p}"))
}

/// A token as the Elasticsearch and OpenSearch exports name it: `%` → `%25`, `.` → `%2E`.
pub fn encode_token(token: &str) -> std::borrow::Cow<'_, str> {
    if !token.contains(['.', '%']) {
        return token.into();
    }
    token.replace('%', "%25").replace('.', "%2E").into()
}

/// The token an exported name stands for ([`encode_token`] reversed).
pub fn decode_token(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.contains('%') {
        return name.into();
    }
    name.replace("%2E", ".").replace("%25", "%").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_escaping_round_trips_and_leaves_no_dot() {
        for token in [
            "alzheimer",
            "##ing",
            ".",
            "...",
            "%",
            "%2E",
            "a.b%c",
            "[UNK]",
        ] {
            let name = encode_token(token);
            assert!(!name.contains('.'), "{name}");
            assert_eq!(decode_token(&name), token);
        }
        assert_eq!(encode_token("..."), "%2E%2E%2E");
        assert_eq!(encode_token("%2E"), "%252E");
    }
}
