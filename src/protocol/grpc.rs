//! The gRPC Health Checking Protocol as pure functions: the request message,
//! and the judgement of a response (HTTP/2 headers, the messages, the
//! trailers), the problems an answer can have, and the names of gRPC's
//! codes. No I/O here: [`h2`](super::h2) frames the call, and
//! `kinds::grpc` carries the bytes.
//!
//! The protocol is grpc/grpc `doc/health-checking.md`; the framing of
//! messages and the meaning of `grpc-status` are `doc/PROTOCOL-HTTP2.md`.

use std::fmt;
use std::time::Duration;

use super::Words;
use super::http::status_text;
use crate::line::quoted;
use crate::setting::{Names, Setting};
use crate::url::percent_decode;

/// What is wrong with a gRPC health check's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GrpcProblem {
    /// The message holds a `ServingStatus` other than SERVING.
    #[non_exhaustive]
    NotServing {
        /// UNKNOWN (0), NOT_SERVING (2), SERVICE_UNKNOWN (3), or a value
        /// the protocol does not name.
        status: u64,
    },
    /// The call ended with a non-zero `grpc-status`.
    #[non_exhaustive]
    Status {
        /// The `grpc-status` code.
        code: u64,
        /// The percent-decoded `grpc-message`.
        message: Vec<u8>,
        /// The service asked about.
        service: String,
    },
    /// The HTTP/2 `:status` is not 200: a proxy or a plain web server answered.
    #[non_exhaustive]
    HttpStatus {
        /// The `:status`.
        status: u16,
    },
    /// The `content-type` is not `application/grpc`.
    #[non_exhaustive]
    ContentType {
        /// What was sent; empty when none was.
        value: Vec<u8>,
    },
    /// The call ended without a `grpc-status`.
    NoStatus,
    /// `grpc-status: 0`, but no response message.
    NoMessage,
    /// More than one response message to a unary call.
    #[non_exhaustive]
    Messages {
        /// How many.
        count: usize,
    },
    /// The message is not a `HealthCheckResponse`.
    #[non_exhaustive]
    BadMessage {
        /// What is wrong with it.
        why: String,
    },
    /// The server answered the HTTP/2 preface in HTTP/1.x.
    #[non_exhaustive]
    NotHttp2 {
        /// Its first bytes.
        start: Vec<u8>,
    },
    /// In TLS, the server did not agree to `h2` by ALPN.
    #[non_exhaustive]
    NoH2 {
        /// The protocol it picked, if any.
        chosen: Option<Vec<u8>>,
    },
    /// The server sent GOAWAY before answering.
    #[non_exhaustive]
    GoAway {
        /// The HTTP/2 error code.
        code: u32,
        /// The start of its debug data.
        debug: Vec<u8>,
    },
    /// The server reset the call's stream (RST_STREAM).
    #[non_exhaustive]
    Reset {
        /// The HTTP/2 error code.
        code: u32,
    },
    /// The server broke the HTTP/2 or HPACK rules, or a limit healthprobe
    /// keeps: a malformed or oversized frame or header block, a flood.
    #[non_exhaustive]
    Protocol {
        /// Which rule or limit.
        why: String,
    },
}

