//! Every kind of target, declared once: its schemes and their spellings,
//! default ports, TLS form, the settings it takes and refuses, whether its
//! URLs carry a password, the feature it needs, and its lines in `--help`.
//!
//! Everything else reads these facts from [`KINDS`]: the URL rules and the
//! scheme's name in messages ([`Scheme`]'s methods, in `spec`), which settings a target
//! takes, the help's list of targets, and the lists in usage errors. What
//! must still be written by hand (the [`Kind`](crate::spec::Kind) variant
//! with its settings, the prober, the outcome) is listed by the compiler
//! from [`Scheme`], or checked against this table by a unit test.

use crate::setting::Setting;
use crate::url::{HostRule, NO_PATH, PathRule};

/// A URL scheme healthprobe probes: each is one form of a kind of target.
/// Other spellings of a scheme (`postgresql`, `mariadb`, `mysql2`,
/// `postgresql+psycopg2`) are names of the same scheme, not schemes.
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
    /// `postgres://[USER[:PASSWORD]@]HOST[:PORT][/DB]` (or `postgresql://`):
    /// ready as `pg_isready` judges it.
    Postgres,
    /// `redis://[[USER]:PASSWORD@]HOST[:PORT][/N]`: PING answered PONG.
    Redis,
    /// `rediss://...`: the same over TLS.
    Rediss,
    /// `unix://[[USER]:PASSWORD@]/PATH[?db=N]`: Redis on the Unix socket
    /// the path names, as redis-py writes it (also `redis+unix://` and
    /// `redis+socket://`).
    RedisSocket,
    /// `mysql://[USER[:PASSWORD]@]HOST[:PORT][/DB]` (or `mariadb://`): the
    /// server's greeting, and its answer to a login.
    Mysql,
    /// `amqp://[USER:PASSWORD@]HOST[:PORT][/VHOST]`: Connection.Start.
    Amqp,
    /// `amqps://...`: the same over TLS.
    Amqps,
    /// `nats://[USER:PASSWORD@|TOKEN@]HOST[:PORT]`: the server's INFO, then
    /// PONG to a PING (TLS first when the INFO requires it).
    Nats,
    /// `tls://...`, NATS's own spelling of TLS: the same, always over TLS.
    NatsTls,
    /// `memcached://HOST[:PORT]`: `version` answered `VERSION`.
    Memcached,
    /// `zookeeper://HOST[:PORT]`: `srvr` answered with a serving mode.
    Zookeeper,
    /// `kafka://HOST[:PORT][,HOST[:PORT]...]`: ApiVersions answered.
    Kafka,
    /// `kafka+ssl://...`: the same over TLS (an `SSL` or `SASL_SSL`
    /// listener).
    KafkaSsl,
    /// `cassandra://HOST[:PORT]` (or `scylla://`): CQL's `STARTUP`,
    /// answered `READY` or `AUTHENTICATE`.
    Cassandra,
    /// `cassandra+ssl://...` (or `scylla+ssl://`): the same over TLS.
    CassandraSsl,
    /// `mongodb://[USER:PASSWORD@]HOST[:PORT][,HOST...][/DB][?...]`:
    /// `hello`, answered by a member that serves.
    Mongodb,
    /// `file:///ABSOLUTE/PATH`: the path exists and, with a maximum age,
    /// was modified recently (a worker's heartbeat).
    File,
}

/// One kind of target: every fact about it that is not its code.
#[derive(Debug)]
pub(crate) struct Declared {
    /// The kind's name, as the help and the docs give it (the tests read
    /// it, to check them).
    #[cfg_attr(not(all(test, feature = "cli")), allow(dead_code))]
    pub title: &'static str,
    /// Its URL forms: the plain scheme first, then its TLS form, then any
    /// other form (a socket's URL).
    pub forms: &'static [Form],
    /// The settings of its own that it takes, besides those every kind
    /// takes (the timeout and waiting), the connect timeout (every kind
    /// that connects) and the TLS settings (every TLS form).
    pub takes: &'static [Setting],
    /// Settings a command line must not give at all when a target of this
    /// kind is among its targets, even if another target takes them, and
    /// why: they would judge something this kind never sees.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub refuses: Option<(&'static [Setting], &'static str)>,
    /// Whether it connects to a server (and so takes a connect timeout).
    pub connects: bool,
    /// Whether its URLs may carry `USER[:PASSWORD]@`, as a database's do.
    pub userinfo: bool,
    /// How its URLs name where to connect.
    pub hosts: HostRule,
    /// The Cargo feature it needs, when the kind can be left out of a build.
    pub feature: Option<Feature>,
    /// Its lines in the help's list of targets: the URL forms, then what
    /// healthy means, from column 41.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub help: &'static str,
}

