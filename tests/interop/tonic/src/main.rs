//! `tonic-health-server --listen ADDR [--tls CERT_PEM KEY_PEM] [--require-token TOKEN]`
//!
//! A gRPC health server (tonic + tonic-health) for healthprobe's interop tests.
//! ADDR is `127.0.0.1:PORT` (port 0 = any free port) or `unix:/abs/path.sock`.
//! Statuses: "" and "orders.v1.Orders" SERVING, "billing.v1.Billing"
//! NOT_SERVING, anything else NOT_FOUND (tonic-health's own answer).
//! Prints exactly one line to stdout when ready: `listening on ...`.

use std::io::Write;
use std::process::exit;

use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic::{Request, Status};
use tonic_health::ServingStatus;

struct Args {
    listen: String,
    tls: Option<(String, String)>,
    token: Option<String>,
}

fn usage(msg: &str) -> ! {
    eprintln!("tonic-health-server: {msg}");
    eprintln!(
        "usage: tonic-health-server --listen ADDR [--tls CERT_PEM KEY_PEM] [--require-token TOKEN]"
    );
    exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let (mut listen, mut tls, mut token) = (None, None, None);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--listen" => listen = Some(it.next().unwrap_or_else(|| usage("--listen needs ADDR"))),
            "--tls" => {
                let c = it
                    .next()
                    .unwrap_or_else(|| usage("--tls needs CERT_PEM KEY_PEM"));
                let k = it
                    .next()
                    .unwrap_or_else(|| usage("--tls needs CERT_PEM KEY_PEM"));
                tls = Some((c, k));
            }
            "--require-token" => {
                token = Some(
                    it.next()
                        .unwrap_or_else(|| usage("--require-token needs TOKEN")),
                )
            }
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    Args {
        listen: listen.unwrap_or_else(|| usage("--listen is required")),
        tls,
        token,
    }
}

fn announce(addr: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {addr}");
    let _ = out.flush();
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = parse_args();

    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", ServingStatus::Serving)
        .await;
    reporter
        .set_service_status("orders.v1.Orders", ServingStatus::Serving)
        .await;
    reporter
        .set_service_status("billing.v1.Billing", ServingStatus::NotServing)
        .await;

    let mut builder = Server::builder();
    if let Some((cert, key)) = &args.tls {
        let read = |p: &str| std::fs::read(p).unwrap_or_else(|e| usage(&format!("{p}: {e}")));
        let identity = Identity::from_pem(read(cert), read(key));
        builder = builder
            .tls_config(ServerTlsConfig::new().identity(identity))
            .unwrap_or_else(|e| usage(&format!("TLS: {e}")));
    }

    let expected = args.token.as_ref().map(|t| format!("Bearer {t}"));
    let check_token = move |req: Request<()>| -> Result<Request<()>, Status> {
        if let Some(want) = &expected {
            let got = req
                .metadata()
                .get("authorization")
                .and_then(|v| v.to_str().ok());
            if got != Some(want.as_str()) {
                return Err(Status::unauthenticated("missing or wrong token"));
            }
        }
        Ok(req)
    };
    let router = builder
        .layer(tonic::service::InterceptorLayer::new(check_token))
        .add_service(health);

    let result = if let Some(path) = args.listen.strip_prefix("unix:") {
        let _ = std::fs::remove_file(path);
        let listener = tokio::net::UnixListener::bind(path)
            .unwrap_or_else(|e| usage(&format!("bind {path}: {e}")));
        announce(&format!("unix:{path}"));
        router
            .serve_with_incoming(tokio_stream::wrappers::UnixListenerStream::new(listener))
            .await
    } else {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .unwrap_or_else(|e| usage(&format!("bind {}: {e}", args.listen)));
        let local = listener.local_addr().expect("local_addr");
        announce(&local.to_string());
        router
            .serve_with_incoming(TcpIncoming::from(listener).with_nodelay(Some(true)))
            .await
    };
    if let Err(e) = result {
        eprintln!("tonic-health-server: {e}");
        exit(1);
    }
}
