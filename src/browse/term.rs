//! One vocabulary term across the index, as Luke shows a Lucene term: how many documents
//! carry it, the distribution of its weights, its heaviest documents (with the word of each
//! that produced it), how often it is a document's own token rather than an expansion, and
//! which of a set of queries use it.
//!
//! A term is an *input* term of a document when its id is among the token ids the model read
//! (the text cut at the index's `max_length`), else an *expansion*: the document's text is
//! tokenised again for every document of the term's posting list, in parallel.

use serde::Serialize;

use crate::encoder::{Encoded, Source, SparseEncoder, TermKind};
use crate::index::{Index, IndexError, Result};
use crate::search::{DocumentSources, TermPostings};

/// Bins of the weight histogram.
pub const BINS: usize = 10;

/// Summary statistics of a term's document weights.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WeightSummary {
    pub min: f32,
    pub mean: f32,
    pub median: f32,
    pub p90: f32,
    pub max: f32,
}

/// One bin of the weight histogram: documents with `from < weight ≤ to` (the first bin
/// starts at 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub from: f32,
    pub to: f32,
    pub documents: usize,
}

/// One of the term's heaviest documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermDocument {
    pub id: String,
    pub title: String,
    pub weight: f32,
    pub kind: TermKind,
    /// The document word that produced the weight (`None` when the sources are unavailable).
    pub source: Option<Source>,
}

/// A query that uses the term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermQuery {
    pub id: String,
    pub text: String,
    pub weight: f32,
    pub kind: TermKind,
    pub source: Option<Source>,
}

/// Everything about one term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermReport {
    pub id: u32,
    pub token: String,
    /// Documents with the term (its document frequency).
    pub documents: usize,
    /// Documents in the index.
    pub corpus: usize,
    pub weights: WeightSummary,
    pub histogram: Vec<Bin>,
    /// Documents where the term is one of the document's own tokens.
    pub input_documents: usize,
    /// Documents where the model added it.
    pub expansion_documents: usize,
    /// The heaviest documents, heaviest first (ties by document number).
    pub top: Vec<TermDocument>,
    /// Why the top documents have no sources, when they have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources_unavailable: Option<String>,
    /// The queries (of those given) whose vectors have the term, heaviest first.
    pub queries: Vec<TermQuery>,
    /// How many queries were looked at.
    pub queries_given: usize,
}

/// The vocabulary id of `token`: the token itself, or lowercased (BERT's uncased
/// vocabularies); otherwise an error that names the pieces the tokenizer cuts it into.
pub fn find_token(encoder: &SparseEncoder, token: &str) -> Result<u32> {
    if let Some(id) = encoder
        .token_id(token)
        .or_else(|| encoder.token_id(&token.to_lowercase()))
    {
        return Ok(id);
    }
    let pieces: Vec<String> = encoder
        .token_spans(token)
        .map(|p| {
            p.into_iter()
                .map(|(id, _)| encoder.token(id).to_string())
                .collect()
        })
        .unwrap_or_default();
    let hint = if pieces.is_empty() {
        String::new()
    } else {
        format!("; the tokenizer cuts it into {}", pieces.join(" "))
    };
    Err(IndexError::UnknownTerm {
        token: token.to_string(),
        hint,
    })
}

/// Queries as [`TermReport::compute`] takes them: id, text and encoding.
pub type EncodedQueries = Vec<(String, String, Encoded)>;

/// Encodes `(id, text)` queries in batches, with the encoder's query encoding.
pub fn encode_queries(
    encoder: &SparseEncoder,
    queries: Vec<(String, String)>,
) -> Result<EncodedQueries> {
    let texts: Vec<&str> = queries.iter().map(|(_, t)| t.as_str()).collect();
    let encoded = encoder.encode_queries(&texts)?;
    Ok(queries
        .into_iter()
        .zip(encoded)
        .map(|((q, t), e)| (q, t, e))
        .collect())
}

