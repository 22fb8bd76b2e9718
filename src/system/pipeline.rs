//! One query pipeline for every caller (search, explain, eval, the explorer): prepare the
//! query once (encode with each model needed, apply the edits, analyse for BM25), run each
//! leaf system once, fuse, and explain any document in any system.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::{Result, SystemError};
use super::explain::{Explanation, ScoreOnly, DENSE_NOTE, RUN_NOTE};
use super::fusion;
use super::ranking::{Ranked, Ranking};
use super::spec::{Leaf, SystemSpec};
use crate::analysis::QueryTerm;
use crate::encoder::{DenseEncoder, Encoded, SparseEncoder};
use crate::eval::{trec_ranking, Run, ScoredDoc};
use crate::index::Index;
use crate::profile::{explain_profile, profile_scores, EngineQuery, Profile, ProfileStats};
use crate::search::explain::explain_splade_edited;
use crate::search::what_if::{factor, what_if_scores, DocEdits, PostingsCache};
use crate::search::{
    bm25_scores_parallel, explain_bm25, explain_splade, splade_scores_parallel, CostTally,
    QueryEdits, RankInfo, SparsityCost,
};

pub use super::what_if::WhatIf;
use crate::sparse::SparseVector;

/// A second index of the same corpus, searched with its own model (`splade-b`).
pub struct SecondIndex {
    pub index: Index,
    pub encoder: SparseEncoder,
    /// Main document number → number in this index.
    to_own: Arc<Vec<Option<u32>>>,
    /// Number in this index → main document number.
    to_main: Vec<Option<u32>>,
}

impl SecondIndex {
    /// Maps B's documents to the main index's by id.
    pub fn new(main: &Index, index: Index, encoder: SparseEncoder) -> Result<Self> {
        let mut to_own = vec![None; main.len()];
        let mut to_main = vec![None; index.len()];
        for own in 0..index.len() as u32 {
            if let Ok(m) = main.find(index.doc(own)?.id) {
                to_own[m as usize] = Some(own);
                to_main[own as usize] = Some(m);
            }
        }
        Ok(Self {
            index,
            encoder,
            to_own: Arc::new(to_own),
            to_main,
        })
    }
}

/// A query, prepared once for every system of a pipeline.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub text: String,
    /// Its id (run files are looked up by it).
    pub qid: Option<String>,
    /// SPLADE encoding with the main model, unedited.
    pub encoded: Option<Encoded>,
    /// The SPLADE vector searched: `encoded` with the edits applied.
    pub edited: Option<SparseVector>,
    /// The what-if system's query: `encoded` with the what-if query edits.
    pub what_if: Option<SparseVector>,
    /// The what-if system's document edits.
    pub what_if_docs: DocEdits,
    /// SPLADE encoding with the second index's model (never edited).
    pub encoded_b: Option<Encoded>,
    /// Analysed BM25 terms.
    pub bm25: Vec<QueryTerm>,
    /// Dense query embedding.
    pub dense: Option<Vec<f32>>,
    /// Time spent encoding with each model.
    pub encode_time: Duration,
    pub encode_b_time: Duration,
    pub dense_time: Duration,
}

/// Every system's run of a query set ([`Pipeline::run_queries`]).
pub struct QueryRuns {
    /// One TREC run per system, in system order.
    pub runs: Vec<Run>,
    /// What each SPLADE system's queries cost (`None` for other systems).
    pub costs: Vec<Option<SparsityCost>>,
}

/// Every system's ranking of one prepared query.
pub struct Rankings {
    leaves: HashMap<Leaf, (Ranking, Duration)>,
    /// Fused rankings, by system position.
    fused: HashMap<usize, (Ranking, Duration)>,
}

