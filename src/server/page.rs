//! The frontline page at `/` (「この人を、どこにつなげばいい？」) and the referral sheet
//! at `/sheet` (つなぎシート): Japanese, server-rendered HTML that works without
//! JavaScript, at 360 px, by keyboard and on paper, with no asset from elsewhere. Every
//! state is in the URL; the data comes through the GraphQL schema, executed in process,
//! so other apps can do everything the page does. Nothing about the person is stored.

use std::fmt::Write as _;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::html::{escape, page_shell, qr_svg};

/// What the page was asked, read from the URL.
#[derive(Debug, Default, Clone)]
pub struct PageState {
    /// The situation or a name (「どんなことでお困りですか」).
    pub q: String,
    /// Municipality name or code.
    pub m: String,
    pub age: Option<u8>,
    /// 「今あいている」.
    pub now: bool,
    /// A Japan-time moment, as an `<input type=datetime-local>` sends it.
    pub at: String,
    /// The needs the worker settled on, replacing what the text was understood to say
    /// (after removing or adding a chip); `chosen` says they did.
    pub needs: Vec<String>,
    pub chosen: bool,
    pub kind: String,
    pub free: bool,
    /// Places picked for the referral sheet (steward's ids).
    pub picks: Vec<String>,
    /// The worker's own window (私の窓口, steward's id): each place then shows how that
    /// window reaches it.
    pub from: String,
}

impl PageState {
    pub fn from_query(query: Option<&str>) -> Self {
        let mut state = PageState::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "q" => state.q = value.chars().take(yorisoi_graphql::MAX_TEXT_CHARS).collect(),
                "m" => state.m = value,
                "age" => state.age = value.parse().ok(),
                "now" => state.now = value == "1",
                "at" => state.at = value,
                "need" if !value.is_empty() && !state.needs.contains(&value) => state.needs.push(value),
                "chosen" => state.chosen = value == "1",
                "kind" => state.kind = value,
                "free" => state.free = value == "1",
                "pick" if !value.is_empty() && !state.picks.contains(&value) => state.picks.push(value),
                "from" => state.from = value,
                _ => {}
            }
        }
        state
    }

    /// This state as a URL query (what a link or the share URL carries).
    pub fn to_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        let pairs = [
            ("q", self.q.as_str()),
            ("m", self.m.as_str()),
            ("at", self.at.as_str()),
            ("kind", self.kind.as_str()),
            ("from", self.from.as_str()),
        ];
        for (key, value) in pairs {
            if !value.is_empty() {
                out.append_pair(key, value);
            }
        }
        if let Some(age) = self.age {
            out.append_pair("age", &age.to_string());
        }
        for (key, on) in [("now", self.now), ("free", self.free), ("chosen", self.chosen)] {
            if on {
                out.append_pair(key, "1");
            }
        }
        for need in &self.needs {
            out.append_pair("need", need);
        }
        for pick in &self.picks {
            out.append_pair("pick", pick);
        }
        out.finish()
    }

    /// The moment places must be open at, when asked: now (Japan time) or the given one.
    fn open_at(&self) -> Option<String> {
        if self.now {
            return Some(yorisoi_core::japan_time(chrono::Utc::now()).format("%Y-%m-%dT%H:%M:00").to_string());
        }
        chrono::NaiveDateTime::parse_from_str(&self.at, "%Y-%m-%dT%H:%M")
            .ok()
            .map(|at| at.format("%Y-%m-%dT%H:%M:00").to_string())
    }
}

/// The GraphQL the page runs: the vocabularies for the pickers and the search.
const PAGE_QUERY: &str = r#"
query Page($q: String!, $m: String, $age: Int, $at: NaiveDateTime, $about: [String!], $kinds: [String!],
           $free: Boolean, $search: Boolean!, $moment: NaiveDateTime!, $from: String, $local: Boolean!) {
  needs { code label }
  kinds { code label }
  municipalities { code name }
  sources { key title licence }
  windows: resources(municipality: $m, first: 100) @include(if: $local) { nodes { key name kind { entryWindow } } }
  search(query: $q, municipality: $m, age: $age, openAt: $at, about: $about, kinds: $kinds, free: $free,
         from: $from, first: 20) @include(if: $search) {
    detectedNeeds { code label matched }
    nodes {
      reason snippet matchedNeeds ineligible chain { fromName toName kind }
      resource { ...Place openAt(at: $moment) }
    }
  }
}
"#;

