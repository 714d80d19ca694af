//! Seed transfer types to domain types and back.
//!
//! Reading collects every malformed id or code as a [`Malformed`] at its path in the
//! file instead of stopping at the first; writing is total.

use chrono::Weekday;
use yorisoi_core as core;
use yorisoi_core::{Id, MunicipalityCode};

use crate::format::*;
use crate::values::{TimeOfDay, WeekDto};

/// A value that does not parse, at a dotted path within its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub path: String,
    pub message: String,
    /// A word written where a code of this taxonomy goes (a label such as 引きこもり
    /// for `hikikomori`), to suggest the code once every file is read.
    pub taxonomy_word: Option<(Taxonomy, String)>,
}

/// The taxonomies a record refers to by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxonomy {
    Need,
    Kind,
}

/// Converts records of one file, remembering what did not parse.
pub struct FromSeed {
    pub malformed: Vec<Malformed>,
}

impl FromSeed {
    pub fn new() -> Self {
        Self { malformed: Vec::new() }
    }

    fn id(&mut self, path: impl Into<String>, text: &str) -> Id {
        self.id_of(path, text, None)
    }

    /// An id, remembering which taxonomy it is a code of, so a word written in its
    /// place can be answered with the code it names.
    fn id_of(&mut self, path: impl Into<String>, text: &str, taxonomy: Option<Taxonomy>) -> Id {
        Id::parse(text).unwrap_or_else(|error| {
            let taxonomy_word = taxonomy.map(|t| (t, text.to_owned()));
            self.malformed.push(Malformed { path: path.into(), message: error.to_string(), taxonomy_word });
            // A placeholder that keeps the record in place; the file fails anyway.
            Id::parse("invalid").expect("a valid id")
        })
    }

    fn ids(&mut self, path: &str, texts: &[String]) -> Vec<Id> {
        texts.iter().enumerate().map(|(i, text)| self.id(format!("{path}.{i}"), text)).collect()
    }

