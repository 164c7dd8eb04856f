//! The plain data a prober reads: one [`Target`], validated, with every
//! default filled in. Its [`Kind`] carries the kind's own settings; the
//! settings every kind shares (the timeouts, and the request's headers,
//! socket and TLS where a kind has them) sit beside it.
//!
//! Each kind of target is one [`Scheme`] (or two, with and without TLS)
//! and one [`Kind`] variant. What a scheme's URLs allow, which settings its
//! kind takes, and which feature it needs are said here, once, by
//! exhaustive matches: a new kind makes the compiler list them.

use std::path::PathBuf;
use std::time::Duration;

use crate::declared;
pub use crate::declared::Scheme;
use crate::setting::{Names, Setting};
use crate::status::ExpectStatus;
use crate::url::{PathRule, Rules, Secret, Url};

/// The deadline of a probe whose timeout is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// How far apart attempts start when waiting, unless set.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

impl Scheme {
    /// Every scheme, in the order messages list them.
    pub const ALL: [Scheme; declared::FORMS] = declared::SCHEMES;

    /// What its URLs allow, under its own name.
    pub fn rules(self) -> Rules {
        let (kind, form) = declared::of(self);
        Rules {
            name: form.name,
            default_port: form.default_port,
            example_port: form.example_port,
            path: form.path,
            userinfo: kind.userinfo,
            hosts: kind.hosts,
        }
    }

    /// The scheme that `name` (lower-case) spells, and the name its URLs
    /// print. The spellings applications carry in `DATABASE_URL` and
    /// `CELERY_BROKER_URL` name the same schemes: a `+driver` suffix on a
    /// database's or broker's scheme (SQLAlchemy's `postgresql+psycopg2`,
    /// `mysql+pymysql`), Rails' `mysql2`, Celery's `pyamqp`, and
    /// `redis+unix` and `redis+socket` for `unix`.
    pub fn named(name: &str) -> Result<(Scheme, &'static str), String> {
        let base = match name.split_once('+') {
            Some((base, driver)) if !driver.is_empty() => Some(base),
            _ => None,
        };
        let forms = || declared::KINDS.iter().flat_map(|kind| kind.forms);
        // A name or an alias as it is, then a name with a driver.
        for form in forms() {
            if let Some(&spelled) = form.names().find(|&&n| n == name) {
                return Ok((form.scheme, spelled));
            }
            if form.aliases.contains(&name) {
                return Ok((form.scheme, form.name));
            }
        }
        for form in forms().filter(|form| form.drivers) {
            if let Some(&spelled) = form.names().find(|&&n| Some(n) == base) {
                return Ok((form.scheme, spelled));
            }
        }
        if let Some((_, why)) = declared::REFUSED
            .iter()
            .find(|(refused, _)| *refused == name)
        {
            return Err((*why).to_owned());
        }
        let list = Scheme::listed(&Scheme::ALL, ", ", " or ");
        Err(format!("unsupported scheme {name:?}: expected {list}"))
    }

    /// The rules of the scheme that `name` spells, under that name: what
    /// [`Url::parse`] reads a URL by.
    pub fn rules_named(name: &str) -> Result<Rules, String> {
        let (scheme, name) = Scheme::named(name)?;
        Ok(Rules {
            name,
            ..scheme.rules()
        })
    }

