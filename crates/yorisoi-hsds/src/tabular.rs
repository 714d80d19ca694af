//! HSDS 3.0's tabular form (a datapackage: one CSV per table, linked by `*_id`
//! columns) read into the nested documents the compiled schemas describe, so one
//! import serves both forms. Each document remembers its file and line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::import::{Document, Documents};

/// What went wrong reading a datapackage.
#[derive(Debug, thiserror::Error)]
pub enum TabularError {
    #[error("cannot read {}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: {message}", .path.display())]
    Csv { path: PathBuf, line: u64, message: String },
    #[error("{} holds no services.csv or organizations.csv; is it an HSDS datapackage?", .0.display())]
    Empty(PathBuf),
}

/// Columns HSDS types as numbers (all others are text).
const NUMBERS: [&str; 10] = [
    "minimum_age",
    "maximum_age",
    "year_incorporated",
    "extension",
    "timezone",
    "count",
    "interval",
    "amount",
    "latitude",
    "longitude",
];

/// A child table, the parents its rows go into (column naming the parent, parent
/// table), and the parent's list that holds them.
type Child = (&'static str, &'static [(&'static str, &'static str)], &'static str);

/// Child tables in this order, so a row is complete before it is nested.
const CHILDREN: [Child; 14] = [
    ("languages", &[("phone_id", "phones"), ("location_id", "locations"), ("service_id", "services")], "languages"),
    (
        "phones",
        &[
            ("contact_id", "contacts"),
            ("location_id", "locations"),
            ("service_id", "services"),
            ("organization_id", "organizations"),
            ("service_at_location_id", "service_at_location"),
        ],
        "phones",
    ),
    (
        "contacts",
        &[
            ("location_id", "locations"),
            ("service_id", "services"),
            ("organization_id", "organizations"),
            ("service_at_location_id", "service_at_location"),
        ],
        "contacts",
    ),
    (
        "schedules",
        &[("location_id", "locations"), ("service_id", "services"), ("service_at_location_id", "service_at_location")],
        "schedules",
    ),
    (
        "service_areas",
        &[("service_id", "services"), ("service_at_location_id", "service_at_location")],
        "service_areas",
    ),
    ("addresses", &[("location_id", "locations")], "addresses"),
    ("accessibility", &[("location_id", "locations")], "accessibility"),
    ("funding", &[("organization_id", "organizations"), ("service_id", "services")], "funding"),
    ("cost_options", &[("service_id", "services")], "cost_options"),
    ("required_documents", &[("service_id", "services")], "required_documents"),
    ("organization_identifiers", &[("organization_id", "organizations")], "organization_identifiers"),
    ("programs", &[("organization_id", "organizations")], "programs"),
    ("locations", &[("organization_id", "organizations")], "locations"),
    ("service_at_location", &[("service_id", "services")], "service_at_locations"),
];

/// Rows of one table with the line each came from.
type Table = Vec<(Map<String, Value>, u64)>;

fn read_table(path: &Path) -> Result<Table, TabularError> {
    let bytes = std::fs::read(path).map_err(|source| TabularError::Read { path: path.to_owned(), source })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let csv_error = |e: csv::Error| TabularError::Csv {
        path: path.to_owned(),
        line: e.position().map_or(1, csv::Position::line),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        // Where the next record starts (the header is line 1), counted from its byte
        // offset: the reader's own line count misses CRLF line ends.
        let offset = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX).min(bytes.len());
        // (After a CR the reader stands on its LF, which belongs to the line before.)
        let ends =
            bytes[..offset].iter().filter(|b| **b == b'\n').count() + usize::from(bytes.get(offset) == Some(&b'\n'));
        let line = 1 + ends as u64;
        if !reader.read_record(&mut record).map_err(csv_error)? {
            break;
        }
        let mut row = Map::new();
        for (column, cell) in headers.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            let value = if NUMBERS.contains(&column) {
                let number: f64 = cell.trim().parse().map_err(|_| TabularError::Csv {
                    path: path.to_owned(),
                    line,
                    message: format!("`{column}` is `{cell}`, which is not a number"),
                })?;
                if number.fract() == 0.0 && number.abs() < 1e15 { json!(number as i64) } else { json!(number) }
            } else {
                json!(cell)
            };
            row.insert(column.to_owned(), value);
        }
        rows.push((row, line));
    }
    Ok(rows)
}

fn id_of(row: &Map<String, Value>) -> Option<String> {
    row.get("id").and_then(Value::as_str).map(str::to_owned)
}

