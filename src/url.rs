//! A target's URL, parsed strictly enough that a typo or an empty expansion
//! is reported before anything is sent. What a scheme allows (its default
//! port, whether it takes a path) is the target kind's to say, in
//! [`Rules`]; this module knows the syntax, not the kinds.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use crate::setting::Setting;

/// What a scheme allows in its URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The scheme's name, lower-case, as URLs print it.
    pub name: &'static str,
    /// The port when the URL gives none; `None` if it must give one.
    pub default_port: Option<u16>,
    /// The port an example shows, when the URL needs one.
    pub example_port: u16,
    /// Whether the URL may carry a path and a query.
    pub path: PathRule,
    /// Whether the URL may carry `USER[:PASSWORD]@` (a database's URL does).
    pub userinfo: bool,
    /// How its authority names where to connect.
    pub hosts: HostRule,
}

/// How a URL's authority names where to connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostRule {
    /// One `HOST[:PORT]`.
    One,
    /// Several `HOST[:PORT]` separated by commas, each with the default
    /// port, as Kafka's bootstrap servers are written: ready when one is.
    Several,
    /// libpq's forms: several `HOST[:PORT]` separated by commas, any of
    /// which may be a socket directory (percent-encoded, `%2Fvar%2Frun`) or
    /// empty (the default socket directory), and `host=` and `port=` in the
    /// query, which replace them.
    Libpq,
}

/// Where a socket of a kind's server lives when a libpq URL names no host:
/// the directory of Debian's and the official images' servers.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// One place a URL says to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// A host, with the port.
    Host(Host, u16),
    /// A directory holding the server's socket, with the port that names
    /// it (libpq's `host=/var/run/postgresql`).
    SocketDir(std::path::PathBuf, u16),
}

/// Why a URL cannot be probed: the reason, which ends with the name of the
/// setting to use `instead` of what the URL tried, when there is one. The
/// caller names it as its user names settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError {
    pub why: String,
    pub instead: Option<Setting>,
}

impl From<String> for UrlError {
    fn from(why: String) -> UrlError {
        UrlError { why, instead: None }
    }
}

/// A URL that takes only a host and a port, and has nothing to say of a
/// path.
pub const NO_PATH: PathRule = PathRule::None {
    hint: "",
    instead: None,
};

/// Whether a URL may carry a path and a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathRule {
    /// Any path and query: they are part of what is probed.
    Any,
    /// A name after the host (a database's), and a query that is the
    /// application's and ignored; a bare `/` is not shown.
    Name,
    /// Only a host and a port. The error about a path ends with `hint`,
    /// then `instead`'s name when there is one: `": name the service to
    /// check with "` and [`Setting::GrpcService`] say `": name the service
    /// to check with --grpc-service"` on the command line.
    None {
        hint: &'static str,
        instead: Option<Setting>,
    },
    /// A Unix socket's path after an empty host, as redis-py's
    /// `unix://[[USER]:PASSWORD@]/PATH[?db=N]`: the path is the socket, and
    /// the query is the application's.
    Socket,
    /// No host and no port: an absolute path on this machine
    /// (`file:///ABSOLUTE/PATH`, RFC 8089), with no query or fragment.
    File,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// An IP literal: connected to directly, never given to a resolver.
    Ip(IpAddr),
    /// A name, lower-cased.
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// The scheme's name, lower-case.
    pub scheme: &'static str,
    /// `USER` of `USER[:PASSWORD]@`, percent-decoded.
    pub user: Option<String>,
    /// `PASSWORD` of `USER:PASSWORD@`, percent-decoded; never shown.
    pub password: Option<Secret>,
    pub host: Host,
    pub port: u16,
    /// Every place to connect to, in order: the host and port alone, but
    /// for libpq's URLs ([`HostRule::Libpq`]), which may name several.
    pub addresses: Vec<Address>,
    /// The socket a [`PathRule::Socket`] URL names, percent-decoded.
    pub socket: Option<std::path::PathBuf>,
    /// The authority as it goes into the request line's URL: `host[:port]`.
    authority: String,
    /// Path and query, starting with `/`; the fragment is dropped.
    path_and_query: String,
    /// Whether a bare `/` is shown: it is, where the path is probed.
    root_shown: bool,
}