impl TermReport {
    /// The report of term `id`: its `top` heaviest documents with their sources, and the
    /// `queries` (`(id, text, encoding)`) that use it.
    pub fn compute(
        index: &Index,
        encoder: &SparseEncoder,
        id: u32,
        top: usize,
        queries: &[(String, String, Encoded)],
    ) -> Result<Self> {
        let TermPostings {
            docs,
            weights,
            input: own,
        } = TermPostings::read(index, encoder, id)?;
        let input_documents = own.iter().filter(|&&o| o).count();

        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by(|&a, &b| {
            weights[b]
                .total_cmp(&weights[a])
                .then(docs[a].cmp(&docs[b]))
        });
        let mut sources_unavailable = None;
        let mut top_docs = Vec::new();
        for &i in order.iter().take(top) {
            let stored = index.doc(docs[i])?;
            let source = match DocumentSources::of(index, encoder, docs[i])? {
                Ok(s) => s.source(id),
                Err(why) => {
                    sources_unavailable.get_or_insert(why);
                    None
                }
            };
            top_docs.push(TermDocument {
                id: stored.id.to_string(),
                title: stored.title.to_string(),
                weight: weights[i],
                kind: TermKind::of(own[i]),
                source,
            });
        }

        let mut using: Vec<TermQuery> = Vec::new();
        for (qid, text, encoded) in queries {
            let weight = encoded.vector.get(id);
            if weight > 0.0 {
                let input = encoder.input_text(text, encoded)?;
                using.push(TermQuery {
                    id: qid.clone(),
                    text: text.clone(),
                    weight,
                    kind: TermKind::of(encoded.token_ids.contains(&id)),
                    source: input.source(encoded, id),
                });
            }
        }
        using.sort_by(|a, b| b.weight.total_cmp(&a.weight));

        Ok(Self {
            id,
            token: encoder.token(id).to_string(),
            documents: docs.len(),
            corpus: index.len(),
            weights: summary(&weights),
            histogram: histogram(&weights),
            input_documents,
            expansion_documents: docs.len() - input_documents,
            top: top_docs,
            sources_unavailable,
            queries: using,
            queries_given: queries.len(),
        })
    }
}

/// Min, mean (in `f64`), median, 90th percentile (nearest rank) and max.
fn summary(weights: &[f32]) -> WeightSummary {
    if weights.is_empty() {
        return WeightSummary::default();
    }
    let mut sorted = weights.to_vec();
    sorted.sort_by(f32::total_cmp);
    let rank =
        |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    WeightSummary {
        min: sorted[0],
        mean: (weights.iter().map(|&w| w as f64).sum::<f64>() / weights.len() as f64) as f32,
        median: rank(0.5),
        p90: rank(0.9),
        max: sorted[sorted.len() - 1],
    }
}

/// [`BINS`] equal-width bins from 0 to the largest weight.
fn histogram(weights: &[f32]) -> Vec<Bin> {
    let max = weights.iter().copied().fold(0.0f32, f32::max);
    if max <= 0.0 {
        return Vec::new();
    }
    let width = max / BINS as f32;
    let mut counts = [0usize; BINS];
    for &w in weights {
        let b = ((w / width).ceil() as usize).clamp(1, BINS) - 1;
        counts[b] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(b, &documents)| Bin {
            from: b as f32 * width,
            to: if b + 1 == BINS {
                max
            } else {
                (b + 1) as f32 * width
            },
            documents,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_uses_nearest_ranks() {
        let s = summary(&[4.0, 1.0, 3.0, 2.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!((s.min, s.median, s.p90, s.max), (1.0, 5.0, 9.0, 10.0));
        assert_eq!(s.mean, 5.5);
        assert_eq!(summary(&[]), WeightSummary::default());
    }

    #[test]
    fn histogram_bins_cover_every_weight_once() {
        let weights = [0.1, 1.0, 1.0001, 9.99, 10.0, 5.0];
        let h = histogram(&weights);
        assert_eq!(h.len(), BINS);
        assert_eq!(h.iter().map(|b| b.documents).sum::<usize>(), weights.len());
        // (0, 1]: 0.1 and 1.0; (1, 2]: 1.0001; (9, 10]: 9.99 and 10.0; (4, 5]: 5.0.
        assert_eq!(h[0].documents, 2);
        assert_eq!(h[1].documents, 1);
        assert_eq!(h[4].documents, 1);
        assert_eq!(h[9].documents, 2);
        assert_eq!(h[9].to, 10.0);
        assert!(histogram(&[]).is_empty());
    }
}
