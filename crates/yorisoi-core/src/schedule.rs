//! When a resource is open: weekly hours, monthly patterns (第2・第4水曜), counts per
//! month or year whose dates are not published (毎月1回, 年6回), one-off dates, and
//! closures (祝日, 年末年始).
//!
//! The answer to "open at this time?" is three-valued: the documents often say only
//! 毎月1回 or 17時まで, and a frontline worker must see "unknown, call first" rather
//! than a guess.

use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::holidays::is_national_holiday;

/// A resource's opening pattern. An empty schedule means "not stated".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Schedule {
    pub rules: Vec<Rule>,
    pub closed: Vec<Closure>,
    /// The schedule as the source words it (「月～金17時まで」), shown to workers.
    pub note: Option<String>,
}

/// Opening and closing time of a session; either may be unknown.
///
/// `closes` earlier than `opens` means the session runs past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hours {
    pub opens: Option<NaiveTime>,
    pub closes: Option<NaiveTime>,
}

/// Which week of the month: 1..=5, or the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum WeekOfMonth {
    Nth(u8),
    Last,
}

/// One recurring pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Rule {
    /// Every week on these days (月～金).
    Weekly { days: Vec<Weekday>, hours: Hours },
    /// On given weekdays of given weeks of each month (第2・第4水曜).
    Monthly { weeks: Vec<WeekOfMonth>, days: Vec<Weekday>, hours: Hours },
    /// A number of sessions a month on dates that are not published (毎月1回).
    TimesPerMonth { times: u8, hours: Hours },
    /// A number of sessions a year on dates that are not published (年6回).
    TimesPerYear { times: u16, hours: Hours },
    /// On these dates only (a lecture on 2026-03-08).
    Dates { dates: Vec<NaiveDate>, hours: Hours },
}

/// Days on which the resource is closed whatever the rules say.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Closure {
    /// 祝日, 振替休日 and 国民の休日.
    NationalHolidays,
    /// 年末年始: 29 December to 3 January, as Japanese public offices close.
    YearEnd,
    /// A period, both ends included.
    Period { from: NaiveDate, to: NaiveDate },
}

/// The answer to "is it open at this time?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Openness {
    Closed,
    /// The sources do not say enough to know; the worker should call first.
    Unknown,
    Open,
}

impl Schedule {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.closed.is_empty() && self.note.is_none()
    }

    /// Whether the resource is open at `at`, a Japan-time wall-clock moment.
    pub fn openness_at(&self, at: NaiveDateTime) -> Openness {
        if self.rules.is_empty() {
            return Openness::Unknown;
        }
        let today = at.date();
        let time = at.time();
        let mut answer = Openness::Closed;
        for rule in &self.rules {
            let hours = rule.hours();
            // A session that started yesterday and runs past midnight.
            if let (Some(yesterday), Some(closes)) = (today.pred_opt(), hours.closes)
                && hours.crosses_midnight()
                && rule.may_meet_on(yesterday)
                && !self.closed_on(yesterday)
                && time < closes
            {
                answer = answer.max(rule.certainty());
            }
            // A hand-listed set of dates says nothing about the days after its last one:
            // the list may simply not have been extended yet.
            if rule.listed_until().is_some_and(|last| today > last) {
                answer = answer.max(Openness::Unknown);
                continue;
            }
            if self.closed_on(today) || !rule.may_meet_on(today) {
                continue;
            }
            answer = answer.max(hours.openness_at(time).min(rule.certainty()));
        }
        answer
    }

    /// The last listed date when every rule is a list of dates (a schedule that runs
    /// out); None when any rule recurs or there is no rule.
    pub fn listed_until(&self) -> Option<NaiveDate> {
        let lasts: Vec<NaiveDate> = self.rules.iter().map(Rule::listed_until).collect::<Option<_>>()?;
        lasts.into_iter().max()
    }

    fn closed_on(&self, date: NaiveDate) -> bool {
        self.closed.iter().any(|closure| closure.covers(date))
    }
}

/// Japan's wall-clock time at a UTC moment (JST keeps no daylight saving).
pub fn japan_time(at: chrono::DateTime<chrono::Utc>) -> NaiveDateTime {
    (at + Duration::hours(9)).naive_utc()
}

impl Rule {
    pub fn hours(&self) -> Hours {
        match self {
            Rule::Weekly { hours, .. }
            | Rule::Monthly { hours, .. }
            | Rule::TimesPerMonth { hours, .. }
            | Rule::TimesPerYear { hours, .. }
            | Rule::Dates { hours, .. } => *hours,
        }
    }

    /// The last date of a list of dates.
    fn listed_until(&self) -> Option<NaiveDate> {
        match self {
            Rule::Dates { dates, .. } => dates.iter().max().copied(),
            _ => None,
        }
    }

