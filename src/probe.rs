//! [`Probe`], the library's builder: one target and its settings, each
//! validated as it is set, into the plain [`Target`] the probers read. The
//! command line builds every target through it too, so the two cannot
//! validate differently. [`Probe::run`] hands the target to the runner.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::duration;
use crate::error::{Error, ErrorKind, error};
use crate::kinds::MAX_REQUEST_LINE;
#[cfg(feature = "grpc")]
use crate::kinds::{MAX_GRPC_METADATA, MAX_GRPC_SERVICE, RESERVED_GRPC_METADATA};
use crate::report::{Outcome, Report};
use crate::runner;
use crate::setting::{Names, Setting};
use crate::spec::{
    ClientCert, DEFAULT_INTERVAL, HttpCheck, Kind, MAX_AGE, Method, Pem, Scheme, Target, Tls,
    TrustRoots, UnixSocket, Wait,
};
use crate::status::ExpectStatus;
use crate::transport::net::MAX_UNIX_PATH;
use crate::url::{Address, Host, Url};

/// A health check of one target, built from its URL and settings, each
/// validated when it is set; [`Probe::run`] runs it.
///
/// The target's scheme says what kind of check it is:
///
/// | target | healthy when |
/// |---|---|
/// | `http://HOST[:PORT]/PATH`, `https://...` | the status is in [`expect_status`](Probe::expect_status) (default 200-299), and the body checks hold |
/// | `tcp://HOST:PORT` | a TCP connection is accepted |
/// | `grpc://HOST:PORT`, `grpcs://HOST[:PORT]` | `grpc.health.v1.Health/Check` answers SERVING (feature `grpc`) |
/// | `postgres://[USER[:PASSWORD]@]HOST[:PORT][/DB]`, `postgresql://...` | the server accepts connections, as `pg_isready` says (no password is sent) |
/// | `redis://[[USER]:PASSWORD@]HOST[:PORT][/N]`, `rediss://...` | `PING` answers `PONG`, after `AUTH` with a password; without one, `NOAUTH` |
/// | `mysql://[USER[:PASSWORD]@]HOST[:PORT][/DB]`, `mariadb://...` | the server sends its greeting, not an error (no password is sent) |
/// | `amqp://[USER:PASSWORD@]HOST[:PORT][/VHOST]`, `amqps://...` | the broker answers the AMQP 0-9-1 header with Connection.Start |
/// | `nats://[USER:PASSWORD@\|TOKEN@]HOST[:PORT]`, `tls://...` | `PING` after `CONNECT` answers `PONG` (TLS first when the server requires it); without a login, a server that requires one |
/// | `memcached://HOST[:PORT]` | `version` answers `VERSION`, or asks for a login (ASCII authentication) |
/// | `zookeeper://HOST[:PORT]` | `srvr` says the server serves: standalone, leader, follower or observer |
/// | `kafka://HOST[:PORT][,HOST[:PORT]...]`, `kafka+ssl://...` | a broker answers ApiVersions (no login); with several, one does |
/// | `cassandra://HOST[:PORT]`, `scylla://...`, `cassandra+ssl://...` | `STARTUP` answers `READY` or `AUTHENTICATE` (no login), in protocol 5, 4 or 3 |
/// | `mongodb://[USER:PASSWORD@]HOST[:PORT][,HOST...][/DB][?readPreference=primary]` | `hello` answers as a primary, secondary, standalone server or `mongos` (with `readPreference=primary`, a primary); no password is sent |
/// | `file:///ABSOLUTE/PATH` | the path exists (a directory only when the URL ends in `/`) and, with [`max_age`](Probe::max_age), was modified within it |
///
/// `https://`, `grpcs://`, `rediss://`, `amqps://`, `tls://`, `kafka+ssl://` and `cassandra+ssl://` need the `tls` feature
/// (and `nats://`, when the server requires TLS). The defaults are the
/// command line's: a 2 s timeout, `GET`, statuses 200-299, no redirects
/// followed, the system's CA bundle. `localhost` is always the loopback
/// interface, and proxy settings are never used.
///
/// Every setter returns an [`Error`] for a value it cannot use, for a
/// setting that does not apply to the target's kind (say, a status list for
/// `tcp://`), and for one that contradicts a setting made before (a body to
/// check with `HEAD`), whichever of the two comes first. Values are taken as
/// given: unlike the command line, the library expands no `${VAR}` and
/// reads no environment variable (not even `SSL_CERT_FILE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    target: Target,
    /// With [`Probe::wait`]: how long [`Probe::run`] waits for healthy.
    wait: Option<Duration>,
    interval: Duration,
}

