//! The docs, held to the code: the README's length and its table of kinds,
//! a page per kind, no issue numbers, the options table, the man page
//! generated from the one declaration of options and kinds, and every
//! command line, HEALTHCHECK, Compose `test:` and Kubernetes `command:` in
//! the docs and the example files parsed as healthprobe would parse it.
//!
//! `HEALTHPROBE_BLESS=1 cargo test --lib docs` writes the man page again
//! after a change to an option or a kind; without it a stale page fails.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::options::{INTRO, OPTIONS, OUTRO, SECTIONS, TARGETS_VAR};
use crate::declared::KINDS;

/// The README's most lines: what it holds is said in minutes, and the rest
/// is in docs/.
const README_LINES: usize = 400;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README and every page under docs/, by their path from the root.
fn markdown() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut paths = vec![root().join("README.md")];
    walk(&root().join("docs"), &mut paths);
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            (name, read(path))
        })
        .collect()
}

/// The rows of the Markdown table whose header row is `header`.
fn table<'t>(text: &'t str, header: &str) -> Vec<&'t str> {
    let start = text
        .find(header)
        .unwrap_or_else(|| panic!("no table {header}"));
    text[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect()
}

#[test]
fn the_readme_is_read_in_minutes() {
    let lines = read(&root().join("README.md")).lines().count();
    assert!(
        lines <= README_LINES,
        "README.md has {lines} lines, over {README_LINES}: move the detail to docs/"
    );
}

/// An issue number is `#` and digits after a space or a bracket: history,
/// which CHANGELOG.md holds. `PKCS#8` and `owner/repo#123` (a citation of
/// another project's tracker) are not.
#[test]
fn no_issue_number_appears_in_the_docs() {
    for (name, text) in markdown() {
        for (n, line) in text.lines().enumerate() {
            let bytes = line.as_bytes();
            for (i, _) in line.match_indices('#') {
                let digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                let after_word =
                    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'/');
                assert!(
                    !digit || after_word,
                    "{name}:{}: an issue number, which is history (CHANGELOG.md): {line}",
                    n + 1
                );
            }
        }
    }
}

/// Every kind the declaration holds has its page, docs/kinds/NAME.md (NAME
/// its first scheme), and its row in the README's table, which links the
/// page and names each of its schemes; and the table has no other row.
#[test]
fn every_kind_has_a_page_and_a_row_in_the_readme() {
    let readme = read(&root().join("README.md"));
    let rows = table(&readme, "| kind | URL | healthy when | login |");
    let kinds: Vec<_> = KINDS.iter().filter(|k| !k.forms.is_empty()).collect();
    assert_eq!(rows.len(), kinds.len(), "the README's table of kinds");
    for (kind, row) in kinds.iter().zip(&rows) {
        let name = kind.forms[0].name;
        let page = format!("docs/kinds/{name}.md");
        assert!(
            root().join(&page).is_file(),
            "{} has no page: {page}",
            kind.title
        );
        assert!(
            row.starts_with(&format!("| [{}]({page}) |", kind.title)),
            "the README's row for {} should link {page}: {row}",
            kind.title
        );
        let urls = row.split(" | ").nth(1).unwrap_or_default();
        for form in kind.forms {
            for spelling in std::iter::once(&form.name).chain(form.spellings) {
                assert!(
                    urls.contains(&format!("`{spelling}://`")),
                    "the README's row for {} should name {spelling}://: {row}",
                    kind.title
                );
            }
        }
    }
}

/// docs/options.md's table says what [`OPTIONS`] declares: each option has
/// a row with its variable, and an option for some kinds names exactly the
/// schemes that take it.
#[test]
fn the_table_of_options_agrees_with_the_declaration() {
    use super::options::Section;
    use crate::setting::Setting;
    use crate::spec::Scheme;
    let page = read(&root().join("docs/options.md"));
    let rows: Vec<Vec<&str>> = table(&page, "| option | variable | default | meaning |")
        .into_iter()
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    for opt in OPTIONS {
        let named = |cell: &str| {
            let flags = cell.trim_matches('`');
            let long = flags.split(", ").last().unwrap_or_default();
            long.split(' ').next() == Some(opt.long)
        };
        let row = rows.iter().find(|r| named(r[0]));
        let row = row.unwrap_or_else(|| panic!("docs/options.md has no row for {}", opt.long));
        if let Some(short) = opt.short {
            assert!(row[0].starts_with(&format!("`{short}, ")), "{}", row[0]);
        }
        let var = opt.var.map(|v| format!("`{v}`")).unwrap_or_default();
        assert_eq!(row[1], var, "docs/options.md's variable for {}", opt.long);
        let Some(setting) = opt.makes.setting() else {
            continue;
        };
        // The options of some kinds, by their section, and the socket;
        // the HTTP options are in the HTTP part.
        let some = matches!(opt.section, Section::Grpc | Section::Tls | Section::File);
        if some || setting == Setting::UnixSocket {
            let taking: Vec<Scheme> = Scheme::ALL
                .into_iter()
                .filter(|s| s.takes(setting))
                .collect();
            let kinds = format!("({})", Scheme::listed(&taking, ", ", ", "));
            assert!(
                row[3].ends_with(&kinds),
                "docs/options.md's row for {} should end with {kinds}: {}",
                opt.long,
                row[3]
            );
        }
    }
}

