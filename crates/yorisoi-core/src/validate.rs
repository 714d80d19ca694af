//! Whole-directory validation: references, duplicates, cycles and impossible values;
//! and the same checks for the one record a steward's edit puts (`validate_edit`).
//!
//! Problems point at a record by collection and position plus a field path
//! (`needs.2`, `audience.age_min`), so the seed crate can turn them into
//! `file:line:col` and the API into a field error, with the same words.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::contact::Contact;
use crate::directory::{Directory, RecordKind};
use crate::ids::{Id, MunicipalityCode};
use crate::provenance::Provenance;
use crate::schedule::{Closure, Rule, Schedule, WeekOfMonth};
use crate::text_rules::{MAX_LIST_ITEMS, TextField, email_problem, text_problem, url_problem};

/// A field of one record: `resources[3].needs.1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRef {
    pub record: RecordKind,
    pub index: usize,
    /// Dotted path below the record; empty for the record itself.
    pub field: String,
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.record.key(), self.index)?;
        if !self.field.is_empty() {
            write!(f, ".{}", self.field)?;
        }
        Ok(())
    }
}

/// What sort of problem, for callers that treat them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemCode {
    /// Two records share an id or code.
    Duplicate,
    /// A reference to a record that does not exist.
    UnknownReference,
    /// A parent relation loops.
    Cycle,
    /// A value that cannot be right (empty name, age_min > age_max, 09:00–09:00).
    InvalidValue,
}

/// One thing wrong with a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: ProblemCode,
    pub at: FieldRef,
    /// What is wrong and what to do, lowercase, no trailing period.
    pub message: String,
    /// Another place involved (the first definition of a duplicate id).
    pub related: Option<FieldRef>,
}

/// Checks a whole directory and returns every problem, in record order. `today` (the
/// date in Japan) is the latest a record may say it was verified.
pub fn validate(directory: &Directory, today: chrono::NaiveDate) -> Vec<Problem> {
    let mut checker = Checker { dir: directory, problems: Vec::new(), index: Index::default(), today, nodes: None };
    checker.index_and_find_duplicates();
    checker.check_sources();
    checker.check_municipalities();
    checker.check_areas();
    checker.check_taxonomies();
    checker.check_organizations();
    checker.check_resources();
    checker.check_referrals();
    checker.problems
}

/// Whether an id names a record of a collection, organizations or resources (a
/// snapshot's lookups).
pub type NodeLookup<'a> = &'a dyn Fn(&Id, RecordKind) -> bool;

/// Checks the record an edit puts at position `at` of `directory` (the directory with
/// the edit applied): the problems [`validate`] reports at that record, found with
/// `nodes` instead of reading every record, so the time grows with the record, not
/// with the directory. An edit puts a resource or a referral, which have no parent to
/// close a cycle with; a referral that repeats another's edge is reported whichever
/// of the two comes first.
pub fn validate_edit(
    directory: &Directory,
    edit: &crate::Edit,
    at_index: usize,
    today: chrono::NaiveDate,
    nodes: NodeLookup<'_>,
) -> Vec<Problem> {
    let mut checker =
        Checker { dir: directory, problems: Vec::new(), index: Index::default(), today, nodes: Some(nodes) };
    checker.index_small_collections();
    match edit {
        crate::Edit::PutResource(r) => {
            if nodes(&r.id, RecordKind::Organization) {
                let first = directory.organizations.iter().position(|o| o.id == r.id).unwrap_or_default();
                checker.problems.push(Problem {
                    code: ProblemCode::Duplicate,
                    at: at(RecordKind::Resource, at_index, "id"),
                    message: format!("duplicate organization or resource id `{}`; every id must be unique", r.id),
                    related: Some(at(RecordKind::Organization, first, "id")),
                });
            }
            checker.check_resource(at_index, r);
        }
        crate::Edit::PutReferral(referral) => {
            let edge = (referral.from.as_str(), referral.to.as_str(), referral.kind.code());
            if let Some(first) = directory
                .referrals
                .iter()
                .enumerate()
                .position(|(i, r)| i != at_index && (r.from.as_str(), r.to.as_str(), r.kind.code()) == edge)
            {
                checker.report_duplicate_edge(at_index, first);
            }
            checker.check_referral(at_index, referral);
        }
        crate::Edit::RemoveReferral(_) => {}
    }
    checker.problems
}