    /// `http://, https:// and grpc://`: the schemes given, each with the
    /// spellings that messages list, for a message.
    pub fn listed(schemes: &[Scheme], comma: &str, last: &str) -> String {
        let names: Vec<&str> = schemes
            .iter()
            .flat_map(|s| declared::of(*s).1.names())
            .copied()
            .collect();
        let mut text = String::new();
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                text.push_str(if i + 1 == names.len() { last } else { comma });
            }
            text.push_str(name);
            text.push_str("://");
        }
        text
    }

    /// Whether its probes run TLS from the start.
    pub fn is_tls(self) -> bool {
        declared::of(self).1.tls
    }

    /// Whether it takes the TLS settings: it runs TLS, or turns to TLS
    /// when the server requires it.
    pub fn takes_tls(self) -> bool {
        let form = declared::of(self).1;
        form.tls || form.upgrades
    }

    /// Whether its kind takes `setting`: the timeout and waiting apply to
    /// every kind, the connect timeout to every kind that connects, the TLS
    /// settings to every TLS scheme, and each kind names the rest.
    pub(crate) fn takes(self, setting: Setting) -> bool {
        let (kind, form) = declared::of(self);
        match setting {
            Setting::Target | Setting::Timeout | Setting::Wait | Setting::Interval => true,
            Setting::ConnectTimeout => kind.connects,
            Setting::Cacert
            | Setting::Insecure
            | Setting::ClientCert
            | Setting::ClientKey
            | Setting::ServerName => form.tls || form.upgrades,
            // A socket's URL names its socket itself.
            Setting::UnixSocket => form.path != PathRule::Socket && kind.takes.contains(&setting),
            Setting::Method
            | Setting::Header
            | Setting::ExpectStatus
            | Setting::ExpectBody
            | Setting::ExpectJson
            | Setting::FollowRedirects
            | Setting::GrpcService
            | Setting::MaxAge => kind.takes.contains(&setting),
        }
    }

    /// `http:// and https://`: the schemes whose kinds take `setting`.
    pub(crate) fn taking(setting: Setting) -> String {
        let schemes: Vec<Scheme> = Scheme::ALL
            .into_iter()
            .filter(|s| s.takes(setting))
            .collect();
        Scheme::listed(&schemes, ", ", " and ")
    }

    /// Settings that a command line must not give at all when a target of
    /// this scheme is among its targets, even if another target takes
    /// them, and why: they would judge something this kind never sees.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn refuses(self) -> Option<(&'static [Setting], &'static str)> {
        declared::of(self).0.refuses
    }

    /// Why this build cannot probe the scheme, spelled `name`: a feature it
    /// needs is left out.
    pub(crate) fn left_out(self, name: &str) -> Option<String> {
        let (declared, form) = declared::of(self);
        let tls = form.tls.then_some(&declared::TLS).filter(|f| !f.on);
        let feature = tls.or(declared.feature.as_ref().filter(|f| !f.on))?;
        let (what, feature) = (feature.what, feature.name);
        Some(format!(
            "{name}:// needs {what}, which this build leaves out (built without the {feature} feature)"
        ))
    }

    /// The kind a target of this scheme and `url` is, with its settings at
    /// their defaults and what the URL says; or why there can be none (a URL
    /// the kind cannot use). The build has the scheme's feature
    /// ([`Scheme::left_out`]).
    pub(crate) fn kind(self, url: &Url) -> Result<Kind, String> {
        match self {
            Scheme::Http | Scheme::Https => Ok(Kind::Http(HttpCheck::default())),
            Scheme::Tcp => Ok(Kind::Tcp),
            #[cfg(feature = "grpc")]
            Scheme::Grpc | Scheme::Grpcs => Ok(Kind::Grpc(GrpcCheck::default())),
            #[cfg(not(feature = "grpc"))]
            Scheme::Grpc | Scheme::Grpcs => Err(self.left_out(url.scheme).unwrap_or_default()),
            Scheme::Postgres => PostgresCheck::from_url(url).map(Kind::Postgres),
            Scheme::Redis | Scheme::Rediss | Scheme::RedisSocket => {
                RedisCheck::from_url(url).map(Kind::Redis)
            }
            Scheme::Mysql => MysqlCheck::from_url(url).map(Kind::Mysql),
            // The user, password and vhost are the application's: a broker
            // shows it speaks 0-9-1 before any login.
            Scheme::Amqp | Scheme::Amqps => Ok(Kind::Amqp),
            Scheme::Nats | Scheme::NatsTls => Ok(Kind::Nats(NatsCheck {
                user: url.user.clone(),
                password: url.password.clone(),
            })),
            Scheme::Memcached => Ok(Kind::Memcached),
            Scheme::Zookeeper => Ok(Kind::Zookeeper),
            Scheme::Kafka | Scheme::KafkaSsl => Ok(Kind::Kafka),
            Scheme::Cassandra | Scheme::CassandraSsl => Ok(Kind::Cassandra),
            Scheme::Mongodb => MongoCheck::from_url(url).map(Kind::Mongodb),
            Scheme::File => FileCheck::from_url(url).map(Kind::File),
        }
    }
}

