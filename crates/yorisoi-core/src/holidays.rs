//! Japan's national holidays (国民の祝日), so a schedule that closes on 祝日 answers
//! "open now?" correctly.
//!
//! Rules of 国民の祝日に関する法律 as in force from 2000 (Happy Monday) on, including
//! 振替休日, 国民の休日, the 2019 enthronement days and the 2020/2021 Olympic moves.
//! Equinox days use the standard approximation valid for 1980–2099; years after the
//! law changes again need a new rule here.

use chrono::{Datelike, NaiveDate, Weekday};

/// Whether `date` is a national holiday, a substitute holiday or a 国民の休日.
pub fn is_national_holiday(date: NaiveDate) -> bool {
    if is_named_holiday(date) {
        return true;
    }
    is_substitute_holiday(date) || is_sandwiched_day(date)
}

/// 振替休日: when a holiday falls on Sunday, the next day that is not a holiday is off.
fn is_substitute_holiday(date: NaiveDate) -> bool {
    let mut day = date;
    loop {
        let Some(previous) = day.pred_opt() else { return false };
        if !is_named_holiday(previous) {
            return false;
        }
        if previous.weekday() == Weekday::Sun {
            return true;
        }
        day = previous;
    }
}

/// 国民の休日: a weekday between two holidays.
fn is_sandwiched_day(date: NaiveDate) -> bool {
    date.weekday() != Weekday::Sun
        && date.pred_opt().is_some_and(is_named_holiday)
        && date.succ_opt().is_some_and(is_named_holiday)
}

fn is_named_holiday(date: NaiveDate) -> bool {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let monday = |week: u8| nth_weekday(y, m, Weekday::Mon, week) == d;
    match (m, d) {
        (1, 1) | (2, 11) | (4, 29) | (5, 3) | (5, 4) | (5, 5) | (11, 3) | (11, 23) => true,
        (2, 23) => y >= 2020,
        (12, 23) => (1989..=2018).contains(&y),
        (5, 1) | (10, 22) => y == 2019,
        (1, _) => monday(2),
        (3, _) => d == spring_equinox(y),
        (9, _) => d == autumn_equinox(y) || monday(3),
        (7, _) => match y {
            2020 => d == 23 || d == 24,
            2021 => d == 22 || d == 23,
            _ => monday(3),
        },
        (8, _) => match y {
            2020 => d == 10,
            2021 => d == 8,
            _ => y >= 2016 && d == 11,
        },
        (10, _) => !matches!(y, 2020 | 2021) && monday(2),
        _ => false,
    }
}

/// Day of month of the `week`-th `weekday` (1-based).
fn nth_weekday(year: i32, month: u32, weekday: Weekday, week: u8) -> u32 {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, week).map_or(0, |date| date.day())
}

fn spring_equinox(year: i32) -> u32 {
    equinox(20.8431, year)
}

fn autumn_equinox(year: i32) -> u32 {
    equinox(23.2488, year)
}

fn equinox(base: f64, year: i32) -> u32 {
    let since = f64::from(year - 1980);
    // The result is a day of month (19..=24); truncation is the formula's floor.
    (base + 0.242194 * since - (since / 4.0).floor()).floor() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// 内閣府's published calendars for 2019, 2020 and 2026.
    #[test]
    fn matches_the_cabinet_office_calendars() {
        let published = [
            // 2019: enthronement year
            "2019-01-01",
            "2019-01-14",
            "2019-02-11",
            "2019-03-21",
            "2019-04-29",
            "2019-04-30",
            "2019-05-01",
            "2019-05-02",
            "2019-05-03",
            "2019-05-04",
            "2019-05-05",
            "2019-05-06",
            "2019-07-15",
            "2019-08-11",
            "2019-08-12",
            "2019-09-16",
            "2019-09-23",
            "2019-10-14",
            "2019-10-22",
            "2019-11-03",
            "2019-11-04",
            "2019-11-23",
            // 2020: Olympic moves
            "2020-01-01",
            "2020-01-13",
            "2020-02-11",
            "2020-02-23",
            "2020-02-24",
            "2020-03-20",
            "2020-04-29",
            "2020-05-03",
            "2020-05-04",
            "2020-05-05",
            "2020-05-06",
            "2020-07-23",
            "2020-07-24",
            "2020-08-10",
            "2020-09-21",
            "2020-09-22",
            "2020-11-03",
            "2020-11-23",
            // 2026: a 国民の休日 in September
            "2026-01-01",
            "2026-01-12",
            "2026-02-11",
            "2026-02-23",
            "2026-03-20",
            "2026-04-29",
            "2026-05-03",
            "2026-05-04",
            "2026-05-05",
            "2026-05-06",
            "2026-07-20",
            "2026-08-11",
            "2026-09-21",
            "2026-09-22",
            "2026-09-23",
            "2026-10-12",
            "2026-11-03",
            "2026-11-23",
        ];
        for year in [2019, 2020, 2026] {
            let mut day = date(&format!("{year}-01-01"));
            while day.year() == year {
                let expected = published.contains(&day.format("%Y-%m-%d").to_string().as_str());
                assert_eq!(is_national_holiday(day), expected, "{day}");
                day = day.succ_opt().unwrap();
            }
        }
    }
}