impl Url {
    /// Parses `text`, with the rules of its scheme from `rules`, which errs
    /// for a scheme no kind of target has.
    ///
    /// The authority ends at the first `/`, `?` or `#`, as RFC 3986 says
    /// and as libpq, redis-py and curl read it, so a password must
    /// percent-encode those three. A URL with an `@` after that point is
    /// refused: its password may hold one of them unencoded, and reading it
    /// any further would show part of it as a host, a port or a path. No
    /// error shows anything before the URL's last `@`.
    pub fn parse(
        text: &str,
        rules: &dyn Fn(&str) -> Result<Rules, String>,
    ) -> Result<Url, UrlError> {
        let (scheme, rest) = split_scheme(text).ok_or_else(|| {
            let text = shown(text);
            format!("{text:?} is not a URL: expected one like http://127.0.0.1:9000/health")
        })?;
        let rules = rules(&scheme.to_ascii_lowercase())?;
        let scheme = rules.name;
        if rules.path == PathRule::File {
            return Ok(Url::parse_file(text, scheme, rest)?);
        }
        let rest = rest.strip_prefix("//").ok_or_else(|| {
            let text = shown(text);
            format!("{text:?} is not a URL: expected // after the scheme")
        })?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, reference) = rest.split_at(end);
        if reference.contains('@') {
            return Err(AT_AFTER_HOST.to_owned().into());
        }
        let (user, password, authority) = userinfo(authority, &rules)?;
        let path_and_query = path_and_query(reference)?;
        if rules.path == PathRule::Socket {
            return Ok(Url::parse_socket(
                scheme,
                user,
                password,
                authority,
                path_and_query,
            )?);
        }
        if rules.hosts == HostRule::Libpq {
            let addresses = libpq_addresses(authority, &path_and_query, &rules)?;
            let (host, port) = match addresses.first() {
                Some(Address::Host(host, port)) => (host.clone(), *port),
                Some(Address::SocketDir(_, port)) => (Host::Name("localhost".to_owned()), *port),
                None => (
                    Host::Name("localhost".to_owned()),
                    rules.default_port.unwrap_or(0),
                ),
            };
            return Ok(Url {
                scheme,
                user,
                password,
                host,
                port,
                addresses,
                socket: None,
                authority: authority.to_owned(),
                path_and_query,
                root_shown: false,
            });
        }
        let addresses = match rules.hosts {
            HostRule::Several => authority
                .split(',')
                .map(|one| host_and_port(one, &rules).map(|(host, port)| Address::Host(host, port)))
                .collect::<Result<Vec<_>, _>>()?,
            _ => Vec::new(),
        };
        let (host, port) = match addresses.first() {
            Some(Address::Host(host, port)) => (host.clone(), *port),
            _ => host_and_port(authority, &rules)?,
        };
        if let PathRule::None { hint, instead } = rules.path {
            if path_and_query != "/" {
                return Err(UrlError {
                    why: format!(
                        "{scheme}:// takes only a host and a port, not {reference:?}{hint}"
                    ),
                    instead,
                });
            }
        }
        let authority = match rules.default_port {
            _ if addresses.len() > 1 => authority.to_owned(),
            Some(default) if default == port => host.to_string(),
            _ => format!("{host}:{port}"),
        };
        let addresses = match addresses.is_empty() {
            true => vec![Address::Host(host.clone(), port)],
            false => addresses,
        };
        Ok(Url {
            scheme,
            user,
            password,
            addresses,
            host,
            port,
            socket: None,
            authority,
            path_and_query,
            root_shown: rules.path == PathRule::Any,
        })
    }

    /// A socket URL, `unix://[[USER]:PASSWORD@]/PATH[?QUERY]`: no host, and
    /// the path is the socket.
    fn parse_socket(
        scheme: &'static str,
        user: Option<String>,
        password: Option<Secret>,
        authority: &str,
        path_and_query: String,
    ) -> Result<Url, String> {
        let form = format!("{scheme}:///PATH/TO/SOCKET");
        if !authority.is_empty() {
            return Err(format!(
                "a {scheme}:// URL names a socket, not a host: write {form}"
            ));
        }
        let path = path_and_query.split('?').next().unwrap_or_default();
        if path.len() <= 1 {
            return Err(format!("the URL names no socket: write {form}"));
        }
        let decoded = percent_decode(path.as_bytes());
        if decoded.contains(&0) {
            return Err("the URL's path contains a NUL byte (%00)".to_owned());
        }
        let socket = std::path::PathBuf::from(
            <std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(decoded),
        );
        Ok(Url {
            scheme,
            user,
            password,
            host: Host::Name("localhost".to_owned()),
            port: 0,
            addresses: Vec::new(),
            socket: Some(socket),
            authority: String::new(),
            path_and_query,
            root_shown: true,
        })
    }

    /// A `file:///ABSOLUTE/PATH` URL: the path is kept as written (its
    /// percent-escapes are the kind's to decode), and anything else is an
    /// error that shows the form meant.
    fn parse_file(text: &str, scheme: &'static str, rest: &str) -> Result<Url, String> {
        let text = shown(text);
        let form = format!("{scheme}:///ABSOLUTE/PATH");
        let relative = || format!("{text:?} has a relative path: write {form}");
        // The URL meant, shown only when it is one (visible ASCII).
        let as_in = |meant: &str| match meant.bytes().all(|b| b.is_ascii_graphic()) {
            true => format!(", as in {scheme}://{meant}"),
            false => String::new(),
        };
        let Some(after) = rest.strip_prefix("//") else {
            return match rest.strip_prefix('/') {
                Some(path) => Err(format!(
                    "{text:?} is not a {scheme}:// URL: write {form}{}",
                    as_in(&format!("/{}", path.trim_start_matches('/')))
                )),
                None => Err(relative()),
            };
        };
        let (host, path) = after.split_at(after.find('/').unwrap_or(after.len()));
        // With a host part, an "@" anywhere may follow a user and a password
        // (one that holds a "/"): nothing before it is shown. A path may
        // hold an "@" of its own.
        if !host.is_empty() && after.contains('@') {
            return Err(format!(
                "{text:?} is not a {scheme}:// URL: it carries no user or password; write {form}"
            ));
        }
        if host.starts_with('.') || host == "~" {
            return Err(relative());
        }
        if !host.is_empty() {
            // file://tmp/heartbeat is /tmp/heartbeat with a slash missing;
            // file://localhost/tmp/heartbeat is /tmp/heartbeat.
            let meant = match host.eq_ignore_ascii_case("localhost") {
                true => path.to_owned(),
                false => format!("/{host}{path}"),
            };
            return Err(format!(
                "{text:?} names a host, {host:?}: a {scheme}:// target is a path on this machine, {form}{}",
                as_in(&meant)
            ));
        }
        if path.is_empty() {
            return Err(format!("{text:?} has no path: write {form}"));
        }
        if let Some(c) = path.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(format!("the URL's path contains {c:?}: percent-encode it"));
        }
        if path.contains(['?', '#']) {
            return Err(format!(
                "a {scheme}:// URL is a path alone: write \"?\" in a file's name as %3F and \"#\" as %23"
            ));
        }
        Ok(Url {
            scheme,
            user: None,
            password: None,
            // RFC 8089 section 2: an empty authority is the local host.
            host: Host::Name("localhost".to_owned()),
            port: 0,
            addresses: Vec::new(),
            socket: None,
            authority: String::new(),
            path_and_query: path.to_owned(),
            root_shown: true,
        })
    }

    /// The full URL to request.
    pub fn as_request_url(&self) -> String {
        format!(
            "{}://{}{}",
            self.scheme, self.authority, self.path_and_query
        )
    }

    /// The path and query, as they go into the request line.
    pub fn request_target(&self) -> &str {
        &self.path_and_query
    }

    /// `host[:port]`, as it goes into the Host header.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Resolves a redirect's `Location` against this URL (RFC 3986 section
    /// 5.2), with the rules of its scheme from `rules`.
    pub fn join(
        &self,
        location: &str,
        rules: &dyn Fn(&str) -> Result<Rules, String>,
    ) -> Result<Url, String> {
        let location = location.split('#').next().unwrap_or_default();
        if split_scheme(location).is_some() {
            return Url::parse(location, rules).map_err(|e| e.why);
        }
        if location.starts_with("//") {
            return Url::parse(&format!("{}:{location}", self.scheme), rules).map_err(|e| e.why);
        }
        let base_path = self.path_and_query.split('?').next().unwrap_or("/");
        let reference = if location.is_empty() {
            self.path_and_query.clone()
        } else if location.starts_with('?') {
            format!("{base_path}{location}")
        } else if location.starts_with('/') {
            location.to_owned()
        } else {
            let directory = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
            format!("{directory}{location}")
        };
        let (path, query) = match reference.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (reference.as_str(), None),
        };
        let mut joined = format!(
            "{}://{}{}",
            self.scheme,
            self.authority,
            remove_dot_segments(path)
        );
        if let Some(query) = query {
            joined.push('?');
            joined.push_str(query);
        }
        Url::parse(&joined, rules).map_err(|e| e.why)
    }

    /// The path without its leading `/` and without the query,
    /// percent-decoded: a database's name, a Redis database's number.
    pub fn path_name(&self) -> Result<String, String> {
        let path = self.path_and_query.split('?').next().unwrap_or_default();
        let name = path.strip_prefix('/').unwrap_or(path);
        String::from_utf8(percent_decode(name.as_bytes()))
            .map_err(|_| "the URL's path is not UTF-8 once percent-decoded".to_owned())
    }

    /// The last value of `key` in the query (`?key=value&...`),
    /// percent-decoded.
    pub fn query_value(&self, key: &str) -> Result<Option<String>, String> {
        let Some((_, query)) = self.path_and_query.split_once('?') else {
            return Ok(None);
        };
        let mut found = None;
        for pair in query.split('&') {
            if let Some((k, value)) = pair.split_once('=') {
                if k == key {
                    found = Some(decode_utf8(value, key)?);
                }
            }
        }
        Ok(found)
    }

    /// Whether `other` has the same scheme, host and port.
    pub fn same_origin(&self, other: &Url) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

