//! Relay global ids: the type name and the record id, base64-encoded, so one `node`
//! field can fetch any record.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use yorisoi_core::Id;

use crate::error::ApiError;

/// The kinds of record a global id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Resource,
    Organization,
}

impl NodeType {
    fn name(self) -> &'static str {
        match self {
            NodeType::Resource => "Resource",
            NodeType::Organization => "Organization",
        }
    }
}

pub fn encode(kind: NodeType, id: &Id) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name()))
}

pub fn decode(global: &str) -> Result<(NodeType, Id), ApiError> {
    let bad = || {
        ApiError::BadUserInput(format!("`{global}` is not a Yorisoi id; use the `id` of a Resource or Organization"))
    };
    let bytes = URL_SAFE_NO_PAD.decode(global).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (kind, id) = text.split_once(':').ok_or_else(bad)?;
    let kind = match kind {
        "Resource" => NodeType::Resource,
        "Organization" => NodeType::Organization,
        _ => return Err(bad()),
    };
    Ok((kind, Id::parse(id).map_err(|_| bad())?))
}

/// An opaque cursor for offset pagination.
pub fn cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

pub fn offset(cursor: &str) -> Result<usize, ApiError> {
    let bad = || ApiError::BadUserInput(format!("`{cursor}` is not a cursor from this connection"));
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    text.strip_prefix("offset:").and_then(|n| n.parse().ok()).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_cursors_round_trip_and_garbage_is_refused() {
        let id = Id::parse("koto-choju-support-centers").unwrap();
        assert_eq!(decode(&encode(NodeType::Resource, &id)).unwrap(), (NodeType::Resource, id));
        assert_eq!(offset(&cursor(40)).unwrap(), 40);
        assert!(matches!(decode("not-base64!"), Err(ApiError::BadUserInput(_))));
        assert!(matches!(offset("b2Zmc2V0Ong"), Err(ApiError::BadUserInput(_))));
    }
}
