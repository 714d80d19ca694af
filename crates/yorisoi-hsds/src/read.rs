//! Finding the HSDS documents at a path: a datapackage directory of CSVs, a directory
//! of JSON files as `yorisoi export --format hsds` writes them, or one JSON file (a
//! document, a list of them, or an API's `Page` of them).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::import::{Document, Documents};
use crate::tabular::{TabularError, read_datapackage};

/// What went wrong finding or reading the documents.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}:{column}: not JSON: {message}", .path.display())]
    Json { path: PathBuf, line: usize, column: usize, message: String },
    #[error(transparent)]
    Tabular(#[from] TabularError),
    #[error(
        "{} holds neither services.json/organizations.json nor services.csv/organizations.csv; give an HSDS JSON file or datapackage directory",
        .0.display()
    )]
    NothingThere(PathBuf),
}

/// The documents at `path` (see the module's description).
pub fn read(path: &Path) -> Result<Documents, ReadError> {
    if path.is_dir() {
        if path.join("services.csv").exists() || path.join("organizations.csv").exists() {
            return Ok(read_datapackage(path)?);
        }
        let mut documents = Documents::default();
        for name in ["organizations.json", "services.json"] {
            let file = path.join(name);
            if file.exists() {
                let more = read_file(&file)?;
                documents.organizations.extend(more.organizations);
                documents.services.extend(more.services);
            }
        }
        for (name, list) in
            [("taxonomies.json", &mut documents.taxonomies), ("taxonomy_terms.json", &mut documents.taxonomy_terms)]
        {
            let file = path.join(name);
            if file.exists() {
                list.extend(read_file(&file)?.services.into_iter().map(|d| d.value));
            }
        }
        if documents.services.is_empty() && documents.organizations.is_empty() {
            return Err(ReadError::NothingThere(path.to_owned()));
        }
        return Ok(documents);
    }
    read_file(path)
}

/// One JSON file: organizations when its name says so, services otherwise.
fn read_file(path: &Path) -> Result<Documents, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Read { path: path.to_owned(), source })?;
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| ReadError::Json {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let items: Vec<Value> = match value {
        Value::Array(items) => items,
        Value::Object(mut page) if page.get("contents").is_some_and(Value::is_array) => {
            page.remove("contents").and_then(|c| c.as_array().cloned()).unwrap_or_default()
        }
        one => vec![one],
    };
    let documents: Vec<Document> =
        items.into_iter().enumerate().map(|(i, value)| Document { value, origin: format!("{name} [{i}]") }).collect();
    Ok(if name.starts_with("organization") {
        Documents { organizations: documents, ..Documents::default() }
    } else {
        Documents { services: documents, ..Documents::default() }
    })
}
