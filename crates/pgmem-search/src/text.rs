//! Text as PostgreSQL's text search parser should see it, for content and queries
//! alike.
//!
//! The default parser splits words at spaces and ASCII punctuation, so text written
//! without spaces (Chinese, Japanese) would be one "word" per sentence and never
//! match. As in pg_bigm and most CJK search engines, every run of CJK characters
//! becomes its overlapping character bigrams ("東京大学" -> "東京 京大 大学"; a lone
//! character stays a unigram), so a query shares bigrams with every text that holds
//! its words. Non-ASCII punctuation (curly quotes, CJK and fullwidth punctuation),
//! which the parser in the C locale would take for letters, becomes a space, and
//! fullwidth ASCII letters and digits become ASCII.

/// At most this many bytes of prepared text are indexed or queried: well under the
/// 1 MB limit of a `tsvector`, whatever the text.
pub const MAX_BYTES: usize = 256 * 1024;

/// Hiragana, katakana, CJK ideographs (with extensions and compatibility forms),
/// halfwidth katakana and Hangul.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007 | 0x3041..=0x309F | 0x30A1..=0x30FA | 0x30FC..=0x30FF
        | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFF66..=0xFF9F | 0x1100..=0x11FF | 0x3131..=0x318E | 0xAC00..=0xD7A3
        | 0x20000..=0x2FA1F | 0x30000..=0x3134F)
}

/// Punctuation and symbols outside ASCII that separate words.
fn is_separator(c: char) -> bool {
    match c as u32 {
        0x00A0..=0x00BF => !c.is_alphanumeric(),
        0x00D7 | 0x00F7 => true,
        0x2000..=0x206F | 0x3000..=0x3004 | 0x3008..=0x3040 | 0x30A0 | 0x30FB => true,
        0xFE10..=0xFE1F | 0xFE30..=0xFE4F => true,
        0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 => true,
        _ => c.is_whitespace(),
    }
}

/// Fullwidth ASCII letters and digits as ASCII.
fn halfwidth(c: char) -> char {
    match c as u32 {
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// `text` prepared for `to_tsvector`: see the module documentation. Output stops at
/// [`MAX_BYTES`].
pub fn search_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_BYTES) + 8);
    let mut run: Option<char> = None;
    let mut run_len = 0usize;
    for c in text.chars() {
        if out.len() >= MAX_BYTES {
            break;
        }
        if is_cjk(c) {
            match run {
                Some(prev) => {
                    if run_len > 1 {
                        out.push(' ');
                    }
                    out.push(prev);
                    out.push(c);
                }
                None => out.push(' '),
            }
            run = Some(c);
            run_len += 1;
            continue;
        }
        end_run(&mut out, &mut run, &mut run_len);
        if is_separator(c) {
            out.push(' ');
        } else {
            out.push(halfwidth(c));
        }
    }
    end_run(&mut out, &mut run, &mut run_len);
    if out.len() > MAX_BYTES {
        let mut end = MAX_BYTES;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

/// Closes a CJK run: a run of one character is that character; longer runs have
/// already written their bigrams.
fn end_run(out: &mut String, run: &mut Option<char>, run_len: &mut usize) {
    if let Some(c) = run.take() {
        if *run_len == 1 {
            out.push(c);
        }
        out.push(' ');
    }
    *run_len = 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(s: &str) -> Vec<&str> {
        s.split(' ').filter(|w| !w.is_empty()).collect()
    }

    #[test]
    fn cjk_runs_become_bigrams() {
        assert_eq!(words(&search_text("東京大学")), ["東京", "京大", "大学"]);
        assert_eq!(words(&search_text("猫")), ["猫"]);
        assert_eq!(
            words(&search_text("我想去Seattle的机场")),
            ["我想", "想去", "Seattle", "的机", "机场"]
        );
        assert_eq!(
            words(&search_text("ひらがなカタカナ")),
            ["ひら", "らが", "がな", "なカ", "カタ", "タカ", "カナ"]
        );
        assert_eq!(words(&search_text("서울 여행")), ["서울", "여행"]);
    }

    #[test]
    fn cjk_punctuation_separates() {
        assert_eq!(
            words(&search_text("東京。大阪、京都")),
            ["東京", "大阪", "京都"]
        );
        assert_eq!(
            words(&search_text("「予約」を変更")),
            ["予約", "を変", "変更"]
        );
    }

    #[test]
    fn other_text_is_kept() {
        assert_eq!(
            search_text("Book a flight to SEA, please."),
            "Book a flight to SEA, please."
        );
        assert_eq!(search_text("order’s café"), "order s café");
        assert_eq!(search_text("ＡＢＣ１２３"), "ABC123");
        assert_eq!(search_text(""), "");
    }

    #[test]
    fn output_is_bounded() {
        let long = "東".repeat(MAX_BYTES);
        assert!(search_text(&long).len() <= MAX_BYTES);
        let ascii = "a".repeat(MAX_BYTES * 2);
        assert_eq!(search_text(&ascii).len(), MAX_BYTES);
    }

    proptest! {
        /// Every CJK bigram of the input is a word of the output, and no word of the
        /// output holds CJK next to anything else.
        #[test]
        fn bigrams_cover_every_adjacent_pair(text in "[a-z 東京大学猫。、]{0,40}") {
            let out = search_text(&text);
            let chars: Vec<char> = text.chars().collect();
            for pair in chars.windows(2) {
                if is_cjk(pair[0]) && is_cjk(pair[1]) {
                    let bigram: String = pair.iter().collect();
                    prop_assert!(words(&out).contains(&bigram.as_str()));
                }
            }
            for w in words(&out) {
                let cjk = w.chars().filter(|&c| is_cjk(c)).count();
                prop_assert!(cjk == 0 || (cjk == w.chars().count() && cjk <= 2));
            }
        }
    }
}
