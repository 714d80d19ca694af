//! Stewards' edits (upsertResource, retireResource, verifyResource, addReferral,
//! removeReferral); each leaves a change-log entry (`changes`). Every edit needs a
//! steward's token.

use async_graphql::{Context, Json, Object, Result, SimpleObject};
use chrono::Utc;
use yorisoi_core::{Action, Edit, Id, Provenance, Status};

use crate::auth::{Caller, Role};
use crate::changes::ChangeEntry;
use crate::error::{ApiError, Coded};
use crate::live::{Snapshot, live, snapshot};
use crate::types::{Referral, Resource};

/// What an edit to a resource did.
#[derive(SimpleObject)]
pub struct ResourceChange {
    /// The change-log entry written.
    pub change: ChangeEntry,
    /// The resource as it is now.
    pub resource: Resource,
}

/// What an edit to a referral did.
#[derive(SimpleObject)]
pub struct ReferralChange {
    /// The change-log entry written.
    pub change: ChangeEntry,
    /// The referral as it is now; null when removed.
    pub referral: Option<Referral>,
}

/// The caller, who must hold a steward's token.
fn steward<'a>(ctx: &Context<'a>) -> Result<&'a Caller, ApiError> {
    match ctx.data_opt::<Caller>() {
        None => Err(ApiError::Unauthenticated(
            "editing needs a steward's token: send `Authorization: Bearer <token>`".to_owned(),
        )),
        Some(caller) if caller.role < Role::Steward => Err(ApiError::Forbidden(format!(
            "the token `{}` has the {} role; editing needs the steward role",
            caller.name,
            caller.role.code()
        ))),
        Some(caller) => Ok(caller),
    }
}

fn parse_id(text: &str) -> Result<Id, ApiError> {
    Id::parse(text).map_err(|e| ApiError::BadUserInput(format!("`{text}` is not an id: {e}")))
}

fn existing_resource(snapshot: &Snapshot, id: &Id) -> Result<yorisoi_core::Resource, ApiError> {
    snapshot
        .resource_at(id)
        .map(|at| yorisoi_core::Resource::clone(&snapshot.directory.resources[at]))
        .ok_or_else(|| ApiError::NotFound(format!("no resource `{id}`")))
}

/// Writes a resource through [`Live::edit`] and answers with it as now served.
async fn put_resource(
    ctx: &Context<'_>,
    caller: &Caller,
    action: Action,
    resource: yorisoi_core::Resource,
    note: Option<String>,
) -> Result<ResourceChange> {
    let id = resource.id.clone();
    let (change, next) = live(ctx).edit(caller, action, Edit::PutResource(resource), note).await.coded()?;
    Ok(ResourceChange { change: ChangeEntry(change), resource: Resource::find(&next, &id).expect("just written") })
}

fn today_in_japan() -> chrono::NaiveDate {
    yorisoi_core::japan_time(Utc::now()).date()
}

/// Stewards' edits (データ管理者の編集).
#[derive(Debug)]
pub struct MutationRoot;

/// Stewards' edits (データ管理者の編集). Each needs a steward's token, is checked like a
/// seed file, is written with a change-log entry, and is visible to search on return.
#[Object(name = "Mutation")]
impl MutationRoot {
    /// Creates a resource or replaces the one with the same `id` (資源の登録・更新).
    async fn upsert_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The resource as in a seed file (see yorisoi-seed.schema.json), as JSON.")] record: Json<
            serde_json::Value,
        >,
        #[graphql(desc = "Why (理由), kept in the change log.")] note: Option<String>,
    ) -> Result<ResourceChange> {
        let caller = steward(ctx).coded()?;
        let resource = yorisoi_seed::resource_from_json(&record.0)
            .map_err(|problems| ApiError::InvalidRecord { record: "resource".to_owned(), problems })
            .coded()?;
        put_resource(ctx, caller, Action::UpsertResource, resource, note).await
    }

    /// Marks a resource as ended (廃止): kept, so old referrals still resolve, but no
    /// longer suggested.
    async fn retire_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Steward's id of the resource.")] id: String,
        #[graphql(desc = "Why (理由), kept in the change log.")] note: String,
    ) -> Result<ResourceChange> {
        let caller = steward(ctx).coded()?;
        let id = parse_id(&id).coded()?;
        let mut resource = existing_resource(snapshot(ctx), &id).coded()?;
        if resource.status == Status::Ended {
            return Err(ApiError::BadUserInput(format!("resource `{id}` is already ended"))).coded();
        }
        resource.status = Status::Ended;
        put_resource(ctx, caller, Action::RetireResource, resource, Some(note)).await
    }

    /// Records that a steward checked a resource against a source today (確認日の更新);
    /// the audit then no longer counts it as stale.
    async fn verify_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Steward's id of the resource.")] id: String,
        #[graphql(desc = "Id of the source checked against (出典), one of the directory's sources.")] source: String,
        #[graphql(desc = "Where in the source (page, section, or 電話確認).")] locator: Option<String>,
        #[graphql(desc = "What was checked (確認内容), kept in the change log.")] note: Option<String>,
    ) -> Result<ResourceChange> {
        let caller = steward(ctx).coded()?;
        let id = parse_id(&id).coded()?;
        let source = parse_id(&source).coded()?;
        let mut resource = existing_resource(snapshot(ctx), &id).coded()?;
        let today = today_in_japan();
        match resource.provenance.iter_mut().find(|p| p.source == source) {
            Some(entry) => {
                entry.verified = today;
                if locator.is_some() {
                    entry.locator = locator;
                }
            }
            None => resource.provenance.push(Provenance { source, locator, verified: today }),
        }
        put_resource(ctx, caller, Action::VerifyResource, resource, note).await
    }

    /// Adds a referral between two places (つなぎの追加). Its `id` must be new.
    async fn add_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral as in a seed file, as JSON.")] record: Json<serde_json::Value>,
        #[graphql(desc = "Why (理由), kept in the change log.")] note: Option<String>,
    ) -> Result<ReferralChange> {
        let caller = steward(ctx).coded()?;
        let referral = yorisoi_seed::referral_from_json(&record.0)
            .map_err(|problems| ApiError::InvalidRecord { record: "referral".to_owned(), problems })
            .coded()?;
        if snapshot(ctx).directory.referrals.iter().any(|r| r.id == referral.id) {
            return Err(ApiError::BadUserInput(format!(
                "referral `{}` already exists; choose a new id, or remove it first",
                referral.id
            )))
            .coded();
        }
        let shown = Referral::of(&referral);
        let (change, _) =
            live(ctx).edit(caller, Action::AddReferral, Edit::PutReferral(referral), note).await.coded()?;
        Ok(ReferralChange { change: ChangeEntry(change), referral: Some(shown) })
    }

    /// Removes a referral (つなぎの削除), for one that no longer works or was wrong.
    async fn remove_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Steward's id of the referral.")] id: String,
        #[graphql(desc = "Why (理由), kept in the change log.")] note: String,
    ) -> Result<ReferralChange> {
        let caller = steward(ctx).coded()?;
        let id = parse_id(&id).coded()?;
        if !snapshot(ctx).directory.referrals.iter().any(|r| r.id == id) {
            return Err(ApiError::NotFound(format!("no referral `{id}`"))).coded();
        }
        let (change, _) =
            live(ctx).edit(caller, Action::RemoveReferral, Edit::RemoveReferral(id), Some(note)).await.coded()?;
        Ok(ReferralChange { change: ChangeEntry(change), referral: None })
    }
}
