//! When a resource is open: weekly hours, monthly patterns (第2・第4水曜), days of the
//! month (毎月1日, moved or skipped when it falls on a weekend or holiday), counts per
//! month or year whose dates are not published (毎月1回, 年6回), one-off dates, hours
//! published without days (12:00〜19:00), the months and period a schedule holds in
//! (奇数月, 4〜9月, from/until), and closures (祝日, 年末年始).
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
    /// When the rules hold at all: months of the year and a validity period.
    #[cfg_attr(feature = "serde", serde(default))]
    pub season: Season,
}

/// The months and the period in which a schedule's rules hold; outside them the place
/// is closed. Empty months and no dates: all year, always.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Season {
    /// Months 1..=12 (奇数月: 1, 3, 5, 7, 9, 11; 4〜9月: 4..=9).
    pub months: Vec<u32>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Season {
    fn holds_on(&self, date: NaiveDate) -> bool {
        (self.months.is_empty() || self.months.contains(&date.month()))
            && self.from.is_none_or(|from| from <= date)
            && self.until.is_none_or(|until| date <= until)
    }
}

/// What happens to a day of the month that falls on a weekend or a national holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DayShift {
    /// It is held anyway.
    #[default]
    Keep,
    /// That month's session is not held.
    Skip,
    /// Moved to the next weekday that is not a holiday (翌平日).
    NextWeekday,
    /// Moved to the previous weekday that is not a holiday (前平日).
    PreviousWeekday,
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
    /// On these days of each month (毎月1日・15日); a day the month lacks (31日 in
    /// June) is not held; `shift` says what happens on weekends and holidays.
    DaysOfMonth { days: Vec<u8>, shift: DayShift, hours: Hours },
    /// Hours published without the days (12:00〜19:00): whether it is open on a given
    /// day is unknown, but outside the hours it is closed.
    HoursOnly { hours: Hours },
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
        let yesterday_in_season = today.pred_opt().is_some_and(|d| self.season.holds_on(d));
        let today_in_season = self.season.holds_on(today);
        for rule in &self.rules {
            let hours = rule.hours();
            // A session that started yesterday and runs past midnight.
            if let (Some(yesterday), Some(closes)) = (today.pred_opt(), hours.closes)
                && yesterday_in_season
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
            if !today_in_season || self.closed_on(today) || !rule.may_meet_on(today) {
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

    /// The last day the resource is known to be held: the end of its validity, or its
    /// last listed date when it has nothing but dates. None when it recurs without end.
    pub fn last_day(&self) -> Option<NaiveDate> {
        [self.season.until, self.listed_until()].into_iter().flatten().min()
    }

    /// Whether it is held on listed dates only (an event), not on a recurring pattern.
    pub fn is_event(&self) -> bool {
        self.listed_until().is_some()
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
            | Rule::Dates { hours, .. }
            | Rule::DaysOfMonth { hours, .. }
            | Rule::HoursOnly { hours } => *hours,
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
            Rule::TimesPerMonth { .. } | Rule::TimesPerYear { .. } | Rule::HoursOnly { .. } => true,
            Rule::Dates { dates, .. } => dates.contains(&date),
            Rule::DaysOfMonth { days, shift, .. } => days.iter().any(|&day| held_on(date, day, *shift)),
        }
    }

    /// The most this rule can say about a day it may meet on.
    fn certainty(&self) -> Openness {
        match self {
            Rule::TimesPerMonth { .. } | Rule::TimesPerYear { .. } | Rule::HoursOnly { .. } => Openness::Unknown,
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

/// Whether the session of day-of-month `day` falls on `date`, after its shift.
fn held_on(date: NaiveDate, day: u8, shift: DayShift) -> bool {
    let off = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || is_national_holiday(d);
    // The listed day in `date`'s month and in the months beside it (a shift can cross
    // a month's end); a month without that day has no session.
    let nominal = |months_back: i32| -> Option<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(date.year(), date.month(), 1)?;
        let month = match months_back {
            1 => first.checked_sub_months(chrono::Months::new(1))?,
            -1 => first.checked_add_months(chrono::Months::new(1))?,
            _ => first,
        };
        NaiveDate::from_ymd_opt(month.year(), month.month(), u32::from(day))
    };
    let effective = |nominal: NaiveDate| -> Option<NaiveDate> {
        if !off(nominal) {
            return Some(nominal);
        }
        let step = |d: NaiveDate, forward: bool| if forward { d.succ_opt() } else { d.pred_opt() };
        match shift {
            DayShift::Keep => Some(nominal),
            DayShift::Skip => None,
            DayShift::NextWeekday | DayShift::PreviousWeekday => {
                let forward = shift == DayShift::NextWeekday;
                let mut d = step(nominal, forward)?;
                // At most a week of weekends and holidays in a row (ゴールデンウィーク).
                for _ in 0..10 {
                    if !off(d) {
                        return Some(d);
                    }
                    d = step(d, forward)?;
                }
                None
            }
        }
    };
    [0, 1, -1].into_iter().filter_map(nominal).filter_map(effective).any(|d| d == date)
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
        };
        check(&cafe, &[("2026-11-22 10:00", Unknown), ("2026-12-31 10:00", Closed)]);
        let lectures = Schedule {
            rules: vec![Rule::TimesPerYear { times: 6, hours: Hours::new(time("14:00"), time("16:00")) }],
            closed: vec![],
            note: None,
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
                Rule::DaysOfMonth { days: vec![1, 31], shift: DayShift::NextWeekday, hours: late },
                Rule::DaysOfMonth { days: vec![1], shift: DayShift::PreviousWeekday, hours: late },
                Rule::HoursOnly { hours: late },
            ],
            closed: vec![
                Closure::NationalHolidays,
                Closure::YearEnd,
                Closure::Period { from: NaiveDate::MIN, to: NaiveDate::MIN },
            ],
            note: None,
            ..Default::default()
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

    fn on_days(days: Vec<u8>, shift: DayShift) -> Schedule {
        Schedule {
            rules: vec![Rule::DaysOfMonth { days, shift, hours: Hours::new(time("10:00"), time("12:00")) }],
            ..Default::default()
        }
    }

    /// 毎月1日 and 毎月3日, moved past weekends and holidays (checked against the 2026
    /// calendar: 2026-02-01 is a Sunday, 2026-01-01 元日, 2026-05-03〜06 憲法記念日 to
    /// 振替休日, 2026-11-01 a Sunday).
    #[test]
    fn days_of_the_month_and_what_a_weekend_or_holiday_does_to_them() {
        let next = on_days(vec![1], DayShift::NextWeekday);
        check(&next, &[("2026-02-01 11:00", Closed), ("2026-02-02 11:00", Open), ("2026-01-02 11:00", Open)]);
        let golden_week = on_days(vec![3], DayShift::NextWeekday);
        check(&golden_week, &[("2026-05-03 11:00", Closed), ("2026-05-06 11:00", Closed), ("2026-05-07 11:00", Open)]);
        // Moved back across the end of the month.
        let previous = on_days(vec![1], DayShift::PreviousWeekday);
        check(&previous, &[("2026-10-30 11:00", Open), ("2026-11-01 11:00", Closed), ("2026-11-02 11:00", Closed)]);
        let skip = on_days(vec![1], DayShift::Skip);
        check(&skip, &[("2026-08-01 11:00", Closed), ("2026-08-03 11:00", Closed), ("2026-09-01 11:00", Open)]);
        let keep = on_days(vec![1, 31], DayShift::Keep);
        check(&keep, &[("2026-02-01 11:00", Open), ("2026-06-30 11:00", Closed), ("2026-07-31 11:00", Open)]);
    }

    /// 奇数月 only, and a programme running from April to September.
    #[test]
    fn months_and_a_validity_period_bound_the_rules() {
        let mondays = |season: Season| Schedule {
            rules: vec![Rule::Weekly { days: vec![Weekday::Mon], hours: Hours::new(time("10:00"), time("12:00")) }],
            season,
            ..Default::default()
        };
        let odd = mondays(Season { months: vec![1, 3, 5, 7, 9, 11], ..Default::default() });
        check(&odd, &[("2026-02-02 11:00", Closed), ("2026-03-02 11:00", Open)]);
        let from = NaiveDate::from_ymd_opt(2026, 4, 1);
        let until = NaiveDate::from_ymd_opt(2026, 9, 30);
        let programme = mondays(Season { months: vec![], from, until });
        check(&programme, &[("2026-03-30 11:00", Closed), ("2026-04-06 11:00", Open), ("2026-10-05 11:00", Closed)]);
    }

    /// 12:00〜19:00 with no days given: inside the hours nobody knows, outside it is closed.
    #[test]
    fn hours_without_days() {
        let hours = Schedule {
            rules: vec![Rule::HoursOnly { hours: Hours::new(time("12:00"), time("19:00")) }],
            ..Default::default()
        };
        check(&hours, &[("2026-12-12 13:00", Unknown), ("2026-12-12 20:00", Closed), ("2026-12-12 11:00", Closed)]);
    }
}
