//! `spladescope export-vectors`: an index's document vectors in the import format.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use spladescope::corpus::Document;
use spladescope::index::Index;
use spladescope::vectors::{Keys, VectorWriter};

use super::index::VectorKeys;
use super::query;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The index directory.
    pub index: PathBuf,
    /// Where to write: a file (.gz compresses) or - for standard output.
    #[arg(long, short = 'o', default_value = "-")]
    pub out: PathBuf,
    /// Write WordPiece tokens (needs the index's model tokenizer) or numeric term ids.
    #[arg(long, value_enum, default_value = "tokens")]
    pub vector_keys: VectorKeys,
    /// Leave out the texts ("contents").
    #[arg(long)]
    pub no_text: bool,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    let index = Index::open(&args.index)?;
    let keys: Keys = args.vector_keys.into();
    let vocab = query::key_vocabulary(&index, keys)?;
    let mut out = VectorWriter::create(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let write_error = || format!("cannot write {}", args.out.display());
    for n in 0..index.len() as u32 {
        let doc = index.doc(n)?;
        let vector = index.vector(n)?;
        let text = (!args.no_text).then(|| {
            Document {
                id: String::new(),
                title: doc.title.to_string(),
                text: doc.text.to_string(),
            }
            .indexed_text()
        });
        out.write(doc.id, text.as_deref(), &vector, vocab.as_ref(), keys)
            .with_context(write_error)?;
    }
    out.finish().with_context(write_error)?;
    if args.out != std::path::Path::new("-") {
        eprintln!(
            "wrote {} document vectors to {}",
            index.len(),
            args.out.display()
        );
    }
    Ok(())
}
