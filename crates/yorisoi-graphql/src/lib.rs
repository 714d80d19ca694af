//! Yorisoi's GraphQL schema for other apps (a ward portal, a chatbot, a case tool):
//! the directory, search, where to refer, referral paths and the audit. Types here
//! wrap domain types; nothing persistent or domain-side derives an API trait.

mod error;
mod global_id;
mod query;
mod types;

#[cfg(test)]
mod tests;

use async_graphql::{EmptyMutation, EmptySubscription, SDLExportOptions, Schema};

pub use error::ApiError;
pub use query::{Api, MAX_FIRST, QueryRoot};

/// The schema type.
pub type YorisoiSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Limits every request is held to.
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 5_000;

/// The schema over one snapshot of the directory.
pub fn schema(api: Api) -> YorisoiSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(api)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .disable_suggestions()
        .finish()
}

/// The schema as SDL, fields and enum items sorted (committed as schema.graphql).
pub fn sdl() -> String {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .finish()
        .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}