    /// Whether a session may fall on `date` (certainly, for rules with known dates).
    fn may_meet_on(&self, date: NaiveDate) -> bool {
        match self {
            Rule::Weekly { days, .. } => days.contains(&date.weekday()),
            Rule::Monthly { weeks, days, .. } => {
                days.contains(&date.weekday()) && weeks.iter().any(|week| week.contains(date))
            }
            Rule::TimesPerMonth { .. } | Rule::TimesPerYear { .. } => true,
            Rule::Dates { dates, .. } => dates.contains(&date),
        }
    }

    /// The most this rule can say about a day it may meet on.
    fn certainty(&self) -> Openness {
        match self {
            Rule::TimesPerMonth { .. } | Rule::TimesPerYear { .. } => Openness::Unknown,
            _ => Openness::Open,
        }
    }
}

impl Hours {
    pub fn new(opens: Option<NaiveTime>, closes: Option<NaiveTime>) -> Self {
        Self { opens, closes }
    }

    fn crosses_midnight(&self) -> bool {
        matches!((self.opens, self.closes), (Some(opens), Some(closes)) if closes < opens)
    }

    /// Openness at `time` on a day the rule meets.
    fn openness_at(&self, time: NaiveTime) -> Openness {
        match (self.opens, self.closes) {
            (Some(opens), Some(closes)) if closes < opens => {
                if time >= opens {
                    Openness::Open
                } else {
                    Openness::Closed
                }
            }
            (Some(opens), Some(closes)) => {
                if opens <= time && time < closes {
                    Openness::Open
                } else {
                    Openness::Closed
                }
            }
            (Some(opens), None) if time < opens => Openness::Closed,
            (None, Some(closes)) if time >= closes => Openness::Closed,
            _ => Openness::Unknown,
        }
    }
}

impl WeekOfMonth {
    fn contains(self, date: NaiveDate) -> bool {
        match self {
            WeekOfMonth::Nth(n) => (date.day() - 1) / 7 + 1 == u32::from(n),
            // At the end of the calendar there is no next week: the last week it is.
            WeekOfMonth::Last => date.checked_add_days(Days::new(7)).is_none_or(|next| next.month() != date.month()),
        }
    }
}

impl Closure {
    fn covers(&self, date: NaiveDate) -> bool {
        match self {
            Closure::NationalHolidays => is_national_holiday(date),
            Closure::YearEnd => matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3)),
            Closure::Period { from, to } => *from <= date && date <= *to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Openness::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn time(text: &str) -> Option<NaiveTime> {
        Some(NaiveTime::parse_from_str(text, "%H:%M").unwrap())
    }

    fn check(schedule: &Schedule, cases: &[(&str, Openness)]) {
        for (moment, expected) in cases {
            assert_eq!(schedule.openness_at(at(moment)), *expected, "at {moment}");
        }
    }

    /// 生活クラブ社会的連帯経済コネクト機構's line (003): 「月～金17時まで」; opening time not stated.
    #[test]
    fn weekday_line_until_five() {
        let line = Schedule {
            rules: vec![Rule::Weekly {
                days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
                hours: Hours::new(None, time("17:00")),
            }],
            closed: vec![],
            note: Some("月～金17時まで".into()),
        };
        check(
            &line,
            &[
                ("2025-11-10 10:00", Unknown), // Monday morning: open time not published
                ("2025-11-10 17:00", Closed),  // closes at 17:00 sharp
                ("2025-11-15 10:00", Closed),  // Saturday
                ("2025-11-16 10:00", Closed),  // Sunday
            ],
        );
    }

    /// A weekday window closed on 祝日 and 年末年始, as ward offices are.
    #[test]
    fn ward_window_with_holidays_and_year_end() {
        let window = Schedule {
            rules: vec![Rule::Weekly {
                days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
                hours: Hours::new(time("08:30"), time("17:15")),
            }],
            closed: vec![Closure::NationalHolidays, Closure::YearEnd],
            note: None,
        };
        check(
            &window,
            &[
                ("2026-11-20 08:29", Closed),
                ("2026-11-20 08:30", Open),
                ("2026-11-20 17:14", Open),
                ("2026-11-20 17:15", Closed),
                ("2026-11-23 10:00", Closed), // 勤労感謝の日, a Monday
                ("2026-09-22 10:00", Closed), // 国民の休日
                ("2026-12-29 10:00", Closed), // 年末年始, a Tuesday
                ("2027-01-04 10:00", Open),   // first working day
            ],
        );
    }

    /// 第2・第4水曜 10:00-12:00, and the last Friday of the month.
    #[test]
    fn monthly_weekday_patterns() {
        let salon = Schedule {
            rules: vec![
                Rule::Monthly {
                    weeks: vec![WeekOfMonth::Nth(2), WeekOfMonth::Nth(4)],
                    days: vec![Weekday::Wed],
                    hours: Hours::new(time("10:00"), time("12:00")),
                },
                Rule::Monthly {
                    weeks: vec![WeekOfMonth::Last],
                    days: vec![Weekday::Fri],
                    hours: Hours::new(time("13:00"), time("15:00")),
                },
            ],
            closed: vec![],
            note: None,
        };
        check(
            &salon,
            &[
                ("2026-11-04 10:30", Closed), // 1st Wednesday
                ("2026-11-11 10:30", Open),   // 2nd Wednesday
                ("2026-11-18 10:30", Closed), // 3rd
                ("2026-11-25 10:30", Open),   // 4th
                ("2026-11-25 12:00", Closed),
                ("2026-11-27 14:00", Open),   // last Friday
                ("2026-11-20 14:00", Closed), // a Friday, not the last
            ],
        );
    }