/// Text for roff: backslashes and hyphens escaped, and a line that would
/// start with a control character made plain.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|line| match line.chars().next() {
            Some('.' | '\'') => format!("\\&{line}"),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The man page, from the declaration: the help's introduction, every kind's
/// lines, every option in its section with its variable and default, and
/// the exit statuses.
fn man_page() -> String {
    let mut out = String::new();
    out += ".\\\" Generated from healthprobe's declaration of its options and kinds\n";
    out += ".\\\" (src/cli/options.rs, src/declared.rs) by src/cli/docs.rs:\n";
    out += ".\\\" HEALTHPROBE_BLESS=1 cargo test --lib docs. Do not edit.\n";
    out += &format!(
        ".TH HEALTHPROBE 1 \"\" \"healthprobe {}\" \"User Commands\"\n",
        env!("CARGO_PKG_VERSION")
    );
    out += ".SH NAME\nhealthprobe \\- a health probe for containers with no shell\n";
    out += ".SH SYNOPSIS\n.B healthprobe\n[\\fIOPTIONS\\fR] [\\fITARGET\\fR...] [\\fB\\-\\-\\fR \\fICOMMAND\\fR [\\fIARGS\\fR...]]\n.br\n.B healthprobe install\n\\fIDIR\\fR\n";
    // The introduction's paragraph: after the usage lines, before the
    // targets.
    let intro = INTRO.split("\n\n").nth(2).unwrap_or_default();
    out += &format!(".SH DESCRIPTION\n{}\n", roff(intro));
    out += ".SH TARGETS\nEach kind's URL forms, and when it is healthy:\n.PP\n.nf\n";
    for kind in KINDS {
        out += &roff(kind.help.trim_end_matches('\n'));
        if !kind.help.is_empty() {
            out += "\n";
        }
    }
    out += &format!(
        ".fi\n.PP\nThe targets may also be given in \\fB{}\\fR, separated by whitespace.\n",
        roff(TARGETS_VAR)
    );
    out += ".SH OPTIONS\n";
    for (section, title) in SECTIONS {
        out += &format!(".SS {}\n", roff(&title.replace('\n', " ")));
        for opt in OPTIONS.iter().filter(|o| o.section as u8 == *section as u8) {
            let mut flags = String::new();
            if let Some(short) = opt.short {
                flags += &format!("\\fB{}\\fR, ", roff(short));
            }
            flags += &format!("\\fB{}\\fR", roff(opt.long));
            if !opt.arg.is_empty() {
                flags += &format!(" \\fI{}\\fR", roff(opt.arg));
            }
            out += &format!(".TP\n{flags}\n{}\n", roff(&opt.help.replace('\n', " ")));
            let var = opt
                .var
                .map(|v| format!("Environment: \\fB{}\\fR. ", roff(v)))
                .unwrap_or_default();
            out += &format!("{var}Default: {}.\n", roff(opt.default));
        }
    }
    out += ".SH EXIT STATUS\n";
    for (code, meaning) in [
        ("0", "Every target is healthy."),
        ("1", "A target is unhealthy, whatever the cause."),
        (
            "64",
            "A usage or configuration error, or a command after -- that cannot run.",
        ),
        (
            "128+N",
            "Stopped by signal N while waiting (143 for SIGTERM, 130 for SIGINT).",
        ),
    ] {
        out += &format!(".TP\n{}\n{}\n", roff(code), roff(meaning));
    }
    out += &format!(".SH NOTES\n{}\n", roff(OUTRO.trim()));
    out += ".SH SEE ALSO\nThe documentation in docs/ of healthprobe's source: a page per kind,\ndeploying under Docker, Compose and Kubernetes, and the library.\n";
    out
}