/// Reads the datapackage in `dir` into nested services (each with its organization)
/// and organizations.
pub fn read_datapackage(dir: &Path) -> Result<Documents, TabularError> {
    let mut tables: HashMap<&str, Table> = HashMap::new();
    let names = [
        "services",
        "organizations",
        "taxonomies",
        "taxonomy_terms",
        "attributes",
        "metadata",
        "languages",
        "phones",
        "contacts",
        "schedules",
        "service_areas",
        "addresses",
        "accessibility",
        "funding",
        "cost_options",
        "required_documents",
        "organization_identifiers",
        "programs",
        "locations",
        "service_at_location",
    ];
    for name in names {
        let path = dir.join(format!("{name}.csv"));
        if path.exists() {
            tables.insert(name, read_table(&path)?);
        }
    }
    if !tables.contains_key("services") && !tables.contains_key("organizations") {
        return Err(TabularError::Empty(dir.to_owned()));
    }
    let mut table = |name: &str| tables.remove(name).unwrap_or_default();

    // Terms with their taxonomy, attributes with their term.
    let taxonomy_rows: Vec<Value> = table("taxonomies").into_iter().map(|(t, _)| Value::Object(t)).collect();
    let term_rows = table("taxonomy_terms");
    let listed_terms: Vec<Value> = term_rows.iter().map(|(t, _)| Value::Object(t.clone())).collect();
    let taxonomies: HashMap<String, Value> =
        taxonomy_rows.iter().filter_map(|t| Some((t.get("id")?.as_str()?.to_owned(), t.clone()))).collect();
    let terms: HashMap<String, Value> = term_rows
        .into_iter()
        .filter_map(|(mut t, _)| {
            let taxonomy = t.get("taxonomy_id").and_then(Value::as_str).and_then(|id| taxonomies.get(id)).cloned();
            if let Some(taxonomy) = taxonomy {
                t.insert("taxonomy_detail".into(), taxonomy);
            }
            Some((id_of(&t)?, Value::Object(t)))
        })
        .collect();
    let mut about: HashMap<String, (Vec<Value>, Vec<Value>)> = HashMap::new();
    for (mut attribute, _) in table("attributes") {
        if let Some(term) = attribute.get("taxonomy_term_id").and_then(Value::as_str).and_then(|id| terms.get(id)) {
            attribute.insert("taxonomy_term".into(), term.clone());
        }
        if let Some(link) = attribute.get("link_id").and_then(Value::as_str) {
            about.entry(link.to_owned()).or_default().0.push(Value::Object(attribute));
        }
    }
    for (metadata, _) in table("metadata") {
        if let Some(resource) = metadata.get("resource_id").and_then(Value::as_str) {
            about.entry(resource.to_owned()).or_default().1.push(Value::Object(metadata));
        }
    }

    // Every row by table, with its attributes and metadata.
    let mut rows: HashMap<&str, Table> = HashMap::new();
    for name in names.iter().filter(|n| !["taxonomies", "taxonomy_terms", "attributes", "metadata"].contains(n)) {
        let mut list = table(name);
        for (row, _) in &mut list {
            if let Some((attributes, metadata)) = id_of(row).and_then(|id| about.get(&id)) {
                row.insert("attributes".into(), Value::Array(attributes.clone()));
                row.insert("metadata".into(), Value::Array(metadata.clone()));
            }
        }
        rows.insert(name, list);
    }
    for (child, parents, key) in CHILDREN {
        let children = rows.get(child).cloned().unwrap_or_default();
        if child == "locations" {
            // A location is complete now: it goes into the places services are held.
            let by_id: HashMap<String, Value> =
                children.iter().filter_map(|(l, _)| Some((id_of(l)?, Value::Object(l.clone())))).collect();
            for (place, _) in rows.entry("service_at_location").or_default() {
                if let Some(location) = place.get("location_id").and_then(Value::as_str).and_then(|id| by_id.get(id)) {
                    place.insert("location".into(), location.clone());
                }
            }
        }
        for (column, parent) in parents {
            for (row, _) in &children {
                let Some(parent_id) = row.get(*column).and_then(Value::as_str) else { continue };
                if let Some((parent_row, _)) = rows
                    .get_mut(parent)
                    .and_then(|p| p.iter_mut().find(|(p, _)| id_of(p).as_deref() == Some(parent_id)))
                {
                    let list = parent_row.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = list {
                        list.push(Value::Object(row.clone()));
                    }
                }
            }
        }
    }
    let programs: HashMap<String, Value> = rows
        .get("programs")
        .into_iter()
        .flatten()
        .filter_map(|(p, _)| Some((id_of(p)?, Value::Object(p.clone()))))
        .collect();
    let organizations = rows.remove("organizations").unwrap_or_default();
    let organization_by_id: HashMap<String, Value> =
        organizations.iter().filter_map(|(o, _)| Some((id_of(o)?, Value::Object(o.clone())))).collect();
    let services = rows
        .remove("services")
        .unwrap_or_default()
        .into_iter()
        .map(|(mut service, line)| {
            if let Some(program) = service.get("program_id").and_then(Value::as_str).and_then(|id| programs.get(id)) {
                service.insert("program".into(), program.clone());
            }
            if let Some(org) =
                service.get("organization_id").and_then(Value::as_str).and_then(|id| organization_by_id.get(id))
            {
                service.insert("organization".into(), org.clone());
            }
            Document { value: Value::Object(service), origin: format!("services.csv line {line}") }
        })
        .collect();
    Ok(Documents {
        services,
        organizations: organizations
            .into_iter()
            .map(|(o, line)| Document { value: Value::Object(o), origin: format!("organizations.csv line {line}") })
            .collect(),
        taxonomies: taxonomy_rows,
        taxonomy_terms: listed_terms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_know_their_line_and_numbers_are_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("services.csv");
        std::fs::write(&path, "\u{feff}id,name,minimum_age\r\ns1,\"two\r\nlines\",12\r\ns2,plain,\r\n").unwrap();
        let rows = read_table(&path).unwrap();
        assert_eq!(rows.iter().map(|(_, line)| *line).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(rows[0].0["minimum_age"], 12);
        assert!(!rows[1].0.contains_key("minimum_age"), "an empty cell is absent");
        std::fs::write(&path, "id,minimum_age\ns1,twelve\n").unwrap();
        let error = read_table(&path).unwrap_err().to_string();
        assert!(error.ends_with("services.csv:2: `minimum_age` is `twelve`, which is not a number"), "{error}");
    }
}
