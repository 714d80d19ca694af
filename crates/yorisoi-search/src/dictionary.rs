//! The Japanese dictionary: IPADIC built offline from Debian's `mecab-ipadic`
//! source, cached on disk and loaded once per process, plus a user dictionary of
//! the field's words that the 2007 IPADIC lacks.
//!
//! Where the source comes from, in order: `YORISOI_IPADIC_SOURCE` (a directory of
//! IPADIC CSV files), the system's `/usr/share/mecab/dic/ipadic`, or
//! `apt-get download mecab-ipadic` unpacked with `dpkg-deb` into the cache. A
//! prebuilt dictionary can be named with `YORISOI_DICTIONARY`. The cache is
//! `YORISOI_CACHE_DIR`, else `$XDG_CACHE_HOME/yorisoi`, else `~/.cache/yorisoi`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use lindera::dictionary::{DictionaryBuilder, Metadata, load_fs_dictionary, load_user_dictionary_from_csv};
use lindera::mode::{Mode, Penalty};
use lindera::segmenter::Segmenter;

use crate::SearchError;

/// The field's words (surface, part of speech, reading), compiled into the user dictionary.
pub const USER_DICTIONARY_CSV: &str = include_str!("userdict.csv");

/// IPADIC's CSV layout; Debian ships the files in EUC-JP.
const IPADIC_METADATA: &str = r#"{
  "name": "ipadic",
  "encoding": "EUC-JP",
  "default_word_cost": -10000,
  "default_left_context_id": 0,
  "default_right_context_id": 0,
  "default_field_value": "*",
  "flexible_csv": true,
  "skip_invalid_cost_or_id": false,
  "normalize_details": true,
  "dictionary_schema": { "fields": ["surface", "left_context_id", "right_context_id", "cost",
    "part_of_speech", "part_of_speech_subcategory_1", "part_of_speech_subcategory_2",
    "part_of_speech_subcategory_3", "conjugation_form", "conjugation_type", "base_form",
    "reading", "pronunciation"] },
  "user_dictionary_schema": { "fields": ["surface", "part_of_speech", "reading"] }
}"#;

/// The name of the built dictionary's directory in the cache; a new lindera format or
/// source version gets a new directory.
pub const BUILT_NAME: &str = "ipadic-2.7.0-20070801-lindera-5.3";

/// The index of the reading among a token's details (IPADIC).
pub const READING_DETAIL: usize = 7;
/// The index of the part of speech among a token's details.
pub const POS_DETAIL: usize = 0;

static SEGMENTER: OnceLock<Result<Segmenter, String>> = OnceLock::new();

/// The process's segmenter, built or loaded on first use.
pub fn segmenter() -> Result<&'static Segmenter, SearchError> {
    SEGMENTER
        .get_or_init(|| load_segmenter().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| SearchError::Dictionary(message.clone()))
}

fn metadata(encoding: &str) -> Metadata {
    let mut metadata = Metadata::load(IPADIC_METADATA.as_bytes()).expect("the built-in IPADIC metadata parses");
    metadata.encoding = encoding.to_owned();
    metadata
}

fn load_segmenter() -> Result<Segmenter, SearchError> {
    let dir = built_dictionary()?;
    let dictionary = load_fs_dictionary(&dir).map_err(|e| dict_error(&dir, e))?;
    let user_csv = dir.join("yorisoi-userdict.csv");
    std::fs::write(&user_csv, USER_DICTIONARY_CSV).map_err(|e| dict_error(&user_csv, e))?;
    let user = load_user_dictionary_from_csv(&metadata("UTF-8"), &user_csv).map_err(|e| dict_error(&user_csv, e))?;
    // Decompose mode splits long compounds (地域包括支援センター → 地域/包括/支援/センター)
    // so a part of a name finds the whole.
    Ok(Segmenter::new(Mode::Decompose(Penalty::default()), dictionary, Some(user)))
}

