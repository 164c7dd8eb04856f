#!/usr/bin/env python3
"""Checks the four interop gRPC health servers built by .ci/interop.

    target/interop/venv/bin/python tests/interop/check.py

For each of target/interop/bin/{python,node,go,tonic}-health-server, with
grpcio's own client: the four statuses over cleartext TCP, --require-token,
--tls (a private CA made with openssl), and a Unix socket; then
go-health-client against every server; then one raw HTTP/2 request per server
(HPACK literals only, as a minimal client sends it) to note how each server
encodes its response headers (Huffman, dynamic table). Every wait is bounded
and every server is killed at the end. Ends with 'N passed, N failed'; exits 1
on any failure.
"""
import os
import re
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "target", "interop", "bin")
SERVERS = ["python", "node", "go", "tonic"]
START_TIMEOUT = 30.0  # seconds for a server to print its listening line
RPC_TIMEOUT = 5.0
TOKEN = "s3cret"

results = {"passed": 0, "failed": 0}
running = []  # every server process started, killed at the end
notes = []


def report(ok, what, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'} {what}{(': ' + detail) if detail else ''}", flush=True)


class Server:
    def __init__(self, name, listen, extra, tmp):
        self.name = name
        self.log_path = os.path.join(tmp, f"{name}-{len(running)}.stderr")
        self.log = open(self.log_path, "wb")
        argv = [os.path.join(BIN, f"{name}-health-server"), "--listen", listen, *extra]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.log, start_new_session=True)
        running.append(self)
        self.line = self._read_line()

    def _read_line(self):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        buf = b""
        deadline = time.monotonic() + START_TIMEOUT
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                raise RuntimeError(f"{self.name}: no listening line within {START_TIMEOUT:.0f} s")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(f"{self.name}: exited ({self.proc.poll()}) before listening; "
                                   f"stderr: {self.stderr()[-500:]!r}")
            buf += chunk
        sel.close()
        line, _, rest = buf.partition(b"\n")
        self.extra_stdout = rest
        return line.decode()

    def stderr(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        """SIGTERM, then SIGKILL after 5 s. Returns how it ended."""
        if self.proc.poll() is not None:
            return f"had exited ({self.proc.returncode})"
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
            how = f"exited on SIGTERM ({self.proc.returncode})"
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            how = "ignored SIGTERM for 5 s, SIGKILLed"
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # any child left behind
        except ProcessLookupError:
            pass
        # Anything printed on stdout after the listening line breaks the contract.
        more = self.extra_stdout + (self.proc.stdout.read() or b"")
        self.proc.stdout.close()
        self.log.close()
        if more:
            how += f"; EXTRA STDOUT {more[:200]!r}"
        return how


def check(target, service, creds=None, metadata=None, options=None):
    """Returns the status name or the gRPC error code name."""
    ch = (grpc.secure_channel(target, creds, options=options) if creds
          else grpc.insecure_channel(target, options=options))
    try:
        stub = health_pb2_grpc.HealthStub(ch)
        resp = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT,
                          metadata=metadata)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status), ""
    except grpc.RpcError as e:
        return e.code().name, e.details() or ""
    finally:
        ch.close()


def expect(what, got, want):
    report(got[0] == want, what, f"{got[0]}" + (f" ({got[1]})" if got[1] else "")
           + ("" if got[0] == want else f", want {want}"))


def tcp_port(srv):
    m = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)", srv.line)
    report(bool(m) and int(m.group(1)) > 0, f"{srv.name}: listening line", repr(srv.line))
    return int(m.group(1)) if m else None


def make_certs(tmp):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, cwd=tmp, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=healthprobe interop CA")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(tmp, "ext.cnf"), "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return tuple(os.path.join(tmp, n) for n in ("ca.pem", "server.pem", "server.key"))


# --- a raw HTTP/2 request, to see how the server encodes HPACK -----------------

