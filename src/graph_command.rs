//! `yorisoi paths`, `yorisoi audit` and `yorisoi refer`: the referral graph's answers
//! on the command line.

use crate::terminal::say;
use std::collections::BTreeMap;

use anyhow::Context;
use chrono::NaiveDate;
use serde_json::json;
use yorisoi_core::graph::{Audit, AuditOptions, Path, PathQuery, Person};
use yorisoi_core::{Directory, Id, ReferralGraph};
use yorisoi_search::{ReferRequest, ReferResults, SearchIndex};

use crate::search_command::{now_in_japan, phone_of, resolve_municipality};

/// `yorisoi paths`.
#[derive(Debug, clap::Args)]
pub struct PathsArgs {
    /// Where the worker stands: a resource or organization id
    #[arg(long)]
    pub from: String,
    /// The need (code such as 8050, or label such as 8050問題)
    #[arg(long)]
    pub need: String,
    /// Only places serving this municipality (name or code)
    #[arg(long)]
    pub municipality: Option<String>,
    #[arg(long, default_value_t = 4)]
    pub max_hops: usize,
    /// The person's age, checked against referral conditions
    #[arg(long)]
    pub age: Option<u8>,
    #[arg(long)]
    pub json: bool,
}

/// `yorisoi audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Only findings involving this municipality (name or code)
    #[arg(long)]
    pub municipality: Option<String>,
    /// Records not verified for this many months are stale
    #[arg(long, default_value_t = 12)]
    pub stale_months: u32,
    /// How many hubs to list
    #[arg(long, default_value_t = 10)]
    pub hubs: usize,
    /// The day to measure staleness from (YYYY-MM-DD); default today in Japan
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

/// `yorisoi refer`.
#[derive(Debug, clap::Args)]
pub struct ReferArgs {
    /// The situation in plain words
    pub situation: String,
    #[arg(long)]
    pub municipality: Option<String>,
    #[arg(long)]
    pub age: Option<u8>,
    /// The person's gender (female or male), for places that are for one
    #[arg(long, value_parser = parse_gender)]
    pub gender: Option<yorisoi_core::Gender>,
    /// The household in words (ひとり親, 高齢の夫婦)
    #[arg(long)]
    pub household: Option<String>,
    /// The worker's own window or organization (id), to prefer places it already reaches
    #[arg(long)]
    pub from: Option<String>,
    /// The one asking is the person's family (places taking only the person come last)
    #[arg(long, conflicts_with = "by_professional")]
    pub by_family: bool,
    /// The one asking is a professional for the person: a care manager, a 民生委員,
    /// another window (places that take only the person or family come last)
    #[arg(long)]
    pub by_professional: bool,
    /// Only places open now (places whose hours are not published stay, marked)
    #[arg(long, conflicts_with = "at")]
    pub open_now: bool,
    /// Only places open at this Japan-time moment (2026-12-12T14:30)
    #[arg(long, value_parser = crate::search_command::parse_moment)]
    pub at: Option<chrono::NaiveDateTime>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

fn parse_gender(text: &str) -> Result<yorisoi_core::Gender, String> {
    yorisoi_core::Gender::from_code(text).ok_or_else(|| format!("`{text}`: say female or male (女性 or 男性)"))
}

fn need_code(directory: &Directory, text: &str) -> anyhow::Result<Id> {
    Ok(directory.find_need(text)?)
}

fn node_id(graph: &ReferralGraph, text: &str) -> anyhow::Result<Id> {
    let id = Id::parse(text).with_context(|| format!("`{text}` is not an id"))?;
    graph.node(&id).with_context(|| format!("unknown organization or resource `{text}`"))?;
    Ok(id)
}

fn path_json(graph: &ReferralGraph, path: &Path) -> serde_json::Value {
    let name = |id: &Id| graph.node(id).map(|n| n.name.clone());
    json!({
        "target": path.target.as_str(),
        "targetName": path.target_name,
        "hops": path.hops.iter().map(|h| json!({
            "from": h.from.as_str(), "fromName": name(&h.from),
            "to": h.to.as_str(), "toName": name(&h.to),
            "kind": h.kind.code(),
            "referral": h.referral.as_ref().map(Id::as_str),
            "conditions": h.conditions.text,
            "documents": h.conditions.documents,
            "note": h.note,
        })).collect::<Vec<_>>(),
    })
}

fn print_path(graph: &ReferralGraph, path: &Path) {
    let name = |id: &Id| graph.node(id).map_or_else(|| id.to_string(), |n| n.name.clone());
    say!("{}（{}ステップ）", path.target_name, path.hops.len());
    for hop in &path.hops {
        let mut line = format!("    {} →[{}]→ {}", name(&hop.from), hop.kind.code(), name(&hop.to));
        if let Some(text) = &hop.conditions.text {
            line.push_str(&format!("  条件: {text}"));
        }
        if !hop.conditions.documents.is_empty() {
            line.push_str(&format!("  書類: {}", hop.conditions.documents.join("・")));
        }
        say!("{line}");
    }
}

pub fn paths(directory: &Directory, args: &PathsArgs) -> anyhow::Result<()> {
    let graph = ReferralGraph::new(directory);
    let mut query = PathQuery::new(node_id(&graph, &args.from)?, need_code(directory, &args.need)?);
    query.municipality = args.municipality.as_deref().map(|m| resolve_municipality(directory, m)).transpose()?;
    query.max_hops = args.max_hops;
    query.person = Some(Person { age: args.age, residence: query.municipality });
    let found = graph.paths(&query)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found.iter().map(|p| path_json(&graph, p)).collect::<Vec<_>>())?);
    } else if found.is_empty() {
        say!("{}ステップ以内に「{}」に対応する場所は見つかりません", args.max_hops, graph.need_label(&query.need));
    } else {
        for (rank, path) in found.iter().enumerate() {
            print!("{:>2}. ", rank + 1);
            print_path(&graph, path);
        }
    }
    Ok(())
}

