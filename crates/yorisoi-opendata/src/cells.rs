//! Cells as wards publish them, read into Yorisoi's values: codes whose leading zero a
//! spreadsheet dropped, phone numbers with any dash, times and weekdays in the ways
//! they are written, and the free text that is not a time (「日没」「終日」「要予約」),
//! which is kept as words rather than guessed at.

use chrono::{NaiveTime, Weekday};
use yorisoi_core::{MunicipalityCode, Position};

/// A 全国地方公共団体コード from a cell: six digits with the check digit, the five
/// digits without it, or either with its leading zero lost (北海道's 011002 as 11002).
/// Every reading is offered; the caller keeps the one its directory knows.
pub fn municipality_codes(cell: &str) -> Vec<MunicipalityCode> {
    let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != cell.chars().filter(|c| !c.is_whitespace()).count() {
        return Vec::new();
    }
    let with_check = |five: &str| (0..10).find_map(|d| MunicipalityCode::parse(&format!("{five}{d}")).ok());
    let mut out = Vec::new();
    match digits.len() {
        6 => out.extend(MunicipalityCode::parse(&digits).ok()),
        5 => {
            out.extend(MunicipalityCode::parse(&format!("0{digits}")).ok());
            out.extend(with_check(&digits));
        }
        4 => out.extend(with_check(&format!("0{digits}"))),
        _ => {}
    }
    out
}

/// A phone or fax number in Yorisoi's form (half-width digits and hyphens), from any
/// dash, brackets around the area code (（03）1234-5678) or a leading zero a
/// spreadsheet dropped; the second value says a zero was put back.
pub fn phone(cell: &str) -> Result<(String, bool), String> {
    let mut out = String::new();
    let mut open = false;
    for c in cell.chars() {
        match c {
            '0'..='9' => out.push(c),
            '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' => out.push('-'),
            '(' => open = true,
            ')' if open => {
                out.push('-');
                open = false;
            }
            c if c.is_whitespace() => {}
            _ => return Err(format!("`{cell}` is not a phone number")),
        }
    }
    let out = out.trim_matches('-').to_owned();
    let digits = out.chars().filter(char::is_ascii_digit).count();
    if !(3..=11).contains(&digits) {
        return Err(format!("`{cell}` is not a phone number ({digits} digits)"));
    }
    // Every Japanese number but the short ones (110, 119, #…) begins with 0; nine or
    // ten digits without it lost the zero in a spreadsheet.
    if !out.starts_with('0') && (9..=10).contains(&digits) {
        return Ok((format!("0{out}"), true));
    }
    Ok((out, false))
}

/// A time of day as written (9:00, 09:00:00, 9時, 9時30分, 午後1時); `None` for words
/// that are not one.
pub fn time(cell: &str) -> Option<NaiveTime> {
    let text = cell.trim();
    let (afternoon, text) = match text.strip_prefix("午後") {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix("午前").unwrap_or(text)),
    };
    let (hour, minute) = if let Some((h, rest)) = text.split_once('時') {
        let minute = rest.strip_suffix('分').unwrap_or(rest);
        (h, if minute.is_empty() { "0" } else { minute })
    } else {
        let mut parts = text.split(':');
        let h = parts.next()?;
        let m = parts.next()?;
        if parts.next().is_some_and(|s| s.parse::<u32>().is_err()) {
            return None;
        }
        (h, m)
    };
    let mut hour: u32 = hour.parse().ok()?;
    let minute: u32 = minute.parse().ok()?;
    if afternoon && hour < 12 {
        hour += 12;
    }
    NaiveTime::from_hms_opt(hour, minute, 0)
}

fn weekday(c: char) -> Option<Weekday> {
    Some(match c {
        '月' => Weekday::Mon,
        '火' => Weekday::Tue,
        '水' => Weekday::Wed,
        '木' => Weekday::Thu,
        '金' => Weekday::Fri,
        '土' => Weekday::Sat,
        '日' => Weekday::Sun,
        _ => return None,
    })
}

const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// The weekdays a cell names (月〜金, 月・水・金, 月火水木金, 平日, 土日, 毎日, 月曜日から金曜日);
/// `None` when it says anything else, which is then kept as words.
pub fn weekdays(cell: &str) -> Option<Vec<Weekday>> {
    let text: String = cell.replace("曜日", "").replace('曜', "");
    let text = text.trim();
    match text {
        "平日" => return Some(WEEK[..5].to_vec()),
        "毎日" | "全日" | "年中無休" => return Some(WEEK.to_vec()),
        "土日" => return Some(vec![Weekday::Sat, Weekday::Sun]),
        _ => {}
    }
    let mut days: Vec<Weekday> = Vec::new();
    let chars: Vec<char> = text.chars().filter(|c| !matches!(c, ',' | '、' | '・' | '/' | ' ')).collect();
    let mut i = 0;
    while i < chars.len() {
        let day = weekday(chars[i])?;
        let range =
            matches!(chars.get(i + 1), Some('~' | '〜' | '～' | '-' | 'ー' | '−')) || chars.get(i + 1) == Some(&'か');
        if range {
            // 月〜金, 月から金
            let skip = if chars.get(i + 1) == Some(&'か') && chars.get(i + 2) == Some(&'ら') { 3 } else { 2 };
            let last = weekday(*chars.get(i + skip)?)?;
            let from = WEEK.iter().position(|d| *d == day)?;
            let to = WEEK.iter().position(|d| *d == last)?;
            if to < from {
                return None;
            }
            days.extend(&WEEK[from..=to]);
            i += skip + 1;
        } else {
            days.push(day);
            i += 1;
        }
    }
    (!days.is_empty()).then(|| {
        let mut unique: Vec<Weekday> = Vec::new();
        for d in days {
            if !unique.contains(&d) {
                unique.push(d);
            }
        }
        unique
    })
}

