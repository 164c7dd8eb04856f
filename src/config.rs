//! [`Probe`]: one target and its settings, each validated as it is set, into
//! the [`Config`] the probers run. The library's builder and the command
//! line ([`crate::cli`]) both go through it, so they validate alike.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::duration;
use crate::error::{Error, Setting, error};
use crate::outcome::Report;
use crate::status::ExpectStatus;
use crate::url::{Scheme, Url};

/// A validated probe of one target, with every default filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The target; its scheme says what kind of probe it is.
    pub url: Url,
    pub method: Method,
    /// The deadline for the whole probe.
    pub timeout: Duration,
    /// A shorter deadline for connecting, when set.
    pub connect_timeout: Option<Duration>,
    /// User headers as (name, value), in the order given.
    pub headers: Vec<(String, String)>,
    pub expect_status: ExpectStatus,
    pub expect_body: Option<String>,
    /// `--expect-json`: every expression must hold for the JSON body.
    #[cfg(feature = "json")]
    pub expect_json: Vec<crate::expect_json::ExpectJson>,
    pub follow_redirects: bool,
    /// `--unix-socket`: connect here instead of the URL's host (HTTP and gRPC).
    pub unix_socket: Option<UnixSocket>,
    /// `--grpc-service`: the service a gRPC health check asks about; empty
    /// for the server as a whole.
    pub grpc_service: String,
    /// TLS settings; they apply only to https:// and grpcs:// URLs.
    pub tls: Tls,
}

/// How an https:// probe verifies the server and presents itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tls {
    pub roots: TrustRoots,
    /// `--insecure`: the certificate is not verified at all.
    pub insecure: bool,
    /// `--cert` and the file holding its key (`--key`, else the same file).
    pub client_cert: Option<ClientCert>,
    /// `--server-name`: sent as SNI and verified instead of the URL's host.
    pub server_name: Option<String>,
}

/// Where the certificates to trust come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustRoots {
    /// A PEM file named by `source` (`--cacert`, `HEALTHPROBE_CACERT` or
    /// `SSL_CERT_FILE`; `cacert` for the library).
    File { path: PathBuf, source: String },
    /// The first of [`SYSTEM_BUNDLES`] that exists (and, with the
    /// `webpki-roots` feature, Mozilla's roots when none does).
    #[default]
    System,
}

/// Where CA bundles live on Debian/Ubuntu/Alpine, RHEL/Fedora, and macOS/BSD.
#[cfg(feature = "tls")]
pub const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// The Unix socket to connect to instead of the URL's host (whose name and
/// port still make the Host header and the TLS name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnixSocket {
    /// A socket file.
    Path(PathBuf),
    /// `@name`: a Linux abstract socket, which has no file.
    Abstract(String),
}

impl std::fmt::Display for UnixSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnixSocket::Path(path) => write!(f, "{}", path.display()),
            UnixSocket::Abstract(name) => write!(f, "@{name}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The method of an HTTP probe's request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// `GET`, the default: the status and, when asked, the body are checked.
    #[default]
    Get,
    /// `HEAD`: only the status is checked, since the response has no body.
    Head,
}

impl Method {
    /// `"GET"` or `"HEAD"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
        }
    }
}

/// `--wait`: probe again until every target is healthy or `limit` has
/// passed since start, starting attempts `interval` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    /// How long to wait in all, from the start.
    pub limit: Duration,
    /// How far apart attempts start.
    pub interval: Duration,
}

