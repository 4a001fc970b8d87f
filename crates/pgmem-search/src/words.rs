//! The ranking of versions before 0.6.0: an episode scores one point for every
//! distinct word of the query that is also a word of its content. A database not yet
//! updated to 0.6.0 still calls it (`pgmem_word_score`) through the current library.
//!
//! A word is a maximal run of alphanumeric characters (Unicode), compared without case
//! (Unicode lowercase, whatever the database's locale).

/// The distinct words of `text`, lowercased, in first-seen order.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in split(text) {
        let word = word.to_lowercase();
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// How many of `query_words` (distinct, lowercase, as [`words`] gives them) are words
/// of `content`.
pub fn score(content: &str, query_words: &[String]) -> usize {
    if query_words.is_empty() {
        return 0;
    }
    let mut found = vec![false; query_words.len()];
    let mut remaining = query_words.len();
    let mut lowered = String::new();
    for word in split(content) {
        let candidate = if word.is_ascii() && !word.bytes().any(|b| b.is_ascii_uppercase()) {
            word
        } else {
            lowered.clear();
            lowered.extend(word.chars().flat_map(char::to_lowercase));
            &lowered
        };
        if let Some(i) = query_words.iter().position(|q| q == candidate) {
            if !found[i] {
                found[i] = true;
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
        }
    }
    query_words.len() - remaining
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_flight_example_scores_five() {
        let q = words("please book me a flight to SEA");
        assert_eq!(score("Book a flight from JFK to SEA", &q), 5);
        assert_eq!(score("Cancel my hotel", &q), 0);
    }

    #[test]
    fn words_are_distinct_and_lowercase() {
        assert_eq!(words("SEA sea, Sea! to-do"), vec!["sea", "to", "do"]);
        assert_eq!(words("  ...  "), Vec::<String>::new());
        assert_eq!(words("Ärger ÄRGER 東京"), vec!["ärger", "東京"]);
    }

    #[test]
    fn whole_words_only() {
        let q = words("me");
        assert_eq!(score("time", &q), 0);
        assert_eq!(score("Tell ME now", &q), 1);
    }

    #[test]
    fn each_query_word_counts_once() {
        let q = words("flight flight");
        assert_eq!(score("flight flight flight", &q), 1);
    }

    proptest! {
        /// Against the plainest reference: the set of content words, case folded.
        #[test]
        fn score_counts_shared_distinct_words(
            content in "[a-zA-Zé É0-9 ,.!?-]{0,60}",
            query in "[a-zA-Zé É0-9 ,.!?-]{0,30}",
        ) {
            let fold = |s: &str| -> std::collections::HashSet<String> {
                s.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect()
            };
            let expected = fold(&query).intersection(&fold(&content)).count();
            prop_assert_eq!(score(&content, &words(&query)), expected);
        }
    }
}
