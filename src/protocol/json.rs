//! `--expect-json EXPR`: what a JSON health document must say, in a small
//! subset of jq's syntax. Parsing and evaluation are pure; the body is read
//! by the HTTP prober, parsed by serde_json, and judged here.
//!
//! ```text
//! EXPR  := PATH [OP VALUE]
//! PATH  := "." | ("." NAME | "." STRING | "[" INT "]" | ".[" INT "]")+
//! OP    := "==" | "!=" | "<" | "<=" | ">" | ">="
//! VALUE := a JSON value, or a bare word taken as a string
//! ```
//!
//! `PATH` alone holds when the value exists and is neither `false` nor
//! `null`, as jq's truthiness has it.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use super::Words;
use crate::line::quoted;
use crate::setting::{Names, Setting};

/// How many bytes of a found value the line shows.
const FOUND_SHOWN: usize = 100;
/// How many bytes of a body that is not JSON the line shows.
const START_SHOWN: usize = 60;

/// Why a body fails a JSON check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonProblem {
    /// The body is not JSON.
    #[non_exhaustive]
    NotJson {
        /// The parser's reason.
        why: String,
        /// The byte offset where it gave up.
        offset: usize,
        /// The start of the body.
        start: Vec<u8>,
    },
    /// The body is longer than `limit` bytes.
    #[non_exhaustive]
    TooLong {
        /// The most bytes parsed.
        limit: usize,
    },
    /// Nothing is at `path`.
    #[non_exhaustive]
    Missing {
        /// The path, as in `.checks[0].status`.
        path: String,
        /// What the value before it is, when it cannot be indexed that way.
        because: Option<String>,
    },
    /// The value at `path` does not satisfy the expression.
    #[non_exhaustive]
    Mismatch {
        /// The path.
        path: String,
        /// The value found, as JSON.
        found: String,
        /// What the expression expects, as in `== "UP"`.
        expected: String,
    },
    /// An ordering comparison found a value that is not a number.
    #[non_exhaustive]
    NotANumber {
        /// The path.
        path: String,
        /// The value found, as JSON.
        found: String,
        /// What the expression expects, as in `< 50`.
        expected: String,
    },
}

impl Words for JsonProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        names: &Names,
    ) -> fmt::Result {
        match self {
            JsonProblem::NotJson { why, offset, start } => write!(
                f,
                "the body is not JSON ({why} at byte {offset}): {}",
                quoted(start, 60)
            )?,
            JsonProblem::TooLong { limit } => write!(
                f,
                "the body is longer than the {} KiB {} reads",
                limit / 1024,
                names.option(Setting::ExpectJson)
            )?,
            JsonProblem::Missing { path, because } => {
                write!(f, "{path} is missing")?;
                if let Some(because) = because {
                    write!(f, ": {because}")?;
                }
            }
            JsonProblem::Mismatch {
                path,
                found,
                expected,
            } => write!(f, "{path} is {found}, expected {expected}")?,
            JsonProblem::NotANumber {
                path,
                found,
                expected,
            } => write!(f, "{path} is {found}, not a number, expected {expected}")?,
        }
        write!(f, ", from {peer}")
    }
}

/// One parsed `--expect-json` expression.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectJson {
    path: Vec<Segment>,
    test: Test,
}

/// Expressions hold JSON values, whose floats have no total equality; two
/// expressions are equal when they are the same expression.
impl Eq for ExpectJson {}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Name(String),
    /// An array index; negative counts from the end (`-1` is the last).
    Index(i64),
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    /// Exists and is neither false nor null.
    Truthy,
    Compare(Op, Value),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

impl ExpectJson {
    /// Parses an expression; the error says what was expected and at which
    /// column (1-based, in characters).
    pub fn parse(text: &str) -> Result<ExpectJson, String> {
        let mut parser = Parser { text, at: 0 };
        parser.skip_space();
        let path = parser.path()?;
        parser.skip_space();
        if parser.rest().is_empty() {
            return Ok(ExpectJson {
                path,
                test: Test::Truthy,
            });
        }
        let op = parser.op()?;
        parser.skip_space();
        let value = parser.value(op)?;
        Ok(ExpectJson {
            path,
            test: Test::Compare(op, value),
        })
    }

