//! BM25 (Robertson and Zaragoza's Okapi BM25, with Lucene's always-positive idf) and
//! what lets a search read only the episodes that can reach its top k.
//!
//! A term's weight is `idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len / avg_len))`,
//! summed over the distinct query terms an episode holds. The weight never exceeds the
//! term's bound, `idf * (K1 + 1)`, so an episode scoring `threshold` or more holds a
//! set of query terms whose bounds add up to `threshold` ([`Query::matching`]). As a
//! tsquery of those sets, the index itself leaves out every episode that cannot reach
//! the threshold (the idea of MaxScore, Turtle and Flood 1995, evaluated by GIN,
//! which reads only the postings of the terms every set needs one of).

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

/// The most terms a search uses.
pub const MAX_TERMS: usize = 32;

/// The most term sets [`Query::matching`] gives before it falls back to single terms.
pub const MAX_SETS: usize = 64;

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
    pub fn plan(mut terms: Vec<(Vec<u8>, u64, u32)>, episodes: u64, total_len: u64) -> Query {
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
        let terms = terms
            .into_iter()
            .map(|(lexeme, df, _)| (lexeme, idf(episodes, df)))
            .collect();
        Query::new(terms, avg_len)
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

    /// Each term's bound, in search order (highest first).
    pub fn bounds(&self) -> Vec<f64> {
        self.terms.iter().map(|t| upper_bound(t.1)).collect()
    }

    /// The least sets of terms (indexes in search order) whose bounds add up to
    /// `threshold`, less a margin for scores rounded to `real`: an episode scoring
    /// `threshold` or more holds every term of at least one set. With a threshold of 0
    /// or less, every term on its own. Past [`MAX_SETS`] sets, sets are cut at three
    /// terms, then two, then one, keeping those that later terms could complete: an
    /// episode's first terms (in search order) still form one of them. Fewer sets,
    /// more episodes.
    pub fn matching(&self, threshold: f64) -> Vec<Vec<usize>> {
        let bounds = self.bounds();
        if threshold <= 0.0 {
            return (0..bounds.len()).map(|i| vec![i]).collect();
        }
        let mut rest = vec![0.0; bounds.len() + 1];
        for i in (0..bounds.len()).rev() {
            rest[i] = rest[i + 1] + bounds[i];
        }
        for longest in [usize::MAX, 3, 2, 1] {
            let mut sets = Sets {
                bounds: &bounds,
                rest: &rest,
                threshold: threshold * (1.0 - 1e-6),
                longest,
                found: Vec::new(),
            };
            if sets.from(0, 0.0, &mut Vec::new()) {
                return sets.found;
            }
        }
        unreachable!("sets of one term are at most MAX_TERMS <= MAX_SETS")
    }

    /// The episode's BM25 score.
    pub fn score(&self, doc: &TsVector) -> f64 {
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
        // Summed in search order, so equal episodes get bit-equal scores.
        found
            .iter()
            .map(|&(t, tf)| weight(self.terms[t].1, tf as f64, len, self.avg_len))
            .sum()
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

/// Depth first over terms in bound order: a set is complete as soon as it reaches
/// the threshold (its last, smallest term is needed, so every set is least), or when
/// it has `longest` terms and later ones could take it there; a branch ends when all
/// later bounds together cannot reach it.
struct Sets<'a> {
    bounds: &'a [f64],
    rest: &'a [f64],
    threshold: f64,
    longest: usize,
    found: Vec<Vec<usize>>,
}

impl Sets<'_> {
    /// False past MAX_SETS.
    fn from(&mut self, first: usize, sum: f64, set: &mut Vec<usize>) -> bool {
        for j in first..self.bounds.len() {
            if sum + self.rest[j] < self.threshold {
                break;
            }
            set.push(j);
            let with = sum + self.bounds[j];
            let within = if with >= self.threshold || set.len() == self.longest {
                self.found.push(set.clone());
                self.found.len() <= MAX_SETS
            } else {
                self.from(j + 1, with, set)
            };
            set.pop();
            if !within {
                return false;
            }
        }
        true
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
    fn rarest_first() {
        let q = Query::plan(
            terms(&[("flight", 900), ("seattl", 3), ("a", 1), ("b", 1)]),
            1000,
            20_000,
        );
        let order: Vec<&[u8]> = q.lexemes().collect();
        assert_eq!(order, [b"a".as_slice(), b"b", b"seattl", b"flight"]);
        let bounds = q.bounds();
        assert!(bounds.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn matching_sets_are_the_least_that_reach_the_threshold() {
        let q = Query::plan(
            terms(&[("a", 1), ("b", 10), ("c", 100), ("d", 400)]),
            1000,
            10_000,
        );
        let b = q.bounds();
        assert_eq!(q.matching(0.0), [vec![0], vec![1], vec![2], vec![3]]);
        assert_eq!(
            q.matching(b[0]),
            [vec![0], vec![1, 2], vec![1, 3]]
                .iter()
                .filter(|s| s.iter().map(|&i| b[i]).sum::<f64>() >= b[0] * (1.0 - 1e-6))
                .cloned()
                .collect::<Vec<_>>()
        );
        assert_eq!(q.matching(b.iter().sum()), [vec![0, 1, 2, 3]]);
        assert!(q.matching(b.iter().sum::<f64>() * 2.0).is_empty());
        // Too many sets: cut short, down to the terms one of which every episode
        // reaching the threshold must hold.
        let many: Vec<(Vec<u8>, u64, u32)> = (0..30u64)
            .map(|i| (format!("t{i:02}").into_bytes(), 50, 1))
            .collect();
        let q = Query::plan(many, 1000, 10_000);
        let b = q.bounds();
        let sets = q.matching(b[0] * 10.0);
        assert!(sets.iter().all(|s| s.len() == 1));
        assert_eq!(sets.len(), 21);
        // 12 equal terms, 3.5 of them needed: 495 sets of four, 165 of three that a
        // later term could complete, then 45 such pairs (both among the first ten).
        let twelve: Vec<(Vec<u8>, u64, u32)> = (0..12u64)
            .map(|i| (format!("t{i:02}").into_bytes(), 50, 1))
            .collect();
        let q = Query::plan(twelve, 1000, 10_000);
        let sets = q.matching(q.bounds()[0] * 3.5);
        assert_eq!(sets.len(), 45);
        assert!(sets.iter().all(|s| s.len() == 2 && s[1] <= 9));
    }

    #[test]
    fn long_queries_keep_their_most_significant_terms() {
        let mut list: Vec<(Vec<u8>, u64, u32)> = (0..100u64)
            .map(|i| (format!("w{i:03}").into_bytes(), 10 + i, 1))
            .collect();
        list.push((b"topic".to_vec(), 500, 40));
        let q = Query::plan(list, 1000, 10_000);
        assert_eq!(q.lexemes().count(), MAX_TERMS);
        let kept: Vec<&[u8]> = q.lexemes().collect();
        assert!(kept.contains(&b"topic".as_slice()));
        assert!(kept.contains(&b"w000".as_slice()) && !kept.contains(&b"w099".as_slice()));
    }

    #[test]
    fn scores() {
        let q = Query::plan(terms(&[("book", 10), ("sea", 2)]), 100, 1000);
        let doc = build(&[("book", 1), ("sea", 2), ("x", 7)]);
        let doc = TsVector::parse(&doc).unwrap();
        let expected = weight(idf(100, 2), 2.0, 10.0, 10.0) + weight(idf(100, 10), 1.0, 10.0, 10.0);
        assert!((q.score(&doc) - expected).abs() < 1e-12);
    }

    #[test]
    fn damaged_queries_are_refused() {
        let q = Query::plan(terms(&[("book", 10)]), 100, 1000);
        let bytes = q.encode();
        assert_eq!(Query::decode(&bytes), Ok(q));
        assert!(Query::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(Query::decode(&[]).is_err());
    }

    proptest! {
        /// Both lookup strategies give the same score, equal to the plain formula; and
        /// whatever the threshold up to its score, the episode holds one matching set.
        #[test]
        fn score_matches_the_formula_and_the_sets(
            doc_words in proptest::collection::btree_map("[a-e]{1,2}", 1u16..5, 0..12),
            query in proptest::collection::btree_map("[a-e]{1,2}", 1u64..50, 1..14),
            fraction in 0.0f64..=1.0,
        ) {
            let lexemes: Vec<(&str, u16)> = doc_words.iter().map(|(w, n)| (w.as_str(), *n)).collect();
            let bytes = build(&lexemes);
            let doc = TsVector::parse(&bytes).unwrap();
            let list: Vec<(Vec<u8>, u64, u32)> = query.iter().map(|(w, n)| (w.as_bytes().to_vec(), *n, 1)).collect();
            let q = Query::plan(list, 60, 600);
            let len: f64 = doc_words.values().map(|&n| n as f64).sum();
            let mut expected = 0.0;
            let mut held = Vec::new();
            for (i, (lexeme, idf)) in q.terms.iter().enumerate() {
                if let Some(n) = doc_words.get(std::str::from_utf8(lexeme).unwrap()) {
                    expected += weight(*idf, *n as f64, len, 10.0);
                    held.push(i);
                }
            }
            let got = q.score(&doc);
            prop_assert!((got - expected).abs() < 1e-9);
            prop_assert_eq!(Query::decode(&q.encode()).unwrap().score(&doc), got);
            if got > 0.0 {
                let sets = q.matching(got * fraction);
                prop_assert!(sets.iter().any(|s| s.iter().all(|t| held.contains(t))));
            }
        }
    }
}