/// Systems over one index and their resources.
pub struct Pipeline {
    pub index: Index,
    pub encoder: SparseEncoder,
    pub b: Option<SecondIndex>,
    pub dense: Option<DenseEncoder>,
    runs: BTreeMap<String, Run>,
    systems: Vec<SystemSpec>,
    /// Encode SPLADE queries even when no system needs it (the explorer's term view).
    pub always_encode: bool,
    /// The `what-if` system's edits ([`Pipeline::run_queries`] and
    /// [`Pipeline::prepare_batch`] apply them; a caller may set [`Prepared::what_if`] and
    /// [`Prepared::what_if_docs`] itself, as the explorer does).
    pub what_if: WhatIf,
    /// Postings of document-edited terms, read once.
    what_if_postings: PostingsCache,
    /// The index statistics engine profiles read, computed once.
    profile_stats: std::sync::OnceLock<ProfileStats>,
    /// Threads for one query's exhaustive SPLADE and BM25 scores ([`splade_scores_parallel`],
    /// [`bm25_scores_parallel`]): 1 where queries run in parallel already (`eval`,
    /// `retrieve`); the explorer uses every core.
    pub search_threads: usize,
}

const BATCH: usize = 64;

impl Pipeline {
    /// A pipeline over `index` and its query encoder, running SPLADE and BM25.
    pub fn new(index: Index, encoder: SparseEncoder) -> Self {
        Self {
            index,
            encoder,
            b: None,
            dense: None,
            runs: BTreeMap::new(),
            systems: vec![SystemSpec::Leaf(Leaf::Splade), SystemSpec::Leaf(Leaf::Bm25)],
            always_encode: false,
            what_if: WhatIf::default(),
            what_if_postings: PostingsCache::default(),
            profile_stats: std::sync::OnceLock::new(),
            search_threads: 1,
        }
    }

    /// Loads the query model of the index's dense part (refusing one whose files differ
    /// from the model the documents were embedded with, unless `allow_mismatch`).
    pub fn load_dense(&mut self, threads: usize, allow_mismatch: bool) -> Result<()> {
        let Some(info) = &self.index.manifest().dense else {
            return Err(SystemError::Unavailable {
                system: "dense".into(),
                why: self.no_dense_part(),
            });
        };
        let encoder =
            DenseEncoder::from_spec(&info.model.id, Some(info.model.max_length), threads)?;
        let found = crate::index::manifest::ModelInfo::of_dense(&encoder)?;
        if !allow_mismatch && !info.model.same_files(&found) {
            return Err(crate::index::IndexError::ModelMismatch {
                index_model: info.model.id.clone(),
                query_model: found.id,
            }
            .into());
        }
        self.dense = Some(encoder);
        Ok(())
    }

    fn no_dense_part(&self) -> String {
        format!(
            "{} has no dense part; build it with `spladescope index --dense MODEL`",
            self.index.dir().display()
        )
    }

    /// Loads what `specs` need besides the index: the dense query model (see
    /// [`Pipeline::load_dense`]) when one uses `dense`, and each `run:NAME=FILE`'s file.
    pub fn load_resources(
        &mut self,
        specs: &[SystemSpec],
        threads: usize,
        allow_mismatch: bool,
    ) -> Result<()> {
        let dense = specs.iter().any(|s| s.leaves().contains(&Leaf::Dense));
        if dense && self.dense.is_none() {
            self.load_dense(threads, allow_mismatch)?;
        }
        for s in specs {
            if let SystemSpec::RunFile { name, path } = s {
                let file = crate::eval::read_run(path, &crate::eval::RunOptions::default())?;
                self.add_run(name, file.run);
            }
        }
        Ok(())
    }

    /// Adds a run file's results as the run called `name`.
    pub fn add_run(&mut self, name: &str, run: Run) {
        self.runs.insert(name.to_string(), run);
    }

