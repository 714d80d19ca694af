//! The three analyzers every text field uses, and their tantivy registration:
//! `ja_morph` (lindera-tantivy's tokenizer with lindera's filters: NFKC, iteration
//! marks, particles and other function words dropped, katakana long-vowel stem,
//! lowercase),
//! `ja_bigram` (character bigrams, for words no dictionary knows) and `ja_reading`
//! (bigrams of the katakana reading, so ふーどばんく finds フードバンク).

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use std::num::NonZeroUsize;

use lindera_analysis::character_filter::japanese_iteration_mark::JapaneseIterationMarkCharacterFilter;
use lindera_analysis::character_filter::unicode_normalize::{UnicodeNormalizeCharacterFilter, UnicodeNormalizeKind};
use lindera_analysis::token_filter::japanese_katakana_stem::JapaneseKatakanaStemTokenFilter;
use lindera_analysis::token_filter::japanese_stop_tags::JapaneseStopTagsTokenFilter;
use lindera_analysis::token_filter::lowercase::LowercaseTokenFilter;
use lindera_analysis::token_filter::stop_words::StopWordsTokenFilter;
use lindera_tantivy::tokenizer::LinderaTokenizer;

use crate::dictionary::{POS_DETAIL, READING_DETAIL, segmenter};
use crate::normalize::{Normalized, normalize, to_katakana};

pub const MORPH: &str = "ja_morph";
pub const BIGRAM: &str = "ja_bigram";
pub const READING: &str = "ja_reading";

/// IPADIC's tags (four levels) of particles, auxiliaries, symbols and fillers: they
/// carry no meaning for search (after Lucene's Japanese stop tags).
const STOP_TAGS: [&str; 25] = [
    "助詞,格助詞,一般,*",
    "助詞,格助詞,引用,*",
    "助詞,格助詞,連語,*",
    "助詞,係助詞,*,*",
    "助詞,副助詞,*,*",
    "助詞,間投助詞,*,*",
    "助詞,並立助詞,*,*",
    "助詞,終助詞,*,*",
    "助詞,副助詞／並立助詞／終助詞,*,*",
    "助詞,連体化,*,*",
    "助詞,副詞化,*,*",
    "助詞,特殊,*,*",
    "助詞,接続助詞,*,*",
    "助動詞,*,*,*",
    "記号,一般,*,*",
    "記号,読点,*,*",
    "記号,句点,*,*",
    "記号,空白,*,*",
    "記号,括弧開,*,*",
    "記号,括弧閉,*,*",
    "記号,アルファベット,*,*",
    "フィラー,*,*,*",
    "その他,間投,*,*",
    "助詞,*,*,*",
    "記号,*,*,*",
];

/// Katakana words longer than this lose their final ー (センター → センタ).
const KATAKANA_STEM_MIN: usize = 3;

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

struct Morpheme {
    surface: String,
    reading: Option<String>,
    pos: String,
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
            Morpheme { surface: token.surface.to_string(), reading, pos }
        })
        .collect()
}

/// lindera-tantivy's tokenizer over the shared dictionary, with lindera's own filters
/// doing what `ja_morph` needs: NFKC (widths, ８０５０ = 8050, ｺｰﾌﾟ = コープ) and iteration
/// marks before segmenting, with offsets back to the original; then function words out,
/// the katakana stem, and lowercase.
pub fn morph_tokenizer() -> Result<LinderaTokenizer, crate::SearchError> {
    let mut tokenizer = LinderaTokenizer::from_segmenter(segmenter()?.clone());
    tokenizer
        .append_character_filter(UnicodeNormalizeCharacterFilter::new(UnicodeNormalizeKind::NFKC).into())
        .append_character_filter(JapaneseIterationMarkCharacterFilter::new(true, true).into())
        .append_token_filter(
            JapaneseStopTagsTokenFilter::new(STOP_TAGS.iter().map(|t| (*t).to_owned()).collect()).into(),
        )
        .append_token_filter(StopWordsTokenFilter::new(STOPWORDS.iter().map(|w| (*w).to_owned()).collect()).into())
        .append_token_filter(
            JapaneseKatakanaStemTokenFilter::new(NonZeroUsize::new(KATAKANA_STEM_MIN).expect("not zero")).into(),
        )
        .append_token_filter(LowercaseTokenFilter::new().into());
    Ok(tokenizer)
}

thread_local! {
    /// One morph tokenizer per thread, for queries (tantivy clones its own for indexing).
    static MORPH_TOKENIZER: std::cell::RefCell<Option<LinderaTokenizer>> =
        std::cell::RefCell::new(morph_tokenizer().ok());
}

/// Dictionary words of `text`, particles and symbols dropped (the `ja_morph` analyzer).
pub fn morph_tokens(text: &str) -> Vec<Tok> {
    MORPH_TOKENIZER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let Some(tokenizer) = cell.as_mut() else { return Vec::new() };
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let token = stream.token();
            // The segmenter keeps runs of spaces as unknown words.
            if !token.text.trim().is_empty() {
                out.push(Tok { text: token.text.clone(), from: token.offset_from, to: token.offset_to });
            }
        }
        out
    })
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
    match morph_tokenizer() {
        Ok(tokenizer) => manager.register(MORPH, tokenizer),
        // Without a dictionary nothing can be searched by words; bigrams still work.
        Err(_) => manager.register(MORPH, Analyzer(|_| Vec::new())),
    }
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
