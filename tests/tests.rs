//! Yorisoi's integration tests: one binary, a module per area.

mod bad_input;
mod browser;
mod cli;
mod crash;
mod graph;
mod hsds;
mod opendata;
mod peers;
mod refer;
mod relevance;
mod search;
mod seed_data;
mod seed_schema;
mod serve;
mod server;
mod servers;
mod store;
mod support;
mod understanding;
