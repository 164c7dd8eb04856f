//! A single-stream HTTP/2 client (RFC 9113): the connection preface, one
//! request on stream 1, and frames read until that stream ends. That is all
//! a unary gRPC call needs, in about as many lines as a general client spends
//! on its connection state. The request is sent as HPACK literals that touch
//! no table, so only the response needs a decoder (loona-hpack), because
//! servers use Huffman coding and the dynamic table.
//!
//! It is the one module of `transport` that knows a protocol: the frames
//! are read as they arrive, so the driver and the framing are one. What
//! the answer means is `protocol::grpc`'s to judge, and the words for
//! HTTP/2's error codes are there too.
//!
//! Every read and write goes through the caller's deadline-bounded stream,
//! so nothing here can outlive the deadline; the limits below bound what a
//! server can make the probe read or hold before it gives up.

use std::io::{self, BufReader, Read, Write};

use loona_hpack::decoder::{DecoderError, StringDecodingError};

use crate::protocol::Stage;
use crate::protocol::grpc::{Field, Response, holds_a_message};

/// RFC 9113 section 3.4: the client connection preface.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// SETTINGS_MAX_FRAME_SIZE, left at its initial value (section 6.5.2): a
/// longer frame is a FRAME_SIZE_ERROR (section 4.2).
pub const MAX_FRAME: usize = 16_384;
/// The longest response header block, compressed and decoded (as
/// SETTINGS_MAX_HEADER_LIST_SIZE counts it: name + value + 32 a field).
pub const MAX_HEADER_LIST: usize = 16_384;
/// The most response message bytes held; a health answer is 7.
pub const MAX_DATA: usize = 16_384;
/// The most frames read for one call: a real server sends fewer than ten.
pub const MAX_FRAMES: usize = 1_000;
/// The most PINGs answered for one call.
pub const MAX_PINGS: usize = 100;
/// SETTINGS_HEADER_TABLE_SIZE, left at its initial value: a dynamic table
/// size update above it is a decoding error (RFC 7541 section 6.3).
const HEADER_TABLE: usize = 4_096;
/// The stream of the one request.
const STREAM: u32 = 1;
/// The first bytes of an HTTP/1.x answer shown.
const START_SHOWN: usize = 64;

mod kind {
    pub const DATA: u8 = 0x0;
    pub const HEADERS: u8 = 0x1;
    pub const PRIORITY: u8 = 0x2;
    pub const RST_STREAM: u8 = 0x3;
    pub const SETTINGS: u8 = 0x4;
    pub const PUSH_PROMISE: u8 = 0x5;
    pub const PING: u8 = 0x6;
    pub const GOAWAY: u8 = 0x7;
    pub const WINDOW_UPDATE: u8 = 0x8;
    pub const CONTINUATION: u8 = 0x9;
}

mod flag {
    pub const END_STREAM: u8 = 0x1;
    pub const ACK: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    pub const PADDED: u8 = 0x8;
    pub const PRIORITY: u8 = 0x20;
}

fn kind_name(kind: u8) -> String {
    let name = match kind {
        kind::DATA => "DATA",
        kind::HEADERS => "HEADERS",
        kind::PRIORITY => "PRIORITY",
        kind::RST_STREAM => "RST_STREAM",
        kind::SETTINGS => "SETTINGS",
        kind::PUSH_PROMISE => "PUSH_PROMISE",
        kind::PING => "PING",
        kind::GOAWAY => "GOAWAY",
        kind::WINDOW_UPDATE => "WINDOW_UPDATE",
        kind::CONTINUATION => "CONTINUATION",
        other => return format!("type {other:#x}"),
    };
    name.to_owned()
}

/// Why the call did not end with a complete response.
#[derive(Debug)]
pub enum Failure {
    /// Reading or writing failed, or timed out (the stream's deadline).
    Io(io::Error),
    /// The server closed the connection before the call ended.
    Closed,
    /// The server answered in HTTP/1.x; its first bytes.
    NotHttp2 { start: Vec<u8> },
    /// GOAWAY that leaves the call unanswered.
    GoAway { code: u32, debug: Vec<u8> },
    /// RST_STREAM on the call's stream.
    Reset { code: u32 },
    /// A broken rule or an exceeded limit, in words for the line.
    Protocol(String),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => Failure::Closed,
            _ => Failure::Io(e),
        }
    }
}

