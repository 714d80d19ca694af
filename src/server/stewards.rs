//! The stewards' view (管理者ビュー) behind a token: the audit's findings with links to
//! the records, the coverage of municipality × need as a heat map, the change log, and
//! a record's page with its provenance and its referrals in and out. Like the worker's
//! page it is server-rendered HTML fed by the GraphQL schema, run in process as the
//! token's caller, so another app can show all of it too.

use std::fmt::Write as _;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use yorisoi_graphql::Caller;

use super::AppState;
use super::html::{document, escape};
use super::page::run_as;

/// The cookie that carries the token after a steward signs in. HttpOnly (no script
/// reads it), SameSite=Strict (no other site's page sends it), only below /stewards.
const COOKIE: &str = "yorisoi_steward";
const COOKIE_PATH: &str = "/stewards";

/// How many change-log entries the overview shows.
const RECENT: usize = 20;

/// How many findings of each kind the overview lists (the count says how many there are).
const SHOWN_PER_CODE: usize = 200;

const OVERVIEW_QUERY: &str = r#"
query Stewards($m: String, $recent: Int!, $shown: Int!) {
  municipalities { code name }
  audit(municipality: $m, first: $shown) { code severity need records message suggestion }
  auditCounts(municipality: $m) { code count }
  coverage(municipality: $m) { municipalities { code name } needs { code label } counts }
  recentChanges(first: $recent, origin: EDITS) { number at actor action recordKind recordId note }
}
"#;

const RECORD_QUERY: &str = r#"
query Record($id: ID!, $key: String!) {
  resource(id: $id) {
    key name kind { label } status description asOf needs { code label }
    operators { key name } operatingResources { key name }
    provenance { source locator verified }
    referralsOut { ...Edge } referralsIn { ...Edge }
  }
  organization(id: $id) {
    key name kindLabel parent { key } description asOf
    provenance { source locator verified }
    referralsOut { ...Edge } referralsIn { ...Edge }
  }
  referral(id: $key) { ...Edge }
  sources { key title publisher published file url }
  recentChanges(recordId: $key, first: 20) { number at actor action recordKind recordId note }
}
fragment Edge on Referral {
  key from to kind needs conditions documents state note provenance { source locator verified }
}
"#;

/// The token a request carries: the sign-in cookie, or `Authorization: Bearer` for
/// scripts and tests.
fn token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    bearer.or_else(|| {
        headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
            |pair| {
                let (name, value) = pair.trim().split_once('=')?;
                (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
            },
        )
    })
}

/// The caller a request's token names, if it names one.
fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    token(headers).and_then(|t| state.service.authenticate(&t))
}

fn the_page(title: &str, body: &str) -> String {
    document(title, ("main", "本文へ移動"), body)
}

