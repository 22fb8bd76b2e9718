//! Choosing the format of a path (see the module docs for the rules).

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::error::CorpusError;
use super::folder;
use super::jsonl::{self, JsonlFields};
use super::lines::{Line, LineReader};
use super::{CorpusOptions, Format};

/// How many non-blank lines sniffing looks at when `skip_bad` lets it pass bad ones.
const SNIFF_LINES: usize = 100;

/// A format chosen for a path, and the file or directory to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The format.
    pub format: Format,
    /// The file to read (for BEIR given a directory, `DIR/corpus.jsonl`) or the folder.
    pub path: PathBuf,
}

/// Chooses the format of `path`: `options.format` when set (checking that the path suits it),
/// otherwise by the detection rules of the module docs.
pub fn detect(path: &Path, options: &CorpusOptions) -> Result<Detected, CorpusError> {
    let meta = fs::metadata(path).map_err(|e| CorpusError::io(path, e))?;
    let unknown = |reason: String| CorpusError::UnknownFormat {
        path: path.to_path_buf(),
        reason,
    };
    let found = |format: Format, p: &Path| {
        Ok(Detected {
            format,
            path: p.to_path_buf(),
        })
    };
    let beir_file = path.join("corpus.jsonl");
    if let Some(format) = options.format {
        return match (format, meta.is_dir()) {
            (Format::Beir, true) if beir_file.is_file() => found(format, &beir_file),
            (Format::Beir, true) => Err(unknown("the directory has no corpus.jsonl".into())),
            (Format::Folder, true) => found(format, path),
            (Format::Folder, false) => Err(unknown(
                "the folder format needs a directory, this is a file".into(),
            )),
            (_, true) => Err(unknown(format!(
                "the {format} format needs a file, this is a directory"
            ))),
            (_, false) => found(format, path),
        };
    }
    if meta.is_dir() {
        if beir_file.is_file() {
            return found(Format::Beir, &beir_file);
        }
        if !folder::walk(path, true)?.is_empty() {
            return found(Format::Folder, path);
        }
        return Err(unknown(format!(
            "the directory has no corpus.jsonl and no .txt/.md files{}",
            candidates_hint(path)
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".jsonl") || name.ends_with(".json") {
        return sniff_jsonl(path, options).map(|format| Detected {
            format,
            path: path.to_path_buf(),
        });
    }
    if name.ends_with(".tsv") {
        return found(Format::Tsv, path);
    }
    Err(unknown(
        if name.ends_with(".gz") {
            "gzip-compressed files are not supported: decompress it first (gunzip)"
        } else if folder::is_text_file(path) {
            "a single .txt/.md file is ambiguous: put it in a directory to read it as a folder \
             corpus (one document per file)"
        } else {
            "the file name does not end in .jsonl, .json or .tsv"
        }
        .into(),
    ))
}

/// BEIR or generic JSONL, from the field names of the first non-blank line.
fn sniff_jsonl(path: &Path, options: &CorpusOptions) -> Result<Format, CorpusError> {
    if options.fields != JsonlFields::default() {
        return Ok(Format::Jsonl); // field names were chosen: generic JSONL
    }
    let file = fs::File::open(path).map_err(|e| CorpusError::io(path, e))?;
    let mut lines = LineReader::new(Box::new(BufReader::new(file)), options.max_record_bytes);
    let mut first_error = None;
    let mut looked = 0;
    while looked < SNIFF_LINES {
        let Some((line_no, line)) = lines.next_line().map_err(|e| CorpusError::io(path, e))? else {
            break;
        };
        let keys = match line {
            Line::Text(t) if t.trim().is_empty() => continue,
            Line::Text(t) => jsonl::sniff_keys(t),
            Line::Bad(problem) => Err(problem),
        };
        looked += 1;
        match keys {
            Ok(keys) => return decide(path, &keys),
            Err(problem) => {
                let error = CorpusError::BadLine {
                    path: path.to_path_buf(),
                    line: line_no,
                    problem,
                };
                if !options.skip_bad {
                    return Err(error);
                }
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        Some(error) => Err(error),
        // An empty file: it yields nothing either way.
        None => Ok(Format::Beir),
    }
}

fn decide(path: &Path, keys: &[String]) -> Result<Format, CorpusError> {
    let has = |k: &str| keys.iter().any(|key| key == k);
    if has("_id") {
        Ok(Format::Beir)
    } else if has("id") {
        Ok(Format::Jsonl)
    } else {
        Err(CorpusError::UnknownFormat {
            path: path.to_path_buf(),
            reason: format!(
                "cannot tell the id field: the first record has no \"_id\" or \"id\" (fields: {}); \
                 use --format jsonl and name the id field",
                keys.iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

/// "; it has X, Y: pass one of them" for files in `dir` that another format could read.
fn candidates_hint(dir: &Path) -> String {
    let Ok(read) = fs::read_dir(dir) else {
        return String::new();
    };
    let mut names: Vec<String> = read
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let n = n.to_lowercase();
            [".jsonl", ".json", ".tsv", ".gz"]
                .iter()
                .any(|ext| n.ends_with(ext))
        })
        .collect();
    if names.is_empty() {
        return String::new();
    }
    names.sort();
    names.truncate(5);
    format!(
        "; it has {}: pass the file itself to read one of them",
        names.join(", ")
    )
}
