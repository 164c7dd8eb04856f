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

use crate::setting::{Names, Setting};
use crate::status::ExpectStatus;
use crate::url::{HostRule, PathRule, Rules, Secret, Url};

/// The deadline of a probe whose timeout is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// How far apart attempts start when waiting, unless set.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// A URL scheme healthprobe probes: each names a kind of target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
    /// `tcp://HOST:PORT`: healthy when a connection is established.
    Tcp,
    /// `grpc://HOST:PORT`: a gRPC health check over cleartext HTTP/2.
    Grpc,
    /// `grpcs://HOST[:PORT]`: a gRPC health check over TLS (ALPN `h2`).
    Grpcs,
    /// `postgres://[USER[:PASSWORD]@]HOST[:PORT][/DB]`: ready as
    /// `pg_isready` judges it.
    Postgres,
    /// `postgresql://...`, the same.
    Postgresql,
    /// `redis://[[USER]:PASSWORD@]HOST[:PORT][/N]`: PING answered PONG.
    Redis,
    /// `rediss://...`: the same over TLS.
    Rediss,
    /// `mysql://[USER[:PASSWORD]@]HOST[:PORT][/DB]`: the server's greeting.
    Mysql,
    /// `mariadb://...`, the same.
    Mariadb,
    /// `amqp://[USER:PASSWORD@]HOST[:PORT][/VHOST]`: Connection.Start.
    Amqp,
    /// `amqps://...`: the same over TLS.
    Amqps,
    /// `unix://[[USER]:PASSWORD@]/PATH[?db=N]`: Redis on the Unix socket
    /// the path names, as redis-py writes it (also `redis+unix://` and
    /// `redis+socket://`).
    RedisSocket,
    /// `file:///ABSOLUTE/PATH`: the path exists and, with a maximum age,
    /// was modified recently (a worker's heartbeat).
    File,
}

/// The health service's path is fixed; the service to ask about is the
/// request's field, not a part of the URL.
const GRPC_PATH: PathRule = PathRule::None {
    hint: ": name the service to check with --grpc-service",
};

/// The settings that judge an HTTP response.
const HTTP_CHECKS: &[Setting] = &[
    Setting::Method,
    Setting::ExpectStatus,
    Setting::ExpectBody,
    Setting::ExpectJson,
    Setting::FollowRedirects,
];

impl Scheme {
    /// Every scheme, in the order messages list them.
    pub const ALL: [Scheme; 15] = [
        Scheme::Http,
        Scheme::Https,
        Scheme::Tcp,
        Scheme::Grpc,
        Scheme::Grpcs,
        Scheme::Postgres,
        Scheme::Postgresql,
        Scheme::Redis,
        Scheme::Rediss,
        Scheme::Mysql,
        Scheme::Mariadb,
        Scheme::Amqp,
        Scheme::Amqps,
        Scheme::RedisSocket,
        Scheme::File,
    ];

    /// What its URLs allow.
    pub fn rules(self) -> Rules {
        let (name, default_port, example_port, path) = match self {
            Scheme::Http => ("http", Some(80), 80, PathRule::Any),
            Scheme::Https => ("https", Some(443), 443, PathRule::Any),
            Scheme::Tcp => ("tcp", None, 5432, PathRule::None { hint: "" }),
            Scheme::Grpc => ("grpc", None, 50051, GRPC_PATH),
            Scheme::Grpcs => ("grpcs", Some(443), 50051, GRPC_PATH),
            // A database's URL names the database after the host, and may
            // carry a user and a password; its query (sslmode=...) is the
            // application's, and ignored.
            Scheme::Postgres => ("postgres", Some(5432), 5432, PathRule::Name),
            Scheme::Postgresql => ("postgresql", Some(5432), 5432, PathRule::Name),
            Scheme::Redis => ("redis", Some(6379), 6379, PathRule::Name),
            Scheme::Rediss => ("rediss", Some(6379), 6379, PathRule::Name),
            Scheme::Mysql => ("mysql", Some(3306), 3306, PathRule::Name),
            Scheme::Mariadb => ("mariadb", Some(3306), 3306, PathRule::Name),
            Scheme::Amqp => ("amqp", Some(5672), 5672, PathRule::Name),
            Scheme::Amqps => ("amqps", Some(5671), 5671, PathRule::Name),
            Scheme::RedisSocket => ("unix", None, 0, PathRule::Socket),
            Scheme::File => ("file", None, 0, PathRule::File),
        };
        let hosts = match self {
            Scheme::Postgres | Scheme::Postgresql => HostRule::Libpq,
            Scheme::Http
            | Scheme::Https
            | Scheme::Tcp
            | Scheme::Grpc
            | Scheme::Grpcs
            | Scheme::Redis
            | Scheme::Rediss
            | Scheme::Mysql
            | Scheme::Mariadb
            | Scheme::Amqp
            | Scheme::Amqps
            | Scheme::RedisSocket
            | Scheme::File => HostRule::One,
        };
        Rules {
            name,
            default_port,
            example_port,
            path,
            userinfo: self.is_database(),
            hosts,
        }
    }

