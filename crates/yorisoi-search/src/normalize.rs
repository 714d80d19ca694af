//! Text normalization shared by indexing and queries: NFKC (widths: ８０５０ = 8050,
//! ｺｰﾌﾟ = コープ), lowercase, and iteration marks (ゝゞヽヾ々), keeping for every byte
//! of the result the span of the original text it came from, so highlights land on
//! what the user wrote.

use unicode_normalization::UnicodeNormalization;

/// Normalized text and, for each of its bytes, the original byte span it came from.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    spans: Vec<(usize, usize)>,
}

impl Normalized {
    /// The original span covering normalized bytes `from..to`.
    pub fn original_span(&self, from: usize, to: usize) -> (usize, usize) {
        if from >= to || self.spans.is_empty() {
            let at = self.spans.get(from).map_or_else(|| self.spans.last().map_or(0, |s| s.1), |s| s.0);
            return (at, at);
        }
        (self.spans[from].0, self.spans[to - 1].1)
    }
}

fn is_voicing_mark(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309A}' | '\u{FF9E}' | '\u{FF9F}' | '゛' | '゜')
}

/// Normalizes `original` for analysis.
pub fn normalize(original: &str) -> Normalized {
    let mut text = String::with_capacity(original.len());
    let mut spans = Vec::with_capacity(original.len());
    let mut chars = original.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        // A half-width kana and its voicing mark normalize together (ﾌﾟ → プ).
        let mut end = start + c.len_utf8();
        let mut cluster = String::from(c);
        while let Some(&(i, next)) = chars.peek() {
            if !is_voicing_mark(next) {
                break;
            }
            cluster.push(next);
            end = i + next.len_utf8();
            chars.next();
        }
        let expanded = match c {
            '々' | 'ゝ' | 'ヽ' => previous.map(String::from),
            'ゞ' | 'ヾ' => previous.map(|p| voiced(p).to_string()),
            _ => None,
        };
        let piece: String = match expanded {
            Some(piece) => piece,
            None => cluster.nfkc().flat_map(char::to_lowercase).collect(),
        };
        for out in piece.chars() {
            spans.extend(std::iter::repeat_n((start, end), out.len_utf8()));
            text.push(out);
            previous = Some(out);
        }
    }
    Normalized { text, spans }
}

/// The voiced form of a kana (か → が), or the kana itself.
fn voiced(c: char) -> char {
    let composed: String = [c, '\u{3099}'].iter().collect::<String>().nfc().collect();
    let mut chars = composed.chars();
    match (chars.next(), chars.next()) {
        (Some(v), None) => v,
        _ => c,
    }
}

/// Hiragana to katakana (ふーど → フード); other characters unchanged.
pub fn to_katakana(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ぁ'..='ゖ' | 'ゝ' | 'ゞ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

pub fn is_katakana(c: char) -> bool {
    matches!(c, 'ァ'..='ヺ' | 'ー' | 'ヽ' | 'ヾ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_case_and_iteration_marks() {
        assert_eq!(normalize("８０５０問題").text, "8050問題");
        assert_eq!(normalize("ｺｰﾌﾟ ｶﾌｪ").text, "コープ カフェ");
        assert_eq!(normalize("ＮＰＯ法人").text, "npo法人");
        assert_eq!(normalize("人々").text, "人人");
        assert_eq!(normalize("いすゞ").text, "いすず");
        assert_eq!(to_katakana("ふーどばんく"), "フードバンク");
    }

    #[test]
    fn spans_point_back_at_the_original() {
        let n = normalize("ｺｰﾌﾟ");
        // コープ: 3 characters of 3 bytes; プ came from ﾌﾟ, bytes 6..12 of the original.
        assert_eq!(n.text, "コープ");
        assert_eq!(n.original_span(6, 9), (6, 12));
        assert_eq!(n.original_span(0, 9), (0, 12));
    }
}
