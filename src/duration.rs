//! Durations as users write them on the command line: `250ms`, `2s`, `1.5s`,
//! `1m`, `1h`, `1d`, and a bare number meaning seconds.

use std::time::Duration;

/// The longest deadline accepted. A health probe that needs longer than this is
/// no longer a health probe, and a cap keeps the arithmetic far from overflow.
pub const MAX: Duration = Duration::from_secs(3600);

/// Parses a positive duration of at most [`MAX`], with millisecond resolution.
#[cfg(any(test, fuzzing))]
pub fn parse(text: &str) -> Result<Duration, String> {
    parse_within(text, MAX)
}

/// Parses a positive duration of at most `max`, with millisecond resolution.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub fn parse_within(text: &str, max: Duration) -> Result<Duration, String> {
    const EXPECTED: &str = "expected a duration like 500ms, 2s, 1.5s or 1m";
    let (number, millis_per_unit) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3_600_000)
    } else if let Some(n) = text.strip_suffix('d') {
        (n, 86_400_000)
    } else {
        (text, 1_000)
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || number.ends_with('.') {
        return Err(EXPECTED.to_owned());
    }
    let whole: u64 = whole.parse().map_err(|_| longer_than(max))?;
    // Digits past the sixth cannot change a deadline of millisecond resolution.
    let (mut fraction_value, mut scale) = (0u64, 1u64);
    for digit in fraction.bytes().take(6) {
        fraction_value = fraction_value * 10 + u64::from(digit - b'0');
        scale *= 10;
    }
    let millis = whole
        .checked_mul(millis_per_unit)
        .and_then(|m| m.checked_add(fraction_value * millis_per_unit / scale))
        .ok_or_else(|| longer_than(max))?;
    let duration = Duration::from_millis(millis);
    if duration.is_zero() {
        return Err("must be at least 1ms".to_owned());
    }
    if duration > max {
        return Err(longer_than(max));
    }
    Ok(duration)
}

/// `is longer than 3600s`, or in days when `max` is whole days.
pub fn longer_than(max: Duration) -> String {
    match max.as_secs() {
        secs if secs > 86_400 && max.subsec_nanos() == 0 && secs % 86_400 == 0 => {
            format!("is longer than {}d", secs / 86_400)
        }
        _ => format!("is longer than {}", exact(max)),
    }
}

/// Renders a duration in seconds to the millisecond, with no trailing
/// zeros: `95s`, `2.104s`, `0.5s`; for a file's age and its limit, where
/// a line must show that 60.001 s is past 60 s.
pub fn exact(d: Duration) -> String {
    let (seconds, fraction) = (d.as_secs(), d.subsec_millis());
    if fraction == 0 {
        return format!("{seconds}s");
    }
    let fraction = format!("{fraction:03}");
    format!("{seconds}.{}s", fraction.trim_end_matches('0'))
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
            ("1h", ms(3_600_000)),
            ("0.5h", ms(1_800_000)),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_positive_duration() {
        for text in [
            "", "s", "ms", "2x", "-1s", "1.s", ".5s", "1e3", "2 s", "0", "0ms", "0.0001s",
            "1.2.3s", "+1s", "1w", "1dd",
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
        assert_eq!(parse("2h"), Err("is longer than 3600s".to_owned()));
        let week = Duration::from_secs(7 * 86_400);
        assert_eq!(parse_within("1.5d", week), Ok(Duration::from_secs(129_600)));
        assert_eq!(
            parse_within("8d", week),
            Err("is longer than 7d".to_owned())
        );
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

    #[test]
    fn exact_shows_every_millisecond_and_no_trailing_zero() {
        let ms = Duration::from_millis;
        assert_eq!(exact(ms(95_000)), "95s");
        assert_eq!(exact(ms(60_001)), "60.001s");
        assert_eq!(exact(ms(2_100)), "2.1s");
        assert_eq!(exact(ms(500)), "0.5s");
        assert_eq!(exact(Duration::ZERO), "0s");
        assert_eq!(exact(Duration::from_micros(1_999)), "0.001s");
    }
}