/// What kind of check a target gets, with the settings of that kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `http://` and `https://`: a request, judged by its status and body.
    Http(HttpCheck),
    /// `tcp://`: a connection is accepted.
    Tcp,
    /// `grpc://` and `grpcs://`: `grpc.health.v1.Health/Check`.
    #[cfg(feature = "grpc")]
    Grpc(GrpcCheck),
    /// `postgres://` and `postgresql://`: a StartupMessage, answered.
    Postgres(PostgresCheck),
    /// `redis://` and `rediss://`: PING, answered PONG.
    Redis(RedisCheck),
    /// `mysql://` and `mariadb://`: the greeting, and a polite goodbye.
    Mysql(MysqlCheck),
    /// `amqp://` and `amqps://`: the protocol header, answered with
    /// Connection.Start.
    Amqp,
    /// `nats://` and `tls://`: INFO, then CONNECT and PING answered PONG.
    Nats(NatsCheck),
    /// `memcached://`: `version`, answered.
    Memcached,
    /// `zookeeper://`: `srvr`, answered with a serving mode.
    Zookeeper,
    /// `kafka://` and `kafka+ssl://`: ApiVersions, answered.
    Kafka,
    /// `cassandra://` and `cassandra+ssl://`: OPTIONS, then STARTUP
    /// answered READY or AUTHENTICATE.
    Cassandra,
    /// `mongodb://`: `hello`, answered by a primary, a secondary, a
    /// standalone server or a `mongos`.
    Mongodb(MongoCheck),
    /// `file://`: the path exists, and is fresh enough.
    File(FileCheck),
}

/// The settings of an HTTP check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpCheck {
    pub method: Method,
    pub expect_status: ExpectStatus,
    pub expect_body: Option<String>,
    /// `--expect-json`: every expression must hold for the JSON body.
    #[cfg(feature = "json")]
    pub expect_json: Vec<crate::protocol::json::ExpectJson>,
    pub follow_redirects: bool,
    /// Keep what curl and wget print of the response: its body (at most
    /// 64 KiB, whatever the status) and its `Retry-After`, in the report.
    pub keep: bool,
    /// The most redirects followed, when fewer than the usual 5 (curl's
    /// `--max-redirs`).
    pub max_redirects: Option<u8>,
}

/// The settings of a gRPC health check.
#[cfg(feature = "grpc")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrpcCheck {
    /// The service to ask about; empty for the server as a whole.
    pub service: String,
}

/// The settings of a PostgreSQL check, from its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostgresCheck {
    /// The user the StartupMessage names: the URL's, else `postgres`, a
    /// role every server has, so that the server logs no missing role.
    pub user: String,
    /// The database it names: the URL's path, else the user's name, as
    /// libpq does.
    pub database: String,
}

impl PostgresCheck {
    fn from_url(url: &Url) -> Result<PostgresCheck, String> {
        // libpq's query parameters replace what the URL's parts say.
        let user = match url.query_value("user")? {
            Some(user) => Some(user),
            None => url.user.clone(),
        };
        let user = user
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "postgres".to_owned());
        let database = match url.query_value("dbname")? {
            Some(name) => name,
            None => url.path_name()?,
        };
        let database = match database {
            name if name.is_empty() => user.clone(),
            name => name,
        };
        if user.contains('\0') || database.contains('\0') {
            return Err("the URL's user or database contains a NUL byte".to_owned());
        }
        Ok(PostgresCheck { user, database })
    }
}

/// The settings of a Redis check, from its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisCheck {
    /// The ACL user to log in as (Redis 6 and later), with the password.
    pub user: Option<String>,
    /// The password to send with `AUTH` before `PING`.
    pub password: Option<Secret>,
}

