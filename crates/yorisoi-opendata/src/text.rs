//! Reading a published CSV as text: UTF-8 (with or without BOM) or Shift_JIS as
//! Windows writes it (cp932), and every header and cell in NFKC, so half-width kana,
//! full-width digits and letters read as their ordinary forms.

use unicode_normalization::UnicodeNormalization;

/// The encodings a ward's CSV comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8WithBom,
    /// Shift_JIS with Microsoft's extensions (cp932, Windows-31J).
    Cp932,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8WithBom => "UTF-8 (BOM)",
            Encoding::Cp932 => "Shift_JIS (cp932)",
        }
    }
}

/// The file's text and the encoding it was in; `None` when it is neither UTF-8 nor
/// cp932.
pub fn decode(bytes: &[u8]) -> Option<(String, Encoding)> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).ok().map(|t| (t.to_owned(), Encoding::Utf8WithBom));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some((text.to_owned(), Encoding::Utf8));
    }
    // encoding_rs's Shift_JIS is the WHATWG one, which is cp932.
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    (!had_errors).then(|| (text.into_owned(), Encoding::Cp932))
}

/// A cell or header as it is meant: NFKC, trimmed (also of ideographic spaces).
pub fn normal(text: &str) -> String {
    text.nfkc().collect::<String>().trim().to_owned()
}

/// A header as matched against the known columns: NFKC without any space.
pub fn header_key(text: &str) -> String {
    normal(text).chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_cp932_are_read() {
        assert_eq!(decode("名称".as_bytes()), Some(("名称".to_owned(), Encoding::Utf8)));
        assert_eq!(decode("\u{feff}名称".as_bytes()), Some(("名称".to_owned(), Encoding::Utf8WithBom)));
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode("名称_ｶﾅ,髙橋");
        assert_eq!(decode(&cp932), Some(("名称_ｶﾅ,髙橋".to_owned(), Encoding::Cp932)));
        assert_eq!(decode(&[0x82, 0xFF, 0xFF]), None);
    }

    #[test]
    fn half_width_kana_and_full_width_letters_read_plainly() {
        assert_eq!(header_key(" 名称_ｶﾅ "), "名称_カナ");
        assert_eq!(header_key("ＵＲＬ"), "URL");
        assert_eq!(header_key("建物名等（方書）"), "建物名等(方書)");
        assert_eq!(normal("　０３－１２３４　"), "03-1234");
    }
}