/// What a latitude and longitude cell say: a point, the same with the two swapped
/// (a common slip; `true`), or why not.
pub fn position(latitude: &str, longitude: &str) -> Result<(Position, bool), String> {
    let degrees =
        |cell: &str, what: &str| cell.trim().parse::<f64>().map_err(|_| format!("{what} `{cell}` is not a number"));
    let (lat, lon) = (degrees(latitude, "緯度")?, degrees(longitude, "経度")?);
    let given = Position::from_degrees(lat, lon).filter(|p| p.in_japan());
    let swapped = Position::from_degrees(lon, lat).filter(|p| p.in_japan());
    match (given, swapped) {
        (Some(p), _) => Ok((p, false)),
        (None, Some(p)) => Ok((p, true)),
        (None, None) => Err(format!("緯度/経度: {}", Position::problem(lat, lon).unwrap_or_default())),
    }
}

/// A postal code as 123-4567, putting back a leading zero a spreadsheet dropped.
pub fn postal_code(cell: &str) -> Option<String> {
    let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.len() == 6 { format!("0{digits}") } else { digits };
    (digits.len() == 7 && cell.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '〒' || c.is_whitespace()))
        .then(|| format!("{}-{}", &digits[..3], &digits[3..]))
}

/// A 介護保険事業所番号 (ten digits), putting back a leading zero a spreadsheet dropped.
pub fn office_number(cell: &str) -> Option<String> {
    let digits = cell.trim();
    (digits.chars().all(|c| c.is_ascii_digit()) && (9..=10).contains(&digits.len())).then(|| format!("{digits:0>10}"))
}

/// Whether a reading is all kana, as Yorisoi keeps readings.
pub fn is_kana(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー' | '・' | 'ヽ' | 'ヾ' | ' ' | '　'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> MunicipalityCode {
        MunicipalityCode::parse(text).unwrap()
    }

    #[test]
    fn codes_that_lost_a_zero_or_their_check_digit_are_read() {
        assert_eq!(municipality_codes("131083"), vec![code("131083")]);
        assert_eq!(municipality_codes("13108"), vec![code("131083")], "five digits without the check digit");
        assert!(municipality_codes("11002").contains(&code("011002")), "北海道札幌市 without its zero");
        assert_eq!(municipality_codes("1100"), vec![code("011002")], "without zero and check digit");
        assert!(municipality_codes("13108x").is_empty());
        assert!(municipality_codes("131084").is_empty(), "a wrong check digit");
    }

    #[test]
    fn phones_in_any_form_become_digits_and_hyphens() {
        assert_eq!(phone("03-3647-9111"), Ok(("03-3647-9111".into(), false)));
        assert_eq!(phone("03−3647ー9111"), Ok(("03-3647-9111".into(), false)));
        assert_eq!(phone("(03)3647-9111"), Ok(("03-3647-9111".into(), false)));
        assert_eq!(phone("336479111"), Ok(("0336479111".into(), true)), "a spreadsheet dropped the zero");
        assert!(phone("代表へ").is_err());
        assert!(phone("03-12").is_ok_and(|(p, _)| p == "03-12"));
        assert!(phone("1").is_err());
    }

    #[test]
    fn times_are_read_and_words_are_not_taken_for_times() {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(time("9:00"), at(9, 0));
        assert_eq!(time("09:30:00"), at(9, 30));
        assert_eq!(time("9時"), at(9, 0));
        assert_eq!(time("17時15分"), at(17, 15));
        assert_eq!(time("午後1時"), at(13, 0));
        for words in ["日没", "終日", "要予約", "24:00", "", "9"] {
            assert_eq!(time(words), None, "{words}");
        }
    }

    #[test]
    fn weekdays_are_read_in_the_ways_they_are_written() {
        use Weekday::*;
        assert_eq!(weekdays("月〜金"), Some(vec![Mon, Tue, Wed, Thu, Fri]));
        assert_eq!(weekdays("月曜日から金曜日"), Some(vec![Mon, Tue, Wed, Thu, Fri]));
        assert_eq!(weekdays("月・水・金"), Some(vec![Mon, Wed, Fri]));
        assert_eq!(weekdays("月火水木金土"), Some(vec![Mon, Tue, Wed, Thu, Fri, Sat]));
        assert_eq!(weekdays("平日"), Some(vec![Mon, Tue, Wed, Thu, Fri]));
        assert_eq!(weekdays("毎日"), Some(vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun]));
        assert_eq!(weekdays("月〜金（祝日を除く）"), None, "kept as words");
        assert_eq!(weekdays("金〜月"), None);
    }

    #[test]
    fn swapped_coordinates_are_noticed_and_points_outside_japan_refused() {
        let (p, swapped) = position("139.7947", "35.6727").unwrap();
        assert!(swapped);
        assert_eq!((p.latitude(), p.longitude()), (35.6727, 139.7947));
        assert_eq!(position("35.6727", "139.7947").map(|(_, s)| s), Ok(false));
        assert!(position("0", "0").unwrap_err().contains("not in Japan"));
        assert!(position("北緯35度", "139").is_err());
    }

    #[test]
    fn postal_codes_and_office_numbers_get_back_their_zero() {
        assert_eq!(postal_code("1358383").as_deref(), Some("135-8383"));
        assert_eq!(postal_code("600001").as_deref(), Some("060-0001"));
        assert_eq!(postal_code("〒135-8383").as_deref(), Some("135-8383"));
        assert_eq!(office_number("170100123").as_deref(), Some("0170100123"));
        assert_eq!(office_number("1370100123").as_deref(), Some("1370100123"));
        assert_eq!(office_number("13-70"), None);
    }
}
