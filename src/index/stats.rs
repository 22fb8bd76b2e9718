//! What an index holds and what it costs on disk: the numbers of `spladescope stats` and
//! of the TUI's Index view.

use serde::Serialize;

use super::Index;

/// Distribution of non-zero terms per document (percentiles by nearest rank on the sorted
/// counts: index `round((n − 1) · p)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub mean: f64,
    pub min: usize,
    pub p10: usize,
    pub p50: usize,
    pub p90: usize,
    pub p99: usize,
    pub max: usize,
}

/// One bucket of the non-zeros histogram: documents with `start..=end` non-zeros.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub start: usize,
    pub end: usize,
    pub documents: usize,
}

/// A posting list's term and length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Posting {
    pub term: String,
    pub documents: usize,
}

/// One index file's size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSize {
    pub file: &'static str,
    pub bytes: u64,
}

/// Statistics of an index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexStats {
    pub documents: usize,
    pub model: String,
    /// How queries are encoded by default (`index --query-encoder`).
    pub query_encoder: crate::encoder::QueryEncoding,
    pub max_length: usize,
    pub truncated_documents: u64,
    /// How documents were pruned before indexing, and the postings it removed.
    pub doc_pruning: Option<crate::sparse::Pruning>,
    pub pruned_postings: u64,
    pub splade_postings: u64,
    pub splade_terms: usize,
    pub nonzeros_per_document: Distribution,
    /// Ten equal-width buckets from the smallest to the largest count.
    pub nonzeros_histogram: Vec<Bucket>,
    pub splade_longest: Vec<Posting>,
    /// `splade.inv` (documents and 8-bit impact bounds) per posting.
    pub splade_bytes_per_posting: f64,
    /// `splade.imp` (exact `f32` weights) per posting.
    pub splade_weight_bytes_per_posting: f64,
    /// `splade.rmx` (per-term maxima of 16-document ranges) per posting.
    pub splade_range_bytes_per_posting: f64,
    /// `splade.fwd` (document vectors) per posting.
    pub forward_bytes_per_posting: f64,
    pub bm25_postings: u64,
    pub bm25_terms: usize,
    pub bm25_avg_document_length: f64,
    pub bm25_longest: Vec<Posting>,
    pub bm25_bytes_per_posting: f64,
    pub files: Vec<FileSize>,
    pub total_bytes: u64,
}

impl IndexStats {
    /// Computes the statistics, listing the `top` longest posting lists; `token` names a
    /// SPLADE term id (the index stores ids, the vocabulary lives with the model).
    pub fn compute(index: &Index, top: usize, token: &dyn Fn(u32) -> String) -> Self {
        let m = index.manifest();
        let mut nnz: Vec<usize> = (0..index.len())
            .map(|d| index.forward().doc_len(d))
            .collect();
        nnz.sort_unstable();
        let pct = |p: f64| nnz[((nnz.len() - 1) as f64 * p).round() as usize];
        let dist = if nnz.is_empty() {
            Distribution {
                mean: 0.0,
                min: 0,
                p10: 0,
                p50: 0,
                p90: 0,
                p99: 0,
                max: 0,
            }
        } else {
            Distribution {
                mean: nnz.iter().sum::<usize>() as f64 / nnz.len() as f64,
                min: nnz[0],
                p10: pct(0.1),
                p50: pct(0.5),
                p90: pct(0.9),
                p99: pct(0.99),
                max: nnz[nnz.len() - 1],
            }
        };
        let sizes = index.file_sizes();
        let size_of = |f: &str| sizes.iter().find(|(n, _)| *n == f).map_or(0, |s| s.1);
        let splade = index.splade();
        let splade_terms = (0..splade.terms())
            .filter(|&t| splade.term(t).df > 0)
            .count();
        Self {
            documents: index.len(),
            model: m.model.id.clone(),
            query_encoder: m.model.query_encoder,
            max_length: m.model.max_length,
            truncated_documents: m.truncated_documents,
            doc_pruning: m.splade.doc_pruning,
            pruned_postings: m.splade.pruned_postings,
            splade_postings: splade.postings(),
            splade_terms,
            nonzeros_per_document: dist,
            nonzeros_histogram: histogram(&nnz),
            splade_longest: longest(splade.terms(), &|t| splade.term(t).df, top, &|r| {
                token(r as u32)
            }),
            splade_bytes_per_posting: size_of("splade.inv") as f64
                / splade.postings().max(1) as f64,
            splade_weight_bytes_per_posting: size_of("splade.imp") as f64
                / splade.postings().max(1) as f64,
            splade_range_bytes_per_posting: size_of("splade.rmx") as f64
                / splade.postings().max(1) as f64,
            forward_bytes_per_posting: size_of("splade.fwd") as f64
                / splade.postings().max(1) as f64,
            bm25_postings: index.bm25_postings().postings(),
            bm25_terms: index.bm25_terms().len(),
            bm25_avg_document_length: index.bm25_scorer().avgdl() as f64,
            bm25_longest: longest(
                index.bm25_postings().terms(),
                &|r| index.bm25_postings().df(r),
                top,
                &|r| index.bm25_terms().term(r).to_string(),
            ),
            bm25_bytes_per_posting: size_of("bm25.post") as f64
                / index.bm25_postings().postings().max(1) as f64,
            total_bytes: sizes.iter().map(|s| s.1).sum(),
            files: sizes
                .iter()
                .map(|&(file, bytes)| FileSize { file, bytes })
                .collect(),
        }
    }
}

/// The `top` longest of `rows` posting lists, longest first (ties by row number).
fn longest(
    rows: usize,
    len: &dyn Fn(usize) -> usize,
    top: usize,
    name: &dyn Fn(usize) -> String,
) -> Vec<Posting> {
    let mut lens: Vec<(usize, usize)> = (0..rows).map(|r| (len(r), r)).collect();
    lens.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    lens.into_iter()
        .take(top)
        .map(|(documents, r)| Posting {
            term: name(r),
            documents,
        })
        .collect()
}

/// Ten equal-width buckets of sorted counts (fewer when the range is narrow).
fn histogram(sorted: &[usize]) -> Vec<Bucket> {
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let width = ((hi - lo) / 10 + 1).max(1);
    let mut counts = [0usize; 10];
    for &n in sorted {
        counts[((n - lo) / width).min(9)] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(i, &documents)| Bucket {
            start: lo + i * width,
            end: lo + i * width + width - 1,
            documents,
        })
        .take_while(|b| b.start <= hi)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_covers_every_count_once() {
        let counts: Vec<usize> = (0..=99).collect();
        let h = histogram(&counts);
        assert_eq!(h.len(), 10);
        assert_eq!(h.iter().map(|b| b.documents).sum::<usize>(), 100);
        assert_eq!((h[0].start, h[0].end, h[9].end), (0, 9, 99));
        assert_eq!(
            histogram(&[5, 5, 5]),
            vec![Bucket {
                start: 5,
                end: 5,
                documents: 3
            }]
        );
        assert!(histogram(&[]).is_empty());
    }
}