    fn need_codes(&mut self, path: &str, texts: &[String]) -> Vec<Id> {
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| self.id_of(format!("{path}.{i}"), text, Some(Taxonomy::Need)))
            .collect()
    }

    fn code(&mut self, path: impl Into<String>, text: &str) -> MunicipalityCode {
        MunicipalityCode::parse(text).unwrap_or_else(|error| {
            self.malformed.push(Malformed { path: path.into(), message: error.to_string(), taxonomy_word: None });
            MunicipalityCode::parse("130001").expect("a valid code")
        })
    }

    fn codes(&mut self, path: &str, texts: &[String]) -> Vec<MunicipalityCode> {
        texts.iter().enumerate().map(|(i, text)| self.code(format!("{path}.{i}"), text)).collect()
    }

    pub fn source(&mut self, at: &str, dto: SourceDto) -> core::Source {
        core::Source {
            id: self.id(format!("{at}.id"), &dto.id),
            title: dto.title,
            publisher: dto.publisher,
            published: dto.published,
            file: dto.file,
            url: dto.url,
            licence: dto.licence,
            hsds: dto.hsds.map(|kept| serde_json::Value::Object(kept).to_string()),
        }
    }

    fn provenance(&mut self, at: &str, dtos: Vec<ProvenanceDto>) -> Vec<core::Provenance> {
        dtos.into_iter()
            .enumerate()
            .map(|(i, p)| core::Provenance {
                source: self.id(format!("{at}.provenance.{i}.source"), &p.source),
                locator: p.locator,
                verified: p.verified.0,
            })
            .collect()
    }

    pub fn municipality(&mut self, at: &str, dto: MunicipalityDto) -> core::Municipality {
        core::Municipality {
            code: self.code(format!("{at}.code"), &dto.code),
            name: dto.name,
            kana: dto.kana,
            parent: dto.parent.map(|p| self.code(format!("{at}.parent"), &p)),
            provenance: self.provenance(at, dto.provenance),
        }
    }

    pub fn area(&mut self, at: &str, dto: AreaDto) -> core::Area {
        core::Area {
            id: self.id(format!("{at}.id"), &dto.id),
            municipality: self.code(format!("{at}.municipality"), &dto.municipality),
            kind: match dto.kind {
                AreaKindDto::DailyLifeZone => core::AreaKind::DailyLifeZone,
                AreaKindDto::SchoolDistrict => core::AreaKind::SchoolDistrict,
                AreaKindDto::NeighbourhoodAssociation => core::AreaKind::NeighbourhoodAssociation,
                AreaKindDto::District => core::AreaKind::District,
            },
            name: dto.name,
            kana: dto.kana,
            provenance: self.provenance(at, dto.provenance),
        }
    }

    pub fn need(&mut self, at: &str, dto: NeedDto) -> core::Need {
        core::Need {
            code: self.id(format!("{at}.code"), &dto.code),
            label: dto.label,
            kana: dto.kana,
            parent: dto.parent.map(|p| self.id(format!("{at}.parent"), &p)),
            synonyms: dto.synonyms,
            cues: dto.cues,
            description: dto.description,
            local_names: self.local_names(at, dto.local_names),
            provenance: self.provenance(at, dto.provenance),
        }
    }

    /// A local name given on its own, with the kind or need it names; `None` when
    /// the entry names neither or both (reported).
    pub fn local_name(&mut self, at: &str, dto: LocalNameEntryDto) -> Option<(Taxonomy, Id, core::LocalName)> {
        let target = match (&dto.kind, &dto.need) {
            (Some(kind), None) => Some((Taxonomy::Kind, self.id_of(format!("{at}.kind"), kind, Some(Taxonomy::Kind)))),
            (None, Some(need)) => Some((Taxonomy::Need, self.id_of(format!("{at}.need"), need, Some(Taxonomy::Need)))),
            (kind, _) => {
                let message = if kind.is_some() {
                    "a local name is of one kind or one need: give `kind:` or `need:`, not both"
                } else {
                    "say what the local name is for: `kind:` (a kind code) or `need:` (a need code)"
                };
                self.malformed.push(Malformed {
                    path: at.to_owned(),
                    message: message.to_owned(),
                    taxonomy_word: None,
                });
                None
            }
        };
        let local = self.local(at, dto.municipality, dto.name, dto.kana, dto.provenance);
        target.map(|(taxonomy, code)| (taxonomy, code, local))
    }

    fn local(
        &mut self,
        at: &str,
        municipality: String,
        name: String,
        kana: Option<String>,
        provenance: Vec<ProvenanceDto>,
    ) -> core::LocalName {
        core::LocalName {
            municipality: self.code(format!("{at}.municipality"), &municipality),
            name,
            kana,
            provenance: self.provenance(at, provenance),
        }
    }

    fn local_names(&mut self, at: &str, dtos: Vec<LocalNameDto>) -> Vec<core::LocalName> {
        dtos.into_iter()
            .enumerate()
            .map(|(i, l)| self.local(&format!("{at}.local_names.{i}"), l.municipality, l.name, l.kana, l.provenance))
            .collect()
    }

    pub fn kind(&mut self, at: &str, dto: KindDto) -> core::Kind {
        let local_names = self.local_names(at, dto.local_names);
        core::Kind {
            code: self.id(format!("{at}.code"), &dto.code),
            label: dto.label,
            kana: dto.kana,
            parent: dto.parent.map(|p| self.id(format!("{at}.parent"), &p)),
            synonyms: dto.synonyms,
            local_names,
            entry_window: dto.entry_window,
            description: dto.description,
            provenance: self.provenance(at, dto.provenance),
        }
    }

    fn service_area(&mut self, at: &str, dto: ServiceAreaDto) -> core::ServiceArea {
        core::ServiceArea {
            municipalities: self.codes(&format!("{at}.service_area.municipalities"), &dto.municipalities),
            areas: self.ids(&format!("{at}.service_area.areas"), &dto.areas),
        }
    }

    pub fn organization(&mut self, at: &str, dto: OrganizationDto) -> core::Organization {
        core::Organization {
            id: self.id(format!("{at}.id"), &dto.id),
            name: dto.name,
            kana: dto.kana,
            kind: organization_kind(dto.kind),
            parent: dto.parent.map(|p| self.id(format!("{at}.parent"), &p)),
            municipality: dto.municipality.map(|m| self.code(format!("{at}.municipality"), &m)),
            service_area: self.service_area(at, dto.service_area),
            description: dto.description,
            contacts: self.contacts(at, dto.contacts),
            url: dto.url,
            member_of: self.ids(&format!("{at}.member_of"), &dto.member_of),
            provenance: self.provenance(at, dto.provenance),
            hsds: dto.hsds.map(|kept| serde_json::Value::Object(kept).to_string()),
        }
    }

    pub fn resource(&mut self, at: &str, dto: ResourceDto) -> core::Resource {
        let locations = dto
            .locations
            .into_iter()
            .enumerate()
            .map(|(i, l)| core::Location {
                name: l.name,
                postal_code: l.postal_code,
                address: l.address,
                municipality: l.municipality.map(|m| self.code(format!("{at}.locations.{i}.municipality"), &m)),
                area: l.area.map(|a| self.id(format!("{at}.locations.{i}.area"), &a)),
                online: l.online,
                note: l.note,
                position: self.position(&format!("{at}.locations.{i}"), l.latitude, l.longitude),
            })
            .collect();
        core::Resource {
            id: self.id(format!("{at}.id"), &dto.id),
            name: dto.name,
            kana: dto.kana,
            kind: self.id_of(format!("{at}.kind"), &dto.kind, Some(Taxonomy::Kind)),
            local_kind_name: dto.local_kind_name,
            description: dto.description,
            needs: self.need_codes(&format!("{at}.needs"), &dto.needs),
            audience: core::Audience {
                description: dto.audience.description,
                age_min: dto.audience.age_min,
                age_max: dto.audience.age_max,
                residence: self.codes(&format!("{at}.audience.residence"), &dto.audience.residence),
                conditions: dto.audience.conditions,
                excludes: dto
                    .audience
                    .excludes
                    .into_iter()
                    .map(|e| core::Exclusion { label: e.label, cues: e.cues })
                    .collect(),
                family_may_consult: dto.audience.family_may_consult,
                professionals_may_consult: dto.audience.professionals_may_consult,
                gender: dto.audience.gender.map(|g| match g {
                    GenderDto::Female => core::Gender::Female,
                    GenderDto::Male => core::Gender::Male,
                }),
            },
            service_area: self.service_area(at, dto.service_area),
            contacts: self.contacts(at, dto.contacts),
            locations,
            schedule: {
                self.check_overnight(&format!("{at}.schedule"), &dto.schedule);
                schedule(dto.schedule)
            },
            cost: core::Cost { free: dto.cost.free, description: dto.cost.description },
            languages: dto.languages,
            accessibility: dto.accessibility,
            application: core::Application {
                how: dto.application.how,
                bring: dto.application.bring,
                booking_required: dto.application.booking_required,
            },
            status: match dto.status {
                StatusDto::Active => core::Status::Active,
                StatusDto::Paused => core::Status::Paused,
                StatusDto::Planned => core::Status::Planned,
                StatusDto::Ended => core::Status::Ended,
            },
            operators: self.ids(&format!("{at}.operators"), &dto.operators),
            entry_window: dto.entry_window,
            staff_note: dto.staff_note,
            provenance: self.provenance(at, dto.provenance),
            hsds: dto.hsds.map(|kept| serde_json::Value::Object(kept).to_string()),
        }
    }

    pub fn referral(&mut self, at: &str, dto: ReferralDto) -> core::Referral {
        core::Referral {
            id: self.id(format!("{at}.id"), &dto.id),
            from: self.id(format!("{at}.from"), &dto.from),
            to: self.id(format!("{at}.to"), &dto.to),
            kind: referral_kind(dto.kind),
            needs: self.need_codes(&format!("{at}.needs"), &dto.needs),
            conditions: core::ReferralConditions {
                age_min: dto.conditions.age_min,
                age_max: dto.conditions.age_max,
                residence: self.codes(&format!("{at}.conditions.residence"), &dto.conditions.residence),
                documents: dto.conditions.documents,
                text: dto.conditions.text,
            },
            state: match dto.state {
                ReferralStateDto::Working => core::ReferralState::Working,
                ReferralStateDto::NotWorking => core::ReferralState::NotWorking,
            },
            note: dto.note,
            provenance: self.provenance(at, dto.provenance),
        }
    }
}

