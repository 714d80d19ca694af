//! What a request may ask for before it runs, and how long it may run: the checks
//! async-graphql's own limits miss. Its parser recurses once per bracket before any
//! limit applies, and its depth and complexity checks count neither `__typename` nor
//! what a fragment spread repeats, so these run on the text and on the parsed
//! document first. The deadline is checked as every field starts.

use std::collections::HashMap;
use std::time::Instant;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Name, ServerError, ServerResult, Value};
use std::sync::Arc;

/// The deepest nesting of `()`, `[]` and `{}` a query may have (selections are
/// limited to [`crate::MAX_DEPTH`] and argument values to
/// [`crate::MAX_RECURSIVE_DEPTH`] after parsing; this keeps the parser itself safe).
pub const MAX_NESTING: usize = 64;
/// The most fields a request may select once every fragment spread is expanded,
/// `__typename` and introspection included.
pub const MAX_FIELDS: u64 = 2_000;
/// How deeply fragments may spread other fragments.
pub const MAX_FRAGMENT_DEPTH: usize = 16;
/// Edits one mutation request may hold: each request is one transaction, so it is
/// written whole or not at all, as its answer says.
pub const MAX_EDITS_PER_REQUEST: u64 = 1;

/// Why a request was refused before it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `GRAPHQL_PARSE_FAILED` for text the parser must not see, else
    /// `GRAPHQL_VALIDATION_FAILED`.
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn validation(message: String) -> Self {
        Refusal { code: "GRAPHQL_VALIDATION_FAILED", message }
    }

    pub fn into_server_error(self) -> ServerError {
        let mut error = ServerError::new(self.message, None);
        error.extensions.get_or_insert_with(Default::default).set("code", self.code);
        error
    }
}

/// The deepest bracket nesting in a GraphQL text, outside strings and comments.
pub fn nesting_depth(query: &str) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped delimiter inside a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Refuses a text whose brackets nest deeper than [`MAX_NESTING`], before parsing.
pub fn check_text(query: &str) -> Result<(), Refusal> {
    let depth = nesting_depth(query);
    if depth > MAX_NESTING {
        return Err(Refusal {
            code: "GRAPHQL_PARSE_FAILED",
            message: format!(
                "the query nests brackets {depth} deep; at most {MAX_NESTING} levels of (), [] and {{}} are accepted"
            ),
        });
    }
    Ok(())
}

/// Counts fields after expanding fragments, memoizing each fragment once so that a
/// fragment bomb is counted in time linear in its text.
struct FieldCounter<'a> {
    document: &'a ExecutableDocument,
    counted: HashMap<&'a Name, u64>,
}

impl<'a> FieldCounter<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet, depth: usize) -> Result<u64, Refusal> {
        let mut total = 0u64;
        for item in &set.items {
            let count = match &item.node {
                Selection::Field(field) => {
                    1u64.saturating_add(self.selection_set(&field.node.selection_set.node, depth)?)
                }
                Selection::InlineFragment(inline) => self.selection_set(&inline.node.selection_set.node, depth)?,
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node, depth + 1)?,
            };
            total = total.saturating_add(count);
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a Name, depth: usize) -> Result<u64, Refusal> {
        if let Some(&count) = self.counted.get(name) {
            return Ok(count);
        }
        if depth > MAX_FRAGMENT_DEPTH {
            return Err(Refusal::validation(format!(
                "fragments spread other fragments more than {MAX_FRAGMENT_DEPTH} deep; flatten them"
            )));
        }
        // An unknown fragment counts nothing here; validation reports it.
        let Some(fragment) = self.document.fragments.get(name) else { return Ok(0) };
        let count = self.selection_set(&fragment.node.selection_set.node, depth)?;
        self.counted.insert(name, count);
        Ok(count)
    }
}

/// Refuses a parsed request that selects more than [`MAX_FIELDS`] fields once its
/// fragments are expanded, or a mutation with more than one edit.
pub fn check_document(document: &ExecutableDocument) -> Result<(), Refusal> {
    let mut counter = FieldCounter { document, counted: HashMap::new() };
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    };
    let mut total = 0u64;
    for operation in operations {
        let set = &operation.node.selection_set.node;
        let fields = counter.selection_set(set, 0)?;
        total = total.saturating_add(fields);
        if operation.node.ty == OperationType::Mutation {
            let edits = top_level_fields(&mut counter, set, 0)?;
            if edits > MAX_EDITS_PER_REQUEST {
                return Err(Refusal::validation(format!(
                    "a mutation request holds {edits} edits; send one edit per request (each request is one \
                     transaction, written whole or not at all)"
                )));
            }
        }
    }
    if total > MAX_FIELDS {
        return Err(Refusal::validation(format!(
            "the query selects {total} fields once its fragments are expanded; at most {MAX_FIELDS} are accepted"
        )));
    }
    Ok(())
}

