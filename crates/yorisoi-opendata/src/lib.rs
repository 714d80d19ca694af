//! The municipal open-data CSVs a ward already publishes — 介護サービス事業所一覧,
//! 公共施設一覧 and 子育て施設一覧 of the Digital Agency's 自治体標準オープンデータセット,
//! in the 推奨 and the 正式版 column sets — read into Yorisoi's resources and the
//! organizations that run them. The kind and needs of each place come from the
//! steward's table ([`mapping`]); every row cites its file and line; a row that cannot
//! be a record is reported with its line and why. Knows core and CSV, nothing of seed
//! files or storage.

mod cells;
mod columns;
pub mod mapping;
mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use yorisoi_core::{
    Contact, Directory, Hours, Id, Location, MunicipalityCode, Organization, OrganizationKind, Provenance, Resource,
    Rule, Schedule, ServiceArea,
};

pub use columns::{Dataset, Field};
pub use mapping::{Mapping, MappingError};
pub use text::Encoding;

/// A CSV as read: its headers, what each names, and its rows (cells in NFKC) with
/// the line each starts on.
#[derive(Debug, Clone)]
pub struct Table {
    pub file_name: String,
    pub encoding: Encoding,
    pub headers: Vec<String>,
    pub fields: Vec<Option<Field>>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// A file that cannot be read as a table at all.
#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: neither UTF-8 nor Shift_JIS (cp932); save it as UTF-8 or as CSV from Excel", .0.display())]
    Encoding(PathBuf),
    #[error("{}:{line}: {message}", .path.display())]
    Csv { path: PathBuf, line: u64, message: String },
    #[error("{}: no column holds the names (名称, 施設名称, 介護サービス事業所名称); is it one of the three datasets?", .0.display())]
    NoNames(PathBuf),
}

impl Table {
    pub fn read(path: &Path) -> Result<Self, OpenDataError> {
        let bytes = std::fs::read(path).map_err(|source| OpenDataError::Read { path: path.to_owned(), source })?;
        let (text, encoding) = text::decode(&bytes).ok_or_else(|| OpenDataError::Encoding(path.to_owned()))?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let csv_error = |e: csv::Error| OpenDataError::Csv {
            path: path.to_owned(),
            line: e.position().map_or(1, |p| p.line()),
            message: e.to_string(),
        };
        let headers: Vec<String> = reader.headers().map_err(csv_error)?.iter().map(text::normal).collect();
        let fields: Vec<Option<Field>> = headers.iter().map(|h| columns::field(h)).collect();
        if !fields.contains(&Some(Field::Name)) {
            return Err(OpenDataError::NoNames(path.to_owned()));
        }
        let bytes = text.as_bytes();
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            // The line the record starts on, from its byte offset (the reader's own
            // count misses CRLF line ends; after a CR it stands on the LF).
            let offset = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX).min(bytes.len());
            let ends = bytes[..offset].iter().filter(|b| **b == b'\n').count()
                + usize::from(bytes.get(offset) == Some(&b'\n'));
            if !reader.read_record(&mut record).map_err(csv_error)? {
                break;
            }
            let cells: Vec<String> = record.iter().map(text::normal).collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            rows.push((1 + ends as u64, cells));
        }
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Table { file_name, encoding, headers, fields, rows })
    }

    /// Headers Yorisoi does not read (画像, 画像_ライセンス, …).
    pub fn ignored_columns(&self) -> Vec<&str> {
        self.headers.iter().zip(&self.fields).filter(|(_, f)| f.is_none()).map(|(h, _)| h.as_str()).collect()
    }
}

/// How to cite and read an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The source every record cites.
    pub source: Id,
    /// The dataset, when the headers should not decide.
    pub dataset: Option<Dataset>,
    /// The day the data was read (each record's `verified`).
    pub verified: NaiveDate,
}

/// A row that cannot become a record: its line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    pub message: String,
}

/// What an import made and met.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub dataset: Option<Dataset>,
    pub organizations: Vec<Organization>,
    pub resources: Vec<Resource>,
    /// Rows that cannot be records, with why.
    pub bad_rows: Vec<RowProblem>,
    /// Rows no line of the mapping table applies to: line and the place's type or name.
    pub not_mapped: Vec<(u64, String)>,
    /// What was mended on the way (a swapped latitude and longitude, a lost zero), by line.
    pub mended: Vec<RowProblem>,
    /// The publisher as the rows name it (地方公共団体名, or prefecture and city).
    pub publisher: Option<String>,
}

