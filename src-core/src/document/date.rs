//! Calendar dates as written in workspace files: `YYYY-MM-DD`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date. Ordered chronologically; written as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// 1970-01-01, the fallback when the clock cannot be read.
    pub const EPOCH: Self = Self {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// A date, if it exists in the proleptic Gregorian calendar.
    #[must_use]
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days).contains(&day)).then_some(Self { year, month, day })
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 0001-01-01, for differences between dates.
    #[must_use]
    pub fn ordinal(self) -> i64 {
        // Days before this month in a common year.
        const BEFORE: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        let y = i64::from(self.year) - 1;
        let leap = Date::new(self.year, 2, 29).is_some();
        let month_index = usize::from(self.month.saturating_sub(1));
        let before =
            BEFORE.get(month_index).copied().unwrap_or(0) + i64::from(leap && self.month > 2);
        y * 365 + y / 4 - y / 100 + y / 400 + before + i64::from(self.day) - 1
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    #[must_use]
    pub fn days_until(self, later: Self) -> i64 {
        later.ordinal() - self.ordinal()
    }
}

impl Date {
    /// Today's date for stamping saves, from the system clock (UTC).
    #[must_use]
    pub fn today() -> Option<Self> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        Self::from_unix_days(i64::try_from(secs / 86_400).ok()?)
    }

    /// Days since 1970-01-01 (negative before it).
    #[must_use]
    pub fn unix_days(self) -> i64 {
        // 1970-01-01 is day 719,162 counted from 0001-01-01.
        self.ordinal() - 719_162
    }

    /// The date `days` after 1970-01-01, if it lies in years 1–9999.
    #[must_use]
    pub fn from_unix_days(days: i64) -> Option<Self> {
        // Civil-from-days (proleptic Gregorian), with eras starting on 0000-03-01.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("must be a date written YYYY-MM-DD, got {s:?}");
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts[..] else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) else {
            return Err(bad());
        };
        Date::new(y, m, d).ok_or_else(|| format!("is not a calendar date: {s}"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Date = "2026-02-28".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.to_string(), "2026-02-28");
        assert!("2026-02-29".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2026-2-28".parse::<Date>().is_err());
        assert!("yesterday".parse::<Date>().is_err());
    }

    #[test]
    fn today_is_a_plausible_date() {
        let t = Date::today().unwrap_or_else(|| panic!("clock before 1970"));
        assert!(t.year() >= 2024);
    }

    #[test]
    fn orders_and_counts_days() {
        let a = Date::new(2026, 10, 1);
        let b = Date::new(2026, 10, 31);
        let c = Date::new(2027, 1, 1);
        assert!(a < b && b < c);
        assert_eq!(a.zip(b).map(|(a, b)| a.days_until(b)), Some(30));
        assert_eq!(b.zip(c).map(|(b, c)| b.days_until(c)), Some(62));
        let leap = Date::new(2024, 2, 28).zip(Date::new(2024, 3, 1));
        assert_eq!(leap.map(|(a, b)| a.days_until(b)), Some(2));
    }
}