/// The GraphQL the sheet runs: the needs' labels and each picked place, by its
/// steward's id (an alias a place, so an unknown id is one null, not an error).
fn sheet_query(picks: usize) -> String {
    let variables: String = (0..picks).map(|i| format!(", $k{i}: ID!")).collect();
    let places: String =
        (0..picks).map(|i| format!(" p{i}: resource(id: $k{i}) {{ ...Place openAt(at: $moment) }}")).collect();
    format!(
        "query Sheet($moment: NaiveDateTime!{variables}) {{ needs {{ code label }} sources {{ key title licence }}{places} }}\n{PLACE_FRAGMENT}"
    )
}

const PLACE_FRAGMENT: &str = r#"
fragment Place on Resource {
  key name kind { label } kindName description audience excludes schedule howToApply bring cost free asOf
  contacts { name phone hours url }
  locations { name address online }
  operators { name }
  provenance { source verified }
}
"#;

/// The most places a sheet holds (one A4 page).
const MAX_PICKS: usize = 8;

/// Runs `query` against the schema as an anonymous caller, like any other app.
async fn run(state: &AppState, query: &str, variables: Value) -> Result<Value, String> {
    run_as(state, query, variables, None).await
}

/// Runs `query` against the schema in process as `caller`, off the async workers
/// (a search or an audit is CPU work); the first error is the answer.
pub(super) async fn run_as(
    state: &AppState,
    query: &str,
    variables: Value,
    caller: Option<yorisoi_graphql::Caller>,
) -> Result<Value, String> {
    let request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
    let service = state.service.clone();
    let handle = tokio::runtime::Handle::current();
    let response = tokio::task::spawn_blocking(move || handle.block_on(service.execute(request, caller)))
        .await
        .map_err(|e| e.to_string())?;
    if let Some(error) = response.errors.first() {
        return Err(error.message.clone());
    }
    serde_json::to_value(response.data).map_err(|e| e.to_string())
}

fn moment() -> String {
    yorisoi_core::japan_time(chrono::Utc::now()).format("%Y-%m-%dT%H:%M:00").to_string()
}

