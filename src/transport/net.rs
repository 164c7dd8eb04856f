//! Name resolution, connecting and the transports under ureq, each bounded by
//! the deadline and each recording what it saw into the [`Trace`].
//!
//! The connector chain is: [`TracedConnector`] (TCP) → our own TLS connector
//! (`tls::TlsConnector`, https:// only) → [`TraceLayer`]. The trace layer sits
//! on top, so it sees plaintext and knows the handshake has finished.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use std::{fmt, thread};

use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
};
use ureq::{Error, Timeout};

use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;

use socket2::{Domain, SockAddr, Type};

use crate::report::{IoFailure, Peer, Stage};
use crate::spec::UnixSocket;
use crate::url::{is_localhost, is_loopback_ip};

/// The longest Unix socket path: `sun_path` holds 108 bytes, with a NUL at
/// the end of a path or at the start of an abstract name.
pub const MAX_UNIX_PATH: usize = 107;
/// Addresses tried for one name (ureq's own resolver keeps as many).
pub const MAX_ADDRS: usize = 16;
/// Response bytes kept to show when the response is not HTTP.
pub const START_KEPT: usize = 64;

/// What the resolver, the connectors and the transports saw during one request.
#[derive(Debug, Default)]
pub struct Trace {
    pub stage: Stage,
    pub resolve_error: Option<String>,
    pub attempts: Vec<(Peer, IoFailure)>,
    pub peer: Option<Peer>,
    /// Response bytes received (after TLS, the plaintext).
    pub received: usize,
    /// The first response bytes (after TLS, the plaintext).
    pub start: Vec<u8>,
    /// The first bytes the server sent on the wire, TLS or not.
    pub wire_start: Vec<u8>,
}

pub type SharedTrace = Arc<Mutex<Trace>>;

/// Locks the trace. A panic cannot happen while it is held (every holder only
/// assigns fields), but if one did, the data is still the best we have.
pub fn lock(trace: &Mutex<Trace>) -> MutexGuard<'_, Trace> {
    trace
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Enters `stage`, whose bytes are counted from none: the stage and count a
/// failure from here on names. One copy for every caller.
#[inline(never)]
pub fn enter(trace: &Mutex<Trace>, stage: Stage) {
    let mut trace = lock(trace);
    trace.stage = stage;
    trace.received = 0;
}

/// Answers IP literals and `localhost` without asking anyone, and other names
/// through the system resolver within the deadline.
pub struct LoopbackResolver {
    pub trace: SharedTrace,
    pub deadline: Instant,
    /// With `--unix-socket` nothing is resolved: the connector ignores the
    /// addresses and connects to the socket.
    pub unix_socket: bool,
}

impl Resolver for LoopbackResolver {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let host = uri.host().unwrap_or_default();
        let https = uri.scheme_str() == Some("https");
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if self.unix_socket {
            let mut placeholder = self.empty();
            placeholder.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port));
            return Ok(placeholder);
        }
        let result = resolve(host, port, self.deadline);
        let mut trace = lock(&self.trace);
        match result {
            Ok(addrs) => {
                let mut found = self.empty();
                for addr in addrs.into_iter().take(MAX_ADDRS) {
                    found.push(addr);
                }
                trace.stage = Stage::Connect;
                Ok(found)
            }
            Err(Resolve::TimedOut) => Err(Error::Timeout(Timeout::Resolve)),
            Err(Resolve::Failed(why)) => {
                trace.resolve_error = Some(why);
                Err(Error::HostNotFound)
            }
        }
    }
}

impl fmt::Debug for LoopbackResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoopbackResolver")
    }
}

#[derive(Debug)]
pub enum Resolve {
    TimedOut,
    Failed(String),
}

/// Finds the addresses for `host`: an IP literal is its own address; `localhost`
/// and names under `.localhost` are loopback (RFC 6761 section 6.3), IPv4
/// first because services bound to 0.0.0.0 (gunicorn, most frameworks'
/// defaults) are the common case, with `::1` next for IPv6-only servers.
pub fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, Resolve> {
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(this_host(ip), port)]);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if is_localhost(&name) {
        return Ok(vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ]);
    }
    // A lookup is itself a message to the network (a name can carry data
    // out through DNS): a loopback-only build never makes one.
    if LOOPBACK_ONLY {
        return Err(Resolve::Failed(NOT_LOOPBACK.to_owned()));
    }
    let target = (name, port);
    lookup_within(
        move || target.to_socket_addrs().map(Iterator::collect),
        deadline,
    )
}

