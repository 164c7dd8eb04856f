//! Every option of the command line, defined once: its names, its
//! variable, its value, the setting it makes (and so the kinds of target it
//! applies to), and its help text, written by hand. The help, the parser,
//! the reading of the environment, the list of known options and the
//! "applies only to" refusals all come from [`OPTIONS`].

use crate::declared::KINDS;
use crate::setting::Setting;

/// The variable that holds the targets when none is an argument.
pub const TARGETS_VAR: &str = "HEALTHPROBE_URL";

/// What an option's value is, and how it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A switch: given or not; its variable says true or false.
    Switch,
    /// A duration, as in `250ms`, `2s` or `1m`.
    Duration,
    /// A file's age: a duration of up to a year and a day.
    Age,
    /// Text, taken as given.
    Text,
    /// Text in which `${VAR}` is expanded.
    Expanded,
    /// Repeatable, each with `${VAR}` expanded; the variable holds one a line.
    Lines,
}

/// What an option makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Makes {
    /// A setting of each probe it fits (and so the kinds of target it
    /// applies to).
    Setting(Setting),
    /// `--quiet`: the run prints no lines for healthy targets.
    Quiet,
}

impl Makes {
    /// The probe's setting it makes, if any.
    pub const fn setting(self) -> Option<Setting> {
        match self {
            Makes::Setting(setting) => Some(setting),
            Makes::Quiet => None,
        }
    }
}

/// Where the help lists an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    General,
    Http,
    Grpc,
    Tls,
    File,
}

/// One option of the command line.
#[derive(Debug)]
pub struct Opt {
    pub short: Option<&'static str>,
    pub long: &'static str,
    /// The value's name in the help, as in `<DURATION>`; empty for a switch.
    pub arg: &'static str,
    pub value: Value,
    /// The variable that sets it when the flag is not given.
    pub var: Option<&'static str>,
    /// A variable read when neither the flag nor `var` is given.
    pub fallback: Option<&'static str>,
    pub makes: Makes,
    pub section: Section,
    /// The help text, one line a line (the `[env]` and `[default]` tags
    /// follow the last).
    pub help: &'static str,
    /// The default, as the help shows it.
    pub default: &'static str,
}

/// What parsing needs of an option: the part of [`OPTIONS`] a run reads.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    pub short: Option<&'static str>,
    pub long: &'static str,
    pub value: Value,
    pub var: Option<&'static str>,
    pub fallback: Option<&'static str>,
    pub makes: Makes,
}

/// Each option's [`Flag`], in the order of [`OPTIONS`], taken from it when
/// compiling. [`OPTIONS`] itself is read only when compiling (by this and
/// by the help), so the binary carries neither its help texts as a table
/// nor their pointers, each of which would be a relocation that every run
/// of the static, position-independent binary pays for before `main`.
pub static FLAGS: [Flag; OPTIONS.len()] = {
    let mut flags = [Flag {
        short: None,
        long: "",
        value: Value::Switch,
        var: None,
        fallback: None,
        makes: Makes::Quiet,
    }; OPTIONS.len()];
    let mut i = 0;
    while i < OPTIONS.len() {
        let opt = &OPTIONS[i];
        flags[i] = Flag {
            short: opt.short,
            long: opt.long,
            value: opt.value,
            var: opt.var,
            fallback: opt.fallback,
            makes: opt.makes,
        };
        i += 1;
    }
    flags
};

impl Flag {
    /// The names pico-args looks for: both forms, or the long one alone.
    pub fn keys(&self) -> pico_args::Keys {
        match self.short {
            Some(short) => pico_args::Keys::from([short, self.long]),
            None => pico_args::Keys::from(self.long),
        }
    }
}

