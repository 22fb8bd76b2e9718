//! `spladescope export`: an index's vectors and a query set in an engine's native form.

use std::path::PathBuf;

use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;

use spladescope::export::{export, ExportOptions, Target};
use spladescope::profile::{Profile, QdrantDatatype};
use spladescope::search::QueryEdits;
use spladescope::sparse::SparseVector;

use super::query::{self, QueryModelArgs, QuerySetArgs};

/// `--to`: one of the export targets, by name.
fn target_parser() -> impl clap::builder::TypedValueParser<Value = Target> {
    PossibleValuesParser::new(Target::ALL.map(Target::name))
        .map(|s| Target::from_name(&s).expect("a listed target"))
}

/// `--datatype`: one of Qdrant's datatypes, by name.
fn datatype_parser() -> impl clap::builder::TypedValueParser<Value = QdrantDatatype> {
    PossibleValuesParser::new(QdrantDatatype::ALL.map(QdrantDatatype::name))
        .map(|s| QdrantDatatype::from_name(&s).expect("a listed datatype"))
}

#[derive(Debug, Args)]
pub struct EngineExportArgs {
    /// The index directory.
    pub index: PathBuf,
    /// The engine.
    #[arg(long = "to", value_parser = target_parser())]
    pub target: Target,
    /// The directory to write (written beside it, then renamed into place).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// The queries to export with the documents (none: documents only).
    #[command(flatten)]
    pub query_set: QuerySetArgs,
    /// Hits each query asks for.
    #[arg(short, long, default_value_t = 1000)]
    pub k: usize,
    /// The index, collection or schema name in the engine.
    #[arg(long, default_value = "splade")]
    pub name: String,
    /// The vector field's name.
    #[arg(long, default_value = "splade")]
    pub field: String,
    /// Elasticsearch: prune query tokens (`prune: true`); `R:W` sets
    /// tokens_freq_ratio_threshold and tokens_weight_threshold [default: 5:0.4].
    #[arg(long, value_name = "R:W", num_args = 0..=1, default_missing_value = "5:0.4")]
    pub prune: Option<String>,
    /// OpenSearch: the two-phase search pipeline; `P:E:M` sets prune_ratio, expansion_rate
    /// and max_window_size [default: 0.4:5:10000].
    #[arg(long, value_name = "P:E:M", num_args = 0..=1, default_missing_value = "0.4:5:10000")]
    pub two_phase: Option<String>,
    /// Qdrant: how the collection stores values.
    #[arg(long, value_parser = datatype_parser(), default_value = "float32")]
    pub datatype: QdrantDatatype,
    /// Anserini (and Vespa's wand field): integer impacts round(w × S).
    #[arg(long, default_value_t = spladescope::profile::DEFAULT_IMPACT_SCALE)]
    pub impact_scale: f32,
    /// CIFF: bits of PISA's linear quantisation of document weights (at most 8, for BMP).
    #[arg(long, default_value_t = spladescope::profile::DEFAULT_PISA_BITS)]
    pub bits: u8,
    /// CIFF: the largest integer query weight (⌈q × M / max q⌉).
    #[arg(long, default_value_t = spladescope::profile::DEFAULT_PISA_QUERY_MAX)]
    pub query_max: u32,
    /// Replace an existing export directory.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

pub fn run(args: &EngineExportArgs) -> anyhow::Result<()> {
    let mut options = ExportOptions {
        name: args.name.clone(),
        field: args.field.clone(),
        k: args.k,
        impact_scale: args.impact_scale,
        bits: args.bits,
        query_max: args.query_max,
        force: args.force,
        datatype: args.datatype,
        ..ExportOptions::default()
    };
    // The profile parser checks the option values once, for export and search alike.
    Profile::parse(&format!("anserini:{}", args.impact_scale))
        .map_err(|e| anyhow::anyhow!("--impact-scale: {e}"))?;
    Profile::parse(&format!("pisa:{}:{}", args.bits, args.query_max))
        .map_err(|e| anyhow::anyhow!("--bits, --query-max: {e}"))?;
    if let Some(p) = &args.prune {
        match Profile::parse(&format!("elasticsearch:prune:{p}"))
            .map_err(|e| anyhow::anyhow!("--prune {p}: {e}"))?
        {
            Profile::Elasticsearch { pruning } => options.pruning = pruning,
            _ => unreachable!("an elasticsearch profile"),
        }
    }
    if let Some(t) = &args.two_phase {
        match Profile::parse(&format!("opensearch:two-phase:{t}"))
            .map_err(|e| anyhow::anyhow!("--two-phase {t}: {e}"))?
        {
            Profile::OpenSearch { two_phase } => options.two_phase = two_phase,
            _ => unreachable!("an opensearch profile"),
        }
    }
    let (index, encoder) = query::open(&args.index, &args.model)?;
    let queries: Vec<(String, SparseVector)> = if let Some(v) = args.query_set.vectors(&index)? {
        v
    } else if args.query_set.given() {
        let texts = args.query_set.texts()?;
        let list: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
        let encoded = encoder.encode_queries(&list)?;
        let edits = QueryEdits::default();
        texts
            .into_iter()
            .zip(encoded)
            .map(|((id, _), e)| (id, edits.apply(&e.vector)))
            .collect()
    } else {
        Vec::new()
    };
    let vocab = query::index_vocabulary(&index)?;
    let summary = export(&index, &vocab, &queries, args.target, &args.out, &options)
        .with_context(|| format!("cannot export {}", args.index.display()))?;
    eprintln!(
        "wrote {} documents and {} queries for {} to {} ({} files{})",
        summary.documents,
        summary.queries,
        summary.target.name(),
        summary.dir.display(),
        summary.files.len(),
        summary
            .profile
            .as_deref()
            .map(|p| format!("; scored locally by --system {p}"))
            .unwrap_or_default()
    );
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    Ok(())
}
