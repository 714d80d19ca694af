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

/// Parses decoded text into a seed file.
pub fn parse(text: &str) -> Result<SeedFile, ReadError> {
    let mut result = parse_yaml(text);
    if let Err(error) = &mut result {
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
    let message = raw.find(" at line ").map_or(raw, |cut| &raw[..cut]);
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("key `{key}` appears twice in this mapping; keep one");
    }
    if let Some(value) = message.strip_prefix("The string value [").and_then(|m| m.strip_suffix("] must be quoted")) {
        return format!(
            "`{value}` reads as a number or true/false, but this field is text; put it in quotes (\"{value}\")"
        );
    }
    if message.starts_with("budget") || message.contains("budget breached") {
        return format!("{message}; seed files may nest at most 32 levels deep");
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
