//! `yorisoi import`: data published elsewhere (HSDS 3.0, the municipal open-data
//! CSVs) made into a seed file in the seed directory, checked together with the
//! stewards' files before it is written, so it loads like any other (`yorisoi load`)
//! and stewards can read and edit it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use yorisoi_core::{Directory, Id, Source};
use yorisoi_seed::SeedError;

/// What `yorisoi import` was asked.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// hsds: an HSDS 3.0 JSON file (a document, a list, or an API page), a directory
    /// of them as `yorisoi export --format hsds` writes, or a tabular datapackage
    /// directory (services.csv, organizations.csv, …). municipal-csv: one CSV of the
    /// 自治体標準オープンデータセット (介護サービス事業所一覧, 公共施設一覧, 子育て施設一覧)
    pub src: PathBuf,
    /// The seed directory the imported file is written into (its taxonomy and places
    /// are what the data is read against)
    #[arg(long, default_value = "seed")]
    pub seed: PathBuf,
    /// Names the data set: the file is imported-NAME.yaml and its source hsds-NAME or
    /// od-NAME (default: from SRC's name)
    #[arg(long)]
    pub name: Option<String>,
    /// hsds: the kind (a code of the kind taxonomy) of services that carry none in
    /// Yorisoi's profile, e.g. consultation-window
    #[arg(long)]
    pub kind: Option<String>,
    /// municipal-csv: which dataset the file is (care, facilities, childcare); by
    /// default its columns say
    #[arg(long)]
    pub dataset: Option<String>,
    /// municipal-csv: the table of kinds and needs for each type of place (default:
    /// opendata-mapping.csv in the seed directory)
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// municipal-csv: the licence the data is published under; the attribution (who
    /// published which dataset) is added to it
    #[arg(long, default_value = "CC BY 4.0")]
    pub licence: String,
    /// municipal-csv: the page the file was published on
    #[arg(long)]
    pub url: Option<String>,
    /// municipal-csv: import the other rows when some cannot be imported (they are
    /// listed with their line and why); without it nothing is imported
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// Lower-case letters, digits and hyphens of `text`, for a file and source name.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(40).collect::<String>();
    if out.is_empty() { "data".to_owned() } else { out }
}

fn imported_path(seed: &Path, name: &str) -> PathBuf {
    seed.join(format!("imported-{name}.yaml"))
}

/// The seed directory's records, which imported data is read against (without the
/// file this import replaces); it must check.
fn seed_directory(seed: &Path, name: &str) -> anyhow::Result<Directory> {
    let replaced = (imported_path(seed, name), b"# replaced by this import\n".to_vec());
    yorisoi_seed::read_dir_with(seed, Some(replaced)).map(|set| set.directory).map_err(|error| {
        anyhow::anyhow!("the seed directory {} must check before data is imported into it: {error}", seed.display())
    })
}

/// The data set's name for its file and source.
fn data_set_name(args: &ImportArgs) -> String {
    let stem = args.src.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    slug(args.name.as_deref().unwrap_or(&stem))
}

fn today() -> chrono::NaiveDate {
    yorisoi_core::japan_time(chrono::Utc::now()).date()
}