/// Fields at the top of an operation, through fragments.
fn top_level_fields<'a>(counter: &mut FieldCounter<'a>, set: &'a SelectionSet, depth: usize) -> Result<u64, Refusal> {
    let mut count = 0u64;
    for item in &set.items {
        count += match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(inline) => top_level_fields(counter, &inline.node.selection_set.node, depth)?,
            Selection::FragmentSpread(spread) => {
                if depth > MAX_FRAGMENT_DEPTH {
                    return Err(Refusal::validation(format!(
                        "fragments spread other fragments more than {MAX_FRAGMENT_DEPTH} deep; flatten them"
                    )));
                }
                match counter.document.fragments.get(&spread.node.fragment_name.node) {
                    Some(fragment) => top_level_fields(counter, &fragment.node.selection_set.node, depth + 1)?,
                    None => 0,
                }
            }
        };
    }
    Ok(count)
}

/// The moment a request's work must stop; fields that would start later are not run
/// and answer `TIMEOUT` (a field already running finishes, so an edit that started is
/// written whole and its answer says so).
#[derive(Debug, Clone, Copy)]
pub struct Deadline(pub Instant);

/// Checks the request's [`Deadline`] as each field starts.
#[derive(Debug, Default)]
pub struct DeadlineCheck;

impl ExtensionFactory for DeadlineCheck {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DeadlineCheck)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DeadlineCheck {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if let Some(Deadline(deadline)) = ctx.data_opt::<Deadline>()
            && Instant::now() >= *deadline
        {
            let error = async_graphql::Error::new(format!(
                "`{}` was not run: the request ran out of time; ask for less at once",
                info.name
            ))
            .extend_with(|_, e| e.set("code", "TIMEOUT"));
            return Err(error.into_server_error(info.field.name.pos));
        }
        next.run(ctx, info).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_but_not_strings_or_comments() {
        assert_eq!(nesting_depth("{ a(b: [1, [2]]) { c } }"), 4);
        assert_eq!(nesting_depth(r#"{ a(b: "[[[[[[") }"#), 2);
        assert_eq!(nesting_depth("{ a # [[[[[[\n }"), 1);
        assert_eq!(nesting_depth(r#"{ a(b: """ [[[ \""" [[[ """) }"#), 2);
        assert_eq!(nesting_depth(r#"{ a(b: "\" [[[") }"#), 2);
        let deep = format!("{{ a(b: {}1{}) }}", "[".repeat(1600), "]".repeat(1600));
        assert_eq!(nesting_depth(&deep), 1602);
        assert_eq!(check_text(&deep).unwrap_err().code, "GRAPHQL_PARSE_FAILED");
    }

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).unwrap()
    }

    #[test]
    fn a_fragment_bomb_is_counted_before_it_runs() {
        let mut query = String::from("query { ...f14 }\nfragment f0 on Query { __typename }\n");
        for i in 1..=25 {
            query.push_str(&format!("fragment f{i} on Query {{ ...f{p} ...f{p} }}\n", p = i - 1));
        }
        let refusal = check_document(&parse(&query)).unwrap_err();
        assert!(refusal.message.contains("16384 fields"), "{refusal:?}");
        // Ten doublings (1,024 fields) are fine; 25 spread deeper than fragments may.
        check_document(&parse(&query.replace("{ ...f14 }", "{ ...f10 }"))).unwrap();
        let deep = check_document(&parse(&query.replace("{ ...f14 }", "{ ...f25 }"))).unwrap_err();
        assert!(deep.message.contains("more than 16 deep"), "{deep:?}");
    }

    #[test]
    fn one_edit_per_mutation_request() {
        check_document(&parse("mutation { a: retireResource(id: \"x\") { change { number } } }")).unwrap();
        let two = "mutation { a: retireResource(id: \"x\") { change { number } } ...more }
                   fragment more on Mutation { b: retireResource(id: \"y\") { change { number } } }";
        assert!(check_document(&parse(two)).unwrap_err().message.contains("2 edits"));
    }

    #[test]
    fn fragments_that_spread_each_other_in_a_loop_are_refused_not_followed_forever() {
        let looped = "{ ...a } fragment a on Query { ...b } fragment b on Query { ...a }";
        assert!(check_document(&parse(looped)).is_err());
    }
}
