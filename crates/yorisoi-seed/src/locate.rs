//! Where each value of a YAML document sits, by dotted path (`resources.3.needs.1`),
//! so a problem found after parsing still points at `file:line:col`.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// The position of every value in one document, keyed by dotted path.
#[derive(Debug, Default)]
pub struct PathMap {
    positions: HashMap<String, LineCol>,
    /// Where each mapping key starts, by the path it names; a parser error about a key
    /// (an unknown field) points there, not at a value.
    keys: Vec<(LineCol, String)>,
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, next: usize },
}

impl PathMap {
    /// Maps a document that already parsed; on a syntax error it keeps what it read.
    pub fn of(text: &str) -> Self {
        let mut positions = HashMap::new();
        let mut keys = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let at = LineCol { line: span.start.line(), column: span.start.col() + 1 };
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) | Event::Scalar(..) | Event::Alias(..) => {
                    // A scalar in key position names the next value; it is not a value itself.
                    if let (Event::Scalar(key, ..), Some(Frame::Mapping { path, key: slot @ None })) =
                        (&event, stack.last_mut())
                    {
                        keys.push((at, join(path, key)));
                        *slot = Some(key.to_string());
                        continue;
                    }
                    let path = child_path(&mut stack);
                    positions.entry(path.clone()).or_insert(at);
                    match event {
                        Event::MappingStart(..) => stack.push(Frame::Mapping { path, key: None }),
                        Event::SequenceStart(..) => stack.push(Frame::Sequence { path, next: 0 }),
                        _ => {}
                    }
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        Self { positions, keys }
    }

    /// The position of `path`, or of its nearest enclosing value that exists. A
    /// domain path may skip a key the file has for choosing a variant (the domain's
    /// `rules.0.times` is the file's `rules.0.per_month.times`), so a path one such
    /// level deeper is looked for before falling back to the enclosing value.
    pub fn find(&self, path: &str) -> Option<LineCol> {
        let mut path = path;
        loop {
            if let Some(at) = self.positions.get(path) {
                return Some(*at);
            }
            let (parent, last) = path.rsplit_once('.')?;
            let wrapped = self.positions.iter().find(|(candidate, _)| {
                candidate
                    .strip_prefix(parent)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .and_then(|rest| rest.strip_suffix(last))
                    .and_then(|variant| variant.strip_suffix('.'))
                    .is_some_and(|variant| !variant.is_empty() && !variant.contains('.'))
            });
            if let Some((_, at)) = wrapped {
                return Some(*at);
            }
            path = parent;
        }
    }
}

impl PathMap {
    /// The start of the record (`resources.3`) that contains `at`, if any.
    pub fn record_containing(&self, at: LineCol) -> Option<LineCol> {
        self.positions
            .iter()
            .filter(|(path, start)| path.matches('.').count() == 1 && **start <= at)
            .map(|(_, start)| *start)
            .max()
    }
}

impl PathMap {
    /// The path of the value that starts last at or before `at` (the innermost value
    /// a parser error points into).
    pub fn path_at(&self, at: LineCol) -> Option<&str> {
        let values = self.positions.iter().map(|(path, start)| (*start, path));
        let keys = self.keys.iter().map(|(start, path)| (*start, path));
        values
            .chain(keys)
            .filter(|(start, _)| *start <= at)
            .max_by_key(|(start, path)| (*start, path.len()))
            .map(|(_, path)| path.as_str())
    }
}

/// The path of the value that comes next in the innermost collection, advancing it.
fn child_path(stack: &mut [Frame]) -> String {
    match stack.last_mut() {
        None => String::new(),
        Some(Frame::Mapping { path, key }) => join(path, &key.take().unwrap_or_default()),
        Some(Frame::Sequence { path, next }) => {
            *next += 1;
            join(path, &(*next - 1).to_string())
        }
    }
}

fn join(parent: &str, segment: &str) -> String {
    if parent.is_empty() { segment.to_owned() } else { format!("{parent}.{segment}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_by_path_and_falls_back_to_the_enclosing_one() {
        let text = "resources:\n  - id: a\n    needs: [food, isolation]\n  - id: b\n    audience:\n      age_min: 70\n";
        let map = PathMap::of(text);
        assert_eq!(map.find("resources.0.id"), Some(LineCol { line: 2, column: 9 }));
        assert_eq!(map.find("resources.0.needs.1"), Some(LineCol { line: 3, column: 19 }));
        assert_eq!(map.find("resources.1.audience.age_min"), Some(LineCol { line: 6, column: 16 }));
        assert_eq!(map.find("resources.1.audience.age_max"), Some(LineCol { line: 6, column: 7 }));
        assert_eq!(map.find("resources.1"), Some(LineCol { line: 4, column: 5 }));
    }
}