impl Words for GrpcProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        names: &Names,
    ) -> fmt::Result {
        match self {
            GrpcProblem::NotServing { status } => match serving_status_name(*status) {
                Some(name) => write!(f, "{name} from {peer}"),
                None => write!(f, "status {status}, which is not SERVING, from {peer}"),
            },
            GrpcProblem::Status {
                code,
                message,
                service,
            } => {
                write!(f, "grpc-status {code}")?;
                if let Some(name) = status_name(*code) {
                    write!(f, " {name}")?;
                }
                if !message.is_empty() {
                    write!(f, " {}", quoted(message, 160))?;
                }
                match code {
                    12 => f.write_str(": the server has no health service")?,
                    5 => write!(f, ": the service {service:?} is unknown to the server")?,
                    7 | 16 => write!(f, " (see {})", names.option(Setting::Header))?,
                    _ => {}
                }
                write!(f, ", from {peer}")
            }
            GrpcProblem::HttpStatus { status } => write!(
                f,
                "HTTP status {}, not 200: not a gRPC server, from {peer}",
                status_text(*status)
            ),
            GrpcProblem::ContentType { value } if value.is_empty() => write!(
                f,
                "the response has no content-type, not application/grpc: not a gRPC server, from {peer}"
            ),
            GrpcProblem::ContentType { value } => write!(
                f,
                "the content-type is {}, not application/grpc: not a gRPC server, from {peer}",
                quoted(value, 60)
            ),
            GrpcProblem::NoStatus => write!(f, "the call ended without a grpc-status, from {peer}"),
            GrpcProblem::NoMessage => {
                write!(f, "grpc-status 0 but no response message, from {peer}")
            }
            GrpcProblem::Messages { count } => write!(
                f,
                "{count} response messages to a unary call, expected one, from {peer}"
            ),
            GrpcProblem::BadMessage { why } => write!(
                f,
                "the response message is not a HealthCheckResponse: {why}, from {peer}"
            ),
            GrpcProblem::NotHttp2 { start } => write!(
                f,
                "{peer} answered in HTTP/1.x: not an HTTP/2 (gRPC) endpoint; it begins {}",
                quoted(start, 60)
            ),
            GrpcProblem::NoH2 { chosen } => {
                write!(
                    f,
                    "{peer} did not agree to HTTP/2 in the TLS handshake (ALPN h2): "
                )?;
                match chosen {
                    Some(protocol) => write!(f, "it chose {}", quoted(protocol, 40)),
                    None => f.write_str("it chose no protocol"),
                }
            }
            GrpcProblem::GoAway { code, debug } => {
                write!(
                    f,
                    "{peer} sent GOAWAY ({}) before answering",
                    h2_error_name(*code)
                )?;
                if !debug.is_empty() {
                    write!(f, ": {}", quoted(debug, 80))?;
                }
                Ok(())
            }
            GrpcProblem::Reset { code } => write!(
                f,
                "{peer} reset the call (RST_STREAM {})",
                h2_error_name(*code)
            ),
            GrpcProblem::Protocol { why } => write!(f, "HTTP/2 protocol error from {peer}: {why}"),
        }
    }
}

/// The name of an HTTP/2 error code (RFC 9113 section 7).
pub fn h2_error_name(code: u32) -> String {
    let name = match code {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        other => return format!("error code {other:#x}"),
    };
    name.to_owned()
}

/// The canonical name of a gRPC status code (grpc/grpc `doc/statuscodes.md`).
pub fn status_name(code: u64) -> Option<&'static str> {
    Some(match code {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => return None,
    })
}

/// The name of a `ServingStatus` value.
pub fn serving_status_name(status: u64) -> Option<&'static str> {
    Some(match status {
        0 => "UNKNOWN",
        1 => "SERVING",
        2 => "NOT_SERVING",
        3 => "SERVICE_UNKNOWN",
        _ => return None,
    })
}

/// The one method a probe calls.
pub const CHECK_PATH: &str = "/grpc.health.v1.Health/Check";

/// `HealthCheckResponse.ServingStatus.SERVING`.
pub const SERVING: u64 = 1;

/// A header field as HPACK decodes it: name and value, as bytes.
pub type Field = (Vec<u8>, Vec<u8>);

/// One HTTP/2 response to the call, as the client read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// The response headers (or, for a trailers-only response, the only ones).
    pub headers: Vec<Field>,
    /// The headers ended the stream: a trailers-only response.
    pub trailers_only: bool,
    /// The DATA frames' payloads, joined: the length-prefixed messages.
    pub data: Vec<u8>,
    /// The trailers, when a second header block ended the stream.
    pub trailers: Option<Vec<Field>>,
}

/// The request body: one length-prefixed, uncompressed message holding
/// `HealthCheckRequest { string service = 1; }`. An empty service is an
/// empty message (proto3 leaves default values out).
pub fn request_message(service: &str) -> Vec<u8> {
    let mut message = Vec::with_capacity(service.len() + 8);
    if !service.is_empty() {
        // Field 1, wire type 2 (length-delimited).
        message.push(0x0a);
        push_varint(&mut message, service.len() as u64);
        message.extend_from_slice(service.as_bytes());
    }
    let mut framed = Vec::with_capacity(message.len() + 5);
    framed.push(0); // not compressed
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    framed
}

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The `grpc-timeout` header for the time left: at most 8 digits and a unit
/// (PROTOCOL-HTTP2.md), in milliseconds while they fit, else in seconds.
/// Rounded down, so the server never waits longer than the probe does.
pub fn grpc_timeout(left: Duration) -> String {
    let millis = left.as_millis();
    if millis <= 99_999_999 {
        return format!("{millis}m");
    }
    format!("{}S", left.as_secs().min(99_999_999))
}