#[test]
fn the_man_page_is_generated_from_the_declaration() {
    let path = root().join("docs/healthprobe.1");
    let made = man_page();
    if std::env::var_os("HEALTHPROBE_BLESS").is_some() {
        fs::write(&path, &made).unwrap();
    }
    let kept = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        kept == made,
        "docs/healthprobe.1 is stale: run HEALTHPROBE_BLESS=1 cargo test --lib docs and commit it"
    );
}

/// One example command found in a docs file: where, its words, and whether
/// the docs say it is refused (a trailing comment naming exit 64).
struct Example {
    at: String,
    argv: Vec<String>,
    refused: bool,
}

/// The words of a shell command line, as sh splits them: single quotes,
/// double quotes with `\"` and `\\`, a backslash outside quotes; a `#` that
/// starts a word begins a comment, returned apart.
fn shell_words(line: &str) -> (Vec<String>, String) {
    let (mut words, mut word, mut in_word) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$')) => {
                            word.push(chars.next().unwrap());
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            '#' if !in_word => return (words, chars.collect()),
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    (words, String::new())
}

/// A JSON array of strings, as exec forms write a command.
fn json_strings(text: &str) -> Option<Vec<String>> {
    let mut chars = text.trim().chars().peekable();
    let skip = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
    };
    chars.next_if_eq(&'[')?;
    let mut strings = Vec::new();
    loop {
        skip(&mut chars);
        if chars.next_if_eq(&']').is_some() {
            skip(&mut chars);
            return chars.next().is_none().then_some(strings);
        }
        chars.next_if_eq(&'"')?;
        let mut s = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        s.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    c => s.push(c),
                },
                c => s.push(c),
            }
        }
        strings.push(s);
        skip(&mut chars);
        chars.next_if_eq(&',');
    }
}

/// The names healthprobe answers to, as a path's last part.
fn is_probe(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or_default();
    matches!(name, "healthprobe" | "curl" | "wget" | "grpc_health_probe")
}

/// A line of a Markdown page, with the code block it stands in.
enum Line<'t> {
    /// A fence that opens a block of this kind (its info string).
    Open(&'t str),
    /// A fence that closes one.
    Close,
    /// A line in a block of this kind, or outside any (`None`).
    In(Option<&'t str>, &'t str),
}

/// Each line of `text`, numbered from 1, with the block it stands in.
fn lines(text: &str) -> Vec<(usize, Line<'_>)> {
    let mut fence = None;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = match line.trim_start().strip_prefix("```") {
            Some(info) => match fence.take() {
                None => {
                    let kind = info.trim_start_matches('`').trim();
                    fence = Some(kind);
                    Line::Open(kind)
                }
                Some(_) => Line::Close,
            },
            None => Line::In(fence, line),
        };
        out.push((n + 1, line));
    }
    out
}

/// Every example in `text` (a Markdown page, or an example file of the
/// kind `whole` says): shell lines in `sh` blocks, `CMD [...]` and
/// `ENTRYPOINT [...]` in Dockerfiles, and `test:`, `command:`,
/// `entrypoint:` and `args:` lists in YAML. A list whose first word is not
/// a probe is the release image's arguments (`args: ["--wait", ...]`).
fn examples(name: &str, text: &str, whole: Option<&str>) -> Vec<Example> {
    let mut found = Vec::new();
    let numbered = match whole {
        Some(kind) => text
            .lines()
            .enumerate()
            .map(|(n, line)| (n + 1, Line::In(Some(kind), line)))
            .collect(),
        None => lines(text),
    };
    let mut pending = String::new();
    let mut start = 0;
    for (n, line) in numbered {
        let (kind, line) = match line {
            Line::In(Some(kind), line) => (kind, line),
            _ => {
                pending.clear();
                continue;
            }
        };
        if pending.is_empty() {
            start = n;
        }
        pending += line.trim_end_matches('\\');
        pending.push(' ');
        let open = match kind {
            // A list that goes on to the next line.
            "yaml" => pending.contains('[') && !pending.trim_end().ends_with(']'),
            _ => line.ends_with('\\'),
        };
        if open {
            continue;
        }
        let logical = std::mem::take(&mut pending);
        let at = format!("{name}:{start}");
        match kind {
            "sh" => {
                let (words, comment) = shell_words(&logical);
                if words.first().is_some_and(|w| is_probe(w)) {
                    found.push(Example {
                        at,
                        argv: words,
                        refused: comment.contains("exit 64"),
                    });
                }
            }
            "dockerfile" => {
                let list = ["CMD [", "ENTRYPOINT ["]
                    .iter()
                    .find_map(|k| logical.find(k).map(|i| &logical[i + k.len() - 1..]));
                if let Some(argv) = list.and_then(json_strings) {
                    if argv.first().is_some_and(|w| is_probe(w)) {
                        found.push(Example {
                            at,
                            argv,
                            refused: false,
                        });
                    }
                }
            }
            "yaml" => {
                let trimmed = logical.trim_start().trim_start_matches("- ");
                let list = ["test: ", "command: ", "entrypoint: ", "args: "]
                    .iter()
                    .find_map(|k| trimmed.strip_prefix(k));
                let Some(mut argv) = list.and_then(json_strings) else {
                    continue;
                };
                if trimmed.starts_with("test: ") {
                    if argv.first().map(String::as_str) != Some("CMD") {
                        continue;
                    }
                    argv.remove(0);
                }
                if argv.first().is_some_and(|w| is_probe(w)) {
                    found.push(Example {
                        at,
                        argv,
                        refused: false,
                    });
                } else if trimmed.starts_with("args: ")
                    || argv.first().is_some_and(|w| w == "install")
                {
                    argv.insert(0, "healthprobe".to_owned());
                    found.push(Example {
                        at,
                        argv,
                        refused: false,
                    });
                }
            }
            _ => {}
        }
    }
    found
}

