//! The YAML seed format that data stewards edit: reading a directory of seed files into
//! a checked [`Directory`] with `file:line:col` errors, writing a directory back, and
//! the JSON Schema editors validate against.

mod convert;
mod diagnostic;
mod format;
mod locate;
mod read;
mod record;
mod to_seed;
mod values;

use std::fs;
use std::path::{Path, PathBuf};

use yorisoi_core::{Directory, ProblemCode, RecordKind, validate};

pub use diagnostic::Diagnostic;
pub use format::SeedFile;
pub use read::MAX_FILE_BYTES;
pub use record::{FieldProblem, referral_from_json, referral_to_json, resource_from_json, resource_to_json};

use convert::FromSeed;
use locate::{LineCol, PathMap};

/// The schema file written beside seed files; each file names it in its first line.
pub const SCHEMA_FILE: &str = "yorisoi-seed.schema.json";

/// What went wrong reading or writing seed files.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The files have problems a steward must fix; each names its place.
    #[error("{}", render(.diagnostics, .note.as_deref()))]
    Invalid { diagnostics: Vec<Diagnostic>, note: Option<String> },
    // The OS error is the source: a chain printer (`{:#}`) adds it once.
    #[error("cannot read {}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{} already holds seed files; export into an empty directory, or pass --force to replace them", .path.display())]
    NotEmpty { path: PathBuf },
}

fn render(diagnostics: &[Diagnostic], note: Option<&str>) -> String {
    let mut lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    lines.extend(note.map(str::to_owned));
    lines.join("\n")
}

/// A checked directory and the files it came from.
#[derive(Debug)]
pub struct SeedSet {
    pub directory: Directory,
    pub files: Vec<PathBuf>,
    /// What a steward may mean but should look at (a referral to a place that has
    /// ended); the set loads all the same.
    pub warnings: Vec<Diagnostic>,
}

/// The folder below a seed directory that holds the source documents a source's
/// `file:` names.
pub const DOCUMENTS_DIR: &str = "documents";

/// Where each record of the directory was written: file and position in its list.
#[derive(Default)]
struct Origins {
    by_kind: Vec<(RecordKind, Vec<(usize, usize)>)>,
}

impl Origins {
    fn push(&mut self, kind: RecordKind, file: usize, index: usize) {
        match self.by_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, list)) => list.push((file, index)),
            None => self.by_kind.push((kind, vec![(file, index)])),
        }
    }

    fn get(&self, kind: RecordKind, index: usize) -> Option<(usize, usize)> {
        self.by_kind.iter().find(|(k, _)| *k == kind).and_then(|(_, list)| list.get(index).copied())
    }
}

/// Reads and checks every `*.yaml` / `*.yml` file below `dir`.
///
/// Reports every problem it can find: all files are read even after one fails, and
/// the whole directory is validated (references across files, duplicates, cycles).
pub fn read_dir(dir: &Path) -> Result<SeedSet, SeedError> {
    read_dir_with(dir, None)
}

/// [`read_dir`] as if the seed file `added` (path and text) were in `dir` too, in place
/// of a file at that path: how a new file is checked with the rest before it is written.
pub fn read_dir_with(dir: &Path, added: Option<(PathBuf, Vec<u8>)>) -> Result<SeedSet, SeedError> {
    let (mut files, links) = seed_files(dir)?;
    if let Some((path, _)) = &added {
        files.retain(|f| f != path);
    }
    if files.is_empty() && links.is_empty() && added.is_none() {
        return Err(SeedError::Invalid {
            diagnostics: vec![],
            note: Some(format!("{}: no seed files (*.yaml) found; point check at the seed directory", dir.display())),
        });
    }
    let mut sources = Vec::with_capacity(files.len());
    for path in files {
        let bytes = fs::read(&path).map_err(|source| SeedError::Read { path: path.clone(), source })?;
        sources.push((path, bytes));
    }
    sources.extend(added);
    let linked: Vec<Diagnostic> = links
        .into_iter()
        .map(|link| {
            let message = "symbolic link, not followed; copy the file or folder into the seed directory instead";
            diagnostic(&link, LineCol { line: 1, column: 1 }, message.to_owned())
        })
        .collect();
    match read_checked(sources, Some(&dir.join(DOCUMENTS_DIR))) {
        Ok(set) if linked.is_empty() => Ok(set),
        Ok(_) => Err(SeedError::Invalid { diagnostics: linked, note: None }),
        Err(SeedError::Invalid { mut diagnostics, note }) => {
            diagnostics.extend(linked);
            diagnostics.sort();
            Err(SeedError::Invalid { diagnostics, note })
        }
        Err(other) => Err(other),
    }
}