/// Name lookups abandoned at their deadline and still running, at most.
/// getaddrinfo cannot be cancelled: a lookup that outlives its probe keeps
/// its thread until the system resolver gives up (glibc: 5 s per server and
/// attempt, so up to 30 s with three servers). In a long-lived process that
/// probes every second or two against a dead DNS server they would pile up;
/// past this bound a lookup waits for one of them to end, within its own
/// deadline, instead of starting another thread.
pub const MAX_PENDING_LOOKUPS: usize = 4;

static LOOKUPS: Blocking = Blocking::new(MAX_PENDING_LOOKUPS);

/// Runs `lookup` where it can be abandoned at `deadline` ([`Blocking`]).
fn lookup_within(
    lookup: impl FnOnce() -> io::Result<Vec<SocketAddr>> + Send + 'static,
    deadline: Instant,
) -> Result<Vec<SocketAddr>, Resolve> {
    match LOOKUPS.run(lookup, deadline) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Resolve::Failed("no address found".to_owned())),
        Ok(Err(e)) => Err(Resolve::Failed(e.to_string())),
        Err(Abandoned::TimedOut) => Err(Resolve::TimedOut),
        Err(Abandoned::Failed(why)) => Err(Resolve::Failed(format!("the resolver thread {why}"))),
    }
}

/// Whether this build connects only to loopback addresses (the
/// `loopback-only` feature). Targets are refused before this; here, every
/// address is checked again before it is connected to.
pub const LOOPBACK_ONLY: bool = cfg!(feature = "loopback-only");

/// Why an address is not connected to in a loopback-only build.
const NOT_LOOPBACK: &str = "not loopback, and this build connects only to loopback";

/// The address a probe of `ip` connects to: itself, but for the unspecified
/// `0.0.0.0` and `::`, which Linux connects to this host's loopback anyway
/// (`http://0.0.0.0:8000/` is how many apps print where they listen);
/// healthprobe names the loopback address it means.
fn this_host(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    }
}

/// Calls that can block past any deadline and cannot be cancelled (a name
/// lookup, a `stat` on a hung network file system), each run on a thread
/// of its own that is left behind when its caller's deadline passes. The
/// process exits without waiting for it.
///
/// Only abandoned calls count against the bound: calls whose callers still
/// wait for them are as many as the probes running, which their callers
/// bound. While `max` abandoned calls are still blocked, a new call waits,
/// within its own deadline, for one of them to end, so a hung file system
/// or resolver cannot grow the number of threads without bound, and a
/// probe whose own call never started fails by its deadline, not by a count.
pub(crate) struct Blocking {
    abandoned: Mutex<usize>,
    /// Signalled each time an abandoned call ends.
    ended: Condvar,
    max: usize,
}

/// Why a [`Blocking`] call gave no answer.
#[derive(Debug)]
pub(crate) enum Abandoned {
    /// The deadline passed first: the call is still running, or, while the
    /// most abandoned calls there may be were still blocked, never started.
    TimedOut,
    /// The thread could not start, or failed: what happened to it.
    Failed(String),
}

/// One call's answer, and whether its caller has stopped waiting for it.
struct Slot<T> {
    answer: Option<T>,
    abandoned: bool,
}

impl Blocking {
    pub(crate) const fn new(max: usize) -> Blocking {
        Blocking {
            abandoned: Mutex::new(0),
            ended: Condvar::new(),
            max,
        }
    }

