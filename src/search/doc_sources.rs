//! Which word of a document produced each of its SPLADE terms.
//!
//! An index stores each document's weights, not where they came from, so the document is
//! encoded again, at the index's `max_length`, by the model that encodes the queries. That
//! is only the model that built the index when its vectors were encoded here (not imported)
//! and the re-encoding gives the stored vector back: every stored term of weight ≥ 0.001
//! present, and every shared weight within 0.001 (batched and one-by-one encoding differ by
//! float rounding only). Otherwise the sources are unavailable, with the reason.

use crate::encoder::{Encoded, InputText, Source, SparseEncoder};
use crate::index::{Index, Result};

use super::explain::SpladeExplanation;

/// How far a re-encoded weight may be from the stored one.
const TOLERANCE: f32 = 1e-3;

/// A document encoded again, with its positions' tokens and words.
#[derive(Debug, Clone)]
pub struct DocumentSources {
    pub encoded: Encoded,
    pub input: InputText,
}

impl DocumentSources {
    /// Re-encodes document `doc`; `Ok(Err(reason))` when the sources cannot be known.
    pub fn of(
        index: &Index,
        encoder: &SparseEncoder,
        doc: u32,
    ) -> Result<std::result::Result<Self, String>> {
        if index.manifest().imported.is_some() {
            return Ok(Err(
                "the index's vectors were imported: where their weights came from is unknown"
                    .into(),
            ));
        }
        let text = index.doc(doc)?.indexed_text();
        let (encoded, input) =
            encoder.encode_with_input(&text, index.manifest().model.max_length)?;
        let vector = index.vector(doc)?;
        let agrees = vector.iter().all(|(id, w)| {
            let again = encoded.vector.get(id);
            (again - w).abs() <= TOLERANCE && (again > 0.0 || w < TOLERANCE)
        });
        if !agrees {
            return Ok(Err(format!(
                "encoding the document again with {} does not give its stored vector \
                 (another model built the index)",
                encoder.files().id
            )));
        }
        Ok(Ok(Self { encoded, input }))
    }

    /// The source of the document's term `id`.
    pub fn source(&self, id: u32) -> Option<Source> {
        self.input.source(&self.encoded, id)
    }

    /// Fills in each shared term's `doc_source`.
    pub fn attach(&self, x: &mut SpladeExplanation) {
        for t in &mut x.terms {
            t.doc_source = self.source(t.id);
        }
    }
}
