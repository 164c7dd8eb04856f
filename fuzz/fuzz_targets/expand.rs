//! `${VAR}` expansion on arbitrary text with an arbitrary variable table.
//!
//! The input is split on NUL bytes: the first piece is the text, the others
//! are `NAME=VALUE` entries (the first entry for a name wins). A value that is
//! not UTF-8 makes the lookup fail, as `config` does for such a variable.
//!
//! What must hold: expansion never panics, looks up only valid names, agrees
//! with a straightforward model of the documented syntax, and `$$` escaping
//! round-trips any text.
#![no_main]

use std::cell::RefCell;

use healthprobe::fuzz::expand;
use libfuzzer_sys::fuzz_target;

type Table<'a> = Vec<(&'a [u8], &'a [u8])>;

fuzz_target!(|data: &[u8]| {
    let mut pieces = data.split(|&b| b == 0);
    let Some(text) = pieces.next() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let table: Table = pieces
        .filter_map(|entry| {
            let eq = entry.iter().position(|&b| b == b'=')?;
            Some((&entry[..eq], &entry[eq + 1..]))
        })
        .collect();

    let asked = RefCell::new(Vec::new());
    let recording = |name: &str| {
        asked.borrow_mut().push(name.to_owned());
        lookup(&table, name)
    };
    let got = expand(&text, recording);
    for name in asked.borrow().iter() {
        assert!(is_name(name), "looked up {name:?}");
    }
    match (&got, model(&text, &table)) {
        (Ok(got), Ok(want)) => assert_eq!(got, &want, "{text:?}"),
        (Err(_), Err(_)) => {}
        (got, want) => panic!("{text:?}: expand gave {got:?}, the model {want:?}"),
    }
    if !text.contains('$') {
        assert_eq!(got.as_deref(), Ok(&*text));
    }

    // Doubling every '$' gives text that expands to itself, whatever is set.
    let escaped = text.replace('$', "$$");
    assert_eq!(
        expand(&escaped, |name| lookup(&table, name)).as_deref(),
        Ok(&*text)
    );
});

fn lookup(table: &Table, name: &str) -> Result<Option<String>, String> {
    match table.iter().find(|(n, _)| *n == name.as_bytes()) {
        None => Ok(None),
        Some((_, value)) => match std::str::from_utf8(value) {
            Ok(value) => Ok(Some(value.to_owned())),
            Err(_) => Err(format!("{name} is not valid UTF-8")),
        },
    }
}

fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The syntax as the module documents it, written independently, one
/// character at a time. Only whether it fails is compared, not the message.
fn model(text: &str, table: &Table) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('$') => out.push('$'),
            Some('{') => {
                let mut inside = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => inside.push(c),
                        None => return Err("unterminated".to_owned()),
                    }
                }
                let (name, default) = match inside.find(":-") {
                    Some(i) => (&inside[..i], Some(&inside[i + 2..])),
                    None => (&inside[..], None),
                };
                if !is_name(name) {
                    return Err("bad name".to_owned());
                }
                match (lookup(table, name)?, default) {
                    (Some(v), Some(d)) if v.is_empty() => out.push_str(d),
                    (Some(v), _) => out.push_str(&v),
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => return Err("unset".to_owned()),
                }
            }
            _ => return Err("stray $".to_owned()),
        }
    }
    Ok(out)
}
