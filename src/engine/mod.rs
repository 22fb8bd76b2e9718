//! The explorer's engine: everything the TUI shows for a query, as plain data, computed
//! through the one query pipeline ([`crate::system::Pipeline`]: the query prepared once,
//! each system ranked once) without any UI code. The TUI's worker thread owns one
//! [`Engine`]; tests and the keystroke benchmark call [`Engine::compute`] directly.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::encoder::{Encoded, InputText, SparseEncoder, TermKind};
use crate::eval::{Qrels, Queries};
use crate::index::stats::IndexStats;
use crate::index::Index;
use crate::profile::profile_parts;
use crate::search::contributions::{bm25_parts, splade_parts};
use crate::search::what_if::DocEdits;
use crate::search::{DocumentSources, QueryEdits};
use crate::sparse::SparseVector;
use crate::system::{Explanation, Leaf, Pipeline, Prepared, Rankings, SecondIndex, SystemSpec};

mod browse;
mod compare;
mod data;
mod evaluate;
mod marks;
mod metrics;

pub use browse::{Browse, Browsed, TERM_DOCUMENTS};
pub use compare::kendall_tau_topk;
pub use data::*;
use marks::merge_marks;
pub use metrics::QueryMetrics;

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
    /// The command-line flags that read the same set (`--beir DIR --split test`, or
    /// `--queries Q --qrels R`), for reproducing commands; empty when there are none.
    pub args: Vec<String>,
}

/// What to show for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Replies carry it back; the UI drops replies older than its latest request.
    pub generation: u64,
    pub query: String,
    pub edits: QueryEdits,
    /// Document-side edits of the `what-if` system (which also takes `edits`).
    pub doc_edits: DocEdits,
    /// Hits per list (fusions fuse their components' top `k`, as `spladescope search -k`).
    pub k: usize,
    /// Document to inspect.
    pub inspect: Option<Target>,
    /// Also find which word of the inspected document produced each of its terms (encodes
    /// the document again).
    pub doc_sources: bool,
    /// The term or document browser to fill in.
    pub browse: Option<Browse>,
    /// Two SPLADE explanations side by side to fill in.
    pub side_by_side: Option<SideBySide>,
    /// Query id in the judged set (marks relevant documents; run systems look it up).
    pub qid: Option<String>,
    /// Also run the second checkpoint.
    pub compare: bool,
    /// The systems shown in the left and right lists (positions in [`Engine::systems`]).
    pub columns: [usize; 2],
}

impl Default for Request {
    fn default() -> Self {
        Self {
            generation: 0,
            query: String::new(),
            edits: QueryEdits::default(),
            doc_edits: DocEdits::default(),
            k: 10,
            inspect: None,
            doc_sources: false,
            browse: None,
            side_by_side: None,
            qid: None,
            compare: false,
            columns: [SPLADE, BM25],
        }
    }
}

/// Two SPLADE explanations side by side ([`crate::search::compare`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideBySide {
    /// A document under checkpoint A and checkpoint B: why it moved.
    Checkpoints(String),
    /// Two documents for the query: why one beats the other.
    Documents(String, String),
}

/// Position of SPLADE and BM25 in every engine's systems.
pub const SPLADE: usize = 0;
pub const BM25: usize = 1;

/// One of Explore's two hit lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Left,
    Right,
}

impl Column {
    /// 0 for the left list, 1 for the right.
    pub fn index(self) -> usize {
        match self {
            Self::Left => 0,
            Self::Right => 1,
        }
    }
}

/// A document to inspect: the hit at a position of a list (resolved after the search, so
/// it is never a hit of an older query), or any document id ("why not?").
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Hit(Column, usize),
    Id(String),
}