    /// The scheme named `name` (lower-case), with its URL rules. The
    /// spellings applications carry in `DATABASE_URL` and
    /// `CELERY_BROKER_URL` name the same schemes: a `+driver` suffix on a
    /// database's or broker's scheme (SQLAlchemy's `postgresql+psycopg2`,
    /// `mysql+pymysql`), Rails' `mysql2`, Celery's `pyamqp`, and
    /// `redis+unix` and `redis+socket` for `unix`.
    pub fn named(name: &str) -> Result<Scheme, String> {
        let canonical = match name {
            "mysql2" => "mysql",
            "pyamqp" => "amqp",
            "redis+unix" | "redis+socket" => "unix",
            _ => match name.split_once('+') {
                Some((
                    base @ ("postgres" | "postgresql" | "mysql" | "mariadb" | "redis" | "rediss"
                    | "amqp" | "amqps"),
                    driver,
                )) if !driver.is_empty() => base,
                _ => name,
            },
        };
        Scheme::ALL
            .into_iter()
            .find(|s| s.rules().name == canonical)
            .ok_or_else(|| {
                let list = Scheme::listed(&Scheme::ALL, ", ", " or ");
                format!("unsupported scheme {name:?}: expected {list}")
            })
    }

    /// `http://, https:// and grpc://`: the schemes given, for a message.
    pub fn listed(schemes: &[Scheme], comma: &str, last: &str) -> String {
        let mut text = String::new();
        for (i, scheme) in schemes.iter().enumerate() {
            if i > 0 {
                text.push_str(if i + 1 == schemes.len() { last } else { comma });
            }
            text.push_str(scheme.rules().name);
            text.push_str("://");
        }
        text
    }

    /// Whether its probes run TLS (and take the TLS settings).
    pub fn is_tls(self) -> bool {
        match self {
            Scheme::Https | Scheme::Grpcs | Scheme::Rediss | Scheme::Amqps => true,
            Scheme::Http
            | Scheme::Tcp
            | Scheme::Grpc
            | Scheme::Postgres
            | Scheme::Postgresql
            | Scheme::Redis
            | Scheme::Mysql
            | Scheme::Mariadb
            | Scheme::Amqp
            | Scheme::RedisSocket
            | Scheme::File => false,
        }
    }

    /// Whether its URLs are a database's, which carry a user and a password.
    fn is_database(self) -> bool {
        match self {
            Scheme::Postgres
            | Scheme::Postgresql
            | Scheme::Redis
            | Scheme::Rediss
            | Scheme::Mysql
            | Scheme::Mariadb
            | Scheme::Amqp
            | Scheme::Amqps
            | Scheme::RedisSocket => true,
            Scheme::Http
            | Scheme::Https
            | Scheme::Tcp
            | Scheme::Grpc
            | Scheme::Grpcs
            | Scheme::File => false,
        }
    }