    /// Runs `call` on a thread of its own and waits for it until `deadline`.
    pub(crate) fn run<T: Send + 'static>(
        &'static self,
        call: impl FnOnce() -> T + Send + 'static,
        deadline: Instant,
    ) -> Result<T, Abandoned> {
        {
            let mut abandoned = self
                .abandoned
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            while *abandoned >= self.max {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Abandoned::TimedOut);
                }
                abandoned = self
                    .ended
                    .wait_timeout(abandoned, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        // A slot and a condition variable, not a channel: the one answer
        // needs no more, and the binary carries one channel less per kind
        // of answer. Both sides lock the slot before the count.
        let shared = Arc::new((
            Mutex::new(Slot {
                answer: None,
                abandoned: false,
            }),
            Condvar::new(),
        ));
        let theirs = Arc::clone(&shared);
        let spawned = thread::Builder::new().spawn(move || {
            let answer = call();
            let mut slot = theirs.0.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.abandoned {
                drop(slot);
                let mut abandoned = self
                    .abandoned
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                *abandoned = abandoned.saturating_sub(1);
                self.ended.notify_all();
            } else {
                slot.answer = Some(answer);
                theirs.1.notify_one();
            }
        });
        if let Err(e) = spawned {
            return Err(Abandoned::Failed(format!("cannot start: {e}")));
        }
        let mut slot = shared.0.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(answer) = slot.answer.take() {
                return Ok(answer);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                slot.abandoned = true;
                *self
                    .abandoned
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) += 1;
                return Err(Abandoned::TimedOut);
            }
            slot = shared
                .1
                .wait_timeout(slot, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// How many abandoned calls are still running.
    #[cfg(test)]
    fn abandoned(&self) -> usize {
        *self
            .abandoned
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a probe connects: the resolved addresses of its host, or the Unix
/// socket `--unix-socket` names.
#[derive(Clone, Copy, Debug)]
pub enum Endpoint<'a> {
    Tcp(&'a [SocketAddr]),
    Unix(&'a UnixSocket),
}

/// Why connecting failed; each attempt and its error is in the trace.
#[derive(Debug)]
pub enum ConnectError {
    /// The deadline, or with `by_connect_timeout` the shorter
    /// `--connect-timeout`, passed.
    TimedOut { by_connect_timeout: bool },
    /// Every address refused or failed.
    Failed,
}

/// Connects to the endpoint within `connect_timeout` (if any) and the
/// deadline: each resolved address in turn, recording every attempt. An
/// address that hangs may take half of what is left, so that the next one
/// still gets a chance; the last may take all of it.
pub fn connect(
    endpoint: Endpoint<'_>,
    deadline: Instant,
    connect_timeout: Option<Duration>,
    trace: &SharedTrace,
) -> Result<Socket, ConnectError> {
    let until = match connect_timeout {
        Some(limit) => deadline.min(Instant::now() + limit),
        None => deadline,
    };
    let timed_out = ConnectError::TimedOut {
        by_connect_timeout: until < deadline,
    };
    lock(trace).stage = Stage::Connect;
    let addrs = match endpoint {
        Endpoint::Tcp(addrs) => addrs,
        Endpoint::Unix(socket) => {
            let peer = Peer::Unix(socket.to_string());
            return match connect_unix(socket, until) {
                Ok(stream) => {
                    lock(trace).peer = Some(peer);
                    Ok(Socket::Unix(stream))
                }
                Err(e) => {
                    let timed_out_now = is_timeout(&e);
                    lock(trace)
                        .attempts
                        .push((peer, IoFailure::new(e.kind(), describe_unix(&e))));
                    match timed_out_now {
                        true => Err(timed_out),
                        false => Err(ConnectError::Failed),
                    }
                }
            };
        }
    };
    for (i, addr) in addrs.iter().enumerate() {
        let remaining = until.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timed_out);
        }
        if LOOPBACK_ONLY && !is_loopback_ip(addr.ip()) {
            lock(trace).attempts.push((
                Peer::Tcp(*addr),
                IoFailure::new(io::ErrorKind::PermissionDenied, NOT_LOOPBACK),
            ));
            continue;
        }
        let budget = if i + 1 < addrs.len() {
            remaining / 2
        } else {
            remaining
        };
        match TcpStream::connect_timeout(addr, budget) {
            Ok(stream) => {
                // Nagle's algorithm only delays a request written in one piece.
                let _ = stream.set_nodelay(true);
                lock(trace).peer = Some(Peer::Tcp(*addr));
                return Ok(Socket::Tcp(stream));
            }
            Err(e) => {
                lock(trace)
                    .attempts
                    .push((Peer::Tcp(*addr), io_failure(&e)));
                if is_timeout(&e) && Instant::now() >= until {
                    return Err(timed_out);
                }
            }
        }
    }
    Err(ConnectError::Failed)
}

pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// Connects to a Unix socket by `until`. std's `UnixStream::connect` has no
/// timeout, and a connect blocks while the listener's backlog is full; Linux
/// bounds a blocking AF_UNIX connect by the socket's send timeout (it then
/// fails with EAGAIN), so the socket is made with socket2 to set one first.
fn connect_unix(socket: &UnixSocket, until: Instant) -> io::Result<UnixStream> {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let address = match socket {
        // An abstract name is a leading NUL byte and the name, no file.
        UnixSocket::Abstract(name) => {
            let mut bytes = vec![0u8];
            bytes.extend_from_slice(name.as_bytes());
            SockAddr::unix(OsStr::from_bytes(&bytes))?
        }
        UnixSocket::Path(path) => {
            // Linux answers a connect to a regular file with "connection
            // refused", the same as a stale socket file; tell them apart.
            let metadata = std::fs::metadata(path)?;
            if !metadata.file_type().is_socket() {
                return Err(io::Error::other(NOT_A_SOCKET));
            }
            SockAddr::unix(path)?
        }
    };
    let left = until.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::Error::from(io::ErrorKind::TimedOut));
    }
    let sock = socket2::Socket::new(Domain::UNIX, Type::STREAM, None)?;
    sock.set_write_timeout(Some(left))?;
    sock.connect(&address)?;
    Ok(UnixStream::from(std::os::fd::OwnedFd::from(sock)))
}

