//! Domain types to seed transfer types, for `yorisoi export`.

use yorisoi_core as core;

use crate::convert::day_dtos;
use crate::format::*;
use crate::values::{Date, TimeOfDay, WeekDto};

fn strings<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// The kept HSDS fields as the mapping the seed file shows (they were an object when
/// read; anything else is not ours to show).
fn kept_hsds(text: Option<&str>) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(text?) {
        Ok(serde_json::Value::Object(kept)) => Some(kept),
        _ => None,
    }
}

fn provenance(items: &[core::Provenance]) -> Vec<ProvenanceDto> {
    items
        .iter()
        .map(|p| ProvenanceDto { source: p.source.to_string(), locator: p.locator.clone(), verified: Date(p.verified) })
        .collect()
}

fn service_area(area: &core::ServiceArea) -> ServiceAreaDto {
    ServiceAreaDto { municipalities: strings(&area.municipalities), areas: strings(&area.areas) }
}

pub fn source(s: &core::Source) -> SourceDto {
    SourceDto {
        id: s.id.to_string(),
        title: s.title.clone(),
        publisher: s.publisher.clone(),
        published: s.published.clone(),
        file: s.file.clone(),
        url: s.url.clone(),
        licence: s.licence.clone(),
        hsds: kept_hsds(s.hsds.as_deref()),
    }
}

pub fn municipality(m: &core::Municipality) -> MunicipalityDto {
    MunicipalityDto {
        code: m.code.to_string(),
        name: m.name.clone(),
        kana: m.kana.clone(),
        parent: m.parent.map(|p| p.to_string()),
        provenance: provenance(&m.provenance),
    }
}

pub fn area(a: &core::Area) -> AreaDto {
    AreaDto {
        id: a.id.to_string(),
        municipality: a.municipality.to_string(),
        kind: match a.kind {
            core::AreaKind::DailyLifeZone => AreaKindDto::DailyLifeZone,
            core::AreaKind::SchoolDistrict => AreaKindDto::SchoolDistrict,
            core::AreaKind::NeighbourhoodAssociation => AreaKindDto::NeighbourhoodAssociation,
            core::AreaKind::District => AreaKindDto::District,
        },
        name: a.name.clone(),
        kana: a.kana.clone(),
        provenance: provenance(&a.provenance),
    }
}

pub fn need(n: &core::Need) -> NeedDto {
    NeedDto {
        code: n.code.to_string(),
        label: n.label.clone(),
        kana: n.kana.clone(),
        parent: n.parent.as_ref().map(ToString::to_string),
        synonyms: n.synonyms.clone(),
        cues: n.cues.clone(),
        description: n.description.clone(),
        local_names: local_names(&n.local_names),
        provenance: provenance(&n.provenance),
    }
}

fn local_names(names: &[core::LocalName]) -> Vec<LocalNameDto> {
    names
        .iter()
        .map(|l| LocalNameDto {
            municipality: l.municipality.to_string(),
            name: l.name.clone(),
            kana: l.kana.clone(),
            provenance: provenance(&l.provenance),
        })
        .collect()
}

pub fn kind(k: &core::Kind) -> KindDto {
    KindDto {
        code: k.code.to_string(),
        label: k.label.clone(),
        kana: k.kana.clone(),
        parent: k.parent.as_ref().map(ToString::to_string),
        synonyms: k.synonyms.clone(),
        local_names: local_names(&k.local_names),
        entry_window: k.entry_window,
        description: k.description.clone(),
        provenance: provenance(&k.provenance),
    }
}

fn contacts(items: &[core::Contact]) -> Vec<ContactDto> {
    items
        .iter()
        .map(|c| ContactDto {
            name: c.name.clone(),
            phone: c.phone.clone(),
            fax: c.fax.clone(),
            email: c.email.clone(),
            url: c.url.clone(),
            hours: c.hours.as_ref().map(schedule),
            note: c.note.clone(),
            staff_only: c.staff_only,
        })
        .collect()
}

