#!/usr/bin/env python3
"""A gRPC health server (grpcio + grpcio-health-checking) for healthprobe's interop tests.

    server.py --listen ADDR [--tls CERT_PEM KEY_PEM] [--require-token TOKEN]

ADDR is 127.0.0.1:PORT (port 0 = any free port) or unix:/abs/path.sock.
Statuses: "" and "orders.v1.Orders" SERVING, "billing.v1.Billing" NOT_SERVING,
anything else NOT_FOUND (grpc_health's own answer). Prints exactly one line to
stdout when ready (`listening on ...`), then serves until killed.
"""
import argparse
import os
import sys
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc


class TokenInterceptor(grpc.ServerInterceptor):
    """Rejects every call whose `authorization` metadata is not exactly `Bearer TOKEN`."""

    def __init__(self, token):
        self._want = "Bearer " + token

    def intercept_service(self, continuation, handler_call_details):
        got = [v for k, v in (handler_call_details.invocation_metadata or ()) if k == "authorization"]
        handler = continuation(handler_call_details)
        if got == [self._want] or handler is None:
            return handler

        def deny(_request, context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong token")

        def deny_stream(_request, context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong token")
            yield  # pragma: no cover (makes this a generator)

        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(deny_stream)
        if handler.stream_unary or handler.stream_stream:
            return grpc.stream_unary_rpc_method_handler(deny) if handler.stream_unary \
                else grpc.stream_stream_rpc_method_handler(deny_stream)
        return grpc.unary_unary_rpc_method_handler(deny)


def main():
    p = argparse.ArgumentParser(prog="python-health-server")
    p.add_argument("--listen", required=True)
    p.add_argument("--tls", nargs=2, metavar=("CERT_PEM", "KEY_PEM"))
    p.add_argument("--require-token", metavar="TOKEN")
    args = p.parse_args()

    interceptors = [TokenInterceptor(args.require_token)] if args.require_token is not None else []
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), interceptors=interceptors)

    servicer = health.HealthServicer()
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    servicer.set("orders.v1.Orders", health_pb2.HealthCheckResponse.SERVING)
    servicer.set("billing.v1.Billing", health_pb2.HealthCheckResponse.NOT_SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)

    addr = args.listen
    if addr.startswith("unix:"):
        try:
            os.unlink(addr[len("unix:"):])
        except FileNotFoundError:
            pass
    if args.tls:
        with open(args.tls[0], "rb") as f:
            cert = f.read()
        with open(args.tls[1], "rb") as f:
            key = f.read()
        port = server.add_secure_port(addr, grpc.ssl_server_credentials([(key, cert)]))
    else:
        port = server.add_insecure_port(addr)
    if port == 0:
        print(f"python-health-server: cannot bind {addr}", file=sys.stderr)
        sys.exit(1)
    server.start()

    if addr.startswith("unix:"):
        shown = addr
    else:
        host = addr.rsplit(":", 1)[0]
        shown = f"{host}:{port}"
    sys.stdout.write(f"listening on {shown}\n")
    sys.stdout.flush()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