impl Probe {
    /// A probe of `target`, a URL like `http://127.0.0.1:8080/health`, with
    /// every setting at its default.
    ///
    /// Errs when `target` is not a URL of a kind healthprobe probes (the
    /// error lists the schemes), or breaks that kind's rules (a `tcp://` or
    /// `grpc://` URL without a port, a `file://` URL with a host); when its
    /// scheme needs a feature this build leaves out, or when its request
    /// line would be longer than the 8 KiB healthprobe can send. A password
    /// in the URL is never part of an error.
    pub fn new(target: &str) -> Result<Probe, Error> {
        let url = Url::parse(target, &Scheme::rules_named).map_err(|e| match e.instead {
            Some(instead) => {
                error!(Setting::Target; "invalid ", Setting::Target, ": ", e.why, instead)
            }
            None => Error::invalid(Setting::Target, None, e.why),
        })?;
        let (scheme, _) =
            Scheme::named(url.scheme).map_err(|why| Error::invalid(Setting::Target, None, why))?;
        if let Some(why) = scheme.left_out(url.scheme) {
            let error = Error::invalid(Setting::Target, None, why);
            return Err(error.of_kind(ErrorKind::NotInThisBuild));
        }
        let kind = scheme
            .kind(&url)
            .map_err(|why| Error::invalid(Setting::Target, None, why))?;
        let socket = match &url.socket {
            Some(path) => Some(unix_socket(path, Setting::Target)?),
            None => None,
        };
        let mut target = Target::new(url, scheme, kind);
        target.unix_socket = socket;
        request_line_fits(&target, Setting::Target)?;
        // A kind that takes a Unix socket may name any host, as the Host
        // header: its target is judged once complete (`loopback_only`).
        if !scheme.takes(Setting::UnixSocket) {
            loopback_only(&target)?;
        }
        Ok(Probe {
            target,
            wait: None,
            interval: DEFAULT_INTERVAL,
        })
    }

    /// The deadline for the whole check, from name resolution to the last
    /// byte read (default 2 s). Errs when it is under 1 ms, over an hour, or
    /// shorter than the [`connect_timeout`](Probe::connect_timeout) set.
    pub fn timeout(mut self, timeout: Duration) -> Result<Probe, Error> {
        in_range(Setting::Timeout, timeout, duration::MAX)?;
        if let Some(connect) = self.target.connect_timeout {
            longer_connect_timeout(Setting::Timeout, connect, timeout)?;
        }
        self.target.timeout = timeout;
        Ok(self)
    }

    /// A shorter limit for connecting, inside the deadline (default: none).
    /// Errs when it is under 1 ms, or longer than the
    /// [`timeout`](Probe::timeout), since it would never apply.
    pub fn connect_timeout(mut self, connect_timeout: Duration) -> Result<Probe, Error> {
        in_range(Setting::ConnectTimeout, connect_timeout, duration::MAX)?;
        longer_connect_timeout(
            Setting::ConnectTimeout,
            connect_timeout,
            self.target.timeout,
        )?;
        self.target.connect_timeout = Some(connect_timeout);
        Ok(self)
    }

    /// The request method of an HTTP check (default [`Method::Get`]). Errs
    /// for a target that is not HTTP, and for `HEAD` with a body check.
    pub fn method(mut self, method: Method) -> Result<Probe, Error> {
        let check = self.http(Setting::Method)?;
        if method == Method::Head {
            no_body_check(check, Setting::Method)?;
        }
        check.method = method;
        request_line_fits(&self.target, Setting::Method)?;
        Ok(self)
    }

