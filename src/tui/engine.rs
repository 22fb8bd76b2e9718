//! The explorer's engine: everything the TUI shows for a query, computed from library calls
//! only (encoder, index, search, eval), without any UI code. The worker thread owns one
//! [`Engine`]; tests and the keystroke benchmark call [`Engine::compute`] directly.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::time::{Duration, Instant};

use crate::corpus::Document;
use crate::encoder::{Encoded, SparseEncoder, TermKind};
use crate::eval::{Qrels, Queries};
use crate::index::stats::IndexStats;
use crate::index::Index;
use crate::search::contributions::{bm25_parts, splade_parts};
use crate::search::{
    bm25_scores, explain_bm25, explain_splade, rank_of, splade_scores, top_k, Bm25Explanation,
    QueryEdits, SpladeExplanation, System,
};
use crate::sparse::SparseVector;

/// Terms given their own colour in contribution bars (by rank of query weight).
pub const COLORED_TERMS: usize = 8;
/// Longest document text kept for the inspector, in bytes.
const MAX_TEXT: usize = 6000;

/// An index with the encoder of its queries.
pub struct Side {
    pub index: Index,
    pub encoder: SparseEncoder,
    /// Display name of the index (its directory name).
    pub name: String,
}

/// Queries and relevance judgments for the Evaluate view.
pub struct Judged {
    pub queries: Queries,
    pub qrels: Qrels,
    /// Where they came from, for the title.
    pub name: String,
}

/// What to show for one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// Replies carry it back; the UI drops replies older than its latest request.
    pub generation: u64,
    pub query: String,
    pub edits: QueryEdits,
    /// Hits per list.
    pub k: usize,
    /// Document to inspect.
    pub inspect: Option<Target>,
    /// Query id in the judged set (marks relevant documents).
    pub qid: Option<String>,
    /// Also run the second checkpoint.
    pub compare: bool,
}

/// A document to inspect: the hit at a position of a list (resolved after the search, so
/// it is never a hit of an older query), or any document id ("why not?").
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Hit(System, usize),
    Id(String),
}

/// A query term with its model weight and its weight after the edits.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub id: u32,
    pub token: String,
    /// The model's weight.
    pub weight: f32,
    /// Weight searched with (0 when switched off or pruned).
    pub edited: f32,
    pub kind: TermKind,
    /// Colour slot: rank by model weight, for the first [`COLORED_TERMS`].
    pub slot: Option<usize>,
    pub dropped: bool,
    pub reweighted: bool,
}

/// One term's part of a hit's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub label: String,
    pub slot: Option<usize>,
    pub value: f32,
}

/// One hit of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct HitView {
    pub doc: u32,
    pub id: String,
    pub title: String,
    pub snippet: String,
    pub score: f32,
    /// Per-term parts, largest first.
    pub parts: Vec<Part>,
    /// Rank in the other list's full ranking (BM25 for SPLADE and back; A for B).
    pub other_rank: Option<usize>,
    /// Rank for the unedited query (SPLADE with edits only).
    pub base_rank: Option<usize>,
    /// Relevance grade when the query is judged.
    pub grade: Option<i64>,
}

/// Which system matched a highlighted word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Both,
    Splade,
    Bm25,
}

/// A highlighted byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub range: Range<usize>,
    pub kind: MarkKind,
}

/// A term of the inspected document's own vector.
#[derive(Debug, Clone, PartialEq)]
pub struct DocTerm {
    pub token: String,
    pub weight: f32,
    pub kind: TermKind,
    pub in_query: bool,
}

/// Everything about one document for the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub doc: u32,
    pub id: String,
    pub title: String,
    pub text: String,
    pub title_marks: Vec<Mark>,
    pub text_marks: Vec<Mark>,
    pub splade: SpladeExplanation,
    pub bm25: Bm25Explanation,
    /// Colour slot of each SPLADE term id of the query.
    pub slots: HashMap<u32, usize>,
    /// The document's heaviest terms.
    pub doc_terms: Vec<DocTerm>,
    pub grade: Option<i64>,
}

