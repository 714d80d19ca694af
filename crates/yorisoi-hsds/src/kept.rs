//! The HSDS fields an import could not map onto Yorisoi's records, kept beside each
//! record (`hsds`) and put back into what the export generates, so data that came in
//! as HSDS goes out as it came.
//!
//! An import takes from each document what Yorisoi models and keeps the rest in the
//! same shape (ids and foreign keys included). The export merges the two: objects key
//! by key, the kept value where both have one (it is the original id, or a field the
//! export only fills with a default); lists element by element when they are as long
//! as each other; `attributes` and `metadata` are joined, since the export adds its
//! profile's own. A list a steward has since changed the length of is generated anew
//! (its kept fragments no longer say which element they belong to).

use serde_json::{Map, Value};

/// Lists whose kept and generated elements are different entries, joined.
const JOINED: [&str; 2] = ["attributes", "metadata"];

/// `generated` with the `kept` fields put back.
pub fn merge(generated: Value, kept: &Value) -> Value {
    match (generated, kept) {
        (Value::Object(mut out), Value::Object(kept)) => {
            for (key, value) in kept {
                let merged = match out.remove(key) {
                    None => value.clone(),
                    Some(Value::Array(generated)) if JOINED.contains(&key.as_str()) => {
                        let mut joined = value.as_array().cloned().unwrap_or_default();
                        joined.extend(generated);
                        Value::Array(joined)
                    }
                    Some(generated) => merge(generated, value),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(generated), Value::Array(kept)) => {
            if generated.is_empty() {
                Value::Array(kept.clone())
            } else if generated.len() == kept.len() {
                Value::Array(generated.into_iter().zip(kept).map(|(g, k)| merge(g, k)).collect())
            } else {
                Value::Array(generated)
            }
        }
        // A scalar both have: the kept one is the original (an id, or a value the
        // export would only have defaulted).
        (_, kept) => kept.clone(),
    }
}

/// The kept fields of a record, parsed; `None` when it has none.
pub fn parse(kept: Option<&str>) -> Option<Map<String, Value>> {
    match serde_json::from_str(kept?) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn kept_fields_come_back_into_what_the_export_generates() {
        let generated = json!({
            "id": "generated", "name": "新しい名前",
            "phones": [{ "id": "g1", "number": "03-1111-2222", "type": "voice" }],
            "attributes": [{ "link_type": "kind" }],
        });
        let kept = json!({
            "id": "original", "accreditations": "BASC",
            "phones": [{ "id": "p1", "extension": 100 }],
            "attributes": [{ "link_type": "foreign" }],
        });
        let merged = merge(generated, &kept);
        assert_eq!(merged["id"], "original");
        assert_eq!(merged["name"], "新しい名前", "what the record holds is generated");
        assert_eq!(merged["accreditations"], "BASC");
        assert_eq!(
            merged["phones"],
            json!([{ "id": "p1", "number": "03-1111-2222", "type": "voice", "extension": 100 }])
        );
        assert_eq!(merged["attributes"], json!([{ "link_type": "foreign" }, { "link_type": "kind" }]));
    }

    #[test]
    fn a_list_whose_length_changed_is_generated_anew_and_an_empty_one_kept_whole() {
        let two = json!([{ "number": "1" }, { "number": "2" }]);
        assert_eq!(merge(two.clone(), &json!([{ "id": "only-one" }])), two);
        assert_eq!(
            merge(json!([]), &json!([{ "id": "kept", "number": "+44" }])),
            json!([{ "id": "kept", "number": "+44" }])
        );
    }
}