/// Renders the URL for the output line. The query is shown only as `?...`: it
/// can hold a token expanded from `${VAR}`, and Docker keeps probe output in
/// `docker inspect` for anyone who can read the container's metadata.
impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = match self.path_and_query.split_once('?') {
            Some((path, _)) => format!("{path}?..."),
            None if !self.root_shown && self.path_and_query == "/" => String::new(),
            None => self.path_and_query.clone(),
        };
        write!(f, "{}://{}{}", self.scheme, self.authority, path)
    }
}

impl Url {
    /// Whether every place the URL names is on this machine: a loopback
    /// host ([`Host::is_loopback`]) or a socket.
    pub fn is_loopback(&self) -> bool {
        if self.addresses.is_empty() {
            return self.host.is_loopback();
        }
        self.addresses.iter().all(|address| match address {
            Address::Host(host, _) => host.is_loopback(),
            Address::SocketDir(..) => true,
        })
    }
}

impl Host {
    /// Whether a probe of this host stays on this machine: `localhost` and
    /// names under `.localhost` (answered without a resolver), 127.0.0.0/8,
    /// `::1`, IPv4-mapped loopback, and the unspecified addresses `0.0.0.0`
    /// and `::`, which a probe connects to as 127.0.0.1 and `::1`.
    pub fn is_loopback(&self) -> bool {
        match self {
            Host::Ip(ip) => is_loopback_ip(*ip) || ip.is_unspecified(),
            Host::Name(name) => is_localhost(name),
        }
    }
}

