//! The three analyzers every text field uses, and their tantivy registration:
//! `ja_morph` (dictionary words, particles dropped, katakana long-vowel stem),
//! `ja_bigram` (character bigrams, for words no dictionary knows) and `ja_reading`
//! (bigrams of the katakana reading, so ふーどばんく finds フードバンク).

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::dictionary::{POS_DETAIL, READING_DETAIL, segmenter};
use crate::normalize::{Normalized, is_katakana, normalize, to_katakana};

pub const MORPH: &str = "ja_morph";
pub const BIGRAM: &str = "ja_bigram";
pub const READING: &str = "ja_reading";

/// Parts of speech that carry no meaning for search.
const DROPPED_POS: [&str; 4] = ["助詞", "助動詞", "記号", "フィラー"];

/// Function words that match everywhere and mean nothing to a search (after Lucene's
/// Japanese stopword list): いる, ある, する, こと, もの, ため, よう, …
const STOPWORDS: [&str; 34] = [
    "ある",
    "いる",
    "する",
    "なる",
    "れる",
    "られる",
    "できる",
    "こと",
    "もの",
    "ため",
    "よう",
    "これ",
    "それ",
    "あれ",
    "この",
    "その",
    "あの",
    "ここ",
    "そこ",
    "など",
    "として",
    "という",
    "について",
    "による",
    "により",
    "において",
    "また",
    "および",
    "ない",
    "なく",
    "あり",
    "おり",
    "なっ",
    "あっ",
];

/// A token with its span in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// The katakana long-vowel stem: センター → センタ, so センタ and センター meet.
fn stem(word: &str) -> &str {
    if word.chars().count() > 3 && word.chars().all(is_katakana) { word.trim_end_matches('ー') } else { word }
}

struct Morpheme {
    surface: String,
    reading: Option<String>,
    pos: String,
    from: usize,
    to: usize,
}

fn morphemes(normalized: &Normalized) -> Vec<Morpheme> {
    let Ok(segmenter) = segmenter() else { return Vec::new() };
    let Ok(tokens) = segmenter.segment(Cow::Borrowed(normalized.text.as_str())) else { return Vec::new() };
    tokens
        .into_iter()
        .map(|mut token| {
            let details = token.details();
            let pos = details.get(POS_DETAIL).map_or_else(String::new, |s| (*s).to_owned());
            let reading = details.get(READING_DETAIL).filter(|r| **r != "*").map(|r| (*r).to_owned());
            Morpheme { surface: token.surface.to_string(), reading, pos, from: token.byte_start, to: token.byte_end }
        })
        .collect()
}

/// Dictionary words of `text`, particles and symbols dropped.
pub fn morph_tokens(text: &str) -> Vec<Tok> {
    let normalized = normalize(text);
    morphemes(&normalized)
        .into_iter()
        .filter(|m| {
            !DROPPED_POS.contains(&m.pos.as_str())
                && !STOPWORDS.contains(&m.surface.as_str())
                && !m.surface.trim().is_empty()
        })
        .map(|m| {
            let (from, to) = normalized.original_span(m.from, m.to);
            Tok { text: stem(&m.surface).to_owned(), from, to }
        })
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == 'ー' || c == '々'
}

/// Character bigrams of each run of Japanese characters; ASCII words whole.
pub fn bigram_tokens(text: &str) -> Vec<Tok> {
    let normalized = normalize(text);
    let chars: Vec<(usize, char)> = normalized.text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(normalized.text.len(), |(b, _)| *b);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if !is_word_char(c) {
            i += 1;
            continue;
        }
        let ascii = c.is_ascii_alphanumeric();
        let mut j = i;
        while j + 1 < chars.len() && is_word_char(chars[j + 1].1) && chars[j + 1].1.is_ascii_alphanumeric() == ascii {
            j += 1;
        }
        let mut push = |from_char: usize, to_char: usize| {
            let (from, to) = normalized.original_span(chars[from_char].0, end_of(to_char));
            tokens.push(Tok { text: normalized.text[chars[from_char].0..end_of(to_char)].to_owned(), from, to });
        };
        if ascii || i == j {
            push(i, j);
        } else {
            for k in i..j {
                push(k, k + 1);
            }
        }
        i = j + 1;
    }
    tokens
}

