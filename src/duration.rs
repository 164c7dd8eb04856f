//! Durations as users write them on the command line: `250ms`, `2s`, `1.5s`,
//! `1m`, and a bare number meaning seconds.

use std::time::Duration;

/// The longest deadline accepted. A health probe that needs longer than this is
/// no longer a health probe, and a cap keeps the arithmetic far from overflow.
pub const MAX: Duration = Duration::from_secs(3600);

/// Parses a positive duration of at most [`MAX`], with millisecond resolution.
pub fn parse(text: &str) -> Result<Duration, String> {
    const EXPECTED: &str = "expected a duration like 500ms, 2s, 1.5s or 1m";
    let (number, millis_per_unit) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000)
    } else {
        (text, 1_000)
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || number.ends_with('.') {
        return Err(EXPECTED.to_owned());
    }
    let whole: u64 = whole
        .parse()
        .map_err(|_| format!("is longer than {}", display(MAX)))?;
    // Digits past the sixth cannot change a deadline of millisecond resolution.
    let (mut fraction_value, mut scale) = (0u64, 1u64);
    for digit in fraction.bytes().take(6) {
        fraction_value = fraction_value * 10 + u64::from(digit - b'0');
        scale *= 10;
    }
    let millis = whole
        .checked_mul(millis_per_unit)
        .and_then(|m| m.checked_add(fraction_value * millis_per_unit / scale))
        .ok_or_else(|| format!("is longer than {}", display(MAX)))?;
    let duration = Duration::from_millis(millis);
    if duration.is_zero() {
        return Err("must be at least 1ms".to_owned());
    }
    if duration > MAX {
        return Err(format!("is longer than {}", display(MAX)));
    }
    Ok(duration)
}

/// Renders a duration compactly for the output line: `0.4ms`, `12ms`, `1.50s`.
pub fn display(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 10_000 {
        format!("{}.{}ms", micros / 1000, micros % 1000 / 100)
    } else if micros < 1_000_000 {
        format!("{}ms", micros / 1000)
    } else if micros < 60_000_000 {
        let centis = micros / 10_000;
        format!("{}.{:02}s", centis / 100, centis % 100)
    } else {
        format!("{}s", d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_forms() {
        let ms = Duration::from_millis;
        for (text, want) in [
            ("250ms", ms(250)),
            ("2s", ms(2000)),
            ("1.5s", ms(1500)),
            ("1m", ms(60_000)),
            ("2", ms(2000)),
            ("0.25", ms(250)),
            ("1.0001s", ms(1000)),
            ("0.5m", ms(30_000)),
            ("3600s", ms(3_600_000)),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_positive_duration() {
        for text in [
            "", "s", "ms", "2x", "-1s", "1.s", ".5s", "1e3", "2 s", "1h", "0", "0ms", "0.0001s",
            "1.2.3s", "+1s",
        ] {
            assert!(parse(text).is_err(), "{text:?} should be rejected");
        }
    }

    #[test]
    fn rejects_durations_beyond_the_cap_without_overflow() {
        // The fraction is added to the whole part checked too: unchecked, a
        // release build wrapped these to deadlines of 84 ms and 2.384 s.
        for text in [
            "18446744073709551.7s",
            "18446744073709551.7",
            "307445734561825.9m",
        ] {
            assert_eq!(
                parse(text),
                Err("is longer than 3600s".to_owned()),
                "{text}"
            );
        }
        assert_eq!(parse("3601s"), Err("is longer than 3600s".to_owned()));
        assert!(parse("99999999999999999999").is_err());
        assert!(parse("18446744073709551615m").is_err());
    }

    #[test]
    fn displays_compactly() {
        let us = Duration::from_micros;
        assert_eq!(display(us(400)), "0.4ms");
        assert_eq!(display(us(3_250)), "3.2ms");
        assert_eq!(display(us(12_900)), "12ms");
        assert_eq!(display(us(1_504_000)), "1.50s");
        assert_eq!(display(Duration::from_secs(2)), "2.00s");
        assert_eq!(display(Duration::from_secs(3600)), "3600s");
    }
}
