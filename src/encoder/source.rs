//! Where model files come from: a local directory or the Hugging Face Hub cache.
//!
//! `--model` takes either a path to a directory (`config.json`, `tokenizer.json`, and
//! `model.safetensors` or `pytorch_model.bin`) or a Hub repo id `owner/name`, optionally
//! pinned as `owner/name@revision`. Repo ids resolve like the Hugging Face libraries do:
//!
//! - the cache is `$HF_HUB_CACHE`, else `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`,
//!   else `~/.cache/huggingface/hub` (layout `models--owner--name/{refs,snapshots,blobs}`);
//! - a file already in the cache is used without touching the network;
//! - otherwise it is downloaded with hf-hub, unless `HF_HUB_OFFLINE` is set (`1`, `true`,
//!   `yes`, `on`), in which case a missing file is an error that says how to provide it.

use std::path::{Path, PathBuf};

use hf_hub::{Cache, Repo, RepoType};

use super::error::{EncoderError, Result};

/// The default model: a 4.4 M-parameter SPLADE (BERT-Tiny) trained on MS MARCO.
pub const DEFAULT_MODEL: &str = "rasyosef/splade-tiny";

/// What the user asked for with `--model`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSpec {
    /// A directory on disk.
    Local(PathBuf),
    /// A Hugging Face Hub repository, at a revision (default `main`).
    Hub {
        repo: String,
        revision: Option<String>,
    },
}

impl ModelSpec {
    /// Parses `--model`: an existing path (or one that looks like a path) is local, an
    /// `owner/name[@revision]` is a Hub repo id.
    pub fn parse(spec: &str) -> Result<Self> {
        let path = Path::new(spec);
        let looks_like_path = spec.starts_with(['.', '/', '~'])
            || spec.contains('\\')
            || path.is_absolute()
            || spec.matches('/').count() > 1;
        if path.exists() || looks_like_path {
            return Ok(Self::Local(expand_home(spec)));
        }
        let (repo, revision) = match spec.split_once('@') {
            Some((repo, rev)) if !rev.is_empty() => (repo, Some(rev.to_string())),
            Some(_) => return Err(EncoderError::BadModelSpec { spec: spec.into() }),
            None => (spec, None),
        };
        let valid_part = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        match repo.split_once('/') {
            Some((owner, name)) if valid_part(owner) && valid_part(name) => Ok(Self::Hub {
                repo: repo.to_string(),
                revision,
            }),
            _ => Err(EncoderError::BadModelSpec { spec: spec.into() }),
        }
    }
}

fn expand_home(spec: &str) -> PathBuf {
    match spec.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(spec)),
        None => PathBuf::from(spec),
    }
}

/// The format of the weights file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsFormat {
    /// `model.safetensors` (memory-mapped).
    Safetensors,
    /// `pytorch_model.bin` (a PyTorch zip/pickle archive).
    PyTorch,
}

/// The files of one model, found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFiles {
    /// How the model is named to the user: the repo id, or the directory.
    pub id: String,
    /// `config.json`.
    pub config: PathBuf,
    /// `tokenizer.json`.
    pub tokenizer: PathBuf,
    /// The weights file.
    pub weights: PathBuf,
    /// The weights file's format.
    pub format: WeightsFormat,
}

const WEIGHT_FILES: [(&str, WeightsFormat); 2] = [
    ("model.safetensors", WeightsFormat::Safetensors),
    ("pytorch_model.bin", WeightsFormat::PyTorch),
];

impl ModelFiles {
    /// Finds the files of a model in a local directory.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(EncoderError::NoSuchDirectory(dir.to_path_buf()));
        }
        let need = |file: &str| local_file(dir, file);
        let config = need("config.json")?;
        let tokenizer = need("tokenizer.json")?;
        let (weights, format) = WEIGHT_FILES
            .iter()
            .map(|&(name, format)| (dir.join(name), format))
            .find(|(path, _)| path.is_file())
            .ok_or_else(|| EncoderError::MissingFile {
                dir: dir.to_path_buf(),
                file: "model.safetensors".into(),
            })?;
        Ok(Self {
            id: dir.display().to_string(),
            config,
            tokenizer,
            weights,
            format,
        })
    }

    /// Resolves a `--model` value to files on disk (downloading from the Hub if needed
    /// and allowed).
    pub fn resolve(spec: &ModelSpec) -> Result<Self> {
        match spec {
            ModelSpec::Local(dir) => Self::from_dir(dir),
            ModelSpec::Hub { repo, revision } => from_hub(repo, revision.as_deref()),
        }
    }
}

/// The Hugging Face hub cache directory, as the Python libraries choose it.
pub fn hub_cache_dir() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("HF_HUB_CACHE").or_else(|| var("HUGGINGFACE_HUB_CACHE")) {
        return PathBuf::from(dir);
    }
    if let Some(home) = var("HF_HOME") {
        return PathBuf::from(home).join("hub");
    }
    let home = directories::BaseDirs::new()
        .map(|d| d.home_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("huggingface").join("hub")
}

/// Whether `HF_HUB_OFFLINE` asks us not to touch the network.
pub fn hub_offline() -> bool {
    std::env::var("HF_HUB_OFFLINE")
        .map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
        .unwrap_or(false)
}

fn hub_repo(repo: &str, revision: Option<&str>) -> Repo {
    match revision {
        Some(rev) => Repo::with_revision(repo.into(), RepoType::Model, rev.into()),
        None => Repo::new(repo.into(), RepoType::Model),
    }
}

