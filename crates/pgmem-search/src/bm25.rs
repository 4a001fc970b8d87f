//! BM25 (Robertson and Zaragoza's Okapi BM25, with Lucene's always-positive idf) and
//! the plan that lets a search score only the episodes that can reach its top k.
//!
//! A term's weight is `idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len / avg_len))`,
//! summed over the distinct query terms an episode holds. The weight never exceeds
//! `idf * (K1 + 1)`, which is what makes skipping exact (MaxScore, Turtle and Flood
//! 1995): with terms rarest first, an episode holding none of the terms up to `i`
//! scores at most the sum of the later terms' bounds, `rest_bound` of term `i`. A
//! search scores the episodes of the rarest terms first; once their k-th best score
//! is above the `rest_bound` of some term, episodes holding only later terms cannot
//! enter the top k and are never read.

use crate::tsvector::{Malformed, TsVector};

/// Term frequency saturation.
pub const K1: f64 = 1.2;
/// Length normalisation.
pub const B: f64 = 0.75;

/// Inverse document frequency of a term held by `with_term` of `episodes`.
pub fn idf(episodes: u64, with_term: u64) -> f64 {
    let (n, df) = (episodes as f64, with_term.min(episodes) as f64);
    ((n - df + 0.5) / (df + 0.5)).ln_1p()
}

/// The most a term of this idf adds to any episode's score.
pub fn upper_bound(idf: f64) -> f64 {
    idf * (K1 + 1.0)
}

fn weight(idf: f64, tf: f64, len: f64, avg_len: f64) -> f64 {
    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg_len))
}

/// The query terms a user's episodes hold, in search order, with their idf.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    terms: Vec<(Vec<u8>, f64)>,
    avg_len: f64,
    /// Term indexes in lexeme order, to look up an episode's lexemes.
    by_lexeme: Vec<usize>,
}

/// A query term in search order: how many episodes hold it, and the most an episode
/// holding none of the terms up to and including it can score.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub episodes: u64,
    pub rest_bound: f64,
}

/// The most terms a search uses.
pub const MAX_TERMS: usize = 32;

/// Below this many terms, each is looked up in the episode; above, each lexeme of the
/// episode is looked up in the query.
const FEW_TERMS: usize = 8;

impl Query {
    /// `terms`: (lexeme, episodes holding it, occurrences in the query) for each
    /// distinct query term that at least one of the user's `episodes` holds;
    /// `total_len`: their summed lengths. A query of more than [`MAX_TERMS`] terms keeps
    /// its most significant ones (occurrences times idf, as Lucene's MoreLikeThis
    /// chooses them): each further term would make every search read more episodes.
    /// Terms are ordered rarest first, then by lexeme.
    pub fn plan(
        mut terms: Vec<(Vec<u8>, u64, u32)>,
        episodes: u64,
        total_len: u64,
    ) -> (Query, Vec<Term>) {
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        terms.dedup_by(|a, b| a.0 == b.0);
        if terms.len() > MAX_TERMS {
            let weight = |t: &(Vec<u8>, u64, u32)| f64::from(t.2.max(1)) * idf(episodes, t.1);
            terms.sort_by(|a, b| {
                weight(b)
                    .total_cmp(&weight(a))
                    .then_with(|| a.1.cmp(&b.1))
                    .then_with(|| a.0.cmp(&b.0))
            });
            terms.truncate(MAX_TERMS);
        }
        terms.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let avg_len = if episodes == 0 {
            1.0
        } else {
            (total_len as f64 / episodes as f64).max(1.0)
        };
        let idfs: Vec<f64> = terms.iter().map(|t| idf(episodes, t.1)).collect();
        let mut rest = 0.0;
        let mut plan: Vec<Term> = Vec::with_capacity(terms.len());
        for (t, w) in terms.iter().zip(&idfs).rev() {
            plan.push(Term {
                episodes: t.1,
                rest_bound: rest,
            });
            rest += upper_bound(*w);
        }
        plan.reverse();
        let terms = terms
            .into_iter()
            .zip(idfs)
            .map(|((lexeme, ..), w)| (lexeme, w))
            .collect();
        (Query::new(terms, avg_len), plan)
    }