    /// Sets the systems, checking that each has what it needs.
    pub fn set_systems(&mut self, systems: Vec<SystemSpec>) -> Result<()> {
        for s in &systems {
            for leaf in s.leaves() {
                let missing = |why: String| SystemError::Unavailable {
                    system: s.name().to_string(),
                    why,
                };
                match &leaf {
                    Leaf::SpladeB if self.b.is_none() => {
                        return Err(missing(
                            "splade-b needs a second index of the same corpus (--compare DIR)"
                                .into(),
                        ))
                    }
                    Leaf::Dense if self.index.dense().is_none() => {
                        return Err(missing(self.no_dense_part()))
                    }
                    Leaf::Dense if self.dense.is_none() => {
                        return Err(missing("the dense query model is not loaded".into()))
                    }
                    Leaf::Run(name) if !self.runs.contains_key(name) => {
                        return Err(missing(format!(
                            "no run called {name:?}; give it with --system run:{name}=FILE"
                        )))
                    }
                    _ => {}
                }
            }
        }
        let mut names = std::collections::HashSet::new();
        for s in &systems {
            if !names.insert(s.name().to_string()) {
                return Err(SystemError::Spec {
                    spec: s.to_string(),
                    why: "given twice".into(),
                });
            }
        }
        self.systems = systems;
        Ok(())
    }

    /// The systems, in the order given.
    pub fn systems(&self) -> &[SystemSpec] {
        &self.systems
    }

    /// Every system's position.
    fn all(&self) -> Vec<usize> {
        (0..self.systems.len()).collect()
    }

    /// Whether one of the systems at positions `only` needs `leaf`.
    fn needs(&self, leaf: &Leaf, only: &[usize]) -> bool {
        self.needs_any(only, |l| l == leaf)
    }

    /// Whether one of the systems at positions `only` has a leaf `wanted` accepts.
    fn needs_any(&self, only: &[usize], wanted: impl Fn(&Leaf) -> bool) -> bool {
        only.iter().any(|&i| {
            self.systems
                .get(i)
                .is_some_and(|s| s.leaves().iter().any(&wanted))
        })
    }

    /// Whether one of the systems at positions `only` scores the SPLADE query vector.
    fn needs_splade(&self, only: &[usize]) -> bool {
        self.needs_any(only, Leaf::scores_splade_query)
    }

    /// The index statistics engine profiles read.
    pub fn profile_stats(&self) -> &ProfileStats {
        self.profile_stats
            .get_or_init(|| ProfileStats::of(&self.index))
    }

    /// Prepares one query for every system.
    pub fn prepare(&self, text: &str, qid: Option<&str>, edits: &QueryEdits) -> Result<Prepared> {
        self.prepare_for(text, qid, edits, &self.all())
    }

    /// Prepares one query for the systems at positions `only` (the explorer encodes only
    /// for the systems it shows).
    pub fn prepare_for(
        &self,
        text: &str,
        qid: Option<&str>,
        edits: &QueryEdits,
        only: &[usize],
    ) -> Result<Prepared> {
        let mut out = self.prepare_some(
            &[(qid.unwrap_or_default(), text)],
            edits,
            &self.what_if,
            only,
        )?;
        let mut p = out.pop().expect("one query in, one out");
        p.qid = qid.map(str::to_string);
        Ok(p)
    }

    /// Whether `q` holds what the systems at positions `only` need.
    pub fn is_prepared_for(&self, q: &Prepared, only: &[usize]) -> bool {
        (!self.needs_splade(only) || q.encoded.is_some())
            && (!self.needs(&Leaf::WhatIf, only) || q.what_if.is_some())
            && (!self.needs(&Leaf::SpladeB, only) || q.encoded_b.is_some())
            && (!self.needs(&Leaf::Dense, only) || q.dense.is_some())
    }

    /// Prepares many `(id, text)` queries for every system, encoding them in batches.
    pub fn prepare_batch(
        &self,
        queries: &[(&str, &str)],
        edits: &QueryEdits,
    ) -> Result<Vec<Prepared>> {
        self.prepare_some(queries, edits, &self.what_if, &self.all())
    }