def hpack_int(data, i, prefix):
    mask = (1 << prefix) - 1
    v = data[i] & mask
    i += 1
    if v < mask:
        return v, i
    shift = 0
    while True:
        b = data[i]
        i += 1
        v += (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def hpack_survey(block, stats):
    """Classifies each representation in a header block (RFC 7541 section 6)."""
    i = 0
    while i < len(block):
        b = block[i]
        if b & 0x80:
            idx, i = hpack_int(block, i, 7)
            stats["indexed-dynamic" if idx > 61 else "indexed-static"] += 1
            continue
        if b & 0xE0 == 0x20:
            size, i = hpack_int(block, i, 5)
            stats["table-size-update"] += 1
            continue
        kind, prefix = (("incremental", 6) if b & 0x40 else
                        ("never-indexed", 4) if b & 0x10 else ("without-indexing", 4))
        idx, i = hpack_int(block, i, prefix)
        stats["literal-" + kind] += 1
        strings = 1 if idx else 2
        for _ in range(strings):
            huff = bool(block[i] & 0x80)
            n, i = hpack_int(block, i, 7)
            i += n
            stats["huffman-strings" if huff else "plain-strings"] += 1


def lit(name, value):
    n, v = name.encode(), value.encode()
    assert len(n) < 127 and len(v) < 127
    return bytes([0, len(n)]) + n + bytes([len(v)]) + v  # literal without indexing, new name


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def raw_h2(port, requests=2):
    """Sends `requests` Check("") calls on one connection, HPACK literals only.
    Returns (statuses seen as response message bytes, stats of the response header blocks)."""
    stats = {k: 0 for k in ("indexed-static", "indexed-dynamic", "table-size-update",
                            "literal-incremental", "literal-without-indexing",
                            "literal-never-indexed", "huffman-strings", "plain-strings")}
    sock = socket.create_connection(("127.0.0.1", port), timeout=RPC_TIMEOUT)
    buf = b""

    def read_frame():
        nonlocal buf
        while len(buf) < 9 or len(buf) < 9 + int.from_bytes(buf[:3], "big"):
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            buf += chunk
        n = int.from_bytes(buf[:3], "big")
        ftype, flags = buf[3], buf[4]
        stream = int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
        payload, buf = buf[9:9 + n], buf[9 + n:]
        return ftype, flags, stream, payload

    messages = []
    try:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b""))
        for k in range(requests):
            sid = 1 + 2 * k
            block = (lit(":method", "POST") + lit(":scheme", "http")
                     + lit(":path", "/grpc.health.v1.Health/Check")
                     + lit(":authority", f"127.0.0.1:{port}")
                     + lit("content-type", "application/grpc") + lit("te", "trailers"))
            sock.sendall(frame(1, 0x4, sid, block) + frame(0, 0x1, sid, b"\x00\x00\x00\x00\x00"))
            header_block = b""
            data = b""
            done = False
            while not done:
                ftype, flags, stream, payload = read_frame()
                if ftype == 4 and not flags & 1:
                    sock.sendall(frame(4, 1, 0, b""))  # SETTINGS ACK
                elif ftype == 6 and not flags & 1:
                    sock.sendall(frame(6, 1, 0, payload))  # PING ACK
                elif ftype == 7:
                    raise RuntimeError(f"GOAWAY {payload[4:8].hex()}")
                elif stream == sid and ftype == 3:
                    raise RuntimeError(f"RST_STREAM {payload.hex()}")
                elif stream == sid and ftype in (1, 9):
                    if ftype == 1:
                        pad = payload[0] if flags & 0x8 else 0
                        payload = payload[(1 if flags & 0x8 else 0) + (5 if flags & 0x20 else 0):]
                        payload = payload[:len(payload) - pad]
                    header_block += payload
                    if flags & 0x4:  # END_HEADERS
                        hpack_survey(header_block, stats)
                        header_block = b""
                    done = bool(flags & 0x1) and ftype == 1
                elif stream == sid and ftype == 0:
                    pad = payload[0] if flags & 0x8 else 0
                    data += payload[(1 if flags & 0x8 else 0):len(payload) - pad]
                    # WINDOW_UPDATE is not needed for a few bytes
                    done = bool(flags & 0x1)
            messages.append(data.hex())
    finally:
        sock.close()
    return messages, stats