/// What an example's `${VAR}` expands to: a URL where the docs keep one in
/// a variable, else a word; `HEALTHPROBE_*` and `SSL_CERT_FILE` unset, so
/// that only the example's own words count.
fn example_env(name: &str) -> Option<OsString> {
    if name.starts_with("HEALTHPROBE_") || name == "SSL_CERT_FILE" {
        return None;
    }
    let value = match name {
        "DATABASE_URL" => "postgres://app:secret@db:5432/app",
        "AMQP_URL" => "amqp://guest:secret@broker/",
        "PORT" => "9000",
        _ => "secret",
    };
    Some(value.into())
}

/// Every example in the docs and in the example files parses as healthprobe
/// (or its curl, wget and grpc_health_probe names) would parse it, or is
/// refused where the docs say so. In the default build, which the docs
/// describe.
#[test]
#[cfg(all(feature = "tls", feature = "grpc", feature = "json"))]
fn every_example_in_the_docs_parses() {
    let mut all = Vec::new();
    for (name, text) in markdown() {
        all.extend(examples(&name, &text, None));
    }
    let mut files: Vec<PathBuf> = fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(root().join("Dockerfile.example"));
    files.sort();
    for path in files {
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => "yaml",
            _ if name.contains("Dockerfile") => "dockerfile",
            _ => continue,
        };
        all.extend(examples(&name, &read(&path), Some(kind)));
    }
    assert!(all.len() >= 100, "only {} examples found", all.len());
    let mut wrong = Vec::new();
    for example in &all {
        let args: Vec<OsString> = example.argv[1..].iter().map(Into::into).collect();
        let program = OsString::from(&example.argv[0]);
        let parsed = super::parse_invocation(Some(&program), args, example_env);
        match (parsed, example.refused) {
            (Ok(_), false) | (Err(_), true) => {}
            (Ok(_), true) => wrong.push(format!(
                "{}: {:?} parses, but the docs say it is refused",
                example.at, example.argv
            )),
            (Err(e), false) => wrong.push(format!("{}: {:?}: {e:#}", example.at, example.argv)),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} examples:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}

/// The code blocks a test reads: commands in `sh`, images in `dockerfile`,
/// Compose and Kubernetes in `yaml`; and those it reads no command from.
const FENCES: &[&str] = &["sh", "dockerfile", "yaml", "text", "toml", "python", "rust"];

/// Every code block is of a kind the examples test knows, and a command
/// shown in a `text` block (which no test would read) goes in `sh`.
#[test]
fn commands_are_in_sh_blocks() {
    for (name, text) in markdown() {
        for (n, line) in lines(&text) {
            match line {
                Line::Open(kind) => assert!(
                    FENCES.contains(&kind),
                    "{name}:{n}: a ```{kind} block, which the examples test does not read: use one of {FENCES:?}"
                ),
                Line::In(Some("text"), line) => {
                    let first = line.split_whitespace().next().unwrap_or_default();
                    let command = is_probe(first)
                        && line.contains(' ')
                        && !first.ends_with(':')
                        && !line.contains("[OPTIONS]");
                    assert!(
                        !command,
                        "{name}:{n}: a command outside an sh block: {line}"
                    );
                }
                _ => {}
            }
        }
    }
}

/// Every relative link in the docs names a file that exists.
#[test]
fn every_link_in_the_docs_resolves() {
    for (name, text) in markdown() {
        let dir = root().join(&name).parent().unwrap().to_owned();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            assert!(
                dir.join(path).exists(),
                "{name}: the link ({target}) names no file"
            );
        }
    }
}