    /// Whether its kind takes `setting`: the timeout and waiting apply to
    /// every kind, the connect timeout to every kind that connects, the TLS
    /// settings to every TLS scheme, and each kind names the rest.
    pub(crate) fn takes(self, setting: Setting) -> bool {
        match setting {
            Setting::Target | Setting::Timeout | Setting::Wait | Setting::Interval => return true,
            Setting::ConnectTimeout => return self != Scheme::File,
            Setting::Cacert
            | Setting::Insecure
            | Setting::ClientCert
            | Setting::ClientKey
            | Setting::ServerName => return self.is_tls(),
            _ => {}
        }
        let own: &[Setting] = match self {
            Scheme::Http | Scheme::Https => &[
                Setting::Method,
                Setting::Header,
                Setting::ExpectStatus,
                Setting::ExpectBody,
                Setting::ExpectJson,
                Setting::FollowRedirects,
                Setting::UnixSocket,
            ],
            Scheme::Tcp => &[],
            Scheme::Grpc | Scheme::Grpcs => {
                &[Setting::Header, Setting::UnixSocket, Setting::GrpcService]
            }
            Scheme::Postgres
            | Scheme::Postgresql
            | Scheme::Redis
            | Scheme::Rediss
            | Scheme::Mysql
            | Scheme::Mariadb => &[Setting::UnixSocket],
            // RabbitMQ listens on TCP only, and a socket URL names its
            // socket itself.
            Scheme::Amqp | Scheme::Amqps | Scheme::RedisSocket => &[],
            Scheme::File => &[Setting::MaxAge],
        };
        own.contains(&setting)
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
    pub(crate) fn refuses(self) -> Option<(&'static [Setting], &'static str)> {
        match self {
            Scheme::Grpc | Scheme::Grpcs => Some((
                HTTP_CHECKS,
                "a gRPC health check is judged by its SERVING status",
            )),
            Scheme::Http
            | Scheme::Https
            | Scheme::Tcp
            | Scheme::Postgres
            | Scheme::Postgresql
            | Scheme::Redis
            | Scheme::Rediss
            | Scheme::Mysql
            | Scheme::Mariadb
            | Scheme::Amqp
            | Scheme::Amqps
            | Scheme::RedisSocket
            | Scheme::File => None,
        }
    }

    /// The kind a target of this scheme and `url` is, with its settings at
    /// their defaults and what the URL says; or why there can be none (a
    /// feature this build leaves out, a URL the kind cannot use).
    pub(crate) fn kind(self, url: &Url) -> Result<Kind, String> {
        let left_out = |what: &str, feature: &str| {
            let name = self.rules().name;
            format!(
                "{name}:// needs {what}, which this build leaves out (built without the {feature} feature)"
            )
        };
        if self.is_tls() && !cfg!(feature = "tls") {
            return Err(left_out("TLS", "tls"));
        }
        match self {
            Scheme::Http | Scheme::Https => Ok(Kind::Http(HttpCheck::default())),
            Scheme::Tcp => Ok(Kind::Tcp),
            #[cfg(feature = "grpc")]
            Scheme::Grpc | Scheme::Grpcs => Ok(Kind::Grpc(GrpcCheck::default())),
            #[cfg(not(feature = "grpc"))]
            Scheme::Grpc | Scheme::Grpcs => Err(left_out("gRPC", "grpc")),
            Scheme::Postgres | Scheme::Postgresql => {
                PostgresCheck::from_url(url).map(Kind::Postgres)
            }
            Scheme::Redis | Scheme::Rediss | Scheme::RedisSocket => {
                RedisCheck::from_url(url).map(Kind::Redis)
            }
            Scheme::Mysql | Scheme::Mariadb => MysqlCheck::from_url(url).map(Kind::Mysql),
            // The user, password and vhost are the application's: a broker
            // shows it speaks 0-9-1 before any login.
            Scheme::Amqp | Scheme::Amqps => Ok(Kind::Amqp),
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
    /// TLS settings: `Some` exactly when the scheme runs TLS.
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
            tls: scheme.is_tls().then(Tls::default),
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
    /// A PEM file, named by the [`Setting::Cacert`].
    File(PathBuf),
    /// The system's CA bundle (and, with the `webpki-roots` feature,
    /// Mozilla's roots when there is none).
    #[default]
    System,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    pub cert: PathBuf,
    pub key: PathBuf,
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
    fn every_scheme_is_listed_once_and_found_by_its_name() {
        for scheme in Scheme::ALL {
            assert_eq!(Scheme::named(scheme.rules().name), Ok(scheme));
        }
        // A new scheme does not compile here until it has a place, which
        // must be its place in ALL.
        let place = |scheme: Scheme| match scheme {
            Scheme::Http => 0,
            Scheme::Https => 1,
            Scheme::Tcp => 2,
            Scheme::Grpc => 3,
            Scheme::Grpcs => 4,
            Scheme::Postgres => 5,
            Scheme::Postgresql => 6,
            Scheme::Redis => 7,
            Scheme::Rediss => 8,
            Scheme::Mysql => 9,
            Scheme::Mariadb => 10,
            Scheme::Amqp => 11,
            Scheme::Amqps => 12,
            Scheme::RedisSocket => 13,
            Scheme::File => 14,
        };
        for (i, scheme) in Scheme::ALL.into_iter().enumerate() {
            assert_eq!(place(scheme), i, "{scheme:?}");
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
            "https://, grpcs://, rediss:// and amqps://"
        );
        assert_eq!(
            Scheme::named("ftp").unwrap_err(),
            "unsupported scheme \"ftp\": expected http://, https://, tcp://, grpc://, grpcs://, \
             postgres://, postgresql://, redis://, rediss://, mysql://, mariadb://, amqp://, amqps://, \
             unix:// or file://"
        );
    }
}