/// A short stable hash (FNV-1a) for ids of rows and organizations that have none.
fn digest(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:010x}", hash & 0xff_ffff_ffff)
}

/// Lower-case ASCII letters, digits and hyphens of an id the publisher gave.
fn id_part(text: &str) -> Option<String> {
    let out: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_owned();
    (!out.is_empty() && out.len() <= 40 && text.is_ascii()).then_some(out)
}

/// The organization form a corporation's name begins or ends with.
fn organization_kind(name: &str) -> OrganizationKind {
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["社会福祉協議会"]) {
        OrganizationKind::SocialWelfareCouncil
    } else if has(&["社会福祉法人"]) {
        OrganizationKind::SocialWelfareCorporation
    } else if has(&["特定非営利活動法人", "NPO法人"]) {
        OrganizationKind::Npo
    } else if has(&["一般社団法人", "一般財団法人"]) {
        OrganizationKind::GeneralIncorporatedAssociation
    } else if has(&["公益社団法人", "公益財団法人"]) {
        OrganizationKind::PublicInterestCorporation
    } else if has(&["医療生活協同組合", "医療生協"]) {
        OrganizationKind::MedicalCoop
    } else if has(&["生活協同組合"]) {
        OrganizationKind::ConsumerCoop
    } else if has(&["株式会社", "有限会社", "合同会社", "合資会社"]) {
        OrganizationKind::Company
    } else {
        OrganizationKind::Other
    }
}

struct Row<'a> {
    table: &'a Table,
    cells: &'a [String],
    line: u64,
}

impl Row<'_> {
    fn get(&self, field: Field) -> Option<&str> {
        self.table
            .fields
            .iter()
            .zip(self.cells)
            .find(|(f, cell)| **f == Some(field) && !cell.is_empty())
            .map(|(_, cell)| cell.as_str())
    }
}

struct Importer<'a> {
    directory: &'a Directory,
    mapping: &'a Mapping,
    options: &'a ImportOptions,
    dataset: Dataset,
    out: Outcome,
    organization_at: HashMap<Id, usize>,
}