    /// Adds a request header (for gRPC, metadata); it replaces healthprobe's
    /// `User-Agent`, `Accept`, `Connection` or `Host` of the same name.
    /// Surrounding whitespace in `value` is removed, as HTTP does.
    ///
    /// Errs for a `tcp://` target; for a name that is not an HTTP token; for
    /// a control character in the value; for `Content-Length`,
    /// `Transfer-Encoding` and `Expect`, since a probe sends no body; for a
    /// second `Host`; for a header line over 8 KiB; and, for gRPC, for names
    /// gRPC reserves (`grpc-*`, `content-type`, `te`, and the ones HTTP/2
    /// forbids) and for more than 8 KiB of metadata in all. The errors never
    /// show the value, which is often a credential.
    pub fn header(mut self, name: &str, value: &str) -> Result<Probe, Error> {
        self.applies(Setting::Header)?;
        let value = value.trim();
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(error!(Setting::Header;
                "invalid ", Setting::Header,
                format!(" name {name:?}: expected letters, digits or !#$%&'*+-.^_`|~")));
        }
        // RFC 9110 section 5.5: field values carry no control characters but
        // horizontal tab. CR and LF here would let a value start a new header.
        if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(Error::invalid(
                Setting::Header,
                Some(name),
                "its value contains a control character",
            ));
        }
        // A probe sends no body. These headers would announce one, and ureq
        // would then wait to send it (Content-Length spins until the
        // deadline; with Expect: 100-continue a 1xx answer can panic ureq).
        if let Some(framing) = ["content-length", "transfer-encoding", "expect"]
            .iter()
            .find(|f| name.eq_ignore_ascii_case(f))
        {
            return Err(Error::invalid(
                Setting::Header,
                Some(name),
                format!("healthprobe sends no request body, so {framing} cannot be set"),
            ));
        }
        let headers = &self.target.headers;
        if name.eq_ignore_ascii_case("host")
            && headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            let twice = Error::invalid(Setting::Header, None, "\"Host\" is given more than once");
            return Err(twice.of_kind(ErrorKind::Conflict));
        }
        // The last header line also carries the blank line that ends the head.
        let line = name.len() + ": ".len() + value.len() + "\r\n\r\n".len();
        if line > MAX_REQUEST_LINE {
            return Err(error!(Setting::Header;
                "the ", Setting::Header,
                format!(" {name:?} line would be {line} bytes, more than the {MAX_REQUEST_LINE} healthprobe can send: shorten its value")));
        }
        #[cfg(feature = "grpc")]
        if let Kind::Grpc(_) = self.target.kind {
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("grpc-") || RESERVED_GRPC_METADATA.contains(&lower.as_str()) {
                return Err(Error::invalid(
                    Setting::Header,
                    Some(name),
                    "gRPC reserves this name, and healthprobe sets what the call needs",
                ));
            }
            let total: usize = headers
                .iter()
                .map(|(n, v)| n.len() + v.len())
                .sum::<usize>()
                + name.len()
                + value.len();
            if total > MAX_GRPC_METADATA {
                return Err(error!(Setting::Header;
                    "the ", Setting::Header,
                    format!(" metadata adds up to {total} bytes, more than the {MAX_GRPC_METADATA} a gRPC request from healthprobe carries")));
            }
        }
        self.target
            .headers
            .push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The status codes that count as healthy, as a list of codes and
    /// ranges like `200`, `200-399` or `200,204,301-302` (default
    /// `200-299`). Errs for a target that is not HTTP, and for a list that
    /// does not parse or holds a code outside 100-599.
    pub fn expect_status(mut self, list: &str) -> Result<Probe, Error> {
        let check = self.http(Setting::ExpectStatus)?;
        check.expect_status = ExpectStatus::parse(list)
            .map_err(|why| Error::invalid(Setting::ExpectStatus, Some(list), why))?;
        Ok(self)
    }

    /// Text that must appear in the first 64 KiB of the body (default:
    /// none). Errs for a target that is not HTTP, for empty text, and with
    /// `HEAD`, whose responses have no body.
    pub fn expect_body(mut self, text: &str) -> Result<Probe, Error> {
        let check = self.http(Setting::ExpectBody)?;
        if text.is_empty() {
            return Err(Error::invalid(
                Setting::ExpectBody,
                None,
                "the text is empty, so every body would match",
            ));
        }
        needs_a_body(check, Setting::ExpectBody)?;
        check.expect_body = Some(text.to_owned());
        Ok(self)
    }

    /// Adds a check on the JSON body (at most 64 KiB); every one must hold.
    /// An expression is a path alone (it exists and is neither `false` nor
    /// `null`), or a path, an operator (`==`, `!=`, `<`, `<=`, `>`, `>=`) and
    /// a value: `.status == "UP"`, `.checks[0].status == UP`,
    /// `.db.latency_ms < 50`. Paths: `.`, `.name`, `."a name"`, `[N]` (a
    /// negative N counts from the end).
    ///
    /// Errs for a target that is not HTTP, with `HEAD`, and for an
    /// expression that does not parse, saying at which column.
    #[cfg(feature = "json")]
    pub fn expect_json(mut self, expression: &str) -> Result<Probe, Error> {
        let check = self.http(Setting::ExpectJson)?;
        needs_a_body(check, Setting::ExpectJson)?;
        let parsed = crate::protocol::json::ExpectJson::parse(expression)
            .map_err(|why| Error::invalid(Setting::ExpectJson, Some(expression), why))?;
        check.expect_json.push(parsed);
        Ok(self)
    }

    /// Follows up to 5 redirects that keep the scheme, host and port
    /// (default: off, and a redirect is unhealthy). Errs when turned on for
    /// a target that is not HTTP.
    pub fn follow_redirects(mut self, follow: bool) -> Result<Probe, Error> {
        if let Kind::Http(check) = &mut self.target.kind {
            check.follow_redirects = follow;
        } else if follow {
            self.applies(Setting::FollowRedirects)?;
        }
        Ok(self)
    }

    /// Connects to this Unix socket instead of the URL's host, whose name
    /// and port still make the `Host` header and the TLS name. A path that
    /// starts with `@` names a Linux abstract socket.
    ///
    /// Errs for a `tcp://` target, and for a path or name that is empty,
    /// holds a NUL byte, or is longer than the kernel's 107 bytes.
    pub fn unix_socket(mut self, path: impl AsRef<Path>) -> Result<Probe, Error> {
        self.applies(Setting::UnixSocket)?;
        self.target.unix_socket = Some(unix_socket(path.as_ref(), Setting::UnixSocket)?);
        Ok(self)
    }

    /// The service a gRPC health check asks about (default: empty, the
    /// server as a whole). Errs for a target that is not gRPC, and for a
    /// name over 1024 bytes.
    #[cfg(feature = "grpc")]
    pub fn grpc_service(mut self, service: &str) -> Result<Probe, Error> {
        self.applies(Setting::GrpcService)?;
        if let Kind::Grpc(check) = &mut self.target.kind {
            if service.len() > MAX_GRPC_SERVICE {
                return Err(Error::invalid(
                    Setting::GrpcService,
                    None,
                    format!(
                        "the name is {} bytes, more than the {MAX_GRPC_SERVICE} healthprobe sends",
                        service.len()
                    ),
                ));
            }
            check.service = service.to_owned();
            return Ok(self);
        }
        Err(not_for(Setting::GrpcService, self.target.url.scheme))
    }

    /// PEM certificates to trust instead of the system's CA bundle (the
    /// first of `/etc/ssl/certs/ca-certificates.crt`,
    /// `/etc/pki/tls/certs/ca-bundle.crt` and `/etc/ssl/cert.pem`). Errs for
    /// a target without TLS. The file is read when the probe runs: a file
    /// that cannot be used is an [`Outcome::BadFile`](crate::Outcome::BadFile).
    pub fn cacert(mut self, file: impl Into<PathBuf>) -> Result<Probe, Error> {
        self.tls(Setting::Cacert)?.roots = TrustRoots::Given(Pem::File(file.into()));
        Ok(self)
    }

    /// [`Probe::cacert`], with the PEM certificates given as bytes (from a
    /// secret store, or `include_bytes!`) instead of a file.
    pub fn cacert_pem(mut self, pem: impl Into<Vec<u8>>) -> Result<Probe, Error> {
        self.tls(Setting::Cacert)?.roots = TrustRoots::Given(Pem::Bytes(pem.into()));
        Ok(self)
    }

    /// Does not verify the server's certificate at all (default: off). Errs
    /// when turned on for a target without TLS.
    pub fn insecure(mut self, insecure: bool) -> Result<Probe, Error> {
        if let Some(tls) = &mut self.target.tls {
            tls.insecure = insecure;
        } else if insecure {
            self.applies(Setting::Insecure)?;
        }
        Ok(self)
    }

    /// A client certificate (chain) to present, and the file holding its
    /// private key (RSA, ECDSA or Ed25519), which may be the same PEM file.
    /// Errs for a target without TLS. The files are read when the probe
    /// runs, as for [`Probe::cacert`].
    pub fn client_cert(
        mut self,
        cert: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Result<Probe, Error> {
        self.tls(Setting::ClientCert)?.client_cert = Some(ClientCert {
            cert: Pem::File(cert.into()),
            key: Pem::File(key.into()),
        });
        Ok(self)
    }

    /// [`Probe::client_cert`], with the certificate (chain) and its private
    /// key given as PEM bytes instead of files.
    pub fn client_cert_pem(
        mut self,
        cert: impl Into<Vec<u8>>,
        key: impl Into<Vec<u8>>,
    ) -> Result<Probe, Error> {
        self.tls(Setting::ClientCert)?.client_cert = Some(ClientCert {
            cert: Pem::Bytes(cert.into()),
            key: Pem::Bytes(key.into()),
        });
        Ok(self)
    }

    /// The name to send (SNI) and to verify instead of the URL's host, for a
    /// URL that names an address. Errs for a target without TLS, and for a
    /// name that is not a host name or an IP address.
    pub fn server_name(mut self, name: &str) -> Result<Probe, Error> {
        let tls = self.tls(Setting::ServerName)?;
        let host = crate::url::parse_host(name)
            .map_err(|why| Error::invalid(Setting::ServerName, Some(name), why))?;
        let name = host.to_string().trim_matches(['[', ']']).to_owned();
        tls.server_name = Some(name);
        Ok(self)
    }

    /// How recently a `file://` target must have been modified (default:
    /// none, and the path only has to exist). A modification time more
    /// than a second in the future is unhealthy too: a skewed clock, or a
    /// file another machine wrote. Errs for a target that is not `file://`,
    /// and when `max_age` is under 1 ms or over 366 days.
    pub fn max_age(mut self, max_age: Duration) -> Result<Probe, Error> {
        self.applies(Setting::MaxAge)?;
        in_range(Setting::MaxAge, max_age, MAX_AGE)?;
        if let Kind::File(check) = &mut self.target.kind {
            check.max_age = Some(max_age);
        }
        Ok(self)
    }

    /// Makes [`Probe::run`] wait for the target: it probes again until the
    /// target is healthy or `limit` has passed since `run` was called, as
    /// `--wait` does for a service's dependencies (default: no waiting, one
    /// attempt). Attempts start [`interval`](Probe::interval) apart, each
    /// within the timeout or what is left of the wait, whichever ends
    /// first. Errs when `limit` is under 1 ms or over an hour.
    pub fn wait(mut self, limit: Duration) -> Result<Probe, Error> {
        in_range(Setting::Wait, limit, duration::MAX)?;
        self.wait = Some(limit);
        Ok(self)
    }

    /// How far apart attempts start when waiting (default 1 s); it applies
    /// only with [`Probe::wait`]. Errs when it is under 1 ms or over an hour.
    pub fn interval(mut self, interval: Duration) -> Result<Probe, Error> {
        in_range(Setting::Interval, interval, duration::MAX)?;
        self.interval = interval;
        Ok(self)
    }

    /// Runs the check, within the timeout from when it is called, and says
    /// how it went. Never panics, whatever the server sends, and returns by
    /// the deadline (name resolution that outlives it is left behind on a
    /// thread of its own). With [`Probe::wait`], it returns when the target
    /// is healthy or by the end of the wait, with the last attempt's report,
    /// whose line then says how many attempts were made.
    pub fn run(&self) -> Report {
        let wait = self.wait.map(|limit| Wait {
            limit,
            interval: self.interval,
        });
        if let Err(refused) = loopback_only(&self.target) {
            return Report {
                probed: self.target.url.to_string(),
                outcome: Outcome::NotLoopback {
                    why: refused.render(&self.target.names),
                },
                elapsed: Duration::ZERO,
                waited: None,
                names: self.target.names.clone(),
                kept: None,
                attempts: 1,
            };
        }
        runner::one(&self.target, wait)
    }

    /// Names the settings in the report's line as `names` does (the command
    /// line's flags), instead of by the builder's methods.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn named(mut self, names: Names) -> Probe {
        self.target.names = names;
        self
    }

    /// The settings, validated, as the probers take them; in a
    /// loopback-only build, an error for a target that is not loopback.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn into_target(self) -> Result<Target, Error> {
        loopback_only(&self.target)?;
        Ok(self.target)
    }

    /// The target's scheme.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn scheme(&self) -> Scheme {
        self.target.scheme
    }

    /// The one rule for what a setting applies to: the kinds that take it.
    fn applies(&self, setting: Setting) -> Result<(), Error> {
        match self.target.scheme.takes(setting) {
            true => Ok(()),
            false => Err(not_for(setting, self.target.url.scheme)),
        }
    }

    /// The HTTP check's settings, for a setting that HTTP takes.
    fn http(&mut self, setting: Setting) -> Result<&mut HttpCheck, Error> {
        self.applies(setting)?;
        let scheme = self.target.url.scheme;
        match &mut self.target.kind {
            Kind::Http(check) => Ok(check),
            _ => Err(not_for(setting, scheme)),
        }
    }

    /// The TLS settings, for a setting that TLS takes.
    fn tls(&mut self, setting: Setting) -> Result<&mut Tls, Error> {
        self.applies(setting)?;
        let scheme = self.target.url.scheme;
        self.target
            .tls
            .as_mut()
            .ok_or_else(|| not_for(setting, scheme))
    }
}

