//! Bearer tokens and roles. The server keeps only each token's SHA-256, read from a
//! tokens file or the environment, one `ROLE NAME sha256:HEX` per line; the token
//! itself is shown once, when `yorisoi token` makes it.

use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// What a caller may do beyond what anyone may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads staff-only fields (内線, 職員向けメモ) and the change log.
    Staff,
    /// Also edits the directory (資源の登録・更新・廃止・確認, つなぎの追加・削除).
    Steward,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Steward => "steward",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Role::Staff, Role::Steward].into_iter().find(|r| r.code() == code)
    }
}

/// Who made a request, when it carried a known token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name, recorded in the change log as who made a change.
    pub name: String,
    pub role: Role,
}

/// The tokens a server accepts, by hash.
#[derive(Default, Clone)]
pub struct Tokens {
    by_hash: HashMap<[u8; 32], Caller>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: even hashes stay out of logs.
        let mut names: Vec<&str> = self.by_hash.values().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        f.debug_struct("Tokens").field("names", &names).finish()
    }
}

/// A line of a tokens file that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}: {message}")]
pub struct TokenLineError {
    pub origin: String,
    pub line: usize,
    pub message: String,
}

impl Tokens {
    /// Reads `ROLE NAME sha256:HEX` lines; blank lines and `#` comments are skipped.
    /// `origin` names the file or variable in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Self, TokenLineError> {
        let mut tokens = Tokens::default();
        tokens.add_lines(text, origin)?;
        Ok(tokens)
    }

    /// Adds the lines of another file or variable.
    pub fn add_lines(&mut self, text: &str, origin: &str) -> Result<(), TokenLineError> {
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |message: String| TokenLineError { origin: origin.to_owned(), line: number + 1, message };
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [role, name, hash] = parts[..] else {
                return Err(error("expected `ROLE NAME sha256:HEX` (make one with `yorisoi token NAME`)".to_owned()));
            };
            let role = Role::from_code(role)
                .ok_or_else(|| error(format!("unknown role `{role}`; use `steward` or `staff`")))?;
            let digest = parse_hash(hash).ok_or_else(|| {
                error("the hash must be `sha256:` and 64 hex digits; put the hash here, never the token".to_owned())
            })?;
            if self.by_hash.values().any(|c| c.name == name) {
                return Err(error(format!("the name `{name}` is used twice; each token needs its own name")));
            }
            self.by_hash.insert(digest, Caller { name: name.to_owned(), role });
        }
        Ok(())
    }

    /// The caller a presented token belongs to.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        self.by_hash.get(&digest(token)).cloned()
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let hex = text.strip_prefix("sha256:")?;
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The `sha256:HEX` form of a token, as a tokens file holds it.
pub fn hash(token: &str) -> String {
    let hex: String = digest(token).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A new random token (256 bits from the operating system) and its tokens-file line.
pub fn new_token(name: &str, role: Role) -> Result<(String, String), getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let token = format!("ys_{}", URL_SAFE_NO_PAD.encode(bytes));
    let line = format!("{} {name} {}", role.code(), hash(&token));
    Ok((token, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_is_accepted_by_its_line_and_only_the_hash_is_kept() {
        let (token, line) = new_token("koto-steward", Role::Steward).unwrap();
        assert!(!line.contains(&token));
        let tokens = Tokens::parse(&format!("# stewards\n\n{line}\n"), "tokens.txt").unwrap();
        assert_eq!(tokens.caller(&token), Some(Caller { name: "koto-steward".into(), role: Role::Steward }));
        assert_eq!(tokens.caller("ys_guess"), None);
        assert!(!format!("{tokens:?}").contains("sha256"));
        let (other, _) = new_token("x", Role::Staff).unwrap();
        assert_ne!(token, other);
    }

    #[test]
    fn a_known_token_hashes_to_the_published_sha256() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(hash("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn bad_lines_say_where_and_what_to_do() {
        let good = hash("t");
        let cases = [
            (
                "steward alice".to_owned(),
                "tokens.txt:1: expected `ROLE NAME sha256:HEX` (make one with `yorisoi token NAME`)",
            ),
            (format!("admin alice {good}"), "tokens.txt:1: unknown role `admin`; use `steward` or `staff`"),
            (
                "staff alice ys_plaintexttoken".to_owned(),
                "tokens.txt:1: the hash must be `sha256:` and 64 hex digits; put the hash here, never the token",
            ),
            (
                format!("staff alice {good}\nsteward alice {}", hash("u")),
                "tokens.txt:2: the name `alice` is used twice; each token needs its own name",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Tokens::parse(&text, "tokens.txt").unwrap_err().to_string(), expected);
        }
    }
}
