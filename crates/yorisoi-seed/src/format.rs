//! The seed file format: what a steward writes in YAML, one struct per record type.
//!
//! These are transfer types: friendly to edit (times as "09:00", schedules as short
//! rules) and the source of the JSON Schema editors validate against. They are
//! converted to and from the domain types in `convert`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::values::{Date, TimeOfDay, WeekDto};

/// One seed file. Every key is optional; a file may hold any mix of records.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Yorisoi seed file",
    description = "Records of the Yorisoi directory (寄り添い支援資源). Every record names its source under `provenance`."
)]
pub struct SeedFile {
    /// Documents and pages that records cite (出典).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceDto>,
    /// Prefectures, cities and wards (自治体), by 全国地方公共団体コード.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub municipalities: Vec<MunicipalityDto>,
    /// Areas below a municipality (日常生活圏域, 小学校区, 町会, 地区).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<AreaDto>,
    /// The need taxonomy (困りごと).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<NeedDto>,
    /// The kind taxonomy (支援資源の種類) with local names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<KindDto>,
    /// Organizations (運営団体・行政の部課).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizations: Vec<OrganizationDto>,
    /// Support resources (支援資源): where a person can be referred to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceDto>,
    /// Referral edges (つなぎ) between organizations and resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<ReferralDto>,
    /// Local names of kinds and needs added here rather than in taxonomy.yaml (地域での呼び名).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_names: Vec<LocalNameEntryDto>,
}

/// A source document (出典).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceDto {
    /// Stable id: lowercase letters, digits, `-`, `_`.
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// As precise as the source says (2025-06, 2025年11月号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// File name in the `documents/` folder beside the seed files (checked to exist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The licence and the attribution it asks (CC BY 4.0「江東区 介護サービス事業所一覧」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// What `yorisoi import --format hsds` keeps of the data set as a whole (its own
    /// taxonomies and terms), given back by `yorisoi export --format hsds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsds: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A municipality (自治体).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityDto {
    /// 全国地方公共団体コード, six digits with the check digit ("131083").
    pub code: String,
    pub name: String,
    /// Reading in hiragana or katakana (こうとうく).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// The enclosing municipality's code (東京都 "130001").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<ProvenanceDto>,
}

/// Kinds of area.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AreaKindDto {
    /// 日常生活圏域.
    DailyLifeZone,
    /// 小学校区.
    SchoolDistrict,
    /// 町会・自治会.
    NeighbourhoodAssociation,
    /// 地区.
    District,
}

/// An area below a municipality.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaDto {
    pub id: String,
    pub municipality: String,
    pub kind: AreaKindDto,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<ProvenanceDto>,
}

/// A need (困りごと).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedDto {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Other words and spellings (引きこもり, 引き籠もり).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
    /// Plain-word phrases that signal this need in a situation (ずっと家にいる).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Words a municipality uses for this need, understood and searched there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_names: Vec<LocalNameDto>,
    /// Where the need and its words are stated (a document, a law).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<ProvenanceDto>,
}

/// A kind of resource.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KindDto {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
    /// Names this kind goes by in a municipality (長寿サポートセンター in 江東区).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_names: Vec<LocalNameDto>,
    /// Whether a person can bring any worry to resources of this kind (相談窓口).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub entry_window: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the kind is stated (a document, the law that sets it up).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<ProvenanceDto>,
}

/// A local name of a kind.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalNameDto {
    pub municipality: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<ProvenanceDto>,
}

/// A local name added from any seed file, without editing taxonomy.yaml: 熟年相談室
/// is what 江戸川区 calls a 地域包括支援センター (a kind); a ward's own word for a need
/// is given the same way with `need:`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalNameEntryDto {
    /// The code of the kind (community-support-center); give this or `need`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The code of the need (isolation); give this or `kind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<String>,
    /// The municipality that uses the name (and those below it).
    pub municipality: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// Where the name is stated; required.
    pub provenance: Vec<ProvenanceDto>,
}

/// Organization forms.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKindDto {
    /// 自治体 (the government as a whole).
    LocalGovernment,
    /// 部.
    Department,
    /// 課.
    Division,
    /// 係.
    Section,
    /// 保健所, 出張所 and other public offices.
    PublicOffice,
    /// 社会福祉協議会.
    SocialWelfareCouncil,
    /// 生活協同組合.
    ConsumerCoop,
    /// 医療生協・保健生協.
    MedicalCoop,
    /// ワーカーズコープ.
    WorkerCoop,
    /// 生協連合会.
    CoopFederation,
    /// NPO法人.
    Npo,
    /// 社会福祉法人.
    SocialWelfareCorporation,
    /// 一般社団法人.
    GeneralIncorporatedAssociation,
    /// 公益社団法人・公益財団法人.
    PublicInterestCorporation,
    /// 法テラス (日本司法支援センター).
    LegalSupportCenter,
    /// 任意団体.
    VoluntaryGroup,
    /// 町会・自治会.
    NeighbourhoodAssociation,
    /// 企業.
    Company,
    /// 民生委員・児童委員協議会.
    WelfareCommissionersCouncil,
    /// 連携プラットフォーム・連絡会・まちづくりグループ.
    Platform,
    /// その他.
    Other,
}

