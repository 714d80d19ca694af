//! One finding of the audit, kept small: the findings that come one per record (stale,
//! unreachable, dates running out, referrals to closed places — millions at a national
//! scale) hold the graph's own shared facts and write their text only when read, so a
//! whole-directory audit costs tens of bytes per finding, not a rendered page each.

use std::borrow::Cow;
use std::sync::Arc;

use super::{EdgeData, NodeData};
use crate::Id;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What a finding is about; the codes are stable for other apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingCode {
    /// A referral cycle for a need in which no member addresses it.
    TaraimawashiCycle,
    /// Receives referrals for a need it does not address and refers nowhere for it.
    DeadEnd,
    /// An information flow marked as not working.
    BrokenFlow,
    /// No entry window can reach this resource.
    Unreachable,
    /// A municipality with resources but none for some needs.
    CoverageHole,
    /// Not verified for too long.
    Stale,
    /// Many referral paths pass through this place.
    Hub,
    /// An active place whose schedule is a list of dates that has run out or soon will.
    DatesRunningOut,
    /// A working referral to a place that has ended (or is only planned).
    RefersToClosedPlace,
}

impl FindingCode {
    pub const ALL: [FindingCode; 9] = [
        FindingCode::TaraimawashiCycle,
        FindingCode::DeadEnd,
        FindingCode::BrokenFlow,
        FindingCode::Unreachable,
        FindingCode::CoverageHole,
        FindingCode::Stale,
        FindingCode::Hub,
        FindingCode::DatesRunningOut,
        FindingCode::RefersToClosedPlace,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FindingCode::TaraimawashiCycle => "TARAIMAWASHI_CYCLE",
            FindingCode::DeadEnd => "DEAD_END",
            FindingCode::BrokenFlow => "BROKEN_FLOW",
            FindingCode::Unreachable => "UNREACHABLE",
            FindingCode::CoverageHole => "COVERAGE_HOLE",
            FindingCode::Stale => "STALE",
            FindingCode::Hub => "HUB",
            FindingCode::DatesRunningOut => "DATES_RUNNING_OUT",
            FindingCode::RefersToClosedPlace => "REFERS_TO_CLOSED_PLACE",
        }
    }

    /// The code as [`FindingCode::code`] writes it.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// One finding, with what to do about it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    detail: Detail,
}

/// What a finding says, as the facts it is written from.
#[derive(Debug, Clone)]
enum Detail {
    /// An active resource no entry window reaches ([`FindingCode::Unreachable`]), or one
    /// whose listed dates run out ([`FindingCode::DatesRunningOut`]; past when the
    /// severity is a warning).
    Record(Arc<NodeData>),
    /// A record whose evidence is older than `months`.
    StaleRecord { node: Arc<NodeData>, months: u32 },
    /// A referral whose evidence is older than `months`.
    StaleReferral { referral: Referral, months: u32 },
    /// A working referral to a place that has ended or not begun.
    ClosedPlace(Referral),
    /// Findings about several records (cycles, chains, holes, hubs): few, written out.
    Written(Box<Written>),
}

/// A referral edge with the nodes at its ends, shared with the graph.
#[derive(Debug, Clone)]
pub(super) struct Referral {
    pub edge: Arc<EdgeData>,
    pub from: Arc<NodeData>,
    pub to: Arc<NodeData>,
}

impl Referral {
    fn id(&self) -> &Id {
        self.edge.referral.as_ref().expect("only referral edges are kept as referrals")
    }
}

#[derive(Debug, Clone)]
struct Written {
    need: Option<Id>,
    records: Vec<Id>,
    message: String,
    suggestion: String,
}

const STALE_SUGGESTION: &str =
    "新しい資料や本人・運営者への確認で連絡先・時間・実施状況を確かめ、その資料を provenance に加えてください";

impl Finding {
    /// A finding written out in full.
    pub fn written(
        code: FindingCode,
        severity: Severity,
        need: Option<Id>,
        records: Vec<Id>,
        message: String,
        suggestion: String,
    ) -> Self {
        Finding { code, severity, detail: Detail::Written(Box::new(Written { need, records, message, suggestion })) }
    }

    pub(super) fn unreachable(node: Arc<NodeData>) -> Self {
        Finding { code: FindingCode::Unreachable, severity: Severity::Warning, detail: Detail::Record(node) }
    }

    /// `past`: the last listed date is before today.
    pub(super) fn dates_running_out(node: Arc<NodeData>, past: bool) -> Self {
        let severity = if past { Severity::Warning } else { Severity::Info };
        Finding { code: FindingCode::DatesRunningOut, severity, detail: Detail::Record(node) }
    }

    pub(super) fn stale_record(node: Arc<NodeData>, months: u32) -> Self {
        Finding { code: FindingCode::Stale, severity: Severity::Info, detail: Detail::StaleRecord { node, months } }
    }

