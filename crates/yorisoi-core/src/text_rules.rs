//! What free text in a record may hold, the same for seed files and the API: a length
//! per kind of field, no control characters (they would reach a worker's terminal or
//! page raw), no text made only of invisible characters, and web addresses and
//! emails a browser or mailer can open safely.

/// How long a kind of field may be, in characters, and whether it may hold line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// A name, label or title: one line.
    Name,
    /// A short single value: a reading, an address, a condition, an item to bring.
    Line,
    /// A description or note: paragraphs.
    Prose,
}

impl TextField {
    pub fn max_chars(self) -> usize {
        match self {
            TextField::Name => 200,
            TextField::Line => 1_000,
            TextField::Prose => 5_000,
        }
    }

    fn multiline(self) -> bool {
        self == TextField::Prose
    }
}

/// The most items a list of codes or words may hold (a resource addressing more needs
/// than the taxonomy has is a mistake).
pub const MAX_LIST_ITEMS: usize = 100;

/// Characters that show nothing: spaces of every width, zero-width characters, the
/// byte order mark, and bidirectional controls.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{3164}' | '\u{FFA0}')
}

/// A character escaped for a message: `U+200B` for what a steward cannot see.
pub fn shown(c: char) -> String {
    if c.is_control() || is_invisible(c) && c != ' ' { format!("U+{:04X}", u32::from(c)) } else { c.to_string() }
}

/// `text` with what a steward cannot see (controls, zero-width and bidirectional
/// characters, full-width spaces) written as `U+XXXX`, for messages.
pub fn escaped(text: &str) -> String {
    text.chars().map(|c| if c == ' ' { c.to_string() } else { shown(c) }).collect()
}

/// What is wrong with `text` in a field of this kind, if anything: lowercase, no
/// trailing period, saying what to do.
pub fn text_problem(field: TextField, text: &str) -> Option<String> {
    let chars = text.chars().count();
    if chars > field.max_chars() {
        return Some(format!(
            "text is {chars} characters long; at most {} are allowed here, shorten it",
            field.max_chars()
        ));
    }
    let allowed_control = |c: char| field.multiline() && matches!(c, '\n' | '\t');
    if let Some((at, c)) = text.chars().enumerate().find(|&(_, c)| c.is_control() && !allowed_control(c)) {
        return Some(format!(
            "text holds the control character {} at character {}; remove it{}",
            shown(c),
            at + 1,
            if field.multiline() { "" } else { " (this field is one line)" }
        ));
    }
    if !text.is_empty() && text.chars().all(is_invisible) {
        let first = text.chars().next().map(shown).unwrap_or_default();
        return Some(format!(
            "text is only invisible characters (starting with {first}); write the text or leave the field out"
        ));
    }
    None
}

/// What is wrong with a web address, if anything: only http(s) opens safely in a
/// worker's browser (a `javascript:` address would run code).
pub fn url_problem(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !url.chars().any(char::is_whitespace) => None,
        _ => Some(format!("`{url}` is not a web address; write it in full, starting with https:// or http://")),
    }
}

/// What is wrong with an email address, if anything.
pub fn email_problem(email: &str) -> Option<String> {
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
    });
    (!well_formed).then(|| format!("`{email}` is not an email address; write it as name@example.jp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_controls_and_invisible_text() {
        assert_eq!(text_problem(TextField::Name, "ふれあいサロン"), None);
        assert!(text_problem(TextField::Name, &"あ".repeat(201)).unwrap().contains("201 characters"));
        assert!(text_problem(TextField::Name, "サロン\u{1b}[31m").unwrap().contains("U+001B"));
        assert!(text_problem(TextField::Name, "一行目\n二行目").unwrap().contains("one line"));
        assert_eq!(text_problem(TextField::Prose, "一行目\n二行目"), None);
        assert!(text_problem(TextField::Prose, "a\u{0}b").unwrap().contains("U+0000"));
        assert!(text_problem(TextField::Name, "\u{200B}\u{3000}").unwrap().contains("U+200B"));
    }

    #[test]
    fn addresses_a_browser_and_mailer_can_open() {
        assert_eq!(url_problem("https://www.city.koto.lg.jp/"), None);
        assert_eq!(url_problem("http://example.jp/a?b=c"), None);
        assert!(url_problem("javascript:alert(1)").is_some());
        assert!(url_problem("JAVASCRIPT:alert(1)").is_some());
        assert!(url_problem("www.city.koto.lg.jp").is_some());
        assert!(url_problem("https://").is_some());
        assert_eq!(email_problem("soudan@example.jp"), None);
        assert!(email_problem("soudan.example.jp").is_some());
        assert!(email_problem("a@b@c.jp").is_some());
    }
}
