//! `mysql://` and `mariadb://`: the server speaks first, and its greeting
//! is the verdict. Then, so that the server does not count the visit as an
//! interrupted handshake against the probe's host, a login for a user with
//! no password, whose answer is read before the probe leaves (with COM_QUIT,
//! should the user need no password).

use super::{Exchange, converse};
use crate::protocol::mysql::{self, MAX_PACKET, QUIT};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::{MysqlCheck, Target};
use crate::transport::net::{Duplex, SharedTrace};

impl Exchange for MysqlCheck {
    /// `MySQL mysql://db:3306`.
    fn described(&self, target: &Target) -> String {
        format!("MySQL {}", target.url)
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        let greeting = match converse(
            stream,
            &[],
            MAX_PACKET + 4,
            trace,
            Stage::Greeting,
            mysql::greeting,
        ) {
            Ok((greeting, _)) => greeting,
            Err(failed) => {
                return failed.outcome(peer, limit, trace);
            }
        };
        // A server that greets and then does not answer the login is not
        // serving (mysqladmin ping fails the same way): the answer, whatever
        // it says, is part of the verdict. It also spares the host the
        // interrupted handshake.
        let login = mysql::login(&self.user, &greeting);
        match converse(
            stream,
            &login,
            MAX_PACKET + 4,
            trace,
            Stage::Login,
            mysql::login_verdict,
        ) {
            Ok((logged_in, _)) => {
                if logged_in {
                    let _ = stream.write_all(&QUIT);
                }
                let version = greeting.version;
                Outcome::ready(peer, Ready::Mysql { version })
            }
            Err(failed) => failed.outcome(peer, limit, trace),
        }
    }
}
