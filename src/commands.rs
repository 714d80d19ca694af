//! The subcommands: what each one reads, writes and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use yorisoi_core::{Directory, RecordKind};
use yorisoi_seed::SeedError;
use yorisoi_store::{DEFAULT_DATABASE_URL, Store};

/// Yorisoi: a directory of community welfare resources and the referrals between them.
#[derive(Debug, Parser)]
#[command(name = "yorisoi", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The database to use: a SQLite file by default, or PostgreSQL by URL.
#[derive(Debug, clap::Args)]
struct DbArgs {
    /// Database URL: sqlite://FILE?mode=rwc or postgres://USER@HOST/DB
    #[arg(long = "db", env = "YORISOI_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    url: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the GraphQL API (embedded defaults: ./yorisoi.db, loaded from ./seed on first run)
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        data: DataArgs,
        /// Seed directory loaded when the store is empty
        #[arg(long, default_value = "seed")]
        seed: PathBuf,
        /// Address to listen on (port 0: any free port, printed on start)
        #[arg(long, env = "YORISOI_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Make a bearer token for a steward or a staff member; prints the token once and
    /// the line to add to the tokens file (which keeps only its hash)
    Token {
        /// Who holds it (recorded in the change log), e.g. koto-steward
        name: String,
        /// steward (edits and staff fields) or staff (staff fields and the change log)
        #[arg(long, default_value = "steward")]
        role: String,
    },
    /// Check every seed file under DIR and report every problem as path:line:col
    Check {
        /// The seed directory (holds *.yaml files)
        dir: PathBuf,
    },
    /// Show how a situation is understood with the taxonomy under --seed: each need
    /// and the words that said so; --explain also shows how the text was read
    Understand {
        /// The situation, as a worker would write it
        text: String,
        /// The seed directory whose taxonomy (needs and their cues) is used
        #[arg(long, default_value = "seed")]
        seed: PathBuf,
        /// Show the clauses and words as read (roles and forms), to see why a cue did or
        /// did not meet
        #[arg(long)]
        explain: bool,
    },
    /// Check DIR, then make the store hold exactly its records, in one transaction
    Load {
        dir: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Write the store back as seed files into DIR, or as Open Referral HSDS 3.0
    /// documents (`--format hsds`)
    Export {
        dir: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// Replace seed files already in DIR
        #[arg(long)]
        force: bool,
        /// seed (YAML seed files) or hsds (HSDS 3.0 JSON: services, organizations,
        /// service_at_locations, taxonomies, taxonomy_terms)
        #[arg(long, value_enum, default_value_t = ExportFormat::Seed)]
        format: ExportFormat,
        /// With --format hsds: only the services of this municipality (name or code)
        /// and below it, and the organizations that run them or are based there
        #[arg(long)]
        municipality: Option<String>,
    },
    /// Make data published as Open Referral HSDS 3.0 (JSON or a tabular datapackage) or
    /// as a municipal open-data CSV into a seed file in the seed directory, checked
    /// with the rest; then `yorisoi load`
    Import {
        #[command(flatten)]
        import: crate::import_command::ImportArgs,
        /// hsds (HSDS 3.0) or municipal-csv (自治体標準オープンデータセット)
        #[arg(long, value_enum, default_value_t = ImportFormat::Hsds)]
        format: ImportFormat,
    },
    /// Search the directory as a frontline worker would: a name or a situation
    Search {
        #[command(flatten)]
        search: crate::search_command::SearchArgs,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// The shortest referral chains from a place to places that address a need
    Paths {
        #[command(flatten)]
        paths: crate::graph_command::PathsArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Audit the referral network: たらい回し cycles, dead ends, holes, stale records, hubs
    Audit {
        #[command(flatten)]
        audit: crate::graph_command::AuditArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Where to refer a person: search for the situation, ranked with the referral graph
    Refer {
        #[command(flatten)]
        refer: crate::graph_command::ReferArgs,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the JSON Schema of seed files
    SeedSchema,
    /// Print the GraphQL schema (SDL), as committed in schema.graphql
    Schema,
}

/// How the server is exposed.
#[derive(Debug, clap::Args)]
struct ServerArgs {
    /// Tokens file: `ROLE NAME sha256:HEX` lines (make them with `yorisoi token`)
    #[arg(long = "tokens", env = "YORISOI_TOKENS_FILE")]
    tokens_file: Option<PathBuf>,
    /// Token lines in the environment, `;`-separated, added to the file's
    #[arg(long = "token-lines", env = "YORISOI_TOKENS", hide = true)]
    token_lines: Option<String>,
    /// Do not serve GraphiQL on GET /graphql
    #[arg(long, env = "YORISOI_NO_GRAPHIQL")]
    no_graphiql: bool,
    /// Do not answer introspection (__schema, __type)
    #[arg(long, env = "YORISOI_NO_INTROSPECTION")]
    no_introspection: bool,
    /// An origin browsers may call the API from (CORS); repeat or separate with commas
    #[arg(long = "cors-origin", env = "YORISOI_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// GraphQL requests answered at once; more are refused with 503 (load shedding)
    #[arg(long, env = "YORISOI_MAX_CONCURRENT", default_value_t = 64)]
    max_concurrent: usize,
    /// GraphQL requests whose work runs at the same time (default: one per core)
    #[arg(long, env = "YORISOI_WORKERS")]
    workers: Option<usize>,
    /// Open connections at most; more wait to be accepted
    #[arg(long, env = "YORISOI_MAX_CONNECTIONS", default_value_t = yorisoi::server::MAX_CONNECTIONS)]
    max_connections: usize,
    /// Seconds a request may take to arrive and run; fields not started by then answer TIMEOUT
    #[arg(long = "request-timeout", env = "YORISOI_REQUEST_TIMEOUT", default_value_t = 10.0)]
    request_timeout: f64,
    /// Seconds a client may take to send headers, or stay idle between requests
    #[arg(long = "header-timeout", env = "YORISOI_HEADER_TIMEOUT", default_value_t = 10.0)]
    header_timeout: f64,
    /// Answer /metrics only to a staff or steward token (it is public otherwise: counts, no records)
    #[arg(long, env = "YORISOI_PRIVATE_METRICS")]
    private_metrics: bool,
    /// Seconds SIGTERM waits for requests in flight before exiting
    #[arg(long = "shutdown-grace", env = "YORISOI_SHUTDOWN_GRACE", default_value_t = 10.0)]
    shutdown_grace: f64,
    /// Seconds between reads of the change log when nothing woke the server (PostgreSQL
    /// notifies at once; this is the fallback, and all SQLite has)
    #[arg(long = "poll-interval", env = "YORISOI_POLL_INTERVAL", default_value_t = 1.0)]
    poll_interval: f64,
}

/// A positive number of seconds from the command line.
fn seconds(flag: &str, value: f64) -> anyhow::Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .with_context(|| format!("--{flag} takes a positive number of seconds, not {value}"))
}

/// Where Yorisoi keeps its search index.
#[derive(Debug, clap::Args)]
struct DataArgs {
    /// Directory for the search index (built when missing; one made by other analyzers is served from while the new one is built)
    #[arg(long = "data-dir", env = "YORISOI_DATA_DIR", default_value = "yorisoi-data")]
    dir: PathBuf,
}

impl Cli {
    /// Whether this run is the long-lived server.
    pub fn is_server(&self) -> bool {
        matches!(self.command, Command::Serve { .. })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { dir } => Ok(check(&dir)),
        Command::Understand { text, seed, explain } => understand(&text, &seed, explain),
        Command::Serve { db, data, seed, addr, server } => {
            serve(&db.url, &seed, &data.dir, &addr, server)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { name, role } => {
            let role = yorisoi_graphql::Role::from_code(&role)
                .with_context(|| format!("unknown role `{role}`; use `steward` or `staff`"))?;
            let (token, line) = yorisoi_graphql::new_token(&name, role)
                .map_err(|e| anyhow::anyhow!("the system has no randomness: {e}"))?;
            println!("{token}");
            eprintln!("Give the token above to {name}; it is not stored anywhere.");
            eprintln!("Add this line to the tokens file (yorisoi serve --tokens FILE):\n{line}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Load { dir, db, load: args } => load(&dir, &db.url, args),
        Command::Export { dir, db, force, format: ExportFormat::Seed, municipality: None } => {
            export(&dir, &db.url, force)
        }
        Command::Export { municipality: Some(_), format: ExportFormat::Seed, .. } => {
            anyhow::bail!("--municipality goes with --format hsds; a seed export holds the whole directory")
        }
        Command::Export { dir, db, format: ExportFormat::Hsds, municipality, .. } => {
            export_hsds(&dir, &db.url, municipality.as_deref())
        }
        Command::Import { import, format: ImportFormat::Hsds } => crate::import_command::import_hsds(&import),
        Command::Import { import, format: ImportFormat::MunicipalCsv } => {
            crate::import_command::import_municipal_csv(&import)
        }
        Command::Search { search, db, data } => search_store(&search, &db.url, &data.dir),
        Command::Paths { paths, db } => {
            crate::graph_command::paths(&read_loaded_store(&db.url)?, &paths)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { audit, db } => {
            crate::graph_command::audit(&read_loaded_store(&db.url)?, &audit)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Refer { refer, db, data } => {
            let directory = read_loaded_store(&db.url)?;
            let index = crate::search_command::open_index(&data.dir, &directory)?;
            crate::graph_command::refer(&directory, &index, &refer)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print!("{}", yorisoi_graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::SeedSchema => {
            print!("{}", yorisoi_seed::json_schema());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(url: &str, seed: &Path, data_dir: &Path, addr: &str, args: ServerArgs) -> anyhow::Result<()> {
    let tokens = yorisoi::server::tokens(args.tokens_file.as_deref(), args.token_lines.as_deref())?;
    let cors_origins = args
        .cors_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| axum::http::HeaderValue::from_str(o.trim()).with_context(|| format!("`{o}` is not an origin")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(args.max_concurrent > 0, "--max-concurrent must be at least 1");
    anyhow::ensure!(args.max_connections > 0, "--max-connections must be at least 1");
    let options = yorisoi::server::ServerOptions {
        graphiql: !args.no_graphiql,
        cors_origins,
        max_concurrent: args.max_concurrent,
        max_connections: args.max_connections,
        workers: args.workers.unwrap_or(yorisoi::server::ServerOptions::default().workers),
        timeout: seconds("request-timeout", args.request_timeout)?,
        header_timeout: seconds("header-timeout", args.header_timeout)?,
        grace: seconds("shutdown-grace", args.shutdown_grace)?,
        private_metrics: args.private_metrics,
        follow_poll: seconds("poll-interval", args.poll_interval)?,
        ..yorisoi::server::ServerOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(async {
        let live = yorisoi::server::prepare(url, seed, data_dir).await?;
        tracing::info!(tokens = tokens.len(), "starting");
        let service = yorisoi::server::service(live, tokens, !args.no_introspection);
        yorisoi::server::serve(service, &options, addr).await
    });
    // Work still running past the grace period (a field that started before the
    // deadline) is left behind rather than waited for: the process exits.
    runtime.shutdown_timeout(std::time::Duration::ZERO);
    served
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")
}

/// Reads DIR; on problems prints them and returns `None`.
fn read_seed(dir: &Path) -> anyhow::Result<Option<yorisoi_seed::SeedSet>> {
    match yorisoi_seed::read_dir(dir) {
        Ok(set) => {
            for warning in &set.warnings {
                eprintln!("warning: {warning}");
            }
            Ok(Some(set))
        }
        Err(SeedError::Invalid { diagnostics, note }) => {
            for diagnostic in &diagnostics {
                eprintln!("{diagnostic}");
            }
            if let Some(note) = note {
                eprintln!("{note}");
            }
            let count = diagnostics.len();
            if count > 0 {
                eprintln!("{count} problem{} found; nothing was written", if count == 1 { "" } else { "s" });
            }
            Ok(None)
        }
        Err(other) => Err(other.into()),
    }
}

fn summary(directory: &Directory) -> String {
    RecordKind::ALL
        .iter()
        .map(|kind| format!("{} {}", directory.count(*kind), kind.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check(dir: &Path) -> ExitCode {
    match read_seed(dir) {
        Ok(Some(set)) => {
            println!("ok: {} files, {}", set.files.len(), summary(&set.directory));
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn understand(text: &str, seed: &Path, explain: bool) -> anyhow::Result<ExitCode> {
    use crate::terminal::say;
    let Some(set) = read_seed(seed)? else { return Ok(ExitCode::FAILURE) };
    let vocabulary = yorisoi_search::Vocabulary::new(&set.directory);
    let understood = vocabulary.understand(text);
    if understood.needs.is_empty() {
        say!("no need understood");
    }
    for need in &understood.needs {
        say!("{} ({}): 「{}」", need.label, need.code, need.matched);
    }
    if explain {
        let lexicon = yorisoi_search::situation::Lexicon::shipped();
        for clause in yorisoi_search::situation::read_situation(text, lexicon).explain().lines() {
            say!("  {clause}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How deliberate a load is.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LoadArgs {
    /// Print what the load would create, update and remove, and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Let the load remove records that DIR no longer holds (refused otherwise)
    #[arg(long)]
    allow_removals: bool,
}

/// The ids a load removes, a line per collection.
fn removals(report: &yorisoi_store::LoadReport) -> String {
    report
        .removed
        .iter()
        .map(|(kind, ids)| format!("  {} ({}): {}", kind.key(), ids.len(), ids.join(", ")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn load(dir: &Path, url: &str, args: LoadArgs) -> anyhow::Result<ExitCode> {
    let Some(set) = read_seed(dir)? else { return Ok(ExitCode::FAILURE) };
    let (report, written) = runtime()?.block_on(async {
        let store = Store::connect(url).await?;
        let decided = store
            .replace_directory_if(&set.directory, |plan| {
                !args.dry_run && (args.allow_removals || plan.total().removed == 0)
            })
            .await?;
        store.close().await?;
        anyhow::Ok(decided)
    })?;
    let removed = report.total().removed;
    if written {
        println!("loaded {} into {}", dir.display(), redact(url));
        println!("{report}");
        if removed > 0 {
            println!("removed:\n{}", removals(&report));
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!("plan for loading {} into {} (nothing was written):", dir.display(), redact(url));
    println!("{report}");
    if removed > 0 {
        println!("would remove:\n{}", removals(&report));
    }
    if args.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "refused: this load would remove {removed} record{} that {} no longer holds (listed above); nothing was \
         written. If the files are right, run the load again with --allow-removals; if not, check that every seed \
         file is in {} (`yorisoi load --dry-run` shows the plan).",
        if removed == 1 { "" } else { "s" },
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::FAILURE)
}

/// What `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    Hsds,
    /// 自治体標準オープンデータセット: 介護サービス事業所一覧, 公共施設一覧, 子育て施設一覧
    MunicipalCsv,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Seed,
    Hsds,
}

fn export_hsds(dir: &Path, url: &str, municipality: Option<&str>) -> anyhow::Result<ExitCode> {
    let directory = read_store(url)?;
    let within = municipality.map(|m| crate::search_command::resolve_municipality(&directory, m)).transpose()?;
    let export = yorisoi_hsds::export(&directory, within);
    let written = export.write_dir(dir)?;
    println!(
        "exported {} services, {} organizations, {} service at locations, {} taxonomy terms as HSDS 3.0 to {} ({} files)",
        export.services.len(),
        export.organizations.len(),
        export.service_at_locations.len(),
        export.taxonomy_terms.len(),
        dir.display(),
        written.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(dir: &Path, url: &str, force: bool) -> anyhow::Result<ExitCode> {
    let directory = read_store(url)?;
    let written = yorisoi_seed::write_dir(&directory, dir, force)?;
    println!("exported {} to {} ({} files)", summary(&directory), dir.display(), written.len());
    Ok(ExitCode::SUCCESS)
}

fn search_store(args: &crate::search_command::SearchArgs, url: &str, data_dir: &Path) -> anyhow::Result<ExitCode> {
    let directory = read_loaded_store(url)?;
    let request = crate::search_command::request(&directory, args)?;
    let index = crate::search_command::open_index(data_dir, &directory)?;
    let results = index.search(&request)?;
    crate::search_command::print(&directory, args, &results);
    Ok(ExitCode::SUCCESS)
}

fn read_store(url: &str) -> anyhow::Result<Directory> {
    runtime()?.block_on(async {
        let store = Store::connect(url).await?;
        let directory = store.read_directory().await?;
        store.close().await?;
        anyhow::Ok(directory)
    })
}

/// The store's directory for a question about it; an empty store is said to be
/// empty (rather than every name in the question being unknown).
fn read_loaded_store(url: &str) -> anyhow::Result<Directory> {
    let directory = read_store(url)?;
    anyhow::ensure!(
        !(directory.resources.is_empty() && directory.organizations.is_empty()),
        "the store {} holds no directory yet; load it first: yorisoi load seed --db {}",
        redact(url),
        redact(url)
    );
    Ok(directory)
}

/// A database URL without its password, for printing.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
