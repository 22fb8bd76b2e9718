//! Explanations side by side ([`crate::search::compare`]): one document under both
//! checkpoints (`splade` and `splade-b`), or two documents under the main SPLADE system.
//! Each side's document is encoded again for its term sources where that is possible
//! ([`DocumentSources`]); otherwise its terms have none.

use super::error::{Result, SystemError};
use super::explain::Explanation;
use super::pipeline::{Pipeline, Prepared, Rankings};
use super::spec::Leaf;
use crate::encoder::SparseEncoder;
use crate::index::Index;
use crate::search::compare::{compare, Side, SpladeComparison};
use crate::search::{DocumentSources, SpladeExplanation};
use crate::sparse::SparseVector;

/// One side's explanation with its document's sources attached, and its document vector.
struct Explained {
    explanation: SpladeExplanation,
    doc: SparseVector,
}

impl Pipeline {
    /// Document `id` under checkpoint A (`splade`, its query as edited) and checkpoint B
    /// (`splade-b`, its own query encoding), term by term: why it moved between them.
    pub fn explain_checkpoints(
        &self,
        q: &Prepared,
        rankings: &Rankings,
        id: &str,
        k: usize,
    ) -> Result<SpladeComparison> {
        let b = self
            .b
            .as_ref()
            .ok_or_else(|| unavailable("no second index (--compare)"))?;
        let a_side = self.explained(&Leaf::Splade, q, rankings, id, k)?;
        let b_side = self.explained(&Leaf::SpladeB, q, rankings, id, k)?;
        let qa = q
            .edited
            .as_ref()
            .ok_or_else(|| unavailable("no SPLADE encoding"))?;
        let qb = &q
            .encoded_b
            .as_ref()
            .ok_or_else(|| unavailable("no encoding with B's model"))?
            .vector;
        let (ta, tb) = (token_of(&self.encoder), token_of(&b.encoder));
        Ok(compare(
            Side {
                explanation: &a_side.explanation,
                query: qa,
                doc: &a_side.doc,
                token: &ta,
            },
            Side {
                explanation: &b_side.explanation,
                query: qb,
                doc: &b_side.doc,
                token: &tb,
            },
        ))
    }

    /// Documents `a` and `b` under the main SPLADE system (its query as edited), term by
    /// term: why one scores above the other.
    pub fn explain_pair(
        &self,
        q: &Prepared,
        rankings: &Rankings,
        a: &str,
        b: &str,
        k: usize,
    ) -> Result<SpladeComparison> {
        let query = q
            .edited
            .as_ref()
            .ok_or_else(|| unavailable("no SPLADE encoding"))?;
        let a_side = self.explained(&Leaf::Splade, q, rankings, a, k)?;
        let b_side = self.explained(&Leaf::Splade, q, rankings, b, k)?;
        let token = token_of(&self.encoder);
        Ok(compare(
            Side {
                explanation: &a_side.explanation,
                query,
                doc: &a_side.doc,
                token: &token,
            },
            Side {
                explanation: &b_side.explanation,
                query,
                doc: &b_side.doc,
                token: &token,
            },
        ))
    }

    /// The SPLADE explanation of document `id` in `leaf` (`splade` or `splade-b`), with its
    /// document's sources when they can be known, and its stored vector.
    fn explained(
        &self,
        leaf: &Leaf,
        q: &Prepared,
        rankings: &Rankings,
        id: &str,
        k: usize,
    ) -> Result<Explained> {
        let (index, encoder): (&Index, &SparseEncoder) = match (leaf, &self.b) {
            (Leaf::SpladeB, Some(b)) => (&b.index, &b.encoder),
            _ => (&self.index, &self.encoder),
        };
        let ranking = rankings
            .leaf(leaf)
            .ok_or_else(|| unavailable(&format!("{} did not run", leaf.name())))?;
        let main_doc = self.index.find(id).ok();
        let explanation = match self.explain_leaf(leaf, q, ranking, main_doc, id, k)? {
            Explanation::Splade(x) => x,
            Explanation::NotIndexed { why, .. } => {
                return Err(unavailable(&format!("document {id:?}: {why}")))
            }
            _ => unreachable!("SPLADE explains by terms"),
        };
        let own = index.find(id)?;
        let mut explanation = explanation;
        if let Ok(sources) = DocumentSources::of(index, encoder, own)? {
            sources.attach(&mut explanation);
        }
        Ok(Explained {
            explanation,
            doc: index.vector(own)?,
        })
    }
}

fn token_of(encoder: &SparseEncoder) -> impl Fn(u32) -> String + '_ {
    move |id| encoder.token(id).to_string()
}

fn unavailable(why: &str) -> SystemError {
    SystemError::Unavailable {
        system: "splade".into(),
        why: why.to_string(),
    }
}
