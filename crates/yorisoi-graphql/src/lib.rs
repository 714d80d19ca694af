//! Yorisoi's GraphQL schema for other apps (a ward portal, a chatbot, a case tool):
//! the directory, search, where to refer, referral paths, the audit, and stewards'
//! edits with their change log. Types here wrap domain types; nothing persistent or
//! domain-side derives an API trait.

mod auth;
mod error;
mod global_id;
mod live;
mod mutation;
mod query;
mod types;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_graphql::{EmptySubscription, SDLExportOptions, Schema};

pub use auth::{Caller, Role, TokenLineError, Tokens, hash as hash_token, new_token};
pub use error::ApiError;
pub use live::{Live, Snapshot};
pub use mutation::MutationRoot;
pub use query::{MAX_FIRST, QueryRoot};

/// The schema type.
pub type YorisoiSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Limits every request is held to.
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 5_000;
/// How deeply the parser may nest lists, objects and fragments in a query.
pub const MAX_RECURSIVE_DEPTH: usize = 32;
/// Directives one field may carry.
pub const MAX_DIRECTIVES: usize = 4;

/// How a server exposes the schema.
#[derive(Debug, Clone)]
pub struct Options {
    /// Answer `__schema` / `__type` (tools and GraphiQL need it; some deployments hide it).
    pub introspection: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { introspection: true }
    }
}

/// The API over a live directory: one schema, the tokens it accepts.
#[derive(Clone)]
pub struct Service {
    schema: YorisoiSchema,
    live: Arc<Live>,
    tokens: Arc<Tokens>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("tokens", &self.tokens).finish_non_exhaustive()
    }
}

impl Service {
    pub fn new(live: Live, tokens: Tokens, options: &Options) -> Self {
        let live = Arc::new(live);
        let mut builder = Schema::build(QueryRoot, MutationRoot, EmptySubscription)
            .data(Arc::clone(&live))
            .limit_depth(MAX_DEPTH)
            .limit_complexity(MAX_COMPLEXITY)
            .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
            .limit_directives(MAX_DIRECTIVES)
            .disable_suggestions();
        if !options.introspection {
            builder = builder.disable_introspection();
        }
        Service { schema: builder.finish(), live, tokens: Arc::new(tokens) }
    }

    /// Runs one request against the current snapshot, as `caller` (None: anonymous).
    pub async fn execute(&self, request: async_graphql::Request, caller: Option<Caller>) -> async_graphql::Response {
        let mut request = request.data(self.live.snapshot());
        if let Some(caller) = caller {
            request = request.data(caller);
        }
        let mut response = self.schema.execute(request).await;
        for error in &mut response.errors {
            if error.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
                continue;
            }
            // Errors async-graphql raises itself carry no code; give them the stable
            // codes clients know from other GraphQL servers.
            let code = if !error.path.is_empty() {
                "INTERNAL_SERVER_ERROR"
            } else if error.message.trim_start().starts_with("-->") {
                "GRAPHQL_PARSE_FAILED"
            } else {
                "GRAPHQL_VALIDATION_FAILED"
            };
            error.extensions.get_or_insert_with(Default::default).set("code", code);
        }
        response
    }

    /// The caller a bearer token belongs to.
    pub fn authenticate(&self, token: &str) -> Option<Caller> {
        self.tokens.caller(token)
    }

    pub fn live(&self) -> &Live {
        &self.live
    }
}

/// The schema as SDL, fields and enum items sorted (committed as schema.graphql).
pub fn sdl() -> String {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .finish()
        .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}