def main():
    missing = [n for n in [f"{s}-health-server" for s in SERVERS] + ["go-health-client"]
               if not os.access(os.path.join(BIN, n), os.X_OK)]
    if missing:
        print(f"missing in {BIN}: {', '.join(missing)} (run .ci/interop first)", file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="hp-interop-")
    try:
        ca, cert, key = make_certs(tmp)
        with open(ca, "rb") as f:
            ca_pem = f.read()
        tls_creds = grpc.ssl_channel_credentials(root_certificates=ca_pem)
        plain_ports = {}
        for name in SERVERS:
            t0 = time.monotonic()
            # 1. cleartext TCP: the four answers
            srv = Server(name, "127.0.0.1:0", [], tmp)
            report(True, f"{name}: started", f"{time.monotonic() - t0:.2f} s to the listening line")
            port = tcp_port(srv)
            if port:
                plain_ports[name] = (srv, port)
                t = f"127.0.0.1:{port}"
                expect(f"{name}: '' ", check(t, ""), "SERVING")
                expect(f"{name}: orders.v1.Orders", check(t, "orders.v1.Orders"), "SERVING")
                expect(f"{name}: billing.v1.Billing", check(t, "billing.v1.Billing"), "NOT_SERVING")
                expect(f"{name}: nope.v1.Nope", check(t, "nope.v1.Nope"), "NOT_FOUND")

            # 2. --require-token
            srv = Server(name, "127.0.0.1:0", ["--require-token", TOKEN], tmp)
            port = tcp_port(srv)
            if port:
                t = f"127.0.0.1:{port}"
                got = check(t, "")
                expect(f"{name}: token: no metadata", got, "UNAUTHENTICATED")
                report("token" in got[1], f"{name}: token: message", repr(got[1]))
                expect(f"{name}: token: wrong token",
                       check(t, "", metadata=(("authorization", "Bearer nope"),)), "UNAUTHENTICATED")
                expect(f"{name}: token: right token",
                       check(t, "", metadata=(("authorization", f"Bearer {TOKEN}"),)), "SERVING")
            print(f"     {name}: token server {srv.stop()}")

            # 3. --tls
            srv = Server(name, "127.0.0.1:0", ["--tls", cert, key], tmp)
            port = tcp_port(srv)
            if port:
                expect(f"{name}: tls 127.0.0.1", check(f"127.0.0.1:{port}", "", tls_creds), "SERVING")
                expect(f"{name}: tls localhost", check(f"localhost:{port}", "", tls_creds), "SERVING")
                expect(f"{name}: tls, cleartext client", check(f"127.0.0.1:{port}", ""), "UNAVAILABLE")
                gc = subprocess.run([os.path.join(BIN, "go-health-client"), "-addr",
                                     f"localhost:{port}", "-tls", "-ca", ca],
                                    capture_output=True, text=True, timeout=15)
                report(gc.returncode == 0, f"{name}: go-health-client -tls",
                       f"exit {gc.returncode}, {gc.stdout.strip()}")
            print(f"     {name}: tls server {srv.stop()}")

            # 4. Unix socket
            path = os.path.join(tmp, f"{name}.sock")
            srv = Server(name, f"unix:{path}", [], tmp)
            report(srv.line == f"listening on unix:{path}", f"{name}: unix listening line", repr(srv.line))
            # grpcio sends `:authority: tmp%2F...sock` (the path) on a Unix socket; the
            # h2 crate under tonic answers that with RST_STREAM(PROTOCOL_ERROR). So the
            # check sets :authority localhost, as healthprobe and grpc-go do; grpcio's
            # default is only noted.
            expect(f"{name}: unix (:authority localhost)",
                   check(f"unix:{path}", "", options=[("grpc.default_authority", "localhost")]),
                   "SERVING")
            got = check(f"unix:{path}", "")
            notes.append(f"{name}: unix with grpcio's default :authority (the socket path): "
                         f"{got[0]}{(' (' + got[1] + ')') if got[1] else ''}")
            gc = subprocess.run([os.path.join(BIN, "go-health-client"), "-addr", f"unix:{path}"],
                                capture_output=True, text=True, timeout=15)
            report(gc.returncode == 0, f"{name}: go-health-client unix",
                   f"exit {gc.returncode}, {gc.stdout.strip()}")
            print(f"     {name}: unix server {srv.stop()}")

        # 5. go-health-client against every cleartext server
        for name, (srv, port) in plain_ports.items():
            for service, want in (("", 0), ("billing.v1.Billing", 1), ("nope.v1.Nope", 1)):
                gc = subprocess.run([os.path.join(BIN, "go-health-client"), "-addr",
                                     f"127.0.0.1:{port}", "-service", service],
                                    capture_output=True, text=True, timeout=15)
                report(gc.returncode == want, f"{name}: go-health-client -service {service!r}",
                       f"exit {gc.returncode}, {gc.stdout.strip()}")

        # 6. a raw, literal-only HTTP/2 request; how each server encodes HPACK
        for name, (srv, port) in plain_ports.items():
            try:
                messages, stats = raw_h2(port)
                ok = messages == ["00000000020801"] * 2
                report(ok, f"{name}: raw h2, HPACK literals only, 2 calls on one connection",
                       " ".join(messages))
                used = {k: v for k, v in stats.items() if v}
                notes.append(f"{name}: response header blocks: {used}")
            except (OSError, RuntimeError) as e:
                report(False, f"{name}: raw h2", str(e))

        for name, (srv, port) in plain_ports.items():
            print(f"     {name}: server {srv.stop()}")
    except Exception as e:  # noqa: BLE001 (reported as a failure, then cleaned up)
        report(False, "unexpected error", f"{type(e).__name__}: {e}")
    finally:
        for srv in running:
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)
    for n in notes:
        print(f"note {n}")
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