/// 127.0.0.0/8, `::1`, or 127.0.0.0/8 mapped into IPv6 (`::ffff:127.0.0.1`).
pub fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// RFC 6761 section 6.3: `localhost` and every name under `.localhost`.
pub fn is_localhost(name: &str) -> bool {
    name == "localhost" || name.ends_with(".localhost")
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// A password from a URL: kept to be sent where its kind needs it, and
/// never shown, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The password itself, to send.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// `text` as an error may show it: from its last `@` on, since what comes
/// before may be a password.
pub(crate) fn shown(text: &str) -> String {
    match text.rfind('@') {
        Some(at) => format!("...{}", &text[at..]),
        None => text.to_owned(),
    }
}

/// Why a URL with an `@` after its authority is refused; it shows no part
/// of the URL.
const AT_AFTER_HOST: &str = "an \"@\" follows the host: percent-encode \"/\", \"?\" and \"#\" in a password (%2F, %3F, %23) and \"@\" in a path or query (%40); the URL is not shown, as it may hold a password";

/// `USER[:PASSWORD]@` at the start of `authority`, percent-decoded, and the
/// rest of it. The userinfo ends at the authority's last `@`, so an
/// unencoded `@` in a password is read as part of it.
fn userinfo<'a>(
    authority: &'a str,
    rules: &Rules,
) -> Result<(Option<String>, Option<Secret>, &'a str), UrlError> {
    let Some((userinfo, rest)) = authority.rsplit_once('@') else {
        return Ok((None, None, authority));
    };
    if !rules.userinfo {
        return Err(UrlError {
            why: "credentials in the URL are not supported: they would show in the output \
                  line; send them in an Authorization header with "
                .to_owned(),
            instead: Some(Setting::Header),
        });
    }
    let (user, password) = match userinfo.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (userinfo, None),
    };
    let decoded = |text: &str, what: &str| {
        String::from_utf8(percent_decode(text.as_bytes()))
            .map_err(|_| format!("the URL's {what} is not UTF-8 once percent-decoded"))
    };
    let user = Some(decoded(user, "user")?).filter(|u| !u.is_empty());
    let password = match password {
        Some(password) => Some(Secret(decoded(password, "password")?)),
        None => None,
    };
    Ok((user, password, rest))
}