impl Importer<'_> {
    fn provenance(&self, table: &Table, line: u64) -> Vec<Provenance> {
        vec![Provenance {
            source: self.options.source.clone(),
            locator: Some(format!("{} line {line}", table.file_name)),
            verified: self.options.verified,
        }]
    }

    /// The row's municipality: its code (mended as [`cells::municipality_codes`]
    /// says), a city named under a prefecture's code, or the name of the publisher.
    fn municipality(&self, row: &Row) -> Result<MunicipalityCode, String> {
        let known = |code: &MunicipalityCode| self.directory.municipality(*code).is_some();
        let by_name = |name: &str| self.directory.municipalities.iter().find(|m| m.name == name).map(|m| m.code);
        let from_code = row.get(Field::Code).map(|cell| {
            let readings = cells::municipality_codes(cell);
            readings.iter().copied().find(known).ok_or_else(|| match readings.first() {
                Some(code) => format!("全国地方公共団体コード {code} is not in the seed's places; add the municipality to places.yaml"),
                None => format!("全国地方公共団体コード `{cell}` is not a municipality code (six digits, or five without the check digit)"),
            })
        });
        let city = row.get(Field::City).and_then(by_name);
        match from_code {
            // A prefecture's list: the row's city, where it names one.
            Some(Ok(code)) if code.is_prefecture() => Ok(city.unwrap_or(code)),
            Some(result) => result,
            None => city
                .or_else(|| row.get(Field::PublisherName).and_then(by_name))
                .ok_or_else(|| "no 全国地方公共団体コード, and no known 市区町村名 or 地方公共団体名".to_owned()),
        }
    }

    fn schedule(row: &Row, booking: &mut Option<bool>) -> Schedule {
        let days = row.get(Field::Days);
        let (opens, closes) = (row.get(Field::Opens), row.get(Field::Closes));
        let parsed_days = days.and_then(cells::weekdays);
        let opens_at = opens.and_then(cells::time);
        let closes_at = closes.and_then(cells::time);
        // The source's own words, always: what is not a day or a time (日没, 終日,
        // 要予約) is read there rather than guessed into a rule.
        let mut words: Vec<String> = Vec::new();
        if let Some(days) = days {
            words.push(days.to_owned());
        }
        match (opens, closes) {
            (Some(o), Some(c)) => words.push(format!("{o}〜{c}")),
            (Some(o), None) => words.push(format!("{o}〜")),
            (None, Some(c)) => words.push(format!("〜{c}")),
            (None, None) => {}
        }
        if let Some(note) = row.get(Field::HoursNote) {
            words.push(note.to_owned());
        }
        if words.iter().any(|w| w.contains("要予約") || w.contains("予約制")) {
            *booking = Some(true);
        }
        // Hours only where the cell was a time; a word leaves that end unknown.
        let hours = Hours::new(opens_at, closes_at);
        let rules = match parsed_days {
            Some(days) => vec![Rule::Weekly { days, hours }],
            None if days.is_none() && (hours.opens.is_some() || hours.closes.is_some()) => {
                vec![Rule::HoursOnly { hours }]
            }
            None => Vec::new(),
        };
        Schedule {
            rules,
            closed: Vec::new(),
            note: (!words.is_empty()).then(|| words.join(" ")),
            ..Schedule::default()
        }
    }

    fn organization(&mut self, row: &Row, municipality: MunicipalityCode, table: &Table) -> Option<Id> {
        let name = row.get(Field::Corporation)?;
        let number =
            row.get(Field::CorporationNumber).filter(|n| n.len() == 13 && n.chars().all(|c| c.is_ascii_digit()));
        // The same corporation on another row (with or without its number), or one the
        // directory holds already (the ward itself, a 社協 a steward wrote, another
        // dataset's import): named, not made again.
        let known = self.out.organizations.iter().chain(&self.directory.organizations);
        if let Some(same) =
            known.clone().find(|o| o.name == name || number.is_some_and(|n| o.id.as_str() == format!("od-org-{n}")))
        {
            return Some(same.id.clone());
        }
        let id = Id::parse(&match number {
            Some(n) => format!("od-org-{n}"),
            None => format!("od-org-{}", digest(name)),
        })
        .expect("built of valid characters");
        if !self.organization_at.contains_key(&id) {
            self.organization_at.insert(id.clone(), self.out.organizations.len());
            self.out.organizations.push(Organization {
                id: id.clone(),
                name: name.to_owned(),
                kana: None,
                kind: organization_kind(name),
                parent: None,
                municipality: Some(municipality),
                service_area: ServiceArea::default(),
                description: number.map(|n| format!("法人番号 {n}")),
                contacts: Vec::new(),
                url: None,
                member_of: Vec::new(),
                provenance: self.provenance(table, row.line),
                hsds: None,
            });
        }
        Some(id)
    }

    fn row(&mut self, table: &Table, line: u64, cells: &[String]) -> Result<Option<Resource>, String> {
        let row = Row { table, cells, line };
        let name = row.get(Field::Name).ok_or("名称 is empty; every place needs its name")?.to_owned();
        let place_type = row.get(Field::Type);
        let Some(mapped) = self.mapping.find(self.dataset, place_type, &name) else {
            self.out.not_mapped.push((line, place_type.unwrap_or(&name).to_owned()));
            return Ok(None);
        };
        let municipality = self.municipality(&row)?;
        if self.out.publisher.is_none() {
            self.out.publisher = row
                .get(Field::PublisherName)
                .map(str::to_owned)
                .or_else(|| row.get(Field::Prefecture).map(|p| format!("{p}{}", row.get(Field::City).unwrap_or(""))));
        }
        let own_id = match self.dataset {
            Dataset::CareServices => row.get(Field::OfficeNumber).and_then(cells::office_number),
            _ => None,
        }
        .or_else(|| row.get(Field::RowId).and_then(id_part))
        .unwrap_or_else(|| digest(&format!("{name}/{}", row.get(Field::Address).unwrap_or(""))));
        let id = Id::parse(&format!("od-{}-{municipality}-{own_id}", self.dataset.key()))
            .expect("built of valid characters");
        let mut r = Resource::new(id, name, mapped.kind.clone());
        r.needs = mapped.needs.clone();
        r.local_kind_name = place_type.map(str::to_owned);
        match row.get(Field::Kana) {
            Some(kana) if cells::is_kana(kana) => r.kana = Some(kana.to_owned()),
            Some(kana) => self
                .out
                .mended
                .push(RowProblem { line, message: format!("名称_カナ `{kana}` is not all kana; left out") }),
            None => {}
        }
        let mut description: Vec<String> = Vec::new();
        description.extend(row.get(Field::Description).map(str::to_owned));
        if let Some(capacity) = row.get(Field::Capacity) {
            description.push(format!("定員 {capacity}"));
        }
        if let Some(temporary) = row.get(Field::TemporaryCare) {
            description.push(format!("一時預かり：{temporary}"));
        }
        description.extend(row.get(Field::Remarks).map(str::to_owned));
        r.description = (!description.is_empty()).then(|| description.join("。"));
        r.audience.description = row.get(Field::Ages).map(|ages| format!("受入年齢：{ages}"));
        r.service_area.municipalities = vec![municipality];

        let mut contact = Contact::default();
        if let Some(cell) = row.get(Field::Phone) {
            let (number, mended) = cells::phone(cell).map_err(|e| format!("電話番号 {e}"))?;
            if mended {
                self.out.mended.push(RowProblem {
                    line,
                    message: format!("電話番号 `{cell}` read as {number} (its leading 0 was lost)"),
                });
            }
            contact.phone = Some(number);
        }
        if let Some(cell) = row.get(Field::Fax) {
            contact.fax = Some(cells::phone(cell).map_err(|e| format!("FAX番号 {e}"))?.0);
        }
        contact.note = row.get(Field::Extension).map(|x| format!("内線 {x}"));
        // The page first, else the contact form.
        for (field, label) in [(Field::Url, "URL"), (Field::FormUrl, "連絡先FormURL")] {
            if let Some(url) = row.get(field) {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(format!("{label} `{url}` is not a web address (http:// or https://)"));
                }
                contact.url.get_or_insert_with(|| url.to_owned());
            }
        }
        if let Some(email) = row.get(Field::Email) {
            if !email.contains('@') {
                return Err(format!("連絡先メールアドレス `{email}` is not an email address"));
            }
            contact.email = Some(email.to_owned());
        }
        if contact != Contact::default() {
            r.contacts.push(contact);
        }

        let address = row.get(Field::Address).map(str::to_owned).or_else(|| {
            let parts: String = [Field::AddressPrefecture, Field::AddressCity, Field::AddressTown, Field::AddressRest]
                .into_iter()
                .filter_map(|f| row.get(f))
                .collect();
            (!parts.is_empty()).then_some(parts)
        });
        let address = match (address, row.get(Field::Building)) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, _) => a,
        };
        let position = match (row.get(Field::Latitude), row.get(Field::Longitude)) {
            (Some(lat), Some(lon)) => {
                let (position, swapped) = cells::position(lat, lon)?;
                if swapped {
                    self.out.mended.push(RowProblem {
                        line,
                        message: format!("緯度 {lat} and 経度 {lon} were swapped; read the other way round"),
                    });
                }
                Some(position)
            }
            (None, None) => None,
            _ => return Err("緯度 and 経度 go together; one of them is empty".to_owned()),
        };
        let note: Vec<&str> = [Field::Access, Field::Parking].into_iter().filter_map(|f| row.get(f)).collect();
        if address.is_some() || position.is_some() {
            r.locations.push(Location {
                name: row.get(Field::CommonName).map(str::to_owned),
                postal_code: row.get(Field::PostalCode).and_then(cells::postal_code),
                address,
                municipality: Some(municipality),
                note: (!note.is_empty()).then(|| note.join("。")),
                position,
                ..Location::default()
            });
        }
        r.accessibility = row
            .get(Field::Accessibility)
            .map(|a| a.split([';', '；']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        r.schedule = Self::schedule(&row, &mut r.application.booking_required);
        r.operators.extend(self.organization(&row, municipality, table));
        r.provenance = self.provenance(table, line);
        Ok(Some(r))
    }
}

/// Reads every row of `table` that the mapping applies to into records; rows that
/// cannot be records are in [`Outcome::bad_rows`] (the caller decides whether the rest
/// is imported).
pub fn import(table: &Table, mapping: &Mapping, directory: &Directory, options: &ImportOptions) -> Outcome {
    let dataset = options.dataset.unwrap_or_else(|| Dataset::detect(&table.headers));
    let mut importer = Importer {
        directory,
        mapping,
        options,
        dataset,
        out: Outcome { dataset: Some(dataset), ..Outcome::default() },
        organization_at: HashMap::new(),
    };
    let mut seen: HashMap<Id, u64> = HashMap::new();
    for (line, cells) in &table.rows {
        match importer.row(table, *line, cells) {
            Ok(Some(resource)) => {
                if let Some(first) = seen.insert(resource.id.clone(), *line) {
                    importer.out.bad_rows.push(RowProblem {
                        line: *line,
                        message: format!(
                            "the same place as line {first} (id {}); remove one of the two rows",
                            resource.id
                        ),
                    });
                } else {
                    importer.out.resources.push(resource);
                }
            }
            Ok(None) => {}
            Err(message) => importer.out.bad_rows.push(RowProblem { line: *line, message }),
        }
    }
    importer.out
}
