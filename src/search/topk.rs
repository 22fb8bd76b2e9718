//! [`TopK`]: the `k` best `(document, score)` pairs seen so far, in the order every search
//! path ranks by: score descending, ties by document number ascending.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::Hit;

/// One candidate; `Ord` puts the worse of two first-out (a max-heap's top is the worst).
#[derive(Debug, Clone, Copy)]
struct Entry(Hit);

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then(self.0.doc.cmp(&other.0.doc))
    }
}

/// The best `k` hits offered so far.
#[derive(Debug, Clone)]
pub struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
}

impl TopK {
    /// An empty top-`k`.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k.min(1 << 16) + 1),
        }
    }

    /// Whether `k` hits are held (from then on a hit must beat the worst to enter).
    pub fn is_full(&self) -> bool {
        self.heap.len() >= self.k
    }

    /// The score a hit must reach to enter, once full (`None` before: anything enters).
    pub fn threshold(&self) -> Option<f32> {
        if self.is_full() {
            self.heap.peek().map(|e| e.0.score)
        } else {
            None
        }
    }

    /// Offers a hit; it enters if there is room or it ranks above the worst held.
    pub fn offer(&mut self, doc: u32, score: f32) {
        if self.k == 0 {
            return;
        }
        let entry = Entry(Hit { doc, score });
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if entry < *worst {
                *worst = entry;
            }
        }
    }

    /// The hits, best first.
    pub fn into_hits(self) -> Vec<Hit> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| e.0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_order_of_offers_gives_the_sorted_prefix(
            scores in proptest::collection::vec(prop_oneof![Just(1.0f32), Just(2.0), 0.1f32..5.0], 0..80),
            k in 0usize..20,
            seed in any::<u64>(),
        ) {
            let mut hits: Vec<Hit> = scores.iter().enumerate()
                .map(|(d, &score)| Hit { doc: d as u32, score }).collect();
            let mut want = hits.clone();
            want.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc)));
            want.truncate(k);
            // A deterministic shuffle.
            let mut state = seed | 1;
            for i in (1..hits.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                hits.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let mut top = TopK::new(k);
            for h in &hits {
                top.offer(h.doc, h.score);
            }
            prop_assert_eq!(top.into_hits(), want);
        }
    }
}