/// The options, in the order the help lists them.
pub const OPTIONS: &[Opt] = &[
    Opt {
        short: Some("-t"),
        long: "--timeout",
        arg: "<DURATION>",
        value: Value::Duration,
        var: Some("HEALTHPROBE_TIMEOUT"),
        fallback: None,
        makes: Makes::Setting(Setting::Timeout),
        section: Section::General,
        help: "\
            One deadline for each probe, from name resolution to the last\n\
            byte read",
        default: "2s",
    },
    Opt {
        short: None,
        long: "--connect-timeout",
        arg: "<DURATION>",
        value: Value::Duration,
        var: Some("HEALTHPROBE_CONNECT_TIMEOUT"),
        fallback: None,
        makes: Makes::Setting(Setting::ConnectTimeout),
        section: Section::General,
        help: "A shorter limit for connecting, inside the deadline",
        default: "none",
    },
    Opt {
        short: None,
        long: "--wait",
        arg: "<DURATION>",
        value: Value::Duration,
        var: Some("HEALTHPROBE_WAIT"),
        fallback: None,
        makes: Makes::Setting(Setting::Wait),
        section: Section::General,
        help: "\
            Probe again until every target is healthy or DURATION has passed\n\
            since start; print a line when a target's failure changes",
        default: "none",
    },
    Opt {
        short: None,
        long: "--interval",
        arg: "<DURATION>",
        value: Value::Duration,
        var: Some("HEALTHPROBE_INTERVAL"),
        fallback: None,
        makes: Makes::Setting(Setting::Interval),
        section: Section::General,
        help: "With --wait, start attempts this far apart",
        default: "1s",
    },
    Opt {
        short: Some("-q"),
        long: "--quiet",
        arg: "",
        value: Value::Switch,
        var: Some("HEALTHPROBE_QUIET"),
        fallback: None,
        makes: Makes::Quiet,
        section: Section::General,
        help: "Print nothing for healthy targets",
        default: "off",
    },
    Opt {
        short: Some("-X"),
        long: "--method",
        arg: "<GET|HEAD>",
        value: Value::Text,
        var: Some("HEALTHPROBE_METHOD"),
        fallback: None,
        makes: Makes::Setting(Setting::Method),
        section: Section::Http,
        help: "The request method",
        default: "GET",
    },
    Opt {
        short: Some("-H"),
        long: "--header",
        arg: "<'Name: value'>",
        value: Value::Lines,
        var: Some("HEALTHPROBE_HEADER"),
        fallback: None,
        makes: Makes::Setting(Setting::Header),
        section: Section::Http,
        help: "\
            A request header (gRPC: metadata); repeatable. Replaces the default\n\
            User-Agent, Accept, Connection or Host of the same name. In the\n\
            variable, one header per line",
        default: "none",
    },
    Opt {
        short: None,
        long: "--expect-status",
        arg: "<LIST>",
        value: Value::Text,
        var: Some("HEALTHPROBE_EXPECT_STATUS"),
        fallback: None,
        makes: Makes::Setting(Setting::ExpectStatus),
        section: Section::Http,
        help: "Healthy status codes, like 200, 200-399 or 200,204,301-302",
        default: "200-299",
    },
    Opt {
        short: None,
        long: "--expect-body",
        arg: "<TEXT>",
        value: Value::Expanded,
        var: Some("HEALTHPROBE_EXPECT_BODY"),
        fallback: None,
        makes: Makes::Setting(Setting::ExpectBody),
        section: Section::Http,
        help: "Text that must appear in the first 64 KiB of the body",
        default: "none",
    },
    Opt {
        short: None,
        long: "--expect-json",
        arg: "<EXPR>",
        value: Value::Lines,
        var: Some("HEALTHPROBE_EXPECT_JSON"),
        fallback: None,
        makes: Makes::Setting(Setting::ExpectJson),
        section: Section::Http,
        help: "\
            What the JSON body (at most 64 KiB) must say; repeatable, every one\n\
            must hold: PATH alone (exists, not false or null), or PATH OP VALUE\n\
            with OP one of == != < <= > >=, as in '.status == \"UP\"' or\n\
            '.checks[0].status == UP'. PATH: . .name .\"a name\" [N]. In the\n\
            variable, one per line",
        default: "none",
    },
    Opt {
        short: None,
        long: "--follow-redirects",
        arg: "",
        value: Value::Switch,
        var: Some("HEALTHPROBE_FOLLOW_REDIRECTS"),
        fallback: None,
        makes: Makes::Setting(Setting::FollowRedirects),
        section: Section::Http,
        help: "Follow up to 5 redirects that keep the scheme, host and port",
        default: "off",
    },
    Opt {
        short: None,
        long: "--unix-socket",
        arg: "<PATH>",
        value: Value::Expanded,
        var: Some("HEALTHPROBE_UNIX_SOCKET"),
        fallback: None,
        makes: Makes::Setting(Setting::UnixSocket),
        section: Section::General,
        help: "\
            Connect to this Unix socket instead of the URL's host, which still\n\
            makes the Host header and the TLS name; @NAME is an abstract\n\
            socket. HTTP, gRPC, PostgreSQL (the socket or its directory),\n\
            Redis, MySQL and memcached targets take it",
        default: "none",
    },
    Opt {
        short: None,
        long: "--grpc-service",
        arg: "<NAME>",
        value: Value::Expanded,
        var: Some("HEALTHPROBE_GRPC_SERVICE"),
        fallback: None,
        makes: Makes::Setting(Setting::GrpcService),
        section: Section::Grpc,
        help: "\
            The service to ask grpc.health.v1.Health/Check about; empty asks\n\
            about the server as a whole",
        default: "\"\"",
    },
    Opt {
        short: None,
        long: "--cacert",
        arg: "<FILE>",
        value: Value::Expanded,
        var: Some("HEALTHPROBE_CACERT"),
        fallback: Some("SSL_CERT_FILE"),
        makes: Makes::Setting(Setting::Cacert),
        section: Section::Tls,
        help: "PEM certificates to trust instead of the system's",
        default: "$SSL_CERT_FILE, else the system bundle",
    },
    Opt {
        short: Some("-k"),
        long: "--insecure",
        arg: "",
        value: Value::Switch,
        var: Some("HEALTHPROBE_INSECURE"),
        fallback: None,
        makes: Makes::Setting(Setting::Insecure),
        section: Section::Tls,
        help: "Do not verify the server's certificate",
        default: "off",
    },
    Opt {
        short: None,
        long: "--cert",
        arg: "<FILE>",
        value: Value::Expanded,
        var: Some("HEALTHPROBE_CERT"),
        fallback: None,
        makes: Makes::Setting(Setting::ClientCert),
        section: Section::Tls,
        help: "PEM client certificate (chain) to present",
        default: "none",
    },
    Opt {
        short: None,
        long: "--key",
        arg: "<FILE>",
        value: Value::Expanded,
        var: Some("HEALTHPROBE_KEY"),
        fallback: None,
        makes: Makes::Setting(Setting::ClientKey),
        section: Section::Tls,
        help: "PEM private key for --cert (RSA, ECDSA or Ed25519)",
        default: "the --cert file",
    },
    Opt {
        short: None,
        long: "--server-name",
        arg: "<NAME>",
        value: Value::Expanded,
        var: Some("HEALTHPROBE_SERVER_NAME"),
        fallback: None,
        makes: Makes::Setting(Setting::ServerName),
        section: Section::Tls,
        help: "The name to send (SNI) and to verify, when the URL names an address",
        default: "the URL's host",
    },
    Opt {
        short: None,
        long: "--max-age",
        arg: "<DURATION>",
        value: Value::Age,
        var: Some("HEALTHPROBE_MAX_AGE"),
        fallback: None,
        makes: Makes::Setting(Setting::MaxAge),
        section: Section::File,
        help: "\
            Unhealthy when the file was modified longer ago than this (up to\n\
            366d), or more than 1s in the future; about 3 times the heartbeat\n\
            interval",
        default: "none, it only has to exist",
    },
];

