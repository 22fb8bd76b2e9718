//! The explorer's engine: everything the TUI shows for a query, as plain data, computed
//! through the one query pipeline ([`crate::system::Pipeline`]: the query prepared once,
//! each system ranked once) without any UI code. The TUI's worker thread owns one
//! [`Engine`]; tests and the keystroke benchmark call [`Engine::compute`] directly.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::corpus::Document;
use crate::encoder::{Encoded, SparseEncoder, TermKind};
use crate::eval::{Qrels, Queries};
use crate::index::stats::IndexStats;
use crate::index::Index;
use crate::search::contributions::{bm25_parts, splade_parts};
use crate::search::{explain_bm25, explain_splade, rank_of, QueryEdits, System};
use crate::sparse::SparseVector;
use crate::system::{Leaf, Pipeline, Prepared, SecondIndex, SystemSpec};

mod compare;
mod data;
mod evaluate;
mod marks;

pub use compare::kendall_tau_topk;
pub use data::*;
use marks::merge_marks;

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
    /// What reading them noticed (repeated lines, judged documents not in the index).
    pub notes: Vec<String>,
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

/// The explorer's engine.
pub struct Engine {
    /// SPLADE and BM25 of index A, and SPLADE of index B when comparing checkpoints.
    pub pipeline: Pipeline,
    /// Display names of index A and B (their directory names).
    pub a_name: String,
    pub b_name: Option<String>,
    pub judged: Option<Judged>,
    /// The last query prepared: moving the selection or editing terms does not re-run the
    /// models.
    cache: std::sync::Mutex<Option<Prepared>>,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

impl Engine {
    /// An engine over index A, optionally a second index B and a judged query set.
    pub fn new(a: Side, b: Option<Side>, judged: Option<Judged>) -> crate::system::Result<Self> {
        let mut pipeline = Pipeline::new(a.index, a.encoder);
        pipeline.always_encode = true;
        let mut systems = vec![SystemSpec::Leaf(Leaf::Splade), SystemSpec::Leaf(Leaf::Bm25)];
        let b_name = match b {
            Some(b) => {
                pipeline.b = Some(SecondIndex::new(&pipeline.index, b.index, b.encoder)?);
                systems.push(SystemSpec::Leaf(Leaf::SpladeB));
                Some(b.name)
            }
            None => None,
        };
        pipeline.set_systems(systems)?;
        Ok(Self {
            pipeline,
            a_name: a.name,
            b_name,
            judged,
            cache: Default::default(),
        })
    }

    /// Index A.
    pub fn index(&self) -> &Index {
        &self.pipeline.index
    }

    /// A's query encoder.
    pub fn encoder(&self) -> &SparseEncoder {
        &self.pipeline.encoder
    }

    /// Statistics of index A for the Index view.
    pub fn stats(&self) -> IndexStats {
        IndexStats::compute(self.index(), 10, &|id| self.encoder().token(id).to_string())
    }

    /// The query prepared by the pipeline with the edits applied, reusing the last
    /// preparation of the same text (its encoding times are those of that preparation).
    fn prepare(&self, text: &str, edits: &QueryEdits) -> crate::system::Result<Prepared> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let mut prepared = match cache.as_ref() {
            Some(p) if p.text == text => p.clone(),
            _ => {
                let p = self.pipeline.prepare(text, None, &QueryEdits::default())?;
                *cache = Some(p.clone());
                p
            }
        };
        prepared.edited = prepared.encoded.as_ref().map(|e| edits.apply(&e.vector));
        Ok(prepared)
    }

    /// Everything the explorer shows for a request; an error message on failure.
    pub fn compute(&self, req: &Request) -> Result<QueryView, String> {
        self.try_compute(req).map_err(|e| e.to_string())
    }

