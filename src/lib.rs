//! The Yorisoi application as a library: the HTTP server that hosts the GraphQL
//! schema, so tests can drive its routes without a socket.

pub mod server;
