//! Japanese schedules as HSDS 3.0 schedule objects: the RRULE parts HSDS spells as
//! fields (`freq`, `byday` such as `2WE` or `-1FR`, `bymonthday`, `dtstart` with
//! `count`), `opens_at`/`closes_at`, `valid_from`/`valid_to`; what RRULE cannot say
//! (holiday closures, a weekend shift, months, counts per month or year) goes into
//! `description` in Japanese, next to the source's own wording.

use chrono::Weekday;
use serde_json::{Map, Value, json};
use yorisoi_core::{Closure, DayShift, Hours, Rule, Schedule, WeekOfMonth};

use crate::ids::uuid;

fn day(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// What no RRULE field says, in the words a worker reads.
fn notes(schedule: &Schedule) -> Vec<String> {
    let mut notes: Vec<String> = schedule.note.iter().cloned().collect();
    for closure in &schedule.closed {
        notes.push(match closure {
            Closure::NationalHolidays => "祝日は休み".to_owned(),
            Closure::YearEnd => "年末年始（12月29日〜1月3日）は休み".to_owned(),
            Closure::Period { from, to } => format!("{from}〜{to}は休み"),
        });
    }
    if !schedule.season.months.is_empty() {
        let months: Vec<String> = schedule.season.months.iter().map(|m| format!("{m}月")).collect();
        notes.push(format!("{}のみ", months.join("・")));
    }
    notes
}

fn hours(object: &mut Map<String, Value>, hours: &Hours) {
    if let Some(opens) = hours.opens {
        object.insert("opens_at".into(), json!(opens.format("%H:%M:%S").to_string()));
    }
    if let Some(closes) = hours.closes {
        object.insert("closes_at".into(), json!(closes.format("%H:%M:%S").to_string()));
    }
}

/// The HSDS schedules of a service (`owner` is the service's HSDS id): one per rule,
/// or one holding only the description when the source words it without rules.
pub fn schedules(schedule: &Schedule, owner: &str, key: &str) -> Vec<Value> {
    let notes = notes(schedule);
    let mut out = Vec::new();
    for (i, rule) in schedule.rules.iter().enumerate() {
        let mut object = Map::new();
        object.insert("id".into(), json!(uuid("schedule", &format!("{key}/{i}"))));
        object.insert("service_id".into(), json!(owner));
        let mut extra: Vec<String> = Vec::new();
        match rule {
            Rule::Weekly { days, hours: h } => {
                object.insert("freq".into(), json!("WEEKLY"));
                object.insert("byday".into(), json!(days.iter().map(|d| day(*d)).collect::<Vec<_>>().join(",")));
                hours(&mut object, h);
            }
            Rule::Monthly { weeks, days, hours: h } => {
                object.insert("freq".into(), json!("MONTHLY"));
                let byday: Vec<String> = weeks
                    .iter()
                    .flat_map(|w| {
                        let n = match w {
                            WeekOfMonth::Nth(n) => n.to_string(),
                            WeekOfMonth::Last => "-1".to_owned(),
                        };
                        days.iter().map(move |d| format!("{n}{}", day(*d)))
                    })
                    .collect();
                object.insert("byday".into(), json!(byday.join(",")));
                hours(&mut object, h);
            }
            Rule::DaysOfMonth { days, shift, hours: h } => {
                object.insert("freq".into(), json!("MONTHLY"));
                let list: Vec<String> = days.iter().map(u8::to_string).collect();
                object.insert("bymonthday".into(), json!(list.join(",")));
                match shift {
                    DayShift::Keep => {}
                    DayShift::Skip => extra.push("土日祝に当たる月は休み".to_owned()),
                    DayShift::NextWeekday => extra.push("土日祝に当たるときは翌平日".to_owned()),
                    DayShift::PreviousWeekday => extra.push("土日祝に当たるときは前の平日".to_owned()),
                }
                hours(&mut object, h);
            }
            Rule::TimesPerMonth { times, hours: h } => {
                // The dates are not published: a frequency with no day.
                object.insert("freq".into(), json!("MONTHLY"));
                extra.push(format!("毎月{times}回（日は決まっていない）"));
                hours(&mut object, h);
            }
            Rule::TimesPerYear { times, hours: h } => {
                // HSDS's freq has no YEARLY.
                extra.push(format!("年{times}回（日は決まっていない）"));
                hours(&mut object, h);
            }
            Rule::Dates { dates, hours: h } => {
                // Each listed date is its own schedule: DTSTART with COUNT=1.
                for (j, date) in dates.iter().enumerate() {
                    let mut one = Map::new();
                    one.insert("id".into(), json!(uuid("schedule", &format!("{key}/{i}/{j}"))));
                    one.insert("service_id".into(), json!(owner));
                    one.insert("dtstart".into(), json!(date.to_string()));
                    one.insert("count".into(), json!(1));
                    hours(&mut one, h);
                    finish(&mut one, schedule, &notes, &[]);
                    out.push(Value::Object(one));
                }
                continue;
            }
            Rule::HoursOnly { hours: h } => {
                extra.push("曜日は公表されていない".to_owned());
                hours(&mut object, h);
            }
        }
        finish(&mut object, schedule, &notes, &extra);
        out.push(Value::Object(object));
    }
    if schedule.rules.is_empty() && !notes.is_empty() {
        let mut object = Map::new();
        object.insert("id".into(), json!(uuid("schedule", &format!("{key}/note"))));
        object.insert("service_id".into(), json!(owner));
        finish(&mut object, schedule, &notes, &[]);
        out.push(Value::Object(object));
    }
    out
}

/// The parts every schedule of a service shares: its validity and its description.
fn finish(object: &mut Map<String, Value>, schedule: &Schedule, notes: &[String], extra: &[String]) {
    if let Some(from) = schedule.season.from {
        object.insert("valid_from".into(), json!(from.to_string()));
    }
    if let Some(until) = schedule.season.until {
        object.insert("valid_to".into(), json!(until.to_string()));
    }
    let words: Vec<&str> = notes.iter().chain(extra).map(String::as_str).collect();
    if !words.is_empty() {
        object.insert("description".into(), json!(words.join("。")));
    }
    object.insert("timezone".into(), json!(9));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn at(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn japanese_rules_become_rrule_fields_and_the_rest_is_said_in_words() {
        let hours = Hours { opens: at(13, 30), closes: at(16, 0) };
        let schedule = Schedule {
            rules: vec![
                Rule::Monthly { weeks: vec![WeekOfMonth::Nth(2), WeekOfMonth::Last], days: vec![Weekday::Wed], hours },
                Rule::DaysOfMonth { days: vec![1, 15], shift: DayShift::NextWeekday, hours },
            ],
            closed: vec![Closure::NationalHolidays],
            note: Some("第2・最終水曜 13:30〜16:00".into()),
            ..Schedule::default()
        };
        let out = schedules(&schedule, "service-uuid", "salon");
        assert_eq!(out[0]["freq"], "MONTHLY");
        assert_eq!(out[0]["byday"], "2WE,-1WE");
        assert_eq!(out[0]["opens_at"], "13:30:00");
        assert_eq!(out[0]["closes_at"], "16:00:00");
        assert_eq!(out[0]["description"], "第2・最終水曜 13:30〜16:00。祝日は休み");
        assert_eq!(out[1]["bymonthday"], "1,15");
        assert!(out[1]["description"].as_str().unwrap().ends_with("土日祝に当たるときは翌平日"));
    }
}
