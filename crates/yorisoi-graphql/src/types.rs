//! GraphQL types over the domain types: each wraps a record's place in the request's
//! snapshot, so nested fields (a resource's operators, kind and needs) resolve by id
//! from memory, without another query.

use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object, SimpleObject};
use chrono::NaiveDateTime;
use yorisoi_core as core;
use yorisoi_core::Openness;

use crate::auth::Caller;
use crate::live::Snapshot;

use crate::global_id::{NodeType, encode};

/// A record's "as of" day, with the snapshot's sources' publication dates.
fn as_of(snapshot: &Snapshot, provenance: &[core::Provenance]) -> Option<chrono::NaiveDate> {
    core::provenance::as_of(provenance, |source| {
        snapshot.directory.sources.iter().find(|s| &s.id == source).and_then(core::Source::published_until)
    })
}

/// A record with a global id (Relay).
#[allow(clippy::large_enum_variant)] // one value per `node` answer; boxing buys nothing here
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "A global id; pass it to `node` to fetch the record again."))]
pub enum Node {
    Resource(Resource),
    Organization(Organization),
}

/// A need (困りごと) such as 孤独・孤立 or 8050問題.
pub struct Need(pub core::Need);

/// A need (困りごと) such as 孤独・孤立 or 8050問題.
#[Object]
impl Need {
    /// Stable code (`8050`, `isolation`).
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    /// Japanese label (ラベル).
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Reading in kana (よみ).
    async fn kana(&self) -> Option<&str> {
        self.0.kana.as_deref()
    }
    /// The broader need's code (親コード).
    async fn parent(&self) -> Option<&str> {
        self.0.parent.as_ref().map(core::Id::as_str)
    }
    /// Other words and spellings (同義語・表記ゆれ).
    async fn synonyms(&self) -> &[String] {
        &self.0.synonyms
    }
    /// Words municipalities use for it (地域での呼び名), understood and searched there.
    async fn local_names(&self) -> Vec<LocalName> {
        local_names(&self.0.local_names)
    }
    /// Where the need and its words are stated (出典).
    async fn provenance(&self) -> Vec<Provenance> {
        provenance(&self.0.provenance)
    }
}

fn local_names(names: &[core::LocalName]) -> Vec<LocalName> {
    names
        .iter()
        .map(|l| LocalName {
            municipality: l.municipality.to_string(),
            name: l.name.clone(),
            provenance: provenance(&l.provenance),
        })
        .collect()
}

/// The name a kind goes by in a municipality (地域での呼び名).
#[derive(SimpleObject)]
pub struct LocalName {
    /// 全国地方公共団体コード of the municipality.
    pub municipality: String,
    /// The local name (長寿サポートセンター).
    pub name: String,
    /// Where the name is stated (出典), when a steward cited it.
    pub provenance: Vec<Provenance>,
}

/// A kind of resource (支援資源の種類) such as 地域包括支援センター.
pub struct Kind(pub core::Kind);

/// A kind of resource (支援資源の種類) such as 地域包括支援センター.
#[Object]
impl Kind {
    /// Stable code.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    /// Japanese label.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// The broader kind's code.
    async fn parent(&self) -> Option<&str> {
        self.0.parent.as_ref().map(core::Id::as_str)
    }
    /// Names by municipality (江東区: 長寿サポートセンター).
    async fn local_names(&self) -> Vec<LocalName> {
        local_names(&self.0.local_names)
    }
    /// Whether a person can bring any worry to places of this kind (相談窓口).
    async fn entry_window(&self) -> bool {
        self.0.entry_window
    }
    /// Where the kind is stated (出典): a document, the law that sets it up.
    async fn provenance(&self) -> Vec<Provenance> {
        provenance(&self.0.provenance)
    }
}

/// A prefecture, city or ward (自治体).
pub struct Municipality(pub core::Municipality);

/// A prefecture, city or ward (自治体).
#[Object]
impl Municipality {
    /// 全国地方公共団体コード (131083).
    async fn code(&self) -> String {
        self.0.code.to_string()
    }
    /// Name (江東区).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Reading in kana.
    async fn kana(&self) -> Option<&str> {
        self.0.kana.as_deref()
    }
    /// The enclosing municipality's code (東京都 130001).
    async fn parent(&self) -> Option<String> {
        self.0.parent.map(|p| p.to_string())
    }
}