/// In a build with the `loopback-only` feature, refuses a target that
/// would leave this machine: one whose host is not loopback
/// ([`Host::is_loopback`](crate::url::Host::is_loopback)), unless it is
/// reached through a Unix socket (a `file://` target's host is `localhost`).
pub(crate) fn loopback_only(target: &Target) -> Result<(), Error> {
    if !cfg!(feature = "loopback-only") || target.url.is_loopback() || target.unix_socket.is_some()
    {
        return Ok(());
    }
    let away = target
        .url
        .addresses
        .iter()
        .find_map(|address| match address {
            Address::Host(host, _) if !host.is_loopback() => Some(host),
            _ => None,
        });
    let host = away.unwrap_or(&target.url.host);
    let (what, host) = match host {
        Host::Ip(_) => ("a loopback address", host.to_string()),
        Host::Name(name) => ("localhost", name.clone()),
    };
    let refused = format!(
        "{host:?} is not {what}, and this build probes only loopback (localhost, 127.0.0.0/8, ::1, 0.0.0.0), Unix sockets and files: it is built with the loopback-only feature"
    );
    let error = match target.scheme.takes(Setting::UnixSocket) {
        true => error!(Setting::Target; refused, "; for a Unix socket, give ", Setting::UnixSocket),
        false => error!(Setting::Target; refused),
    };
    Err(error.of_kind(ErrorKind::NotLoopback))
}