/// Reads and checks seed files given as (path, bytes), as [`read_dir`] does once it
/// has read them; the paths only name the files in messages. With no folder on disk,
/// a source's `file:` is not looked for.
pub fn read_sources(sources: Vec<(PathBuf, Vec<u8>)>) -> Result<SeedSet, SeedError> {
    read_checked(sources, None)
}

/// [`read_sources`], looking for each source's `file:` in `documents` when that folder
/// exists (an export has none: its sources' files are then named but not looked for,
/// and a warning says so).
fn read_checked(sources: Vec<(PathBuf, Vec<u8>)>, documents: Option<&Path>) -> Result<SeedSet, SeedError> {
    let files: Vec<PathBuf> = sources.iter().map(|(path, _)| path.clone()).collect();
    let mut directory = Directory::default();
    let mut diagnostics = Vec::new();
    let mut maps: Vec<PathMap> = Vec::new();
    let mut origins = Origins::default();
    let mut unreadable_records = 0usize;
    let mut unparsed_files = 0usize;
    let mut taxonomy_words: Vec<(usize, (convert::Taxonomy, String))> = Vec::new();
    // Local names given on their own, merged into their kinds and needs once every
    // file is read.
    type Entry = (convert::Taxonomy, yorisoi_core::Id, yorisoi_core::LocalName);
    let mut local_names: Vec<(usize, usize, Entry)> = Vec::new();

    for (file_index, (path, bytes)) in sources.iter().enumerate() {
        let parsed = read::decode(bytes).and_then(|text| Ok((read::parse(&text)?, PathMap::of(&text))));
        let (seed, map) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => {
                diagnostics.push(diagnostic(path, error.at, error.message));
                maps.push(PathMap::default());
                unparsed_files += 1;
                continue;
            }
        };
        let mut convert = FromSeed::new();
        macro_rules! take {
            ($list:expr, $kind:expr, $method:ident, $target:expr) => {
                for (index, dto) in $list.into_iter().enumerate() {
                    let before = convert.malformed.len();
                    let record = convert.$method(&format!("{}.{index}", $kind.key()), dto);
                    if convert.malformed.len() == before {
                        origins.push($kind, file_index, index);
                        $target.push(record.into());
                    } else {
                        unreadable_records += 1;
                    }
                }
            };
        }
        take!(seed.sources, RecordKind::Source, source, directory.sources);
        take!(seed.municipalities, RecordKind::Municipality, municipality, directory.municipalities);
        take!(seed.areas, RecordKind::Area, area, directory.areas);
        take!(seed.needs, RecordKind::Need, need, directory.needs);
        take!(seed.kinds, RecordKind::Kind, kind, directory.kinds);
        take!(seed.organizations, RecordKind::Organization, organization, directory.organizations);
        take!(seed.resources, RecordKind::Resource, resource, directory.resources);
        take!(seed.referrals, RecordKind::Referral, referral, directory.referrals);
        for (index, dto) in seed.local_names.into_iter().enumerate() {
            let before = convert.malformed.len();
            let at = format!("local_names.{index}");
            match convert.local_name(&at, dto) {
                Some(entry) if convert.malformed.len() == before => local_names.push((file_index, index, entry)),
                _ => unreadable_records += 1,
            }
        }
        for malformed in convert.malformed {
            let at = map.find(&malformed.path).unwrap_or(LineCol { line: 1, column: 1 });
            if let Some(word) = malformed.taxonomy_word {
                taxonomy_words.push((diagnostics.len(), word));
            }
            diagnostics.push(diagnostic(path, at, malformed.message));
        }
        maps.push(map);
    }

    // Where each merged local name came from: (kind or need, its index, position in
    // its list) → (file, entry), so problems found in it point at the steward's file.
    let mut merged: std::collections::HashMap<(RecordKind, usize, usize), (usize, usize)> = Default::default();
    for (file, entry, (taxonomy, code, local)) in local_names {
        if local.provenance.is_empty() {
            let at =
                maps[file].find(&format!("local_names.{entry}.provenance")).unwrap_or(LineCol { line: 1, column: 1 });
            let message = "no source given; name where this local name is stated under `provenance:`".to_owned();
            diagnostics.push(diagnostic(&files[file], at, message));
        }
        let (record, noun, index) = match taxonomy {
            convert::Taxonomy::Kind => (RecordKind::Kind, "kind", directory.kinds.iter().position(|k| k.code == code)),
            convert::Taxonomy::Need => (RecordKind::Need, "need", directory.needs.iter().position(|n| n.code == code)),
        };
        let list = index.map(|i| match taxonomy {
            convert::Taxonomy::Kind => &mut directory.kinds[i].local_names,
            convert::Taxonomy::Need => &mut directory.needs[i].local_names,
        });
        match (list, index) {
            (Some(list), Some(index)) => {
                merged.insert((record, index, list.len()), (file, entry));
                list.push(local);
            }
            _ if unparsed_files > 0 => {}
            _ => {
                let at =
                    maps[file].find(&format!("local_names.{entry}.{noun}")).unwrap_or(LineCol { line: 1, column: 1 });
                let message =
                    format!("unknown {noun} `{code}`; use a {noun} code from `{noun}s:` (seed/taxonomy.yaml)");
                diagnostics.push(diagnostic(&files[file], at, message));
            }
        }
    }

    // Sources whose `file:` could not be looked for: the seed directory has no
    // documents folder.
    let mut unlooked = Vec::new();
    for (index, source) in directory.sources.iter().enumerate() {
        let (Some(file), Some(documents)) = (&source.file, documents) else { continue };
        if !documents.is_dir() {
            unlooked.push(index);
            continue;
        }
        if let Some(message) = missing_document(documents, file) {
            let (f, item) = origins.get(RecordKind::Source, index).expect("every record has an origin");
            let at = maps[f].find(&format!("sources.{item}.file")).unwrap_or(LineCol { line: 1, column: 1 });
            diagnostics.push(diagnostic(&files[f], at, message));
        }
    }
    // A label or synonym written where a code goes: name the code it stands for.
    for (at, (taxonomy, word)) in taxonomy_words {
        diagnostics[at].message = taxonomy_word_message(&directory, taxonomy, &word);
    }

    // With records missing, a reference to one of them would be reported as unknown
    // although the steward's only mistake is elsewhere; hold those back.
    let partial = unparsed_files + unreadable_records > 0;
    let mut held_back = 0usize;
    let place = |kind: RecordKind, index: usize, field: &str| {
        // A problem in a local name that came from its own entry points at that entry.
        if let Some(rest) = field.strip_prefix("local_names.") {
            let (position, below) = rest.split_once('.').unwrap_or((rest, ""));
            if let Some(&(file, entry)) = position.parse().ok().and_then(|p: usize| merged.get(&(kind, index, p))) {
                let path = if below.is_empty() {
                    format!("local_names.{entry}")
                } else {
                    format!("local_names.{entry}.{below}")
                };
                return (file, maps[file].find(&path).unwrap_or(LineCol { line: 1, column: 1 }));
            }
        }
        let (file, item) = origins.get(kind, index).expect("every record has an origin");
        let path =
            if field.is_empty() { format!("{}.{item}", kind.key()) } else { format!("{}.{item}.{field}", kind.key()) };
        let at = maps[file].find(&path).unwrap_or(LineCol { line: 1, column: 1 });
        (file, at)
    };
    for problem in validate(&directory, yorisoi_core::japan_time(chrono::Utc::now()).date()) {
        if partial && problem.code == ProblemCode::UnknownReference {
            held_back += 1;
            continue;
        }
        let (file, at) = place(problem.at.record, problem.at.index, &problem.at.field);
        let mut message = problem.message;
        if let Some(related) = problem.related {
            let (other_file, other) = place(related.record, related.index, &related.field);
            message = format!("{message} (also at {}:{}:{})", files[other_file].display(), other.line, other.column);
        }
        diagnostics.push(diagnostic(&files[file], at, message));
    }
    if diagnostics.is_empty() {
        let mut warnings: Vec<Diagnostic> = referrals_to_ended_places(&directory)
            .into_iter()
            .map(|(index, message)| {
                let (file, at) = place(RecordKind::Referral, index, "to");
                diagnostic(&files[file], at, message)
            })
            .collect();
        warnings.extend(unlooked.into_iter().map(|index| {
            let (file, at) = place(RecordKind::Source, index, "file");
            let folder = documents.map(Path::display).expect("looked for only with a folder");
            diagnostic(&files[file], at, format!("not looked for: there is no {folder} folder beside the seed files"))
        }));
        warnings.sort();
        return Ok(SeedSet { directory, files, warnings });
    }
    diagnostics.sort();
    let note = (held_back > 0).then(|| {
        format!("{held_back} reference(s) were not checked because some records could not be read; fix the errors above and check again")
    });
    Err(SeedError::Invalid { diagnostics, note })
}

