//! `nats://` and `tls://`: the server's INFO; TLS when it requires it (or
//! the URL asks for it), as NATS clients upgrade; then CONNECT and PING,
//! answered PONG. Without a login, a server that requires one is asked
//! only PING, whose authorization error shows it has taken the connection
//! (a full server would have refused it first).

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::{Failed, Prober};
use crate::protocol::nats::{self, Info, Login, NatsProblem, Op};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::{NatsCheck, Target};
use crate::transport::net::{DeadlineStream, Duplex, SharedTrace, enter, lock};

/// The most operations read after the request before the verdict: a
/// server that sends only `+OK` or `INFO` is not answering. (The message
/// that says so names it.)
const MAX_OPS: usize = 64;

impl NatsCheck {
    /// The login the URL gives: a user and its password, or a token.
    fn login(&self) -> Login<'_> {
        match (&self.user, &self.password) {
            (user, Some(password)) => {
                Login::User(user.as_deref().unwrap_or_default(), password.expose())
            }
            (Some(token), None) => Login::Token(token),
            (None, None) => Login::None,
        }
    }
}

impl Prober for NatsCheck {
    /// `NATS nats://broker:4222`, and how it logs in (never the token).
    fn described(&self, target: &Target) -> String {
        let (how, user) = match self.login() {
            Login::User(user, _) if !user.is_empty() => (" as ", user),
            Login::User(..) => (" with a password", ""),
            Login::Token(_) => (" with a token", ""),
            Login::None => ("", ""),
        };
        format!("NATS {}{}{how}{user}", target.url, super::verified(target))
    }

    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        let trace: SharedTrace = Arc::new(Mutex::new(Default::default()));
        let (socket, peer) =
            match crate::transport::connect(target.place(), target, deadline, limit, &trace) {
                Ok(connected) => connected,
                Err(outcome) => return outcome,
            };
        let plain = DeadlineStream::new(socket, deadline, Arc::clone(&trace));
        let secure = |plain| upgrade(target, plain, &peer, limit, &trace);
        let ended = self.session(target, plain, secure, &trace);
        outcome(ended, peer, limit, &trace)
    }
}

fn outcome(ended: Result<Ready, Ended>, peer: Peer, limit: Limit, trace: &SharedTrace) -> Outcome {
    match ended {
        Ok(ready) => Outcome::ready(peer, ready),
        Err(Ended::Failed(failed)) => failed.outcome(peer, limit, trace),
        Err(Ended::Outcome(outcome)) => outcome,
    }
}

/// The session over `server`'s bytes, for the fuzz targets: a server that
/// requires TLS gets no handshake, as in a build without TLS.
#[cfg(fuzzing)]
pub(crate) fn talk(
    check: &NatsCheck,
    target: &Target,
    server: impl Duplex + 'static,
    peer: Peer,
    limit: Limit,
    trace: &SharedTrace,
) -> Outcome {
    let upgrade = |_| Err(problem(NatsProblem::TlsLeftOut));
    let ended = check.session(target, server, upgrade, trace);
    outcome(ended, peer, limit, trace)
}

/// How a session ended short of ready.
enum Ended {
    Failed(Failed<NatsProblem>),
    /// A TLS failure, as the handshake reports it.
    Outcome(Outcome),
}

impl From<Failed<NatsProblem>> for Ended {
    fn from(failed: Failed<NatsProblem>) -> Ended {
        Ended::Failed(failed)
    }
}

fn problem(problem: NatsProblem) -> Ended {
    Ended::Failed(Failed::Problem(problem))
}

fn malformed(why: &str) -> Ended {
    problem(NatsProblem::Wire(crate::protocol::WireProblem::malformed(
        why,
    )))
}