/// Where a record serves.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAreaDto {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub municipalities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
}

impl ServiceAreaDto {
    pub fn is_empty(&self) -> bool {
        self.municipalities.is_empty() && self.areas.is_empty()
    }
}

/// An organization.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationDto {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    pub kind: OrganizationKindDto,
    /// The enclosing organization's id (福祉部 for 長寿応援課).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "ServiceAreaDto::is_empty")]
    pub service_area: ServiceAreaDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Platforms or networks it belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_of: Vec<String>,
    pub provenance: Vec<ProvenanceDto>,
    /// HSDS 3.0 fields Yorisoi does not use, kept from `yorisoi import --format hsds` and
    /// given back by `yorisoi export --format hsds`; leave it as the import wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsds: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Evidence for a record.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceDto {
    /// A source id.
    pub source: String,
    /// Where in the source: section, table, short quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    /// When someone last checked this record against the source (YYYY-MM-DD).
    pub verified: Date,
}

/// A way to reach a place.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactDto {
    /// Whom to ask for or what the line is (担当：平岡・谷野).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Half-width digits and hyphens (03-6697-6135).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When this line answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<ScheduleDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Only for professionals (内線直通など); hidden from the public.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staff_only: bool,
}

/// A venue or address.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Held online (Zoom).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Degrees north (WGS 84), as the source publishes it (35.6727); with longitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// Degrees east (WGS 84) (139.7947); with latitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

/// Weekday codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayDto {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// When a place is open. Leave out what the source does not say.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleDto {
    /// The schedule in the source's words (月～金17時まで, 毎月1回).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDto>,
    /// Days it is closed whatever the rules say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed: Vec<ClosureDto>,
    /// The months the rules hold in, 1 to 12 (奇数月: [1, 3, 5, 7, 9, 11]); all year when
    /// left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub months: Vec<u8>,
    /// The first day the rules hold (a programme that starts on a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Date>,
    /// The last day the rules hold (a programme that ends on a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
}

/// One recurring pattern; exactly one key.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleDto {
    /// Every week on these days.
    Weekly(WeeklyDto),
    /// Given weeks of each month (第2・第4水曜: weeks [2, 4], days [wed]).
    Monthly(MonthlyDto),
    /// N times a month, dates not published (毎月1回).
    PerMonth(CountDto),
    /// N times a year, dates not published (年6回).
    PerYear(CountDto),
    /// On these dates only.
    Dates(DatesDto),
    /// On these days of each month (毎月1日・15日).
    DaysOfMonth(DaysOfMonthDto),
    /// Hours published without days (12:00〜19:00): open days unknown.
    HoursOnly(HoursOnlyDto),
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaysOfMonthDto {
    /// Days of the month, 1 to 31; a month without the day has no session.
    pub days: Vec<u8>,
    /// When a day falls on a weekend or national holiday: `keep` (held anyway, the
    /// default), `skip`, `next_weekday` or `previous_weekday`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<DayShiftDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<TimeOfDay>,
    /// The session runs past midnight: `closes` is on the next day (opens 22:00,
    /// closes 02:00). Required then, so a swapped pair of times is not read as a night.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overnight: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayShiftDto {
    Keep,
    Skip,
    NextWeekday,
    PreviousWeekday,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursOnlyDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<TimeOfDay>,
    /// The session runs past midnight: `closes` is on the next day (opens 22:00,
    /// closes 02:00). Required then, so a swapped pair of times is not read as a night.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overnight: bool,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyDto {
    pub days: Vec<DayDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<TimeOfDay>,
    /// The session runs past midnight: `closes` is on the next day (opens 22:00,
    /// closes 02:00). Required then, so a swapped pair of times is not read as a night.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overnight: bool,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthlyDto {
    /// Weeks of the month: 1 to 5, or `last`.
    pub weeks: Vec<WeekDto>,
    pub days: Vec<DayDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<TimeOfDay>,
    /// The session runs past midnight: `closes` is on the next day (opens 22:00,
    /// closes 02:00). Required then, so a swapped pair of times is not read as a night.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overnight: bool,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountDto {
    pub times: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<TimeOfDay>,
    /// The session runs past midnight: `closes` is on the next day (opens 22:00,
    /// closes 02:00). Required then, so a swapped pair of times is not read as a night.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overnight: bool,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatesDto {
    pub dates: Vec<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<TimeOfDay>,
    /// The session runs past midnight: `closes` is on the next day (opens 22:00,
    /// closes 02:00). Required then, so a swapped pair of times is not read as a night.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overnight: bool,
}

