//! `yorisoi import`: data published elsewhere (HSDS 3.0) made into a seed file in the
//! seed directory, checked together with the stewards' files before it is written, so
//! it loads like any other (`yorisoi load`) and stewards can read and edit it.

use std::path::PathBuf;
use std::process::ExitCode;

use yorisoi_core::{Directory, Id, Source};
use yorisoi_seed::SeedError;

/// What `yorisoi import` was asked.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// An HSDS 3.0 JSON file (a document, a list, or an API page), a directory of
    /// them as `yorisoi export --format hsds` writes, or a tabular datapackage
    /// directory (services.csv, organizations.csv, …)
    pub src: PathBuf,
    /// The seed directory the imported file is written into (its taxonomy and places
    /// are what the data is read against)
    #[arg(long, default_value = "seed")]
    pub seed: PathBuf,
    /// The kind (a code of the kind taxonomy) of services that carry none in Yorisoi's
    /// profile, e.g. consultation-window
    #[arg(long)]
    pub kind: Option<String>,
    /// Names the data set: the file is imported-NAME.yaml and its source hsds-NAME
    /// (default: from SRC's name)
    #[arg(long)]
    pub name: Option<String>,
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

pub fn import_hsds(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let seed = yorisoi_seed::read_dir(&args.seed);
    let directory = match seed {
        Ok(set) => set.directory,
        Err(error) => {
            anyhow::bail!(
                "the seed directory {} must check before data is imported into it: {error}",
                args.seed.display()
            )
        }
    };
    let documents = yorisoi_hsds::read(&args.src)?;
    let stem = args.src.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = slug(args.name.as_deref().unwrap_or(&stem));
    let source = Id::parse(&format!("hsds-{name}"))?;
    let kind = args.kind.as_deref().map(Id::parse).transpose()?;
    if let Some(kind) = &kind {
        anyhow::ensure!(
            directory.kinds.iter().any(|k| &k.code == kind),
            "--kind {kind} is not a kind in {}/taxonomy; use one of its codes (consultation-window, community-program, …)",
            args.seed.display()
        );
    }
    let today = yorisoi_core::japan_time(chrono::Utc::now()).date();
    let options = yorisoi_hsds::ImportOptions { source: source.clone(), kind, verified: today };
    let imported = yorisoi_hsds::import(&documents, &directory, &options)?;
    let records = Directory {
        sources: vec![Source {
            id: source,
            title: format!("HSDS 3.0 data: {}", args.src.display()),
            publisher: None,
            published: Some(today.to_string()),
            file: None,
            url: None,
            hsds: imported.kept,
        }],
        organizations: imported.organizations,
        resources: imported.resources,
        referrals: imported.referrals,
        ..Directory::default()
    };
    let path = args.seed.join(format!("imported-{name}.yaml"));
    let comment = format!(
        "Written by `yorisoi import --format hsds {}`; importing again replaces this file. `hsds:` holds what Yorisoi does not use, for export.",
        args.src.display()
    );
    let text = yorisoi_seed::file_text(&records, &comment);
    match yorisoi_seed::read_dir_with(&args.seed, Some((path.clone(), text.clone().into_bytes()))) {
        Ok(_) => {
            std::fs::write(&path, &text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            println!(
                "imported {} services, {} organizations and {} referrals into {}; load them with `yorisoi load {}`",
                records.resources.len(),
                records.organizations.len(),
                records.referrals.len(),
                path.display(),
                args.seed.display()
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
                "{} problem{} found; nothing was imported. The records as they would have been written are in {} (the lines above point into it); fix the data at its source, or pass --kind, and import again",
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" },
                rejected.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
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