/// `HOST[:PORT]`, with the scheme's default port when it has one.
fn host_and_port(authority: &str, rules: &Rules) -> Result<(Host, u16), String> {
    let (host, port) = split_host_port(authority)?;
    let port = match port {
        None => default_port(rules)?,
        Some(p) => parse_port(p)?,
    };
    Ok((parse_host(host)?, port))
}

fn default_port(rules: &Rules) -> Result<u16, String> {
    let scheme = rules.name;
    rules.default_port.ok_or_else(|| {
        let example = rules.example_port;
        format!("{scheme}:// needs a port, as in {scheme}://127.0.0.1:{example}")
    })
}

fn parse_port(p: &str) -> Result<u16, String> {
    match p.parse::<u16>() {
        Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ if p.is_empty() => Err("the URL's port is empty".to_owned()),
        _ => Err(format!("{p:?} is not a port from 1 to 65535")),
    }
}

/// The places a libpq URL names, as libpq reads them (`fe-connect.c`,
/// `conninfo_uri_parse_options` and `connectOptions2`): the authority's
/// comma-separated hosts and ports, each percent-decoded, replaced by the
/// query's `host=` and `port=` when given. A host that starts with `/` is
/// a socket directory; an empty one is [`DEFAULT_SOCKET_DIR`]. One port
/// serves every host; otherwise there is one port a host.
fn libpq_addresses(
    authority: &str,
    path_and_query: &str,
    rules: &Rules,
) -> Result<Vec<Address>, String> {
    if let Some(c) = authority.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!("the URL's host contains {c:?}: percent-encode it"));
    }
    let mut hosts: Vec<String> = Vec::new();
    let mut ports: Vec<String> = Vec::new();
    for entry in authority.split(',') {
        let (host, port) = match entry.strip_prefix('[') {
            Some(bracketed) => {
                let (host, after) = bracketed
                    .split_once(']')
                    .ok_or_else(|| format!("{entry:?} has \"[\" without \"]\""))?;
                match after {
                    "" => (format!("[{host}]"), ""),
                    _ => match after.strip_prefix(':') {
                        Some(port) => (format!("[{host}]"), port),
                        None => return Err(format!("unexpected {after:?} after \"]\"")),
                    },
                }
            }
            None => match entry.split_once(':') {
                Some((host, port)) => (host.to_owned(), port),
                None => (entry.to_owned(), ""),
            },
        };
        hosts.push(decode_utf8(&host, "host")?);
        ports.push(decode_utf8(port, "port")?);
    }
    if let Some((_, query)) = path_and_query.split_once('?') {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let list =
                || decode_utf8(value, key).map(|v| v.split(',').map(str::to_owned).collect());
            match key {
                "host" => hosts = list()?,
                "port" => ports = list()?,
                _ => {}
            }
        }
    }
    if ports.len() != 1 && ports.len() != hosts.len() {
        return Err(format!(
            "the URL gives {} ports for {} hosts: give one port for all, or one for each",
            ports.len(),
            hosts.len()
        ));
    }
    let mut addresses = Vec::with_capacity(hosts.len());
    for (i, host) in hosts.iter().enumerate() {
        let port = ports
            .get(i)
            .or(ports.first())
            .map_or("", String::as_str)
            .trim();
        let port = match port {
            "" => default_port(rules)?,
            port => parse_port(port)?,
        };
        let host = host.trim();
        addresses.push(if host.is_empty() {
            Address::SocketDir(DEFAULT_SOCKET_DIR.into(), port)
        } else if host.starts_with('/') {
            if host.contains('\0') {
                return Err("the URL's socket directory contains a NUL byte (%00)".to_owned());
            }
            Address::SocketDir(host.into(), port)
        } else {
            let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
            if let Some(v6) = literal {
                let ip = v6
                    .parse::<Ipv6Addr>()
                    .map_err(|_| format!("{v6:?} is not an IPv6 address"))?;
                Address::Host(Host::Ip(IpAddr::V6(ip)), port)
            } else {
                Address::Host(parse_host(host)?, port)
            }
        });
    }
    Ok(addresses)
}

