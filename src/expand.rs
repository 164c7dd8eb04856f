//! `${VAR}` expansion in the URL, header values and `--expect-body`.
//!
//! Exec-form `HEALTHCHECK` and Kubernetes exec probes run without a shell, so
//! nothing expands variables for us. The syntax is deliberately strict: any `$`
//! that is not `$$` or a well-formed `${...}` is an error, so that a `$PORT`
//! written for a shell, or a Kubernetes `$(VAR)` the kubelet left alone because
//! the variable was missing, is reported instead of being sent as it stands.

/// Expands `${NAME}`, `${NAME:-default}` and `$$` (a literal `$`) in `text`,
/// looking names up with `var`. The default applies when the variable is unset
/// or empty, as in POSIX shells.
pub fn expand(
    text: &str,
    var: impl Fn(&str) -> Result<Option<String>, String>,
) -> Result<String, String> {
    expand_hiding(text, 0, var)
}

/// [`expand`] for a URL: an error about a `${...}` before the URL's last
/// `@`, where a user and a password are written, quotes nothing of it, so
/// that no part of a password reaches a message.
pub fn expand_url(
    text: &str,
    var: impl Fn(&str) -> Result<Option<String>, String>,
) -> Result<String, String> {
    expand_hiding(text, text.rfind('@').unwrap_or(0), var)
}

/// [`expand`], where an error about a `${` that starts before byte
/// `secret` of `text` names no part of it.
fn expand_hiding(
    text: &str,
    secret: usize,
    var: impl Fn(&str) -> Result<Option<String>, String>,
) -> Result<String, String> {
    const HIDDEN: &str =
        "a ${...} before the URL's \"@\" (not shown: the URL's user and password are never shown)";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let Some(body) = after.strip_prefix('{') else {
            return Err(
                "a \"$\" must start ${NAME} or ${NAME:-default}; write $$ for a literal $"
                    .to_owned(),
            );
        };
        let Some(close) = body.find('}') else {
            return Err("unterminated \"${\": missing \"}\"".to_owned());
        };
        let (name, default) = match body[..close].split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (&body[..close], None),
        };
        let hidden = text.len() - rest.len() + dollar < secret;
        if !is_name(name) {
            if hidden {
                return Err(format!("{HIDDEN} holds no variable name"));
            }
            return Err(format!(
                "{:?} is not a variable name (letters, digits and _, not starting with a digit)",
                name
            ));
        }
        match (var(name)?, default) {
            (Some(value), Some(default)) if value.is_empty() => out.push_str(default),
            (Some(value), _) => out.push_str(&value),
            (None, Some(default)) => out.push_str(default),
            (None, None) if hidden => {
                return Err(format!("{HIDDEN} is not set and has no default"));
            }
            (None, None) => return Err(format!("${{{name}}} is not set and has no default")),
        }
        rest = &body[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Result<Option<String>, String> {
        Ok(match name {
            "PORT" => Some("9000".to_owned()),
            "EMPTY" => Some(String::new()),
            "TOKEN" => Some("s3cr$t".to_owned()),
            _ => None,
        })
    }

    #[test]
    fn expands_variables_defaults_and_escapes() {
        for (text, want) in [
            (
                "http://127.0.0.1:${PORT}/health",
                "http://127.0.0.1:9000/health",
            ),
            ("${MISSING:-8080}", "8080"),
            ("${PORT:-8080}", "9000"),
            ("${EMPTY:-x}", "x"),
            ("[${EMPTY}]", "[]"),
            ("${MISSING:-}", ""),
            ("$$", "$"),
            ("$${PORT}", "${PORT}"),
            ("a$$$${PORT}b", "a$${PORT}b"),
            ("Bearer ${TOKEN}", "Bearer s3cr$t"),
            ("${MISSING:-a:-b}", "a:-b"),
            ("no variables", "no variables"),
            ("ünïcödé ${PORT}", "ünïcödé 9000"),
        ] {
            assert_eq!(expand(text, env), Ok(want.to_owned()), "{text:?}");
        }
    }

    #[test]
    fn rejects_unset_variables_and_stray_dollars() {
        for (text, why) in [
            ("${MISSING}", "${MISSING} is not set and has no default"),
            (
                "$PORT",
                "a \"$\" must start ${NAME} or ${NAME:-default}; write $$ for a literal $",
            ),
            (
                "$(PORT)",
                "a \"$\" must start ${NAME} or ${NAME:-default}; write $$ for a literal $",
            ),
            (
                "cost: 5$",
                "a \"$\" must start ${NAME} or ${NAME:-default}; write $$ for a literal $",
            ),
            ("${PORT", "unterminated \"${\": missing \"}\""),
            (
                "${}",
                "\"\" is not a variable name (letters, digits and _, not starting with a digit)",
            ),
            (
                "${1X}",
                "\"1X\" is not a variable name (letters, digits and _, not starting with a digit)",
            ),
            (
                "${A-B}",
                "\"A-B\" is not a variable name (letters, digits and _, not starting with a digit)",
            ),
        ] {
            assert_eq!(expand(text, env), Err(why.to_owned()), "{text:?}");
        }
    }

    #[test]
    fn a_url_s_user_and_password_are_never_quoted() {
        for text in [
            "postgres://u:pa${SECRETWORD}ss@db/app",
            "postgres://u:pa${SECRET-WORD}ss@db/app",
            "postgres://${SECRETWORD}@db/app",
        ] {
            let why = expand_url(text, env).unwrap_err();
            assert!(!why.contains("SECRET"), "{why}");
            assert!(
                why.contains("is never shown") || why.contains("never shown"),
                "{why}"
            );
        }
        assert_eq!(
            expand_url("postgres://u:p@db:${MISSING}/app", env),
            Err("${MISSING} is not set and has no default".to_owned())
        );
    }

    #[test]
    fn passes_lookup_errors_through() {
        let failing = |_: &str| Err("HOME is not valid UTF-8".to_owned());
        assert_eq!(
            expand("${HOME}", failing),
            Err("HOME is not valid UTF-8".to_owned())
        );
    }
}