    /// Judges one document.
    pub fn check(&self, document: &Value) -> Result<(), JsonProblem> {
        let mut value = document;
        for (i, segment) in self.path.iter().enumerate() {
            let next = match (segment, value) {
                (Segment::Name(name), Value::Object(map)) => map.get(name),
                (Segment::Index(index), Value::Array(items)) => {
                    let len = items.len() as i64;
                    let at = if *index < 0 { len + index } else { *index };
                    usize::try_from(at).ok().and_then(|at| items.get(at))
                }
                _ => None,
            };
            let Some(next) = next else {
                let because = match (segment, value) {
                    (Segment::Name(_), Value::Object(_)) | (Segment::Index(_), Value::Array(_)) => {
                        None
                    }
                    (_, other) => Some(format!(
                        "{} is {}",
                        render_path(&self.path[..i]),
                        kind(other)
                    )),
                };
                return Err(JsonProblem::Missing {
                    path: render_path(&self.path[..=i]),
                    because,
                });
            };
            value = next;
        }
        let path = render_path(&self.path);
        match &self.test {
            Test::Truthy if !matches!(value, Value::Null | Value::Bool(false)) => Ok(()),
            Test::Truthy => Err(JsonProblem::Mismatch {
                path,
                found: shown(value),
                expected: "a value other than false or null".to_owned(),
            }),
            Test::Compare(op, wanted) => {
                let holds = match op {
                    Op::Eq => Some(json_eq(value, wanted)),
                    Op::Ne => Some(!json_eq(value, wanted)),
                    _ => number_cmp(value, wanted).map(|order| match op {
                        Op::Lt => order == Ordering::Less,
                        Op::Le => order != Ordering::Greater,
                        Op::Gt => order == Ordering::Greater,
                        _ => order != Ordering::Less,
                    }),
                };
                let expected = format!("{} {}", op.as_str(), shown(wanted));
                match holds {
                    Some(true) => Ok(()),
                    Some(false) => Err(JsonProblem::Mismatch {
                        path,
                        found: shown(value),
                        expected,
                    }),
                    None => Err(JsonProblem::NotANumber {
                        path,
                        found: shown(value),
                        expected,
                    }),
                }
            }
        }
    }
}

/// Renders the expression as it is judged (for `--help`-like messages and
/// tests): the path normalized, the value as JSON.
impl fmt::Display for ExpectJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_path(&self.path))?;
        match &self.test {
            Test::Truthy => Ok(()),
            Test::Compare(op, value) => write!(f, " {} {value}", op.as_str()),
        }
    }
}

impl ExpectJson {
    /// For the fuzz target: the same expression, but for floats that may
    /// differ in their last place. serde_json (without its 24 KB
    /// `float_roundtrip` feature) parses a float to within one unit in the
    /// last place of the nearest double, not always to the nearest; the
    /// document and the expression go through the same parser, so their
    /// comparisons agree.
    #[cfg(fuzzing)]
    pub fn same_but_for_float_rounding(&self, other: &ExpectJson) -> bool {
        fn close(a: &Value, b: &Value) -> bool {
            match (a, b) {
                (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
                    let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                    (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
                }
                (Value::Array(x), Value::Array(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y))
                }
                (Value::Object(x), Value::Object(y)) => {
                    x.len() == y.len()
                        && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
                }
                _ => a == b,
            }
        }
        self.path == other.path
            && match (&self.test, &other.test) {
                (Test::Truthy, Test::Truthy) => true,
                (Test::Compare(a, x), Test::Compare(b, y)) => a == b && close(x, y),
                _ => false,
            }
    }
}

/// Parses `body` as one JSON document and judges every expression, the
/// first that fails deciding the answer.
pub fn check_all(expressions: &[ExpectJson], body: &[u8]) -> Result<(), JsonProblem> {
    let document: Value = match serde_json::from_slice(body) {
        Ok(document) => document,
        Err(e) => return Err(not_json(&e, body)),
    };
    expressions.iter().try_for_each(|e| e.check(&document))
}

/// serde_json reports a line and a column (in bytes, 1-based); the line
/// gives the byte offset, which stays meaningful for a one-line body.
fn not_json(error: &serde_json::Error, body: &[u8]) -> JsonProblem {
    let mut offset = 0;
    for (n, line) in body.split(|&b| b == b'\n').enumerate() {
        if n + 1 == error.line() {
            offset += error.column().saturating_sub(1).min(line.len());
            break;
        }
        offset += line.len() + 1;
    }
    let offset = offset.min(body.len());
    let text = error.to_string();
    let why = match text.find(" at line ") {
        Some(cut) => &text[..cut],
        None => text.as_str(),
    };
    let why = match why {
        "expected value" => "expected a value",
        other => other,
    };
    JsonProblem::NotJson {
        why: why.to_owned(),
        offset,
        // One byte more than is shown, so that the line says it goes on.
        start: body[..body.len().min(START_SHOWN + 1)].to_vec(),
    }
}