/// How to reach a place (連絡先).
#[derive(SimpleObject)]
pub struct Contact {
    /// Whom to ask for or what the line is (担当).
    pub name: Option<String>,
    /// Phone number (電話).
    pub phone: Option<String>,
    /// Fax number (FAX).
    pub fax: Option<String>,
    /// Mail address (メール).
    pub email: Option<String>,
    /// Web page (ホームページ).
    pub url: Option<String>,
    /// When the line answers, in the source's words (受付時間).
    pub hours: Option<String>,
    /// A note on the line (備考).
    pub note: Option<String>,
    /// A line for professionals only (職員向け); shown only to callers with a token.
    pub staff_only: bool,
}

/// Where a place meets (場所).
#[derive(SimpleObject)]
pub struct Location {
    /// The venue (東尾久本町通りふれあい館).
    pub name: Option<String>,
    /// Address as the source gives it (住所).
    pub address: Option<String>,
    /// 全国地方公共団体コード.
    pub municipality: Option<String>,
    /// Held online.
    pub online: bool,
    /// Degrees north (WGS 84), where the source gives the point.
    pub latitude: Option<f64>,
    /// Degrees east (WGS 84).
    pub longitude: Option<f64>,
}

/// Whether a place is open at a moment (開所状況).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    /// 開いている.
    Open,
    /// 閉まっている.
    Closed,
    /// The sources do not say; call first (要確認).
    Unknown,
}

impl From<Openness> for OpenState {
    fn from(openness: Openness) -> Self {
        match openness {
            Openness::Open => OpenState::Open,
            Openness::Closed => OpenState::Closed,
            Openness::Unknown => OpenState::Unknown,
        }
    }
}

/// Who is asking for help (相談者).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// 本人.
    Person,
    /// 家族.
    Family,
    /// 関係機関・専門職 (a care manager, a 民生委員, another window).
    Professional,
}

impl From<Asker> for yorisoi_core::Asker {
    fn from(asker: Asker) -> Self {
        match asker {
            Asker::Person => yorisoi_core::Asker::Person,
            Asker::Family => yorisoi_core::Asker::Family,
            Asker::Professional => yorisoi_core::Asker::Professional,
        }
    }
}

/// A source document or web page records cite (出典資料).
#[derive(SimpleObject)]
pub struct Source {
    /// The steward's id, as provenance names it.
    pub key: String,
    pub title: String,
    pub publisher: Option<String>,
    /// As precise as the source says (2025-06, 2025年11月号).
    pub published: Option<String>,
    /// The document's file name among the seed's documents.
    pub file: Option<String>,
    pub url: Option<String>,
    /// The licence and the attribution it asks (CC BY 4.0「江東区 介護サービス事業所一覧」).
    pub licence: Option<String>,
}

impl Source {
    pub fn of(s: &core::Source) -> Self {
        Source {
            key: s.id.to_string(),
            title: s.title.clone(),
            publisher: s.publisher.clone(),
            published: s.published.clone(),
            file: s.file.clone(),
            url: s.url.clone(),
            licence: s.licence.clone(),
        }
    }
}

/// Where a record's facts come from (出典).
#[derive(SimpleObject)]
pub struct Provenance {
    /// The source document's id.
    pub source: String,
    /// Where in it (section, quote).
    pub locator: Option<String>,
    /// When someone last checked (最終確認日), YYYY-MM-DD.
    pub verified: String,
}

fn provenance(items: &[core::Provenance]) -> Vec<Provenance> {
    items
        .iter()
        .map(|p| Provenance {
            source: p.source.to_string(),
            locator: p.locator.clone(),
            verified: p.verified.to_string(),
        })
        .collect()
}

/// An organization (運営団体・行政の部課).
#[derive(Clone)]
pub struct Organization {
    pub snapshot: Arc<Snapshot>,
    /// Position in the snapshot's organizations.
    pub at: usize,
}