impl RedisCheck {
    fn from_url(url: &Url) -> Result<RedisCheck, String> {
        let scheme = url.scheme;
        if url.user.is_some() && url.password.is_none() {
            return Err(format!(
                "{scheme}:// takes a user only with its password: {scheme}://USER:PASSWORD@HOST or {scheme}://:PASSWORD@HOST"
            ));
        }
        let (database, form) = match url.socket {
            // redis-py: unix://[[USER]:PASSWORD@]/PATH?db=N.
            Some(_) => (
                url.query_value("db")?.unwrap_or_default(),
                format!("{scheme}:///PATH?db=N"),
            ),
            None => (url.path_name()?, format!("{scheme}://HOST[:PORT][/N]")),
        };
        if !database.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{database:?} is not a Redis database number: {form}"
            ));
        }
        Ok(RedisCheck {
            user: url.user.clone(),
            password: url.password.clone(),
        })
    }
}

/// The settings of a MongoDB check, from its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MongoCheck {
    /// Only a writable primary is ready (the URL's
    /// `readPreference=primary`); else any member that serves reads.
    pub primary: bool,
}

impl MongoCheck {
    /// The URL's `readPreference` (its name in either case, as MongoDB's
    /// connection strings take option names).
    fn from_url(url: &Url) -> Result<MongoCheck, String> {
        // An option's value, its name in either case.
        let option = |name: &str| match url.query_value(name)? {
            Some(value) => Ok(Some(value)),
            None => url.query_value(&name.to_ascii_lowercase()),
        };
        for tls in ["tls", "ssl"] {
            if option(tls)?.is_some_and(|value| value == "true") {
                return Err(format!(
                    "mongodb:// with {tls}=true is not probed: healthprobe speaks to MongoDB without TLS only; check the port with tcp://"
                ));
            }
        }
        let preference = option("readPreference")?;
        Ok(MongoCheck {
            primary: preference.is_some_and(|value| value.eq_ignore_ascii_case("primary")),
        })
    }
}

/// The settings of a MySQL or MariaDB check, from its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MysqlCheck {
    /// The user the login after the greeting names: the URL's, else
    /// `healthprobe`. No password is sent.
    pub user: String,
}

impl MysqlCheck {
    fn from_url(url: &Url) -> Result<MysqlCheck, String> {
        let user = url
            .user
            .clone()
            .unwrap_or_else(|| crate::protocol::mysql::DEFAULT_USER.to_owned());
        if user.contains('\0') {
            return Err("the URL's user contains a NUL byte".to_owned());
        }
        Ok(MysqlCheck { user })
    }
}

/// The settings of a NATS check, from its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatsCheck {
    /// The user to log in as, with the password; alone, a token
    /// (`nats://TOKEN@HOST`, as NATS clients read it).
    pub user: Option<String>,
    /// The user's password.
    pub password: Option<Secret>,
}

/// The settings of a `file://` check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileCheck {
    /// The path, percent-decoded from the URL: absolute, with no NUL byte.
    /// A trailing `/` makes the kernel require a directory.
    pub path: PathBuf,
    /// The most time since the file was modified; `None` checks only that
    /// it exists.
    pub max_age: Option<Duration>,
}

/// The longest [`FileCheck::max_age`]: a year and a day, for a yearly job.
pub const MAX_AGE: Duration = Duration::from_secs(366 * 86_400);

impl FileCheck {
    fn from_url(url: &Url) -> Result<FileCheck, String> {
        use std::os::unix::ffi::OsStringExt;
        let path = crate::url::percent_decode(url.request_target().as_bytes());
        if path.contains(&0) {
            return Err("the URL's path contains a NUL byte (%00)".to_owned());
        }
        Ok(FileCheck {
            path: PathBuf::from(std::ffi::OsString::from_vec(path)),
            max_age: None,
        })
    }
}