/// The explorer's engine.
pub struct Engine {
    /// SPLADE and BM25 of index A (always first), SPLADE of index B when comparing
    /// checkpoints, then the systems asked for (dense, fusions, runs).
    pub pipeline: Pipeline,
    /// Display names of index A and B (their directory names).
    pub a_name: String,
    pub b_name: Option<String>,
    pub judged: Option<Judged>,
    /// The last query prepared: moving the selection or editing terms does not re-run the
    /// models.
    cache: std::sync::Mutex<Option<Prepared>>,
    /// The judged queries encoded, for the term browser (on first use).
    judged_encoded: std::sync::OnceLock<Result<crate::browse::EncodedQueries, String>>,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

/// What building the lists of one request shares.
struct Context<'a> {
    prepared: &'a Prepared,
    rankings: &'a Rankings,
    /// Colour slot of each of A's query terms, by vocabulary id, and of BM25 stems.
    slots: &'a HashMap<u32, usize>,
    stem_slots: &'a HashMap<String, usize>,
    /// SPLADE's scores for the unedited query, when edits are on.
    unedited: Option<&'a [f32]>,
    grade: &'a dyn Fn(&str) -> Option<i64>,
    k: usize,
}

impl Engine {
    /// An engine over index A, optionally a second index B and a judged query set: the
    /// systems SPLADE, BM25 and (with B) SPLADE-B.
    pub fn new(a: Side, b: Option<Side>, judged: Option<Judged>) -> crate::system::Result<Self> {
        let mut pipeline = Pipeline::new(a.index, a.encoder);
        pipeline.always_encode = true;
        pipeline.search_threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut systems = vec![SystemSpec::Leaf(Leaf::Splade), SystemSpec::Leaf(Leaf::Bm25)];
        let b_name = match b {
            Some(b) => {
                pipeline.b = Some(SecondIndex::new(&pipeline.index, b.index, b.encoder)?);
                systems.push(SystemSpec::Leaf(Leaf::SpladeB));
                Some(b.name)
            }
            None => None,
        };
        // Last, and left out of `systems()`: shown when documents are edited, evaluated on
        // request.
        systems.push(SystemSpec::Leaf(Leaf::WhatIf));
        pipeline.set_systems(systems)?;
        Ok(Self {
            pipeline,
            a_name: a.name,
            b_name,
            judged,
            cache: Default::default(),
            judged_encoded: Default::default(),
        })
    }

    /// Adds systems after the built-in ones (those already there are skipped), loading
    /// what they need ([`Pipeline::load_resources`]; `threads`, `allow_mismatch` as for
    /// `search`).
    pub fn add_systems(
        &mut self,
        specs: &[SystemSpec],
        threads: usize,
        allow_mismatch: bool,
    ) -> crate::system::Result<()> {
        let p = &mut self.pipeline;
        let mut systems = p.systems().to_vec();
        let new: Vec<SystemSpec> = specs
            .iter()
            .filter(|spec| !systems.iter().any(|s| s.name() == spec.name()))
            .cloned()
            .collect();
        p.load_resources(&new, threads, allow_mismatch)?;
        // The what-if system stays last.
        let what_if = systems.pop().expect("the what-if system");
        systems.extend(new);
        systems.push(what_if);
        p.set_systems(systems)
    }

    /// The systems' display names, in order (the what-if system, last, left out).
    pub fn systems(&self) -> Vec<String> {
        self.pipeline
            .systems()
            .iter()
            .filter(|s| **s != SystemSpec::Leaf(Leaf::WhatIf))
            .map(|s| s.title().to_string())
            .collect()
    }

    /// Position of the `what-if` system (after every system of [`Engine::systems`]).
    pub fn what_if_system(&self) -> usize {
        self.pipeline.systems().len() - 1
    }