/// The sign-in form, with why it is shown again when a token was refused.
fn sign_in(problem: Option<&str>) -> String {
    let problem = problem.map(|p| format!(r#"<p class="problem" role="alert">{}</p>"#, escape(p))).unwrap_or_default();
    the_page(
        "管理者ビュー — よりそい",
        &format!(
            r#"<header><h1>管理者ビュー</h1></header>
<main id="main">
<p>点検結果・カバー状況・変更履歴は、データ管理者と職員のトークンで見られます。トークンは <code>yorisoi token</code> で発行します。</p>
{problem}<form method="post" action="/stewards/sign-in" class="ask">
<label for="token">トークン</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">ログイン</button>
</form>
<p><a href="/">つなぎ先をさがす（窓口のページ）へ</a></p>
</main>"#
        ),
    )
}

/// GET /stewards: the overview for a signed-in steward; the sign-in form otherwise
/// (a page to fill in, so 200: a browser counts a 401 page as a failed load).
pub async fn overview(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let Some(caller) = signed_in(&state, &headers) else {
        return Html(sign_in(None)).into_response();
    };
    let m = parameter(query.as_deref(), "m").filter(|m| !m.is_empty());
    let data = match run_as(
        &state,
        OVERVIEW_QUERY,
        json!({ "m": m, "recent": RECENT, "shown": SHOWN_PER_CODE }),
        Some(caller.clone()),
    )
    .await
    {
        Ok(data) => data,
        Err(message) => return problem_page(&caller, &message),
    };
    Html(the_page("管理者ビュー — よりそい", &render_overview(&caller, m.as_deref(), &data))).into_response()
}

/// GET /stewards/record?id=…: one record, where its facts come from, its referrals.
pub async fn record(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let Some(caller) = signed_in(&state, &headers) else {
        return Html(sign_in(None)).into_response();
    };
    let Some(id) = parameter(query.as_deref(), "id").filter(|id| !id.is_empty()) else {
        return Redirect::to("/stewards").into_response();
    };
    let data = match run_as(&state, RECORD_QUERY, json!({ "id": id, "key": id }), Some(caller.clone())).await {
        Ok(data) => data,
        Err(message) => return problem_page(&caller, &message),
    };
    match render_record(&caller, &id, &data) {
        Some(body) => Html(the_page("記録 — 管理者ビュー", &body)).into_response(),
        None => {
            let body = format!(
                "{}<main id=\"main\"><p class=\"problem\" role=\"alert\">「{}」という記録はありません。</p>\
                 <p><a href=\"/stewards\">管理者ビューへ戻る</a></p></main>",
                bar(&caller),
                escape(&id)
            );
            (StatusCode::NOT_FOUND, Html(the_page("記録が見つかりません — 管理者ビュー", &body))).into_response()
        }
    }
}

/// POST /stewards/sign-in (form `token=…`): a known token is kept in the cookie and
/// the steward goes to the overview; an unknown one gets the form again, saying so.
pub async fn sign_in_post(State(state): State<AppState>, body: String) -> Response {
    let token = form_urlencoded::parse(body.as_bytes())
        .find(|(key, _)| key == "token")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    if state.service.authenticate(&token).is_none() {
        let problem = "このトークンは使えません。発行された文字列をそのまま貼り付けてください。";
        return Html(sign_in(Some(problem))).into_response();
    }
    // Tokens are URL-safe base64 (`yorisoi token`), safe as a cookie value as they are.
    let cookie = format!("{COOKIE}={token}; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=43200");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/stewards")).into_response()
}

/// POST /stewards/sign-out: forgets the cookie.
pub async fn sign_out() -> Response {
    let cookie = format!("{COOKIE}=; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/stewards")).into_response()
}

fn parameter(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes()).find(|(key, _)| key == name).map(|(_, v)| v.into_owned())
}

fn problem_page(caller: &Caller, message: &str) -> Response {
    let body = format!(
        "{}<main id=\"main\"><p class=\"problem\" role=\"alert\">{}</p><p><a href=\"/stewards\">管理者ビューへ戻る</a></p></main>",
        bar(caller),
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(the_page("管理者ビュー — よりそい", &body))).into_response()
}