impl Organization {
    pub fn record(&self) -> &core::Organization {
        &self.snapshot.directory.organizations[self.at]
    }

    fn at(snapshot: &Arc<Snapshot>, id: &core::Id) -> Option<Organization> {
        Some(Organization { snapshot: Arc::clone(snapshot), at: snapshot.organization_at(id)? })
    }
}

/// An organization (運営団体・行政の部課).
#[Object]
impl Organization {
    /// Global id.
    async fn id(&self) -> ID {
        ID(encode(NodeType::Organization, &self.record().id))
    }
    /// The steward's id (koto-choju-oen).
    async fn key(&self) -> &str {
        self.record().id.as_str()
    }
    /// Name (名称).
    async fn name(&self) -> &str {
        &self.record().name
    }
    /// Reading in kana.
    async fn kana(&self) -> Option<&str> {
        self.record().kana.as_deref()
    }
    /// Form (種別): local_government, division, social_welfare_council, npo, …
    async fn kind(&self) -> &str {
        self.record().kind.code()
    }
    /// Japanese label of the form.
    async fn kind_label(&self) -> &str {
        self.record().kind.label()
    }
    /// The enclosing organization (上位組織: 福祉部 for 長寿応援課).
    async fn parent(&self) -> Option<Organization> {
        Organization::at(&self.snapshot, self.record().parent.as_ref()?)
    }
    /// Description (説明).
    async fn description(&self) -> Option<&str> {
        self.record().description.as_deref()
    }
    /// Contacts; lines for professionals only (直通・内線) only with a token.
    async fn contacts(&self, ctx: &Context<'_>) -> Vec<Contact> {
        contacts(ctx, &self.record().contacts)
    }
    /// Sources of this record.
    async fn provenance(&self) -> Vec<Provenance> {
        provenance(&self.record().provenance)
    }
    /// The day this record's facts are as of (時点): its freshest source's publication,
    /// or the day it was checked if earlier. Show it beside the record.
    async fn as_of(&self) -> Option<chrono::NaiveDate> {
        as_of(&self.snapshot, &self.record().provenance)
    }
    /// Referrals from this organization (つなぎ先), as the steward recorded them.
    #[graphql(complexity = "10 + child_complexity")]
    async fn referrals_out(&self) -> Vec<Referral> {
        Referral::touching(&self.snapshot, &self.record().id, Direction::Out)
    }
    /// Referrals to this organization (つなぎ元).
    #[graphql(complexity = "10 + child_complexity")]
    async fn referrals_in(&self) -> Vec<Referral> {
        Referral::touching(&self.snapshot, &self.record().id, Direction::In)
    }
}

/// Contacts a caller may see: staff-only lines need a token.
fn contacts(ctx: &Context<'_>, items: &[core::Contact]) -> Vec<Contact> {
    let staff = ctx.data_opt::<Caller>().is_some();
    items
        .iter()
        .filter(|c| staff || !c.staff_only)
        .map(|c| Contact {
            staff_only: c.staff_only,
            note: c.note.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            fax: c.fax.clone(),
            email: c.email.clone(),
            url: c.url.clone(),
            hours: c.hours.as_ref().and_then(|h| h.note.clone()),
        })
        .collect()
}

/// A support resource (支援資源): where a person can be referred to.
#[derive(Clone)]
pub struct Resource {
    pub snapshot: Arc<Snapshot>,
    /// Position in the snapshot's resources.
    pub at: usize,
}

impl Resource {
    pub fn record(&self) -> &core::Resource {
        &self.snapshot.directory.resources[self.at]
    }

    /// The resource with steward's id `id` in `snapshot`.
    pub fn find(snapshot: &Arc<Snapshot>, id: &core::Id) -> Option<Resource> {
        Some(Resource { snapshot: Arc::clone(snapshot), at: snapshot.resource_at(id)? })
    }
}