/// GET /: the worker's page.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let mut asked = PageState::from_query(query.as_deref());
    // The municipality chosen last time, when this visit names none (「地域」 is remembered).
    let remembered = query.as_deref().is_none_or(|q| !q.split('&').any(|pair| pair.starts_with("m=")));
    if remembered && let Some(m) = remembered_municipality(&headers) {
        asked.m = m;
    }
    let searching = !asked.q.is_empty() || asked.chosen || !asked.kind.is_empty();
    let variables = json!({
        "q": asked.q,
        "m": (!asked.m.is_empty()).then_some(&asked.m),
        "age": asked.age,
        "at": asked.open_at(),
        "about": asked.chosen.then_some(&asked.needs),
        "kinds": (!asked.kind.is_empty()).then(|| vec![&asked.kind]),
        "free": asked.free.then_some(true),
        "from": (!asked.from.is_empty()).then_some(&asked.from),
        "local": !asked.m.is_empty(),
        "search": searching,
        "moment": asked.open_at().unwrap_or_else(moment),
    });
    let query = format!("{PAGE_QUERY}{PLACE_FRAGMENT}");
    let (data, problem) = match run(&state, &query, variables).await {
        Ok(data) => (data, None),
        Err(message) => {
            // A bad municipality or moment says so on the page; the pickers still work.
            let fallback = json!({ "q": "", "search": false, "local": false, "moment": moment() });
            (run(&state, &query, fallback).await.unwrap_or(Value::Null), Some(message))
        }
    };
    let mut data = data;
    name_sources(&mut data);
    let body = render_page(&asked, &data, problem.as_deref());
    let mut response = Html(page_shell("どこにつなぐ？ — よりそい", &body)).into_response();
    // The municipality is remembered for the next visit (a setting, not about a person).
    // Choosing （全地域） forgets it.
    let cookie = if asked.m.is_empty() && !remembered {
        Some("yorisoi_m=; Path=/; Max-Age=0; SameSite=Lax".to_owned())
    } else {
        (!asked.m.is_empty())
            .then(|| format!("yorisoi_m={}; Path=/; Max-Age=31536000; SameSite=Lax", urlencode(&asked.m)))
    };
    if let Some(cookie) = cookie
        && let Ok(value) = header::HeaderValue::from_str(&cookie)
    {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The municipality a `yorisoi_m` cookie remembers.
fn remembered_municipality(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    cookies.flat_map(|line| line.split(';')).find_map(|pair| {
        let value = pair.trim().strip_prefix("yorisoi_m=")?;
        let decoded: String =
            form_urlencoded::parse(format!("m={value}").as_bytes()).map(|(_, v)| v.into_owned()).next()?;
        (!decoded.is_empty() && decoded.chars().count() <= 40).then_some(decoded)
    })
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn render_page(asked: &PageState, data: &Value, problem: Option<&str>) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<header><h1>この人を、どこにつなげばいい？</h1></header>
<main>
<form method="get" action="/" class="ask" role="search">
<label for="q">どんなことでお困りですか</label>
<textarea id="q" name="q" rows="3" placeholder="例：親が80代で、50代の息子がずっと家にいる">{q}</textarea>
<div class="row">
<label>地域 <select name="m"><option value="">（全地域）</option>{municipalities}</select></label>
<label>年齢 <input type="number" name="age" min="0" max="120" inputmode="numeric" value="{age}"></label>
</div>{windows}
<div class="row">
<label><input type="checkbox" name="now" value="1"{now}> 今あいている</label>
<label>日時 <input type="datetime-local" name="at" value="{at}"></label>
</div>
<div class="row">
<label>種類 <select name="kind"><option value="">（すべて）</option>{kinds}</select></label>
<label><input type="checkbox" name="free" value="1"{free}> 無料のみ</label>
</div>
{kept}<button type="submit">さがす</button>
</form>
"#,
        q = escape(&asked.q),
        municipalities = options(list(data, "municipalities"), "name", "name", &asked.m),
        age = asked.age.map(|a| a.to_string()).unwrap_or_default(),
        now = if asked.now { " checked" } else { "" },
        at = escape(&asked.at),
        kinds = options(list(data, "kinds"), "code", "label", &asked.kind),
        windows = window_picker(data, &asked.from),
        free = if asked.free { " checked" } else { "" },
        kept = kept_needs(asked),
    );
    if let Some(problem) = problem {
        let _ = write!(html, r#"<p class="problem" role="alert">{}</p>"#, escape(problem));
    }
    let Some(search) = data.get("search").filter(|s| !s.is_null()) else {
        html.push_str(
            r#"<p class="hint">状況をそのまま書いてください。困りごとを読み取って、つなぎ先を探します。</p></main>"#,
        );
        return html;
    };
    html.push_str(&chips(asked, search, list(data, "needs")));
    let results = list(search, "nodes");
    let _ = write!(
        html,
        r#"<form method="get" action="/sheet" class="results"><h2>つなぎ先の候補（{}件）</h2>"#,
        results.len()
    );
    // The sheet names the needs on screen; understood ones travel as `need` without
    // `chosen`, which the page itself ignores (it understands the text again).
    let on_screen = if asked.chosen {
        asked.clone()
    } else {
        let needs = list(search, "detectedNeeds").iter().map(|n| str_of(n, "code").to_owned()).collect();
        PageState { needs, ..asked.clone() }
    };
    html.push_str(&hidden_state(&on_screen));
    if results.is_empty() {
        html.push_str(r#"<p>条件に合う場所が見つかりませんでした。地域や条件を広げてください。</p>"#);
    }
    html.push_str("<ol class=\"places\">");
    for hit in results {
        html.push_str(&render_hit(hit, asked));
    }
    html.push_str("</ol>");
    if !results.is_empty() {
        html.push_str(r#"<button type="submit">選んだ場所でつなぎシートを作る</button>"#);
    }
    html.push_str("</form></main>");
    html
}

fn options(items: &[Value], value_key: &str, label_key: &str, selected: &str) -> String {
    let mut out = String::new();
    for item in items {
        let value = str_of(item, value_key);
        let mark = if value == selected || str_of(item, "code") == selected { " selected" } else { "" };
        let _ = write!(out, r#"<option value="{}"{mark}>{}</option>"#, escape(value), escape(str_of(item, label_key)));
    }
    out
}

/// The needs the worker settled on, carried by a new search from the form.
fn kept_needs(asked: &PageState) -> String {
    if !asked.chosen {
        return String::new();
    }
    let mut out = String::from(r#"<input type="hidden" name="chosen" value="1">"#);
    for need in &asked.needs {
        let _ = write!(out, r#"<input type="hidden" name="need" value="{}">"#, escape(need));
    }
    out
}

fn hidden_state(asked: &PageState) -> String {
    let mut out = String::new();
    for (key, value) in form_urlencoded::parse(asked.to_query().as_bytes()) {
        if key != "pick" {
            let _ = write!(out, r#"<input type="hidden" name="{}" value="{}">"#, escape(&key), escape(&value));
        }
    }
    out
}

/// The needs understood (or chosen), each with the words that said so and a link that
/// removes it; and a picker to add one.
fn chips(asked: &PageState, search: &Value, needs: &[Value]) -> String {
    let detected = list(search, "detectedNeeds");
    let label = |code: &str| -> String {
        needs.iter().find(|n| str_of(n, "code") == code).map_or(code, |n| str_of(n, "label")).to_owned()
    };
    let current: Vec<String> = if asked.chosen {
        asked.needs.clone()
    } else {
        detected.iter().map(|n| str_of(n, "code").to_owned()).collect()
    };
    let mut out = String::from(
        r#"<section class="understood" aria-label="読み取った困りごと"><h2>読み取った困りごと</h2><ul class="chips">"#,
    );
    if current.is_empty() {
        out.push_str("<li>（読み取れませんでした。下から選べます）</li>");
    }
    for code in &current {
        let words = detected.iter().find(|n| str_of(n, "code") == code).map(|n| str_of(n, "matched")).unwrap_or("");
        let without = PageState {
            needs: current.iter().filter(|c| *c != code).cloned().collect(),
            chosen: true,
            picks: Vec::new(),
            ..asked.clone()
        };
        let because = if words.is_empty() {
            String::new()
        } else {
            format!(r#"<span class="words">「{}」</span>"#, escape(words))
        };
        let _ = write!(
            out,
            r#"<li class="chip">{}{because} <a href="/?{}" aria-label="{}を外す">×</a></li>"#,
            escape(&label(code)),
            escape(&without.to_query()),
            escape(&label(code)),
        );
    }
    out.push_str("</ul>");
    let _ =
        write!(out, r#"<form method="get" action="/" class="add">{}<input type="hidden" name="chosen" value="1">"#, {
            let base = PageState { needs: Vec::new(), chosen: false, picks: Vec::new(), ..asked.clone() };
            hidden_state(&base)
        });
    for code in &current {
        let _ = write!(out, r#"<input type="hidden" name="need" value="{}">"#, escape(code));
    }
    out.push_str(r#"<label>困りごとを足す <select name="need"><option value="">（選ぶ）</option>"#);
    for need in needs.iter().filter(|n| !current.iter().any(|c| c == str_of(n, "code"))) {
        let _ = write!(
            out,
            r#"<option value="{}">{}</option>"#,
            escape(str_of(need, "code")),
            escape(str_of(need, "label"))
        );
    }
    out.push_str(r#"</select></label> <button type="submit">足す</button></form></section>"#);
    out
}

fn open_mark(resource: &Value) -> &'static str {
    match str_of(resource, "openAt") {
        "OPEN" => r#"<span class="open">あいている</span>"#,
        "CLOSED" => r#"<span class="closed">時間外</span>"#,
        _ => r#"<span class="unknown">開所は要確認</span>"#,
    }
}

/// 「私の窓口」: the entry windows of the chosen municipality, when one is chosen.
fn window_picker(data: &Value, chosen: &str) -> String {
    let windows: Vec<&Value> = data
        .get("windows")
        .map(|w| list(w, "nodes"))
        .unwrap_or(&[])
        .iter()
        .filter(|w| w.get("kind").and_then(|k| k.get("entryWindow")).and_then(Value::as_bool) == Some(true))
        .collect();
    if windows.is_empty() {
        return String::new();
    }
    let options: String = windows
        .iter()
        .map(|w| {
            let key = str_of(w, "key");
            let selected = if key == chosen { " selected" } else { "" };
            format!(r#"<option value="{}"{selected}>{}</option>"#, escape(key), escape(str_of(w, "name")))
        })
        .collect();
    format!(
        "\n<div class=\"row\"><label>私の窓口 <select name=\"from\"><option value=\"\">（選ばない）</option>{options}</select></label></div>"
    )
}

/// How the worker's own window reaches a place, in words.
fn chain(hops: &Value) -> String {
    let Some(hops) = hops.as_array() else {
        return r#"<p class="chain">私の窓口から：登録されたつなぎはありません</p>"#.to_owned();
    };
    let Some(first) = hops.first() else {
        return r#"<p class="chain">ここが私の窓口です</p>"#.to_owned();
    };
    let mut words = escape(str_of(first, "fromName"));
    for hop in hops {
        let how = match str_of(hop, "kind") {
            "refers_to" => "紹介",
            "escalates_to" => "専門機関へ",
            "consults" => "相談",
            "partners_with" => "連携",
            "member_of" | "part_of" => "同じ組織・ネットワーク",
            "operated_by" => "運営",
            _ => "つなぎ",
        };
        let _ = write!(words, " →（{how}）{}", escape(str_of(hop, "toName")));
    }
    format!(r#"<p class="chain">私の窓口から：{words}</p>"#)
}

/// One place: what a worker needs to send the person there.
fn render_hit(hit: &Value, asked: &PageState) -> String {
    let resource = hit.get("resource").unwrap_or(&Value::Null);
    let key = str_of(resource, "key");
    let picked = if asked.picks.iter().any(|p| p == key) { " checked" } else { "" };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<li class="place"><h3><label><input type="checkbox" name="pick" value="{key}"{picked}> {name}</label></h3>
<p class="kind">{kind} {open}</p><p class="reason">{reason}</p>"#,
        key = escape(key),
        name = escape(str_of(resource, "name")),
        kind = escape(str_of(resource, "kindName")),
        open = open_mark(resource),
        reason = escape(str_of(hit, "reason")),
    );
    if !asked.from.is_empty() {
        out.push_str(&chain(hit.get("chain").unwrap_or(&Value::Null)));
    }
    for why in list(hit, "ineligible") {
        let _ = write!(out, r#"<p class="ineligible">対象外の可能性：{}</p>"#, escape(why.as_str().unwrap_or("")));
    }
    let snippet = str_of(hit, "snippet");
    if !snippet.is_empty() {
        let _ = write!(out, r#"<p class="snippet">{}</p>"#, escape(snippet));
    }
    out.push_str(&place_facts(resource));
    out.push_str("</li>");
    out
}

/// Gives every provenance entry in `data` its source's title and licence, from the
/// query's `sources`: a worker reads 「江東区孤独・孤立対策連携プラットフォーム資料」, not an
/// id, and data published under CC BY shows the attribution its licence asks.
fn name_sources(data: &mut Value) {
    let named: std::collections::HashMap<String, (Value, Value)> = list(data, "sources")
        .iter()
        .map(|s| (str_of(s, "key").to_owned(), (s["title"].clone(), s["licence"].clone())))
        .collect();
    fn walk(value: &mut Value, named: &std::collections::HashMap<String, (Value, Value)>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(entries)) = map.get_mut("provenance") {
                    for entry in entries.iter_mut() {
                        let key = entry.get("source").and_then(Value::as_str).unwrap_or_default().to_owned();
                        if let (Some((title, licence)), Value::Object(entry)) = (named.get(&key), entry) {
                            entry.insert("title".into(), title.clone());
                            entry.insert("licence".into(), licence.clone());
                        }
                    }
                }
                for (key, child) in map.iter_mut() {
                    if key != "provenance" && key != "sources" {
                        walk(child, named);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| walk(item, named)),
            _ => {}
        }
    }
    walk(data, &named);
}

/// The facts of a place, for the page and the sheet: hours, phones, where, how to
/// apply, what to bring, who it is for, who runs it, and its source.
fn place_facts(resource: &Value) -> String {
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(schedule) = resource.get("schedule").and_then(Value::as_str) {
        rows.push(("日時", escape(schedule)));
    }
    for contact in list(resource, "contacts") {
        let mut line = String::new();
        let name = str_of(contact, "name");
        if !name.is_empty() {
            let _ = write!(line, "{} ", escape(name));
        }
        let phone = str_of(contact, "phone");
        if !phone.is_empty() {
            let tel: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            let _ = write!(line, r#"<a href="tel:{}">{}</a>"#, escape(&tel), escape(phone));
        }
        let hours = str_of(contact, "hours");
        if !hours.is_empty() {
            let _ = write!(line, "（{}）", escape(hours));
        }
        let url = str_of(contact, "url");
        if !url.is_empty() {
            let _ = write!(line, r#" <a href="{0}" rel="noopener">{0}</a>"#, escape(url));
        }
        if !line.is_empty() {
            rows.push(("連絡先", line));
        }
    }
    for location in list(resource, "locations") {
        let place: Vec<&str> =
            [str_of(location, "name"), str_of(location, "address")].into_iter().filter(|s| !s.is_empty()).collect();
        if location.get("online").and_then(Value::as_bool) == Some(true) {
            rows.push(("場所", "オンライン".to_owned()));
        } else if !place.is_empty() {
            rows.push(("場所", escape(&place.join(" "))));
        }
    }
    if let Some(how) = resource.get("howToApply").and_then(Value::as_str) {
        rows.push(("申込み", escape(how)));
    }
    let bring: Vec<&str> = list(resource, "bring").iter().filter_map(Value::as_str).collect();
    if !bring.is_empty() {
        rows.push(("持ち物", escape(&bring.join("、"))));
    }
    if let Some(audience) = resource.get("audience").and_then(Value::as_str) {
        rows.push(("対象", escape(audience)));
    }
    let excludes: Vec<&str> = list(resource, "excludes").iter().filter_map(Value::as_str).collect();
    if !excludes.is_empty() {
        rows.push(("対象外", escape(&excludes.join("、"))));
    }
    match (resource.get("free").and_then(Value::as_bool), resource.get("cost").and_then(Value::as_str)) {
        (_, Some(cost)) => rows.push(("費用", escape(cost))),
        (Some(true), None) => rows.push(("費用", "無料".to_owned())),
        _ => {}
    }
    let operators: Vec<&str> = list(resource, "operators").iter().map(|o| str_of(o, "name")).collect();
    if !operators.is_empty() {
        rows.push(("運営", escape(&operators.join("、"))));
    }
    let sources: Vec<String> = list(resource, "provenance")
        .iter()
        .map(|p| {
            let title = p.get("title").and_then(Value::as_str).unwrap_or_else(|| str_of(p, "source"));
            let licence = p.get("licence").and_then(Value::as_str).map(|l| format!("・{l}")).unwrap_or_default();
            format!("{title}（{}確認{licence}）", str_of(p, "verified"))
        })
        .collect();
    if !sources.is_empty() {
        let as_of = resource.get("asOf").and_then(Value::as_str).map(|d| format!("／{d}時点")).unwrap_or_default();
        rows.push(("出典", escape(&format!("{}{as_of}", sources.join("、")))));
    }
    let mut out = String::from("<dl class=\"facts\">");
    for (term, detail) in rows {
        let _ = write!(out, "<dt>{term}</dt><dd>{detail}</dd>");
    }
    out.push_str("</dl>");
    out
}

/// GET /sheet: the referral sheet for the picked places, laid out for one A4 page, with
/// a QR code per place so the person can call from their phone.
pub async fn sheet(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let asked = PageState::from_query(query.as_deref());
    let picks: Vec<&String> = asked.picks.iter().take(MAX_PICKS).collect();
    let mut variables = serde_json::Map::new();
    variables.insert("moment".into(), json!(moment()));
    for (i, key) in picks.iter().enumerate() {
        variables.insert(format!("k{i}"), json!(key));
    }
    let mut data = run(&state, &sheet_query(picks.len()), Value::Object(variables)).await.unwrap_or(Value::Null);
    name_sources(&mut data);
    let found: Vec<Value> =
        (0..picks.len()).filter_map(|i| data.get(format!("p{i}")).filter(|p| !p.is_null()).cloned()).collect();
    let back = PageState { picks: asked.picks.clone(), ..asked.clone() };
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<header class="sheet-head"><h1>つなぎシート</h1><p class="no-print"><a href="/?{}">← 検索にもどる</a>（このページを印刷してお渡しください）</p></header><main class="sheet">"#,
        escape(&back.to_query())
    );
    if !asked.needs.is_empty() || !asked.q.is_empty() {
        let labels: Vec<String> = asked
            .needs
            .iter()
            .map(|code| {
                list(&data, "needs")
                    .iter()
                    .find(|n| str_of(n, "code") == code)
                    .map_or(code.clone(), |n| str_of(n, "label").to_owned())
            })
            .collect();
        if !labels.is_empty() {
            let _ = write!(body, r#"<p class="needs">困りごと：{}</p>"#, escape(&labels.join("・")));
        }
    }
    let places = &found;
    if places.is_empty() {
        body.push_str("<p>場所が選ばれていません。検索結果のチェックボックスで選んでください。</p>");
    }
    for place in places {
        let phone = list(place, "contacts").iter().map(|c| str_of(c, "phone")).find(|p| !p.is_empty());
        let url = list(place, "contacts").iter().map(|c| str_of(c, "url")).find(|u| !u.is_empty());
        let target = phone
            .map(|p| format!("tel:{}", p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>()))
            .or_else(|| url.map(str::to_owned));
        let qr = target.as_deref().map(qr_svg).unwrap_or_default();
        let _ = write!(
            body,
            r#"<section class="sheet-place"><div class="qr">{qr}</div><div><h2>{}</h2><p class="kind">{}</p>{}</div></section>"#,
            escape(str_of(place, "name")),
            escape(str_of(place, "kindName")),
            place_facts(place),
        );
    }
    body.push_str("</main>");
    Html(page_shell("つなぎシート — よりそい", &body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_holds_the_whole_state_and_gives_it_back() {
        let state = PageState {
            q: "母80代 息子50代 & 閉じこもり".into(),
            m: "江東区".into(),
            age: Some(82),
            now: true,
            at: String::new(),
            needs: vec!["8050".into(), "food".into()],
            chosen: true,
            kind: "community-support-center".into(),
            free: true,
            picks: vec!["koto-shakyo-window".into()],
            from: "koto-choju-oen-window".into(),
        };
        let again = PageState::from_query(Some(&state.to_query()));
        assert_eq!(format!("{again:?}"), format!("{state:?}"));
        // Repeats and blanks do not pile up; an unreadable age is no age.
        let odd = PageState::from_query(Some("need=food&need=food&need=&age=abc&pick=a&pick=a"));
        assert_eq!((odd.needs.len(), odd.age, odd.picks.len()), (1, None, 1));
    }

    #[test]
    fn a_place_shows_its_phone_as_a_link_and_its_source() {
        let place = json!({
            "name": "テストの窓口", "schedule": "月～金 9:00～17:00", "howToApply": "電話で予約",
            "bring": ["保険証", "印鑑"], "audience": "区内在住の方", "excludes": ["生活保護を受けている方"],
            "free": true, "cost": null, "asOf": "2025-06-01",
            "contacts": [{ "name": "相談係", "phone": "03-1234-5678", "hours": "平日", "url": null }],
            "locations": [{ "name": "区役所", "address": "東京都江東区東陽4-11-28", "online": false }],
            "operators": [{ "name": "江東区" }],
            "provenance": [{ "source": "koto-list", "verified": "2026-11-22" }]
        });
        let html = place_facts(&place);
        assert!(html.contains(r#"<a href="tel:0312345678">03-1234-5678</a>"#), "{html}");
        for part in [
            "保険証、印鑑",
            "電話で予約",
            "生活保護を受けている方",
            "無料",
            "江東区",
            "koto-list（2026-11-22確認）／2025-06-01時点",
        ] {
            assert!(html.contains(part), "{part} missing: {html}");
        }
        // Sources by their titles, with the licence's attribution where there is one.
        let mut data = json!({
            "sources": [
                { "key": "koto-list", "title": "江東区の相談窓口一覧", "licence": null },
                { "key": "od-koto", "title": "江東区 介護サービス事業所一覧", "licence": "CC BY 4.0（出典：東京都江東区「介護サービス事業所一覧」）" }
            ],
            "search": { "nodes": [{ "resource": {
                "provenance": [{ "source": "koto-list", "verified": "2026-11-22" }, { "source": "od-koto", "verified": "2026-12-03" }]
            } }] }
        });
        name_sources(&mut data);
        let named = place_facts(&data["search"]["nodes"][0]["resource"]);
        assert!(named.contains("江東区の相談窓口一覧（2026-11-22確認）"), "{named}");
        assert!(
            named.contains("江東区 介護サービス事業所一覧（2026-12-03確認・CC BY 4.0（出典：東京都江東区「介護サービス事業所一覧」））"),
            "{named}"
        );
        // Text from the directory cannot become markup.
        let hostile = place_facts(&json!({ "audience": "<script>alert(1)</script>" }));
        assert!(!hostile.contains("<script>") && hostile.contains("&lt;script&gt;"), "{hostile}");
    }
}