    fn prepare_some(
        &self,
        queries: &[(&str, &str)],
        edits: &QueryEdits,
        what_if_edits: &WhatIf,
        only: &[usize],
    ) -> Result<Vec<Prepared>> {
        let texts: Vec<&str> = queries.iter().map(|q| q.1).collect();
        let analyse = self.needs(&Leaf::Bm25, only) || self.always_encode;
        let mut out: Vec<Prepared> = queries
            .iter()
            .map(|(id, text)| Prepared {
                text: text.to_string(),
                qid: Some(id.to_string()),
                bm25: if analyse {
                    self.index.analyzer().query_terms(text)
                } else {
                    Vec::new()
                },
                ..Prepared::default()
            })
            .collect();
        let n = queries.len().max(1) as u32;
        let what_if = self.needs(&Leaf::WhatIf, only);
        if self.needs_splade(only) || what_if || self.always_encode {
            let t = Instant::now();
            let encoded = self.encoder.encode_queries(&texts)?;
            let d = t.elapsed();
            for (p, e) in out.iter_mut().zip(encoded) {
                p.edited = Some(edits.apply(&e.vector));
                if what_if {
                    p.what_if = Some(what_if_edits.query.apply(&e.vector));
                    p.what_if_docs = what_if_edits.docs.clone();
                }
                p.encoded = Some(e);
                p.encode_time = d / n;
            }
        }
        if let (true, Some(b)) = (self.needs(&Leaf::SpladeB, only), &self.b) {
            let t = Instant::now();
            let encoded = b.encoder.encode_queries(&texts)?;
            let d = t.elapsed();
            for (p, e) in out.iter_mut().zip(encoded) {
                p.encoded_b = Some(e);
                p.encode_b_time = d / n;
            }
        }
        if let (true, Some(dense)) = (self.needs(&Leaf::Dense, only), &self.dense) {
            let t = Instant::now();
            let embedded = dense.encode_batch(&texts)?;
            let d = t.elapsed();
            for (p, e) in out.iter_mut().zip(embedded) {
                p.dense = Some(e);
                p.dense_time = d / n;
            }
        }
        Ok(out)
    }

    /// Ranks the query with every system, each leaf once; `hits` keep `depth` documents
    /// (fusions fuse their components' top `depth`).
    pub fn rank(&self, q: &Prepared, depth: usize) -> Result<Rankings> {
        self.rank_systems(q, depth, &self.all())
    }

    /// [`Pipeline::rank`] for the systems at positions `only`: [`Rankings::get`] answers
    /// for those alone.
    pub fn rank_systems(&self, q: &Prepared, depth: usize, only: &[usize]) -> Result<Rankings> {
        let mut leaves = HashMap::new();
        for s in only.iter().filter_map(|&i| self.systems.get(i)) {
            for leaf in s.leaves() {
                if let std::collections::hash_map::Entry::Vacant(slot) = leaves.entry(leaf) {
                    let t = Instant::now();
                    let r = self.rank_leaf(slot.key(), q, depth)?;
                    slot.insert((r, t.elapsed()));
                }
            }
        }
        let mut fused = HashMap::new();
        for (i, s) in self.systems.iter().enumerate() {
            if let (true, SystemSpec::Fused { fusion, a, b, .. }) = (only.contains(&i), s) {
                let t = Instant::now();
                let r = fusion::fuse(*fusion, &leaves[a].0, &leaves[b].0, depth);
                fused.insert(i, (r, t.elapsed()));
            }
        }
        Ok(Rankings { leaves, fused })
    }

