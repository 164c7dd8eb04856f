//! `--expect-status` lists on arbitrary text.
//!
//! What must hold: parsing never panics; a list accepts exactly the codes its
//! items name, all from 100 to 599; and its text, as the output line shows it
//! after "expected", parses back to the same list, accepting the same codes.
#![no_main]

use healthprobe::fuzz::ExpectStatus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let model = model(text);
    let Ok(list) = ExpectStatus::parse(text) else {
        assert!(model.is_none(), "{text:?} was rejected");
        return;
    };
    let Some(ranges) = model else {
        panic!("{text:?} was accepted as {list}");
    };

    let shown = list.to_string();
    assert!(
        !shown.is_empty()
            && shown
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b',' || b == b'-'),
        "{text:?} shown as {shown:?}"
    );
    let again = ExpectStatus::parse(&shown);
    assert_eq!(again.as_ref(), Ok(&list), "{text:?} shown as {shown:?}");

    for code in (0..=1000).chain([u16::MAX]) {
        let want = ranges
            .iter()
            .any(|&(low, high)| low <= code && code <= high);
        assert_eq!(list.accepts(code), want, "{text:?} and {code}");
        if want {
            assert!((100..=599).contains(&code));
        }
    }
});

/// The documented syntax: comma-separated codes and `low-high` ranges, each
/// code from 100 to 599, spaces around each code allowed.
fn model(text: &str) -> Option<Vec<(u16, u16)>> {
    let code = |s: &str| -> Option<u16> {
        let s = s.trim();
        // status.rs parses with u16's FromStr, which also takes a leading
        let digits = s;
        let valid = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        let value: u32 = digits.parse().ok().filter(|_| valid)?;
        (100..=599).contains(&value).then(|| value as u16)
    };
    text.split(',')
        .map(|item| {
            let (low, high) = match item.split_once('-') {
                Some((low, high)) => (code(low)?, code(high)?),
                None => (code(item)?, code(item)?),
            };
            (low <= high).then_some((low, high))
        })
        .collect()
}