/// A closure: `national_holidays` (祝日), `year_end` (年末年始 12/29–1/3), or a period.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ClosureDto {
    Named(NamedClosureDto),
    Period(PeriodDto),
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NamedClosureDto {
    NationalHolidays,
    YearEnd,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodDto {
    pub from: Date,
    pub to: Date,
}

/// Who a resource is for.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceDto {
    /// In words (どなたでも).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<u8>,
    /// Municipality codes the person must live in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub residence: Vec<String>,
    /// Other conditions in words (児童扶養手当受給者).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// Circumstances that rule a person out, as the source says them (生活保護受給者を
    /// 除く), each with the plain words that say a person is in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<ExclusionDto>,
    /// Whether a family member may consult for the person (false: the person only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_may_consult: Option<bool>,
    /// Whether a professional (a care manager, a 民生委員, another window) may consult
    /// for the person (false: the person or the family only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub professionals_may_consult: Option<bool>,
    /// The gender the place is for, when the source says it is for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<GenderDto>,
}

/// A gender a place may be for.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GenderDto {
    Female,
    Male,
}

/// A circumstance that rules a person out.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionDto {
    /// As the source says it (生活保護を受けている方).
    pub label: String,
    /// Words that say a person is in it (生活保護を受けている, 生活保護受給中); the label
    /// itself when none are given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<String>,
}

/// What it costs.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How to use it.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// What to bring (持ち物).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bring: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_required: Option<bool>,
}

/// Resource status.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    /// 実施中.
    #[default]
    Active,
    /// 休止中.
    Paused,
    /// 準備中.
    Planned,
    /// 終了.
    Ended,
}

/// A support resource (支援資源).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceDto {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// A kind code.
    pub kind: String,
    /// What the kind is called here when the name does not say it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_kind_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Need codes it addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default_audience")]
    pub audience: AudienceDto,
    #[serde(default, skip_serializing_if = "ServiceAreaDto::is_empty")]
    pub service_area: ServiceAreaDto,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<LocationDto>,
    #[serde(default, skip_serializing_if = "is_default_schedule")]
    pub schedule: ScheduleDto,
    #[serde(default, skip_serializing_if = "is_default_cost")]
    pub cost: CostDto,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accessibility: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default_application")]
    pub application: ApplicationDto,
    #[serde(default)]
    pub status: StatusDto,
    /// Ids of the organizations that run it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<String>,
    /// Whether a person can bring any worry here, overriding the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_window: Option<bool>,
    /// For professionals only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_note: Option<String>,
    pub provenance: Vec<ProvenanceDto>,
    /// HSDS 3.0 fields Yorisoi does not use, kept from `yorisoi import --format hsds` and
    /// given back by `yorisoi export --format hsds`; leave it as the import wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsds: Option<serde_json::Map<String, serde_json::Value>>,
}

fn is_default_audience(a: &AudienceDto) -> bool {
    a.description.is_none()
        && a.age_min.is_none()
        && a.age_max.is_none()
        && a.residence.is_empty()
        && a.conditions.is_empty()
        && a.excludes.is_empty()
        && a.family_may_consult.is_none()
        && a.professionals_may_consult.is_none()
        && a.gender.is_none()
}

fn is_default_schedule(s: &ScheduleDto) -> bool {
    s.note.is_none() && s.rules.is_empty() && s.closed.is_empty()
}

fn is_default_cost(c: &CostDto) -> bool {
    c.free.is_none() && c.description.is_none()
}

fn is_default_application(a: &ApplicationDto) -> bool {
    a.how.is_none() && a.bring.is_empty() && a.booking_required.is_none()
}

/// Referral edge kinds.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralKindDto {
    /// 紹介する.
    RefersTo,
    /// 専門機関へつなぐ.
    EscalatesTo,
    /// 相談する.
    Consults,
    /// 連携する.
    PartnersWith,
    /// 参加する.
    MemberOf,
    /// 情報を共有する.
    SharesInformationWith,
}

/// Whether an edge works in practice.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStateDto {
    #[default]
    Working,
    /// Known to break on the way.
    NotWorking,
}

/// Conditions for a referral to apply.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionsDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub residence: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

fn is_default_conditions(c: &ConditionsDto) -> bool {
    c.age_min.is_none() && c.age_max.is_none() && c.residence.is_empty() && c.documents.is_empty() && c.text.is_none()
}

/// A referral edge.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralDto {
    pub id: String,
    /// Organization or resource id.
    pub from: String,
    pub to: String,
    pub kind: ReferralKindDto,
    /// Need codes it applies to; leave out for any need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default_conditions")]
    pub conditions: ConditionsDto,
    #[serde(default, skip_serializing_if = "is_working")]
    pub state: ReferralStateDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub provenance: Vec<ProvenanceDto>,
}

fn is_working(state: &ReferralStateDto) -> bool {
    matches!(state, ReferralStateDto::Working)
}