/// Judges a response: `Ok(())` when the call succeeded with one message
/// saying SERVING; else what is wrong, the first thing a user should fix
/// first: the HTTP status, the content type, the grpc-status, the messages.
pub fn judge(response: &Response, service: &str) -> Result<(), GrpcProblem> {
    let status = field(&response.headers, b":status");
    match status {
        Some(b"200") => {}
        Some(other) => {
            let status = std::str::from_utf8(other)
                .ok()
                .and_then(|s| s.parse::<u16>().ok());
            return Err(match status {
                Some(status) => GrpcProblem::HttpStatus { status },
                None => GrpcProblem::Protocol {
                    why: "the response's :status is not a number".to_owned(),
                },
            });
        }
        None => {
            return Err(GrpcProblem::Protocol {
                why: "the response headers have no :status".to_owned(),
            });
        }
    }
    let content_type = field(&response.headers, b"content-type").unwrap_or_default();
    if !is_grpc_content_type(content_type) {
        return Err(GrpcProblem::ContentType {
            value: content_type.to_vec(),
        });
    }
    // A trailers-only response carries grpc-status in its only header block.
    let trailers = match (&response.trailers, response.trailers_only) {
        (_, true) => &response.headers,
        (Some(trailers), false) => trailers,
        (None, false) => return Err(GrpcProblem::NoStatus),
    };
    let Some(code) = field(trailers, b"grpc-status") else {
        return Err(GrpcProblem::NoStatus);
    };
    let code = std::str::from_utf8(code)
        .ok()
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse::<u64>().ok());
    let Some(code) = code else {
        return Err(GrpcProblem::Protocol {
            why: "the grpc-status is not a number".to_owned(),
        });
    };
    if code != 0 {
        let message = field(trailers, b"grpc-message").unwrap_or_default();
        return Err(GrpcProblem::Status {
            code,
            // grpc-message is percent-encoded (PROTOCOL-HTTP2.md); a `%`
            // that starts no escape is kept, as the spec asks of decoders.
            message: percent_decode(message),
            service: service.to_owned(),
        });
    }
    let message = only_message(&response.data)?;
    let status = serving_status(message).map_err(|why| GrpcProblem::BadMessage { why })?;
    if status != SERVING {
        return Err(GrpcProblem::NotServing { status });
    }
    Ok(())
}

/// The value of the first field named `name` (names arrive lower-case,
/// RFC 9113 section 8.2.1).
fn field<'a>(fields: &'a [Field], name: &[u8]) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_slice())
}

/// `application/grpc`, optionally followed by `+proto` or `;params`.
fn is_grpc_content_type(value: &[u8]) -> bool {
    let rest = match value.get(..16) {
        Some(start) if start.eq_ignore_ascii_case(b"application/grpc") => &value[16..],
        _ => return false,
    };
    matches!(rest.first(), None | Some(b'+' | b';'))
}

/// The one message in the DATA payload, which must hold exactly one
/// complete, uncompressed length-prefixed message.
fn only_message(data: &[u8]) -> Result<&[u8], GrpcProblem> {
    let mut rest = data;
    let mut first = None;
    let mut count = 0;
    while !rest.is_empty() {
        let Some((prefix, after)) = rest.split_first_chunk::<5>() else {
            return Err(GrpcProblem::BadMessage {
                why: "the message's 5-byte prefix is cut short".to_owned(),
            });
        };
        let length = message_length(prefix);
        if prefix[0] != 0 {
            // No grpc-accept-encoding is sent, so a server may not compress.
            return Err(GrpcProblem::BadMessage {
                why: "it is compressed, though healthprobe asks for no compression".to_owned(),
            });
        }
        if after.len() < length {
            return Err(GrpcProblem::BadMessage {
                why: format!("it is cut short: {} of {length} bytes", after.len()),
            });
        }
        let (message, next) = after.split_at(length);
        first.get_or_insert(message);
        count += 1;
        rest = next;
    }
    match (first, count) {
        (Some(message), 1) => Ok(message),
        (None, _) => Err(GrpcProblem::NoMessage),
        (Some(_), count) => Err(GrpcProblem::Messages { count }),
    }
}

/// The length a message's 5-byte prefix announces (after its compressed
/// flag, 4 bytes big-endian).
fn message_length(prefix: &[u8; 5]) -> usize {
    u32::from_be_bytes([prefix[1], prefix[2], prefix[3], prefix[4]]) as usize
}

/// Whether the DATA so far starts with one complete message: the client
/// then waits for the trailers, which a timeout's line names.
pub fn holds_a_message(data: &[u8]) -> bool {
    data.split_first_chunk::<5>()
        .is_some_and(|(prefix, rest)| rest.len() >= message_length(prefix))
}

