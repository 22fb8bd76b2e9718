//! Opening an index together with the query encoder that matches it.

use std::path::Path;

use anyhow::Context;
use clap::Args;

use spladescope::encoder::{EncoderOptions, ModelFiles, ModelSpec, QueryEncoding, SparseEncoder};
use spladescope::index::manifest::ModelInfo;
use spladescope::index::{Index, IndexError};
use spladescope::search::what_if::DocEdits;
use spladescope::search::{Pruning, QueryEdits};
use spladescope::system::{Leaf, Pipeline, SystemSpec, WhatIf};
use spladescope::vectors::{Keys, TermIds, TokenTable, Vocabulary};

/// Options of commands that run queries against an index.
#[derive(Debug, Clone, Args)]
pub struct QueryModelArgs {
    /// Query model (default: the model the index was built with).
    #[arg(long, short = 'm')]
    pub model: Option<String>,
    /// Longest query in tokens ([CLS]/[SEP] included) [default: 64, or the model's limit if
    /// lower].
    #[arg(long)]
    pub query_max_length: Option<usize>,
    /// How queries are encoded [default: the index's, as `index --query-encoder` recorded
    /// it]: `model` runs the model; `idf` (the query's tokens weighted by the model folder's
    /// idf.json) and `ones` (each token 1.0) are inference-free.
    #[arg(long, value_name = "ENCODER", value_parser = super::query_encoder_parser())]
    pub query_encoder: Option<QueryEncoding>,
    /// Search with a model whose files differ from the index's.
    #[arg(long)]
    pub allow_model_mismatch: bool,
    /// Worker threads (0 = one per core); for `retrieve`, also how many queries are
    /// searched at once (default one).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Opens `dir` and loads the query encoder, refusing a different model unless allowed.
pub fn open(dir: &Path, args: &QueryModelArgs) -> anyhow::Result<(Index, SparseEncoder)> {
    with_encoder(Index::open(dir)?, args)
}

/// [`open`], leaving the checksums of large files to [`Index::verify`] (the explorer runs
/// it in the background).
pub fn open_deferred(dir: &Path, args: &QueryModelArgs) -> anyhow::Result<(Index, SparseEncoder)> {
    with_encoder(Index::open_deferred(dir)?, args)
}

fn with_encoder(index: Index, args: &QueryModelArgs) -> anyhow::Result<(Index, SparseEncoder)> {
    let spec = args
        .model
        .clone()
        .unwrap_or_else(|| index.manifest().model.id.clone());
    let options = EncoderOptions {
        max_length: args.query_max_length.unwrap_or(64),
        batch_size: 32,
        threads: args.threads,
        clamp_max_length: args.query_max_length.is_none(),
    };
    let mut encoder = SparseEncoder::from_spec(&spec, options)?;
    let index_model = &index.manifest().model;
    encoder.set_query_encoding(args.query_encoder.unwrap_or(index_model.query_encoder))?;
    if let (Some(built), Some(idf), false) = (
        &index_model.idf_sha256,
        encoder.idf(),
        args.allow_model_mismatch,
    ) {
        anyhow::ensure!(
            *built == idf.sha256,
            "{} differs from the idf.json the index {} was built with (sha256 {} there, {} \
             here); pass --allow-model-mismatch to search with it anyway",
            idf.path.display(),
            index.dir().display(),
            short_hash(built),
            short_hash(&idf.sha256),
        );
    }
    if !args.allow_model_mismatch {
        let query_model = ModelInfo::of(&encoder)?;
        let index_model = &index.manifest().model;
        if !index_model.same_files(&query_model) {
            return Err(IndexError::ModelMismatch {
                index_model: index_model.id.clone(),
                query_model: query_model.id,
            }
            .into());
        }
    }
    Ok((index, encoder))
}

fn short_hash(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// The `--compare` index B, opened with its own model.
pub struct CompareIndex {
    pub index: Index,
    pub encoder: SparseEncoder,
    /// How B's documents differ from A's (only with `--allow-corpus-mismatch`).
    pub corpus_difference: Option<String>,
}

/// Opens the `--compare` index B with its own model and refuses it when it indexes another
/// corpus than `a` (unless `allow_corpus_mismatch`, when the difference is returned).
pub fn open_compare(
    dir: &Path,
    args: &QueryModelArgs,
    a: &Index,
    allow_corpus_mismatch: bool,
) -> anyhow::Result<CompareIndex> {
    let b_args = QueryModelArgs {
        model: None,
        query_encoder: None,
        ..args.clone()
    };
    let (index, encoder) = open(dir, &b_args)?;
    let corpus_difference = a.corpus_difference(&index)?;
    if let (Some(reason), false) = (&corpus_difference, allow_corpus_mismatch) {
        anyhow::bail!(
            "--compare {} indexes another corpus than {} ({reason}); comparing checkpoints \
             needs two indexes of one corpus (pass --allow-corpus-mismatch to compare anyway)",
            dir.display(),
            a.dir().display()
        );
    }
    Ok(CompareIndex {
        index,
        encoder,
        corpus_difference,
    })
}

/// Query edits, as the explorer's term ablation and pruning make them.
#[derive(Debug, Clone, Default, Args)]
pub struct EditArgs {
    /// Switch a query term off (a vocabulary token, e.g. `password` or `##in`; repeatable).
    #[arg(long, value_name = "TERM")]
    pub drop: Vec<String>,
    /// Give a query term a new weight, or add a term the query lacks (repeatable).
    #[arg(long, value_name = "TERM=WEIGHT", value_parser = parse_weight)]
    pub weight: Vec<(String, f32)>,
    /// Keep only the N heaviest query terms (after --drop and --weight).
    #[arg(long, value_name = "N")]
    pub prune_top: Option<usize>,
    /// Keep only query terms weighing at least W.
    #[arg(long, value_name = "W", value_parser = parse_min_weight)]
    pub prune_min: Option<f32>,
}

pub fn parse_min_weight(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(w) if w.is_finite() && w >= 0.0 => Ok(w),
        _ => Err(format!("expected a weight of 0 or more, got {s:?}")),
    }
}

/// Document-side edits of the `what-if` system.
#[derive(Debug, Clone, Default, Args)]
pub struct DocEditArgs {
    /// What-if: switch a term off in every document's vector (repeatable); runs the
    /// `what-if` system beside the others.
    #[arg(long, value_name = "TERM")]
    pub doc_drop: Vec<String>,
    /// What-if: multiply a term's weight in every document's vector by F (repeatable).
    #[arg(long, value_name = "TERM=F", value_parser = parse_weight)]
    pub doc_scale: Vec<(String, f32)>,
    /// What-if: edit --doc-drop/--doc-scale terms only in the documents where they are an
    /// expansion (not one of the document's own tokens).
    #[arg(long)]
    pub doc_expansions_only: bool,
}

impl DocEditArgs {
    /// Whether any document edit was given.
    pub fn given(&self) -> bool {
        !self.doc_drop.is_empty() || !self.doc_scale.is_empty()
    }