const NOT_A_SOCKET: &str = "not a socket";

/// A Unix socket's connect error, in the words the line uses.
fn describe_unix(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such socket file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::ConnectionRefused => {
            "connection refused (nothing listens on the socket)".to_owned()
        }
        _ if e.to_string() == NOT_A_SOCKET => "not a socket".to_owned(),
        _ => describe_io(e),
    }
}

/// A connected stream, plain or TLS, taken as a trait object so that what
/// speaks over it is in the binary once.
pub trait Duplex: Read + Write {}
impl<S: Read + Write> Duplex for S {}

/// Connects for ureq (the first link of its connector chain).
#[derive(Debug)]
pub struct TracedConnector {
    pub trace: SharedTrace,
    pub deadline: Instant,
    pub connect_timeout: Option<Duration>,
    pub unix_socket: Option<UnixSocket>,
    pub input_buffer: usize,
    pub output_buffer: usize,
}

impl Connector for TracedConnector {
    type Out = RawTcp;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<RawTcp>, Error> {
        let endpoint = match &self.unix_socket {
            Some(socket) => Endpoint::Unix(socket),
            None => Endpoint::Tcp(&details.addrs),
        };
        let socket = match connect(endpoint, self.deadline, self.connect_timeout, &self.trace) {
            Ok(socket) => socket,
            Err(ConnectError::TimedOut { by_connect_timeout }) => {
                let reason = if by_connect_timeout {
                    Timeout::Connect
                } else {
                    Timeout::Global
                };
                return Err(Error::Timeout(reason));
            }
            Err(ConnectError::Failed) => return Err(Error::ConnectionFailed),
        };
        lock(&self.trace).stage = if details.needs_tls() {
            Stage::TlsHandshake
        } else {
            Stage::Request
        };
        let stream = DeadlineStream::new(socket, self.deadline, Arc::clone(&self.trace));
        Ok(Some(Connection::new(
            stream,
            self.input_buffer,
            self.output_buffer,
        )))
    }
}

/// A connected socket of either kind.
pub enum Socket {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// ureq's transports must be `Debug`; std's `Debug` for `UnixStream` formats
/// socket addresses (4 KB of code) that nothing here ever prints.
impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Socket::Tcp(_) => "Socket::Tcp",
            Socket::Unix(_) => "Socket::Unix",
        })
    }
}

impl Socket {
    fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Socket::Tcp(s) => s.set_read_timeout(Some(timeout)),
            Socket::Unix(s) => s.set_read_timeout(Some(timeout)),
        }
    }

    fn set_write_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Socket::Tcp(s) => s.set_write_timeout(Some(timeout)),
            Socket::Unix(s) => s.set_write_timeout(Some(timeout)),
        }
    }
}

/// A TCP stream whose every read and write ends by the deadline, recording
/// the first bytes the server sends on the wire. Both the plain transport and
/// the TLS one read and write through it.
pub struct DeadlineStream {
    socket: Socket,
    deadline: Instant,
    trace: SharedTrace,
}

impl DeadlineStream {
    pub fn new(socket: Socket, deadline: Instant, trace: SharedTrace) -> DeadlineStream {
        DeadlineStream {
            socket,
            deadline,
            trace,
        }
    }