fn protocol(why: impl Into<String>) -> Failure {
    Failure::Protocol(why.into())
}

/// One request: a POST with these pseudo-headers and fields, and a body.
pub struct Request<'a> {
    pub https: bool,
    pub authority: &'a str,
    pub path: &'a str,
    /// Regular fields, names lower-case, in the order sent.
    pub fields: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// Everything the client sends, in one write: the preface, SETTINGS,
/// HEADERS and DATA. RFC 9113 section 3.4 lets a client send frames right
/// after its preface, without waiting for the server's.
pub fn encode(request: &Request<'_>) -> Vec<u8> {
    let mut block = Vec::with_capacity(256);
    // Fully indexed from the static table (RFC 7541 appendix A): index 3 is
    // `:method: POST`, 6 `:scheme: http`, 7 `:scheme: https`.
    block.push(0x83);
    block.push(if request.https { 0x87 } else { 0x86 });
    literal(&mut block, ":path", request.path);
    literal(&mut block, ":authority", request.authority);
    for (name, value) in request.fields {
        literal(&mut block, name, value);
    }
    let mut out = Vec::with_capacity(PREFACE.len() + 9 * 3 + 12 + block.len() + request.body.len());
    out.extend_from_slice(PREFACE);
    // SETTINGS_ENABLE_PUSH = 0 and SETTINGS_MAX_HEADER_LIST_SIZE.
    let mut settings = Vec::with_capacity(12);
    settings.extend_from_slice(&[0, 2, 0, 0, 0, 0]);
    settings.extend_from_slice(&[0, 6]);
    settings.extend_from_slice(&(MAX_HEADER_LIST as u32).to_be_bytes());
    frame(&mut out, kind::SETTINGS, 0, 0, &settings);
    frame(&mut out, kind::HEADERS, flag::END_HEADERS, STREAM, &block);
    frame(&mut out, kind::DATA, flag::END_STREAM, STREAM, request.body);
    out
}

/// A literal header field without indexing, new name, no Huffman coding
/// (RFC 7541 section 6.2.2): it changes no table, so no encoder is needed.
fn literal(block: &mut Vec<u8>, name: &str, value: &str) {
    block.push(0x00);
    string(block, name.as_bytes());
    string(block, value.as_bytes());
}

/// A string literal: a 7-bit-prefix length (H = 0) and the bytes.
fn string(block: &mut Vec<u8>, bytes: &[u8]) {
    let mut length = bytes.len();
    if length < 0x7f {
        block.push(length as u8);
    } else {
        block.push(0x7f);
        length -= 0x7f;
        while length >= 0x80 {
            block.push((length as u8 & 0x7f) | 0x80);
            length >>= 7;
        }
        block.push(length as u8);
    }
    block.extend_from_slice(bytes);
}