impl NatsCheck {
    /// The exchange over the connection: INFO, TLS through `upgrade` if
    /// need be, then the request and its answer.
    fn session<S: Duplex + 'static>(
        &self,
        target: &Target,
        mut plain: S,
        upgrade: impl FnOnce(S) -> Result<Box<dyn Duplex>, Ended>,
        trace: &SharedTrace,
    ) -> Result<Ready, Ended> {
        let mut pending = Vec::new();
        enter(trace, Stage::Greeting);
        let info = match next_op(&mut plain, &mut pending, trace)? {
            Op::Info(info) => info,
            Op::Err(reply) => return Err(problem(NatsProblem::Error { reply })),
            _ => return Err(malformed("the server's first line is not INFO")),
        };
        if info.lame_duck {
            return Err(problem(NatsProblem::LameDuck));
        }
        let asked = target.scheme.is_tls();
        if asked && !info.tls_required && !info.tls_available {
            return Err(problem(NatsProblem::NoTls));
        }
        let tls = asked || info.tls_required;
        let mut stream: Box<dyn Duplex> = match tls {
            false => Box::new(plain),
            true => {
                // A full server's error may follow the INFO before TLS.
                if let Ok(Some((Op::Err(reply), _))) = nats::op(&pending) {
                    return Err(problem(NatsProblem::Error { reply }));
                }
                pending.clear();
                upgrade(plain)?
            }
        };
        let login = self.login();
        enter(trace, Stage::Request);
        let sent = match (login, info.auth_required) {
            (Login::None, true) => stream.write_all(b"PING\r\n"),
            (login, _) => stream.write_all(&nats::connect(login, tls)),
        };
        sent.map_err(|e| Ended::Failed(Failed::Io(e)))?;
        enter(trace, Stage::Reply);
        for _ in 0..MAX_OPS {
            match next_op(&mut *stream, &mut pending, trace)? {
                Op::Pong => return Ok(ready(info, false)),
                Op::Ok
                | Op::Ping
                | Op::Info(Info {
                    lame_duck: false, ..
                }) => {}
                Op::Info(_) => return Err(problem(NatsProblem::LameDuck)),
                Op::Err(reply) if is_auth(&reply) => {
                    return match login {
                        Login::None => Ok(ready(info, true)),
                        _ => Err(problem(NatsProblem::Auth { reply })),
                    };
                }
                Op::Err(reply) => return Err(problem(NatsProblem::Error { reply })),
            }
        }
        Err(malformed("no PONG among the first 64 answers"))
    }
}

fn ready(info: Info, auth_required: bool) -> Ready {
    Ready::Nats {
        version: info.version,
        auth_required,
    }
}

/// An error that refuses a login: nats-server's `Authorization Violation`
/// (`authViolation` in `server/client.go`, sent for every refused or
/// missing login, in these words).
fn is_auth(reply: &[u8]) -> bool {
    reply == b"Authorization Violation"
}

/// The next operation the server sends, read into `pending` as needed.
fn next_op(
    stream: &mut dyn Duplex,
    pending: &mut Vec<u8>,
    trace: &SharedTrace,
) -> Result<Op, Failed<NatsProblem>> {
    let mut chunk = [0u8; 1024];
    loop {
        if let Some((op, rest)) = nats::op(pending).map_err(Failed::Problem)? {
            let (kept, used) = (rest.len(), pending.len() - rest.len());
            pending.copy_within(used.., 0);
            pending.truncate(kept);
            return Ok(op);
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(Failed::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failed::Io(e)),
        };
        pending.extend_from_slice(&chunk[..n]);
        lock(trace).received += n;
    }
}

/// The TLS handshake over the connection, verified as every TLS kind
/// verifies, with the target's TLS settings (every NATS form takes them).
fn upgrade(
    target: &Target,
    plain: DeadlineStream,
    peer: &Peer,
    limit: Limit,
    trace: &SharedTrace,
) -> Result<Box<dyn Duplex>, Ended> {
    let Some(settings) = target.tls.as_ref().filter(|_| cfg!(feature = "tls")) else {
        return Err(problem(NatsProblem::TlsLeftOut));
    };
    crate::transport::secure(settings, target.place(), target, plain, peer, limit, trace)
        .map_err(Ended::Outcome)
}