    /// 荒川コープカフェ 「毎月1回」 and 年6回: the day is not published.
    #[test]
    fn counts_without_dates_are_unknown_but_hours_still_close() {
        let cafe = Schedule {
            rules: vec![Rule::TimesPerMonth { times: 1, hours: Hours::default() }],
            closed: vec![Closure::YearEnd],
            note: Some("毎月1回".into()),
        };
        check(&cafe, &[("2026-11-22 10:00", Unknown), ("2026-12-31 10:00", Closed)]);
        let lectures = Schedule {
            rules: vec![Rule::TimesPerYear { times: 6, hours: Hours::new(time("14:00"), time("16:00")) }],
            closed: vec![],
            note: None,
        };
        check(&lectures, &[("2026-11-22 15:00", Unknown), ("2026-11-22 09:00", Closed)]);
        assert_eq!(Schedule::default().openness_at(at("2026-11-22 10:00")), Unknown);
    }

    /// ACT公開講座2025 (003): 2026年3月8日（日）14:00～16:30.
    #[test]
    fn one_off_dates() {
        let lecture = Schedule {
            rules: vec![Rule::Dates {
                dates: vec![NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()],
                hours: Hours::new(time("14:00"), time("16:30")),
            }],
            closed: vec![],
            note: None,
        };
        // Before and between listed dates it is closed; after the last one nobody has
        // said (the list may not have been extended), so it is unknown.
        check(
            &lecture,
            &[
                ("2026-03-01 15:00", Closed),
                ("2026-03-08 14:00", Open),
                ("2026-03-08 16:30", Closed),
                ("2026-03-15 15:00", Unknown),
            ],
        );
        assert_eq!(lecture.listed_until(), NaiveDate::from_ymd_opt(2026, 3, 8));
    }

    /// A night line 22:00–02:00 is open after midnight on the following day.
    #[test]
    fn sessions_past_midnight() {
        let night = Schedule {
            rules: vec![Rule::Weekly { days: vec![Weekday::Fri], hours: Hours::new(time("22:00"), time("02:00")) }],
            closed: vec![],
            note: None,
        };
        check(
            &night,
            &[
                ("2026-11-20 23:00", Open), // Friday night
                ("2026-11-21 01:59", Open), // Saturday early morning
                ("2026-11-21 02:00", Closed),
                ("2026-11-21 23:00", Closed), // Saturday night
                ("2026-11-20 01:00", Closed), // Friday early morning: Thursday had no session
            ],
        );
    }

    /// Every kind of rule and closure at dates drawn over chrono's whole calendar and at
    /// its two ends: no moment a caller can send makes a schedule panic. (A 第n/最終
    /// rule once looked a week past the last representable date.)
    #[test]
    fn no_date_in_the_calendar_makes_a_schedule_panic() {
        let all_week = vec![Weekday::Mon, Weekday::Wed, Weekday::Sat, Weekday::Sun];
        let late = Hours::new(time("22:00"), time("02:00"));
        let schedule = Schedule {
            rules: vec![
                Rule::Weekly { days: all_week.clone(), hours: late },
                Rule::Monthly {
                    weeks: vec![WeekOfMonth::Nth(1), WeekOfMonth::Nth(5), WeekOfMonth::Last],
                    days: all_week,
                    hours: late,
                },
                Rule::TimesPerMonth { times: 2, hours: Hours::new(time("10:00"), None) },
                Rule::TimesPerYear { times: 4, hours: Hours::new(None, time("12:00")) },
                Rule::Dates { dates: vec![NaiveDate::MIN, NaiveDate::MAX], hours: late },
            ],
            closed: vec![
                Closure::NationalHolidays,
                Closure::YearEnd,
                Closure::Period { from: NaiveDate::MIN, to: NaiveDate::MIN },
            ],
            note: None,
        };
        let (first, last) = (NaiveDate::MIN.num_days_from_ce(), NaiveDate::MAX.num_days_from_ce());
        let span = u64::try_from(last - first).unwrap() + 1;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut drawn: Vec<NaiveDate> = (0..20_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let offset = i32::try_from(state % span).unwrap();
                NaiveDate::from_num_days_from_ce_opt(first + offset).unwrap()
            })
            .collect();
        for days in 0..40 {
            drawn.push(NaiveDate::MIN + Duration::days(days));
            drawn.push(NaiveDate::MAX - Duration::days(days));
        }
        for date in drawn {
            for clock in ["00:00", "01:00", "23:59"] {
                let moment = date.and_time(time(clock).unwrap());
                let _ = schedule.openness_at(moment);
            }
        }
    }
}