/// A Unix socket's path, or `@name` for an abstract one, checked against
/// what the kernel takes; errors name `setting`.
fn unix_socket(path: &Path, setting: Setting) -> Result<UnixSocket, Error> {
    let bytes = path.as_os_str().as_bytes();
    let abstract_name = bytes.strip_prefix(b"@");
    let (kind, name) = match abstract_name {
        Some(name) => ("abstract socket name", name),
        None => ("socket path", bytes),
    };
    let invalid = |why: String| Error::invalid(setting, None, why);
    if name.is_empty() {
        return Err(invalid(format!("the {kind} is empty")));
    }
    if name.len() > MAX_UNIX_PATH {
        return Err(invalid(format!(
            "the {kind} is {} bytes, more than the {MAX_UNIX_PATH} the kernel allows",
            name.len()
        )));
    }
    if name.contains(&0) {
        return Err(invalid(format!("the {kind} contains a NUL byte")));
    }
    Ok(match abstract_name {
        Some(name) => UnixSocket::Abstract(
            String::from_utf8(name.to_vec())
                .map_err(|_| invalid(format!("the {kind} is not valid UTF-8")))?,
        ),
        None => UnixSocket::Path(path.to_owned()),
    })
}

/// `SETTING applies only to KINDS targets, not SCHEME://`.
fn not_for(setting: Setting, name: &str) -> Error {
    let kinds = Scheme::taking(setting);
    error!(setting; setting, format!(" applies only to {kinds} targets, not {name}://"))
        .of_kind(ErrorKind::NotApplicable)
}