/// One Hub repository's files: from the cache, else downloaded (unless offline).
struct HubFiles<'a> {
    repo_id: &'a str,
    revision: Option<&'a str>,
    cache_dir: PathBuf,
    cached: hf_hub::CacheRepo,
    api: Option<hf_hub::api::sync::Api>,
    offline: bool,
}

impl<'a> HubFiles<'a> {
    fn new(repo_id: &'a str, revision: Option<&'a str>) -> Self {
        let cache_dir = hub_cache_dir();
        let cache = Cache::new(cache_dir.clone());
        let cached = cache.repo(hub_repo(repo_id, revision));
        let offline = hub_offline();
        let api = if offline {
            None
        } else {
            hf_hub::api::sync::ApiBuilder::from_cache(cache)
                .with_progress(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .build()
                .ok()
        };
        Self {
            repo_id,
            revision,
            cache_dir,
            cached,
            api,
            offline,
        }
    }

    fn in_cache(&self, file: &str) -> Option<PathBuf> {
        self.cached.get(file)
    }

    fn fetch(&self, file: &str) -> Result<PathBuf> {
        if let Some(path) = self.in_cache(file) {
            return Ok(path);
        }
        let not_cached = |reason: String| EncoderError::NotCached {
            repo: self.repo_id.into(),
            cache: self.cache_dir.clone(),
            reason: format!("{file}: {reason}"),
        };
        match &self.api {
            None if self.offline => Err(not_cached("not cached and HF_HUB_OFFLINE is set".into())),
            None => Err(not_cached("the Hub client could not start".into())),
            Some(api) => api
                .repo(hub_repo(self.repo_id, self.revision))
                .get(file)
                .map_err(|e| not_cached(e.to_string())),
        }
    }
}

/// `dir/file`, which must exist.
fn local_file(dir: &Path, file: &str) -> Result<PathBuf> {
    let path = dir.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(EncoderError::MissingFile {
            dir: dir.to_path_buf(),
            file: file.into(),
        })
    }
}

/// One more file of a model (e.g. a sentence-transformers `modules.json`), by its path
/// inside the model directory or repository.
pub fn model_file(spec: &ModelSpec, file: &str) -> Result<PathBuf> {
    match spec {
        ModelSpec::Local(dir) => local_file(dir, file),
        ModelSpec::Hub { repo, revision } => HubFiles::new(repo, revision.as_deref()).fetch(file),
    }
}

fn from_hub(repo_id: &str, revision: Option<&str>) -> Result<ModelFiles> {
    let hub = HubFiles::new(repo_id, revision);
    let in_cache = |file: &str| hub.in_cache(file);
    let fetch = |file: &str| hub.fetch(file);
    let config = fetch("config.json")?;
    let tokenizer = fetch("tokenizer.json")?;
    // Prefer safetensors; fall back to a cached or downloadable pytorch_model.bin.
    let (weights, format) = match WEIGHT_FILES
        .iter()
        .find_map(|&(name, format)| in_cache(name).map(|p| (p, format)))
    {
        Some(found) => found,
        None => match fetch("model.safetensors") {
            Ok(path) => (path, WeightsFormat::Safetensors),
            Err(first) => match fetch("pytorch_model.bin") {
                Ok(path) => (path, WeightsFormat::PyTorch),
                Err(_) => return Err(first),
            },
        },
    };
    let id = match revision {
        Some(rev) => format!("{repo_id}@{rev}"),
        None => repo_id.to_string(),
    };
    Ok(ModelFiles {
        id,
        config,
        tokenizer,
        weights,
        format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_repo_ids_and_paths() {
        assert_eq!(
            ModelSpec::parse("rasyosef/splade-tiny").unwrap(),
            ModelSpec::Hub {
                repo: "rasyosef/splade-tiny".into(),
                revision: None
            }
        );
        assert_eq!(
            ModelSpec::parse("naver/splade-v3@abc123").unwrap(),
            ModelSpec::Hub {
                repo: "naver/splade-v3".into(),
                revision: Some("abc123".into())
            }
        );
        assert_eq!(
            ModelSpec::parse("./models/x").unwrap(),
            ModelSpec::Local(PathBuf::from("./models/x"))
        );
        assert_eq!(
            ModelSpec::parse("/abs/dir").unwrap(),
            ModelSpec::Local(PathBuf::from("/abs/dir"))
        );
        for bad in ["nonsense", "a/b@", "a b/c", "/"] {
            let parsed = ModelSpec::parse(bad);
            assert!(
                matches!(
                    parsed,
                    Err(EncoderError::BadModelSpec { .. }) | Ok(ModelSpec::Local(_))
                ),
                "{bad}: {parsed:?}"
            );
        }
        assert!(ModelSpec::parse("nonsense").is_err());
    }

    #[test]
    fn missing_directory_and_files_are_named() {
        let err = ModelFiles::from_dir(Path::new("/definitely/not/here")).unwrap_err();
        assert!(err.to_string().contains("/definitely/not/here"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        let err = ModelFiles::from_dir(dir.path()).unwrap_err();
        assert!(err.to_string().contains("has no tokenizer.json"), "{err}");
        std::fs::write(dir.path().join("tokenizer.json"), "{}").unwrap();
        let err = ModelFiles::from_dir(dir.path()).unwrap_err();
        assert!(
            err.to_string().contains("has no model.safetensors"),
            "{err}"
        );
        std::fs::write(dir.path().join("pytorch_model.bin"), "").unwrap();
        let files = ModelFiles::from_dir(dir.path()).unwrap();
        assert_eq!(files.format, WeightsFormat::PyTorch);
    }
}