impl FromSeed {
    fn contacts(&mut self, at: &str, dtos: Vec<ContactDto>) -> Vec<core::Contact> {
        for (k, contact) in dtos.iter().enumerate() {
            if let Some(hours) = &contact.hours {
                self.check_overnight(&format!("{at}.contacts.{k}.hours"), hours);
            }
        }
        contacts(dtos)
    }
}

fn contacts(dtos: Vec<ContactDto>) -> Vec<core::Contact> {
    dtos.into_iter()
        .map(|c| core::Contact {
            name: c.name,
            phone: c.phone,
            fax: c.fax,
            email: c.email,
            url: c.url,
            hours: c.hours.map(schedule),
            note: c.note,
            staff_only: c.staff_only,
        })
        .collect()
}

fn organization_kind(dto: OrganizationKindDto) -> core::OrganizationKind {
    use core::OrganizationKind as K;
    match dto {
        OrganizationKindDto::LocalGovernment => K::LocalGovernment,
        OrganizationKindDto::Department => K::Department,
        OrganizationKindDto::Division => K::Division,
        OrganizationKindDto::Section => K::Section,
        OrganizationKindDto::PublicOffice => K::PublicOffice,
        OrganizationKindDto::SocialWelfareCouncil => K::SocialWelfareCouncil,
        OrganizationKindDto::ConsumerCoop => K::ConsumerCoop,
        OrganizationKindDto::MedicalCoop => K::MedicalCoop,
        OrganizationKindDto::WorkerCoop => K::WorkerCoop,
        OrganizationKindDto::CoopFederation => K::CoopFederation,
        OrganizationKindDto::Npo => K::Npo,
        OrganizationKindDto::SocialWelfareCorporation => K::SocialWelfareCorporation,
        OrganizationKindDto::GeneralIncorporatedAssociation => K::GeneralIncorporatedAssociation,
        OrganizationKindDto::PublicInterestCorporation => K::PublicInterestCorporation,
        OrganizationKindDto::LegalSupportCenter => K::LegalSupportCenter,
        OrganizationKindDto::VoluntaryGroup => K::VoluntaryGroup,
        OrganizationKindDto::NeighbourhoodAssociation => K::NeighbourhoodAssociation,
        OrganizationKindDto::Company => K::Company,
        OrganizationKindDto::WelfareCommissionersCouncil => K::WelfareCommissionersCouncil,
        OrganizationKindDto::Platform => K::Platform,
        OrganizationKindDto::Other => K::Other,
    }
}