pub fn audit(directory: &Directory, args: &AuditArgs) -> anyhow::Result<()> {
    let graph = ReferralGraph::new(directory);
    let mut options = AuditOptions::new(args.today.unwrap_or_else(|| now_in_japan().date()));
    options.municipality = args.municipality.as_deref().map(|m| resolve_municipality(directory, m)).transpose()?;
    options.stale_months = args.stale_months;
    options.hubs = args.hubs;
    let report = graph.audit(&options);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&audit_json(&report))?);
        return Ok(());
    }
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &report.findings {
        *by_code.entry(finding.code.code()).or_default() += 1;
    }
    say!("{} findings: {by_code:?}", report.findings.len());
    for finding in &report.findings {
        say!("[{}] {} {}", finding.severity.code(), finding.code.code(), finding.message());
        say!("    → {}", finding.suggestion());
    }
    Ok(())
}

fn audit_json(report: &Audit) -> serde_json::Value {
    json!({
        "findings": report.findings.iter().map(|f| json!({
            "code": f.code.code(),
            "severity": f.severity.code(),
            "need": f.need().map(Id::as_str),
            "records": f.records().iter().map(Id::as_str).collect::<Vec<_>>(),
            "message": f.message(),
            "suggestion": f.suggestion(),
        })).collect::<Vec<_>>(),
        "coverage": {
            "municipalities": report.coverage.municipalities.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "needs": report.coverage.needs.iter().map(Id::as_str).collect::<Vec<_>>(),
            "counts": report.coverage.counts,
        },
    })
}

pub fn refer(directory: &Directory, index: &SearchIndex, args: &ReferArgs) -> anyhow::Result<()> {
    let graph = ReferralGraph::new(directory);
    let request = ReferRequest {
        situation: args.situation.clone(),
        needs: Vec::new(),
        municipality: args.municipality.as_deref().map(|m| resolve_municipality(directory, m)).transpose()?,
        age: args.age,
        gender: args.gender,
        household: args.household.clone(),
        from: args.from.as_deref().map(|f| node_id(&graph, f)).transpose()?,
        open_at: crate::search_command::open_at(args.at, args.open_now),
        asker: if args.by_family {
            yorisoi_core::Asker::Family
        } else if args.by_professional {
            yorisoi_core::Asker::Professional
        } else {
            yorisoi_core::Asker::Person
        },
        today: args.at.map(|at| at.date()),
        limit: args.limit,
    };
    let results = yorisoi_search::where_to_refer(index, &graph, &request)?;
    print_refer(directory, &graph, args, &results)
}

fn print_refer(
    directory: &Directory,
    graph: &ReferralGraph,
    args: &ReferArgs,
    results: &ReferResults,
) -> anyhow::Result<()> {
    let phone = |id: &Id| phone_of(directory, id);
    if args.json {
        let out = json!({
            "understoodNeeds": results.understood.needs.iter().map(|n| json!({"code": n.code.as_str(), "label": n.label})).collect::<Vec<_>>(),
            "suggestions": results.suggestions.iter().map(|s| json!({
                "id": s.hit.id.as_str(),
                "name": s.hit.name,
                "reason": s.hit.reason,
                "matchedNeeds": s.hit.matched_needs.iter().map(Id::as_str).collect::<Vec<_>>(),
                "phone": phone(&s.hit.id),
                "path": s.path.as_ref().map(|p| path_json(graph, p)),
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if !results.understood.needs.is_empty() {
        let labels: Vec<&str> = results.understood.needs.iter().map(|n| n.label.as_str()).collect();
        say!("困りごと: {} と理解しました", labels.join("・"));
    }
    for (rank, s) in results.suggestions.iter().enumerate() {
        say!("{:>2}. {}", rank + 1, s.hit.name);
        say!("    {}", s.hit.reason);
        if let Some(phone) = phone(&s.hit.id) {
            say!("    電話: {phone}");
        }
    }
    Ok(())
}
