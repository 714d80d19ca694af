//! `yorisoi`: the command line for data stewards, and the server.

mod commands;
mod graph_command;
mod import_command;
mod search_command;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    // The server logs each request; commands only warnings. YORISOI_LOG overrides.
    let default = if cli.is_server() { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("YORISOI_LOG").unwrap_or_else(|_| default.into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // One JSON object per line for log collectors; text for people.
    if std::env::var("YORISOI_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