fn dict_error(path: &Path, error: impl std::fmt::Display) -> SearchError {
    SearchError::Dictionary(format!("{}: {error}", path.display()))
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("YORISOI_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("yorisoi");
    }
    let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
    home.join(".cache").join("yorisoi")
}

/// The directory of a built dictionary, building it first if needed.
pub fn built_dictionary() -> Result<PathBuf, SearchError> {
    if let Some(dir) = std::env::var_os("YORISOI_DICTIONARY") {
        return Ok(PathBuf::from(dir));
    }
    let cache = cache_dir();
    let built = cache.join(BUILT_NAME);
    if built.join("metadata.json").exists() {
        return Ok(built);
    }
    let source = ipadic_source(&cache)?;
    std::fs::create_dir_all(&cache).map_err(|e| dict_error(&cache, e))?;
    // Build beside the target and rename, so a concurrent process never sees half a dictionary.
    let partial = cache.join(format!("{BUILT_NAME}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    tracing::info!(source = %source.display(), "building the Japanese dictionary (once)");
    DictionaryBuilder::new(metadata("EUC-JP"))
        .build_dictionary(&source, &partial)
        .map_err(|e| dict_error(&source, e))?;
    match std::fs::rename(&partial, &built) {
        Ok(()) => Ok(built),
        // Another process finished first: use its copy.
        Err(_) if built.join("metadata.json").exists() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(built)
        }
        Err(e) => Err(dict_error(&built, e)),
    }
}

fn has_ipadic(dir: &Path) -> bool {
    dir.join("matrix.def").exists() && dir.join("Noun.csv").exists()
}

/// Finds IPADIC's source files, fetching Debian's package when nothing else has them.
fn ipadic_source(cache: &Path) -> Result<PathBuf, SearchError> {
    if let Some(dir) = std::env::var_os("YORISOI_IPADIC_SOURCE") {
        let dir = PathBuf::from(dir);
        return if has_ipadic(&dir) {
            Ok(dir)
        } else {
            Err(SearchError::Dictionary(format!(
                "YORISOI_IPADIC_SOURCE={} holds no IPADIC (matrix.def, Noun.csv)",
                dir.display()
            )))
        };
    }
    let system = PathBuf::from("/usr/share/mecab/dic/ipadic");
    if has_ipadic(&system) {
        return Ok(system);
    }
    let unpacked = cache.join("mecab-ipadic");
    let source = unpacked.join("usr/share/mecab/dic/ipadic");
    if has_ipadic(&source) {
        return Ok(source);
    }
    fetch_debian_package(cache, &unpacked)?;
    if has_ipadic(&source) {
        Ok(source)
    } else {
        Err(SearchError::Dictionary(format!(
            "the mecab-ipadic package unpacked into {} holds no IPADIC",
            unpacked.display()
        )))
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{command:?}: {}", String::from_utf8_lossy(&output.stderr).trim()))
    }
}

fn fetch_debian_package(cache: &Path, unpacked: &Path) -> Result<(), SearchError> {
    let download = cache.join("deb");
    std::fs::create_dir_all(&download).map_err(|e| dict_error(&download, e))?;
    let fetch = || run(Command::new("apt-get").args(["download", "mecab-ipadic"]).current_dir(&download));
    // A fresh machine may have no package lists yet; refresh them once and retry.
    let fetched = fetch().or_else(|_| run(Command::new("apt-get").args(["update", "-qq"])).and_then(|()| fetch()));
    fetched.map_err(|e| {
        SearchError::Dictionary(format!(
            "cannot get IPADIC: {e}; install it (apt-get install mecab-ipadic) or set YORISOI_IPADIC_SOURCE to a directory of IPADIC CSV files"
        ))
    })?;
    let deb = std::fs::read_dir(&download)
        .map_err(|e| dict_error(&download, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| SearchError::Dictionary(format!("apt-get download left no .deb in {}", download.display())))?;
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(unpacked)).map_err(SearchError::Dictionary)
}