/// `HealthCheckResponse { ServingStatus status = 1; }`: the status, 0
/// (UNKNOWN) when the field is absent as proto3 encodes the default. Other
/// fields are skipped, as protobuf requires of unknown fields.
pub fn serving_status(mut message: &[u8]) -> Result<u64, String> {
    let mut status = 0;
    while !message.is_empty() {
        let key = varint(&mut message)?;
        let (number, wire_type) = (key >> 3, key & 7);
        if number == 0 {
            return Err("a field numbered 0".to_owned());
        }
        match wire_type {
            0 => {
                let value = varint(&mut message)?;
                if number == 1 {
                    status = value;
                }
            }
            1 | 5 => {
                let width = if wire_type == 1 { 8 } else { 4 };
                message = message
                    .get(width..)
                    .ok_or_else(|| "a fixed-width field is cut short".to_owned())?;
            }
            2 => {
                let length = varint(&mut message)?;
                let length = usize::try_from(length).unwrap_or(usize::MAX);
                message = message
                    .get(length..)
                    .ok_or_else(|| "a length-delimited field is cut short".to_owned())?;
            }
            other => return Err(format!("a field of wire type {other}")),
        }
        if number == 1 && wire_type != 0 {
            return Err("its status field is not a varint".to_owned());
        }
    }
    Ok(status)
}