fn referral_kind(dto: ReferralKindDto) -> core::ReferralKind {
    use core::ReferralKind as K;
    match dto {
        ReferralKindDto::RefersTo => K::RefersTo,
        ReferralKindDto::EscalatesTo => K::EscalatesTo,
        ReferralKindDto::Consults => K::Consults,
        ReferralKindDto::PartnersWith => K::PartnersWith,
        ReferralKindDto::MemberOf => K::MemberOf,
        ReferralKindDto::SharesInformationWith => K::SharesInformationWith,
    }
}

const DAYS: [(DayDto, Weekday); 7] = [
    (DayDto::Mon, Weekday::Mon),
    (DayDto::Tue, Weekday::Tue),
    (DayDto::Wed, Weekday::Wed),
    (DayDto::Thu, Weekday::Thu),
    (DayDto::Fri, Weekday::Fri),
    (DayDto::Sat, Weekday::Sat),
    (DayDto::Sun, Weekday::Sun),
];

fn weekdays(days: &[DayDto]) -> Vec<Weekday> {
    days.iter().map(|d| DAYS.iter().find(|(dto, _)| dto == d).expect("every day is listed").1).collect()
}

pub(crate) fn day_dtos(days: &[Weekday]) -> Vec<DayDto> {
    days.iter().map(|d| DAYS.iter().find(|(_, w)| w == d).expect("every day is listed").0).collect()
}

impl FromSeed {
    /// A closing time before the opening time is a night session only when the steward
    /// says `overnight: true`; otherwise the two times are likely swapped.
    /// A location's point; both degrees or neither, each a latitude or longitude.
    fn position(&mut self, at: &str, latitude: Option<f64>, longitude: Option<f64>) -> Option<core::Position> {
        let (field, message) = match (latitude, longitude) {
            (None, None) => return None,
            // A point on Earth is checked as the directory's (in Japan) by validate.
            (Some(lat), Some(lon)) => match core::Position::from_degrees(lat, lon) {
                Some(position) => return Some(position),
                None => ("latitude", core::Position::problem(lat, lon).unwrap_or_default()),
            },
            (Some(_), None) => ("latitude", "a latitude needs its longitude; give both or neither".to_owned()),
            (None, Some(_)) => ("longitude", "a longitude needs its latitude; give both or neither".to_owned()),
        };
        self.malformed.push(Malformed { path: format!("{at}.{field}"), message, taxonomy_word: None });
        None
    }