    fn new(terms: Vec<(Vec<u8>, f64)>, avg_len: f64) -> Query {
        let mut by_lexeme: Vec<usize> = (0..terms.len()).collect();
        by_lexeme.sort_by(|&a, &b| terms[a].0.cmp(&terms[b].0));
        Query {
            terms,
            avg_len,
            by_lexeme,
        }
    }

    pub fn lexemes(&self) -> impl Iterator<Item = &[u8]> {
        self.terms.iter().map(|t| t.0.as_slice())
    }

    /// The episode's BM25 score, or None when it holds one of the first `skip` terms
    /// (an earlier step scored it).
    pub fn score(&self, doc: &TsVector, skip: usize) -> Option<f64> {
        let len = doc.length() as f64;
        let mut found: Vec<(usize, u32)> = Vec::new();
        if self.terms.len() <= FEW_TERMS {
            for (t, (lexeme, _)) in self.terms.iter().enumerate() {
                if let Some(i) = doc.find(lexeme) {
                    found.push((t, doc.frequency(i)));
                }
            }
        } else {
            for i in 0..doc.len() {
                let lexeme = doc.lexeme(i);
                if let Ok(k) = self
                    .by_lexeme
                    .binary_search_by(|&t| self.terms[t].0.as_slice().cmp(lexeme))
                {
                    found.push((self.by_lexeme[k], doc.frequency(i)));
                }
            }
            found.sort_unstable();
        }
        if found.iter().any(|&(t, _)| t < skip) {
            return None;
        }
        // Summed in search order, so equal episodes get bit-equal scores.
        Some(
            found
                .iter()
                .map(|&(t, tf)| weight(self.terms[t].1, tf as f64, len, self.avg_len))
                .sum(),
        )
    }

    /// The query as bytes, to pass from one SQL call to the next.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.avg_len.to_le_bytes().to_vec();
        out.extend((self.terms.len() as u32).to_le_bytes());
        for (lexeme, idf) in &self.terms {
            out.extend(idf.to_le_bytes());
            out.extend((lexeme.len() as u32).to_le_bytes());
            out.extend(lexeme);
        }
        out
    }

    pub fn decode(mut bytes: &[u8]) -> Result<Query, Malformed> {
        let avg_len = f64::from_le_bytes(take::<8>(&mut bytes)?);
        let count = u32::from_le_bytes(take::<4>(&mut bytes)?) as usize;
        let mut terms = Vec::with_capacity(count.min(bytes.len() / 12));
        for _ in 0..count {
            let idf = f64::from_le_bytes(take::<8>(&mut bytes)?);
            let len = u32::from_le_bytes(take::<4>(&mut bytes)?) as usize;
            let lexeme = bytes.get(..len).ok_or(Malformed)?.to_vec();
            bytes = &bytes[len..];
            terms.push((lexeme, idf));
        }
        if !bytes.is_empty() || avg_len.is_nan() || avg_len < 1.0 {
            return Err(Malformed);
        }
        Ok(Query::new(terms, avg_len))
    }
}