    fn rank_leaf(&self, leaf: &Leaf, q: &Prepared, depth: usize) -> Result<Ranking> {
        let index = &self.index;
        let id = |d: u32| index.doc(d).map(|s| s.id.to_string());
        let unprepared = |what: &str| SystemError::Unavailable {
            system: leaf.name().to_string(),
            why: format!("the query was prepared without its {what}"),
        };
        Ok(match leaf {
            Leaf::Splade => {
                let v = q
                    .edited
                    .as_ref()
                    .ok_or_else(|| unprepared("SPLADE vector"))?;
                let scores = splade_scores_parallel(index, v, self.search_threads)?;
                Ranking::from_scores(scores, depth, &id)?
            }
            Leaf::Bm25 => {
                let scores = bm25_scores_parallel(index, &q.bm25, self.search_threads)?;
                Ranking::from_scores(scores, depth, &id)?
            }
            Leaf::Profile(_) => {
                let (profile, query) = self.engine_query(leaf, q)?;
                let exact = q
                    .edited
                    .as_ref()
                    .ok_or_else(|| unprepared("SPLADE vector"))?;
                let token = |t: u32| self.encoder.token(t).to_string();
                if let Some(why) = profile.refuses(exact, depth, &token) {
                    return Err(SystemError::Unavailable {
                        system: leaf.name().to_string(),
                        why,
                    });
                }
                let stats = self.profile_stats();
                let scores =
                    profile_scores(index, &profile, stats, &query, depth, self.search_threads)?;
                Ranking::from_scores(scores, depth, &id)?
            }
            Leaf::WhatIf => {
                let v = q
                    .what_if
                    .as_ref()
                    .ok_or_else(|| unprepared("what-if vector"))?;
                let scores = what_if_scores(
                    index,
                    &self.encoder,
                    v,
                    &q.what_if_docs,
                    &self.what_if_postings,
                    self.search_threads,
                )?;
                Ranking::from_scores(scores, depth, &id)?
            }
            Leaf::Dense => {
                let e = q.dense.as_ref().ok_or_else(|| unprepared("embedding"))?;
                let vectors = index.dense().ok_or_else(|| unprepared("dense part"))?;
                Ranking::from_scores(vectors.scores(e), depth, &id)?
            }
            Leaf::SpladeB => {
                let b = self.b.as_ref().ok_or_else(|| unprepared("second index"))?;
                let e = q.encoded_b.as_ref().ok_or_else(|| unprepared("B vector"))?;
                let scores = splade_scores_parallel(&b.index, &e.vector, self.search_threads)?;
                let to_main = |own: u32| {
                    Ok((
                        b.to_main.get(own as usize).copied().flatten(),
                        b.index.doc(own)?.id.to_string(),
                    ))
                };
                Ranking::from_mapped_scores(scores, b.to_own.clone(), depth, &to_main)?
            }
            Leaf::Run(name) => {
                let run = self.runs.get(name).ok_or_else(|| unprepared("run"))?;
                match q
                    .qid
                    .as_deref()
                    .and_then(|qid| run.get(qid).map(|d| (qid, d)))
                {
                    None => Ranking::absent(),
                    Some((qid, docs)) => {
                        let list = trec_ranking(qid, docs)?
                            .into_iter()
                            .map(|d| Ranked {
                                doc: index.find(&d.docid).ok(),
                                id: d.docid.clone(),
                                score: d.score,
                            })
                            .collect();
                        Ranking::from_list(list, depth)
                    }
                }
            }
        })
    }

    /// Explains the document `doc` (main number, or `None` with its `id` for a run's
    /// document outside the index) in system `system`; `k` is the cut-off for gaps.
    pub fn explain(
        &self,
        system: usize,
        q: &Prepared,
        rankings: &Rankings,
        doc: Option<u32>,
        id: &str,
        k: usize,
    ) -> Result<Explanation> {
        match &self.systems[system] {
            SystemSpec::Fused { fusion, a, b, .. } => {
                let fused = &rankings.fused[&system].0;
                Ok(Explanation::Fusion(fusion::explain(
                    *fusion,
                    [a.name(), b.name()],
                    [&rankings.leaves[a].0, &rankings.leaves[b].0],
                    fused,
                    doc,
                    id,
                    k,
                )))
            }
            s => {
                let leaf = s.leaves().remove(0);
                self.explain_leaf(&leaf, q, &rankings.leaves[&leaf].0, doc, id, k)
            }
        }
    }