/// `text` percent-decoded, which must then be UTF-8.
fn decode_utf8(text: &str, what: &str) -> Result<String, String> {
    String::from_utf8(percent_decode(text.as_bytes()))
        .map_err(|_| format!("the URL's {what} is not UTF-8 once percent-decoded"))
}

/// Decodes `%XX` escapes (RFC 3986 section 2.1); anything else, a `%` that
/// starts no escape included, is kept as it is.
pub fn percent_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if let (b'%', Some(&hi), Some(&lo)) = (text[i], text.get(i + 1), text.get(i + 2)) {
            if let (Some(hi), Some(lo)) = (hex(hi), hex(lo)) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

fn split_scheme(text: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = text.split_once(':')?;
    let mut bytes = scheme.bytes();
    let valid = bytes.next()?.is_ascii_alphabetic()
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid.then_some((scheme, rest))
}

/// Splits `host[:port]`; a bracketed host (`[::1]:80`) must be an IPv6 address.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| format!("{authority:?} has \"[\" without \"]\""))?;
        if host.parse::<Ipv6Addr>().is_err() {
            return Err(format!("{host:?} is not an IPv6 address"));
        }
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(format!("unexpected {after:?} after \"]\"")),
            },
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Parses a host: an IPv4 or IPv6 address, or a name (lower-cased).
pub(crate) fn parse_host(host: &str) -> Result<Host, String> {
    if host.is_empty() {
        return Err("the URL has no host".to_owned());
    }
    if host.contains(':') {
        return host
            .parse::<Ipv6Addr>()
            .map(|ip| Host::Ip(IpAddr::V6(ip)))
            .map_err(|_| format!("{host:?} is not an IPv6 address"));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    let valid = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid {
        return Err(format!(
            "{host:?} is not a host name (letters, digits, \"-\", \".\"; use the xn-- form of an international name)"
        ));
    }
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // 127.1 and 2130706433 are 127.0.0.1 to inet_aton, and to no one
        // reading a health check.
        return Err(format!(
            "{host:?} is not an IPv4 address: write its four numbers, as in 127.0.0.1"
        ));
    }
    Ok(Host::Name(host.to_ascii_lowercase()))
}

