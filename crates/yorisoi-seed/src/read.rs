//! Reading one seed file: budgets, encoding, indentation, then YAML into
//! [`SeedFile`], with messages a steward can act on.

use std::borrow::Cow;

use crate::format::SeedFile;
use crate::locate::LineCol;

/// The largest seed file accepted; larger directories are split into files.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Why a file could not be read as a seed file, at a position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub at: LineCol,
    pub message: String,
}

fn at_start(message: String) -> ReadError {
    ReadError { at: LineCol { line: 1, column: 1 }, message }
}

/// Decodes the bytes of a seed file to text, refusing what a steward must fix. Line
/// breaks of every convention (CR LF from Windows, a lone CR from old Mac editors)
/// become LF, each still one line, so positions stay right and no line hides another.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(at_start(format!(
            "file is {} bytes, over the budget of {MAX_FILE_BYTES} bytes (1 MiB); split it into several files",
            bytes.len()
        )));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(at_start("file is UTF-16; save it as UTF-8".to_owned()));
    }
    // A UTF-8 byte order mark is harmless (Windows editors add it); skip it.
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
        ReadError {
            at: LineCol { line, column },
            message: format!(
                "file is not valid UTF-8 (byte 0x{:02X}); save it as UTF-8, not Shift_JIS",
                bytes[error.valid_up_to()]
            ),
        }
    })?;
    Ok(if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    })
}

/// Finds a tab in indentation, which YAML forbids and editors hide.
fn find_indent_tab(text: &str) -> Option<LineCol> {
    text.lines().enumerate().find_map(|(i, line)| {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        indent.find('\t').map(|col| LineCol { line: i + 1, column: indent[..col].chars().count() + 1 })
    })
}

/// Finds what a Japanese input method leaves in YAML's layout and a steward cannot
/// see: a full-width space (U+3000) in indentation, or a full-width colon `：` after
/// a key. YAML reads both as text and then reports something unrelated elsewhere.
fn find_full_width_layout(text: &str) -> Option<ReadError> {
    for (i, line) in text.lines().enumerate() {
        let indent: String = line.chars().take_while(|c| matches!(c, ' ' | '\t' | '\u{3000}' | '-')).collect();
        if let Some(column) = indent.chars().position(|c| c == '\u{3000}') {
            return Some(ReadError {
                at: LineCol { line: i + 1, column: column + 1 },
                message: "full-width space (U+3000) in the indentation; indent with half-width spaces (turn the IME \
                          off)"
                    .to_owned(),
            });
        }
        let rest = &line[indent.len()..];
        let key: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !key.is_empty() && rest[key.len()..].starts_with('：') {
            return Some(ReadError {
                at: LineCol { line: i + 1, column: indent.chars().count() + key.chars().count() + 1 },
                message: format!("full-width colon `：` after `{key}`; write a half-width `:` and a space"),
            });
        }
    }
    None
}

/// Parses decoded text into a seed file.
pub fn parse(text: &str) -> Result<SeedFile, ReadError> {
    let mut result = parse_yaml(text);
    if let Err(error) = &mut result {
        // A number out of range says the range of the field, not of the type.
        if error.message == "expected a whole number from 0 to 255"
            && crate::locate::PathMap::of(text)
                .path_at(error.at)
                .is_some_and(|p| p.ends_with("age_min") || p.ends_with("age_max"))
        {
            error.message = "expected an age in whole years, 0 to 120".to_owned();
        }
        // The parser notices a second document after its `---` line; point at that line.
        if error.message.starts_with("a second YAML document")
            && let Some(line) =
                text.lines().take(error.at.line).collect::<Vec<_>>().iter().rposition(|l| l.starts_with("---"))
        {
            error.at = LineCol { line: line + 1, column: 1 };
        }
        // serde notices a missing field at the end of the record; point at its start.
        if error.message.starts_with("missing field") {
            if let Some(start) = crate::locate::PathMap::of(text).record_containing(error.at) {
                error.at = start;
            }
            error.message.push_str("; add it to this record");
        }
    }
    result
}