    /// Explains a document in a leaf system given its ranking.
    pub fn explain_leaf(
        &self,
        leaf: &Leaf,
        q: &Prepared,
        ranking: &Ranking,
        doc: Option<u32>,
        id: &str,
        k: usize,
    ) -> Result<Explanation> {
        let not_indexed = |why: String| Explanation::NotIndexed {
            doc_id: id.to_string(),
            why,
        };
        let outside = || {
            not_indexed(format!(
                "{} does not hold this document",
                self.index.dir().display()
            ))
        };
        match leaf {
            // The what-if system is SPLADE with its own query and the documents' edited
            // weights; plain SPLADE has no document edits.
            Leaf::Splade | Leaf::WhatIf => {
                let Some(doc) = doc else { return Ok(outside()) };
                let what_if = *leaf == Leaf::WhatIf;
                let vector = if what_if { &q.what_if } else { &q.edited };
                let (Some(e), Some(v)) = (&q.encoded, vector) else {
                    return Ok(not_indexed("no SPLADE encoding".into()));
                };
                let searched = Encoded {
                    vector: v.clone(),
                    ..e.clone()
                };
                let mut factors = std::collections::HashMap::new();
                if what_if {
                    for &t in q.what_if_docs.scales.keys() {
                        factors.insert(t, self.what_if_factor(&q.what_if_docs, doc, t)?);
                    }
                }
                Ok(Explanation::Splade(explain_splade_edited(
                    &self.index,
                    &self.encoder,
                    &q.text,
                    &searched,
                    rank_info(ranking, doc, k),
                    doc,
                    &|t, w| factors.get(&t).map_or(w, |f| w * f),
                )?))
            }
            Leaf::Profile(_) => {
                let Some(doc) = doc else { return Ok(outside()) };
                let (profile, query) = self.engine_query(leaf, q)?;
                let window = self.rescored_window(&profile, &query, k)?;
                Ok(Explanation::Profile(explain_profile(
                    &self.index,
                    &self.encoder,
                    &profile,
                    self.profile_stats(),
                    &query,
                    rank_info(ranking, doc, k),
                    doc,
                    window.as_ref(),
                )?))
            }
            Leaf::Bm25 => {
                let Some(doc) = doc else { return Ok(outside()) };
                Ok(Explanation::Bm25(explain_bm25(
                    &self.index,
                    &q.bm25,
                    rank_info(ranking, doc, k),
                    doc,
                )?))
            }
            Leaf::SpladeB => {
                let (Some(b), Some(e)) = (&self.b, &q.encoded_b) else {
                    return Ok(not_indexed("no second index".into()));
                };
                let Ok(own) = b.index.find(id) else {
                    return Ok(not_indexed(format!(
                        "{} does not hold this document",
                        b.index.dir().display()
                    )));
                };
                Ok(Explanation::Splade(explain_splade(
                    &b.index,
                    &b.encoder,
                    &q.text,
                    e,
                    rank_info(ranking, own, k),
                    own,
                )?))
            }
            Leaf::Dense => {
                let Some(doc) = doc else { return Ok(outside()) };
                Ok(Explanation::Dense(ScoreOnly {
                    doc_id: id.to_string(),
                    position: ranking.position(Some(doc), id, k),
                    note: DENSE_NOTE,
                }))
            }
            Leaf::Run(_) => Ok(Explanation::Run(ScoreOnly {
                doc_id: id.to_string(),
                position: ranking.position(doc, id, k),
                note: RUN_NOTE,
            })),
        }
    }

    /// The documents OpenSearch two-phase rescores when `depth` hits are asked for (`None`
    /// for other profiles and queries without light tokens).
    pub fn rescored_window(
        &self,
        profile: &Profile,
        query: &EngineQuery,
        depth: usize,
    ) -> Result<Option<std::collections::HashSet<u32>>> {
        Ok(crate::profile::rescored_window(
            &self.index,
            profile,
            self.profile_stats(),
            query,
            depth,
            self.search_threads,
        )?)
    }