fn take<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], Malformed> {
    let head: [u8; N] = bytes
        .get(..N)
        .ok_or(Malformed)?
        .try_into()
        .map_err(|_| Malformed)?;
    *bytes = &bytes[N..];
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsvector::build;
    use proptest::prelude::*;

    fn terms(list: &[(&str, u64)]) -> Vec<(Vec<u8>, u64, u32)> {
        list.iter()
            .map(|(l, n)| (l.as_bytes().to_vec(), *n, 1))
            .collect()
    }

    #[test]
    fn rare_terms_weigh_more() {
        assert!(idf(1000, 1) > idf(1000, 10));
        assert!(idf(1000, 1000) > 0.0);
        assert!(idf(10, 50) > 0.0);
    }

    #[test]
    fn rarest_first_with_the_bound_of_the_rest() {
        let (q, plan) = Query::plan(
            terms(&[("flight", 900), ("seattl", 3), ("a", 1), ("b", 1)]),
            1000,
            20_000,
        );
        let order: Vec<&[u8]> = q.lexemes().collect();
        assert_eq!(order, [b"a".as_slice(), b"b", b"seattl", b"flight"]);
        assert_eq!(
            plan.iter().map(|t| t.episodes).collect::<Vec<_>>(),
            [1, 1, 3, 900]
        );
        assert!((plan[2].rest_bound - upper_bound(idf(1000, 900))).abs() < 1e-12);
        assert!(plan[0].rest_bound > plan[1].rest_bound && plan[1].rest_bound > plan[2].rest_bound);
        assert_eq!(plan[3].rest_bound, 0.0);
    }

    #[test]
    fn long_queries_keep_their_most_significant_terms() {
        let mut list: Vec<(Vec<u8>, u64, u32)> = (0..100u64)
            .map(|i| (format!("w{i:03}").into_bytes(), 10 + i, 1))
            .collect();
        list.push((b"topic".to_vec(), 500, 40));
        let (q, plan) = Query::plan(list, 1000, 10_000);
        assert_eq!(plan.len(), MAX_TERMS);
        let kept: Vec<&[u8]> = q.lexemes().collect();
        assert!(kept.contains(&b"topic".as_slice()));
        assert!(kept.contains(&b"w000".as_slice()) && !kept.contains(&b"w099".as_slice()));
    }

    #[test]
    fn scores_and_skips() {
        let (q, _) = Query::plan(terms(&[("book", 10), ("sea", 2)]), 100, 1000);
        let doc = build(&[("book", 1), ("sea", 2), ("x", 7)]);
        let doc = TsVector::parse(&doc).unwrap();
        let expected = weight(idf(100, 2), 2.0, 10.0, 10.0) + weight(idf(100, 10), 1.0, 10.0, 10.0);
        assert!((q.score(&doc, 0).unwrap() - expected).abs() < 1e-12);
        assert_eq!(q.score(&doc, 1), None);
        let other = build(&[("book", 1)]);
        assert!(q.score(&TsVector::parse(&other).unwrap(), 1).is_some());
    }

    #[test]
    fn damaged_queries_are_refused() {
        let (q, _) = Query::plan(terms(&[("book", 10)]), 100, 1000);
        let bytes = q.encode();
        assert_eq!(Query::decode(&bytes), Ok(q));
        assert!(Query::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(Query::decode(&[]).is_err());
    }

    proptest! {
        /// Both lookup strategies give the same score, equal to the plain formula,
        /// and no score exceeds the sum of the bounds.
        #[test]
        fn score_matches_the_formula(
            doc_words in proptest::collection::btree_map("[a-e]{1,2}", 1u16..5, 0..12),
            query in proptest::collection::btree_map("[a-e]{1,2}", 1u64..50, 1..14),
        ) {
            let lexemes: Vec<(&str, u16)> = doc_words.iter().map(|(w, n)| (w.as_str(), *n)).collect();
            let bytes = build(&lexemes);
            let doc = TsVector::parse(&bytes).unwrap();
            let list: Vec<(Vec<u8>, u64, u32)> = query.iter().map(|(w, n)| (w.as_bytes().to_vec(), *n, 1)).collect();
            let (q, plan) = Query::plan(list, 60, 600);
            let len: f64 = doc_words.values().map(|&n| n as f64).sum();
            let mut expected = 0.0;
            let mut bound = 0.0;
            for (lexeme, idf) in &q.terms {
                bound += upper_bound(*idf);
                if let Some(n) = doc_words.get(std::str::from_utf8(lexeme).unwrap()) {
                    expected += weight(*idf, *n as f64, len, 10.0);
                }
            }
            let got = q.score(&doc, 0).unwrap();
            prop_assert!((got - expected).abs() < 1e-9);
            prop_assert!(got <= bound + 1e-9);
            prop_assert_eq!(Query::decode(&q.encode()).unwrap().score(&doc, 0), Some(got));
            prop_assert_eq!(plan.len(), q.terms.len());
            prop_assert!(plan[0].rest_bound <= bound);
        }
    }
}