/// A Cargo feature a kind or a form needs.
#[derive(Debug)]
pub(crate) struct Feature {
    /// The feature's name in `Cargo.toml`.
    pub name: &'static str,
    /// What it brings, for the message when a build leaves it out.
    pub what: &'static str,
    /// Whether this build has it.
    pub on: bool,
}

/// One URL form of a kind: a scheme, with its spellings.
#[derive(Debug)]
pub(crate) struct Form {
    /// The scheme it is.
    pub scheme: Scheme,
    /// The scheme's name, lower-case, as URLs print it.
    pub name: &'static str,
    /// Other names of the same form that messages list (`postgresql`).
    pub spellings: &'static [&'static str],
    /// Names that applications carry, not listed (`mysql2`).
    pub aliases: &'static [&'static str],
    /// Whether `NAME+driver` (SQLAlchemy's `postgresql+psycopg2`) names it.
    pub drivers: bool,
    /// Whether its probes run TLS from the start.
    pub tls: bool,
    /// Whether its probes turn to TLS when the server requires it (NATS's
    /// INFO says so): it takes the TLS settings for then.
    pub upgrades: bool,
    /// The port when the URL gives none; `None` if it must give one.
    pub default_port: Option<u16>,
    /// The port an example shows, when the URL needs one.
    pub example_port: u16,
    /// Whether the URL may carry a path and a query.
    pub path: PathRule,
}

impl Form {
    /// Its name, then the spellings that messages list.
    pub fn names(&'static self) -> impl Iterator<Item = &'static &'static str> {
        std::iter::once(&self.name).chain(self.spellings)
    }
}

/// The settings that judge an HTTP response.
const HTTP_CHECKS: &[Setting] = &[
    Setting::Method,
    Setting::ExpectStatus,
    Setting::ExpectBody,
    Setting::ExpectJson,
    Setting::FollowRedirects,
];

/// TLS, which the TLS form of every kind needs.
pub(crate) const TLS: Feature = Feature {
    name: "tls",
    what: "TLS",
    on: cfg!(feature = "tls"),
};

/// A plain form, with no spellings, by its scheme, name and ports.
const fn form(
    scheme: Scheme,
    name: &'static str,
    tls: bool,
    default_port: Option<u16>,
    example_port: u16,
    path: PathRule,
) -> Form {
    Form {
        scheme,
        name,
        spellings: &[],
        aliases: &[],
        drivers: false,
        tls,
        upgrades: false,
        default_port,
        example_port,
        path,
    }
}

/// A database's or a broker's form: its URL names a database (or vhost)
/// after the host, and `NAME+driver` names it too.
const fn database(scheme: Scheme, name: &'static str, tls: bool, port: u16) -> Form {
    Form {
        drivers: true,
        ..form(scheme, name, tls, Some(port), port, PathRule::Name)
    }
}

/// The health service's path is fixed; the service to ask about is the
/// request's field, not a part of the URL.
const GRPC_PATH: PathRule = PathRule::None {
    hint: ": name the service to check with ",
    instead: Some(Setting::GrpcService),
};

/// A kind with no settings of its own that connects to one host.
const PLAIN: Declared = Declared {
    title: "",
    forms: &[],
    takes: &[],
    refuses: None,
    connects: true,
    userinfo: false,
    hosts: HostRule::One,
    feature: None,
    help: "",
};