    /// A profile system's engine and the query it runs for `q` (from the SPLADE query
    /// vector, edits applied).
    pub fn engine_query(&self, leaf: &Leaf, q: &Prepared) -> Result<(Profile, EngineQuery)> {
        let unavailable = |why: &str| SystemError::Unavailable {
            system: leaf.name().to_string(),
            why: why.to_string(),
        };
        let profile = leaf
            .profile()
            .ok_or_else(|| unavailable("not an engine profile"))?;
        let v = q
            .edited
            .as_ref()
            .ok_or_else(|| unavailable("the query was prepared without its SPLADE vector"))?;
        let query = EngineQuery::new(&profile, v, &self.index, self.profile_stats());
        Ok((profile, query))
    }

    /// The factor document edits `docs` give term `t` in document `doc` (1 when
    /// unedited).
    pub fn what_if_factor(&self, docs: &DocEdits, doc: u32, t: u32) -> Result<f32> {
        if !docs.scales.contains_key(&t) {
            return Ok(1.0);
        }
        let p = self
            .what_if_postings
            .get(&self.index, &self.encoder, t, docs.expansions_only)?;
        let input = p
            .docs
            .binary_search(&doc)
            .is_ok_and(|i| p.input.get(i).copied().unwrap_or(false));
        Ok(factor(docs, t, input))
    }

    /// Whether a system reads run files (results looked up by query id).
    pub fn uses_runs(&self) -> bool {
        self.systems
            .iter()
            .any(|s| s.leaves().iter().any(|l| matches!(l, Leaf::Run(_))))
    }

    /// Runs `(id, text)` queries through every system: one TREC run per system (its top
    /// `depth`, scores as ranked), and what each SPLADE system's queries cost;
    /// `progress` gets the number of queries done.
    pub fn run_queries(
        &self,
        queries: &[(&str, &str)],
        depth: usize,
        progress: &mut dyn FnMut(usize),
    ) -> Result<QueryRuns> {
        self.run_queries_with(queries, depth, &self.what_if, &self.all(), progress)
    }