pub fn organization(o: &core::Organization) -> OrganizationDto {
    use core::OrganizationKind as K;
    OrganizationDto {
        id: o.id.to_string(),
        name: o.name.clone(),
        kana: o.kana.clone(),
        kind: match o.kind {
            K::LocalGovernment => OrganizationKindDto::LocalGovernment,
            K::Department => OrganizationKindDto::Department,
            K::Division => OrganizationKindDto::Division,
            K::Section => OrganizationKindDto::Section,
            K::PublicOffice => OrganizationKindDto::PublicOffice,
            K::SocialWelfareCouncil => OrganizationKindDto::SocialWelfareCouncil,
            K::ConsumerCoop => OrganizationKindDto::ConsumerCoop,
            K::MedicalCoop => OrganizationKindDto::MedicalCoop,
            K::WorkerCoop => OrganizationKindDto::WorkerCoop,
            K::CoopFederation => OrganizationKindDto::CoopFederation,
            K::Npo => OrganizationKindDto::Npo,
            K::SocialWelfareCorporation => OrganizationKindDto::SocialWelfareCorporation,
            K::GeneralIncorporatedAssociation => OrganizationKindDto::GeneralIncorporatedAssociation,
            K::PublicInterestCorporation => OrganizationKindDto::PublicInterestCorporation,
            K::LegalSupportCenter => OrganizationKindDto::LegalSupportCenter,
            K::VoluntaryGroup => OrganizationKindDto::VoluntaryGroup,
            K::NeighbourhoodAssociation => OrganizationKindDto::NeighbourhoodAssociation,
            K::Company => OrganizationKindDto::Company,
            K::WelfareCommissionersCouncil => OrganizationKindDto::WelfareCommissionersCouncil,
            K::Platform => OrganizationKindDto::Platform,
            K::Other => OrganizationKindDto::Other,
        },
        parent: o.parent.as_ref().map(ToString::to_string),
        municipality: o.municipality.map(|m| m.to_string()),
        service_area: service_area(&o.service_area),
        description: o.description.clone(),
        contacts: contacts(&o.contacts),
        url: o.url.clone(),
        member_of: strings(&o.member_of),
        provenance: provenance(&o.provenance),
        hsds: kept_hsds(o.hsds.as_deref()),
    }
}

fn time(t: Option<chrono::NaiveTime>) -> Option<TimeOfDay> {
    t.map(TimeOfDay)
}

fn schedule(s: &core::Schedule) -> ScheduleDto {
    let rules = s
        .rules
        .iter()
        .map(|rule| {
            let h = rule.hours();
            let (opens, closes) = (time(h.opens), time(h.closes));
            let overnight = matches!((h.opens, h.closes), (Some(o), Some(c)) if c < o);
            match rule {
                core::Rule::Weekly { days, .. } => {
                    RuleDto::Weekly(WeeklyDto { days: day_dtos(days), opens, closes, overnight })
                }
                core::Rule::Monthly { weeks, days, .. } => RuleDto::Monthly(MonthlyDto {
                    weeks: weeks
                        .iter()
                        .map(|w| match w {
                            core::WeekOfMonth::Nth(n) => WeekDto::Nth(*n),
                            core::WeekOfMonth::Last => WeekDto::Last,
                        })
                        .collect(),
                    days: day_dtos(days),
                    opens,
                    closes,
                    overnight,
                }),
                core::Rule::TimesPerMonth { times, .. } => {
                    RuleDto::PerMonth(CountDto { times: u16::from(*times), opens, closes, overnight })
                }
                core::Rule::TimesPerYear { times, .. } => {
                    RuleDto::PerYear(CountDto { times: *times, opens, closes, overnight })
                }
                core::Rule::Dates { dates, .. } => RuleDto::Dates(DatesDto {
                    dates: dates.iter().copied().map(Date).collect(),
                    opens,
                    closes,
                    overnight,
                }),
                core::Rule::DaysOfMonth { days, shift, .. } => RuleDto::DaysOfMonth(DaysOfMonthDto {
                    days: days.clone(),
                    shift: match shift {
                        core::DayShift::Keep => None,
                        core::DayShift::Skip => Some(DayShiftDto::Skip),
                        core::DayShift::NextWeekday => Some(DayShiftDto::NextWeekday),
                        core::DayShift::PreviousWeekday => Some(DayShiftDto::PreviousWeekday),
                    },
                    opens,
                    closes,
                    overnight,
                }),
                core::Rule::HoursOnly { .. } => RuleDto::HoursOnly(HoursOnlyDto { opens, closes, overnight }),
            }
        })
        .collect();
    let closed = s
        .closed
        .iter()
        .map(|closure| match closure {
            core::Closure::NationalHolidays => ClosureDto::Named(NamedClosureDto::NationalHolidays),
            core::Closure::YearEnd => ClosureDto::Named(NamedClosureDto::YearEnd),
            core::Closure::Period { from, to } => ClosureDto::Period(PeriodDto { from: Date(*from), to: Date(*to) }),
        })
        .collect();
    ScheduleDto {
        note: s.note.clone(),
        rules,
        closed,
        months: s.season.months.iter().filter_map(|m| u8::try_from(*m).ok()).collect(),
        valid_from: s.season.from.map(Date),
        valid_until: s.season.until.map(Date),
    }
}