    /// The time left, never zero (a zero socket timeout means "forever").
    fn time_left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        Ok(left)
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.set_read_timeout(self.time_left()?)?;
        let mut read = |buf: &mut [u8]| match &mut self.socket {
            Socket::Tcp(s) => s.read(buf),
            Socket::Unix(s) => s.read(buf),
        };
        let amount = loop {
            match read(buf) {
                // A signal interrupted the read; the socket timeout still holds.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        let mut trace = lock(&self.trace);
        let keep = START_KEPT
            .saturating_sub(trace.wire_start.len())
            .min(amount);
        trace.wire_start.extend_from_slice(&buf[..keep]);
        Ok(amount)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.set_write_timeout(self.time_left()?)?;
        match &mut self.socket {
            Socket::Tcp(s) => s.write(buf),
            Socket::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for DeadlineStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeadlineStream")
            .field("socket", &self.socket)
            .finish()
    }
}

/// Maps an I/O error to ureq's: a socket timeout is the deadline.
pub fn io_error(e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(Timeout::Global),
        _ => Error::Io(e),
    }
}

/// A connection for ureq: a stream (the deadline-bounded socket, or a TLS
/// session over it) and its buffers.
#[derive(Debug)]
pub struct Connection<S> {
    stream: S,
    buffers: LazyBuffers,
}

/// A plain connection, as the connector makes it.
pub type RawTcp = Connection<DeadlineStream>;

impl<S> Connection<S> {
    pub fn new(stream: S, input_buffer: usize, output_buffer: usize) -> Connection<S> {
        Connection {
            stream,
            buffers: LazyBuffers::new(input_buffer, output_buffer),
        }
    }

    /// The stream, for a TLS layer to run over.
    #[cfg(feature = "tls")]
    pub fn into_stream(self) -> S {
        self.stream
    }
}

/// A stream ureq can tell is TLS or not.
pub trait Secured {
    fn is_tls(&self) -> bool {
        false
    }
}

impl Secured for DeadlineStream {}

impl<S: Read + Write + Secured + fmt::Debug + Send + Sync + 'static> Transport for Connection<S> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, _timeout: NextTimeout) -> Result<(), Error> {
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output).map_err(io_error)?;
        // A TLS session sends what it holds; a socket holds nothing.
        self.stream.flush().map_err(io_error)
    }

    fn await_input(&mut self, _timeout: NextTimeout) -> Result<bool, Error> {
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input).map_err(io_error)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Connections are never reused: every probe is one request.
        false
    }

    fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }
}

/// The last link of the chain: marks the end of the handshake and records the
/// stage and the response bytes as HTTP sees them.
#[derive(Debug)]
pub struct TraceLayer {
    pub trace: SharedTrace,
}

impl<In: Transport> Connector<In> for TraceLayer {
    type Out = Traced<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Traced<In>>, Error> {
        let Some(inner) = chained else {
            return Ok(None);
        };
        let mut trace = lock(&self.trace);
        trace.stage = Stage::Request;
        Ok(Some(Traced {
            inner,
            trace: Arc::clone(&self.trace),
        }))
    }
}

#[derive(Debug)]
pub struct Traced<T> {
    inner: T,
    trace: SharedTrace,
}

impl<T: Transport> Transport for Traced<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        {
            let mut trace = lock(&self.trace);
            if trace.stage == Stage::Request {
                trace.stage = Stage::ResponseHead;
            }
        }
        let before = self.inner.buffers().input().len();
        let progress = self.inner.await_input(timeout)?;
        let input = self.inner.buffers().input();
        let new = input.get(before..).unwrap_or_default();
        let mut trace = lock(&self.trace);
        trace.received += new.len();
        let keep = START_KEPT.saturating_sub(trace.start.len()).min(new.len());
        trace.start.extend_from_slice(&new[..keep]);
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        false
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// An I/O error as an outcome holds it: its kind and its words.
pub fn io_failure(e: &io::Error) -> IoFailure {
    IoFailure::new(e.kind(), describe_io(e))
}

