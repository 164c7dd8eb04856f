//! The rules of healthprobe's output line, for every line it writes: one
//! line of visible ASCII, at most [`MAX_LINE`] bytes, and anything a server
//! or the system said escaped.

use std::fmt::Write as _;

/// The most bytes of output: Podman keeps 500 characters of each check.
pub const MAX_LINE: usize = 500;

/// Makes `text` one output line: every byte outside visible ASCII becomes
/// `\xNN` (whatever a variant carries, nothing reaches a log as a control
/// character), and more than `MAX_LINE` bytes are cut, ending in `...`.
pub fn one_line(text: String) -> String {
    if text.len() <= MAX_LINE && text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return text;
    }
    let mut line = String::with_capacity(text.len().min(MAX_LINE));
    for b in text.bytes() {
        if line.len() > MAX_LINE {
            break;
        }
        match b {
            0x20..=0x7e => line.push(char::from(b)),
            _ => {
                let _ = write!(line, "\\x{b:02x}");
            }
        }
    }
    if line.len() > MAX_LINE {
        // Only ASCII was written, so any byte offset is a char boundary.
        line.truncate(MAX_LINE - 3);
        line.push_str("...");
    }
    line
}

/// An I/O error as the line words it: std's text lower-cased, without the
/// " (os error N)" it appends, which the line has no room for.
pub fn os_error_text(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_ascii_lowercase(),
        None => text,
    }
}

/// The line for a panic, which is a bug: `healthprobe: internal error:
/// <message> at <file:line> (please report this)`, as one escaped line of at
/// most `MAX_LINE` bytes, the request to report it kept even when the
/// message is cut.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub fn internal_error(message: &str, location: Option<(&str, u32)>) -> String {
    const END: &str = " (please report this)";
    let mut text = format!("healthprobe: internal error: {message}");
    if let Some((file, line)) = location {
        let _ = write!(text, " at {file}:{line}");
    }
    let mut line = one_line(text);
    if line.len() + END.len() > MAX_LINE {
        line.truncate(MAX_LINE - END.len() - 3);
        line.push_str("...");
    }
    line.push_str(END);
    line
}

/// Quotes bytes the server sent, so that nothing it controls reaches a log
/// as anything but visible ASCII: control characters, escape sequences and
/// non-ASCII bytes become `\xNN`, and more than `max` bytes end in `...`.
pub fn quoted(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max) + 2);
    out.push('"');
    for &b in bytes.iter().take(max) {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    if bytes.len() > max {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_leaves_only_visible_ascii() {
        assert_eq!(quoted(b"ok", 10), "\"ok\"");
        assert_eq!(
            quoted(b"\x1b[31mred\x07\r\n\"\\", 40),
            r#""\x1b[31mred\x07\r\n\"\\""#
        );
        assert_eq!(quoted("é".as_bytes(), 10), r#""\xc3\xa9""#);
        assert_eq!(quoted(b"abcdef", 3), "\"abc\"...");
    }

    #[test]
    fn internal_errors_are_one_line_that_asks_for_a_report() {
        assert_eq!(
            internal_error("boom\nbang", Some(("src/x.rs", 7))),
            r"healthprobe: internal error: boom\x0abang at src/x.rs:7 (please report this)"
        );
        let long = internal_error(&"\u{7}".repeat(400), None);
        assert_eq!(long.len(), MAX_LINE);
        assert!(long.ends_with("... (please report this)"), "{long}");
        assert!(long.bytes().all(|b| (0x20..0x7f).contains(&b)));
    }
}