/// `-h` and `-V`, which end the help and take the place of a probe.
pub const HELP_KEYS: [&str; 2] = ["-h", "--help"];
pub const VERSION_KEYS: [&str; 2] = ["-V", "--version"];

/// Whether `name` (before any `=`) is an option's short or long name.
pub fn is_known(name: &str) -> bool {
    HELP_KEYS.contains(&name)
        || VERSION_KEYS.contains(&name)
        || FLAGS
            .iter()
            .any(|o| o.long == name || o.short == Some(name))
}

/// The flag that makes `setting` (the target is an argument, named `URL`).
pub fn flag(setting: Setting) -> &'static str {
    FLAGS
        .iter()
        .find(|o| o.makes == Makes::Setting(setting))
        .map_or("URL", |o| o.long)
}

/// The variable read in place of `setting` when it is left unset.
pub fn fallback(setting: Setting) -> Option<&'static str> {
    FLAGS
        .iter()
        .find(|o| o.makes == Makes::Setting(setting))?
        .fallback
}

pub(super) const INTRO: &str = "\
healthprobe - a health probe for containers with no shell

Usage: healthprobe [OPTIONS] [TARGET...] [-- COMMAND [ARGS...]]
       healthprobe install DIR

Probes each TARGET (at most 16, concurrently, each within the timeout)
and exits 0 when every one is healthy, 1 when any is not, and 64 when the
arguments are wrong. Prints one line per target: unhealthy ones first, on
stderr; healthy ones on stdout. With -- COMMAND, runs COMMAND in place of
healthprobe (same PID) once every target is healthy. Every option can also
be set with the environment variable shown; an option on the command line
wins.