    /// The edits, with terms looked up in the encoder's vocabulary.
    pub fn edits(&self, encoder: &SparseEncoder) -> anyhow::Result<DocEdits> {
        let mut edits = DocEdits {
            expansions_only: self.doc_expansions_only,
            ..DocEdits::default()
        };
        for t in &self.doc_drop {
            edits.scales.insert(vocabulary_id(encoder, t)?, 0.0);
        }
        for (t, s) in &self.doc_scale {
            edits.scales.insert(vocabulary_id(encoder, t)?, *s);
        }
        Ok(edits)
    }
}

fn vocabulary_id(encoder: &SparseEncoder, token: &str) -> anyhow::Result<u32> {
    encoder.token_id(token).ok_or_else(|| {
        anyhow::anyhow!(
            "{token:?} is not in the model's vocabulary (use the token as `encode` shows it)"
        )
    })
}

/// Sets the pipeline's what-if edits (`edits` on the query, `docs` on the documents) and
/// adds the `what-if` system when `add` asks for it and it is not there.
pub fn set_what_if(
    pipeline: &mut Pipeline,
    edits: QueryEdits,
    docs: &DocEditArgs,
    add: bool,
) -> anyhow::Result<()> {
    pipeline.what_if = WhatIf {
        query: edits,
        docs: docs.edits(&pipeline.encoder)?,
    };
    let what_if = SystemSpec::Leaf(Leaf::WhatIf);
    if add && !pipeline.systems().contains(&what_if) {
        let mut systems = pipeline.systems().to_vec();
        systems.push(what_if);
        pipeline.set_systems(systems)?;
    }
    Ok(())
}

/// The query edits of `search` and `explain`, read once: they apply to `splade` (as the
/// explorer's do), and with `--doc-*` edits the `what-if` system runs both kinds.
pub fn edit_pipeline(
    pipeline: &mut Pipeline,
    edits: &EditArgs,
    docs: &DocEditArgs,
) -> anyhow::Result<QueryEdits> {
    let edits = edits.edits(&pipeline.encoder)?;
    set_what_if(pipeline, edits.clone(), docs, docs.given())?;
    Ok(edits)
}

/// A count of 1 or more (`-k`).
pub fn parse_count(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected a whole number of 1 or more, got {s:?}")),
    }
}

fn parse_weight(s: &str) -> Result<(String, f32), String> {
    let (term, w) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("expected TERM=WEIGHT, got {s:?}"))?;
    let w: f32 = w
        .parse()
        .map_err(|_| format!("{w:?} is not a number in {s:?}"))?;
    if !w.is_finite() || w < 0.0 {
        return Err(format!("the weight in {s:?} must be a number of 0 or more"));
    }
    Ok((term.to_string(), w))
}

impl EditArgs {
    /// Warns (stderr) about dropped terms the query does not hold, which change nothing,
    /// and notes the weighted terms it lacks, which are added.
    pub fn warn_absent(
        edits: &QueryEdits,
        encoder: &SparseEncoder,
        query: &spladescope::sparse::SparseVector,
    ) {
        for id in edits.absent_terms(query) {
            eprintln!(
                "spladescope: warning: {:?} is not a term of this query; its edit changes nothing",
                encoder.token(id)
            );
        }
        for id in edits.added_terms(query) {
            eprintln!(
                "spladescope: note: {:?} is not a term of this query; --weight adds it",
                encoder.token(id)
            );
        }
    }

