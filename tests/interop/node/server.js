#!/usr/bin/env node
// A gRPC health server (@grpc/grpc-js + grpc-health-check) for healthprobe's
// interop tests.
//
//   server.js --listen ADDR [--tls CERT_PEM KEY_PEM] [--require-token TOKEN]
//
// ADDR is 127.0.0.1:PORT (port 0 = any free port) or unix:/abs/path.sock.
// Statuses: "" and "orders.v1.Orders" SERVING, "billing.v1.Billing"
// NOT_SERVING, anything else NOT_FOUND (grpc-health-check's own answer).
// Prints exactly one line to stdout when ready (`listening on ...`).
'use strict';

const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const { HealthImplementation } = require('grpc-health-check');

function usage(msg) {
  process.stderr.write(`node-health-server: ${msg}\n` +
    'usage: node-health-server --listen ADDR [--tls CERT_PEM KEY_PEM] [--require-token TOKEN]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { listen: null, tls: null, token: null };
  for (let i = 0; i < argv.length; i++) {
    const need = (n) => {
      if (i + n >= argv.length) usage(`${argv[i]} needs ${n} value(s)`);
    };
    switch (argv[i]) {
      case '--listen': need(1); args.listen = argv[++i]; break;
      case '--tls': need(2); args.tls = [argv[++i], argv[++i]]; break;
      case '--require-token': need(1); args.token = argv[++i]; break;
      default: usage(`unknown argument ${JSON.stringify(argv[i])}`);
    }
  }
  if (args.listen === null) usage('--listen is required');
  return args;
}

// A server interceptor (grpc-js >= 1.10): rejects any call whose
// `authorization` metadata is not exactly `Bearer TOKEN`.
function tokenInterceptor(token) {
  const want = `Bearer ${token}`;
  return (methodDescriptor, call) => new grpc.ServerInterceptingCall(call, {
    start: (next) => {
      next({
        onReceiveMetadata: (metadata, mdNext) => {
          const got = metadata.get('authorization');
          if (got.length === 1 && got[0] === want) {
            mdNext(metadata);
          } else {
            call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong token' });
          }
        },
      });
    },
  });
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const server = new grpc.Server({
    interceptors: args.token === null ? [] : [tokenInterceptor(args.token)],
  });
  const health = new HealthImplementation({
    '': 'SERVING',
    'orders.v1.Orders': 'SERVING',
    'billing.v1.Billing': 'NOT_SERVING',
  });
  health.addToServer(server);

  let creds = grpc.ServerCredentials.createInsecure();
  if (args.tls) {
    const [certPath, keyPath] = args.tls;
    creds = grpc.ServerCredentials.createSsl(null,
      [{ cert_chain: fs.readFileSync(certPath), private_key: fs.readFileSync(keyPath) }], false);
  }
  if (args.listen.startsWith('unix:')) {
    try { fs.unlinkSync(args.listen.slice('unix:'.length)); } catch (e) { /* not there */ }
  }
  server.bindAsync(args.listen, creds, (err, port) => {
    if (err) {
      process.stderr.write(`node-health-server: cannot bind ${args.listen}: ${err.message}\n`);
      process.exit(1);
    }
    let shown = args.listen;
    if (!shown.startsWith('unix:')) {
      shown = `${shown.slice(0, shown.lastIndexOf(':'))}:${port}`;
    }
    process.stdout.write(`listening on ${shown}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

main();
