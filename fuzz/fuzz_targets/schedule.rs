//! Schedules of every rule and closure, asked about any moment chrono can hold: an
//! answer, never a panic (a caller's `openAt` reaches this unchanged).
#![no_main]

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use libfuzzer_sys::fuzz_target;
use yorisoi_core::{Closure, Hours, Rule, Schedule, WeekOfMonth};

/// Reads the fuzzer's bytes as numbers, zero once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn date(&mut self) -> NaiveDate {
        let (first, last) = (NaiveDate::MIN.num_days_from_ce(), NaiveDate::MAX.num_days_from_ce());
        let span = u32::try_from(i64::from(last) - i64::from(first) + 1).unwrap();
        NaiveDate::from_num_days_from_ce_opt(first + i32::try_from(self.u32() % span).unwrap()).unwrap()
    }
    fn time(&mut self) -> Option<NaiveTime> {
        let seconds = self.u32() % (24 * 3600 + 1);
        (seconds < 24 * 3600).then(|| NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).unwrap())
    }
    fn hours(&mut self) -> Hours {
        Hours::new(self.time(), self.time())
    }
    fn weekdays(&mut self) -> Vec<Weekday> {
        let bits = self.u8();
        (0..7).filter(|d| bits & (1 << d) != 0).map(|d| Weekday::try_from(d).unwrap()).collect()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let mut schedule = Schedule::default();
    for _ in 0..bytes.u8() % 6 {
        let rule = match bytes.u8() % 5 {
            0 => Rule::Weekly { days: bytes.weekdays(), hours: bytes.hours() },
            1 => Rule::Monthly {
                weeks: vec![if bytes.u8() % 2 == 0 { WeekOfMonth::Last } else { WeekOfMonth::Nth(bytes.u8()) }],
                days: bytes.weekdays(),
                hours: bytes.hours(),
            },
            2 => Rule::TimesPerMonth { times: bytes.u8(), hours: bytes.hours() },
            3 => Rule::TimesPerYear { times: u16::from(bytes.u8()), hours: bytes.hours() },
            _ => Rule::Dates { dates: vec![bytes.date(), bytes.date()], hours: bytes.hours() },
        };
        schedule.rules.push(rule);
    }
    for _ in 0..bytes.u8() % 3 {
        schedule.closed.push(match bytes.u8() % 3 {
            0 => Closure::NationalHolidays,
            1 => Closure::YearEnd,
            _ => Closure::Period { from: bytes.date(), to: bytes.date() },
        });
    }
    let moment = bytes.date().and_time(bytes.time().unwrap_or(NaiveTime::MIN));
    let _ = schedule.openness_at(moment);
});