/// A support resource (支援資源): where a person can be referred to.
#[Object]
impl Resource {
    /// Global id.
    async fn id(&self) -> ID {
        ID(encode(NodeType::Resource, &self.record().id))
    }
    /// The steward's id (koto-choju-support-centers).
    async fn key(&self) -> &str {
        self.record().id.as_str()
    }
    /// Name (名称).
    async fn name(&self) -> &str {
        &self.record().name
    }
    /// Reading in kana.
    async fn kana(&self) -> Option<&str> {
        self.record().kana.as_deref()
    }
    /// Kind (種類).
    async fn kind(&self) -> Option<Kind> {
        self.snapshot.kind(&self.record().kind).cloned().map(Kind)
    }
    /// Description (説明).
    async fn description(&self) -> Option<&str> {
        self.record().description.as_deref()
    }
    /// Needs it addresses (対応する困りごと).
    async fn needs(&self) -> Vec<Need> {
        self.record().needs.iter().filter_map(|code| self.snapshot.need(code)).cloned().map(Need).collect()
    }
    /// Who it is for, in words (対象).
    async fn audience(&self) -> Option<&str> {
        self.record().audience.description.as_deref()
    }
    /// Youngest age served.
    async fn age_min(&self) -> Option<u8> {
        self.record().audience.age_min
    }
    /// Oldest age served.
    async fn age_max(&self) -> Option<u8> {
        self.record().audience.age_max
    }
    /// The kind as the place's municipality calls it, with its general name
    /// (長寿サポートセンター（地域包括支援センター）); the kind's label where no local name
    /// applies.
    async fn kind_name(&self) -> String {
        let record = self.record();
        let directory = &self.snapshot.directory;
        let Some(kind) = self.snapshot.kind(&record.kind) else { return record.kind.to_string() };
        let local = record.local_kind_name.clone().or_else(|| {
            let served: Vec<core::MunicipalityCode> = record
                .service_area
                .municipalities
                .iter()
                .flat_map(|m| directory.municipality_and_ancestors(*m))
                .collect();
            kind.local_names.iter().find(|l| served.contains(&l.municipality)).map(|l| l.name.clone())
        });
        match local {
            Some(local) if local != kind.label => format!("{local}（{}）", kind.label),
            _ => kind.label.clone(),
        }
    }
    /// Circumstances that rule a person out, as the source says them (除外条件).
    async fn excludes(&self) -> Vec<&str> {
        self.record().audience.excludes.iter().map(|e| e.label.as_str()).collect()
    }
    /// Whether a family member may consult for the person (false: the person only).
    async fn family_may_consult(&self) -> Option<bool> {
        self.record().audience.family_may_consult
    }
    /// Whether a professional (a care manager, another window) may consult for the
    /// person (false: the person or the family only; null: not said).
    async fn professionals_may_consult(&self) -> Option<bool> {
        self.record().audience.professionals_may_consult
    }
    /// The gender it is for, when it is for one: female or male (対象の性別).
    async fn gender(&self) -> Option<&str> {
        self.record().audience.gender.map(yorisoi_core::Gender::code)
    }
    /// 全国地方公共団体コード of the municipalities served (対象地域).
    async fn municipalities(&self) -> Vec<String> {
        self.record().service_area.municipalities.iter().map(ToString::to_string).collect()
    }
    /// Contacts (連絡先); lines for professionals only (直通・内線) only with a token.
    async fn contacts(&self, ctx: &Context<'_>) -> Vec<Contact> {
        contacts(ctx, &self.record().contacts)
    }
    /// A note for professionals (職員向けメモ); null without a staff or steward token.
    async fn staff_note(&self, ctx: &Context<'_>) -> Option<&str> {
        ctx.data_opt::<Caller>().and(self.record().staff_note.as_deref())
    }
    /// Where it meets (場所).
    async fn locations(&self) -> Vec<Location> {
        self.record()
            .locations
            .iter()
            .map(|l| Location {
                name: l.name.clone(),
                address: l.address.clone(),
                municipality: l.municipality.map(|m| m.to_string()),
                online: l.online,
                latitude: l.position.map(core::Position::latitude),
                longitude: l.position.map(core::Position::longitude),
            })
            .collect()
    }
    /// The schedule in the source's words (開催日時・受付時間).
    async fn schedule(&self) -> Option<&str> {
        self.record().schedule.note.as_deref()
    }
    /// Whether it is open at a Japan-time moment (`2026-11-24T10:00:00`).
    async fn open_at(&self, at: NaiveDateTime) -> OpenState {
        self.record().schedule.openness_at(at).into()
    }
    /// Free of charge (無料).
    async fn free(&self) -> Option<bool> {
        self.record().cost.free
    }
    /// Cost in words (費用).
    async fn cost(&self) -> Option<&str> {
        self.record().cost.description.as_deref()
    }
    /// What to bring (持ち物).
    async fn bring(&self) -> &[String] {
        &self.record().application.bring
    }
    /// How to apply (申込方法).
    async fn how_to_apply(&self) -> Option<&str> {
        self.record().application.how.as_deref()
    }
    /// active, paused, planned or ended (実施状況).
    async fn status(&self) -> &str {
        self.record().status.code()
    }
    /// Who runs it (運営): the organizations among its operators.
    async fn operators(&self) -> Vec<Organization> {
        self.record().operators.iter().filter_map(|id| Organization::at(&self.snapshot, id)).collect()
    }
    /// The places among its operators (a 地域包括支援センター that runs this café).
    async fn operating_resources(&self) -> Vec<Resource> {
        self.record().operators.iter().filter_map(|id| Resource::find(&self.snapshot, id)).collect()
    }
    /// Sources of this record.
    async fn provenance(&self) -> Vec<Provenance> {
        provenance(&self.record().provenance)
    }
    /// The day this record's facts are as of (時点): its freshest source's publication,
    /// or the day it was checked if earlier. Show it beside the record.
    async fn as_of(&self) -> Option<chrono::NaiveDate> {
        as_of(&self.snapshot, &self.record().provenance)
    }
    /// Referrals from this place (つなぎ先), as the steward recorded them.
    #[graphql(complexity = "10 + child_complexity")]
    async fn referrals_out(&self) -> Vec<Referral> {
        Referral::touching(&self.snapshot, &self.record().id, Direction::Out)
    }
    /// Referrals to this place (つなぎ元).
    #[graphql(complexity = "10 + child_complexity")]
    async fn referrals_in(&self) -> Vec<Referral> {
        Referral::touching(&self.snapshot, &self.record().id, Direction::In)
    }
}