/// A judged relevant document of the query and where both systems rank it.
#[derive(Debug, Clone, PartialEq)]
pub struct RelevantDoc {
    pub id: String,
    pub grade: i64,
    pub in_index: bool,
    pub splade_rank: Option<usize>,
    pub bm25_rank: Option<usize>,
}

/// A term of either checkpoint's query vector.
#[derive(Debug, Clone, PartialEq)]
pub struct TermDiff {
    pub token: String,
    pub a: f32,
    pub b: f32,
}

/// The second checkpoint's view of the query.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareView {
    pub model_a: String,
    pub model_b: String,
    /// Union of both vectors' terms, by max weight.
    pub terms: Vec<TermDiff>,
    /// B's hits; `other_rank` is the rank in A.
    pub hits_b: Vec<HitView>,
    /// For each of A's SPLADE hits, its rank in B.
    pub a_in_b: Vec<Option<usize>>,
    /// Documents in both top-k lists.
    pub overlap: usize,
    /// Kendall's τ-b over the union of both top-k lists, a document missing from one list
    /// placed at rank k+1 there (`None` with fewer than two documents).
    pub kendall_tau: Option<f64>,
    pub encode_b: Duration,
    pub search_b: Duration,
}

/// How long each step took.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    pub encode: Duration,
    /// SPLADE search with the edited query.
    pub splade: Duration,
    /// SPLADE search with the unedited query (when edits are on).
    pub splade_unedited: Option<Duration>,
    pub bm25: Duration,
    pub explain: Duration,
}

/// Everything the explorer shows for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryView {
    pub query: String,
    pub terms: Vec<QueryTerm>,
    pub truncated: bool,
    pub nnz: usize,
    pub l1: f32,
    /// Non-zeros of the query searched with (after edits).
    pub edited_nnz: usize,
    pub splade: Vec<HitView>,
    pub bm25: Vec<HitView>,
    pub splade_matching: usize,
    pub bm25_matching: usize,
    /// Analyzed BM25 query terms.
    pub bm25_terms: Vec<String>,
    pub overlap: usize,
    pub k: usize,
    pub timings: Timings,
    pub inspect: Option<Result<Inspection, String>>,
    pub relevant: Vec<RelevantDoc>,
    pub compare: Option<CompareView>,
}

/// One row of the Evaluate table.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRow {
    pub qid: String,
    pub text: String,
    /// nDCG@10 per system, in [`EvalTable::systems`] order.
    pub ndcg: Vec<f64>,
}

/// Per-query nDCG@10, means and significance for every system.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalTable {
    pub title: String,
    pub systems: Vec<String>,
    pub rows: Vec<EvalRow>,
    /// Mean of every measure per system.
    pub means: Vec<crate::eval::MetricValues>,
    /// SPLADE versus each other system on nDCG@10 (differences SPLADE − other).
    pub comparisons: Vec<crate::eval::Comparison>,
    pub k: usize,
}

/// The explorer's engine.
pub struct Engine {
    pub a: Side,
    pub b: Option<Side>,
    pub judged: Option<Judged>,
    cache: std::sync::Mutex<Option<(String, Encoded, Duration)>>,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

impl Engine {
    /// An engine over index A, optionally a second index B and a judged query set.
    pub fn new(a: Side, b: Option<Side>, judged: Option<Judged>) -> Self {
        Self {
            a,
            b,
            judged,
            cache: Default::default(),
        }
    }

    /// Statistics of index A for the Index view.
    pub fn stats(&self) -> IndexStats {
        IndexStats::compute(&self.a.index, 10, &|id| {
            self.a.encoder.token(id).to_string()
        })
    }

    /// Encodes the query with A's encoder, reusing the last encoding of the same text
    /// (moving the selection or editing terms does not re-run the model).
    fn encode(&self, text: &str) -> crate::encoder::Result<(Encoded, Duration)> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((t, e, d)) = cache.as_ref() {
            if t == text {
                return Ok((e.clone(), *d));
            }
        }
        let (e, d) = timed(|| self.a.encoder.encode(text));
        let e = e?;
        *cache = Some((text.to_string(), e.clone(), d));
        Ok((e, d))
    }

    /// Everything the explorer shows for a request; an error message on failure.
    pub fn compute(&self, req: &Request) -> Result<QueryView, String> {
        self.try_compute(req).map_err(|e| e.to_string())
    }