    pub(super) fn stale_referral(referral: Referral, months: u32) -> Self {
        Finding {
            code: FindingCode::Stale,
            severity: Severity::Info,
            detail: Detail::StaleReferral { referral, months },
        }
    }

    pub(super) fn refers_to_closed_place(referral: Referral) -> Self {
        Finding {
            code: FindingCode::RefersToClosedPlace,
            severity: Severity::Warning,
            detail: Detail::ClosedPlace(referral),
        }
    }

    /// The need code the finding is about, if one.
    pub fn need(&self) -> Option<&Id> {
        match &self.detail {
            Detail::Written(w) => w.need.as_ref(),
            _ => None,
        }
    }

    /// The records involved, in order (a cycle's path, a flow's chain; a referral
    /// first, then the places it joins).
    pub fn records(&self) -> Cow<'_, [Id]> {
        match &self.detail {
            Detail::Record(node) | Detail::StaleRecord { node, .. } => Cow::Borrowed(std::slice::from_ref(&node.id)),
            Detail::StaleReferral { referral, .. } => Cow::Borrowed(std::slice::from_ref(referral.id())),
            Detail::ClosedPlace(r) => Cow::Owned(vec![r.id().clone(), r.from.id.clone(), r.to.id.clone()]),
            Detail::Written(w) => Cow::Borrowed(&w.records),
        }
    }

    /// What is wrong, for the steward (Japanese).
    pub fn message(&self) -> Cow<'_, str> {
        match &self.detail {
            Detail::Record(node) if self.code == FindingCode::Unreachable => {
                Cow::Owned(format!("{} へは、どの相談窓口からもつながる経路がありません", node.name))
            }
            Detail::Record(node) => {
                let when = if self.severity == Severity::Warning {
                    "が最後で、その後の日程がありません"
                } else {
                    "までしか登録されていません"
                };
                let last = node.listed_until.map_or_else(|| "不明".to_owned(), |d| d.to_string());
                Cow::Owned(format!("{} の日程は {last} {when}", node.name))
            }
            Detail::StaleRecord { node, months } => Cow::Owned(stale_message(&node.name, node.verified, *months)),
            Detail::StaleReferral { referral, months } => Cow::Owned(stale_message(
                &format!("{} → {}", referral.from.name, referral.to.name),
                referral.edge.verified,
                *months,
            )),
            Detail::ClosedPlace(r) => {
                let state = if r.to.status == crate::Status::Ended {
                    "終了しています"
                } else {
                    "まだ始まっていません（計画）"
                };
                Cow::Owned(format!("{} から {} へのつなぎがありますが、つなぎ先は{state}", r.from.name, r.to.name))
            }
            Detail::Written(w) => Cow::Borrowed(&w.message),
        }
    }

    /// What to do about it (Japanese).
    pub fn suggestion(&self) -> Cow<'_, str> {
        Cow::Borrowed(match &self.detail {
            Detail::Record(_) if self.code == FindingCode::Unreachable => {
                "運営団体（operators）を登録するか、相談窓口からの紹介・連携を加えてください"
            }
            Detail::Record(_) => "次の日程を schedule の dates に加えるか、終わったなら status を ended にしてください",
            Detail::StaleRecord { .. } | Detail::StaleReferral { .. } => STALE_SUGGESTION,
            Detail::ClosedPlace(_) => {
                "つなぎ先の状況を確かめ、別の窓口へのつなぎに替えるか、この referral を not_working にしてください"
            }
            Detail::Written(w) => &w.suggestion,
        })
    }
}

/// Findings are equal when they say the same: same code, severity, need, records and text.
impl PartialEq for Finding {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
            && self.severity == other.severity
            && self.need() == other.need()
            && self.records() == other.records()
            && self.message() == other.message()
            && self.suggestion() == other.suggestion()
    }
}

fn stale_message(name: &str, verified: Option<chrono::NaiveDate>, months: u32) -> String {
    let when = verified.map_or_else(|| "不明".to_owned(), |d| d.to_string());
    format!("{name} の情報は{months}か月以上前のものです（{when} 時点。資料の発行日と最終確認日の早い方）")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The audit keeps one of these per stale record of a national directory: it must
    /// stay a few pointers, not a written message.
    #[test]
    fn a_finding_is_a_few_words_of_memory() {
        assert!(std::mem::size_of::<Finding>() <= 40, "{}", std::mem::size_of::<Finding>());
    }

    #[test]
    fn codes_read_back() {
        for code in FindingCode::ALL {
            assert_eq!(FindingCode::from_code(code.code()), Some(code));
        }
        assert_eq!(FindingCode::from_code("stale"), None);
    }
}