    fn try_compute(&self, req: &Request) -> step::Result<QueryView> {
        let k = req.k.max(1);
        let prepared = self.prepare(&req.query, &req.edits)?;
        let p = &self.pipeline;
        let (Some(encoded), Some(edited)) = (&prepared.encoded, &prepared.edited) else {
            unreachable!("the engine's pipeline always encodes SPLADE queries")
        };
        let encode = prepared.encode_time;
        let index = &p.index;
        let encoder = &p.encoder;
        let terms = query_terms(encoder, encoded, edited, &req.edits);
        let slots: HashMap<u32, usize> = terms
            .iter()
            .filter_map(|t| t.slot.map(|s| (t.id, s)))
            .collect();
        let rankings = p.rank(&prepared, k)?;
        let ranked = |leaf: &Leaf| {
            let (ranking, time) = rankings
                .leaf_timed(leaf)
                .expect("the engine ranks SPLADE and BM25");
            let scores = ranking
                .all_scores()
                .expect("SPLADE and BM25 score every document");
            (ranking, scores, time)
        };
        let (splade_ranking, splade, splade_time) = ranked(&Leaf::Splade);
        let (bm25_ranking, bm25, bm25_time) = ranked(&Leaf::Bm25);
        let (unedited, splade_unedited) = if req.edits.is_empty() {
            (None, None)
        } else {
            let (s, d) = timed(|| crate::search::splade_scores(index, &encoded.vector));
            (Some(s?), Some(d))
        };
        let analysed = &prepared.bm25;
        let bm25_terms: Vec<String> = analysed.iter().map(|t| t.term.clone()).collect();
        let stem_slots = stem_slots(index, &terms);
        let judgments = req
            .qid
            .as_deref()
            .and_then(|q| self.judged.as_ref().and_then(|j| j.qrels.get(q)));
        let grade = |id: &str| judgments.and_then(|j| j.get(id).copied());

        let splade_hits = &splade_ranking.hits;
        let docs: Vec<u32> = splade_hits.iter().filter_map(|h| h.doc).collect();
        let parts = splade_parts(index, edited, &docs)?;
        let mut splade_list = Vec::with_capacity(docs.len());
        for (&doc, p) in docs.iter().zip(parts) {
            let mut parts: Vec<Part> = p
                .into_iter()
                .map(|(t, v)| Part {
                    label: encoder.token(t).to_string(),
                    slot: slots.get(&t).copied(),
                    value: v,
                })
                .collect();
            sort_parts(&mut parts);
            let mut hit = hit_view(index, doc, splade[doc as usize], parts)?;
            hit.other_rank = rank_of(bm25, doc);
            hit.base_rank = unedited.as_ref().and_then(|u| rank_of(u, doc));
            hit.grade = grade(&hit.id);
            splade_list.push(hit);
        }
        let docs: Vec<u32> = bm25_ranking.hits.iter().filter_map(|h| h.doc).collect();
        let parts = bm25_parts(index, analysed, &docs)?;
        let mut bm25_list = Vec::with_capacity(docs.len());
        for (&doc, p) in docs.iter().zip(parts) {
            let mut parts: Vec<Part> = p
                .into_iter()
                .map(|(term, v)| Part {
                    slot: stem_slots.get(&term).copied(),
                    label: term,
                    value: v,
                })
                .collect();
            sort_parts(&mut parts);
            let mut hit = hit_view(index, doc, bm25[doc as usize], parts)?;
            hit.other_rank = rank_of(splade, doc);
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
                    self.inspect(target, encoded, edited, splade, bm25, analysed, k, &slots)
                        .map(|mut i| {
                            i.grade = grade(&i.id);
                            i
                        })
                });
                (Some(r), d)
            }
        };
        let relevant = match (judgments, &self.judged) {
            (Some(j), Some(_)) => relevant_docs(index, j, splade, bm25),
            _ => Vec::new(),
        };
        let compare = if req.compare {
            let a = compare::ASide {
                edited,
                slots: &slots,
                edits: &req.edits,
                scores: splade,
                hits: &splade_list,
            };
            self.compare_view(&prepared, &rankings, &a, &grade)?
        } else {
            None
        };
        Ok(QueryView {
            query: req.query.clone(),
            nnz: encoded.vector.nnz(),
            l1: encoded.vector.l1(),
            edited_nnz: edited.nnz(),
            truncated: encoded.truncated(),
            tokens: encoded.token_ids.len(),
            untruncated_tokens: encoded.untruncated_tokens,
            terms,
            splade_matching: splade_ranking.matching,
            bm25_matching: bm25_ranking.matching,
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
        analysed: &[crate::analysis::QueryTerm],
        k: usize,
        slots: &HashMap<u32, usize>,
    ) -> Result<Inspection, String> {
        let index = self.index();
        let encoder = self.encoder();
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
                    .map_err(|_| format!("no document with id {id:?} in {}", self.a_name))?
            }
        };
        let searched = Encoded {
            vector: edited.clone(),
            token_ids: encoded.token_ids.clone(),
            untruncated_tokens: encoded.untruncated_tokens,
        };
        let splade_x =
            explain_splade(index, encoder, &searched, splade, doc, k).map_err(|e| e.to_string())?;
        let bm25_x = explain_bm25(index, analysed, bm25, doc, k).map_err(|e| e.to_string())?;
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
}

/// What the UI learns once the engine is loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub model: String,
    pub index: String,
    pub documents: usize,
    pub stats: IndexStats,
    /// The second checkpoint's model and index, when comparing.
    pub compare: Option<(String, String)>,
    /// Name of the judged query set, when given.
    pub judged: Option<String>,
    /// Example queries for the empty query box: the first short judged queries (none
    /// without judged queries).
    pub examples: Vec<String>,
}

impl Loaded {
    /// What the UI needs to know about a loaded engine.
    pub fn of(engine: &Engine) -> Self {
        Self {
            model: engine.index().manifest().model.id.clone(),
            index: engine.a_name.clone(),
            documents: engine.index().len(),
            stats: engine.stats(),
            compare: engine
                .pipeline
                .b
                .as_ref()
                .zip(engine.b_name.as_ref())
                .map(|(b, name)| (b.index.manifest().model.id.clone(), name.clone())),
            judged: engine.judged.as_ref().map(|j| j.name.clone()),
            examples: engine
                .judged
                .as_ref()
                .map(|j| {
                    j.queries
                        .iter()
                        .filter(|q| j.qrels.contains_query(&q.id) && q.text.chars().count() <= 30)
                        .take(3)
                        .map(|q| crate::display::single_line(&q.text).into_owned())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Errors of the engine's steps (encoder and index), shown as text.
mod step {
    /// An encoder, index or system error.
    #[derive(Debug, thiserror::Error)]
    pub enum Error {
        #[error(transparent)]
        Encoder(#[from] crate::encoder::EncoderError),
        #[error(transparent)]
        Index(#[from] crate::index::IndexError),
        #[error(transparent)]
        System(#[from] crate::system::SystemError),
    }
    pub type Result<T> = std::result::Result<T, Error>;
}

/// The query's terms by model weight, with their weights as searched (`edited`, the
/// edits applied) and colour slots.
fn query_terms(
    encoder: &SparseEncoder,
    encoded: &Encoded,
    edited: &SparseVector,
    edits: &QueryEdits,
) -> Vec<QueryTerm> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