/// How far apart attempts start when waiting, unless set.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// The deadline of a probe whose timeout is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest line of a request head healthprobe can send: ureq writes the
/// head line by line through an output buffer of this size, allocated and
/// zeroed on every probe. (nginx, too, refuses request lines and header
/// lines over 8 KiB by default.)
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The most bytes of gRPC metadata (names and values of headers): with the
/// fixed fields, the request's header block must fit one HTTP/2 frame
/// (16 KiB at least), and servers' default limits are 8 KiB (grpc-go, nginx).
pub const MAX_GRPC_METADATA: usize = 8 * 1024;
/// The longest gRPC service name: service names are short dotted identifiers.
pub const MAX_GRPC_SERVICE: usize = 1024;
/// The longest Unix socket path: `sun_path` holds 108 bytes, with a NUL at
/// the end of a path or at the start of an abstract name.
pub const MAX_UNIX_PATH: usize = 107;
/// The kinds of target a setting may fit, as error messages name them.
pub const HTTP_TARGETS: &str = "http:// and https://";
pub const REQUEST_TARGETS: &str = "http://, https://, grpc:// and grpcs://";
pub const GRPC_TARGETS: &str = "grpc:// and grpcs://";
pub const TLS_TARGETS: &str = "https:// and grpcs://";
/// Metadata names a gRPC request may not set (gRPC's PROTOCOL-HTTP2.md
/// reserves these, and HTTP/2 forbids connection-specific fields).
const RESERVED_GRPC_METADATA: &[&str] = &[
    "content-type",
    "te",
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

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
///
/// `https://` and `grpcs://` need the `tls` feature. The defaults are the
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
    config: Config,
    /// With [`Probe::wait`]: how long [`Probe::run`] waits for healthy.
    wait: Option<Duration>,
    interval: Duration,
}

impl Probe {
    /// A probe of `target`, a URL like `http://127.0.0.1:8080/health`, with
    /// every setting at its default.
    ///
    /// Errs when `target` is not an `http`, `https`, `tcp`, `grpc` or `grpcs`
    /// URL with a host (and, for `tcp` and `grpc`, a port), when its scheme
    /// needs a feature this build leaves out, or when its request line would
    /// be longer than the 8 KiB healthprobe can send.
    pub fn new(target: &str) -> Result<Probe, Error> {
        let url = Url::parse(target).map_err(|why| Error::invalid(Setting::Target, None, why))?;
        let needs = |what: &str, feature: &str| {
            error!(Setting::Target;
                "invalid ", Setting::Target,
                format!(": {}:// needs {what}, which this build leaves out (built without the {feature} feature)", url.scheme))
        };
        if url.scheme.is_tls() && !cfg!(feature = "tls") {
            return Err(needs("TLS", "tls"));
        }
        if url.scheme.is_grpc() && !cfg!(feature = "grpc") {
            return Err(needs("gRPC", "grpc"));
        }
        let config = Config {
            url,
            method: Method::Get,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            headers: Vec::new(),
            expect_status: ExpectStatus::default(),
            expect_body: None,
            #[cfg(feature = "json")]
            expect_json: Vec::new(),
            follow_redirects: false,
            unix_socket: None,
            grpc_service: String::new(),
            tls: Tls::default(),
        };
        request_line_fits(&config, Setting::Target)?;
        Ok(Probe {
            config,
            wait: None,
            interval: DEFAULT_INTERVAL,
        })
    }

    /// The deadline for the whole check, from name resolution to the last
    /// byte read (default 2 s). Errs when it is under 1 ms, over an hour, or
    /// shorter than the [`connect_timeout`](Probe::connect_timeout) set.
    pub fn timeout(mut self, timeout: Duration) -> Result<Probe, Error> {
        in_range(Setting::Timeout, timeout)?;
        if let Some(connect) = self.config.connect_timeout {
            longer_connect_timeout(Setting::Timeout, connect, timeout)?;
        }
        self.config.timeout = timeout;
        Ok(self)
    }

    /// A shorter limit for connecting, inside the deadline (default: none).
    /// Errs when it is under 1 ms, or longer than the
    /// [`timeout`](Probe::timeout), since it would never apply.
    pub fn connect_timeout(mut self, connect_timeout: Duration) -> Result<Probe, Error> {
        in_range(Setting::ConnectTimeout, connect_timeout)?;
        longer_connect_timeout(
            Setting::ConnectTimeout,
            connect_timeout,
            self.config.timeout,
        )?;
        self.config.connect_timeout = Some(connect_timeout);
        Ok(self)
    }