/// Refuses `HEAD` once a body check is set.
fn no_body_check(check: &HttpCheck, setting: Setting) -> Result<(), Error> {
    #[cfg(feature = "json")]
    if !check.expect_json.is_empty() {
        return Err(body_with_head(setting, Setting::ExpectJson));
    }
    match check.expect_body {
        Some(_) => Err(body_with_head(setting, Setting::ExpectBody)),
        None => Ok(()),
    }
}

/// Refuses a body check once the method is `HEAD`.
fn needs_a_body(check: &HttpCheck, setting: Setting) -> Result<(), Error> {
    match check.method {
        Method::Head => Err(body_with_head(setting, setting)),
        Method::Get => Ok(()),
    }
}

/// `CHECK needs a body, and responses to HEAD have none: use GET`.
fn body_with_head(setting: Setting, check: Setting) -> Error {
    error!(setting; check, " needs a body, and responses to HEAD have none: use GET")
        .of_kind(ErrorKind::Conflict)
}

/// ureq writes the request head line by line through one buffer of
/// [`MAX_REQUEST_LINE`] bytes; a line that cannot fit could never be sent.
fn request_line_fits(target: &Target, setting: Setting) -> Result<(), Error> {
    let Kind::Http(check) = &target.kind else {
        return Ok(());
    };
    let request_line =
        check.method.as_str().len() + target.url.request_target().len() + " HTTP/1.1\r\n ".len();
    if request_line > MAX_REQUEST_LINE {
        return Err(error!(setting;
            format!("the request line would be {request_line} bytes, more than the {MAX_REQUEST_LINE} healthprobe can send: shorten the "),
            Setting::Target));
    }
    Ok(())
}