/// A validated probe of one target, with every default filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The target's URL.
    pub url: Url,
    /// Its scheme, which says what kind of probe it is.
    pub scheme: Scheme,
    /// The kind, with its own settings.
    pub kind: Kind,
    /// The deadline for the whole probe.
    pub timeout: Duration,
    /// A shorter deadline for connecting, when set.
    pub connect_timeout: Option<Duration>,
    /// Request headers as (name, value), in the order given (for gRPC,
    /// metadata); only kinds with a request take them.
    pub headers: Vec<(String, String)>,
    /// Connect here instead of the URL's host (kinds that take it).
    pub unix_socket: Option<UnixSocket>,
    /// TLS settings: `Some` exactly when the scheme takes them
    /// ([`Scheme::takes_tls`]).
    pub tls: Option<Tls>,
    /// How the report's line names the settings: as the caller does.
    pub names: Names,
}

impl Target {
    /// A target of `url`'s scheme, every setting at its default.
    pub(crate) fn new(url: Url, scheme: Scheme, kind: Kind) -> Target {
        Target {
            url,
            scheme,
            kind,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            headers: Vec::new(),
            unix_socket: None,
            tls: scheme.takes_tls().then(Tls::default),
            names: Names::Library,
        }
    }
}

/// How a TLS probe verifies the server and presents itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tls {
    pub roots: TrustRoots,
    /// The certificate is not verified at all.
    pub insecure: bool,
    /// A client certificate and the file holding its key.
    pub client_cert: Option<ClientCert>,
    /// Sent as SNI and verified instead of the URL's host.
    pub server_name: Option<String>,
}

/// Where the certificates to trust come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustRoots {
    /// The PEM certificates the [`Setting::Cacert`] gives: a file, or
    /// bytes (the library's `cacert_pem`).
    Given(Pem),
    /// The system's CA bundle (and, with the `webpki-roots` feature,
    /// Mozilla's roots when there is none).
    #[default]
    System,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    pub cert: Pem,
    pub key: Pem,
}

/// PEM text: a file read when the probe runs, or bytes given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pem {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl Pem {
    /// How a line names it: the file's path, or that it was given as bytes.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    pub(crate) fn label(&self) -> String {
        match self {
            Pem::File(path) => path.display().to_string(),
            Pem::Bytes(_) => "(PEM given as bytes)".to_owned(),
        }
    }
}

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

/// The method of an HTTP probe's request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
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