/// Why a source's `file:` cannot be found under the documents folder, if it cannot.
fn missing_document(documents: &Path, file: &str) -> Option<String> {
    let plain = Path::new(file).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return Some(format!(
            "`{}` is not a file name under {DOCUMENTS_DIR}/; give the name of a file in that folder (no `..`, no absolute path)",
            yorisoi_core::text_rules::escaped(file)
        ));
    }
    (!documents.join(file).is_file()).then(|| {
        format!(
            "no document `{}` in {}; put the document there, or give the source's web address under `url:` and leave `file:` out",
            yorisoi_core::text_rules::escaped(file),
            documents.display()
        )
    })
}

/// Working referrals that send people to a place that has ended (its status, or its
/// last listed day is past): loadable, since the steward may be recording history,
/// but said at check time (the audit reports them too, as REFERS_TO_CLOSED_PLACE).
fn referrals_to_ended_places(directory: &Directory) -> Vec<(usize, String)> {
    let today = yorisoi_core::japan_time(chrono::Utc::now()).date();
    let resources: std::collections::HashMap<_, _> = directory.resources.iter().map(|r| (&r.id, r)).collect();
    directory
        .referrals
        .iter()
        .enumerate()
        .filter(|(_, r)| r.state == yorisoi_core::ReferralState::Working && r.kind.carries_people())
        .filter_map(|(index, referral)| {
            let target = resources.get(&referral.to)?;
            let ended = target.status == yorisoi_core::Status::Ended;
            let over = target.schedule.last_day().filter(|last| *last < today);
            let why = match (ended, over) {
                (true, _) => "has ended (status: ended)".to_owned(),
                (false, Some(last)) => format!("was last held on {last}"),
                (false, None) => return None,
            };
            let message = format!(
                "`{}` {why}: a person sent there finds nobody; refer to another place, or mark this referral `state: not_working` (the audit reports it as REFERS_TO_CLOSED_PLACE)",
                referral.to
            );
            Some((index, message))
        })
        .collect()
}