/// A frame: 24-bit length, type, flags, 31-bit stream, payload (section 4.1).
fn frame(out: &mut Vec<u8>, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
    let length = (payload.len() as u32).to_be_bytes();
    out.extend_from_slice(&length[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
}

/// Where the one stream is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the response headers.
    Headers,
    /// After the headers: DATA, then the trailers.
    Body,
}

/// The client side of one connection, for one call.
pub struct Client<S: Read + Write> {
    stream: BufReader<S>,
    hpack: loona_hpack::Decoder<'static>,
    /// Where the call is, for a timeout's line.
    pub stage: Stage,
    /// Bytes of frames read, for the line.
    pub received: usize,
    frames: usize,
    pings: usize,
    /// A graceful GOAWAY that still lets stream 1 finish (section 6.8).
    going_away: Option<(u32, Vec<u8>)>,
}

impl<S: Read + Write> Client<S> {
    pub fn new(stream: S) -> Client<S> {
        let mut hpack = loona_hpack::Decoder::new();
        hpack.set_max_allowed_table_size(HEADER_TABLE);
        Client {
            // A frame header and a whole small frame in one read.
            stream: BufReader::with_capacity(4 * 1024, stream),
            hpack,
            stage: Stage::Settings,
            received: 0,
            frames: 0,
            pings: 0,
            going_away: None,
        }
    }

    /// Sends `request` (from [`encode`]) and reads until stream 1 ends.
    pub fn call(&mut self, request: &[u8]) -> Result<Response, Failure> {
        self.send(request)?;
        self.stage = Stage::Settings;
        match self.read_response() {
            Err(Failure::Closed) => match self.going_away.take() {
                Some((code, debug)) => Err(Failure::GoAway { code, debug }),
                None => Err(Failure::Closed),
            },
            other => other,
        }
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stream = self.stream.get_mut();
        stream.write_all(bytes)?;
        // A TLS session sends the records it holds.
        stream.flush()
    }

    fn read_response(&mut self) -> Result<Response, Failure> {
        let mut response = Response::default();
        let mut state = State::Headers;
        // A header block being joined from HEADERS and CONTINUATION frames,
        // and whether its HEADERS frame ended the stream.
        let mut block: Option<(Vec<u8>, bool)> = None;
        let mut payload = Vec::with_capacity(MAX_FRAME);
        loop {
            let mut head = [0u8; 9];
            self.stream.read_exact(&mut head)?;
            self.received += head.len();
            let first = self.frames == 0;
            self.frames += 1;
            if first && head.starts_with(b"HTTP/") {
                let mut start = head.to_vec();
                let more = self.stream.buffer();
                start.extend_from_slice(&more[..more.len().min(START_SHOWN - head.len())]);
                return Err(Failure::NotHttp2 { start });
            }
            let length = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
            let kind = head[3];
            let flags = head[4];
            let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
            // Section 3.4: the server's preface is a SETTINGS frame.
            if first && (kind != kind::SETTINGS || flags & flag::ACK != 0) {
                return Err(protocol(format!(
                    "its first frame is {}, not SETTINGS",
                    kind_name(kind)
                )));
            }
            if self.frames > MAX_FRAMES {
                return Err(protocol(format!(
                    "more than {MAX_FRAMES} frames without ending the call"
                )));
            }
            if length > MAX_FRAME {
                return Err(protocol(format!(
                    "a {} frame of {length} bytes, over the {MAX_FRAME} allowed",
                    kind_name(kind)
                )));
            }
            payload.resize(length, 0);
            self.stream.read_exact(&mut payload)?;
            self.received += length;
            // Section 6.10: a header block's frames come in one run.
            if block.is_some() && (kind != kind::CONTINUATION || stream != STREAM) {
                return Err(protocol(format!(
                    "a header block is interrupted by a {} frame",
                    kind_name(kind)
                )));
            }
            match kind {
                kind::SETTINGS => self.settings(stream, flags, &payload)?,
                kind::PING => self.ping(stream, flags, &payload)?,
                kind::GOAWAY => self.goaway(stream, &payload)?,
                // Nothing more is sent, so the window does not matter.
                kind::WINDOW_UPDATE if length != 4 => {
                    return Err(protocol("a WINDOW_UPDATE frame that is not 4 bytes"));
                }
                kind::WINDOW_UPDATE => {}
                kind::PRIORITY => {}
                kind::RST_STREAM => {
                    on_our_stream(kind, stream)?;
                    let code = payload
                        .first_chunk::<4>()
                        .filter(|_| length == 4)
                        .ok_or_else(|| protocol("a RST_STREAM frame that is not 4 bytes"))?;
                    return Err(Failure::Reset {
                        code: u32::from_be_bytes(*code),
                    });
                }
                kind::PUSH_PROMISE => {
                    // Section 8.4: forbidden once SETTINGS_ENABLE_PUSH is 0.
                    return Err(protocol("a PUSH_PROMISE, though push is disabled"));
                }
                kind::HEADERS => {
                    on_our_stream(kind, stream)?;
                    let fragment = unpadded(&payload, flags, kind)?;
                    // Section 6.2: the PRIORITY flag adds 5 bytes to skip.
                    let fragment = match flags & flag::PRIORITY {
                        0 => fragment,
                        _ => fragment.get(5..).ok_or_else(|| {
                            protocol("a HEADERS frame too short for its priority")
                        })?,
                    };
                    block = Some((fragment.to_vec(), flags & flag::END_STREAM != 0));
                }
                kind::CONTINUATION => {
                    on_our_stream(kind, stream)?;
                    let Some((joined, _)) = block.as_mut() else {
                        return Err(protocol("a CONTINUATION frame with no header block"));
                    };
                    joined.extend_from_slice(&payload);
                }
                kind::DATA => {
                    on_our_stream(kind, stream)?;
                    if state != State::Body {
                        return Err(protocol("DATA before the response headers"));
                    }
                    let data = unpadded(&payload, flags, kind)?;
                    if response.data.len() + data.len() > MAX_DATA {
                        return Err(protocol(format!(
                            "more than {MAX_DATA} bytes of response messages"
                        )));
                    }
                    response.data.extend_from_slice(data);
                    if holds_a_message(&response.data) {
                        self.stage = Stage::Trailers;
                    }
                    if flags & flag::END_STREAM != 0 {
                        return Ok(response);
                    }
                }
                // Section 4.1: frames of unknown types are ignored.
                _ => {}
            }
            // A complete header block (HEADERS or CONTINUATION ended it).
            let ended_block = matches!(kind, kind::HEADERS | kind::CONTINUATION)
                && flags & flag::END_HEADERS != 0;
            if let Some((joined, _)) = &block {
                if joined.len() > MAX_HEADER_LIST {
                    return Err(protocol(format!(
                        "a header block over {} KiB",
                        MAX_HEADER_LIST / 1024
                    )));
                }
            }
            if !ended_block {
                continue;
            }
            let Some((joined, end_stream)) = block.take() else {
                continue;
            };
            let fields = self.decode(&joined)?;
            match state {
                State::Headers => {
                    let informational = fields
                        .iter()
                        .any(|(n, v)| n == b":status" && v.starts_with(b"1"));
                    // Section 8.1: 1xx headers come before the real ones.
                    if informational && !end_stream {
                        continue;
                    }
                    response.headers = fields;
                    if end_stream {
                        response.trailers_only = true;
                        return Ok(response);
                    }
                    state = State::Body;
                    self.stage = Stage::Message;
                }
                State::Body => {
                    if !end_stream {
                        return Err(protocol("a second header block that does not end the call"));
                    }
                    response.trailers = Some(fields);
                    return Ok(response);
                }
            }
        }
    }

    fn settings(&mut self, stream: u32, flags: u8, payload: &[u8]) -> Result<(), Failure> {
        on_connection(kind::SETTINGS, stream)?;
        if flags & flag::ACK != 0 {
            return match payload.is_empty() {
                true => Ok(()),
                false => Err(protocol("a SETTINGS acknowledgement with a payload")),
            };
        }
        if payload.len() % 6 != 0 {
            return Err(protocol(
                "a SETTINGS frame whose length is not a multiple of 6",
            ));
        }
        for setting in payload.chunks_exact(6) {
            let id = u16::from_be_bytes([setting[0], setting[1]]);
            let value = u32::from_be_bytes([setting[2], setting[3], setting[4], setting[5]]);
            // Section 6.5.2: the values a server may not send.
            let bad = match id {
                0x2 => value > 1,
                0x4 => value > 0x7fff_ffff,
                0x5 => !(16_384..=16_777_215).contains(&value),
                _ => false,
            };
            if bad {
                return Err(protocol(format!(
                    "SETTINGS sets {id:#x} to {value}, which is out of range"
                )));
            }
        }
        if self.stage == Stage::Settings {
            self.stage = Stage::ResponseHeaders;
        }
        // Section 6.5.3: every SETTINGS is acknowledged.
        let mut ack = Vec::with_capacity(9);
        frame(&mut ack, kind::SETTINGS, flag::ACK, 0, &[]);
        self.send(&ack)?;
        Ok(())
    }

    fn ping(&mut self, stream: u32, flags: u8, payload: &[u8]) -> Result<(), Failure> {
        on_connection(kind::PING, stream)?;
        if payload.len() != 8 {
            return Err(protocol("a PING frame that is not 8 bytes"));
        }
        if flags & flag::ACK != 0 {
            return Ok(());
        }
        self.pings += 1;
        if self.pings > MAX_PINGS {
            return Err(protocol(format!(
                "more than {MAX_PINGS} PINGs for one call"
            )));
        }
        // Section 6.7: a PING is answered with the same payload.
        let mut pong = Vec::with_capacity(17);
        frame(&mut pong, kind::PING, flag::ACK, 0, payload);
        self.send(&pong)?;
        Ok(())
    }

    fn goaway(&mut self, stream: u32, payload: &[u8]) -> Result<(), Failure> {
        on_connection(kind::GOAWAY, stream)?;
        let Some((head, debug)) = payload.split_first_chunk::<8>() else {
            return Err(protocol("a GOAWAY frame shorter than 8 bytes"));
        };
        let last = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) & 0x7fff_ffff;
        let code = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        let debug = debug[..debug.len().min(START_SHOWN)].to_vec();
        // Section 6.8: streams up to `last` may still complete; ours is 1.
        if last < STREAM || code != 0 {
            return Err(Failure::GoAway { code, debug });
        }
        self.going_away = Some((code, debug));
        Ok(())
    }

    /// Decodes a header block, holding at most [`MAX_HEADER_LIST`] bytes of
    /// fields however small the block: a dynamic-table entry referenced a
    /// thousand times decodes to a thousand copies.
    fn decode(&mut self, block: &[u8]) -> Result<Vec<Field>, Failure> {
        let mut fields = Vec::new();
        let mut size = 0usize;
        let decoded = self.hpack.decode_with_cb(block, |name, value| {
            size = size.saturating_add(name.len() + value.len() + 32);
            if size <= MAX_HEADER_LIST {
                fields.push((name.into_owned(), value.into_owned()));
            }
        });
        if let Err(e) = decoded {
            return Err(protocol(format!(
                "a malformed header block ({})",
                hpack_error(&e)
            )));
        }
        if size > MAX_HEADER_LIST {
            return Err(protocol(format!(
                "a header list over {} KiB",
                MAX_HEADER_LIST / 1024
            )));
        }
        Ok(fields)
    }
}

