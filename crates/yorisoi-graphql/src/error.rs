//! API errors and their stable `extensions.code`, so other apps can branch on them.

use async_graphql::ErrorExtensions;
use yorisoi_seed::FieldProblem;

/// What went wrong, as another app sees it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request's arguments are wrong; the message says which and how.
    #[error("{0}")]
    BadUserInput(String),
    /// A record sent by a steward has problems; each names its field.
    #[error("{} has {} problem(s): {}", .record, .problems.len(), .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidRecord { record: String, problems: Vec<FieldProblem> },
    /// A record the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request needs a token and carried none, or one this server does not know.
    #[error("{0}")]
    Unauthenticated(String),
    /// The token's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Something failed inside Yorisoi; details stay in the server log.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The stable code in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadUserInput(_) | ApiError::InvalidRecord { .. } => "BAD_USER_INPUT",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        // Internal details never leave the server; the message is generic.
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| {
            e.set("code", self.code());
            if let ApiError::InvalidRecord { problems, .. } = self {
                // Each problem by field, so a form can show it beside the field.
                let list: Vec<async_graphql::Value> = problems
                    .iter()
                    .map(|p| {
                        let mut item = async_graphql::indexmap::IndexMap::new();
                        item.insert(async_graphql::Name::new("path"), async_graphql::Value::from(p.path.clone()));
                        item.insert(async_graphql::Name::new("message"), async_graphql::Value::from(p.message.clone()));
                        async_graphql::Value::Object(item)
                    })
                    .collect();
                e.set("problems", list);
            }
        })
    }
}

/// Turns a result with an [`ApiError`] into one that keeps its code. (async-graphql's
/// blanket conversion from any `Display` would drop the code.)
pub trait Coded<T> {
    fn coded(self) -> async_graphql::Result<T>;
}

impl<T> Coded<T> for Result<T, ApiError> {
    fn coded(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(error: ApiError, code: &str, message: &str) {
        let gql = error.extend();
        assert_eq!(gql.message, message);
        let extensions = gql.extensions.expect("extensions are set");
        assert_eq!(extensions.get("code"), Some(&async_graphql::Value::from(code)));
    }

    #[test]
    fn each_error_maps_to_its_code_and_hides_internal_details() {
        check(
            ApiError::BadUserInput("first must be between 1 and 100".into()),
            "BAD_USER_INPUT",
            "first must be between 1 and 100",
        );
        check(ApiError::NotFound("no resource `x`".into()), "NOT_FOUND", "no resource `x`");
        check(ApiError::Unauthenticated("a token is needed".into()), "UNAUTHENTICATED", "a token is needed");
        check(ApiError::Forbidden("stewards only".into()), "FORBIDDEN", "stewards only");
        check(ApiError::Internal("disk full at /var/lib".into()), "INTERNAL_SERVER_ERROR", "internal error");
    }
}