fn taxonomy_word_message(directory: &Directory, taxonomy: convert::Taxonomy, word: &str) -> String {
    let shown = yorisoi_core::text_rules::escaped(word);
    let (noun, found) = match taxonomy {
        convert::Taxonomy::Need => ("need", directory.need_by_word(word).map(|(n, how)| (n.code.clone(), how))),
        convert::Taxonomy::Kind => ("kind", directory.kind_by_word(word).map(|(k, how)| (k.code.clone(), how))),
    };
    match found {
        Some((code, how)) => format!("`{shown}` is not a {noun} code; did you mean `{code}` (its {how})?"),
        None => format!(
            "`{shown}` is not a {noun} code and no {noun} has it as label or synonym; write a code from \
             seed/taxonomy.yaml (lowercase a-z, 0-9, `-`)"
        ),
    }
}

fn diagnostic(file: &Path, at: LineCol, message: String) -> Diagnostic {
    Diagnostic { file: file.to_owned(), line: at.line, column: at.column, message }
}

/// `.yaml` or `.yml` in any case (`EXTRA.YAML` is a seed file too).
fn is_seed_file(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
}

/// Every seed file below `dir`, in a stable order, and the symbolic links found
/// there (not followed: a link can lead out of the tree or around it in a loop).
/// Hidden entries are skipped.
fn seed_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), SeedError> {
    let (mut found, mut links) = (Vec::new(), Vec::new());
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        let entries = fs::read_dir(&current).map_err(|source| SeedError::Read { path: current.clone(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| SeedError::Read { path: current.clone(), source })?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(|source| SeedError::Read { path: path.clone(), source })?;
            if kind.is_symlink() {
                if is_seed_file(&path) || path.is_dir() {
                    links.push(path);
                }
            } else if kind.is_dir() {
                pending.push(path);
            } else if is_seed_file(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    links.sort();
    Ok((found, links))
}

/// The JSON Schema (draft-07) of a seed file, as committed beside the seed files.
pub fn json_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft07().into_generator().into_root_schema_for::<SeedFile>();
    serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n"
}

/// Writes `directory` as seed files into `dir`, one file per part of the directory,
/// plus the JSON Schema. Returns the files written.
///
/// Refuses a directory that already holds seed files unless `replace` is set, since
/// they would be loaded together with the new ones.
pub fn write_dir(directory: &Directory, dir: &Path, replace: bool) -> Result<Vec<PathBuf>, SeedError> {
    let existing = if dir.exists() { seed_files(dir)?.0 } else { Vec::new() };
    if !existing.is_empty() && !replace {
        return Err(SeedError::NotEmpty { path: dir.to_owned() });
    }
    fs::create_dir_all(dir).map_err(|source| SeedError::Write { path: dir.to_owned(), source })?;
    for path in existing {
        fs::remove_file(&path).map_err(|source| SeedError::Write { path, source })?;
    }
    let parts: [(&str, SeedFile); 6] = [
        (
            "sources.yaml",
            SeedFile { sources: directory.sources.iter().map(to_seed::source).collect(), ..SeedFile::default() },
        ),
        (
            "places.yaml",
            SeedFile {
                municipalities: directory.municipalities.iter().map(to_seed::municipality).collect(),
                areas: directory.areas.iter().map(to_seed::area).collect(),
                ..SeedFile::default()
            },
        ),
        (
            "taxonomy.yaml",
            SeedFile {
                needs: directory.needs.iter().map(to_seed::need).collect(),
                kinds: directory.kinds.iter().map(to_seed::kind).collect(),
                ..SeedFile::default()
            },
        ),
        (
            "organizations.yaml",
            SeedFile {
                organizations: directory.organizations.iter().map(to_seed::organization).collect(),
                ..SeedFile::default()
            },
        ),
        (
            "resources.yaml",
            SeedFile {
                resources: directory.resources.iter().map(|r| to_seed::resource(r)).collect(),
                ..SeedFile::default()
            },
        ),
        (
            "referrals.yaml",
            SeedFile {
                referrals: directory.referrals.iter().map(|r| to_seed::referral(r)).collect(),
                ..SeedFile::default()
            },
        ),
    ];
    let mut written = Vec::new();
    for (name, part) in parts {
        let body = serde_saphyr::to_string(&part).expect("seed transfer types serialize");
        let text = format!(
            "# yaml-language-server: $schema={SCHEMA_FILE}\n# Written by `yorisoi export`; edit and load back with `yorisoi load`.\n{body}"
        );
        written.push(write(&dir.join(name), &text)?);
    }
    written.push(write(&dir.join(SCHEMA_FILE), &json_schema())?);
    Ok(written)
}

/// Records as the text of one seed file, headed by the schema line and `comment`.
pub fn file_text(directory: &Directory, comment: &str) -> String {
    let file = SeedFile {
        sources: directory.sources.iter().map(to_seed::source).collect(),
        organizations: directory.organizations.iter().map(to_seed::organization).collect(),
        resources: directory.resources.iter().map(|r| to_seed::resource(r)).collect(),
        referrals: directory.referrals.iter().map(|r| to_seed::referral(r)).collect(),
        ..SeedFile::default()
    };
    let body = serde_saphyr::to_string(&file).expect("seed transfer types serialize");
    format!("# yaml-language-server: $schema={SCHEMA_FILE}\n# {comment}\n{body}")
}

fn write(path: &Path, text: &str) -> Result<PathBuf, SeedError> {
    fs::write(path, text).map_err(|source| SeedError::Write { path: path.to_owned(), source })?;
    Ok(path.to_owned())
}