    /// Whether any query edit was given.
    pub fn given(&self) -> bool {
        !self.drop.is_empty()
            || !self.weight.is_empty()
            || self.prune_top.is_some()
            || self.prune_min.is_some()
    }

    /// The edits, with terms looked up in the encoder's vocabulary.
    pub fn edits(&self, encoder: &SparseEncoder) -> anyhow::Result<QueryEdits> {
        let id = |t: &str| vocabulary_id(encoder, t);
        let mut edits = QueryEdits::default();
        for t in &self.drop {
            edits.dropped.insert(id(t)?);
        }
        for (t, w) in &self.weight {
            edits.weights.insert(id(t)?, *w);
        }
        edits.pruning = Pruning {
            top_n: self.prune_top,
            min_weight: self.prune_min,
        };
        Ok(edits)
    }
}

/// The vocabulary of the index's model, from its tokenizer alone (no weights loaded).
pub fn index_vocabulary(index: &Index) -> anyhow::Result<TokenTable> {
    let model = &index.manifest().model.id;
    let files = ModelSpec::parse(model)
        .and_then(|spec| ModelFiles::resolve(&spec))
        .with_context(|| {
            format!(
                "the index's model {model} is needed for token keys; --vector-keys ids reads \
                 and writes term ids without it"
            )
        })?;
    TokenTable::from_tokenizer_file(&files.tokenizer).map_err(anyhow::Error::msg)
}

/// What reads and writes vector keys of kind `keys` for this index: its model's tokens, or
/// bare term ids below its vocabulary size.
pub fn key_vocabulary(index: &Index, keys: Keys) -> anyhow::Result<Box<dyn Vocabulary>> {
    Ok(match keys {
        Keys::Ids => Box::new(TermIds(index.manifest().model.vocab_size)),
        Keys::Tokens => Box::new(index_vocabulary(index)?),
    })
}

/// The queries a batch command runs: a BEIR folder's judged queries or a queries file
/// (encoded here), or query vectors encoded elsewhere.
#[derive(Debug, Args)]
pub struct QuerySetArgs {
    /// Queries of a BEIR folder (queries.jsonl; those judged in qrels/<split>.tsv).
    #[arg(long, conflicts_with_all = ["queries", "query_vectors"])]
    pub beir: Option<std::path::PathBuf>,
    /// The qrels split of --beir whose queries run.
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Queries (BEIR queries.jsonl: _id, text), encoded here.
    #[arg(long, conflicts_with = "query_vectors")]
    pub queries: Option<std::path::PathBuf>,
    /// Query vectors encoded elsewhere, in the import format ({"id", "vector"} lines, see
    /// `index --vectors`): SPLADE only.
    #[arg(long, value_name = "QV.jsonl")]
    pub query_vectors: Option<std::path::PathBuf>,
    /// With --query-vectors: the keys are WordPiece tokens or numeric term ids.
    #[arg(long, value_enum, default_value = "tokens")]
    pub vector_keys: super::index::VectorKeys,
}

impl QuerySetArgs {
    /// Whether any queries were given.
    pub fn given(&self) -> bool {
        self.beir.is_some() || self.queries.is_some() || self.query_vectors.is_some()
    }

    /// The `(id, text)` queries of `--beir DIR` (those judged in `qrels/<split>.tsv`) or
    /// `--queries FILE`.
    pub fn texts(&self) -> anyhow::Result<Vec<(String, String)>> {
        Ok(match (&self.beir, &self.queries) {
            (Some(dir), _) => {
                let split = spladescope::eval::load_beir(dir, &self.split)?;
                split
                    .queries
                    .iter()
                    .filter(|q| split.qrels.contains_query(&q.id))
                    .map(|q| (q.id.clone(), q.text.clone()))
                    .collect()
            }
            (None, Some(file)) => spladescope::eval::read_queries(file)?
                .queries
                .iter()
                .map(|q| (q.id.clone(), q.text.clone()))
                .collect(),
            (None, None) => {
                anyhow::bail!("give --beir DIR, --queries FILE or --query-vectors FILE")
            }
        })
    }

    /// The `--query-vectors` file's `(id, vector)` queries, read with `index`'s vocabulary
    /// (`None` without the option).
    pub fn vectors(
        &self,
        index: &Index,
    ) -> anyhow::Result<Option<Vec<(String, spladescope::sparse::SparseVector)>>> {
        let Some(path) = &self.query_vectors else {
            return Ok(None);
        };
        let keys: Keys = self.vector_keys.into();
        let vocab = key_vocabulary(index, keys)?;
        let options = spladescope::vectors::VectorOptions {
            keys,
            ..Default::default()
        };
        let records = spladescope::vectors::VectorReader::open(path, vocab.as_ref(), &options)?;
        Ok(Some(
            records
                .map(|r| r.map(|r| (r.doc.id, r.vector)))
                .collect::<Result<_, _>>()?,
        ))
    }
}
