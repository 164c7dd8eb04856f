//! `redis://` and `rediss://`: PING, after AUTH when the URL has a password,
//! over TCP, TLS or the server's Unix socket. Both commands go in one write,
//! and both replies are read.

use super::{Exchange, Failed, converse};
use crate::protocol::redis::{self, MAX_REPLY, RedisProblem, Reply};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::{RedisCheck, Target};
use crate::transport::net::{Duplex, SharedTrace};

impl Exchange for RedisCheck {
    /// `Redis PING redis://cache:6379`, and the user logged in as.
    fn described(&self, target: &Target) -> String {
        let verified = super::verified(target);
        match (&self.user, &self.password) {
            (Some(user), _) => format!("Redis PING {}{verified} as {user}", target.url),
            (None, Some(_)) => format!("Redis PING {}{verified} with a password", target.url),
            (None, None) => format!("Redis PING {}{verified}", target.url),
        }
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        let mut request = Vec::new();
        if let Some(password) = &self.password {
            let password = password.expose().as_bytes();
            request = match &self.user {
                Some(user) => redis::command(&[b"AUTH", user.as_bytes(), password]),
                None => redis::command(&[b"AUTH", password]),
            };
        }
        let replies = if self.password.is_some() { 2 } else { 1 };
        request.extend_from_slice(&redis::command(&[b"PING"]));
        // Each reply is a line; the exchange ends once all are whole.
        let exchange = converse(
            stream,
            &request,
            replies * (MAX_REPLY + 2),
            trace,
            Stage::Reply,
            |bytes| -> Result<_, RedisProblem> {
                let mut rest = bytes;
                let mut got = Vec::with_capacity(replies);
                while got.len() < replies {
                    match redis::reply(rest)? {
                        Some((reply, after)) => {
                            got.push(reply);
                            rest = after;
                        }
                        None => return Ok(None),
                    }
                }
                Ok(Some(got))
            },
        );
        let mut got = match exchange {
            Ok((got, _)) => got,
            Err(failed) => return failed.outcome(peer, limit, trace),
        };
        let ping = got.pop();
        let auth = got.pop();
        if let Some(Reply::Error(reply)) = auth {
            let problem = RedisProblem::Auth { reply };
            return Outcome::problem(peer, problem);
        }
        match ping {
            Some(Reply::Status(pong)) if pong == b"PONG" => Outcome::ready(
                peer,
                Ready::Redis {
                    auth_required: false,
                },
            ),
            // Up, and it wants a login that was not given: as ready as a
            // server can show to a client without its password.
            Some(reply @ Reply::Error(_))
                if reply.code() == b"NOAUTH" && self.password.is_none() =>
            {
                let ready = Ready::Redis {
                    auth_required: true,
                };
                Outcome::ready(peer, ready)
            }
            Some(Reply::Error(reply)) => Outcome::problem(peer, RedisProblem::Error { reply }),
            Some(Reply::Status(reply)) => Outcome::problem(peer, RedisProblem::NotPong { reply }),
            None => Failed::<RedisProblem>::Closed.outcome(peer, limit, trace),
        }
    }
}
