//! The settings of a probe, and the one way a message names them.
//!
//! An [`Error`](crate::Error) or a report's line that mentions a setting
//! holds the [`Setting`], not a word for it; [`Names`] picks the word when
//! the text is written. The library's names are its builder methods
//! (`expect_status`, `timeout`); the command line's are its flags, or the
//! variable a value came from (`--expect-status`, `HEALTHPROBE_TIMEOUT`).
//! Which kinds of target a setting applies to is said once, by each kind
//! (`spec::Scheme::takes`).

use std::sync::Arc;

/// A setting of a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Target,
    Timeout,
    ConnectTimeout,
    Method,
    Header,
    ExpectStatus,
    ExpectBody,
    ExpectJson,
    FollowRedirects,
    UnixSocket,
    GrpcService,
    Cacert,
    Insecure,
    ClientCert,
    /// The file holding the client certificate's key: the second argument
    /// of `client_cert`, `--key` on the command line.
    ClientKey,
    ServerName,
    /// How recently a `file://` target must have been modified.
    MaxAge,
    Wait,
    Interval,
}

impl Setting {
    /// The builder method that sets it: what the library calls it.
    pub fn method_name(self) -> &'static str {
        match self {
            Setting::Target => "target",
            Setting::Timeout => "timeout",
            Setting::ConnectTimeout => "connect_timeout",
            Setting::Method => "method",
            Setting::Header => "header",
            Setting::ExpectStatus => "expect_status",
            Setting::ExpectBody => "expect_body",
            Setting::ExpectJson => "expect_json",
            Setting::FollowRedirects => "follow_redirects",
            Setting::UnixSocket => "unix_socket",
            Setting::GrpcService => "grpc_service",
            Setting::Cacert => "cacert",
            Setting::Insecure => "insecure",
            Setting::ClientCert | Setting::ClientKey => "client_cert",
            Setting::ServerName => "server_name",
            Setting::MaxAge => "max_age",
            Setting::Wait => "wait",
            Setting::Interval => "interval",
        }
    }
}

/// How a caller names its settings in the text healthprobe writes for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Names {
    /// The library: each setting by its builder method.
    #[default]
    Library,
    /// The command line, as its parser describes itself.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    CommandLine(Arc<CommandLineNames>),
}

/// The command line's words for its settings. Its options table answers
/// through the two functions, so that a probe builds no list of them.
#[derive(Clone, Debug)]
pub struct CommandLineNames {
    /// Each setting's flag (`--timeout`; `URL` for the target).
    pub flag: fn(Setting) -> &'static str,
    /// The variable read in place of a setting left unset (`SSL_CERT_FILE`
    /// for `--cacert`), for a line that says where it looked.
    pub fallback: fn(Setting) -> Option<&'static str>,
    /// Where a given value came from, when that is not its flag: the
    /// variable (`HEALTHPROBE_TIMEOUT`, `SSL_CERT_FILE`).
    pub sources: Vec<(Setting, String)>,
}

impl PartialEq for CommandLineNames {
    fn eq(&self, other: &CommandLineNames) -> bool {
        std::ptr::fn_addr_eq(self.flag, other.flag)
            && std::ptr::fn_addr_eq(self.fallback, other.fallback)
            && self.sources == other.sources
    }
}

impl Eq for CommandLineNames {}

impl Names {
    /// The setting as its value was given: the flag, or the variable that
    /// gave it. Errors about a value name it this way.
    pub fn source(&self, setting: Setting) -> String {
        match self {
            Names::Library => setting.method_name().to_owned(),
            Names::CommandLine(names) => {
                match names.sources.iter().rev().find(|(s, _)| *s == setting) {
                    Some((_, source)) => source.clone(),
                    None => self.option(setting).to_owned(),
                }
            }
        }
    }

    /// The setting as a user would look it up, to change it: the builder
    /// method, or the flag.
    pub fn option(&self, setting: Setting) -> &'static str {
        match self {
            Names::Library => setting.method_name(),
            Names::CommandLine(names) => (names.flag)(setting),
        }
    }

    /// The variable read when the setting is left unset, if any.
    pub fn fallback(&self, setting: Setting) -> Option<&'static str> {
        match self {
            Names::Library => None,
            Names::CommandLine(names) => (names.fallback)(setting),
        }
    }
}
