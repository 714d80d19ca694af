//! The steward's table of what each kind of place in a dataset is in Yorisoi: a CSV
//! (`opendata-mapping.csv` beside the seed files, editable in any spreadsheet) of
//! `dataset,match,kind,needs,note`. A row applies to places of its dataset whose type
//! (種別, 実施サービス) contains `match`, or, for datasets without a type, whose name does;
//! an empty `match` applies to the rest. Places no row applies to are not imported.

use std::path::{Path, PathBuf};

use yorisoi_core::{Directory, Id};

use crate::columns::Dataset;
use crate::text::{decode, normal};

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRow {
    pub dataset: Dataset,
    pub pattern: String,
    pub kind: Id,
    pub needs: Vec<Id>,
    /// The table's line, for messages.
    pub line: u64,
}

/// The whole table.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub rows: Vec<MappingRow>,
}

/// A table that cannot be read, with the line and what to write instead.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", .path.display())]
pub struct MappingError {
    pub path: PathBuf,
    pub line: u64,
    pub message: String,
}

impl Mapping {
    /// Reads the table, checking each kind and need against the directory's taxonomy.
    pub fn read(path: &Path, directory: &Directory) -> Result<Self, MappingError> {
        let error = |line: u64, message: String| MappingError { path: path.to_owned(), line, message };
        let bytes = std::fs::read(path).map_err(|e| error(0, format!("cannot read it: {e}")))?;
        let (text, _) = decode(&bytes).ok_or_else(|| error(1, "is neither UTF-8 nor Shift_JIS".into()))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().map_err(|e| error(1, e.to_string()))?.iter().map(normal).collect();
        if headers.iter().take(4).map(String::as_str).collect::<Vec<_>>() != ["dataset", "match", "kind", "needs"] {
            return Err(error(1, "the header must be dataset,match,kind,needs[,note]".into()));
        }
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let record = record.map_err(|e| error(line, e.to_string()))?;
            let cell = |n: usize| record.get(n).map(normal).unwrap_or_default();
            if (0..4).all(|n| cell(n).is_empty()) {
                continue;
            }
            let dataset = Dataset::from_key(&cell(0)).ok_or_else(|| {
                let names: Vec<&str> = Dataset::ALL.iter().map(|d| d.label()).collect();
                error(line, format!("dataset `{}` is not one of {}", cell(0), names.join(", ")))
            })?;
            let kind = Id::parse(&cell(2))
                .ok()
                .filter(|k| directory.kinds.iter().any(|x| &x.code == k))
                .ok_or_else(|| error(line, format!("kind `{}` is not a kind code of the taxonomy", cell(2))))?;
            let needs = cell(3)
                .split([' ', ';', '、'])
                .filter(|n| !n.is_empty())
                .map(|n| {
                    Id::parse(n)
                        .ok()
                        .filter(|code| directory.needs.iter().any(|x| &x.code == code))
                        .ok_or_else(|| error(line, format!("need `{n}` is not a need code of the taxonomy")))
                })
                .collect::<Result<_, _>>()?;
            rows.push(MappingRow { dataset, pattern: cell(1), kind, needs, line });
        }
        Ok(Mapping { rows })
    }

    /// The row for a place of `dataset` with this type (if the dataset has one) and
    /// name: a type match first, then a name match, then the dataset's catch-all.
    pub fn find(&self, dataset: Dataset, place_type: Option<&str>, name: &str) -> Option<&MappingRow> {
        let rows = || self.rows.iter().filter(move |r| r.dataset == dataset);
        let by_type = place_type.and_then(|t| rows().find(|r| !r.pattern.is_empty() && t.contains(&r.pattern)));
        by_type
            .or_else(|| rows().find(|r| !r.pattern.is_empty() && name.contains(&r.pattern)))
            .or_else(|| rows().find(|r| r.pattern.is_empty()))
    }
}