/// Every kind of target, in the order the help and messages list them.
pub(crate) const KINDS: &[Declared] = &[
    Declared {
        title: "HTTP",
        forms: &[
            form(Scheme::Http, "http", false, Some(80), 80, PathRule::Any),
            form(Scheme::Https, "https", true, Some(443), 443, PathRule::Any),
        ],
        takes: &[
            Setting::Method,
            Setting::Header,
            Setting::ExpectStatus,
            Setting::ExpectBody,
            Setting::ExpectJson,
            Setting::FollowRedirects,
            Setting::UnixSocket,
        ],
        help: "  http://HOST[:PORT]/PATH, https://...  An HTTP request; healthy by its status\n",
        ..PLAIN
    },
    Declared {
        title: "TCP",
        forms: &[form(Scheme::Tcp, "tcp", false, None, 5432, NO_PATH)],
        help: "  tcp://HOST:PORT                       A TCP connection is accepted\n",
        ..PLAIN
    },
    Declared {
        title: "gRPC",
        forms: &[
            form(Scheme::Grpc, "grpc", false, None, 50051, GRPC_PATH),
            form(Scheme::Grpcs, "grpcs", true, Some(443), 50051, GRPC_PATH),
        ],
        takes: &[Setting::Header, Setting::UnixSocket, Setting::GrpcService],
        refuses: Some((
            HTTP_CHECKS,
            "a gRPC health check is judged by its SERVING status",
        )),
        feature: Some(Feature {
            name: "grpc",
            what: "gRPC",
            on: cfg!(feature = "grpc"),
        }),
        help: "  grpc://HOST:PORT, grpcs://HOST[:PORT] A gRPC health check answers SERVING\n",
        ..PLAIN
    },
    Declared {
        title: "PostgreSQL",
        forms: &[Form {
            spellings: &["postgresql"],
            ..database(Scheme::Postgres, "postgres", false, 5432)
        }],
        takes: &[Setting::UnixSocket],
        userinfo: true,
        hosts: HostRule::Libpq,
        help: "  postgres://[USER[:PASSWORD]@]HOST[:PORT][,HOST[:PORT]...][/DB][?host=DIR],
  postgresql://...                      Accepting connections, as pg_isready
                                        says; no password is sent. libpq's
                                        forms: several hosts, socket DIRs
",
        ..PLAIN
    },
    Declared {
        title: "Redis",
        forms: &[
            database(Scheme::Redis, "redis", false, 6379),
            database(Scheme::Rediss, "rediss", true, 6379),
            // redis-py's unix://[[USER]:PASSWORD@]/PATH[?db=N]: the path
            // names the socket.
            Form {
                aliases: &["redis+unix", "redis+socket"],
                ..form(
                    Scheme::RedisSocket,
                    "unix",
                    false,
                    None,
                    0,
                    PathRule::Socket,
                )
            },
        ],
        // A socket URL names its socket itself; `spec::Scheme::takes`
        // leaves the setting out for it.
        takes: &[Setting::UnixSocket],
        userinfo: true,
        help: "  redis://[[USER]:PASSWORD@]HOST[:PORT][/N], rediss://...,
  unix:///PATH[?db=N]                   PING answered PONG (AUTH first with a
                                        password); without one, NOAUTH is up
",
        ..PLAIN
    },
    Declared {
        title: "MySQL",
        forms: &[Form {
            spellings: &["mariadb"],
            aliases: &["mysql2"],
            ..database(Scheme::Mysql, "mysql", false, 3306)
        }],
        takes: &[Setting::UnixSocket],
        userinfo: true,
        help: "  mysql://[USER[:PASSWORD]@]HOST[:PORT][/DB], mariadb://...
                                        The server's greeting and an answer to
                                        a login with no password, so the host
                                        is never blocked
",
        ..PLAIN
    },
    Declared {
        title: "AMQP",
        forms: &[
            Form {
                aliases: &["pyamqp"],
                ..database(Scheme::Amqp, "amqp", false, 5672)
            },
            database(Scheme::Amqps, "amqps", true, 5671),
        ],
        // RabbitMQ listens on TCP only.
        takes: &[],
        userinfo: true,
        help: "  amqp://[USER:PASSWORD@]HOST[:PORT][/VHOST], amqps://...
                                        Connection.Start (AMQP 0-9-1); no
                                        login
",
        ..PLAIN
    },
    Declared {
        title: "NATS",
        forms: &[
            Form {
                upgrades: true,
                ..form(Scheme::Nats, "nats", false, Some(4222), 4222, NO_PATH)
            },
            form(Scheme::NatsTls, "tls", true, Some(4222), 4222, NO_PATH),
        ],
        // nats-server listens on TCP only.
        takes: &[],
        userinfo: true,
        help: "  nats://[USER:PASSWORD@|TOKEN@]HOST[:PORT], tls://...
                                        PONG after CONNECT (TLS first when the
                                        server requires it); without a login,
                                        up when it requires one
",
        ..PLAIN
    },
    Declared {
        title: "memcached",
        forms: &[form(
            Scheme::Memcached,
            "memcached",
            false,
            Some(11211),
            11211,
            NO_PATH,
        )],
        takes: &[Setting::UnixSocket],
        help: "  memcached://HOST[:PORT]               version answered VERSION (or, with
                                        ASCII authentication, unauthenticated)