pub fn resource(r: &core::Resource) -> ResourceDto {
    ResourceDto {
        id: r.id.to_string(),
        name: r.name.clone(),
        kana: r.kana.clone(),
        kind: r.kind.to_string(),
        local_kind_name: r.local_kind_name.clone(),
        description: r.description.clone(),
        needs: strings(&r.needs),
        audience: AudienceDto {
            description: r.audience.description.clone(),
            age_min: r.audience.age_min,
            age_max: r.audience.age_max,
            residence: strings(&r.audience.residence),
            conditions: r.audience.conditions.clone(),
            excludes: r
                .audience
                .excludes
                .iter()
                .map(|e| ExclusionDto { label: e.label.clone(), cues: e.cues.clone() })
                .collect(),
            family_may_consult: r.audience.family_may_consult,
            professionals_may_consult: r.audience.professionals_may_consult,
            gender: r.audience.gender.map(|g| match g {
                core::Gender::Female => GenderDto::Female,
                core::Gender::Male => GenderDto::Male,
            }),
        },
        service_area: service_area(&r.service_area),
        contacts: contacts(&r.contacts),
        locations: r
            .locations
            .iter()
            .map(|l| LocationDto {
                name: l.name.clone(),
                postal_code: l.postal_code.clone(),
                address: l.address.clone(),
                municipality: l.municipality.map(|m| m.to_string()),
                area: l.area.as_ref().map(ToString::to_string),
                online: l.online,
                note: l.note.clone(),
                latitude: l.position.map(yorisoi_core::Position::latitude),
                longitude: l.position.map(yorisoi_core::Position::longitude),
            })
            .collect(),
        schedule: schedule(&r.schedule),
        cost: CostDto { free: r.cost.free, description: r.cost.description.clone() },
        languages: r.languages.clone(),
        accessibility: r.accessibility.clone(),
        application: ApplicationDto {
            how: r.application.how.clone(),
            bring: r.application.bring.clone(),
            booking_required: r.application.booking_required,
        },
        status: match r.status {
            core::Status::Active => StatusDto::Active,
            core::Status::Paused => StatusDto::Paused,
            core::Status::Planned => StatusDto::Planned,
            core::Status::Ended => StatusDto::Ended,
        },
        operators: strings(&r.operators),
        entry_window: r.entry_window,
        staff_note: r.staff_note.clone(),
        provenance: provenance(&r.provenance),
        hsds: kept_hsds(r.hsds.as_deref()),
    }
}

pub fn referral(r: &core::Referral) -> ReferralDto {
    use core::ReferralKind as K;
    ReferralDto {
        id: r.id.to_string(),
        from: r.from.to_string(),
        to: r.to.to_string(),
        kind: match r.kind {
            K::RefersTo => ReferralKindDto::RefersTo,
            K::EscalatesTo => ReferralKindDto::EscalatesTo,
            K::Consults => ReferralKindDto::Consults,
            K::PartnersWith => ReferralKindDto::PartnersWith,
            K::MemberOf => ReferralKindDto::MemberOf,
            K::SharesInformationWith => ReferralKindDto::SharesInformationWith,
        },
        needs: strings(&r.needs),
        conditions: ConditionsDto {
            age_min: r.conditions.age_min,
            age_max: r.conditions.age_max,
            residence: strings(&r.conditions.residence),
            documents: r.conditions.documents.clone(),
            text: r.conditions.text.clone(),
        },
        state: match r.state {
            core::ReferralState::Working => ReferralStateDto::Working,
            core::ReferralState::NotWorking => ReferralStateDto::NotWorking,
        },
        note: r.note.clone(),
        provenance: provenance(&r.provenance),
    }
}
