//! Where a fact comes from and when someone last checked it.

use chrono::NaiveDate;

use crate::ids::Id;

/// A source document or page that records cite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: Id,
    pub title: String,
    pub publisher: Option<String>,
    /// When the source was published, as precisely as it says (2025-06, 2025年11月号).
    pub published: Option<String>,
    /// The file name of a document in the seed's `documents/` folder.
    pub file: Option<String>,
    pub url: Option<String>,
    /// The licence the source is published under, with the attribution it asks
    /// (CC BY 4.0「江東区 介護サービス事業所一覧」).
    pub licence: Option<String>,
    /// What an HSDS import keeps of the data set as a whole (its own taxonomies and
    /// terms), as JSON, so an export gives them back; `None` for documents.
    pub hsds: Option<String>,
}

impl Source {
    /// The last day the publication date covers: `2019` → 2019-12-31, `2025-06` →
    /// 2025-06-30, `2025-06-12`, `2025年11月号` → 2025-11-30, `2022年度` (April to March)
    /// → 2023-03-31. None when the text gives no year. A record read from a source is
    /// as of this day, however recently someone checked it against the source.
    pub fn published_until(&self) -> Option<NaiveDate> {
        let text = self.published.as_deref()?;
        let numbers: Vec<u32> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .filter_map(|part| part.parse().ok())
            .collect();
        let year = i32::try_from(*numbers.first()?).ok().filter(|y| (1900..=9999).contains(y))?;
        let fiscal = text.contains("年度");
        match (numbers.get(1), numbers.get(2)) {
            _ if fiscal => NaiveDate::from_ymd_opt(year + 1, 3, 31),
            (Some(&month), Some(&day)) => NaiveDate::from_ymd_opt(year, month, day),
            (Some(&month), None) => last_day_of_month(year, month),
            (None, _) => NaiveDate::from_ymd_opt(year, 12, 31),
        }
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    first.checked_add_months(chrono::Months::new(1))?.pred_opt()
}

/// The day a record's facts are as of: each piece of evidence counts from its
/// source's publication, or from the check against it when that is earlier; the
/// freshest piece wins. A record checked today against a 2019 plan is as of 2019.
pub fn as_of(provenance: &[Provenance], published_until: impl Fn(&Id) -> Option<NaiveDate>) -> Option<NaiveDate> {
    provenance.iter().map(|p| published_until(&p.source).map_or(p.verified, |until| p.verified.min(until))).max()
}

/// A record's evidence: which source, where in it, and when it was last verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Provenance {
    pub source: Id,
    /// Where in the source: a page, a section, a short quote.
    pub locator: Option<String>,
    pub verified: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn until(published: &str) -> Option<NaiveDate> {
        let source = Source {
            id: Id::parse("s").unwrap(),
            title: "t".into(),
            publisher: None,
            published: Some(published.into()),
            file: None,
            url: None,
            licence: None,
            hsds: None,
        };
        source.published_until()
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn publication_dates_as_sources_write_them() {
        assert_eq!(until("2019"), date(2019, 12, 31));
        assert_eq!(until("2025-06"), date(2025, 6, 30));
        assert_eq!(until("2024-02"), date(2024, 2, 29));
        assert_eq!(until("2025-06-12"), date(2025, 6, 12));
        assert_eq!(until("2025年11月号"), date(2025, 11, 30));
        assert_eq!(until("2022年度"), date(2023, 3, 31));
        assert_eq!(until("令和6年"), None);
        assert_eq!(until("2025-13"), None);
    }
}
