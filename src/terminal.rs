//! Text from the directory made safe for a worker's terminal: a record holding an
//! escape sequence must not clear the screen, move the cursor or rewrite a phone
//! number on the way out (records are checked on the way in too).

use std::borrow::Cow;

/// `text` with every control character but the line break written as `\u{…}`.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if c.is_control() && c != '\n' { c.escape_unicode().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// `println!` for human output: the formatted line passes through [`safe`].
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::terminal::safe(&format!($($arg)*)))
    };
}
pub(crate) use say;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(safe("サロン\u{1b}[2J\u{7}"), "サロン\\u{1b}[2J\\u{7}");
        assert_eq!(safe("一行目\n二行目"), "一行目\n二行目");
    }
}