/// JSON equality, with numbers compared by value: `1 == 1.0`.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => number_cmp(a, b) == Some(Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Orders two numbers: exactly when both are integers, else as floats.
fn number_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    let (Value::Number(a), Value::Number(b)) = (a, b) else {
        return None;
    };
    let integer = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    if let (Some(a), Some(b)) = (integer(a), integer(b)) {
        return Some(a.cmp(&b));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// A value as compact JSON, cut to [`FOUND_SHOWN`] bytes.
fn shown(value: &Value) -> String {
    let mut text = value.to_string();
    if text.len() > FOUND_SHOWN {
        let mut cut = FOUND_SHOWN;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    text
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn render_path(path: &[Segment]) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let mut out = String::new();
    // jq writes an index on the whole document as `.[0]`; `[0]` alone is
    // not a path.
    if let Some(Segment::Index(_)) = path.first() {
        out.push('.');
    }
    for segment in path {
        match segment {
            Segment::Name(name) if is_identifier(name) => {
                out.push('.');
                out.push_str(name);
            }
            Segment::Name(name) => {
                out.push('.');
                out.push_str(&Value::String(name.clone()).to_string());
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// jq's identifiers: a letter or `_`, then letters, digits or `_`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

struct Parser<'a> {
    text: &'a str,
    /// A byte offset into `text`, always on a char boundary.
    at: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    /// An error at the current position.
    fn error(&self, what: &str) -> String {
        let column = self.text[..self.at].chars().count() + 1;
        format!("at column {column}, {what}")
    }

    fn path(&mut self) -> Result<Vec<Segment>, String> {
        if self.peek() != Some('.') {
            return Err(self.error("expected a path starting with \".\", like .status"));
        }
        self.at += 1;
        let mut path = Vec::new();
        // Right after the leading ".": a name, a string, an index, or the end.
        match self.peek() {
            Some('[') => path.push(self.index()?),
            Some('"') => path.push(Segment::Name(self.string()?)),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => path.push(self.name()),
            _ => return Ok(path),
        }
        loop {
            match self.peek() {
                Some('[') => path.push(self.index()?),
                Some('.') => {
                    self.at += 1;
                    match self.peek() {
                        Some('[') => path.push(self.index()?),
                        Some('"') => path.push(Segment::Name(self.string()?)),
                        Some(c) if c.is_ascii_alphabetic() || c == '_' => path.push(self.name()),
                        _ => {
                            return Err(
                                self.error("expected a name, a quoted name or [N] after \".\"")
                            );
                        }
                    }
                }
                _ => return Ok(path),
            }
        }
    }

    fn name(&mut self) -> Segment {
        let rest = self.rest();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = rest[..end].to_owned();
        self.at += end;
        Segment::Name(name)
    }

    /// A JSON string: serde_json reads the escapes.
    fn string(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        match stream.next() {
            Some(Ok(name)) => {
                self.at += stream.byte_offset();
                Ok(name)
            }
            _ => Err(self.error("expected a complete \"quoted name\"")),
        }
    }

    fn index(&mut self) -> Result<Segment, String> {
        self.at += 1; // [
        let rest = self.rest();
        let end = rest.find(']').unwrap_or(rest.len());
        let digits = rest[..end].trim();
        let index = digits
            .strip_prefix('-')
            .unwrap_or(digits)
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse::<i64>().ok())
            .flatten()
            .filter(|_| end < rest.len());
        match index {
            Some(index) => {
                self.at += end + 1;
                Ok(Segment::Index(index))
            }
            None => Err(self.error("expected an array index like [0] or [-1]")),
        }
    }

    fn op(&mut self) -> Result<Op, String> {
        let rest = self.rest();
        for (text, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if rest.starts_with(text) {
                self.at += text.len();
                return Ok(op);
            }
        }
        let hint = match rest.chars().next() {
            Some('-' | ':' | '/' | '@') => {
                "; quote a name with such characters, as in .\"db-primary\""
            }
            _ => "",
        };
        Err(self.error(&format!(
            "expected ==, !=, <, <=, > or >= after the path, or nothing{hint}"
        )))
    }

    fn value(&mut self, op: Op) -> Result<Value, String> {
        let rest = self.rest().trim_end();
        if rest.is_empty() {
            return Err(self.error(&format!("expected a value after {}", op.as_str())));
        }
        if let Ok(value) = serde_json::from_str::<Value>(rest) {
            return Ok(value);
        }
        // A bare word is a string, so `.status == UP` works unquoted.
        let bare = rest
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/' | '+'))
            && !rest.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
        if bare {
            return Ok(Value::String(rest.to_owned()));
        }
        Err(self
            .error("expected a JSON value (\"text\", a number, true, false, null) or a bare word"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ExpectJson {
        ExpectJson::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn check(expr: &str, body: &str) -> Result<(), JsonProblem> {
        check_all(&[parse(expr)], body.as_bytes())
    }

    #[test]
    fn paths_take_names_quoted_names_and_indexes() {
        for (text, shown) in [
            (".", "."),
            (" . ", "."),
            (".status", ".status"),
            (".components.db.status", ".components.db.status"),
            (
                r#"."name with spaces"."a.b""#,
                r#"."name with spaces"."a.b""#,
            ),
            (".checks[0].status", ".checks[0].status"),
            (".[0]", ".[0]"),
            (".[0][1].a", ".[0][1].a"),
            (".a.[-1]", ".a[-1]"),
            (".a[1][2]", ".a[1][2]"),
            (r#"."caf\u00e9""#, r#"."café""#),
        ] {
            assert_eq!(parse(text).to_string(), shown, "{text:?}");
        }
    }

    #[test]
    fn operators_and_values() {
        for (text, shown) in [
            (r#".status == "UP""#, r#".status == "UP""#),
            (".status==UP", r#".status == "UP""#),
            (".status != DOWN", r#".status != "DOWN""#),
            (".n < 5", ".n < 5"),
            (".n<=5.5", ".n <= 5.5"),
            (".n > -1", ".n > -1"),
            (".n >= 1e3", ".n >= 1000.0"),
            (".ok == true", ".ok == true"),
            (".x == null", ".x == null"),
            (r#".a == [1, "x"]"#, r#".a == [1,"x"]"#),
        ] {
            assert_eq!(parse(text).to_string(), shown, "{text:?}");
        }
    }

    #[test]
    fn malformed_expressions_point_at_the_column() {
        for (text, want) in [
            (
                "status",
                "at column 1, expected a path starting with \".\", like .status",
            ),
            (
                "",
                "at column 1, expected a path starting with \".\", like .status",
            ),
            (
                ".status =! UP",
                "at column 9, expected ==, !=, <, <=, > or >= after the path, or nothing",
            ),
            (
                ".db-primary",
                "at column 4, expected ==, !=, <, <=, > or >= after the path, or nothing; quote a name with such characters, as in .\"db-primary\"",
            ),
            (
                ".a.",
                "at column 4, expected a name, a quoted name or [N] after \".\"",
            ),
            (
                ".a[x]",
                "at column 4, expected an array index like [0] or [-1]",
            ),
            (
                ".a[1",
                "at column 4, expected an array index like [0] or [-1]",
            ),
            (
                ".a[99999999999999999999]",
                "at column 4, expected an array index like [0] or [-1]",
            ),
            (
                r#"."open"#,
                "at column 2, expected a complete \"quoted name\"",
            ),
            (".a ==", "at column 6, expected a value after =="),
            (
                r#".a == "open"#,
                "at column 7, expected a JSON value (\"text\", a number, true, false, null) or a bare word",
            ),
            (
                ".a == 01",
                "at column 7, expected a JSON value (\"text\", a number, true, false, null) or a bare word",
            ),
            (
                ".v == 1.2.3",
                "at column 7, expected a JSON value (\"text\", a number, true, false, null) or a bare word",
            ),
            (
                ".a == two words",
                "at column 7, expected a JSON value (\"text\", a number, true, false, null) or a bare word",
            ),
            (
                "é.a",
                "at column 1, expected a path starting with \".\", like .status",
            ),
            (
                ".é",
                "at column 2, expected ==, !=, <, <=, > or >= after the path, or nothing",
            ),
        ] {
            assert_eq!(ExpectJson::parse(text).unwrap_err(), want, "{text:?}");
        }
    }

    const SPRING: &str = r#"{"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL"}},"diskSpace":{"status":"UP","details":{"total":499963174912,"free":91300651008}}}}"#;

    #[test]
    fn every_form_holds_or_fails_as_jq_would() {
        assert_eq!(check(".", SPRING), Ok(()));
        assert_eq!(check(".status", SPRING), Ok(()));
        assert_eq!(check(".components.db.status == UP", SPRING), Ok(()));
        assert_eq!(
            check(".components.diskSpace.details.free > 1000000", SPRING),
            Ok(())
        );
        assert_eq!(check(".n == 1", r#"{"n": 1.0}"#), Ok(()));
        assert_eq!(check(".n == 1.0", r#"{"n": 1}"#), Ok(()));
        assert_eq!(check(".n != 2", r#"{"n": 1}"#), Ok(()));
        assert_eq!(
            check(".a == [1, {\"b\": 2}]", r#"{"a": [1.0, {"b": 2.0}]}"#),
            Ok(())
        );
        assert_eq!(
            check(
                ".big < 18446744073709551615",
                r#"{"big": 18446744073709551614}"#
            ),
            Ok(())
        );
        assert_eq!(check(".neg >= -5", r#"{"neg": -5}"#), Ok(()));
        assert_eq!(check(".x[-1] == 3", r#"{"x": [1, 2, 3]}"#), Ok(()));
        assert_eq!(check(".[0].ok", r#"[{"ok": 1}]"#), Ok(()));
        assert_eq!(check(".s == \"a\\nb\"", r#"{"s": "a\nb"}"#), Ok(()));
    }

    #[test]
    fn failures_say_what_was_found() {
        let mismatch = |path: &str, found: &str, expected: &str| {
            Err(JsonProblem::Mismatch {
                path: path.into(),
                found: found.into(),
                expected: expected.into(),
            })
        };
        assert_eq!(
            check(".status == UP", r#"{"status":"DOWN"}"#),
            mismatch(".status", "\"DOWN\"", "== \"UP\"")
        );
        assert_eq!(
            check(".ready", r#"{"ready":false}"#),
            mismatch(".ready", "false", "a value other than false or null")
        );
        assert_eq!(
            check(".ready", r#"{"ready":null}"#),
            mismatch(".ready", "null", "a value other than false or null")
        );
        assert_eq!(check(".n < 5", r#"{"n":7}"#), mismatch(".n", "7", "< 5"));
        assert_eq!(
            check(".n < 5", r#"{"n":"7"}"#),
            Err(JsonProblem::NotANumber {
                path: ".n".into(),
                found: "\"7\"".into(),
                expected: "< 5".into()
            })
        );
        assert_eq!(
            check(".components.db.status == UP", r#"{"components":{}}"#),
            Err(JsonProblem::Missing {
                path: ".components.db".into(),
                because: None
            })
        );
        assert_eq!(
            check(".a.b", r#"{"a":"text"}"#),
            Err(JsonProblem::Missing {
                path: ".a.b".into(),
                because: Some(".a is a string".into())
            })
        );
        assert_eq!(
            check(".x[3]", r#"{"x":[1]}"#),
            Err(JsonProblem::Missing {
                path: ".x[3]".into(),
                because: None
            })
        );
        assert_eq!(
            check(".x[-2]", r#"{"x":[1]}"#),
            Err(JsonProblem::Missing {
                path: ".x[-2]".into(),
                because: None
            })
        );
        let long = format!(r#"{{"s":"{}"}}"#, "x".repeat(300));
        match check(".s == y", &long) {
            Err(JsonProblem::Mismatch { found, .. }) => assert_eq!(found.len(), FOUND_SHOWN + 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_first_failing_expression_decides() {
        let all = [
            parse(".status == UP"),
            parse(".components.db.status == DOWN"),
            parse(".nope"),
        ];
        match check_all(&all, SPRING.as_bytes()) {
            Err(JsonProblem::Mismatch { path, .. }) => assert_eq!(path, ".components.db.status"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bodies_that_are_not_json_give_the_byte_offset() {
        let not_json = |body: &str| match check_all(&[parse(".")], body.as_bytes()) {
            Err(JsonProblem::NotJson { why, offset, start }) => (why, offset, start),
            other => panic!("{body:?}: {other:?}"),
        };
        assert_eq!(not_json("<html>").0, "expected a value");
        assert_eq!(not_json("<html>").1, 0);
        assert_eq!(not_json("").1, 0);
        let (why, offset, _) = not_json("{\n  \"a\": 1,\n  \"b\" 2\n}");
        assert_eq!((why.as_str(), offset), ("expected `:`", 18));
        assert_eq!(not_json("{} x").0, "trailing characters");
        assert_eq!(not_json("Healthy").0, "expected a value");
        let (_, _, start) = not_json(&"<".repeat(200));
        assert_eq!(start.len(), START_SHOWN + 1);
    }

    #[test]
    fn deep_nesting_and_huge_numbers_do_not_crash() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(matches!(
            check_all(&[parse(".")], deep.as_bytes()),
            Err(JsonProblem::NotJson { .. })
        ));
        let huge = format!("{{\"n\": 1{}}}", "0".repeat(400));
        assert!(matches!(
            check_all(&[parse(".n > 1")], huge.as_bytes()),
            Err(JsonProblem::NotJson { .. })
        ));
        let long = format!("{{\"n\": 1{}}}", "0".repeat(30));
        assert_eq!(check_all(&[parse(".n > 1")], long.as_bytes()), Ok(()));
    }
}