",
        ..PLAIN
    },
    Declared {
        title: "ZooKeeper",
        forms: &[form(
            Scheme::Zookeeper,
            "zookeeper",
            false,
            Some(2181),
            2181,
            NO_PATH,
        )],
        help: "  zookeeper://HOST[:PORT]               srvr says standalone, leader, follower
                                        or observer: serving requests
",
        ..PLAIN
    },
    Declared {
        title: "Kafka",
        forms: &[
            form(Scheme::Kafka, "kafka", false, Some(9092), 9092, NO_PATH),
            form(
                Scheme::KafkaSsl,
                "kafka+ssl",
                true,
                Some(9093),
                9093,
                NO_PATH,
            ),
        ],
        // Brokers listen on TCP only.
        takes: &[],
        hosts: HostRule::Several,
        help: "  kafka://HOST[:PORT][,HOST[:PORT]...], kafka+ssl://...
                                        ApiVersions answered, before any login;
                                        ready when one host is
",
        ..PLAIN
    },
    Declared {
        title: "Cassandra",
        forms: &[
            Form {
                spellings: &["scylla"],
                ..form(
                    Scheme::Cassandra,
                    "cassandra",
                    false,
                    Some(9042),
                    9042,
                    NO_PATH,
                )
            },
            Form {
                spellings: &["scylla+ssl"],
                ..form(
                    Scheme::CassandraSsl,
                    "cassandra+ssl",
                    true,
                    Some(9042),
                    9042,
                    NO_PATH,
                )
            },
        ],
        // Its native transport listens on TCP only.
        takes: &[],
        help: "  cassandra://HOST[:PORT], scylla://..., cassandra+ssl://..., scylla+ssl://...
                                        OPTIONS, then STARTUP answered READY or
                                        AUTHENTICATE (protocol 5 down to 3)
",
        ..PLAIN
    },
    Declared {
        title: "MongoDB",
        forms: &[form(
            Scheme::Mongodb,
            "mongodb",
            false,
            Some(27017),
            27017,
            PathRule::Name,
        )],
        // mongod's Unix socket is on by default, but a probe in its
        // container reaches it over loopback as well.
        takes: &[],
        userinfo: true,
        hosts: HostRule::Several,
        help: "  mongodb://[USER:PASSWORD@]HOST[:PORT][,HOST...][/DB][?readPreference=primary]
                                        hello: a primary, secondary, standalone
                                        or mongos (with readPreference=primary,
                                        the primary); no password is sent
",
        ..PLAIN
    },
    Declared {
        title: "file",
        forms: &[form(Scheme::File, "file", false, None, 0, PathRule::File)],
        takes: &[Setting::MaxAge],
        connects: false,
        help: "  file:///ABSOLUTE/PATH                 The path exists (a directory only if
                                        it ends in /); with --max-age, it was
                                        modified recently: a heartbeat
",
        ..PLAIN
    },
];

/// Schemes that name a kind healthprobe has, in a form it cannot probe,
/// and why.
pub(crate) const REFUSED: &[(&str, &str)] = &[(
    "mongodb+srv",
    "mongodb+srv:// needs DNS SRV and TXT lookups to find the members, and healthprobe makes none: \
     list them, as in mongodb://HOST1:27017,HOST2:27017",
)];

/// The number of forms, which is the number of schemes.
pub(crate) const FORMS: usize = forms();

const fn forms() -> usize {
    let (mut k, mut n) = (0, 0);
    while k < KINDS.len() {
        n += KINDS[k].forms.len();
        k += 1;
    }
    n
}

/// Every scheme, in the order of the table.
pub(crate) const SCHEMES: [Scheme; FORMS] = schemes();

const fn schemes() -> [Scheme; FORMS] {
    let mut all = [Scheme::Http; FORMS];
    let (mut k, mut n) = (0, 0);
    while k < KINDS.len() {
        let mut f = 0;
        while f < KINDS[k].forms.len() {
            all[n] = KINDS[k].forms[f].scheme;
            n += 1;
            f += 1;
        }
        k += 1;
    }
    all
}

/// The kind and the form of `scheme`.
pub(crate) fn of(scheme: Scheme) -> (&'static Declared, &'static Form) {
    // Each scheme's place in the table, found once when compiling: a
    // scheme declared twice fails the build here, and one declared
    // nowhere fails `spec`'s unit test.
    const PLACES: [(u8, u8); FORMS] = places();
    let (kind, form) = PLACES[scheme as usize];
    let kind = &KINDS[kind as usize];
    (kind, &kind.forms[form as usize])
}

/// Where each scheme is declared: its kind's index and its form's.
const fn places() -> [(u8, u8); FORMS] {
    let mut places = [(u8::MAX, u8::MAX); FORMS];
    let mut k = 0;
    while k < KINDS.len() {
        let mut f = 0;
        while f < KINDS[k].forms.len() {
            let scheme = KINDS[k].forms[f].scheme as usize;
            assert!(places[scheme].0 == u8::MAX, "a scheme declared twice");
            places[scheme] = (k as u8, f as u8);
            f += 1;
        }
        k += 1;
    }
    places
}