/// A base-128 varint, at most 10 bytes.
fn varint(bytes: &mut &[u8]) -> Result<u64, String> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let Some((&byte, rest)) = bytes.split_first() else {
            return Err("a varint is cut short".to_owned());
        };
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err("a varint is longer than 10 bytes".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(list: &[(&str, &str)]) -> Vec<Field> {
        list.iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    fn ok_headers() -> Vec<Field> {
        fields(&[(":status", "200"), ("content-type", "application/grpc")])
    }

    fn response(data: &[u8], trailers: &[(&str, &str)]) -> Response {
        Response {
            headers: ok_headers(),
            trailers_only: false,
            data: data.to_vec(),
            trailers: Some(fields(trailers)),
        }
    }

    const SERVING_MESSAGE: &[u8] = &[0, 0, 0, 0, 2, 0x08, 0x01];

    #[test]
    fn requests_encode_the_service_as_field_one() {
        assert_eq!(request_message(""), [0, 0, 0, 0, 0]);
        assert_eq!(
            request_message("a.B"),
            [0, 0, 0, 0, 5, 0x0a, 3, b'a', b'.', b'B']
        );
        let long = "s".repeat(200);
        let framed = request_message(&long);
        // 200 is a two-byte varint: 0xc8 0x01.
        assert_eq!(&framed[..8], &[0, 0, 0, 0, 203, 0x0a, 0xc8, 0x01]);
        assert_eq!(framed.len(), 5 + 203);
    }

    #[test]
    fn grpc_timeout_fits_eight_digits() {
        assert_eq!(grpc_timeout(Duration::from_millis(1995)), "1995m");
        assert_eq!(grpc_timeout(Duration::from_micros(1500)), "1m");
        assert_eq!(grpc_timeout(Duration::ZERO), "0m");
        assert_eq!(grpc_timeout(Duration::from_secs(100_000)), "100000S");
        assert_eq!(grpc_timeout(Duration::from_secs(u64::MAX)), "99999999S");
    }

    #[test]
    fn one_serving_message_and_status_zero_is_healthy() {
        let ok = response(SERVING_MESSAGE, &[("grpc-status", "0")]);
        assert_eq!(judge(&ok, ""), Ok(()));
        let mut plus = ok.clone();
        plus.headers = fields(&[
            (":status", "200"),
            ("content-type", "application/grpc+proto"),
        ]);
        assert_eq!(judge(&plus, ""), Ok(()));
    }

    #[test]
    fn every_other_status_is_named() {
        for (message, status) in [
            (&[0u8, 0, 0, 0, 2, 0x08, 0x02][..], 2),
            (&[0, 0, 0, 0, 0][..], 0),
            (&[0, 0, 0, 0, 2, 0x08, 0x03][..], 3),
            (&[0, 0, 0, 0, 2, 0x08, 0x7f][..], 127),
        ] {
            let r = response(message, &[("grpc-status", "0")]);
            assert_eq!(judge(&r, ""), Err(GrpcProblem::NotServing { status }));
        }
    }

    #[test]
    fn a_non_zero_grpc_status_wins_over_a_serving_message() {
        let r = response(
            SERVING_MESSAGE,
            &[
                ("grpc-status", "13"),
                ("grpc-message", "boom%20%E2%9C%93%zz"),
            ],
        );
        assert_eq!(
            judge(&r, "svc"),
            Err(GrpcProblem::Status {
                code: 13,
                message: "boom \u{2713}%zz".as_bytes().to_vec(),
                service: "svc".to_owned(),
            })
        );
    }

    #[test]
    fn trailers_only_carries_the_status_in_its_headers() {
        let mut headers = ok_headers();
        headers.push((b"grpc-status".to_vec(), b"12".to_vec()));
        let r = Response {
            headers,
            trailers_only: true,
            ..Response::default()
        };
        assert!(matches!(
            judge(&r, ""),
            Err(GrpcProblem::Status { code: 12, .. })
        ));
        let mut zero = r.clone();
        zero.headers[2].1 = b"0".to_vec();
        assert_eq!(judge(&zero, ""), Err(GrpcProblem::NoMessage));
    }

    #[test]
    fn responses_that_are_not_grpc_are_named() {
        let mut r = response(SERVING_MESSAGE, &[("grpc-status", "0")]);
        r.headers = fields(&[(":status", "503"), ("content-type", "text/html")]);
        assert_eq!(judge(&r, ""), Err(GrpcProblem::HttpStatus { status: 503 }));
        r.headers = fields(&[(":status", "200"), ("content-type", "application/grpcx")]);
        assert_eq!(
            judge(&r, ""),
            Err(GrpcProblem::ContentType {
                value: b"application/grpcx".to_vec()
            })
        );
        r.headers = fields(&[(":status", "200")]);
        assert_eq!(
            judge(&r, ""),
            Err(GrpcProblem::ContentType { value: Vec::new() })
        );
        let mut no_trailers = response(SERVING_MESSAGE, &[]);
        no_trailers.trailers = None;
        assert_eq!(judge(&no_trailers, ""), Err(GrpcProblem::NoStatus));
        let no_status = response(SERVING_MESSAGE, &[("grpc-message", "x")]);
        assert_eq!(judge(&no_status, ""), Err(GrpcProblem::NoStatus));
        let bad_status = response(SERVING_MESSAGE, &[("grpc-status", "-1")]);
        assert!(matches!(
            judge(&bad_status, ""),
            Err(GrpcProblem::Protocol { .. })
        ));
    }

    #[test]
    fn exactly_one_complete_message_is_required() {
        let ok = [("grpc-status", "0")];
        assert_eq!(judge(&response(&[], &ok), ""), Err(GrpcProblem::NoMessage));
        let two = [SERVING_MESSAGE, SERVING_MESSAGE].concat();
        assert_eq!(
            judge(&response(&two, &ok), ""),
            Err(GrpcProblem::Messages { count: 2 })
        );
        for (data, why) in [
            (&[0u8, 0, 0][..], "prefix is cut short"),
            (&[0, 0, 0, 0, 9, 8][..], "cut short: 1 of 9 bytes"),
            (&[1, 0, 0, 0, 2, 8, 1][..], "compressed"),
            (&[0, 0, 0, 0, 1, 0x08][..], "varint is cut short"),
            (&[0, 0, 0, 0, 1, 0x0b][..], "wire type 3"),
            (
                &[0, 0, 0, 0, 3, 0x0a, 1, 1][..],
                "status field is not a varint",
            ),
            (&[0, 0, 0, 0, 2, 0x00, 0x01][..], "numbered 0"),
            (
                &[
                    0, 0, 0, 0, 11, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                    0xff,
                ][..],
                "longer than 10 bytes",
            ),
            (
                &[0, 0, 0, 0, 3, 0x12, 0x7f, 0][..],
                "length-delimited field is cut short",
            ),
        ] {
            match judge(&response(data, &ok), "") {
                Err(GrpcProblem::BadMessage { why: got }) => assert!(got.contains(why), "{got}"),
                other => panic!("{data:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_fields_are_skipped() {
        // field 2 varint, field 3 fixed64, field 4 bytes, field 5 fixed32, then status.
        let message = [
            0x10, 0x05, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x22, 2, b'h', b'i', 0x2d, 1, 2, 3, 4, 0x08,
            0x01,
        ];
        assert_eq!(serving_status(&message), Ok(1));
    }

    #[test]
    fn names_cover_the_canonical_codes() {
        assert_eq!(status_name(12), Some("UNIMPLEMENTED"));
        assert_eq!(status_name(16), Some("UNAUTHENTICATED"));
        assert_eq!(status_name(17), None);
        assert_eq!(serving_status_name(2), Some("NOT_SERVING"));
        assert_eq!(serving_status_name(4), None);
    }
}