/// Section 5.1.1: the only stream a server may use is the one the client
/// opened.
fn on_our_stream(kind: u8, stream: u32) -> Result<(), Failure> {
    match stream {
        STREAM => Ok(()),
        other => Err(protocol(format!(
            "a {} frame on stream {other}, which healthprobe did not open",
            kind_name(kind)
        ))),
    }
}

/// Sections 6.5, 6.7, 6.8: connection frames are on stream 0.
fn on_connection(kind: u8, stream: u32) -> Result<(), Failure> {
    match stream {
        0 => Ok(()),
        other => Err(protocol(format!(
            "a {} frame on stream {other}, not on the connection",
            kind_name(kind)
        ))),
    }
}

/// The payload without its padding (sections 6.1 and 6.2): a pad length
/// byte first, that many bytes at the end.
fn unpadded(payload: &[u8], flags: u8, kind: u8) -> Result<&[u8], Failure> {
    if flags & flag::PADDED == 0 {
        return Ok(payload);
    }
    let Some((&pad, rest)) = payload.split_first() else {
        return Err(protocol(format!(
            "a padded {} frame with no pad length",
            kind_name(kind)
        )));
    };
    rest.len()
        .checked_sub(usize::from(pad))
        .map(|end| &rest[..end])
        .ok_or_else(|| {
            protocol(format!(
                "a {} frame's padding is longer than the frame",
                kind_name(kind)
            ))
        })
}

