//! Shared test helpers: the repository's paths, the real binary, and a store on
//! SQLite in memory or, when `DATABASE_URL` is set, on that PostgreSQL in a schema of
//! its own per test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use yorisoi_store::Store;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn seed_dir() -> PathBuf {
    repo().join("seed")
}

/// Runs the real `yorisoi` binary.
pub fn yorisoi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yorisoi"))
        .args(args)
        .env_remove("YORISOI_DATABASE_URL")
        .output()
        .expect("the yorisoi binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A database for one test: its URL for the CLI, and how to open it from the library.
pub struct TestDb {
    pub url: String,
    base_url: Option<String>,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    /// A fresh, empty database: a SQLite file, or a new PostgreSQL schema when
    /// `DATABASE_URL` names a PostgreSQL server.
    pub fn new() -> Self {
        match std::env::var("DATABASE_URL").ok().filter(|url| url.starts_with("postgres")) {
            Some(base) => Self::in_schema(base),
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("yorisoi.db").display());
                Self { url, base_url: None, schema: None, _dir: Some(dir) }
            }
        }
    }

    /// A fresh schema on the machine's PostgreSQL whatever `DATABASE_URL` says: for
    /// tests of what only PostgreSQL does (several servers on one database, woken by
    /// its notifications). `YORISOI_TEST_POSTGRES` names another server.
    pub fn postgres() -> Self {
        let base = std::env::var("YORISOI_TEST_POSTGRES")
            .ok()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|url| url.starts_with("postgres")))
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        Self::in_schema(base)
    }

    fn in_schema(base: String) -> Self {
        let schema = format!("yorisoi_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        runtime().block_on(async {
            Store::drop_schema(&base, &schema).await.unwrap();
            Store::connect_in_schema(&base, &schema).await.unwrap().close().await.unwrap();
        });
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        Self { url, base_url: Some(base), schema: Some(schema), _dir: None }
    }

    pub async fn open(&self) -> Store {
        match (&self.base_url, &self.schema) {
            (Some(base), Some(schema)) => Store::connect_in_schema(base, schema).await.unwrap(),
            _ => Store::connect(&self.url).await.unwrap(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let (Some(base), Some(schema)) = (&self.base_url, &self.schema) {
            let (base, schema) = (base.clone(), schema.clone());
            // A runtime of its own: the test's runtime may be the one being dropped.
            std::thread::spawn(move || runtime().block_on(Store::drop_schema(&base, &schema))).join().unwrap().unwrap();
        }
    }
}

/// `yorisoi search QUERY --municipality M` against a store, with its index in `data`.
pub fn search_in(query: &str, municipality: &str, db_url: &str, data: &Path) -> Output {
    yorisoi(&["search", query, "--municipality", municipality, "--db", db_url, "--data-dir", data.to_str().unwrap()])
}

/// Copies `from` into `to`, folders and all (the seed's documents come along).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        } else if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        }
    }
}

/// Compares `value` with the reviewed snapshot `tests/snapshots/NAME.json`. Locally a
/// missing or different snapshot is written for review (git diff shows what changed);
/// under `CI=true` it fails, so only reviewed snapshots land.
pub fn assert_snapshot(name: &str, value: &serde_json::Value) {
    let path = repo().join("tests/snapshots").join(format!("{name}.json"));
    let current = serde_json::to_string_pretty(value).unwrap() + "\n";
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == current {
        return;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} differs from the answer:\n{current}", path.display());
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, current).unwrap();
}