fn path_and_query(reference: &str) -> Result<String, String> {
    let reference = reference.split('#').next().unwrap_or_default();
    // The request target must be visible ASCII (RFC 9112 section 3.2); a space
    // or a control character here usually means an unquoted or mangled value.
    if let Some(c) = reference.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!("the URL's path contains {c:?}: percent-encode it"));
    }
    Ok(match reference.chars().next() {
        None => "/".to_owned(),
        Some('?') => format!("/{reference}"),
        Some(_) => reference.to_owned(),
    })
}

/// RFC 3986 section 5.2.4, on a path that starts with `/`.
fn remove_dot_segments(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *segment {
            "." | ".." => {
                if *segment == ".." {
                    segments.pop();
                }
                if last {
                    segments.push("");
                }
            }
            s => segments.push(s),
        }
    }
    format!("/{}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules of the schemes these tests use, as their kinds give them.
    fn rules(scheme: &str) -> Result<Rules, String> {
        let path = PathRule::Any;
        let (name, default_port, example_port, path) = match scheme {
            "http" => ("http", Some(80), 80, path),
            "https" => ("https", Some(443), 443, path),
            "tcp" => ("tcp", None, 5432, NO_PATH),
            "grpc" => (
                "grpc",
                None,
                50051,
                PathRule::None {
                    hint: ": name the service with ",
                    instead: Some(Setting::GrpcService),
                },
            ),
            "grpcs" => ("grpcs", Some(443), 50051, NO_PATH),
            _ => return Err(format!("unsupported scheme {scheme:?}")),
        };
        Ok(Rules {
            name,
            default_port,
            example_port,
            path,
            userinfo: false,
            hosts: HostRule::One,
        })
    }

    fn parse(text: &str) -> Result<Url, String> {
        Url::parse(text, &rules).map_err(|e| e.why)
    }

    fn url(text: &str) -> Url {
        parse(text).unwrap()
    }

    #[test]
    fn parses_hosts_ports_and_paths() {
        let u = url("http://127.0.0.1:9000/health");
        assert_eq!(u.host, Host::Ip("127.0.0.1".parse().unwrap()));
        assert_eq!(u.port, 9000);
        assert_eq!(u.as_request_url(), "http://127.0.0.1:9000/health");

        let u = url("HTTP://LocalHost");
        assert_eq!(u.host, Host::Name("localhost".to_owned()));
        assert_eq!(u.port, 80);
        assert_eq!(u.as_request_url(), "http://localhost/");

        let u = url("http://[::1]:8080?x=1#frag");
        assert_eq!(u.host, Host::Ip("::1".parse().unwrap()));
        assert_eq!(u.as_request_url(), "http://[::1]:8080/?x=1");

        assert_eq!(url("https://api.internal/").port, 443);
        assert_eq!(url("http://h:80/").as_request_url(), "http://h/");

        let u = url("grpc://127.0.0.1:50051");
        assert_eq!((u.scheme, u.port), ("grpc", 50051));
        assert_eq!(u.to_string(), "grpc://127.0.0.1:50051");
        let u = url("GRPCS://api.internal/");
        assert_eq!((u.scheme, u.port), ("grpcs", 443));
        assert_eq!(
            (u.to_string().as_str(), u.authority()),
            ("grpcs://api.internal", "api.internal")
        );
    }

    #[test]
    fn rejects_what_would_probe_the_wrong_thing() {
        for (text, why) in [
            ("127.0.0.1:9000/health", "is not a URL"),
            ("localhost/health", "is not a URL"),
            ("ftp://h/", "unsupported scheme \"ftp\""),
            ("http:/h/", "expected // after the scheme"),
            ("http://127.0.0.1:/health", "the URL's port is empty"),
            ("http://h:0/", "\"0\" is not a port"),
            ("http://h:65536/", "\"65536\" is not a port"),
            ("http://h:+80/", "\"+80\" is not a port"),
            ("http:///health", "the URL has no host"),
            (
                "http://user:pw@h/",
                "credentials in the URL are not supported",
            ),
            ("http://[::1/", "has \"[\" without \"]\""),
            ("http://[::1]x/", "unexpected \"x\" after \"]\""),
            ("http://[zz]/", "\"zz\" is not an IPv6 address"),
            ("http://ex ample/", "is not a host name"),
            ("http://bücher.de/", "is not a host name"),
            ("http://256.1.1.1/", "\"256.1.1.1\" is not an IPv4 address"),
            ("http://h/a b", "contains ' '"),
            ("http://h/a\x1b[31m", "contains '\\u{1b}'"),
            ("grpc://127.0.0.1/", "grpc:// needs a port"),
            (
                "grpc://127.0.0.1:50051/grpc.health.v1.Health",
                "not \"/grpc.health.v1.Health\": name the service with ",
            ),
            ("grpcs://h:443/?x", "takes only a host and a port"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(
                err.contains(why),
                "{text:?}: {err:?} should contain {why:?}"
            );
        }
    }

    #[test]
    fn display_hides_the_query() {
        assert_eq!(
            url("http://h:1/p?token=abc").to_string(),
            "http://h:1/p?..."
        );
        assert_eq!(url("http://h:1/p").to_string(), "http://h:1/p");
    }

    #[test]
    fn joins_redirect_locations() {
        let base = url("http://h:1/a/b/c?q=1");
        for (location, want) in [
            ("/x", "http://h:1/x"),
            ("x", "http://h:1/a/b/x"),
            ("../x", "http://h:1/a/x"),
            ("../../../../x", "http://h:1/x"),
            ("./", "http://h:1/a/b/"),
            ("..", "http://h:1/a/"),
            ("?z=2", "http://h:1/a/b/c?z=2"),
            ("", "http://h:1/a/b/c?q=1"),
            ("x#frag", "http://h:1/a/b/x"),
            ("//other:2/y", "http://other:2/y"),
            ("https://h:1/z", "https://h:1/z"),
        ] {
            assert_eq!(
                base.join(location, &rules).unwrap().as_request_url(),
                want,
                "{location:?}"
            );
        }
    }

    #[test]
    fn same_origin_compares_scheme_host_and_port() {
        let base = url("http://localhost:9000/");
        assert!(base.same_origin(&url("http://LOCALHOST:9000/x")));
        assert!(!base.same_origin(&url("http://localhost:9001/")));
        assert!(!base.same_origin(&url("http://127.0.0.1:9000/")));
        assert!(!base.same_origin(&url("https://localhost:9000/")));
        assert!(url("http://h/").same_origin(&url("http://h:80/")));
    }
}
