//! `spladescope tui` and `spladescope demo` (also: no arguments): start the explorer.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::{Args, ValueEnum};
use directories::ProjectDirs;

use spladescope::engine::{Engine, Judged, Side};
use spladescope::tui::config::{Config, History};
use spladescope::tui::theme::ThemeName;
use spladescope::tui::worker::Loader;
use spladescope::tui::{self, Exit, Launch};

use super::eval::{check_corpus, JudgedArgs};
use super::query::{self, QueryModelArgs};
use super::systems::SystemArgs;

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// The index directory.
    pub index: PathBuf,
    #[command(flatten)]
    pub systems: SystemArgs,
    /// Judged queries (--beir DIR, or --queries and --qrels): enable the Evaluate view.
    #[command(flatten)]
    pub judged: JudgedArgs,
    #[command(flatten)]
    pub ui: UiArgs,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

/// Options of the explorer itself.
#[derive(Debug, Clone, Args)]
pub struct UiArgs {
    /// Start with this query typed in.
    #[arg(long)]
    pub query: Option<String>,
    /// Colour theme (default: the config file's, else dark).
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// Hits per list (default: the config file's, else 10).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub hits: Option<u16>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ThemeArg {
    Dark,
    Light,
}

/// The user's directories (XDG on Linux).
pub fn dirs() -> anyhow::Result<ProjectDirs> {
    ProjectDirs::from("", "", "spladescope")
        .ok_or_else(|| anyhow::anyhow!("no home directory: cannot place the config and data files"))
}

/// Starts the explorer with `loader` and the user's config and history.
pub fn launch(loader: Loader, ui: &UiArgs) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("the explorer needs a terminal (stdin and stdout); use `search`, `explain` or `eval` in scripts");
    }
    let dirs = dirs()?;
    let config_path = std::env::var_os("SPLADESCOPE_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs.config_dir().join("config.toml"));
    let (mut config, config_error) = match Config::load(&config_path) {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(e)),
    };
    if let Some(t) = ui.theme {
        config.theme = match t {
            ThemeArg::Dark => ThemeName::Dark,
            ThemeArg::Light => ThemeName::Light,
        };
    }
    if let Some(h) = ui.hits {
        config.hits = h as usize;
    }
    let history = History::load(Some(dirs.data_dir().join("history")), config.history);
    let exit = tui::run(Launch {
        loader,
        config,
        config_error,
        history,
        query: ui.query.clone(),
        command_file: Some(dirs.data_dir().join("last-command.sh")),
    })?;
    match exit {
        Exit::Quit => Ok(()),
        // The same message as on screen, now on the restored terminal; status 1.
        Exit::LoadFailed(message) => bail!("{message}"),
        Exit::Signal(signal) => std::process::exit(128 + signal),
    }
}

/// The display name of an index directory.
pub fn index_name(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

pub fn run(args: &TuiArgs) -> anyhow::Result<()> {
    let (index, model) = (args.index.clone(), args.model.clone());
    let (compare, allow_corpus_mismatch) = (
        args.systems.compare.clone(),
        args.systems.allow_corpus_mismatch,
    );
    let judged_args = args.judged.clone();
    let systems = args.systems.systems.clone();
    let loader: Loader = Box::new(move |progress| {
        let load = || -> anyhow::Result<Engine> {
            progress(format!("opening {} and loading its model", index.display()));
            let (a_index, a_encoder) = query::open_deferred(&index, &model)?;
            let a = Side {
                index: a_index,
                encoder: a_encoder,
                name: index_name(&index),
            };
            let b = match &compare {
                Some(dir) => {
                    progress(format!("opening {} and loading its model", dir.display()));
                    let b = query::open_compare(dir, &model, &a.index, allow_corpus_mismatch)
                        .map_err(|e| e.context(format!("--compare {}", dir.display())))?;
                    Some(Side {
                        index: b.index,
                        encoder: b.encoder,
                        name: index_name(dir),
                    })
                }
                None => None,
            };
            let judged = if judged_args.given() {
                progress("reading queries and qrels".into());
                let mut notes = Vec::new();
                let (queries, qrels, name) = judged_args.load(&mut notes)?;
                check_corpus(&a.index, &qrels, &mut notes)?;
                Some(Judged {
                    queries,
                    qrels,
                    name,
                    notes,
                    args: judged_args.command_line(),
                })
            } else {
                None
            };
            let mut engine = Engine::new(a, b, judged)?;
            if !systems.is_empty() {
                progress("loading the systems given with --system".into());
                engine.add_systems(&systems, model.threads, model.allow_model_mismatch)?;
            }
            Ok(engine)
        };
        load().map_err(|e| super::output::error_chain(&e))
    });
    launch(loader, &args.ui)
}