/// A referral (つなぎ): one place sends, escalates or consults another.
#[derive(SimpleObject)]
pub struct Referral {
    /// The steward's id.
    pub key: String,
    /// Steward's id of the place that refers.
    pub from: String,
    /// Steward's id of the place referred to.
    pub to: String,
    /// refers_to, escalates_to, consults, partners_with, member_of or shares_information_with (種類).
    pub kind: String,
    /// Need codes it applies to; empty means any (対象の困りごと).
    pub needs: Vec<String>,
    /// Conditions in words (条件).
    pub conditions: Option<String>,
    /// Documents to bring or pass on (書類).
    pub documents: Vec<String>,
    /// working or not_working (機能しているか).
    pub state: String,
    /// What the record says (備考).
    pub note: Option<String>,
    /// Where the referral is stated (出典).
    pub provenance: Vec<Provenance>,
}

/// Which end of a referral a record is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Out,
    In,
}

impl Referral {
    /// The referrals from (`Out`) or to (`In`) record `id`, in the steward's order.
    pub fn touching(snapshot: &Snapshot, id: &core::Id, direction: Direction) -> Vec<Referral> {
        snapshot
            .directory
            .referrals
            .iter()
            .filter(|r| match direction {
                Direction::Out => r.from == *id,
                Direction::In => r.to == *id,
            })
            .map(|r| Referral::of(r))
            .collect()
    }

    /// The API's view of a domain referral.
    pub fn of(r: &core::Referral) -> Self {
        Referral {
            key: r.id.to_string(),
            from: r.from.to_string(),
            to: r.to.to_string(),
            kind: r.kind.code().to_owned(),
            needs: r.needs.iter().map(ToString::to_string).collect(),
            conditions: r.conditions.text.clone(),
            documents: r.conditions.documents.clone(),
            state: r.state.code().to_owned(),
            note: r.note.clone(),
            provenance: provenance(&r.provenance),
        }
    }
}