/// The header every signed-in page shares: who is signed in, and signing out.
fn bar(caller: &Caller) -> String {
    format!(
        r#"<header><h1><a href="/stewards">管理者ビュー</a></h1>
<form method="post" action="/stewards/sign-out" class="signed-in"><span>{}（{}）でログイン中</span> <button type="submit">ログアウト</button></form>
</header>"#,
        escape(&caller.name),
        match caller.role {
            yorisoi_graphql::Role::Staff => "職員",
            yorisoi_graphql::Role::Steward => "データ管理者",
        }
    )
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn record_link(id: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("id", id).finish();
    format!(r#"<a href="/stewards/record?{}">{}</a>"#, escape(&query), escape(id))
}

/// What a finding's code means, in the steward's words.
fn finding_label(code: &str) -> &str {
    match code {
        "TARAIMAWASHI_CYCLE" => "たらい回しの輪",
        "DEAD_END" => "行き止まり",
        "BROKEN_FLOW" => "途切れた情報の流れ",
        "UNREACHABLE" => "どの窓口からも届かない場所",
        "COVERAGE_HOLE" => "空白（地域×困りごと）",
        "STALE" => "確認が古い記録",
        "HUB" => "つなぎが集中する場所",
        "DATES_RUNNING_OUT" => "日程の尽きる場所",
        "REFERS_TO_CLOSED_PLACE" => "終わった場所へのつなぎ",
        other => other,
    }
}

fn severity_label(severity: &str) -> &str {
    match severity {
        "error" => "要対応",
        "warning" => "注意",
        _ => "参考",
    }
}

fn render_overview(caller: &Caller, m: Option<&str>, data: &Value) -> String {
    let mut html = bar(caller);
    let options: String = list(data, "municipalities")
        .iter()
        .map(|item| {
            let name = text(item, "name");
            let selected = if Some(name) == m || Some(text(item, "code")) == m { " selected" } else { "" };
            format!(r#"<option value="{0}"{selected}>{0}</option>"#, escape(name))
        })
        .collect();
    let _ = write!(
        html,
        r##"<main id="main">
<form method="get" action="/stewards" class="row"><label>地域 <select name="m"><option value="">（全地域）</option>{options}</select></label> <button type="submit">絞り込む</button></form>
<nav aria-label="この画面の中"><a href="#findings">点検結果</a> ・ <a href="#coverage">カバー状況</a> ・ <a href="#changes">変更履歴</a></nav>
"##
    );
    html.push_str(&render_findings(list(data, "audit"), list(data, "auditCounts")));
    html.push_str(&render_coverage(data.get("coverage").unwrap_or(&Value::Null)));
    html.push_str(&render_changes(list(data, "recentChanges"), "changes", "最近の変更"));
    html.push_str("</main>");
    html
}

fn render_findings(findings: &[Value], counts: &[Value]) -> String {
    let count = |code: &str| {
        counts.iter().find(|c| text(c, "code") == code).and_then(|c| c.get("count")).and_then(Value::as_u64)
    };
    let total: u64 = counts.iter().filter_map(|c| c.get("count").and_then(Value::as_u64)).sum();
    let mut html = format!(r#"<section id="findings"><h2>点検結果（{total}件）</h2>"#);
    if findings.is_empty() {
        html.push_str("<p>見つかった問題はありません。</p>");
    }
    // Grouped by what is wrong, in the audit's order (the most serious first).
    let mut codes: Vec<&str> = Vec::new();
    for finding in findings {
        let code = text(finding, "code");
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    for code in codes {
        let group: Vec<&Value> = findings.iter().filter(|f| text(f, "code") == code).collect();
        let all = count(code).unwrap_or(group.len() as u64);
        let _ = write!(
            html,
            r#"<h3 class="finding-group">{}（{all}件） <code>{}</code></h3><ul class="findings">"#,
            escape(finding_label(code)),
            escape(code)
        );
        for finding in &group {
            let severity = text(finding, "severity");
            let records: Vec<String> =
                list(finding, "records").iter().filter_map(Value::as_str).map(record_link).collect();
            let _ = write!(
                html,
                r#"<li class="finding {severity}"><span class="severity">{}</span> {}<br><span class="suggestion">→ {}</span><br><span class="records">記録: {}</span></li>"#,
                escape(severity_label(severity)),
                escape(text(finding, "message")),
                escape(text(finding, "suggestion")),
                records.join(" → "),
                severity = escape(severity),
            );
        }
        html.push_str("</ul>");
        let more = all.saturating_sub(group.len() as u64);
        if more > 0 {
            let _ = write!(
                html,
                r#"<p class="more">ほか{more}件（先頭の{}件を表示。すべては GraphQL の <code>audit(codes: ["{}"], offset: …)</code> で）</p>"#,
                group.len(),
                escape(code)
            );
        }
    }
    html.push_str("</section>");
    html
}

/// The heat class of a count: 0 is a hole; 1, 2 and 3+ grow darker.
fn heat(count: i64) -> &'static str {
    match count {
        ..=0 => "heat-0",
        1 => "heat-1",
        2 => "heat-2",
        _ => "heat-3",
    }
}

fn render_coverage(coverage: &Value) -> String {
    let needs = list(coverage, "needs");
    let rows = list(coverage, "municipalities");
    let counts = list(coverage, "counts");
    let mut html = String::from(
        r#"<section id="coverage"><h2>カバー状況（地域 × 困りごと）</h2>
<p class="hint">数字は、その地域で受けられる実施中の場所の数（区市町村全体・都道府県全体の場所を含む）。「空白」はひとつもない組み合わせで、地域で埋めたい穴です。</p>"#,
    );
    if rows.is_empty() {
        html.push_str("<p>場所の登録された地域がありません。</p></section>");
        return html;
    }
    html.push_str(r#"<div class="heatmap" role="region" aria-label="カバー状況の表" tabindex="0"><table><thead><tr><th scope="col">地域</th>"#);
    for need in needs {
        let _ = write!(html, r#"<th scope="col">{}</th>"#, escape(text(need, "label")));
    }
    html.push_str("</tr></thead><tbody>");
    for (row, municipality) in rows.iter().enumerate() {
        let _ = write!(html, r#"<tr><th scope="row">{}</th>"#, escape(text(municipality, "name")));
        let cells = counts.get(row).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        for (column, need) in needs.iter().enumerate() {
            let count = cells.get(column).and_then(Value::as_i64).unwrap_or(0);
            let shown = if count == 0 { "空白".to_owned() } else { count.to_string() };
            let _ = write!(
                html,
                r#"<td class="{}" title="{}・{}: {}">{}</td>"#,
                heat(count),
                escape(text(municipality, "name")),
                escape(text(need, "label")),
                count,
                shown
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div></section>");
    html
}

/// What a change-log action means.
fn action_label(action: &str) -> &str {
    match action {
        "upsert_resource" => "登録・更新",
        "retire_resource" => "廃止",
        "verify_resource" => "確認",
        "add_referral" => "つなぎの追加",
        "remove_referral" => "つなぎの削除",
        other => other,
    }
}

/// A UTC moment from the change log in Japan time (2026-12-02 09:30).
fn japan(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| yorisoi_core::japan_time(t.with_timezone(&chrono::Utc)).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_owned())
}

fn render_changes(changes: &[Value], id: &str, title: &str) -> String {
    let mut html = format!(r#"<section id="{id}"><h2>{title}</h2>"#);
    if changes.is_empty() {
        html.push_str("<p>変更はまだありません（seed からの読み込みだけです）。</p></section>");
        return html;
    }
    html.push_str(r#"<table class="changes"><thead><tr><th scope="col">日時（日本時間）</th><th scope="col">担当</th><th scope="col">内容</th><th scope="col">記録</th><th scope="col">理由</th></tr></thead><tbody>"#);
    for change in changes {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&japan(text(change, "at"))),
            escape(text(change, "actor")),
            escape(action_label(text(change, "action"))),
            record_link(text(change, "recordId")),
            escape(text(change, "note"))
        );
    }
    html.push_str("</tbody></table></section>");
    html
}

fn render_provenance(items: &[Value], sources: &[Value]) -> String {
    if items.is_empty() {
        return r#"<p class="problem">出典がありません。</p>"#.to_owned();
    }
    let mut html = String::from(r#"<ul class="provenance">"#);
    for item in items {
        let key = text(item, "source");
        let source = sources.iter().find(|s| text(s, "key") == key);
        let title = source.map_or(key, |s| text(s, "title"));
        let mut line = escape(title);
        if let Some(source) = source {
            for (field, label) in [("publisher", "発行"), ("published", "発行日")] {
                if !text(source, field).is_empty() {
                    let _ = write!(line, "・{label} {}", escape(text(source, field)));
                }
            }
            if !text(source, "file").is_empty() {
                let _ = write!(line, "・資料 <code>{}</code>", escape(text(source, "file")));
            }
            let url = text(source, "url");
            if url.starts_with("https://") || url.starts_with("http://") {
                let _ = write!(line, r#"・<a href="{0}" rel="noreferrer">{0}</a>"#, escape(url));
            }
        }
        if !text(item, "locator").is_empty() {
            let _ = write!(line, "<br>箇所: {}", escape(text(item, "locator")));
        }
        let _ = write!(html, "<li>{line}<br>最終確認: {}</li>", escape(text(item, "verified")));
    }
    html.push_str("</ul>");
    html
}

fn referral_kind_label(kind: &str) -> &str {
    match kind {
        "refers_to" => "紹介する",
        "escalates_to" => "専門機関へつなぐ",
        "consults" => "相談する",
        "partners_with" => "連携",
        "member_of" => "構成員",
        "shares_information_with" => "情報提供",
        other => other,
    }
}

fn render_edges(edges: &[Value], outgoing: bool) -> String {
    let (title, empty) = if outgoing {
        ("つなぎ先（この記録から）", "この記録からのつなぎはありません。")
    } else {
        ("つなぎ元（この記録へ）", "この記録へのつなぎはありません。")
    };
    let mut html = format!("<h3>{title}（{}件）</h3>", edges.len());
    if edges.is_empty() {
        let _ = write!(html, "<p>{empty}</p>");
        return html;
    }
    html.push_str(r#"<table class="edges"><thead><tr><th scope="col">相手</th><th scope="col">種類</th><th scope="col">状態</th><th scope="col">困りごと・条件</th><th scope="col">つなぎの記録</th></tr></thead><tbody>"#);
    for edge in edges {
        let other = text(edge, if outgoing { "to" } else { "from" });
        let state = if text(edge, "state") == "working" { "機能している" } else { "機能していない" };
        let needs: Vec<&str> = list(edge, "needs").iter().filter_map(Value::as_str).collect();
        let mut about = if needs.is_empty() { "すべて".to_owned() } else { needs.join("、") };
        if !text(edge, "conditions").is_empty() {
            let _ = write!(about, "／{}", text(edge, "conditions"));
        }
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            record_link(other),
            escape(referral_kind_label(text(edge, "kind"))),
            state,
            escape(&about),
            record_link(text(edge, "key"))
        );
    }
    html.push_str("</tbody></table>");
    html
}

/// The record's page, or None when no resource, organization or referral has `id`.
fn render_record(caller: &Caller, id: &str, data: &Value) -> Option<String> {
    let sources = list(data, "sources");
    let mut html = bar(caller);
    html.push_str(r#"<main id="main">"#);
    let changes = list(data, "recentChanges");
    if let Some(record) = ["resource", "organization"].iter().find_map(|k| data.get(*k).filter(|v| !v.is_null())) {
        let is_resource = data.get("resource").is_some_and(|v| !v.is_null());
        let kind = if is_resource {
            record.get("kind").map(|k| text(k, "label")).unwrap_or("")
        } else {
            text(record, "kindLabel")
        };
        let _ = write!(
            html,
            r#"<h2>{} <span class="kind">（{}・<code>{}</code>）</span></h2><dl class="facts">"#,
            escape(text(record, "name")),
            escape(kind),
            escape(text(record, "key"))
        );
        let mut facts: Vec<(&str, String)> = Vec::new();
        if is_resource {
            let status = match text(record, "status") {
                "active" => "実施中",
                "paused" => "休止中",
                "planned" => "準備中",
                "ended" => "終了",
                other => other,
            };
            facts.push(("状態", escape(status)));
            let needs: Vec<&str> = list(record, "needs").iter().map(|n| text(n, "label")).collect();
            facts.push(("困りごと", escape(&needs.join("、"))));
            let operators: Vec<String> = list(record, "operators")
                .iter()
                .chain(list(record, "operatingResources"))
                .map(|o| record_link(text(o, "key")))
                .collect();
            if !operators.is_empty() {
                facts.push(("運営", operators.join("、")));
            }
        } else if let Some(parent) = record.get("parent").filter(|p| !p.is_null()) {
            facts.push(("上位", record_link(text(parent, "key"))));
        }
        if !text(record, "description").is_empty() {
            facts.push(("説明", escape(text(record, "description"))));
        }
        facts.push(("時点", escape(text(record, "asOf"))));
        for (label, value) in facts {
            let _ = write!(html, "<dt>{label}</dt><dd>{value}</dd>");
        }
        html.push_str("</dl><h3>出典</h3>");
        html.push_str(&render_provenance(list(record, "provenance"), sources));
        html.push_str(&render_edges(list(record, "referralsOut"), true));
        html.push_str(&render_edges(list(record, "referralsIn"), false));
        if is_resource {
            let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("pick", id).finish();
            let _ = write!(html, r#"<p><a href="/sheet?{}">この場所のつなぎシートを見る</a></p>"#, escape(&query));
        }
    } else if let Some(referral) = data.get("referral").filter(|v| !v.is_null()) {
        let _ = write!(
            html,
            r#"<h2>つなぎ <code>{}</code></h2><p>{} → {}（{}）</p>"#,
            escape(text(referral, "key")),
            record_link(text(referral, "from")),
            record_link(text(referral, "to")),
            escape(referral_kind_label(text(referral, "kind")))
        );
        if !text(referral, "note").is_empty() {
            let _ = write!(html, "<p>{}</p>", escape(text(referral, "note")));
        }
        html.push_str("<h3>出典</h3>");
        html.push_str(&render_provenance(list(referral, "provenance"), sources));
    } else {
        return None;
    }
    html.push_str(&render_changes(changes, "record-changes", "この記録の変更履歴"));
    html.push_str("</main>");
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_from_the_header_or_the_sign_in_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "yorisoi_m=x; yorisoi_steward=abc-123".parse().unwrap());
        assert_eq!(token(&headers).as_deref(), Some("abc-123"));
        headers.insert(header::AUTHORIZATION, "bearer def".parse().unwrap());
        assert_eq!(token(&headers).as_deref(), Some("def"));
        assert_eq!(token(&HeaderMap::new()), None);
    }

    #[test]
    fn a_hole_in_the_coverage_says_so_in_words_not_only_in_colour() {
        let coverage = json!({
            "municipalities": [{ "code": "131083", "name": "江東区" }],
            "needs": [{ "code": "food", "label": "食の支援" }, { "code": "isolation", "label": "孤独・孤立" }],
            "counts": [[0, 3]],
        });
        let html = render_coverage(&coverage);
        assert!(html.contains(r#"<td class="heat-0" title="江東区・食の支援: 0">空白</td>"#), "{html}");
        assert!(html.contains(r#"<td class="heat-3" title="江東区・孤独・孤立: 3">3</td>"#), "{html}");
    }

    /// A national directory has far more stale records than a page can list: each
    /// group gives its whole count and says how many more there are and how to get them.
    #[test]
    fn a_group_of_findings_gives_its_whole_count_and_what_is_not_listed() {
        let finding = |code: &str, record: &str| json!({ "code": code, "severity": "info", "records": [record], "message": format!("{record} の情報は古い"), "suggestion": "確かめる" });
        let findings = [finding("STALE", "a"), finding("STALE", "b"), finding("HUB", "c")];
        let counts = [json!({ "code": "STALE", "count": 5000 }), json!({ "code": "HUB", "count": 1 })];
        let html = render_findings(&findings, &counts);
        assert!(html.contains("点検結果（5001件）"), "{html}");
        assert!(html.contains("確認が古い記録（5000件）") && html.contains("ほか4998件（先頭の2件を表示"), "{html}");
        assert!(html.contains("つなぎが集中する場所（1件）"), "{html}");
        assert_eq!(html.matches("ほか").count(), 1, "nothing more of HUB: {html}");
    }
}