Targets:
";

pub(super) const SECTIONS: &[(Section, &str)] = &[
    (Section::General, "Options:"),
    (
        Section::Http,
        "HTTP options (http:// and https:// targets; gRPC ones take -H too):",
    ),
    (
        Section::Grpc,
        "gRPC options (grpc:// and grpcs:// targets):",
    ),
    (
        Section::Tls,
        "TLS options (https://, grpcs://, rediss://, amqps://, nats://, tls://,
kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets):",
    ),
    (Section::File, "File options (file:// targets):"),
];

pub(super) const OUTRO: &str = "
`healthprobe install DIR` copies healthprobe to DIR/healthprobe (mode 0755,
atomically), e.g. from an init container into a volume it shares with the app.

Durations: 250ms, 2s, 1.5s, 1m, 1h, 1d; a bare number means seconds.
Targets, header values, --expect-body, --expect-json, --grpc-service,
--unix-socket and file options expand ${VAR} and ${VAR:-default} from
healthprobe's own environment; write $$ for a literal $. Proxy variables
are ignored, and localhost is always the loopback interface. A password in
a URL is never shown, and only redis:// (AUTH) and nats:// (CONNECT) send
it; percent-encode /, ? and # in it (%2F, %3F, %23). Spellings such as
postgresql+psycopg2://, mysql2:// and pyamqp:// name the same kinds.";

/// The column the `[env]` and `[default]` tags end at.
const TAGS_END: usize = 84;
/// Where an option's help text starts.
const INDENT: &[u8] = b"          ";

/// `--help`: the introduction, then each option from [`OPTIONS`], in its
/// section, with its variable and its default.
pub fn help() -> &'static str {
    let (text, len) = &HELP;
    std::str::from_utf8(text.split_at(*len).0).unwrap_or_default()
}

/// The help, made from [`OPTIONS`] when compiling: the binary carries the
/// text, and no code to lay it out.
static HELP: ([u8; HELP_LEN], usize) = (write_help(Text::new()).bytes, HELP_LEN);

/// The help's length, counted by writing it once into no room.
const HELP_LEN: usize = write_help(Text::<0>::new()).len;

/// Writes the help into `out`.
const fn write_help<const N: usize>(mut out: Text<N>) -> Text<N> {
    out.push(INTRO.as_bytes());
    // Each kind's lines, as its declaration gives them.
    let mut k = 0;
    while k < KINDS.len() {
        out.push(KINDS[k].help.as_bytes());
        k += 1;
    }
    // The targets' variable is an option of sorts, shown with the targets.
    out.push(b"  [TARGET...]  In the variable, separated by whitespace [env: ");
    out.push(TARGETS_VAR.as_bytes());
    out.push(b"]\n");
    let mut s = 0;
    while s < SECTIONS.len() {
        let (section, title) = SECTIONS[s];
        out.push(b"\n");
        out.push(title.as_bytes());
        out.push(b"\n");
        let mut i = 0;
        while i < OPTIONS.len() {
            let opt = &OPTIONS[i];
            i += 1;
            if opt.section as u8 != section as u8 {
                continue;
            }
            match opt.short {
                Some(short) => {
                    out.push(b"  ");
                    out.push(short.as_bytes());
                    out.push(b", ");
                }
                None => out.push(b"      "),
            }
            out.push(opt.long.as_bytes());
            if !opt.arg.is_empty() {
                out.push(b" ");
                out.push(opt.arg.as_bytes());
            }
            out.push(b"\n");
            // Each line of the text; the tags end the last.
            let help = opt.help.as_bytes();
            let mut start = 0;
            let mut end = 0;
            while end < help.len() {
                if help[end] == b'\n' {
                    out.push(INDENT);
                    out.push(help.split_at(end).0.split_at(start).1);
                    out.push(b"\n");
                    start = end + 1;
                }
                end += 1;
            }
            let last = help.split_at(start).1;
            let mut tags = 0;
            if let Some(var) = opt.var {
                tags += b"[env: ".len() + var.len() + b"] ".len();
            }
            tags += b"[default: ".len() + opt.default.len() + b"]".len();
            out.push(INDENT);
            out.push(last);
            let mut column = INDENT.len() + last.len();
            if column + 2 + tags > TAGS_END {
                out.push(b"\n");
                column = 0;
            }
            while column < TAGS_END - tags {
                out.push(b" ");
                column += 1;
            }
            if let Some(var) = opt.var {
                out.push(b"[env: ");
                out.push(var.as_bytes());
                out.push(b"] ");
            }
            out.push(b"[default: ");
            out.push(opt.default.as_bytes());
            out.push(b"]\n");
        }
        s += 1;
    }
    let ends = [
        (HELP_KEYS, "Print this help"),
        (VERSION_KEYS, "Print the version"),
    ];
    let mut e = 0;
    while e < ends.len() {
        let ([short, long], text) = ends[e];
        out.push(b"  ");
        out.push(short.as_bytes());
        out.push(b", ");
        out.push(long.as_bytes());
        let mut column = long.len();
        while column < 11 {
            out.push(b" ");
            column += 1;
        }
        out.push(text.as_bytes());
        out.push(b"\n");
        e += 1;
    }
    out.push(OUTRO.as_bytes());
    out
}