    /// [`Pipeline::run_queries`] for the systems at positions `only` (the others' runs are
    /// empty), with `what_if` as the `what-if` system's edits.
    pub fn run_queries_with(
        &self,
        queries: &[(&str, &str)],
        depth: usize,
        what_if: &WhatIf,
        only: &[usize],
        progress: &mut dyn FnMut(usize),
    ) -> Result<QueryRuns> {
        let mut runs = vec![Run::new(); self.systems.len()];
        let mut tallies: Vec<Option<CostTally>> = self
            .systems
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let sparse = matches!(
                    s,
                    SystemSpec::Leaf(
                        Leaf::Splade | Leaf::SpladeB | Leaf::WhatIf | Leaf::Profile(_)
                    )
                );
                (sparse && only.contains(&i)).then(CostTally::default)
            })
            .collect();
        let mut done = 0;
        for chunk in queries.chunks(BATCH) {
            for q in self.prepare_some(chunk, &QueryEdits::default(), what_if, only)? {
                let qid = q.qid.clone().unwrap_or_default();
                let rankings = self.rank_systems(&q, depth, only)?;
                for (i, run) in runs.iter_mut().enumerate() {
                    if !only.contains(&i) {
                        continue;
                    }
                    let (r, time) = rankings.get_timed(self, i);
                    if r.has_query {
                        run.set(
                            qid.clone(),
                            r.hits
                                .iter()
                                .map(|h| ScoredDoc::new(h.id.clone(), h.score))
                                .collect(),
                        );
                    }
                    if let Some(tally) = &mut tallies[i] {
                        match (&self.systems[i], &self.b) {
                            (SystemSpec::Leaf(Leaf::SpladeB), Some(b)) => {
                                if let Some(e) = &q.encoded_b {
                                    tally.add(&b.index, &e.vector, time);
                                }
                            }
                            (SystemSpec::Leaf(Leaf::WhatIf), _) => {
                                if let Some(v) = &q.what_if {
                                    tally.add(&self.index, v, time);
                                }
                            }
                            (SystemSpec::Leaf(leaf @ Leaf::Profile(_)), _) => {
                                let (_, query) = self.engine_query(leaf, &q)?;
                                tally.add(&self.index, &query.kept(), time);
                            }
                            _ => {
                                if let Some(v) = &q.edited {
                                    tally.add(&self.index, v, time);
                                }
                            }
                        }
                    }
                }
            }
            done += chunk.len();
            progress(done);
        }
        // A run system also scores judged queries that have no text.
        let with_text: std::collections::HashSet<&str> = queries.iter().map(|q| q.0).collect();
        for (i, s) in self.systems.iter().enumerate() {
            if !only.contains(&i) {
                continue;
            }
            if let SystemSpec::RunFile { name, .. } | SystemSpec::Leaf(Leaf::Run(name)) = s {
                for (qid, docs) in self.runs[name].iter() {
                    if with_text.contains(qid) {
                        continue;
                    }
                    let mut docs: Vec<ScoredDoc> =
                        trec_ranking(qid, docs)?.into_iter().cloned().collect();
                    docs.truncate(depth);
                    runs[i].set(qid, docs);
                }
            }
        }
        let costs = tallies
            .iter()
            .zip(&self.systems)
            .map(|(tally, spec)| {
                tally.as_ref().map(|t| match (spec, &self.b) {
                    (SystemSpec::Leaf(Leaf::SpladeB), Some(b)) => t.summary(&b.index),
                    _ => t.summary(&self.index),
                })
            })
            .collect();
        Ok(QueryRuns { runs, costs })
    }
}

/// The scores of every document of the index a SPLADE or BM25 ranking searched (such
/// rankings always keep them, [`Ranking::from_scores`]).
/// Where document `own` (a number of the ranking's own index) ranks in an index system's
/// ranking: the k-th score and the matching count come from the ranking when its hits reach
/// k or hold every match, so only the rank takes a pass over the scores.
fn rank_info(ranking: &Ranking, own: u32, k: usize) -> RankInfo {
    let scores = ranking
        .own_scores()
        .expect("index systems rank from every document's score");
    if ranking.hits.len() < k.min(ranking.matching) {
        return RankInfo::of(scores, own, k);
    }
    let kth = k.checked_sub(1).and_then(|i| ranking.hits.get(i));
    RankInfo::with_known(
        scores,
        own,
        k,
        kth.map(|h| h.score as f32),
        ranking.matching,
    )
}

impl Rankings {
    /// System `i`'s ranking.
    pub fn get<'a>(&'a self, pipeline: &Pipeline, i: usize) -> &'a Ranking {
        self.get_timed(pipeline, i).0
    }

    /// System `i`'s ranking and how long it took.
    pub fn get_timed<'a>(&'a self, pipeline: &Pipeline, i: usize) -> (&'a Ranking, Duration) {
        match &pipeline.systems[i] {
            SystemSpec::Fused { .. } => {
                let (r, d) = &self.fused[&i];
                (r, *d)
            }
            s => {
                let (r, d) = &self.leaves[&s.leaves()[0]];
                (r, *d)
            }
        }
    }

    /// A leaf's ranking, if it ran.
    pub fn leaf(&self, leaf: &Leaf) -> Option<&Ranking> {
        self.leaf_timed(leaf).map(|r| r.0)
    }

    /// A leaf's ranking and how long it took, if it ran.
    pub fn leaf_timed(&self, leaf: &Leaf) -> Option<(&Ranking, Duration)> {
        self.leaves.get(leaf).map(|(r, d)| (r, *d))
    }
}
