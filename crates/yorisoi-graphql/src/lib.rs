//! Yorisoi's GraphQL schema for other apps (a ward portal, a chatbot, a case tool):
//! the directory, search, where to refer, referral paths, the audit, and stewards'
//! edits with their change log. Types here wrap domain types; nothing persistent or
//! domain-side derives an API trait.

mod audits;
mod auth;
mod changes;
mod connection;
mod error;
mod follow;
mod global_id;
pub mod limits;
mod live;
mod mutation;
mod query;
mod rebuild;
mod types;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Instant;

use async_graphql::{EmptySubscription, SDLExportOptions, Schema, ServerError};

pub use audits::AuditRun;
pub use auth::{Caller, Role, TokenLineError, Tokens, hash as hash_token, new_token};
pub use error::ApiError;
pub use follow::{FollowError, FollowStatus};
pub use live::{Live, Snapshot};
pub use mutation::MutationRoot;
pub use query::{MAX_FIRST, MAX_TEXT_CHARS, QueryRoot};

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
            .disable_suggestions()
            .extension(limits::DeadlineCheck);
        if !options.introspection {
            builder = builder.disable_introspection();
        }
        Service { schema: builder.finish(), live, tokens: Arc::new(tokens) }
    }

    /// Runs one request against the current snapshot, as `caller` (None: anonymous).
    pub async fn execute(&self, request: async_graphql::Request, caller: Option<Caller>) -> async_graphql::Response {
        self.execute_until(request, caller, None).await
    }

    /// Runs one request; fields that would start after `deadline` are not run and
    /// answer `TIMEOUT`. Requests over the [`limits`] are refused before they parse
    /// or run.
    pub async fn execute_until(
        &self,
        mut request: async_graphql::Request,
        caller: Option<Caller>,
        deadline: Option<Instant>,
    ) -> async_graphql::Response {
        if let Err(refusal) = limits::check_text(&request.query) {
            return async_graphql::Response::from_errors(vec![refusal.into_server_error()]);
        }
        let checked = match request.parsed_query() {
            Ok(document) => limits::check_document(document).map_err(limits::Refusal::into_server_error),
            Err(error) => Err(error),
        };
        let mut response = match checked {
            Err(error) => async_graphql::Response::from_errors(vec![error]),
            Ok(()) => {
                let mut request = request.data(self.live.snapshot());
                if let Some(caller) = caller {
                    request = request.data(caller);
                }
                if let Some(deadline) = deadline {
                    request = request.data(limits::Deadline(deadline));
                }
                self.schema.execute(request).await
            }
        };
        for error in &mut response.errors {
            if error.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
                continue;
            }
            let code = uncoded_error_code(error);
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

    /// The live state, to run its follower and auditor beside the server.
    pub fn shared_live(&self) -> Arc<Live> {
        Arc::clone(&self.live)
    }
}

/// The code of an error async-graphql raised itself (ours carry theirs): the stable
/// codes clients know from other GraphQL servers.
fn uncoded_error_code(error: &ServerError) -> &'static str {
    // A value that does not parse as its argument's type (an `openAt` of "tomorrow")
    // is found as the field runs, so it has a path; it is the caller's mistake.
    let bad_value = ["Failed to parse \"", "Expected input type \"", "Invalid value for argument"];
    let is_bad_value = bad_value.iter().any(|p| error.message.starts_with(p));
    if !error.path.is_empty() {
        if is_bad_value { "BAD_USER_INPUT" } else { "INTERNAL_SERVER_ERROR" }
    } else if error.message.trim_start().starts_with("-->") {
        "GRAPHQL_PARSE_FAILED"
    } else {
        "GRAPHQL_VALIDATION_FAILED"
    }
}

/// The schema as SDL, fields and enum items sorted (committed as schema.graphql).
pub fn sdl() -> String {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .finish()
        .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}
