//! `--expect-status`: which HTTP status codes count as healthy.

use std::fmt;
use std::ops::RangeInclusive;

/// A list of status codes and inclusive ranges, such as `200,204,301-302`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectStatus {
    ranges: Vec<RangeInclusive<u16>>,
    text: String,
}

impl ExpectStatus {
    /// Parses a comma-separated list of codes (`200`) and ranges (`200-399`),
    /// each between 100 and 599.
    pub fn parse(text: &str) -> Result<ExpectStatus, String> {
        let code = |s: &str| -> Result<u16, String> {
            // Digits only: u16's parser would also take "+200".
            let digits = s.trim();
            let parsed = digits
                .parse::<u16>()
                .ok()
                .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()));
            match parsed {
                Some(c) if (100..=599).contains(&c) => Ok(c),
                _ => Err(format!(
                    "{:?} is not a status code from 100 to 599",
                    s.trim()
                )),
            }
        };
        let mut ranges = Vec::new();
        for item in text.split(',') {
            let range = match item.split_once('-') {
                Some((low, high)) => code(low)?..=code(high)?,
                None => code(item)?..=code(item)?,
            };
            if range.is_empty() {
                return Err(format!("range {:?} is backwards", item.trim()));
            }
            ranges.push(range);
        }
        let text = ranges
            .iter()
            .map(|r| match (r.start(), r.end()) {
                (a, b) if a == b => a.to_string(),
                (a, b) => format!("{a}-{b}"),
            })
            .collect::<Vec<_>>()
            .join(",");
        Ok(ExpectStatus { ranges, text })
    }

    pub fn accepts(&self, status: u16) -> bool {
        self.ranges.iter().any(|r| r.contains(&status))
    }
}

impl Default for ExpectStatus {
    fn default() -> Self {
        ExpectStatus {
            ranges: vec![200..=299],
            text: "200-299".to_owned(),
        }
    }
}

impl fmt::Display for ExpectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_codes_and_ranges() {
        let list = ExpectStatus::parse("200,204, 301-302").unwrap();
        for code in [200, 204, 301, 302] {
            assert!(list.accepts(code), "{code}");
        }
        for code in [199, 201, 300, 303, 500] {
            assert!(!list.accepts(code), "{code}");
        }
        assert_eq!(list.to_string(), "200,204,301-302");
    }

    #[test]
    fn default_is_any_2xx() {
        let list = ExpectStatus::default();
        assert!(list.accepts(200) && list.accepts(299));
        assert!(!list.accepts(199) && !list.accepts(300));
        assert_eq!(list, ExpectStatus::parse("200-299").unwrap());
    }

    #[test]
    fn rejects_malformed_lists() {
        for (text, why) in [
            ("", "\"\" is not a status code from 100 to 599"),
            ("abc", "\"abc\" is not a status code from 100 to 599"),
            ("+200", "\"+200\" is not a status code from 100 to 599"),
            ("200-+299", "\"+299\" is not a status code from 100 to 599"),
            ("200,", "\"\" is not a status code from 100 to 599"),
            ("99", "\"99\" is not a status code from 100 to 599"),
            ("600", "\"600\" is not a status code from 100 to 599"),
            ("200-", "\"\" is not a status code from 100 to 599"),
            ("300-200", "range \"300-200\" is backwards"),
            (
                "200-300-400",
                "\"300-400\" is not a status code from 100 to 599",
            ),
        ] {
            assert_eq!(ExpectStatus::parse(text), Err(why.to_owned()), "{text:?}");
        }
    }
}