    /// The pipeline behind the engine.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Threads for one query's exhaustive SPLADE scores (default: every core).
    pub fn set_search_threads(&mut self, threads: usize) {
        self.pipeline.search_threads = threads.max(1);
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

    /// The query prepared by the pipeline for the systems at `active` with the edits
    /// applied, reusing the last preparation of the same text when it has what they need
    /// (its encoding times are those of that preparation).
    fn prepare(&self, req: &Request, active: &[usize]) -> crate::system::Result<Prepared> {
        let (text, qid, edits) = (req.query.as_str(), req.qid.as_deref(), &req.edits);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let mut prepared = match cache.as_ref() {
            Some(p) if p.text == text && self.pipeline.is_prepared_for(p, active) => p.clone(),
            _ => {
                let p = self
                    .pipeline
                    .prepare_for(text, None, &QueryEdits::default(), active)?;
                *cache = Some(p.clone());
                p
            }
        };
        prepared.qid = qid.map(str::to_string);
        prepared.edited = prepared.encoded.as_ref().map(|e| edits.apply(&e.vector));
        // The what-if system: these edits, and the documents edited.
        prepared.what_if = prepared.edited.clone();
        prepared.what_if_docs = req.doc_edits.clone();
        Ok(prepared)
    }

    /// Everything the explorer shows for a request; an error message on failure.
    pub fn compute(&self, req: &Request) -> Result<QueryView, String> {
        self.try_compute(req).map_err(|e| e.to_string())
    }

    fn try_compute(&self, req: &Request) -> step::Result<QueryView> {
        let k = req.k.max(1);
        let p = &self.pipeline;
        let last = p.systems().len() - 1;
        let columns = req.columns.map(|c| c.min(last));
        let b_position = p
            .systems()
            .iter()
            .position(|s| *s == SystemSpec::Leaf(Leaf::SpladeB));
        // SPLADE and BM25 always run: the term view, highlights and relevant documents
        // use them.
        let mut active = vec![SPLADE, BM25, columns[0], columns[1]];
        let move_asked = matches!(req.side_by_side, Some(SideBySide::Checkpoints(_)));
        active.extend(b_position.filter(|_| req.compare || move_asked));
        active.sort_unstable();
        active.dedup();
        let prepared = self.prepare(req, &active)?;
        let (Some(encoded), Some(edited)) = (&prepared.encoded, &prepared.edited) else {
            unreachable!("the engine's pipeline always encodes SPLADE queries")
        };
        let index = &p.index;
        let input = p.encoder.input_text(&prepared.text, encoded)?;
        let terms = query_terms(&p.encoder, encoded, &input, edited, &req.edits);
        let slots: HashMap<u32, usize> = terms
            .iter()
            .filter_map(|t| t.slot.map(|s| (t.id, s)))
            .collect();
        let rankings = p.rank_systems(&prepared, k, &active)?;
        let judgments = req
            .qid
            .as_deref()
            .and_then(|q| self.judged.as_ref().and_then(|j| j.qrels.get(q)));
        // Unedited scores: for the rank changes of a SPLADE list, and a judged query's
        // unedited measures.
        let shows_splade = columns.contains(&SPLADE) || req.compare || judgments.is_some();
        let (unedited, splade_unedited) = if req.edits.is_empty() || !shows_splade {
            (None, None)
        } else {
            let (s, d) = timed(|| {
                crate::search::splade_scores_parallel(index, &encoded.vector, p.search_threads)
            });
            (Some(s?), Some(d))
        };
        let stem_slots = stem_slots(index, &terms);
        let grade = |id: &str| judgments.and_then(|j| j.get(id).copied());
        let cx = Context {
            prepared: &prepared,
            rankings: &rankings,
            slots: &slots,
            stem_slots: &stem_slots,
            unedited: unedited.as_deref(),
            grade: &grade,
            k,
        };
        let [left, right] = columns.map(|c| self.list_view(c, &cx));
        let (mut left, mut right) = (left?, right?);
        let other_ranks = |list: &mut ListView, other: usize| {
            let ranks = ranks_in(rankings.get(p, other), &list.hits);
            for (h, rank) in list.hits.iter_mut().zip(ranks) {
                h.other_rank = rank;
            }
        };
        other_ranks(&mut left, columns[1]);
        other_ranks(&mut right, columns[0]);
        let in_left: HashSet<&str> = left.hits.iter().map(|h| h.id.as_str()).collect();
        let overlap = right
            .hits
            .iter()
            .filter(|h| in_left.contains(h.id.as_str()))
            .count();
        let lists = [left, right];

        let target = match &req.inspect {
            Some(Target::Hit(column, i)) => lists[column.index()]
                .hits
                .get(*i)
                .map(|h| (h.doc, h.id.clone())),
            Some(Target::Id(id)) => Some((None, id.clone())),
            None => None,
        };
        let (inspect, explain) = match &target {
            None => (None, Duration::ZERO),
            Some((doc, id)) => {
                let (r, d) = timed(|| {
                    self.inspect(*doc, id, columns, req.doc_sources, &cx)
                        .map(|mut i| {
                            i.grade = grade(&i.id);
                            i
                        })
                });
                (Some(r), d)
            }
        };
        // The judged query's measures, as edited and unedited (SPLADE ranks every document).
        let metrics = match (req.qid.as_deref(), judgments) {
            (Some(qid), Some(j)) => {
                let edited_scores = rankings
                    .leaf(&Leaf::Splade)
                    .and_then(|r| r.own_scores())
                    .expect("SPLADE always runs and keeps every score");
                let edited = metrics::measure(index, edited_scores, qid, j)?;
                let unedited = match &unedited {
                    Some(scores) => metrics::measure(index, scores, qid, j)?,
                    None => edited,
                };
                Some(QueryMetrics { edited, unedited })
            }
            _ => None,
        };
        let relevant = match judgments {
            Some(j) => relevant_docs(index, j, [&lists[0], &lists[1]], &rankings, p, k),
            None => Vec::new(),
        };
        let compare = match (req.compare, b_position) {
            (true, Some(b)) => {
                let a = match lists.iter().find(|l| l.system == SPLADE) {
                    Some(a) => a.clone(),
                    None => self.list_view(SPLADE, &cx)?,
                };
                let b = self.list_view(b, &cx)?;
                self.compare_view(&prepared, &rankings, a, b, !req.edits.is_empty())
            }
            _ => None,
        };
        let side_by_side = req.side_by_side.as_ref().map(|asked| {
            match asked {
                SideBySide::Checkpoints(id) => p.explain_checkpoints(&prepared, &rankings, id, k),
                SideBySide::Documents(a, b) => p.explain_pair(&prepared, &rankings, a, b, k),
            }
            .map_err(|e| e.to_string())
        });
        Ok(QueryView {
            query: req.query.clone(),
            nnz: encoded.vector.nnz(),
            l1: encoded.vector.l1(),
            edited_nnz: edited.nnz(),
            truncated: encoded.truncated(),
            tokens: encoded.token_ids.len(),
            untruncated_tokens: encoded.untruncated_tokens,
            terms,
            lists,
            bm25_terms: prepared.bm25.iter().map(|t| t.term.clone()).collect(),
            overlap,
            k,
            timings: Timings {
                encode: prepared.encode_time,
                dense: prepared.dense.as_ref().map(|_| prepared.dense_time),
                splade_unedited,
                explain,
            },
            inspect,
            relevant,
            metrics,
            compare,
            browse: req.browse.as_ref().map(|b| self.browse(b)),
            side_by_side,
        })
    }

    /// The hit list of system `system`: each hit with its parts (SPLADE terms, BM25
    /// stems, fusion components; the score itself for dense and run systems).
    fn list_view(&self, system: usize, cx: &Context) -> step::Result<ListView> {
        let p = &self.pipeline;
        let spec = &p.systems()[system];
        let (ranking, time) = cx.rankings.get_timed(p, system);
        let kind = ListKind::of(spec);
        let title = spec.title().to_string();
        let hits = &ranking.hits;
        let in_index = |h: &crate::system::Ranked| h.doc;
        let parts: Vec<Vec<Part>> = match spec {
            SystemSpec::Leaf(leaf @ (Leaf::Splade | Leaf::WhatIf)) => {
                let what_if = *leaf == Leaf::WhatIf;
                let query = if what_if {
                    cx.prepared.what_if.as_ref()
                } else {
                    cx.prepared.edited.as_ref()
                };
                let query = query.expect("encoded");
                let docs: Vec<u32> = hits.iter().filter_map(in_index).collect();
                let mut all = Vec::new();
                for (&doc, parts) in docs.iter().zip(splade_parts(&p.index, query, &docs)?) {
                    let mut row = Vec::new();
                    for (t, v) in parts {
                        let value = if what_if {
                            v * p.what_if_factor(&cx.prepared.what_if_docs, doc, t)?
                        } else {
                            v
                        };
                        if value > 0.0 {
                            row.push(Part {
                                label: p.encoder.token(t).to_string(),
                                slot: cx.slots.get(&t).copied(),
                                value,
                            });
                        }
                    }
                    all.push(row);
                }
                all
            }
            SystemSpec::Leaf(leaf @ Leaf::Profile(_)) => {
                let (profile, query) = p.engine_query(leaf, cx.prepared)?;
                let stats = p.profile_stats();
                let window = p.rescored_window(&profile, &query, cx.k)?;
                let mut all = Vec::new();
                for h in hits {
                    let Some(doc) = h.doc else {
                        all.push(Vec::new());
                        continue;
                    };
                    let parts =
                        profile_parts(&p.index, &profile, stats, &query, doc, window.as_ref())?;
                    all.push(
                        parts
                            .into_iter()
                            .filter(|&(_, v)| v > 0.0)
                            .map(|(t, value)| Part {
                                label: p.encoder.token(t).to_string(),
                                slot: cx.slots.get(&t).copied(),
                                value,
                            })
                            .collect(),
                    );
                }
                all
            }
            SystemSpec::Leaf(Leaf::Bm25) => {
                let docs: Vec<u32> = hits.iter().filter_map(in_index).collect();
                bm25_parts(&p.index, &cx.prepared.bm25, &docs)?
                    .into_iter()
                    .map(|parts| {
                        parts
                            .into_iter()
                            .map(|(term, v)| Part {
                                slot: cx.stem_slots.get(&term).copied(),
                                label: term,
                                value: v,
                            })
                            .collect()
                    })
                    .collect()
            }
            SystemSpec::Leaf(Leaf::SpladeB) => {
                let b = p.b.as_ref().expect("splade-b has a second index");
                let encoded = cx.prepared.encoded_b.as_ref().expect("encoded for B");
                // B's parts take the colour of the same token in A's query.
                let a_slots: HashMap<&str, usize> = cx
                    .slots
                    .iter()
                    .map(|(&id, &slot)| (p.encoder.token(id), slot))
                    .collect();
                let own: Vec<u32> = hits
                    .iter()
                    .map(|h| b.index.find(&h.id))
                    .collect::<Result<_, _>>()?;
                splade_parts(&b.index, &encoded.vector, &own)?
                    .into_iter()
                    .map(|parts| {
                        parts
                            .into_iter()
                            .map(|(t, v)| {
                                let label = b.encoder.token(t).to_string();
                                Part {
                                    slot: a_slots.get(label.as_str()).copied(),
                                    label,
                                    value: v,
                                }
                            })
                            .collect()
                    })
                    .collect()
            }
            SystemSpec::Fused { .. } => hits
                .iter()
                .map(|h| {
                    let x = p.explain(system, cx.prepared, cx.rankings, h.doc, &h.id, cx.k)?;
                    let Explanation::Fusion(f) = x else {
                        unreachable!("a fused system explains by fusion")
                    };
                    Ok(f.parts
                        .iter()
                        .enumerate()
                        .map(|(i, part)| Part {
                            label: part.system.clone(),
                            slot: Some(i),
                            value: part.contribution as f32,
                        })
                        .collect())
                })
                .collect::<step::Result<_>>()?,
            SystemSpec::Leaf(Leaf::Dense | Leaf::Run(_)) | SystemSpec::RunFile { .. } => hits
                .iter()
                .map(|h| {
                    vec![Part {
                        label: title.clone(),
                        slot: None,
                        value: h.score as f32,
                    }]
                })
                .collect(),
        };
        let mut out = Vec::with_capacity(hits.len());
        for (h, mut parts) in hits.iter().zip(parts) {
            sort_parts(&mut parts);
            let mut hit = match (h.doc, spec) {
                (Some(doc), _) => hit_view(&p.index, doc, h.score, parts)?,
                // B's document missing from A (another corpus): B holds its text.
                (None, SystemSpec::Leaf(Leaf::SpladeB)) => {
                    let b = p.b.as_ref().expect("splade-b has a second index");
                    let mut hit = hit_view(&b.index, b.index.find(&h.id)?, h.score, parts)?;
                    hit.doc = None;
                    hit
                }
                (None, _) => HitView {
                    doc: None,
                    id: h.id.clone(),
                    title: String::new(),
                    snippet: format!("(not in {})", self.a_name),
                    score: h.score,
                    parts,
                    other_rank: None,
                    base_rank: None,
                    grade: None,
                },
            };
            if system == SPLADE {
                hit.base_rank = cx
                    .unedited
                    .and_then(|u| h.doc.and_then(|d| crate::search::rank_of(u, d)));
            }
            hit.grade = (cx.grade)(&hit.id);
            out.push(hit);
        }
        Ok(ListView {
            system,
            name: title,
            kind,
            hits: out,
            matching: ranking.matching,
            has_query: ranking.has_query,
            time,
        })
    }

    /// Explains document `doc` (or the one called `id`) in both shown systems, with its
    /// text highlighted where SPLADE and BM25 match.
    fn inspect(
        &self,
        doc: Option<u32>,
        id: &str,
        columns: [usize; 2],
        doc_sources: bool,
        cx: &Context,
    ) -> Result<Inspection, String> {
        let p = &self.pipeline;
        let index = self.index();
        let encoder = self.encoder();
        let id = id.trim();
        if id.is_empty() {
            return Err("type a document id".into());
        }
        let doc = match doc {
            Some(d) => d,
            None => index.find(id).map_err(|_| {
                format!(
                    "no document with id {id:?} in {}: there is no text or vector to explain",
                    self.a_name
                )
            })?,
        };
        let explain = |leaf: Leaf| {
            let ranking = cx.rankings.leaf(&leaf).expect("SPLADE and BM25 always run");
            p.explain_leaf(&leaf, cx.prepared, ranking, Some(doc), id, cx.k)
        };
        let (Explanation::Splade(splade_x), Explanation::Bm25(bm25_x)) = (
            explain(Leaf::Splade).map_err(|e| e.to_string())?,
            explain(Leaf::Bm25).map_err(|e| e.to_string())?,
        ) else {
            unreachable!("SPLADE and BM25 explain by terms")
        };
        // Where the document's terms came from: the document encoded again, so only when
        // asked (the inspector focused), off the typing path.
        let sources = if doc_sources {
            Some(DocumentSources::of(index, encoder, doc).map_err(|e| e.to_string())?)
        } else {
            None
        };
        let found = sources.as_ref().and_then(|s| s.as_ref().ok());
        let mut explanations = columns
            .iter()
            .map(|&c| {
                p.explain(c, cx.prepared, cx.rankings, Some(doc), id, cx.k)
                    .map(|x| (p.systems()[c].title().to_string(), x))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, String>>()?;
        for (&c, (_, x)) in columns.iter().zip(&mut explanations) {
            if let (SystemSpec::Leaf(Leaf::Splade), Explanation::Splade(x), Some(s)) =
                (&p.systems()[c], x, found)
            {
                s.attach(x);
            }
        }
        let edited = cx.prepared.edited.as_ref().expect("encoded");
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
        let full = stored.indexed_text();
        let own: HashSet<u32> = encoder
            .token_ids(&full, index.manifest().model.max_length)
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect();
        let doc_terms = vector
            .by_weight()
            .into_iter()
            .take(24)
            .map(|(id, weight)| {
                let source = found.and_then(|s| s.source(id));
                let source_range = source
                    .as_ref()
                    .and_then(|s| s.span.clone())
                    .and_then(|span| stored.locate(span))
                    .filter(|r| r.in_title || r.range.end <= body.len());
                DocTerm {
                    id,
                    token: encoder.token(id).to_string(),
                    weight,
                    kind: TermKind::of(own.contains(&id)),
                    in_query: edited.get(id) > 0.0,
                    source,
                    source_range,
                }
            })
            .collect();
        let mut explanations = explanations.into_iter();
        Ok(Inspection {
            doc,
            id: stored.id.to_string(),
            title,
            text: body,
            title_marks,
            text_marks,
            columns: [
                explanations.next().expect("two columns"),
                explanations.next().expect("two columns"),
            ],
            slots: cx.slots.clone(),
            doc_terms,
            doc_sources: sources.map(|s| s.map(|_| ())),
            grade: None,
        })
    }
}

/// What the UI learns once the engine is loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub model: String,
    /// Index A's directory, and B's, as given to the command line.
    pub index_dir: String,
    pub compare_dir: Option<String>,
    /// The judged set's command-line flags ([`Judged::args`]).
    pub judged_args: Vec<String>,
    /// Each system as `--system` spells it (in [`Loaded::systems`] order).
    pub system_specs: Vec<String>,
    /// Model A's vocabulary, by id (to add a typed term to the query).
    pub vocabulary: std::sync::Arc<Vec<String>>,
    /// How A's queries are encoded (the model, or inference-free).
    pub query_encoder: crate::encoder::QueryEncoding,
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
    /// The systems' display names ([`Request::columns`] picks two of them).
    pub systems: Vec<String>,
}

impl Loaded {
    /// What the UI needs to know about a loaded engine.
    pub fn of(engine: &Engine) -> Self {
        Self {
            model: engine.index().manifest().model.id.clone(),
            index_dir: absolute(engine.index().dir()),
            compare_dir: engine.pipeline.b.as_ref().map(|b| absolute(b.index.dir())),
            judged_args: engine
                .judged
                .as_ref()
                .map(|j| j.args.clone())
                .unwrap_or_default(),
            system_specs: engine
                .pipeline
                .systems()
                .iter()
                .filter(|s| **s != SystemSpec::Leaf(Leaf::WhatIf))
                .map(|s| s.to_string())
                .collect(),
            query_encoder: engine.pipeline.encoder.query_encoding(),
            vocabulary: std::sync::Arc::new(engine.encoder().vocabulary().to_vec()),
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
            systems: engine.systems(),
        }
    }
}

/// A directory as an absolute path where it can be resolved (for commands run elsewhere).
fn absolute(dir: &std::path::Path) -> String {
    std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string()
}

/// Errors of the engine's steps (encoder and index), shown as text.
/// Where each of `hits` ranks in `ranking` (one pass over its scores for all of them).
fn ranks_in(ranking: &crate::system::Ranking, hits: &[HitView]) -> Vec<Option<usize>> {
    let asked: Vec<(Option<u32>, &str)> = hits.iter().map(|h| (h.doc, h.id.as_str())).collect();
    ranking.ranks_of(&asked)
}

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
    input: &InputText,
    edited: &SparseVector,
    edits: &QueryEdits,
) -> Vec<QueryTerm> {
    encoder
        .terms(encoded, input)
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
            source: t.source,
        })
        // Terms the edits add (weighted, though the model gave the query none), last.
        .chain(
            edits
                .added_terms(&encoded.vector)
                .into_iter()
                .map(|id| QueryTerm {
                    id,
                    token: encoder.token(id).to_string(),
                    weight: 0.0,
                    edited: edited.get(id),
                    kind: TermKind::Expansion,
                    slot: None,
                    dropped: edits.dropped.contains(&id),
                    reweighted: true,
                    source: None,
                }),
        )
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
    score: f64,
    parts: Vec<Part>,
) -> crate::index::Result<HitView> {
    let stored = index.doc(doc)?;
    Ok(HitView {
        doc: Some(doc),
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

/// The query's relevant documents with their ranks in both shown systems, most relevant
/// first, then by rank on the left.
fn relevant_docs(
    index: &Index,
    judgments: &std::collections::BTreeMap<String, i64>,
    lists: [&ListView; 2],
    rankings: &Rankings,
    pipeline: &Pipeline,
    k: usize,
) -> Vec<RelevantDoc> {
    let mut out: Vec<RelevantDoc> = judgments
        .iter()
        .filter(|(_, &g)| g > 0)
        .map(|(id, &grade)| {
            let doc = index.find(id).ok();
            RelevantDoc {
                id: id.clone(),
                grade,
                in_index: doc.is_some(),
                ranks: lists.map(|l| rankings.get(pipeline, l.system).position(doc, id, k).rank),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.grade
            .cmp(&a.grade)
            .then(
                a.ranks[0]
                    .unwrap_or(usize::MAX)
                    .cmp(&b.ranks[0].unwrap_or(usize::MAX)),
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