/// Bigrams of the katakana reading of `text` (dictionary readings; kana as written).
pub fn reading_tokens(text: &str) -> Vec<Tok> {
    let katakana = to_katakana(text);
    let normalized = normalize(&katakana);
    let mut reading = String::new();
    let mut tokens = Vec::new();
    let flush = |reading: &mut String, tokens: &mut Vec<Tok>| {
        let chars: Vec<char> = reading.chars().collect();
        if chars.len() == 1 {
            tokens.push(Tok { text: reading.clone(), from: 0, to: 0 });
        }
        for pair in chars.windows(2) {
            tokens.push(Tok { text: pair.iter().collect(), from: 0, to: 0 });
        }
        reading.clear();
    };
    for m in morphemes(&normalized) {
        if m.pos == "記号" || m.surface.trim().is_empty() {
            flush(&mut reading, &mut tokens);
            continue;
        }
        // Words the dictionary does not know are read as written.
        reading.push_str(&to_katakana(m.reading.as_deref().unwrap_or(&m.surface)));
    }
    flush(&mut reading, &mut tokens);
    tokens
}

/// A tantivy tokenizer over one of the analyzers.
#[derive(Clone, Copy, Debug)]
pub struct Analyzer(fn(&str) -> Vec<Tok>);

/// Tokens handed to tantivy.
#[derive(Debug)]
pub struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for Analyzer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let tokens = (self.0)(text)
            .into_iter()
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: t.from,
                offset_to: t.to,
                position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        Tokens { tokens, next: 0 }
    }
}

/// Registers Yorisoi's analyzers on an index, by name.
pub fn register(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(MORPH, Analyzer(morph_tokens));
    manager.register(BIGRAM, Analyzer(bigram_tokens));
    manager.register(READING, Analyzer(reading_tokens));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[Tok]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    fn spans(tokens: &[Tok]) -> Vec<(&str, usize, usize)> {
        tokens.iter().map(|t| (t.text.as_str(), t.from, t.to)).collect()
    }

    #[test]
    fn function_words_are_dropped() {
        assert_eq!(
            texts(&morph_tokens("親が80代で、50代の息子がずっと家にいる")),
            ["親", "80", "代", "50", "代", "息子", "ずっと", "家"]
        );
    }

    /// The sentence lindera and quickwit pin; particles (も, の) are dropped here.
    #[test]
    fn golden_sumomo() {
        assert_eq!(
            spans(&morph_tokens("すもももももももものうち")),
            [("すもも", 0, 9), ("もも", 12, 18), ("もも", 21, 27), ("うち", 30, 36)]
        );
    }

    #[test]
    fn golden_compound_and_widths() {
        assert_eq!(spans(&morph_tokens("地域包括支援センター")), [("地域包括支援センター", 0, 30)]);
        assert_eq!(spans(&morph_tokens("８０５０問題")), [("8050問題", 0, 18)]);
        // Half-width katakana: offsets cover the original half-width characters.
        assert_eq!(spans(&morph_tokens("ｺｰﾌﾟ")), [("コープ", 0, 12)]);
        assert_eq!(texts(&morph_tokens("サポートセンター")), ["サポート", "センタ"]);
    }

    #[test]
    fn golden_bigrams() {
        assert_eq!(spans(&bigram_tokens("包括支援")), [("包括", 0, 6), ("括支", 3, 9), ("支援", 6, 12)]);
        assert_eq!(texts(&bigram_tokens("８０５０問題")), ["8050", "問題"]);
        assert_eq!(texts(&bigram_tokens("ｺｰﾌﾟ ｶﾌｪ")), ["コー", "ープ", "カフ", "フェ"]);
    }

    #[test]
    fn readings_meet_across_scripts() {
        let katakana = texts(&reading_tokens("フードバンク八王子")).join(" ");
        for pair in texts(&reading_tokens("ふーどばんく")) {
            assert!(katakana.contains(pair), "{pair} not in {katakana}");
        }
        assert_eq!(texts(&reading_tokens("包括")), ["ホウ", "ウカ", "カツ"]);
    }
}