    /// The request method of an HTTP check (default [`Method::Get`]). Errs
    /// for a target that is not HTTP, and for `HEAD` with a body check.
    pub fn method(mut self, method: Method) -> Result<Probe, Error> {
        self.http_only(Setting::Method)?;
        if method == Method::Head {
            self.no_body_check(Setting::Method)?;
        }
        self.config.method = method;
        request_line_fits(&self.config, Setting::Method)?;
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
        self.request_only(Setting::Header)?;
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
        let headers = &self.config.headers;
        if name.eq_ignore_ascii_case("host")
            && headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            return Err(Error::invalid(
                Setting::Header,
                None,
                "\"Host\" is given more than once",
            ));
        }
        // The last header line also carries the blank line that ends the head.
        let line = name.len() + ": ".len() + value.len() + "\r\n\r\n".len();
        if line > MAX_REQUEST_LINE {
            return Err(error!(Setting::Header;
                "the ", Setting::Header,
                format!(" {name:?} line would be {line} bytes, more than the {MAX_REQUEST_LINE} healthprobe can send: shorten its value")));
        }
        if self.config.url.scheme.is_grpc() {
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
        self.config
            .headers
            .push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The status codes that count as healthy, as a list of codes and
    /// ranges like `200`, `200-399` or `200,204,301-302` (default
    /// `200-299`). Errs for a target that is not HTTP, and for a list that
    /// does not parse or holds a code outside 100-599.
    pub fn expect_status(mut self, list: &str) -> Result<Probe, Error> {
        self.http_only(Setting::ExpectStatus)?;
        self.config.expect_status = ExpectStatus::parse(list)
            .map_err(|why| Error::invalid(Setting::ExpectStatus, Some(list), why))?;
        Ok(self)
    }

    /// Text that must appear in the first 64 KiB of the body (default:
    /// none). Errs for a target that is not HTTP, for empty text, and with
    /// `HEAD`, whose responses have no body.
    pub fn expect_body(mut self, text: &str) -> Result<Probe, Error> {
        self.http_only(Setting::ExpectBody)?;
        if text.is_empty() {
            return Err(Error::invalid(
                Setting::ExpectBody,
                None,
                "the text is empty, so every body would match",
            ));
        }
        self.needs_a_body(Setting::ExpectBody)?;
        self.config.expect_body = Some(text.to_owned());
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
        self.http_only(Setting::ExpectJson)?;
        self.needs_a_body(Setting::ExpectJson)?;
        let parsed = crate::expect_json::ExpectJson::parse(expression)
            .map_err(|why| Error::invalid(Setting::ExpectJson, Some(expression), why))?;
        self.config.expect_json.push(parsed);
        Ok(self)
    }

    /// Follows up to 5 redirects that keep the scheme, host and port
    /// (default: off, and a redirect is unhealthy). Errs when turned on for
    /// a target that is not HTTP.
    pub fn follow_redirects(mut self, follow: bool) -> Result<Probe, Error> {
        if follow {
            self.http_only(Setting::FollowRedirects)?;
        }
        self.config.follow_redirects = follow;
        Ok(self)
    }

    /// Connects to this Unix socket instead of the URL's host, whose name
    /// and port still make the `Host` header and the TLS name. A path that
    /// starts with `@` names a Linux abstract socket.
    ///
    /// Errs for a `tcp://` target, and for a path or name that is empty,
    /// holds a NUL byte, or is longer than the kernel's 107 bytes.
    pub fn unix_socket(mut self, path: impl AsRef<Path>) -> Result<Probe, Error> {
        self.request_only(Setting::UnixSocket)?;
        let bytes = path.as_ref().as_os_str().as_bytes();
        let abstract_name = bytes.strip_prefix(b"@");
        let (kind, name) = match abstract_name {
            Some(name) => ("abstract socket name", name),
            None => ("socket path", bytes),
        };
        let invalid = |why: String| Error::invalid(Setting::UnixSocket, None, why);
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
        let socket = match abstract_name {
            Some(name) => UnixSocket::Abstract(
                String::from_utf8(name.to_vec())
                    .map_err(|_| invalid(format!("the {kind} is not valid UTF-8")))?,
            ),
            None => UnixSocket::Path(path.as_ref().to_owned()),
        };
        self.config.unix_socket = Some(socket);
        Ok(self)
    }

    /// The service a gRPC health check asks about (default: empty, the
    /// server as a whole). Errs for a target that is not gRPC, and for a
    /// name over 1024 bytes.
    pub fn grpc_service(mut self, service: &str) -> Result<Probe, Error> {
        if !self.config.url.scheme.is_grpc() {
            return Err(self.not_for(Setting::GrpcService, GRPC_TARGETS));
        }
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
        self.config.grpc_service = service.to_owned();
        Ok(self)
    }

    /// PEM certificates to trust instead of the system's CA bundle (the
    /// first of `/etc/ssl/certs/ca-certificates.crt`,
    /// `/etc/pki/tls/certs/ca-bundle.crt` and `/etc/ssl/cert.pem`). Errs for
    /// a target without TLS. The file is read when the probe runs: a file
    /// that cannot be used is an [`Outcome::BadFile`](crate::Outcome::BadFile).
    pub fn cacert(self, file: impl Into<PathBuf>) -> Result<Probe, Error> {
        self.trust_file(file.into(), "cacert")
    }

    /// [`Probe::cacert`], with `source` naming where the file came from in
    /// the report (`--cacert`, `HEALTHPROBE_CACERT`, `SSL_CERT_FILE`).
    pub(crate) fn trust_file(mut self, path: PathBuf, source: &str) -> Result<Probe, Error> {
        self.tls_only(Setting::Cacert)?;
        let source = source.to_owned();
        self.config.tls.roots = TrustRoots::File { path, source };
        Ok(self)
    }

    /// Does not verify the server's certificate at all (default: off). Errs
    /// when turned on for a target without TLS.
    pub fn insecure(mut self, insecure: bool) -> Result<Probe, Error> {
        if insecure {
            self.tls_only(Setting::Insecure)?;
        }
        self.config.tls.insecure = insecure;
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
        self.tls_only(Setting::ClientCert)?;
        self.config.tls.client_cert = Some(ClientCert {
            cert: cert.into(),
            key: key.into(),
        });
        Ok(self)
    }

    /// The name to send (SNI) and to verify instead of the URL's host, for a
    /// URL that names an address. Errs for a target without TLS, and for a
    /// name that is not a host name or an IP address.
    pub fn server_name(mut self, name: &str) -> Result<Probe, Error> {
        self.tls_only(Setting::ServerName)?;
        let host = crate::url::parse_host(name)
            .map_err(|why| Error::invalid(Setting::ServerName, Some(name), why))?;
        let name = host.to_string().trim_matches(['[', ']']).to_owned();
        self.config.tls.server_name = Some(name);
        Ok(self)
    }

    /// Makes [`Probe::run`] wait for the target: it probes again until the
    /// target is healthy or `limit` has passed since `run` was called, as
    /// `--wait` does for a service's dependencies (default: no waiting, one
    /// attempt). Attempts start [`interval`](Probe::interval) apart, each
    /// within the timeout or what is left of the wait, whichever ends
    /// first. Errs when `limit` is under 1 ms or over an hour.
    pub fn wait(mut self, limit: Duration) -> Result<Probe, Error> {
        in_range(Setting::Wait, limit)?;
        self.wait = Some(limit);
        Ok(self)
    }

    /// How far apart attempts start when waiting (default 1 s); it applies
    /// only with [`Probe::wait`]. Errs when it is under 1 ms or over an hour.
    pub fn interval(mut self, interval: Duration) -> Result<Probe, Error> {
        in_range(Setting::Interval, interval)?;
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
        match self.wait {
            None => crate::probe::run(&self.config),
            Some(limit) => crate::wait::until_healthy(
                &self.config,
                Wait {
                    limit,
                    interval: self.interval,
                },
            ),
        }
    }

    /// The settings, validated, as the probers take them.
    pub(crate) fn into_config(self) -> Config {
        self.config
    }

    /// The target's scheme.
    pub(crate) fn scheme(&self) -> Scheme {
        self.config.url.scheme
    }

    fn http_only(&self, setting: Setting) -> Result<(), Error> {
        match self.config.url.scheme.is_http() {
            true => Ok(()),
            false => Err(self.not_for(setting, HTTP_TARGETS)),
        }
    }

    fn request_only(&self, setting: Setting) -> Result<(), Error> {
        let scheme = self.config.url.scheme;
        match scheme.is_http() || scheme.is_grpc() {
            true => Ok(()),
            false => Err(self.not_for(setting, REQUEST_TARGETS)),
        }
    }

    fn tls_only(&self, setting: Setting) -> Result<(), Error> {
        match self.config.url.scheme.is_tls() {
            true => Ok(()),
            false => Err(self.not_for(setting, TLS_TARGETS)),
        }
    }

    /// `setting applies only to KINDS targets, not SCHEME://`.
    fn not_for(&self, setting: Setting, kinds: &str) -> Error {
        let scheme = self.config.url.scheme;
        error!(setting; setting, format!(" applies only to {kinds} targets, not {scheme}://"))
    }

    /// Refuses `HEAD` once a body check is set.
    fn no_body_check(&self, setting: Setting) -> Result<(), Error> {
        #[cfg(feature = "json")]
        if !self.config.expect_json.is_empty() {
            return Err(body_with_head(setting, Setting::ExpectJson));
        }
        match self.config.expect_body {
            Some(_) => Err(body_with_head(setting, Setting::ExpectBody)),
            None => Ok(()),
        }
    }

    /// Refuses a body check once the method is `HEAD`.
    fn needs_a_body(&self, setting: Setting) -> Result<(), Error> {
        match self.config.method {
            Method::Head => Err(body_with_head(setting, setting)),
            Method::Get => Ok(()),
        }
    }
}

/// `CHECK needs a body, and responses to HEAD have none: use GET`.
fn body_with_head(setting: Setting, check: Setting) -> Error {
    error!(setting; check, " needs a body, and responses to HEAD have none: use GET")
}

/// ureq writes the request head line by line through one buffer of
/// [`MAX_REQUEST_LINE`] bytes; a line that cannot fit could never be sent.
fn request_line_fits(config: &Config, setting: Setting) -> Result<(), Error> {
    if !config.url.scheme.is_http() {
        return Ok(());
    }
    let request_line =
        config.method.as_str().len() + config.url.request_target().len() + " HTTP/1.1\r\n ".len();
    if request_line > MAX_REQUEST_LINE {
        return Err(error!(setting;
            format!("the request line would be {request_line} bytes, more than the {MAX_REQUEST_LINE} healthprobe can send: shorten the "),
            Setting::Target));
    }
    Ok(())
}

/// A deadline from 1 ms to [`duration::MAX`].
fn in_range(setting: Setting, d: Duration) -> Result<(), Error> {
    let why = if d < Duration::from_millis(1) {
        "must be at least 1ms".to_owned()
    } else if d > duration::MAX {
        format!("is longer than {}", duration::display(duration::MAX))
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
    Err(error!(setting;
        Setting::ConnectTimeout, format!(" {} is longer than ", duration::display(connect)),
        Setting::Timeout, format!(" {}, so it would never apply", duration::display(timeout))))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