pub fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe => "connection closed".to_owned(),
        io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
        io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        io::ErrorKind::ConnectionAborted => "connection aborted".to_owned(),
        _ => crate::line::os_error_text(e),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    /// Defence in depth: were a target not refused when it was parsed, no
    /// name is looked up, and no address but loopback is connected to.
    #[cfg(feature = "loopback-only")]
    #[test]
    fn a_loopback_only_build_looks_up_no_name_and_connects_to_no_other_address() {
        assert!(matches!(
            resolve("example.com", 80, far()),
            Err(Resolve::Failed(why)) if why == NOT_LOOPBACK
        ));
        let trace: SharedTrace = Arc::new(Mutex::new(Trace::default()));
        let started = Instant::now();
        let addrs: Vec<SocketAddr> = vec![
            "192.0.2.1:80".parse().unwrap(),
            "[::ffff:192.0.2.1]:80".parse().unwrap(),
        ];
        let connected = connect(Endpoint::Tcp(&addrs), far(), None, &trace);
        assert!(matches!(connected, Err(ConnectError::Failed)));
        assert!(started.elapsed() < Duration::from_millis(100));
        let attempts = &lock(&trace).attempts;
        assert_eq!(attempts.len(), 2);
        assert!(attempts.iter().all(|(_, why)| why.text == NOT_LOOPBACK));
    }

    #[test]
    fn the_unspecified_addresses_are_this_hosts_loopback() {
        let v4 = resolve("0.0.0.0", 9000, far()).unwrap();
        assert_eq!(v4, vec!["127.0.0.1:9000".parse().unwrap()]);
        let v6 = resolve("[::]", 9000, far()).unwrap();
        assert_eq!(v6, vec!["[::1]:9000".parse().unwrap()]);
    }

    #[test]
    fn ip_literals_are_their_own_address() {
        let v4 = resolve("127.0.0.1", 9000, far()).unwrap();
        assert_eq!(v4, vec!["127.0.0.1:9000".parse().unwrap()]);
        let v6 = resolve("[::1]", 9000, far()).unwrap();
        assert_eq!(v6, vec!["[::1]:9000".parse().unwrap()]);
    }

    #[test]
    fn localhost_names_are_loopback_without_a_resolver() {
        // A deadline in the past proves no resolver thread is waited on.
        let past = Instant::now();
        let want: Vec<SocketAddr> =
            vec!["127.0.0.1:80".parse().unwrap(), "[::1]:80".parse().unwrap()];
        for name in ["localhost", "LOCALHOST", "localhost.", "api.localhost"] {
            assert_eq!(resolve(name, 80, past).unwrap(), want, "{name}");
        }
    }

    #[test]
    fn abandoned_lookups_are_bounded_and_their_slots_come_back() {
        // Lookups that hang until released, as getaddrinfo does against a
        // DNS server that never answers.
        let soon = || Instant::now() + Duration::from_millis(20);
        let mut release = Vec::new();
        for _ in 0..MAX_PENDING_LOOKUPS {
            let (tx, rx) = mpsc::channel::<()>();
            release.push(tx);
            let hang = move || {
                let _ = rx.recv();
                Ok(Vec::new())
            };
            assert!(matches!(
                lookup_within(hang, soon()),
                Err(Resolve::TimedOut)
            ));
        }
        assert_eq!(LOOKUPS.abandoned(), MAX_PENDING_LOOKUPS);
        // Past the bound, a lookup waits for room within its own deadline
        // and starts no thread: it times out, as the hung ones did.
        let answer = || Ok(vec!["127.0.0.1:80".parse().unwrap()]);
        assert!(matches!(
            lookup_within(answer, soon()),
            Err(Resolve::TimedOut)
        ));
        assert_eq!(LOOKUPS.abandoned(), MAX_PENDING_LOOKUPS);
        // Once one ends, a waiting lookup runs within its deadline.
        let waiting = thread::spawn(move || lookup_within(answer, far()));
        thread::sleep(Duration::from_millis(50));
        drop(release.pop());
        assert_eq!(waiting.join().unwrap().unwrap().len(), 1);
        drop(release);
        let started = Instant::now();
        while LOOKUPS.abandoned() > 0 {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "lookups never ended"
            );
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(lookup_within(answer, far()).unwrap().len(), 1);
    }

    #[test]
    fn calls_still_waited_for_do_not_count_against_the_bound() {
        // More calls at once than the bound, each answered in time: none
        // is turned away, whatever the count of running calls.
        static SLOW: Blocking = Blocking::new(1);
        let calls: Vec<_> = (0..16)
            .map(|i| {
                thread::spawn(move || {
                    SLOW.run(
                        move || {
                            thread::sleep(Duration::from_millis(50));
                            i
                        },
                        far(),
                    )
                })
            })
            .collect();
        for (i, call) in calls.into_iter().enumerate() {
            assert_eq!(call.join().unwrap().unwrap(), i);
        }
        assert_eq!(SLOW.abandoned(), 0);
    }

    #[test]
    fn only_localhost_and_its_subdomains_are_loopback_names() {
        for name in ["localhost", "api.localhost", "a.b.localhost"] {
            assert!(is_localhost(name), "{name}");
        }
        for name in ["localhost.example", "notlocalhost", "localhostx", "db"] {
            assert!(!is_localhost(name), "{name}");
        }
    }
}
