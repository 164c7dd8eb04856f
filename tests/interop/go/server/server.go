// A gRPC health server (grpc-go's google.golang.org/grpc/health) for
// healthprobe's interop tests. Built by .ci/interop from Debian's golang-go
// and golang-google-grpc-dev in GOPATH mode.
//
//	go-health-server --listen ADDR [--tls CERT_PEM KEY_PEM] [--require-token TOKEN]
//
// ADDR is 127.0.0.1:PORT (port 0 = any free port) or unix:/abs/path.sock.
// Statuses: "" and "orders.v1.Orders" SERVING, "billing.v1.Billing"
// NOT_SERVING, anything else NOT_FOUND (grpc-go's own answer). Prints exactly
// one line to stdout when ready (`listening on ...`).
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func usage(msg string) {
	fmt.Fprintf(os.Stderr, "go-health-server: %s\nusage: go-health-server --listen ADDR [--tls CERT_PEM KEY_PEM] [--require-token TOKEN]\n", msg)
	os.Exit(2)
}

func main() {
	var listen, cert, key, token string
	var haveTLS, haveToken bool
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		need := func(n int) {
			if i+n >= len(args) {
				usage(fmt.Sprintf("%s needs %d value(s)", args[i], n))
			}
		}
		switch args[i] {
		case "--listen", "-listen":
			need(1)
			listen = args[i+1]
			i++
		case "--tls", "-tls":
			need(2)
			cert, key, haveTLS = args[i+1], args[i+2], true
			i += 2
		case "--require-token", "-require-token":
			need(1)
			token, haveToken = args[i+1], true
			i++
		default:
			usage(fmt.Sprintf("unknown argument %q", args[i]))
		}
	}
	if listen == "" {
		usage("--listen is required")
	}

	var opts []grpc.ServerOption
	if haveTLS {
		creds, err := credentials.NewServerTLSFromFile(cert, key)
		if err != nil {
			usage(fmt.Sprintf("TLS: %v", err))
		}
		opts = append(opts, grpc.Creds(creds))
	}
	if haveToken {
		want := "Bearer " + token
		check := func(ctx context.Context) error {
			md, _ := metadata.FromIncomingContext(ctx)
			if got := md.Get("authorization"); len(got) != 1 || got[0] != want {
				return status.Error(codes.Unauthenticated, "missing or wrong token")
			}
			return nil
		}
		opts = append(opts,
			grpc.UnaryInterceptor(func(ctx context.Context, req interface{}, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (interface{}, error) {
				if err := check(ctx); err != nil {
					return nil, err
				}
				return h(ctx, req)
			}),
			grpc.StreamInterceptor(func(srv interface{}, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
				if err := check(ss.Context()); err != nil {
					return err
				}
				return h(srv, ss)
			}))
	}

	network, addr := "tcp", listen
	if strings.HasPrefix(listen, "unix:") {
		network, addr = "unix", strings.TrimPrefix(listen, "unix:")
		_ = os.Remove(addr)
	}
	lis, err := net.Listen(network, addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-health-server: %v\n", err)
		os.Exit(1)
	}

	srv := grpc.NewServer(opts...)
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("orders.v1.Orders", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("billing.v1.Billing", healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(srv, hs)

	if network == "unix" {
		fmt.Printf("listening on unix:%s\n", addr)
	} else {
		fmt.Printf("listening on %s\n", lis.Addr().String())
	}
	os.Stdout.Sync()
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintf(os.Stderr, "go-health-server: %v\n", err)
		os.Exit(1)
	}
}