#[derive(Default)]
struct Index {
    sources: HashSet<String>,
    municipalities: HashSet<MunicipalityCode>,
    parents: HashMap<MunicipalityCode, Option<MunicipalityCode>>,
    areas: HashMap<String, MunicipalityCode>,
    needs: HashSet<String>,
    kinds: HashSet<String>,
    organizations: HashSet<String>,
    resources: HashSet<String>,
}

struct Checker<'a> {
    dir: &'a Directory,
    problems: Vec<Problem>,
    index: Index,
    today: chrono::NaiveDate,
    /// When checking one edit: which ids are organizations and resources, instead of
    /// `index.organizations` and `index.resources`.
    nodes: Option<NodeLookup<'a>>,
}

fn at(record: RecordKind, index: usize, field: impl Into<String>) -> FieldRef {
    FieldRef { record, index, field: field.into() }
}

impl Checker<'_> {
    fn report(&mut self, at: FieldRef, message: impl Into<String>) {
        self.report_as(ProblemCode::InvalidValue, at, message);
    }

    fn report_as(&mut self, code: ProblemCode, at: FieldRef, message: impl Into<String>) {
        self.problems.push(Problem { code, at, message: message.into(), related: None });
    }

    fn index_and_find_duplicates(&mut self) {
        // Organizations and resources share one namespace: referrals name either by id.
        let mut node_ids: HashMap<String, FieldRef> = HashMap::new();
        for kind in RecordKind::ALL {
            let mut seen: HashMap<String, FieldRef> = HashMap::new();
            for (i, key) in self.dir.keys(kind).into_iter().enumerate() {
                let field = if matches!(kind, RecordKind::Municipality | RecordKind::Need | RecordKind::Kind) {
                    "code"
                } else {
                    "id"
                };
                let here = at(kind, i, field);
                let shared = matches!(kind, RecordKind::Organization | RecordKind::Resource);
                let table = if shared { &mut node_ids } else { &mut seen };
                if let Some(first) = table.get(&key) {
                    let what = if shared { "organization or resource" } else { kind.noun() };
                    self.problems.push(Problem {
                        code: ProblemCode::Duplicate,
                        at: here,
                        message: format!("duplicate {what} {field} `{key}`; every {field} must be unique"),
                        related: Some(first.clone()),
                    });
                } else {
                    table.insert(key, here);
                }
            }
        }
        self.index_small_collections();
        let dir = self.dir;
        self.index.organizations = dir.organizations.iter().map(|o| o.id.to_string()).collect();
        self.index.resources = dir.resources.iter().map(|r| r.id.to_string()).collect();
    }

    /// The collections a record refers to that stay small (taxonomies, places, sources).
    fn index_small_collections(&mut self) {
        let dir = self.dir;
        self.index.sources = dir.sources.iter().map(|s| s.id.to_string()).collect();
        self.index.municipalities = dir.municipalities.iter().map(|m| m.code).collect();
        self.index.parents = dir.municipalities.iter().map(|m| (m.code, m.parent)).collect();
        self.index.areas = dir.areas.iter().map(|a| (a.id.to_string(), a.municipality)).collect();
        self.index.needs = dir.needs.iter().map(|n| n.code.to_string()).collect();
        self.index.kinds = dir.kinds.iter().map(|k| k.code.to_string()).collect();
    }

    /// Whether `id` names a record of `kind` (an organization or a resource).
    fn is_node(&self, kind: RecordKind, id: &Id) -> bool {
        match self.nodes {
            Some(nodes) => nodes(id, kind),
            None if kind == RecordKind::Organization => self.index.organizations.contains(id.as_str()),
            None => self.index.resources.contains(id.as_str()),
        }
    }

    fn check_name(&mut self, at: FieldRef, name: &str) {
        if name.trim().is_empty() {
            let field = at.field.clone();
            self.report(at, format!("{field} is empty; write the name as the source document gives it"));
        } else {
            self.check_text(at, TextField::Name, Some(name));
        }
    }

    /// Length, control characters and invisible-only text (see [`text_problem`]).
    fn check_text(&mut self, at: FieldRef, field: TextField, text: Option<&str>) {
        if let Some(problem) = text.and_then(|t| text_problem(field, t)) {
            self.report(at, problem);
        }
    }

    /// Each item of a list of words (things to bring, languages).
    fn check_texts(&mut self, record: RecordKind, i: usize, path: &str, items: &[String]) {
        self.check_list_size(at(record, i, path), items.len());
        for (j, item) in items.iter().enumerate() {
            self.check_text(at(record, i, format!("{path}.{j}")), TextField::Line, Some(item));
        }
    }

    fn check_list_size(&mut self, at: FieldRef, len: usize) {
        if len > MAX_LIST_ITEMS {
            self.report(at, format!("the list has {len} items; at most {MAX_LIST_ITEMS} are allowed"));
        }
    }

    /// A list of codes that must each appear once.
    fn check_unique<T: PartialEq + fmt::Display>(&mut self, record: RecordKind, i: usize, path: &str, items: &[T]) {
        self.check_list_size(at(record, i, path), items.len());
        for (j, item) in items.iter().enumerate() {
            if let Some(first) = items[..j].iter().position(|earlier| earlier == item) {
                self.report_as(
                    ProblemCode::Duplicate,
                    at(record, i, format!("{path}.{j}")),
                    format!("`{item}` is listed twice (also at {path}.{first}); keep one"),
                );
            }
        }
    }

    fn check_url(&mut self, at: FieldRef, url: Option<&str>) {
        if let Some(problem) = url.and_then(url_problem) {
            self.report(at, problem);
        }
    }

    fn check_kana(&mut self, at: FieldRef, kana: Option<&str>) {
        let Some(kana) = kana else { return };
        let is_kana =
            |c: char| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー' | '・' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ' | ' ' | '　');
        if kana.trim().is_empty() {
            self.report(at, "kana is empty; give the reading or leave the field out");
        } else if let Some(bad) = kana.chars().find(|c| !is_kana(*c)) {
            let bad = crate::text_rules::shown(bad);
            self.report(at, format!("kana `{kana}` contains `{bad}`; write the reading in hiragana or katakana"));
        } else {
            self.check_text(at, TextField::Name, Some(kana));
        }
    }

    fn check_municipality_ref(&mut self, at: FieldRef, code: MunicipalityCode) {
        if !self.index.municipalities.contains(&code) {
            self.report_as(
                ProblemCode::UnknownReference,
                at,
                format!("unknown municipality `{code}`; add it under `municipalities:` or fix the code"),
            );
        }
    }

    fn check_ref(&mut self, at: FieldRef, target: RecordKind, id: &Id) {
        let known = match target {
            RecordKind::Source => self.index.sources.contains(id.as_str()),
            RecordKind::Need => self.index.needs.contains(id.as_str()),
            RecordKind::Kind => self.index.kinds.contains(id.as_str()),
            RecordKind::Organization | RecordKind::Resource => self.is_node(target, id),
            _ => unreachable!("only id-keyed collections are referenced this way"),
        };
        if !known {
            let noun = target.noun();
            let key = target.key();
            self.report_as(
                ProblemCode::UnknownReference,
                at,
                format!("unknown {noun} `{id}`; define it under `{key}:` or fix the reference"),
            );
        }
    }

    fn check_area_refs(&mut self, record: RecordKind, i: usize, prefix: &str, areas: &[Id]) {
        for (j, area) in areas.iter().enumerate() {
            if !self.index.areas.contains_key(area.as_str()) {
                self.report_as(
                    ProblemCode::UnknownReference,
                    at(record, i, format!("{prefix}areas.{j}")),
                    format!("unknown area `{area}`; define it under `areas:` or fix the reference"),
                );
            }
        }
    }

    /// Areas must lie in the municipalities listed beside them (or in one of their
    /// wards); with none listed there is nothing to compare.
    fn check_areas_in(&mut self, record: RecordKind, i: usize, path: &str, areas: &[Id], within: &[MunicipalityCode]) {
        if within.is_empty() {
            return;
        }
        for (j, area) in areas.iter().enumerate() {
            let Some(&home) = self.index.areas.get(area.as_str()) else { continue };
            let inside = crate::chain_to_root(&self.index.parents, &home).iter().any(|m| within.contains(m));
            if !inside {
                let field =
                    if areas.len() == 1 && !path.ends_with("areas") { path.to_owned() } else { format!("{path}.{j}") };
                self.report(
                    at(record, i, field),
                    format!(
                        "area `{area}` belongs to municipality {home}, not to {}; use an area of the same municipality",
                        within.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }

    /// The provenance at `prefix` (empty for a record's own, `local_names.2.` for a
    /// local name's) of record `i`.
    fn check_provenance(&mut self, record: RecordKind, i: usize, prefix: &str, provenance: &[Provenance]) {
        if provenance.is_empty() {
            self.report(
                at(record, i, format!("{prefix}provenance")),
                "no source given; name the document this record comes from under `provenance:`",
            );
        }
        for (j, p) in provenance.iter().enumerate() {
            let here = |field: &str| at(record, i, format!("{prefix}provenance.{j}.{field}"));
            self.check_ref(here("source"), RecordKind::Source, &p.source);
            self.check_text(here("locator"), TextField::Line, p.locator.as_deref());
            if p.verified > self.today {
                self.report(
                    here("verified"),
                    format!(
                        "verified {} is in the future (today is {}); write the day you checked the source",
                        p.verified, self.today
                    ),
                );
            }
        }
    }

    fn check_age_range(&mut self, record: RecordKind, i: usize, prefix: &str, min: Option<u8>, max: Option<u8>) {
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            self.report(
                at(record, i, format!("{prefix}age_min")),
                format!("age_min {min} is greater than age_max {max}; swap them or fix one"),
            );
        }
        for (name, age) in [("age_min", min), ("age_max", max)] {
            if age.is_some_and(|age| age > 120) {
                self.report(
                    at(record, i, format!("{prefix}{name}")),
                    format!("{name} is over 120; write the age in years"),
                );
            }
        }
    }

    fn check_schedule(&mut self, record: RecordKind, i: usize, prefix: &str, schedule: &Schedule) {
        for (j, rule) in schedule.rules.iter().enumerate() {
            let here = |field: &str| at(record, i, format!("{prefix}rules.{j}{field}"));
            let hours = rule.hours();
            if let (Some(opens), Some(closes)) = (hours.opens, hours.closes)
                && opens == closes
            {
                self.report(here(".closes"), "closes at the same time it opens; fix one of the times");
            }
            match rule {
                Rule::Weekly { days, .. } if days.is_empty() => {
                    self.report(here(".days"), "no days given; list the weekdays it is open (mon, tue, ...)");
                }
                Rule::Monthly { weeks, days, .. } => {
                    if days.is_empty() {
                        self.report(here(".days"), "no days given; list the weekdays it meets (wed)");
                    }
                    if weeks.is_empty() {
                        self.report(here(".weeks"), "no weeks given; list which weeks of the month (2, 4 or last)");
                    }
                    if weeks.iter().any(|w| matches!(w, WeekOfMonth::Nth(n) if !(1..=5).contains(n))) {
                        self.report(here(".weeks"), "a week of the month must be 1 to 5 or `last`");
                    }
                }
                Rule::TimesPerMonth { times: 0, .. } | Rule::TimesPerYear { times: 0, .. } => {
                    self.report(here(".times"), "times must be at least 1");
                }
                Rule::Dates { dates, .. } if dates.is_empty() => {
                    self.report(here(".dates"), "no dates given; list the dates (2026-03-08)");
                }
                Rule::DaysOfMonth { days, .. } if days.is_empty() => {
                    self.report(here(".days"), "no days given; list the days of the month (1, 15)");
                }
                Rule::DaysOfMonth { days, .. } => {
                    if let Some(day) = days.iter().find(|d| !(1..=31).contains(*d)) {
                        self.report(here(".days"), format!("day {day} of the month does not exist; use 1 to 31"));
                    }
                }
                _ => {}
            }
        }
        let season = &schedule.season;
        if let Some(month) = season.months.iter().find(|m| !(1..=12).contains(*m)) {
            self.report(at(record, i, format!("{prefix}months")), format!("month {month} does not exist; use 1 to 12"));
        }
        if let (Some(from), Some(until)) = (season.from, season.until)
            && from > until
        {
            self.report(
                at(record, i, format!("{prefix}valid_until")),
                format!("valid_until {until} is before valid_from {from}; swap them or fix one"),
            );
        }
        for (j, closure) in schedule.closed.iter().enumerate() {
            if let Closure::Period { from, to } = closure
                && from > to
            {
                self.report(
                    at(record, i, format!("{prefix}closed.{j}")),
                    format!("closed period starts {from} after it ends {to}; swap the dates"),
                );
            }
        }
    }

    fn check_contacts(&mut self, record: RecordKind, i: usize, contacts: &[Contact]) {
        for (j, contact) in contacts.iter().enumerate() {
            for (name, number) in [("phone", &contact.phone), ("fax", &contact.fax)] {
                if let Some(number) = number {
                    let digits = number.chars().filter(char::is_ascii_digit).count();
                    let allowed = number.chars().all(|c| c.is_ascii_digit() || c == '-');
                    if !allowed || !(3..=11).contains(&digits) {
                        self.report(
                            at(record, i, format!("contacts.{j}.{name}")),
                            format!("{name} `{number}` is not a phone number; write half-width digits and hyphens (03-6697-6135)"),
                        );
                    }
                }
            }
            if let Some(hours) = &contact.hours {
                self.check_schedule(record, i, &format!("contacts.{j}.hours."), hours);
            }
            let here = |field: &str| at(record, i, format!("contacts.{j}.{field}"));
            self.check_text(here("name"), TextField::Name, contact.name.as_deref());
            self.check_text(here("note"), TextField::Prose, contact.note.as_deref());
            self.check_url(here("url"), contact.url.as_deref());
            if let Some(problem) = contact.email.as_deref().and_then(email_problem) {
                self.report(here("email"), problem);
            }
        }
    }

    fn check_sources(&mut self) {
        for (i, source) in self.dir.sources.iter().enumerate() {
            self.check_name(at(RecordKind::Source, i, "title"), &source.title);
            self.check_text(at(RecordKind::Source, i, "publisher"), TextField::Name, source.publisher.as_deref());
            self.check_url(at(RecordKind::Source, i, "url"), source.url.as_deref());
        }
    }

    fn check_municipalities(&mut self) {
        let dir = self.dir;
        for (i, m) in dir.municipalities.iter().enumerate() {
            self.check_name(at(RecordKind::Municipality, i, "name"), &m.name);
            self.check_kana(at(RecordKind::Municipality, i, "kana"), m.kana.as_deref());
            let prefecture = m.code.prefecture_number();
            if !(1..=47).contains(&prefecture) {
                self.report(
                    at(RecordKind::Municipality, i, "code"),
                    format!(
                        "`{}` starts with prefecture number {prefecture:02}, which does not exist (01 北海道 to 47 \
                         沖縄県); copy the code from 総務省's list",
                        m.code
                    ),
                );
            }
            if let Some(parent) = m.parent {
                self.check_municipality_ref(at(RecordKind::Municipality, i, "parent"), parent);
                if parent.prefecture_number() != prefecture {
                    self.report(
                        at(RecordKind::Municipality, i, "parent"),
                        format!(
                            "{} ({}) is in prefecture {prefecture:02} but its parent `{parent}` is in prefecture {:02}; \
                             file it under its own city or prefecture",
                            m.name,
                            m.code,
                            parent.prefecture_number()
                        ),
                    );
                }
            }
        }
        let parents = dir.municipalities.iter().map(|m| (m.code.to_string(), m.parent.map(|p| p.to_string())));
        self.check_cycles(RecordKind::Municipality, "municipality", parents.collect());
    }

    fn check_areas(&mut self) {
        for (i, area) in self.dir.areas.iter().enumerate() {
            self.check_name(at(RecordKind::Area, i, "name"), &area.name);
            self.check_kana(at(RecordKind::Area, i, "kana"), area.kana.as_deref());
            self.check_municipality_ref(at(RecordKind::Area, i, "municipality"), area.municipality);
        }
    }

    fn check_taxonomies(&mut self) {
        let dir = self.dir;
        for (i, need) in dir.needs.iter().enumerate() {
            self.check_name(at(RecordKind::Need, i, "label"), &need.label);
            self.check_kana(at(RecordKind::Need, i, "kana"), need.kana.as_deref());
            if let Some(parent) = &need.parent {
                self.check_ref(at(RecordKind::Need, i, "parent"), RecordKind::Need, parent);
            }
            self.check_local_names(RecordKind::Need, i, &need.local_names);
            // Taxonomy entries may go without a source (a steward's draft vocabulary);
            // those given must exist and be dated no later than today.
            if !need.provenance.is_empty() {
                self.check_provenance(RecordKind::Need, i, "", &need.provenance);
            }
        }
        let parents = dir.needs.iter().map(|n| (n.code.to_string(), n.parent.as_ref().map(Id::to_string)));
        self.check_cycles(RecordKind::Need, "need", parents.collect());
        for (i, kind) in dir.kinds.iter().enumerate() {
            self.check_name(at(RecordKind::Kind, i, "label"), &kind.label);
            self.check_kana(at(RecordKind::Kind, i, "kana"), kind.kana.as_deref());
            if let Some(parent) = &kind.parent {
                self.check_ref(at(RecordKind::Kind, i, "parent"), RecordKind::Kind, parent);
            }
            if !kind.provenance.is_empty() {
                self.check_provenance(RecordKind::Kind, i, "", &kind.provenance);
            }
            self.check_local_names(RecordKind::Kind, i, &kind.local_names);
        }
        let parents = dir.kinds.iter().map(|k| (k.code.to_string(), k.parent.as_ref().map(Id::to_string)));
        self.check_cycles(RecordKind::Kind, "kind", parents.collect());
    }

    fn check_local_names(&mut self, record: RecordKind, i: usize, local_names: &[crate::LocalName]) {
        for (j, local) in local_names.iter().enumerate() {
            self.check_municipality_ref(at(record, i, format!("local_names.{j}.municipality")), local.municipality);
            self.check_name(at(record, i, format!("local_names.{j}.name")), &local.name);
            self.check_kana(at(record, i, format!("local_names.{j}.kana")), local.kana.as_deref());
            // Local names in taxonomy.yaml may go without a source; those given carry
            // one that must exist and be dated no later than today.
            if !local.provenance.is_empty() {
                self.check_provenance(record, i, &format!("local_names.{j}."), &local.provenance);
            }
        }
    }

    fn check_organizations(&mut self) {
        let dir = self.dir;
        let kind = RecordKind::Organization;
        for (i, org) in dir.organizations.iter().enumerate() {
            self.check_name(at(kind, i, "name"), &org.name);
            self.check_kana(at(kind, i, "kana"), org.kana.as_deref());
            if let Some(parent) = &org.parent {
                self.check_ref(at(kind, i, "parent"), RecordKind::Organization, parent);
            }
            if let Some(code) = org.municipality {
                self.check_municipality_ref(at(kind, i, "municipality"), code);
            }
            for (j, code) in org.service_area.municipalities.iter().enumerate() {
                self.check_municipality_ref(at(kind, i, format!("service_area.municipalities.{j}")), *code);
            }
            self.check_area_refs(kind, i, "service_area.", &org.service_area.areas);
            for (j, platform) in org.member_of.iter().enumerate() {
                if platform == &org.id {
                    self.report(at(kind, i, format!("member_of.{j}")), "an organization cannot be a member of itself");
                } else {
                    self.check_ref(at(kind, i, format!("member_of.{j}")), RecordKind::Organization, platform);
                }
            }
            self.check_text(at(kind, i, "description"), TextField::Prose, org.description.as_deref());
            self.check_url(at(kind, i, "url"), org.url.as_deref());
            self.check_unique(kind, i, "member_of", &org.member_of);
            self.check_unique(kind, i, "service_area.municipalities", &org.service_area.municipalities);
            self.check_contacts(kind, i, &org.contacts);
            self.check_provenance(kind, i, "", &org.provenance);
        }
        let parents = dir.organizations.iter().map(|o| (o.id.to_string(), o.parent.as_ref().map(Id::to_string)));
        self.check_cycles(kind, "organization", parents.collect());
    }

    fn check_resources(&mut self) {
        let dir = self.dir;
        for (i, r) in dir.resources.iter().enumerate() {
            self.check_resource(i, r);
        }
    }

    fn check_resource(&mut self, i: usize, r: &crate::Resource) {
        let kind = RecordKind::Resource;
        self.check_name(at(kind, i, "name"), &r.name);
        self.check_kana(at(kind, i, "kana"), r.kana.as_deref());
        self.check_ref(at(kind, i, "kind"), RecordKind::Kind, &r.kind);
        for (j, need) in r.needs.iter().enumerate() {
            self.check_ref(at(kind, i, format!("needs.{j}")), RecordKind::Need, need);
        }
        // A place may be run by an organization or by another place (a 地域包括支援
        // センター that runs a café need not be entered twice).
        for (j, op) in r.operators.iter().enumerate() {
            let here = at(kind, i, format!("operators.{j}"));
            if op == &r.id {
                self.report(here, "a resource cannot run itself; name the organization or place that runs it");
            } else if !self.is_node(RecordKind::Resource, op) {
                self.check_ref(here, RecordKind::Organization, op);
            }
        }
        self.check_age_range(kind, i, "audience.", r.audience.age_min, r.audience.age_max);
        for (j, code) in r.audience.residence.iter().enumerate() {
            self.check_municipality_ref(at(kind, i, format!("audience.residence.{j}")), *code);
        }
        for (j, code) in r.service_area.municipalities.iter().enumerate() {
            self.check_municipality_ref(at(kind, i, format!("service_area.municipalities.{j}")), *code);
        }
        self.check_area_refs(kind, i, "service_area.", &r.service_area.areas);
        self.check_areas_in(kind, i, "service_area.areas", &r.service_area.areas, &r.service_area.municipalities);
        for (j, location) in r.locations.iter().enumerate() {
            if let Some(code) = location.municipality {
                self.check_municipality_ref(at(kind, i, format!("locations.{j}.municipality")), code);
            }
            if let Some(area) = &location.area {
                self.check_area_refs(kind, i, &format!("locations.{j}."), std::slice::from_ref(area));
                let within: Vec<MunicipalityCode> = location.municipality.into_iter().collect();
                self.check_areas_in(kind, i, &format!("locations.{j}.area"), std::slice::from_ref(area), &within);
            }
        }
        self.check_schedule(kind, i, "schedule.", &r.schedule);
        self.check_contacts(kind, i, &r.contacts);
        self.check_provenance(kind, i, "", &r.provenance);
        self.check_resource_texts(i, r);
    }

    /// The free text and lists of a resource.
    fn check_resource_texts(&mut self, i: usize, r: &crate::Resource) {
        let kind = RecordKind::Resource;
        let texts = [
            ("local_kind_name", TextField::Name, r.local_kind_name.as_deref()),
            ("description", TextField::Prose, r.description.as_deref()),
            ("audience.description", TextField::Prose, r.audience.description.as_deref()),
            ("cost.description", TextField::Prose, r.cost.description.as_deref()),
            ("application.how", TextField::Prose, r.application.how.as_deref()),
            ("staff_note", TextField::Prose, r.staff_note.as_deref()),
            ("schedule.note", TextField::Prose, r.schedule.note.as_deref()),
        ];
        for (path, field, text) in texts {
            self.check_text(at(kind, i, path), field, text);
        }
        self.check_unique(kind, i, "needs", &r.needs);
        self.check_unique(kind, i, "operators", &r.operators);
        self.check_unique(kind, i, "audience.residence", &r.audience.residence);
        self.check_unique(kind, i, "service_area.municipalities", &r.service_area.municipalities);
        self.check_unique(kind, i, "languages", &r.languages);
        self.check_texts(kind, i, "languages", &r.languages);
        self.check_texts(kind, i, "accessibility", &r.accessibility);
        self.check_texts(kind, i, "audience.conditions", &r.audience.conditions);
        self.check_list_size(at(kind, i, "audience.excludes"), r.audience.excludes.len());
        for (j, exclusion) in r.audience.excludes.iter().enumerate() {
            self.check_text(
                at(kind, i, format!("audience.excludes.{j}.label")),
                TextField::Line,
                Some(&exclusion.label),
            );
            self.check_texts(kind, i, &format!("audience.excludes.{j}.cues"), &exclusion.cues);
        }
        self.check_texts(kind, i, "application.bring", &r.application.bring);
        for (j, location) in r.locations.iter().enumerate() {
            let here = |field: &str| at(kind, i, format!("locations.{j}.{field}"));
            self.check_text(here("name"), TextField::Name, location.name.as_deref());
            self.check_text(here("address"), TextField::Line, location.address.as_deref());
            self.check_text(here("note"), TextField::Prose, location.note.as_deref());
            if let Some(message) = location.position.and_then(|p| crate::Position::problem(p.latitude(), p.longitude()))
            {
                self.report(here("latitude"), message);
            }
        }
    }

    fn check_referrals(&mut self) {
        let dir = self.dir;
        let mut edges: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for (i, referral) in dir.referrals.iter().enumerate() {
            let edge = (referral.from.as_str(), referral.to.as_str(), referral.kind.code());
            if let Some(&first) = edges.get(&edge) {
                self.report_duplicate_edge(i, first);
            } else {
                edges.insert(edge, i);
            }
            self.check_referral(i, referral);
        }
    }

    /// Referral `i` records the same edge as referral `first`.
    fn report_duplicate_edge(&mut self, i: usize, first: usize) {
        let kind = RecordKind::Referral;
        let referral = &self.dir.referrals[i];
        self.problems.push(Problem {
            code: ProblemCode::Duplicate,
            at: at(kind, i, "to"),
            message: format!(
                "the same {} from `{}` to `{}` is already recorded as `{}`; keep one record (add needs or conditions \
                 to it)",
                referral.kind.code(),
                referral.from,
                referral.to,
                self.dir.referrals[first].id
            ),
            related: Some(at(kind, first, "to")),
        });
    }

    fn check_referral(&mut self, i: usize, referral: &crate::Referral) {
        let kind = RecordKind::Referral;
        for (field, end) in [("from", &referral.from), ("to", &referral.to)] {
            let known = self.is_node(RecordKind::Organization, end) || self.is_node(RecordKind::Resource, end);
            if !known {
                self.report_as(
                    ProblemCode::UnknownReference,
                    at(kind, i, field),
                    format!("unknown organization or resource `{end}`; define it or fix the reference"),
                );
            }
        }
        if referral.from == referral.to {
            self.report(
                at(kind, i, "to"),
                format!("referral from `{}` to itself; point `to` at another place", referral.to),
            );
        }
        for (j, need) in referral.needs.iter().enumerate() {
            self.check_ref(at(kind, i, format!("needs.{j}")), RecordKind::Need, need);
        }
        self.check_unique(kind, i, "needs", &referral.needs);
        self.check_text(at(kind, i, "note"), TextField::Prose, referral.note.as_deref());
        self.check_text(at(kind, i, "conditions.text"), TextField::Prose, referral.conditions.text.as_deref());
        self.check_texts(kind, i, "conditions.documents", &referral.conditions.documents);
        let conditions = &referral.conditions;
        self.check_age_range(kind, i, "conditions.", conditions.age_min, conditions.age_max);
        for (j, code) in conditions.residence.iter().enumerate() {
            self.check_municipality_ref(at(kind, i, format!("conditions.residence.{j}")), *code);
        }
        self.check_provenance(kind, i, "", &referral.provenance);
    }

    /// Reports each cycle of a parent relation once, at its first member in record order.
    fn check_cycles(&mut self, record: RecordKind, noun: &str, parents: Vec<(String, Option<String>)>) {
        let position: HashMap<&str, usize> =
            parents.iter().enumerate().map(|(i, (key, _))| (key.as_str(), i)).collect();
        let mut reported: HashSet<usize> = HashSet::new();
        for start in 0..parents.len() {
            let mut path = vec![start];
            let mut current = start;
            while let Some(Some(parent)) = parents.get(current).map(|(_, p)| p.as_deref()) {
                let Some(&next) = position.get(parent) else { break };
                if let Some(cycle_start) = path.iter().position(|&p| p == next) {
                    let cycle = &path[cycle_start..];
                    if cycle.iter().all(|member| !reported.contains(member)) {
                        reported.extend(cycle.iter().copied());
                        let first = *cycle.iter().min().expect("a cycle has members");
                        let rotate = cycle.iter().position(|&m| m == first).expect("first is in the cycle");
                        let names: Vec<&str> = cycle[rotate..]
                            .iter()
                            .chain(&cycle[..rotate])
                            .chain(std::iter::once(&first))
                            .map(|&m| parents[m].0.as_str())
                            .collect();
                        self.report_as(
                            ProblemCode::Cycle,
                            at(record, first, "parent"),
                            format!(
                                "{noun} parents form a cycle: {}; one of them needs another parent",
                                names.join(" → ")
                            ),
                        );
                    }
                    break;
                }
                path.push(next);
                current = next;
            }
        }
    }
}