/// An HPACK decoding error in the line's words.
fn hpack_error(error: &DecoderError) -> &'static str {
    match error {
        DecoderError::HeaderIndexOutOfBounds => "an index out of range",
        DecoderError::IntegerDecodingError(_) => "a malformed integer",
        DecoderError::StringDecodingError(StringDecodingError::HuffmanDecoderError(_)) => {
            "bad Huffman coding"
        }
        DecoderError::StringDecodingError(_) => "a string cut short",
        DecoderError::InvalidMaxDynamicSize => "a table size over the 4096 bytes allowed",
        DecoderError::SizeUpdateAtEnd => "a table size update at its end",
        _ => "rejected by the HPACK decoder",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that reads the server's bytes and records the client's.
    struct Scripted {
        input: io::Cursor<Vec<u8>>,
        sent: Vec<u8>,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.sent.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn framed(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        frame(&mut out, kind, flags, stream, payload);
        out
    }

    fn block(fields: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, v) in fields {
            literal(&mut out, n, v);
        }
        out
    }

    fn run(server: &[u8]) -> (Result<Response, Failure>, Vec<u8>) {
        let mut client = Client::new(Scripted {
            input: io::Cursor::new(server.to_vec()),
            sent: Vec::new(),
        });
        let result = client.call(b"");
        (result, client.stream.into_inner().sent)
    }

    fn serving() -> Vec<u8> {
        let headers = block(&[(":status", "200"), ("content-type", "application/grpc")]);
        let trailers = block(&[("grpc-status", "0")]);
        [
            framed(kind::SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 100]),
            framed(kind::PING, 0, 0, b"12345678"),
            framed(kind::HEADERS, flag::END_HEADERS, 1, &headers),
            framed(kind::DATA, 0, 1, &[0, 0, 0, 0, 2, 8, 1]),
            framed(
                kind::HEADERS,
                flag::END_HEADERS | flag::END_STREAM,
                1,
                &trailers,
            ),
        ]
        .concat()
    }

    #[test]
    fn a_whole_call_is_read_and_settings_and_pings_are_acknowledged() {
        let (result, sent) = run(&serving());
        let response = result.unwrap();
        assert_eq!(response.data, [0, 0, 0, 0, 2, 8, 1]);
        assert_eq!(
            response.trailers,
            Some(vec![(b"grpc-status".to_vec(), b"0".to_vec())])
        );
        let mut acks = framed(kind::SETTINGS, flag::ACK, 0, &[]);
        acks.extend(framed(kind::PING, flag::ACK, 0, b"12345678"));
        assert_eq!(sent, acks);
    }

    #[test]
    fn the_request_is_preface_settings_headers_and_data() {
        let fields = [("te", "trailers")];
        let bytes = encode(&Request {
            https: false,
            authority: "h:1",
            path: "/p",
            fields: &fields,
            body: &[0, 0, 0, 0, 0],
        });
        assert!(bytes.starts_with(PREFACE));
        let rest = &bytes[PREFACE.len()..];
        assert_eq!(&rest[..9], &[0, 0, 12, kind::SETTINGS, 0, 0, 0, 0, 0]);
        let headers = &rest[9 + 12..];
        let length = usize::from(headers[2]);
        assert_eq!(
            &headers[3..9],
            &[kind::HEADERS, flag::END_HEADERS, 0, 0, 0, 1]
        );
        let decoded = loona_hpack::Decoder::new()
            .decode(&headers[9..9 + length])
            .unwrap();
        let text: Vec<(String, String)> = decoded
            .into_iter()
            .map(|(n, v)| (String::from_utf8(n).unwrap(), String::from_utf8(v).unwrap()))
            .collect();
        let want = [
            (":method", "POST"),
            (":scheme", "http"),
            (":path", "/p"),
            (":authority", "h:1"),
            ("te", "trailers"),
        ];
        assert_eq!(text, want.map(|(n, v)| (n.to_owned(), v.to_owned())));
        let data = &headers[9 + length..];
        assert_eq!(
            data,
            [
                0,
                0,
                5,
                kind::DATA,
                flag::END_STREAM,
                0,
                0,
                0,
                1,
                0,
                0,
                0,
                0,
                0
            ]
        );
    }

    #[test]
    fn long_literals_use_multi_byte_lengths() {
        let value = "v".repeat(300);
        let mut out = Vec::new();
        literal(&mut out, "x-long", &value);
        let decoded = loona_hpack::Decoder::new().decode(&out).unwrap();
        assert_eq!(decoded, vec![(b"x-long".to_vec(), value.into_bytes())]);
    }

    fn failure(server: &[u8]) -> String {
        match run(server).0 {
            Ok(response) => panic!("succeeded: {response:?}"),
            Err(Failure::Protocol(why)) => why,
            Err(other) => format!("{other:?}"),
        }
    }

    #[test]
    fn broken_rules_are_protocol_errors() {
        let settings = framed(kind::SETTINGS, 0, 0, &[]);
        let headers = block(&[(":status", "200")]);
        for (server, want) in [
            (
                framed(kind::PING, 0, 0, b"12345678"),
                "its first frame is PING, not SETTINGS",
            ),
            (
                [settings.clone(), vec![0, 0x40, 1, 0, 0, 0, 0, 0, 0]].concat(),
                "a DATA frame of 16385 bytes",
            ),
            (
                [settings.clone(), framed(kind::DATA, 0, 1, b"x")].concat(),
                "DATA before the response headers",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::HEADERS, flag::END_HEADERS, 3, &headers),
                ]
                .concat(),
                "on stream 3",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::HEADERS, 0, 1, &headers),
                    framed(kind::PING, 0, 0, b"12345678"),
                ]
                .concat(),
                "interrupted by a PING",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::HEADERS, flag::END_HEADERS, 1, &[0xff; 12]),
                ]
                .concat(),
                "malformed header block (a malformed integer)",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::HEADERS, flag::END_HEADERS, 1, &[0xbf]),
                ]
                .concat(),
                "an index out of range",
            ),
            (
                [
                    settings.clone(),
                    framed(
                        kind::HEADERS,
                        flag::END_HEADERS,
                        1,
                        &[0x00, 0x81, 0xff, 0x00],
                    ),
                ]
                .concat(),
                "bad Huffman coding",
            ),
            (
                [
                    settings.clone(),
                    framed(
                        kind::HEADERS,
                        flag::END_HEADERS,
                        1,
                        &[0x3f, 0xe2, 0x1f, 0x82],
                    ),
                ]
                .concat(),
                "table size over",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::HEADERS, flag::END_HEADERS | flag::PADDED, 1, &[9, 1]),
                ]
                .concat(),
                "padding is longer",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::PUSH_PROMISE, 0, 1, &[0, 0, 0, 2]),
                ]
                .concat(),
                "PUSH_PROMISE",
            ),
            (
                framed(kind::SETTINGS, 0, 0, &[0, 5, 0, 0, 0, 1]),
                "out of range",
            ),
            (
                framed(kind::SETTINGS, 0, 0, &[0, 5, 0]),
                "not a multiple of 6",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::GOAWAY, 0, 0, &[0, 0, 0, 0, 0, 0, 0, 0xb, b'c']),
                ]
                .concat(),
                "GoAway { code: 11, debug: [99] }",
            ),
            (
                [
                    settings.clone(),
                    framed(kind::RST_STREAM, 0, 1, &[0, 0, 0, 7]),
                ]
                .concat(),
                "Reset { code: 7 }",
            ),
            (settings.clone(), "Closed"),
            (b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(), "NotHttp2"),
        ] {
            let got = failure(&server);
            assert!(got.contains(want), "{got:?} should contain {want:?}");
        }
    }

    #[test]
    fn floods_end_at_their_limits() {
        let settings = framed(kind::SETTINGS, 0, 0, &[]);
        let pings: Vec<u8> = (0..=MAX_PINGS)
            .flat_map(|_| framed(kind::PING, 0, 0, b"12345678"))
            .collect();
        assert!(failure(&[settings.clone(), pings].concat()).contains("more than 100 PINGs"));
        let updates: Vec<u8> = (0..MAX_FRAMES)
            .flat_map(|_| framed(kind::WINDOW_UPDATE, 0, 0, &[0, 0, 0, 1]))
            .collect();
        assert!(failure(&[settings.clone(), updates].concat()).contains("more than 1000 frames"));
        let mut big = settings.clone();
        big.extend(framed(kind::HEADERS, 0, 1, &vec![0x82; MAX_FRAME]));
        big.extend(framed(kind::CONTINUATION, 0, 1, &[0x82]));
        assert!(failure(&big).contains("a header block over 16 KiB"));
        // One indexed field referenced again and again decodes far larger.
        let mut table = vec![0x40, 1, b'x', 0x7f, 0xe9, 0x06];
        table.extend(std::iter::repeat_n(b'v', 1000));
        table.extend(std::iter::repeat_n(0xbe, 100));
        let refs = [
            settings,
            framed(kind::HEADERS, flag::END_HEADERS, 1, &table),
        ]
        .concat();
        assert!(failure(&refs).contains("a header list over 16 KiB"));
    }

    #[test]
    fn a_graceful_goaway_lets_the_call_finish() {
        let mut server = framed(kind::SETTINGS, 0, 0, &[]);
        server.extend(framed(kind::GOAWAY, 0, 0, &[0, 0, 0, 1, 0, 0, 0, 0]));
        server.extend_from_slice(&serving()[9 + 6..]);
        assert!(run(&server).0.is_ok());
        let mut cut = framed(kind::SETTINGS, 0, 0, &[]);
        cut.extend(framed(kind::GOAWAY, 0, 0, &[0, 0, 0, 1, 0, 0, 0, 0]));
        assert!(failure(&cut).contains("GoAway { code: 0"));
    }
}
