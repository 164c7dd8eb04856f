//! Duration parsing (`--timeout`, `--connect-timeout`, and `--max-age` with
//! its own cap) on arbitrary text, and the output line's rendering of
//! durations.
//!
//! What must hold: `parse` never panics and agrees with a model that does the
//! arithmetic in u128, where nothing can overflow; what it accepts is from 1ms
//! to the cap; `display` of any duration is short visible ASCII, and reads
//! back as the duration it shows (to its precision).
#![no_main]

use std::time::Duration;

use healthprobe::fuzz::{
    MAX_AGE, MAX_DURATION, display_duration, exact_duration, parse_duration, parse_duration_within,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let parsed = parse_duration(text);
        assert_eq!(parsed.as_ref().ok(), model(text, MAX_DURATION).as_ref(), "{text:?}");
        let age = parse_duration_within(text, MAX_AGE);
        assert_eq!(age.as_ref().ok(), model(text, MAX_AGE).as_ref(), "{text:?}");
        if let Ok(d) = age {
            // A file's age and its limit are shown exactly: they read back.
            let shown = exact_duration(d);
            assert_eq!(parse_duration_within(&shown, MAX_AGE), Ok(d), "{shown:?}");
        }
        if let Ok(d) = parsed {
            assert!(d >= Duration::from_millis(1) && d <= MAX_DURATION);
            assert_eq!(d.subsec_nanos() % 1_000_000, 0, "{text:?}: {d:?}");
            check_display(d);
            let millis = format!("{}ms", d.as_millis());
            assert_eq!(parse_duration(&millis), Ok(d));
        }
    }
    // Any duration the output line might show, such as an elapsed time.
    if let Some(bytes) = data.get(..12) {
        let secs = u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default());
        let nanos = u32::from_le_bytes(bytes[8..].try_into().unwrap_or_default());
        check_display(Duration::new(secs % (10 * 86_400), nanos % 1_000_000_000));
    }
});

fn check_display(d: Duration) {
    let shown = display_duration(d);
    assert!(
        !shown.is_empty() && shown.len() <= 12 && shown.bytes().all(|b| b.is_ascii_graphic()),
        "{d:?} shown as {shown:?}"
    );
    // What is shown is what a user would type back, cut to the precision
    // shown: 0.1ms below 10ms, 1ms below 1s, 10ms below a minute, then 1s.
    let precision = match d.as_micros() {
        0..10_000 => Duration::from_micros(100),
        10_000..1_000_000 => Duration::from_millis(1),
        1_000_000..60_000_000 => Duration::from_millis(10),
        _ => Duration::from_secs(1),
    };
    let Some(read) = read_back(&shown) else {
        panic!("{d:?} shown as {shown:?}, which does not read back");
    };
    assert!(
        read <= d && d - read < precision,
        "{d:?} shown as {shown:?}"
    );
}

/// Reads `0.4ms`, `12ms`, `1.50s`, `3600s` exactly, to the microsecond.
fn read_back(shown: &str) -> Option<Duration> {
    let (number, micros_per_unit) = match shown.strip_suffix("ms") {
        Some(n) => (n, 1_000),
        None => (shown.strip_suffix('s')?, 1_000_000),
    };
    let micros = decimal(number, micros_per_unit, usize::MAX)?;
    Some(Duration::from_micros(u64::try_from(micros).ok()?))
}

/// The accepted syntax, with the arithmetic in u128: `Some` exactly when
/// `parse` should accept the text.
fn model(text: &str, max: Duration) -> Option<Duration> {
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
    // Digits past the sixth are ignored, as duration.rs documents.
    let millis = decimal(number, millis_per_unit, 6)?;
    if millis == 0 || millis > max.as_millis() {
        return None;
    }
    Some(Duration::from_millis(u64::try_from(millis).ok()?))
}

/// `whole[.fraction]` times `per_unit`, rounded down, reading at most
/// `fraction_digits` digits of the fraction; `None` if it is not a number or
/// does not fit in a u128 (far beyond any cap).
fn decimal(number: &str, per_unit: u128, fraction_digits: usize) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || number.ends_with('.') {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let fraction = &fraction[..fraction.len().min(fraction_digits).min(30)];
    let scale = 10u128.pow(u32::try_from(fraction.len()).ok()?);
    let fraction: u128 = match fraction {
        "" => 0,
        f => f.parse().ok()?,
    };
    whole
        .checked_mul(per_unit)?
        .checked_add(fraction * per_unit / scale)
}
