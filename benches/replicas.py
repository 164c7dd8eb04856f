#!/usr/bin/env python3
"""Healthy replicas of a Kafka broker, a Cassandra node and a MongoDB
primary on loopback, for benches/replicas.sh: each answers healthprobe's
request with the bytes the real server's protocol gives (the same answers
as the replicas of tests/it/databases.rs). Prints one "KIND PORT" line per
server, then serves until killed."""
import socket
import struct
import threading


def kafka(conn):
    conn.recv(4096)
    body = b"hpv0" + struct.pack(">hi", 0, 3)
    for key in (0, 3, 18):
        body += struct.pack(">hhh", key, 0, 9)
    conn.sendall(struct.pack(">I", len(body)) + body)


def cassandra(conn):
    for answer in (b"\x85\0\0\0\x06\0\0\0\x02\0\0", b"\x85\0\0\x01\x02\0\0\0\0"):
        header = conn.recv(9)
        length = struct.unpack(">I", header[5:9])[0]
        while length:
            length -= len(conn.recv(length))
        conn.sendall(answer)


def mongodb(conn):
    conn.recv(4096)
    body = b""
    for kind, name, value in (
        (0x08, b"isWritablePrimary", b"\x01"),
        (0x02, b"setName", struct.pack("<I", 4) + b"rs0\0"),
        (0x01, b"ok", struct.pack("<d", 1.0)),
    ):
        body += bytes([kind]) + name + b"\0" + value
    document = struct.pack("<I", len(body) + 5) + body + b"\0"
    header = b"\x07\0\0\0hp\0\x01\xdd\x07\0\0\0\0\0\0\0"
    conn.sendall(struct.pack("<I", 21 + len(document)) + header + document)


def serve(listener, answer):
    while True:
        conn, _ = listener.accept()
        try:
            conn.settimeout(2)
            answer(conn)
            conn.recv(64)
        except OSError:
            pass
        finally:
            conn.close()


for name, answer in (("kafka", kafka), ("cassandra", cassandra), ("mongodb", mongodb)):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(name, listener.getsockname()[1], flush=True)
    threading.Thread(target=serve, args=(listener, answer), daemon=True).start()
threading.Event().wait()