    fn try_compute(&self, req: &Request) -> step::Result<QueryView> {
        let k = req.k.max(1);
        let (encoded, encode) = self.encode(&req.query)?;
        let index = &self.a.index;
        let encoder = &self.a.encoder;
        let terms = query_terms(encoder, &encoded, &req.edits);
        let slots: HashMap<u32, usize> = terms
            .iter()
            .filter_map(|t| t.slot.map(|s| (t.id, s)))
            .collect();
        let edited = req.edits.apply(&encoded.vector);
        let (splade, splade_time) = timed(|| splade_scores(index, &edited));
        let splade = splade?;
        let (unedited, splade_unedited) = if req.edits.is_empty() {
            (None, None)
        } else {
            let (s, d) = timed(|| splade_scores(index, &encoded.vector));
            (Some(s?), Some(d))
        };
        let (bm25, bm25_time) = timed(|| bm25_scores(index, &req.query));
        let bm25 = bm25?;
        let bm25_terms: Vec<String> = index
            .analyzer()
            .query_terms(&req.query)
            .into_iter()
            .map(|t| t.term)
            .collect();
        let stem_slots = stem_slots(index, &terms);
        let judgments = req
            .qid
            .as_deref()
            .and_then(|q| self.judged.as_ref().and_then(|j| j.qrels.get(q)));
        let grade = |id: &str| judgments.and_then(|j| j.get(id).copied());

        let splade_hits = top_k(&splade, k);
        let docs: Vec<u32> = splade_hits.iter().map(|h| h.doc).collect();
        let parts = splade_parts(index, &edited, &docs)?;
        let mut splade_list = Vec::with_capacity(docs.len());
        for (h, p) in splade_hits.iter().zip(parts) {
            let mut parts: Vec<Part> = p
                .into_iter()
                .map(|(t, v)| Part {
                    label: encoder.token(t).to_string(),
                    slot: slots.get(&t).copied(),
                    value: v,
                })
                .collect();
            sort_parts(&mut parts);
            let mut hit = hit_view(index, h.doc, h.score, parts)?;
            hit.other_rank = rank_of(&bm25, h.doc);
            hit.base_rank = unedited.as_ref().and_then(|u| rank_of(u, h.doc));
            hit.grade = grade(&hit.id);
            splade_list.push(hit);
        }
        let bm25_hits = top_k(&bm25, k);
        let docs: Vec<u32> = bm25_hits.iter().map(|h| h.doc).collect();
        let parts = bm25_parts(index, &req.query, &docs)?;
        let mut bm25_list = Vec::with_capacity(docs.len());
        for (h, p) in bm25_hits.iter().zip(parts) {
            let mut parts: Vec<Part> = p
                .into_iter()
                .map(|(term, v)| Part {
                    slot: stem_slots.get(&term).copied(),
                    label: term,
                    value: v,
                })
                .collect();
            sort_parts(&mut parts);
            let mut hit = hit_view(index, h.doc, h.score, parts)?;
            hit.other_rank = rank_of(&splade, h.doc);
            hit.grade = grade(&hit.id);
            bm25_list.push(hit);
        }
        let in_splade: HashSet<u32> = splade_list.iter().map(|h| h.doc).collect();
        let overlap = bm25_list
            .iter()
            .filter(|h| in_splade.contains(&h.doc))
            .count();

        let target = match &req.inspect {
            Some(Target::Hit(system, i)) => {
                let list = if *system == System::Bm25 {
                    &bm25_list
                } else {
                    &splade_list
                };
                list.get(*i).map(|h| Target::Hit(*system, h.doc as usize))
            }
            other => other.clone(),
        };
        let (inspect, explain) = match &target {
            None => (None, Duration::ZERO),
            Some(target) => {
                let (r, d) = timed(|| {
                    self.inspect(
                        target, &encoded, &edited, &splade, &bm25, &req.query, k, &slots,
                    )
                    .map(|mut i| {
                        i.grade = grade(&i.id);
                        i
                    })
                });
                (Some(r), d)
            }
        };
        let relevant = match (judgments, &self.judged) {
            (Some(j), Some(_)) => relevant_docs(index, j, &splade, &bm25),
            _ => Vec::new(),
        };
        let compare = if req.compare {
            self.compare_view(&req.query, &encoded, &splade, &splade_list, k)?
        } else {
            None
        };
        Ok(QueryView {
            query: req.query.clone(),
            nnz: encoded.vector.nnz(),
            l1: encoded.vector.l1(),
            edited_nnz: edited.nnz(),
            truncated: encoded.truncated(),
            terms,
            splade_matching: crate::search::matching(&splade),
            bm25_matching: crate::search::matching(&bm25),
            splade: splade_list,
            bm25: bm25_list,
            bm25_terms,
            overlap,
            k,
            timings: Timings {
                encode,
                splade: splade_time,
                splade_unedited,
                bm25: bm25_time,
                explain,
            },
            inspect,
            relevant,
            compare,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn inspect(
        &self,
        target: &Target,
        encoded: &Encoded,
        edited: &SparseVector,
        splade: &[f32],
        bm25: &[f32],
        text: &str,
        k: usize,
        slots: &HashMap<u32, usize>,
    ) -> Result<Inspection, String> {
        let index = &self.a.index;
        let encoder = &self.a.encoder;
        let doc = match target {
            // Resolved by `try_compute`: the number is a document number.
            Target::Hit(_, d) => *d as u32,
            Target::Id(id) => {
                let id = id.trim();
                if id.is_empty() {
                    return Err("type a document id".into());
                }
                index
                    .find(id)
                    .map_err(|_| format!("no document with id {id:?} in {}", self.a.name))?
            }
        };
        let searched = Encoded {
            vector: edited.clone(),
            token_ids: encoded.token_ids.clone(),
            untruncated_tokens: encoded.untruncated_tokens,
        };
        let splade_x =
            explain_splade(index, encoder, &searched, splade, doc, k).map_err(|e| e.to_string())?;
        let bm25_x = explain_bm25(index, text, bm25, doc, k).map_err(|e| e.to_string())?;
        let stored = index.doc(doc).map_err(|e| e.to_string())?;
        let title = stored.title.to_string();
        let body = truncate(stored.text, MAX_TEXT).to_string();
        let shared: HashSet<u32> = splade_x.terms.iter().map(|t| t.id).collect();
        let stems: HashSet<&str> = bm25_x.terms.iter().map(|t| t.term.as_str()).collect();
        let marks = |s: &str| -> Result<Vec<Mark>, String> {
            let pieces = encoder.token_spans(s).map_err(|e| e.to_string())?;
            let words = index.analyzer().analyze(s);
            Ok(merge_marks(
                pieces
                    .into_iter()
                    .filter(|(id, _)| shared.contains(id))
                    .map(|(_, r)| r)
                    .collect(),
                words
                    .into_iter()
                    .filter(|t| stems.contains(t.term.as_str()))
                    .map(|t| t.start..t.end)
                    .collect(),
            ))
        };
        let title_marks = marks(&title)?;
        let text_marks = marks(&body)?;
        let vector = index.vector(doc).map_err(|e| e.to_string())?;
        let full = Document {
            id: String::new(),
            title: title.clone(),
            text: stored.text.into(),
        }
        .indexed_text();
        let own: HashSet<u32> = encoder
            .token_ids(&full, index.manifest().model.max_length)
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect();
        let doc_terms = vector
            .by_weight()
            .into_iter()
            .take(24)
            .map(|(id, weight)| DocTerm {
                token: encoder.token(id).to_string(),
                weight,
                kind: if own.contains(&id) {
                    TermKind::Input
                } else {
                    TermKind::Expansion
                },
                in_query: edited.get(id) > 0.0,
            })
            .collect();
        Ok(Inspection {
            doc,
            id: stored.id.to_string(),
            title,
            text: body,
            title_marks,
            text_marks,
            splade: splade_x,
            bm25: bm25_x,
            slots: slots.clone(),
            doc_terms,
            grade: None,
        })
    }

    fn compare_view(
        &self,
        query: &str,
        a_encoded: &Encoded,
        a_scores: &[f32],
        a_hits: &[HitView],
        k: usize,
    ) -> step::Result<Option<CompareView>> {
        let Some(b) = &self.b else {
            return Ok(None);
        };
        let (encoded, encode_b) = timed(|| b.encoder.encode(query));
        let encoded = encoded?;
        let (scores, search_b) = timed(|| splade_scores(&b.index, &encoded.vector));
        let scores = scores?;
        let mut tokens: HashMap<String, (f32, f32)> = HashMap::new();
        for (id, w) in a_encoded.vector.iter() {
            tokens
                .entry(self.a.encoder.token(id).to_string())
                .or_default()
                .0 = w;
        }
        for (id, w) in encoded.vector.iter() {
            tokens.entry(b.encoder.token(id).to_string()).or_default().1 = w;
        }
        let mut terms: Vec<TermDiff> = tokens
            .into_iter()
            .map(|(token, (a, b))| TermDiff { token, a, b })
            .collect();
        terms.sort_by(|x, y| {
            y.a.max(y.b)
                .total_cmp(&x.a.max(x.b))
                .then_with(|| x.token.cmp(&y.token))
        });
        let a_index = &self.a.index;
        let mut hits_b = Vec::new();
        // B's parts take the colour of the same token in A's query.
        let a_slots: HashMap<&str, usize> =
            query_terms(&self.a.encoder, a_encoded, &QueryEdits::default())
                .into_iter()
                .filter_map(|t| t.slot.map(|s| (self.a.encoder.token(t.id), s)))
                .collect();
        let b_top = top_k(&scores, k);
        let b_docs: Vec<u32> = b_top.iter().map(|h| h.doc).collect();
        let b_parts = splade_parts(&b.index, &encoded.vector, &b_docs)?;
        for (h, p) in b_top.iter().zip(b_parts) {
            let mut parts: Vec<Part> = p
                .into_iter()
                .map(|(t, v)| {
                    let label = b.encoder.token(t).to_string();
                    Part {
                        slot: a_slots.get(label.as_str()).copied(),
                        label,
                        value: v,
                    }
                })
                .collect();
            sort_parts(&mut parts);
            let mut hit = hit_view(&b.index, h.doc, h.score, parts)?;
            hit.other_rank = a_index
                .find(&hit.id)
                .ok()
                .and_then(|d| rank_of(a_scores, d));
            hits_b.push(hit);
        }
        let a_in_b: Vec<Option<usize>> = a_hits
            .iter()
            .map(|h| b.index.find(&h.id).ok().and_then(|d| rank_of(&scores, d)))
            .collect();
        let b_ids: HashSet<&str> = hits_b.iter().map(|h| h.id.as_str()).collect();
        let overlap = a_hits
            .iter()
            .filter(|h| b_ids.contains(h.id.as_str()))
            .count();
        let a_ids: Vec<&str> = a_hits.iter().map(|h| h.id.as_str()).collect();
        let b_list: Vec<&str> = hits_b.iter().map(|h| h.id.as_str()).collect();
        let kendall_tau = kendall_tau_topk(&a_ids, &b_list);
        Ok(Some(CompareView {
            model_a: self.a.index.manifest().model.id.clone(),
            model_b: b.index.manifest().model.id.clone(),
            terms,
            hits_b,
            a_in_b,
            overlap,
            kendall_tau,
            encode_b,
            search_b,
        }))
    }

    /// Runs every judged query through SPLADE, BM25 and B (top 1000, as `spladescope eval`)
    /// and evaluates them; `progress(done, total)` after each query.
    pub fn evaluate(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Option<EvalTable>, String> {
        use crate::eval::{compare, evaluate, EvalOptions, Metric, RandomizationOptions};
        use crate::search::runs::{bm25_run, splade_run};
        let Some(j) = &self.judged else {
            return Ok(None);
        };
        const K: usize = 1000;
        let list: Vec<(&str, &str)> = j
            .queries
            .iter()
            .filter(|q| j.qrels.contains_query(&q.id))
            .map(|q| (q.id.as_str(), q.text.as_str()))
            .collect();
        let systems = 2 + usize::from(self.b.is_some());
        let total = list.len() * systems;
        let err = |e: crate::index::IndexError| e.to_string();
        let mut runs = Vec::new();
        let mut names = vec!["SPLADE".to_string(), "BM25".to_string()];
        runs.push(
            splade_run(&self.a.index, &self.a.encoder, &list, K, &mut |d| {
                progress(d, total)
            })
            .map_err(err)?,
        );
        let n = list.len();
        runs.push(bm25_run(&self.a.index, &list, K, &mut |d| progress(n + d, total)).map_err(err)?);
        if let Some(b) = &self.b {
            names.push("SPLADE-B".into());
            runs.push(
                splade_run(&b.index, &b.encoder, &list, K, &mut |d| {
                    progress(2 * n + d, total)
                })
                .map_err(err)?,
            );
        }
        let opts = EvalOptions::default();
        let evals = runs
            .iter()
            .map(|r| evaluate(r, &j.qrels, &opts))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let text = |id: &str| {
            j.queries
                .get(id)
                .map(|q| q.text.clone())
                .unwrap_or_default()
        };
        let rows = evals[0]
            .per_query
            .keys()
            .map(|qid| EvalRow {
                qid: qid.clone(),
                text: text(qid),
                ndcg: evals
                    .iter()
                    .map(|e| {
                        e.per_query
                            .get(qid)
                            .map_or(0.0, |q| q.values.get(Metric::Ndcg10))
                    })
                    .collect(),
            })
            .collect();
        let comparisons = evals[1..]
            .iter()
            .map(|other| {
                compare(
                    &evals[0],
                    other,
                    Metric::Ndcg10,
                    &RandomizationOptions::default(),
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Ok(Some(EvalTable {
            title: format!("{} · {} judged queries · top {K}", j.name, j.qrels.len()),
            systems: names,
            rows,
            means: evals.iter().map(|e| e.mean).collect(),
            comparisons,
            k: K,
        }))
    }
}

/// Errors of the engine's steps (encoder and index), shown as text.
mod step {
    /// An encoder or index error.
    #[derive(Debug, thiserror::Error)]
    pub enum Error {
        #[error(transparent)]
        Encoder(#[from] crate::encoder::EncoderError),
        #[error(transparent)]
        Index(#[from] crate::index::IndexError),
    }
    pub type Result<T> = std::result::Result<T, Error>;
}

/// The query's terms by model weight, with their edited weights and colour slots.
fn query_terms(encoder: &SparseEncoder, encoded: &Encoded, edits: &QueryEdits) -> Vec<QueryTerm> {
    let edited = edits.apply(&encoded.vector);
    encoder
        .terms(encoded)
        .into_iter()
        .enumerate()
        .map(|(rank, t)| QueryTerm {
            edited: edited.get(t.id),
            dropped: edits.dropped.contains(&t.id),
            reweighted: edits.weights.contains_key(&t.id),
            slot: (rank < COLORED_TERMS).then_some(rank),
            id: t.id,
            token: t.token,
            weight: t.weight,
            kind: t.kind,
        })
        .collect()
}

/// BM25 stems that match a coloured SPLADE input term get that term's colour.
fn stem_slots(index: &Index, terms: &[QueryTerm]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for t in terms {
        if let (Some(slot), TermKind::Input) = (t.slot, t.kind) {
            if let Some(stem) = index.analyzer().filter_token(&t.token) {
                out.entry(stem).or_insert(slot);
            }
        }
    }
    out
}

fn sort_parts(parts: &mut [Part]) {
    parts.sort_by(|a, b| {
        b.value
            .total_cmp(&a.value)
            .then_with(|| a.label.cmp(&b.label))
    });
}

fn hit_view(
    index: &Index,
    doc: u32,
    score: f32,
    parts: Vec<Part>,
) -> crate::index::Result<HitView> {
    let stored = index.doc(doc)?;
    Ok(HitView {
        doc,
        id: stored.id.to_string(),
        title: stored.title.to_string(),
        snippet: truncate(stored.text, 300).to_string(),
        score,
        parts,
        other_rank: None,
        base_rank: None,
        grade: None,
    })
}

/// The longest prefix of `s` of at most `max` bytes ending on a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Merges SPLADE and BM25 highlight ranges into sorted, non-overlapping marks.
fn merge_marks(splade: Vec<Range<usize>>, bm25: Vec<Range<usize>>) -> Vec<Mark> {
    let mut bounds: Vec<usize> = splade
        .iter()
        .chain(&bm25)
        .flat_map(|r| [r.start, r.end])
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    let covers =
        |rs: &[Range<usize>], a: usize, b: usize| rs.iter().any(|r| r.start <= a && b <= r.end);
    let mut out: Vec<Mark> = Vec::new();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        let kind = match (covers(&splade, a, b), covers(&bm25, a, b)) {
            (true, true) => MarkKind::Both,
            (true, false) => MarkKind::Splade,
            (false, true) => MarkKind::Bm25,
            (false, false) => continue,
        };
        match out.last_mut() {
            Some(m) if m.range.end == a && m.kind == kind => m.range.end = b,
            _ => out.push(Mark { range: a..b, kind }),
        }
    }
    out
}

fn relevant_docs(
    index: &Index,
    judgments: &std::collections::BTreeMap<String, i64>,
    splade: &[f32],
    bm25: &[f32],
) -> Vec<RelevantDoc> {
    let mut out: Vec<RelevantDoc> = judgments
        .iter()
        .filter(|(_, &g)| g > 0)
        .map(|(id, &grade)| match index.find(id) {
            Ok(d) => RelevantDoc {
                id: id.clone(),
                grade,
                in_index: true,
                splade_rank: rank_of(splade, d),
                bm25_rank: rank_of(bm25, d),
            },
            Err(_) => RelevantDoc {
                id: id.clone(),
                grade,
                in_index: false,
                splade_rank: None,
                bm25_rank: None,
            },
        })
        .collect();
    out.sort_by(|a, b| {
        b.grade
            .cmp(&a.grade)
            .then(
                a.splade_rank
                    .unwrap_or(usize::MAX)
                    .cmp(&b.splade_rank.unwrap_or(usize::MAX)),
            )
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// Kendall's τ-b between two top-k lists over their union; a document missing from a list
/// ranks k+1 there (ties among the missing).
pub fn kendall_tau_topk(a: &[&str], b: &[&str]) -> Option<f64> {
    let mut union: Vec<&str> = a.to_vec();
    for id in b {
        if !union.contains(id) {
            union.push(id);
        }
    }
    if union.len() < 2 {
        return None;
    }
    let rank = |list: &[&str], id: &str| {
        list.iter()
            .position(|x| *x == id)
            .map_or(list.len() + 1, |p| p + 1) as i64
    };
    let ra: Vec<i64> = union.iter().map(|id| rank(a, id)).collect();
    let rb: Vec<i64> = union.iter().map(|id| rank(b, id)).collect();
    let (mut concordant, mut discordant, mut ties_a, mut ties_b) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..union.len() {
        for j in i + 1..union.len() {
            let da = (ra[i] - ra[j]).signum();
            let db = (rb[i] - rb[j]).signum();
            match (da, db) {
                (0, 0) => {}
                (0, _) => ties_a += 1,
                (_, 0) => ties_b += 1,
                _ if da == db => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let n1 = (concordant + discordant + ties_a) as f64;
    let n2 = (concordant + discordant + ties_b) as f64;
    (n1 > 0.0 && n2 > 0.0).then(|| (concordant - discordant) as f64 / (n1 * n2).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kendall_tau_of_equal_reversed_and_disjoint_lists() {
        assert_eq!(
            kendall_tau_topk(&["a", "b", "c"], &["a", "b", "c"]),
            Some(1.0)
        );
        assert_eq!(
            kendall_tau_topk(&["a", "b", "c"], &["c", "b", "a"]),
            Some(-1.0)
        );
        let t = kendall_tau_topk(&["a", "b"], &["c", "d"]).unwrap();
        assert!(t < 0.0, "{t}");
        assert_eq!(kendall_tau_topk(&["a"], &["a"]), None);
    }

    #[test]
    fn marks_merge_and_split_by_system() {
        let m = merge_marks(vec![0..5, 10..12], vec![3..8, 10..12]);
        let got: Vec<(Range<usize>, MarkKind)> = m.into_iter().map(|m| (m.range, m.kind)).collect();
        assert_eq!(
            got,
            vec![
                (0..3, MarkKind::Splade),
                (3..5, MarkKind::Both),
                (5..8, MarkKind::Bm25),
                (10..12, MarkKind::Both)
            ]
        );
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