fn parse_yaml(text: &str) -> Result<SeedFile, ReadError> {
    if let Some(at) = find_indent_tab(text) {
        return Err(ReadError { at, message: "tab used for indentation; indent with spaces".to_owned() });
    }
    if let Some(error) = find_full_width_layout(text) {
        return Err(error);
    }
    if text.lines().all(|line| line.trim().is_empty() || line.trim_start().starts_with('#')) {
        return Ok(SeedFile::default());
    }
    // YAML 1.2 only: `yes`/`no` are not booleans, an unquoted number is not text
    // (`id: 123`), and a tag this format does not know (`!!python/object`) is refused
    // rather than silently dropped, as editors and other tools would read them.
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        no_schema: true,
        reject_unsupported_tags: true,
        budget: serde_saphyr::budget! { max_depth: 32 },
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|error| {
        let at = error.location().map_or(LineCol { line: 1, column: 1 }, |l| LineCol {
            line: usize::try_from(l.line()).unwrap_or(usize::MAX),
            column: usize::try_from(l.column()).unwrap_or(usize::MAX),
        });
        ReadError { at, message: friendly(&error.to_string()) }
    })
}

/// Rewrites the parser's words into what a steward should do.
fn friendly(raw: &str) -> String {
    // The position is reported apart; drop the parser's own "at line …" and
    // "(defined at line …)" so no sentence is cut in the middle.
    let message = match raw.find(" (defined at line ") {
        Some(cut) => &raw[..cut],
        None => raw.find(" at line ").map_or(raw, |cut| &raw[..cut]),
    };
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("key `{key}` appears twice in this mapping; keep one");
    }
    if let Some(value) = message.strip_prefix("The string value [").and_then(|m| m.strip_suffix("] must be quoted")) {
        return format!(
            "`{value}` reads as a number or true/false, but this field is text; put it in quotes (\"{value}\")"
        );
    }
    if message.starts_with("alias replay") || message.contains("Alias") {
        return "anchors and aliases (`&name`, `*name`) repeat too much here; write the values out (seed files need \
                no aliases)"
            .to_owned();
    }
    if message.contains("recursion limit") || (message.contains("budget") && message.contains("epth")) {
        return "values nest deeper than 32 levels; a seed record needs only a few, so look for `[` or `{` that \
                are repeated or never closed"
            .to_owned();
    }
    if message.starts_with("budget") || message.contains("budget breached") {
        return "the file is too large or too complex to read; split it into several files".to_owned();
    }
    if message.starts_with("multiple YAML documents") {
        return "a second YAML document starts here (`---`); keep one document per file: remove the `---` line or \
                put the rest in a file of its own"
            .to_owned();
    }
    if message.contains("untagged enum ClosureDto") {
        return "not a closure; write `national_holidays` (祝日), `year_end` (年末年始 12/29–1/3) or a period \
                `{ from: 2026-12-29, to: 2027-01-03 }`"
            .to_owned();
    }
    let replacement = match message {
        "expected sequence start" => "expected a list (`- item` lines or `[a, b]`)",
        "expected mapping start" => "expected a mapping (`key: value` lines)",
        "expected string scalar" => "expected a text value",
        m if m.starts_with("invalid u8") => "expected a whole number from 0 to 255",
        m if m.starts_with("invalid u16") => "expected a whole number from 0 to 65535",
        m if m.starts_with("invalid boolean") => {
            "expected true or false (YAML 1.1's yes/no/on/off are not booleans here; editors read them as text)"
        }
        m if m.starts_with("unsupported tag") => {
            return format!("{m}; seed files use no `!` tags, remove it (a tag could hide what a value is)");
        }
        "illegal placement of ':' indicator" => {
            "unexpected `:`; a `[` or `{` above may be unclosed, or a text containing `: ` needs quotes"
        }
        _ => return message.to_owned(),
    };
    replacement.to_owned()
}