/// Probe again until every target is healthy or `limit` has passed since
/// start, starting attempts `interval` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    /// How long to wait in all, from the start.
    pub limit: Duration,
    /// How far apart attempts start.
    pub interval: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_is_declared_once_and_found_by_its_names() {
        // A new scheme does not compile here until it has a place, which
        // must be its place in the table.
        let place = |scheme: Scheme| match scheme {
            Scheme::Http => 0,
            Scheme::Https => 1,
            Scheme::Tcp => 2,
            Scheme::Grpc => 3,
            Scheme::Grpcs => 4,
            Scheme::Postgres => 5,
            Scheme::Redis => 6,
            Scheme::Rediss => 7,
            Scheme::RedisSocket => 8,
            Scheme::Mysql => 9,
            Scheme::Amqp => 10,
            Scheme::Amqps => 11,
            Scheme::Nats => 12,
            Scheme::NatsTls => 13,
            Scheme::Memcached => 14,
            Scheme::Zookeeper => 15,
            Scheme::Kafka => 16,
            Scheme::KafkaSsl => 17,
            Scheme::Cassandra => 18,
            Scheme::CassandraSsl => 19,
            Scheme::Mongodb => 20,
            Scheme::File => 21,
        };
        assert_eq!(Scheme::ALL.len(), 22);
        for (i, scheme) in Scheme::ALL.into_iter().enumerate() {
            assert_eq!(place(scheme), i, "{scheme:?}");
            assert_eq!(
                scheme as usize, i,
                "{scheme:?}: its place is its discriminant"
            );
            assert_eq!(declared::of(scheme).1.scheme, scheme);
            let name = scheme.rules().name;
            assert_eq!(Scheme::named(name), Ok((scheme, name)));
        }
    }

    #[test]
    fn spellings_are_names_of_a_scheme() {
        for (name, scheme, printed) in [
            ("postgresql", Scheme::Postgres, "postgresql"),
            ("postgresql+psycopg2", Scheme::Postgres, "postgresql"),
            ("postgres+asyncpg", Scheme::Postgres, "postgres"),
            ("mariadb", Scheme::Mysql, "mariadb"),
            ("mysql+pymysql", Scheme::Mysql, "mysql"),
            ("mysql2", Scheme::Mysql, "mysql"),
            ("pyamqp", Scheme::Amqp, "amqp"),
            ("amqps+x", Scheme::Amqps, "amqps"),
            ("rediss+x", Scheme::Rediss, "rediss"),
            ("redis+unix", Scheme::RedisSocket, "unix"),
            ("redis+socket", Scheme::RedisSocket, "unix"),
        ] {
            assert_eq!(Scheme::named(name), Ok((scheme, printed)), "{name}");
            assert_eq!(Scheme::rules_named(name).unwrap().name, printed, "{name}");
        }
        // Only a database's or a broker's scheme takes a driver.
        for name in [
            "http+x",
            "tcp+x",
            "grpc+x",
            "file+x",
            "unix+x",
            "postgres+",
            "mysql2+x",
        ] {
            assert!(Scheme::named(name).is_err(), "{name}");
        }
    }

    #[test]
    fn a_scheme_is_left_out_exactly_when_the_build_lacks_its_feature() {
        for scheme in Scheme::ALL {
            let needs_tls = scheme.is_tls();
            let needs_grpc = matches!(scheme, Scheme::Grpc | Scheme::Grpcs);
            let has =
                (!needs_tls || cfg!(feature = "tls")) && (!needs_grpc || cfg!(feature = "grpc"));
            assert_eq!(scheme.left_out("x").is_none(), has, "{scheme:?}");
        }
    }

    #[test]
    fn every_setting_is_taken_by_some_scheme() {
        // A setting no kind takes could never be given: the table lost it.
        for setting in [
            Setting::Target,
            Setting::Timeout,
            Setting::ConnectTimeout,
            Setting::Method,
            Setting::Header,
            Setting::ExpectStatus,
            Setting::ExpectBody,
            Setting::ExpectJson,
            Setting::FollowRedirects,
            Setting::UnixSocket,
            Setting::GrpcService,
            Setting::Cacert,
            Setting::Insecure,
            Setting::ClientCert,
            Setting::ClientKey,
            Setting::ServerName,
            Setting::MaxAge,
            Setting::Wait,
            Setting::Interval,
        ] {
            assert!(!Scheme::taking(setting).is_empty(), "{setting:?}");
        }
    }

    #[test]
    fn settings_name_the_schemes_that_take_them() {
        assert_eq!(Scheme::taking(Setting::Method), "http:// and https://");
        assert_eq!(
            Scheme::taking(Setting::Header),
            "http://, https://, grpc:// and grpcs://"
        );
        assert_eq!(Scheme::taking(Setting::GrpcService), "grpc:// and grpcs://");
        assert_eq!(
            Scheme::taking(Setting::Cacert),
            "https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl://"
        );
        assert_eq!(
            Scheme::taking(Setting::UnixSocket),
            "http://, https://, grpc://, grpcs://, postgres://, postgresql://, redis://, rediss://, mysql://, mariadb:// and memcached://"
        );
        assert_eq!(
            Scheme::named("ftp").unwrap_err(),
            "unsupported scheme \"ftp\": expected http://, https://, tcp://, grpc://, grpcs://, \
             postgres://, postgresql://, redis://, rediss://, unix://, mysql://, mariadb://, amqp://, \
             amqps://, nats://, tls://, memcached://, zookeeper://, kafka://, kafka+ssl://, cassandra://, scylla://, cassandra+ssl://, scylla+ssl://, mongodb:// or file://"
        );
    }
}