/// Writes `records` as `imported-NAME.yaml` into the seed directory if the directory
/// checks with it; otherwise prints every problem and leaves the candidate beside as
/// `.rejected`, writing nothing else.
fn write_checked(seed: &Path, name: &str, records: &Directory, comment: &str, hint: &str) -> anyhow::Result<ExitCode> {
    let path = imported_path(seed, name);
    let text = yorisoi_seed::file_text(records, comment);
    match yorisoi_seed::read_dir_with(seed, Some((path.clone(), text.clone().into_bytes()))) {
        Ok(_) => {
            std::fs::write(&path, &text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            println!(
                "imported {} services, {} organizations and {} referrals into {}; load them with `yorisoi load {}`",
                records.resources.len(),
                records.organizations.len(),
                records.referrals.len(),
                path.display(),
                seed.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(SeedError::Invalid { diagnostics, note }) => {
            let rejected = PathBuf::from(format!("{}.rejected", path.display()));
            std::fs::write(&rejected, &text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", rejected.display()))?;
            for diagnostic in &diagnostics {
                eprintln!("{diagnostic}");
            }
            if let Some(note) = note {
                eprintln!("{note}");
            }
            eprintln!(
                "{} problem{} found; nothing was imported. The records as they would have been written are in {} (the lines above point into it); {hint}",
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" },
                rejected.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
}

pub fn import_hsds(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let name = data_set_name(args);
    let directory = seed_directory(&args.seed, &name)?;
    let documents = yorisoi_hsds::read(&args.src)?;
    let source = Id::parse(&format!("hsds-{name}"))?;
    let kind = args.kind.as_deref().map(Id::parse).transpose()?;
    if let Some(kind) = &kind {
        anyhow::ensure!(
            directory.kinds.iter().any(|k| &k.code == kind),
            "--kind {kind} is not a kind in {}/taxonomy; use one of its codes (consultation-window, community-program, …)",
            args.seed.display()
        );
    }
    let options = yorisoi_hsds::ImportOptions { source: source.clone(), kind, verified: today() };
    let imported = yorisoi_hsds::import(&documents, &directory, &options)?;
    let records = Directory {
        sources: vec![Source {
            id: source,
            title: format!("HSDS 3.0 data: {}", args.src.display()),
            publisher: None,
            published: Some(today().to_string()),
            file: None,
            url: None,
            licence: None,
            hsds: imported.kept,
        }],
        organizations: imported.organizations,
        resources: imported.resources.into_iter().map(Into::into).collect(),
        referrals: imported.referrals.into_iter().map(Into::into).collect(),
        ..Directory::default()
    };
    let comment = format!(
        "Written by `yorisoi import --format hsds {}`; importing again replaces this file. `hsds:` holds what Yorisoi does not use, for export.",
        args.src.display()
    );
    write_checked(&args.seed, &name, &records, &comment, "fix the data at its source, or pass --kind, and import again")
}

pub fn import_municipal_csv(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    use yorisoi_opendata::{Dataset, ImportOptions, Mapping, Table};
    let name = data_set_name(args);
    let directory = seed_directory(&args.seed, &name)?;
    let mapping_path = args.mapping.clone().unwrap_or_else(|| args.seed.join("opendata-mapping.csv"));
    let mapping = Mapping::read(&mapping_path, &directory)?;
    let dataset = args
        .dataset
        .as_deref()
        .map(|d| {
            Dataset::from_key(d).ok_or_else(|| anyhow::anyhow!("--dataset {d}: use care, facilities or childcare"))
        })
        .transpose()?;
    let table = Table::read(&args.src)?;
    let source = Id::parse(&format!("od-{name}"))?;
    let options = ImportOptions { source: source.clone(), dataset, verified: today() };
    let outcome = yorisoi_opendata::import(&table, &mapping, &directory, &options);
    let dataset = outcome.dataset.expect("an import names its dataset");
    let file = args.src.display();
    println!("read {file} ({}): {} rows of {}", table.encoding.label(), table.rows.len(), dataset.label());
    let ignored = table.ignored_columns();
    if !ignored.is_empty() {
        println!("columns not read: {}", ignored.join(", "));
    }
    for mended in &outcome.mended {
        eprintln!("warning: {file}:{}: {}", mended.line, mended.message);
    }
    if !outcome.not_mapped.is_empty() {
        let mut types: Vec<(&str, Vec<u64>)> = Vec::new();
        for (line, what) in &outcome.not_mapped {
            match types.iter_mut().find(|(t, _)| t == what) {
                Some((_, lines)) => lines.push(*line),
                None => types.push((what, vec![*line])),
            }
        }
        let listed: Vec<String> = types
            .iter()
            .map(|(t, lines)| format!("{t} (line {})", lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")))
            .collect();
        println!("not imported, as no line of {} applies to them: {}", mapping_path.display(), listed.join("; "));
    }
    for problem in &outcome.bad_rows {
        eprintln!("{file}:{}: {}", problem.line, problem.message);
    }
    if !outcome.bad_rows.is_empty() && !args.skip_bad_rows {
        eprintln!(
            "{} row{} cannot be imported (above); nothing was imported. Fix them in the file, or pass --skip-bad-rows to import the other {}",
            outcome.bad_rows.len(),
            if outcome.bad_rows.len() == 1 { "" } else { "s" },
            outcome.resources.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let publisher = outcome.publisher.clone();
    let who = publisher.as_deref().unwrap_or("発行者不明");
    let records = Directory {
        sources: vec![Source {
            id: source,
            title: format!("{who} {}（{}）", dataset.label(), table.file_name),
            publisher: publisher.clone(),
            published: None,
            file: None,
            url: args.url.clone(),
            licence: Some(format!("{}（出典：{who}「{}」）", args.licence, dataset.label())),
            hsds: None,
        }],
        organizations: outcome.organizations,
        resources: outcome.resources.into_iter().map(Into::into).collect(),
        ..Directory::default()
    };
    let comment =
        format!("Written by `yorisoi import --format municipal-csv {file}`; importing again replaces this file.");
    write_checked(&args.seed, &name, &records, &comment, "fix the rows in the CSV and import again")
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn names_become_file_and_source_names() {
        assert_eq!(slug("service_full"), "service-full");
        assert_eq!(slug("Koto Ward 2025!"), "koto-ward-2025");
        assert_eq!(slug("江東区"), "data");
    }
}