/// Text being written when compiling; with no room (`N` = 0) it only counts.
struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Text<N> {
    const fn new() -> Text<N> {
        Text {
            bytes: [0; N],
            len: 0,
        }
    }

    const fn push(&mut self, text: &[u8]) {
        let mut i = 0;
        while i < text.len() {
            if N > 0 {
                self.bytes[self.len] = text[i];
            }
            self.len += 1;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_has_its_names_variable_and_default_in_the_help() {
        let help = help();
        for opt in OPTIONS {
            assert!(help.contains(opt.long), "{}", opt.long);
            if let Some(short) = opt.short {
                assert!(help.contains(&format!("{short}, {}", opt.long)));
            }
            if let Some(var) = opt.var {
                assert!(help.contains(&format!("[env: {var}]")), "{var}");
            }
            let default = opt.default;
            assert!(help.contains(&format!("[default: {default}]")), "{default}");
        }
        for line in help.lines() {
            assert!(line.len() <= TAGS_END, "{line:?} is longer than {TAGS_END}");
        }
    }

    #[test]
    fn names_and_variables_are_unique() {
        for (i, a) in OPTIONS.iter().enumerate() {
            for b in &OPTIONS[i + 1..] {
                assert_ne!(a.long, b.long);
                assert!(a.short.is_none() || a.short != b.short, "{}", a.long);
                assert!(a.var.is_none() || a.var != b.var, "{}", a.long);
                assert_ne!(a.makes, b.makes, "{}", a.long);
            }
        }
    }

    #[test]
    fn the_help_names_the_kinds_the_table_declares() {
        use crate::spec::Scheme;
        let help = help();
        // Every scheme and spelling is in the list of targets.
        let targets = &help[help.find("Targets:").unwrap()..help.find("Options:").unwrap()];
        for scheme in Scheme::ALL {
            let listed = Scheme::listed(&[scheme], " ", " ");
            for name in listed.split(' ') {
                assert!(targets.contains(name), "{name} is not in the targets");
            }
        }
        // Each section's title names the schemes that take its options.
        for (section, title) in SECTIONS {
            let setting = match section {
                Section::General => continue,
                Section::Http => Setting::Method,
                Section::Grpc => Setting::GrpcService,
                Section::Tls => Setting::Cacert,
                Section::File => Setting::MaxAge,
            };
            let kinds = Scheme::taking(setting);
            assert!(
                title
                    .replace('\n', " ")
                    .contains(&format!("({kinds} targets")),
                "{title:?}: {kinds}"
            );
        }
        // --unix-socket's help names exactly the kinds that take it.
        let opt = OPTIONS.iter().find(|o| o.long == "--unix-socket").unwrap();
        for kind in KINDS {
            let takes = kind
                .forms
                .iter()
                .any(|f| f.scheme.takes(Setting::UnixSocket));
            let named = opt.help.contains(kind.title);
            assert_eq!(named, takes, "--unix-socket's help and {}", kind.title);
        }
    }
}