    fn check_overnight(&mut self, at: &str, schedule: &ScheduleDto) {
        for (j, rule) in schedule.rules.iter().enumerate() {
            let (variant, opens, closes, overnight) = match rule {
                RuleDto::Weekly(r) => ("weekly", r.opens, r.closes, r.overnight),
                RuleDto::Monthly(r) => ("monthly", r.opens, r.closes, r.overnight),
                RuleDto::PerMonth(r) => ("per_month", r.opens, r.closes, r.overnight),
                RuleDto::PerYear(r) => ("per_year", r.opens, r.closes, r.overnight),
                RuleDto::Dates(r) => ("dates", r.opens, r.closes, r.overnight),
                RuleDto::DaysOfMonth(r) => ("days_of_month", r.opens, r.closes, r.overnight),
                RuleDto::HoursOnly(r) => ("hours_only", r.opens, r.closes, r.overnight),
            };
            let message = match (opens, closes) {
                (Some(o), Some(c)) if c.0 < o.0 && !overnight => format!(
                    "closes {} is before opens {}; for a session past midnight add `overnight: true`, otherwise \
                     fix the times",
                    c.0.format("%H:%M"),
                    o.0.format("%H:%M")
                ),
                (Some(o), Some(c)) if c.0 >= o.0 && overnight => format!(
                    "`overnight: true`, but closes {} is after opens {}; remove `overnight` or fix the times",
                    c.0.format("%H:%M"),
                    o.0.format("%H:%M")
                ),
                (None, _) | (_, None) if overnight => "`overnight: true` needs both opens and closes".to_owned(),
                _ => continue,
            };
            let field = if closes.is_some() { "closes" } else { "overnight" };
            let path = format!("{at}.rules.{j}.{variant}.{field}");
            self.malformed.push(Malformed { path, message, taxonomy_word: None });
        }
    }
}

fn hours(opens: Option<TimeOfDay>, closes: Option<TimeOfDay>) -> core::Hours {
    core::Hours::new(opens.map(|t| t.0), closes.map(|t| t.0))
}

fn schedule(dto: ScheduleDto) -> core::Schedule {
    let rules = dto
        .rules
        .into_iter()
        .map(|rule| match rule {
            RuleDto::Weekly(w) => core::Rule::Weekly { days: weekdays(&w.days), hours: hours(w.opens, w.closes) },
            RuleDto::Monthly(m) => core::Rule::Monthly {
                weeks: m
                    .weeks
                    .iter()
                    .map(|w| match w {
                        WeekDto::Nth(n) => core::WeekOfMonth::Nth(*n),
                        WeekDto::Last => core::WeekOfMonth::Last,
                    })
                    .collect(),
                days: weekdays(&m.days),
                hours: hours(m.opens, m.closes),
            },
            RuleDto::PerMonth(c) => core::Rule::TimesPerMonth {
                // More than 255 sessions a month is not a monthly count; validation flags 0.
                times: u8::try_from(c.times).unwrap_or(u8::MAX),
                hours: hours(c.opens, c.closes),
            },
            RuleDto::PerYear(c) => core::Rule::TimesPerYear { times: c.times, hours: hours(c.opens, c.closes) },
            RuleDto::Dates(d) => core::Rule::Dates {
                dates: d.dates.iter().map(|date| date.0).collect(),
                hours: hours(d.opens, d.closes),
            },
            RuleDto::DaysOfMonth(d) => core::Rule::DaysOfMonth {
                days: d.days,
                shift: match d.shift.unwrap_or(DayShiftDto::Keep) {
                    DayShiftDto::Keep => core::DayShift::Keep,
                    DayShiftDto::Skip => core::DayShift::Skip,
                    DayShiftDto::NextWeekday => core::DayShift::NextWeekday,
                    DayShiftDto::PreviousWeekday => core::DayShift::PreviousWeekday,
                },
                hours: hours(d.opens, d.closes),
            },
            RuleDto::HoursOnly(h) => core::Rule::HoursOnly { hours: hours(h.opens, h.closes) },
        })
        .collect();
    let closed = dto
        .closed
        .into_iter()
        .map(|closure| match closure {
            ClosureDto::Named(NamedClosureDto::NationalHolidays) => core::Closure::NationalHolidays,
            ClosureDto::Named(NamedClosureDto::YearEnd) => core::Closure::YearEnd,
            ClosureDto::Period(p) => core::Closure::Period { from: p.from.0, to: p.to.0 },
        })
        .collect();
    let season = core::Season {
        months: dto.months.into_iter().map(u32::from).collect(),
        from: dto.valid_from.map(|d| d.0),
        until: dto.valid_until.map(|d| d.0),
    };
    core::Schedule { rules, closed, note: dto.note, season }
}
