//! BM25 (Robertson and Zaragoza's Okapi BM25, with Lucene's always-positive idf) and
//! the plan that lets a search score only the episodes that can reach its top k.
//!
//! A term's weight is `idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len / avg_len))`,
//! summed over the distinct query terms an episode holds. The weight never exceeds
//! `idf * (K1 + 1)`, which is what makes an early stop exact (MaxScore, Turtle and
//! Flood 1995): terms are taken rarest first, in steps; after each step every episode
//! not yet seen holds only later terms, so it scores at most the sum of their bounds,
//! and once the k-th best score so far is above that sum, the search is complete.

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

/// One step of a search: the terms `first..end` (in search order) and the most any
/// episode holding none of the terms up to `end` can score.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub first: usize,
    pub end: usize,
    pub rest_bound: f64,
}

/// Below this many terms, each is looked up in the episode; above, each lexeme of the
/// episode is looked up in the query.
const FEW_TERMS: usize = 8;

impl Query {
    /// `terms`: (lexeme, episodes holding it) for each distinct query term that at
    /// least one of the user's `episodes` holds; `total_len`: their summed lengths.
    /// Terms are ordered rarest first (then by lexeme), and grouped into steps whose
    /// episode counts double, so a long query takes few steps and a short one stops
    /// after its rarest terms.
    pub fn plan(mut terms: Vec<(Vec<u8>, u64)>, episodes: u64, total_len: u64) -> (Query, Vec<Step>) {
        terms.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        terms.dedup_by(|a, b| a.0 == b.0);
        let avg_len = if episodes == 0 { 1.0 } else { (total_len as f64 / episodes as f64).max(1.0) };
        let mut steps = Vec::new();
        let (mut first, mut fetched) = (0, 0u64);
        while first < terms.len() {
            let budget = fetched.max(terms[first].1);
            let (mut end, mut step_df) = (first + 1, terms[first].1);
            while end < terms.len() && step_df + terms[end].1 <= budget {
                step_df += terms[end].1;
                end += 1;
            }
            fetched += step_df;
            steps.push(Step { first, end, rest_bound: 0.0 });
            first = end;
        }
        let terms: Vec<(Vec<u8>, f64)> =
            terms.into_iter().map(|(lexeme, df)| (lexeme, idf(episodes, df))).collect();
        for step in &mut steps {
            step.rest_bound = terms[step.end..].iter().map(|t| upper_bound(t.1)).sum();
        }
        (Query::new(terms, avg_len), steps)
    }

    fn new(terms: Vec<(Vec<u8>, f64)>, avg_len: f64) -> Query {
        let mut by_lexeme: Vec<usize> = (0..terms.len()).collect();
        by_lexeme.sort_by(|&a, &b| terms[a].0.cmp(&terms[b].0));
        Query { terms, avg_len, by_lexeme }
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
                if let Ok(k) = self.by_lexeme.binary_search_by(|&t| self.terms[t].0.as_slice().cmp(lexeme)) {
                    found.push((self.by_lexeme[k], doc.frequency(i)));
                }
            }
            found.sort_unstable();
        }
        if found.iter().any(|&(t, _)| t < skip) {
            return None;
        }
        // Summed in search order, so equal episodes get bit-equal scores.
        Some(found.iter().map(|&(t, tf)| weight(self.terms[t].1, tf as f64, len, self.avg_len)).sum())
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
        if !bytes.is_empty() || !(avg_len >= 1.0) {
            return Err(Malformed);
        }
        Ok(Query::new(terms, avg_len))
    }
}

fn take<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], Malformed> {
    let head: [u8; N] = bytes.get(..N).ok_or(Malformed)?.try_into().map_err(|_| Malformed)?;
    *bytes = &bytes[N..];
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsvector::build;
    use proptest::prelude::*;

    fn terms(list: &[(&str, u64)]) -> Vec<(Vec<u8>, u64)> {
        list.iter().map(|(l, n)| (l.as_bytes().to_vec(), *n)).collect()
    }

    #[test]
    fn rare_terms_weigh_more() {
        assert!(idf(1000, 1) > idf(1000, 10));
        assert!(idf(1000, 1000) > 0.0);
        assert!(idf(10, 50) > 0.0);
    }

    #[test]
    fn rarest_first_in_doubling_steps() {
        let (q, steps) = Query::plan(terms(&[("flight", 900), ("seattl", 3), ("a", 1), ("b", 1), ("c", 2)]), 1000, 20_000);
        let order: Vec<&[u8]> = q.lexemes().collect();
        assert_eq!(order, [b"a".as_slice(), b"b", b"c", b"seattl", b"flight"]);
        let ranges: Vec<(usize, usize)> = steps.iter().map(|s| (s.first, s.end)).collect();
        assert_eq!(ranges, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]);
        assert!((steps[3].rest_bound - upper_bound(idf(1000, 900))).abs() < 1e-12);
        assert_eq!(steps[4].rest_bound, 0.0);
        let (_, steps) = Query::plan(terms(&[("a", 1), ("b", 1), ("c", 1), ("d", 1), ("e", 1)]), 10, 100);
        let ranges: Vec<(usize, usize)> = steps.iter().map(|s| (s.first, s.end)).collect();
        assert_eq!(ranges, [(0, 1), (1, 2), (2, 4), (4, 5)]);
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
            let list: Vec<(Vec<u8>, u64)> = query.iter().map(|(w, n)| (w.as_bytes().to_vec(), *n)).collect();
            let (q, steps) = Query::plan(list, 60, 600);
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
            prop_assert_eq!(steps.last().map(|s| s.end), Some(q.terms.len()));
        }
    }
}