/// A deadline from 1 ms to [`duration::MAX`]; another duration up to `max`.
fn in_range(setting: Setting, d: Duration, max: Duration) -> Result<(), Error> {
    let why = if d < Duration::from_millis(1) {
        "must be at least 1ms".to_owned()
    } else if d > max {
        duration::longer_than(max)
    } else {
        return Ok(());
    };
    Err(Error::invalid(setting, Some(&duration::display(d)), why))
}

fn longer_connect_timeout(
    setting: Setting,
    connect: Duration,
    timeout: Duration,
) -> Result<(), Error> {
    if connect <= timeout {
        return Ok(());
    }
    let error = error!(setting;
        Setting::ConnectTimeout, format!(" {} is longer than ", duration::display(connect)),
        Setting::Timeout, format!(" {}, so it would never apply", duration::display(timeout)));
    Err(error.of_kind(ErrorKind::Conflict))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The library's rule in a loopback-only build (`cargo test --lib
/// --features loopback-only loopback`, which `.ci/test` runs).
#[cfg(all(test, feature = "loopback-only"))]
mod loopback_only {
    use super::*;

    fn refused(result: Result<Probe, Error>) -> String {
        result.expect_err("not loopback").render(&Names::Library)
    }

    #[test]
    fn a_host_that_is_not_loopback_is_refused_when_it_is_set() {
        for target in [
            "tcp://192.0.2.1:5432",
            "amqp://broker",
            "tcp://[2001:db8::1]:80",
        ] {
            let kind = Probe::new(target).map_err(|e| e.kind());
            assert_eq!(kind.err(), Some(ErrorKind::NotLoopback), "{target}");
            let why = refused(Probe::new(target));
            assert!(why.contains("and this build probes only loopback"), "{why}");
        }
        for target in [
            "tcp://127.0.0.1:1",
            "tcp://127.9.9.9:1",
            "tcp://localhost:1",
            "tcp://[::1]:1",
            "tcp://[::ffff:127.0.0.1]:1",
            "tcp://0.0.0.0:1",
            "file:///run/hb",
        ] {
            assert!(Probe::new(target).is_ok(), "{target}");
        }
    }

    #[test]
    fn a_kind_that_takes_a_unix_socket_is_judged_when_it_runs() {
        // The host may be the Host header of a request over a Unix socket.
        let probe = Probe::new("http://app.internal/health").unwrap();
        let report = probe.run();
        assert_eq!(report.exit_code(), 64);
        assert_eq!(
            report.line(),
            "healthprobe: \"app.internal\" is not localhost, and this build probes only loopback \
             (localhost, 127.0.0.0/8, ::1, 0.0.0.0), Unix sockets and files: it is built with \
             the loopback-only feature; for a Unix socket, give unix_socket"
        );
        let probe = Probe::new("http://app.internal/health")
            .and_then(|p| p.unix_socket("/nonexistent/app.sock"))
            .unwrap();
        let report = probe.run();
        assert_eq!(report.exit_code(), 1, "{report}");
    }
}
