// A reference gRPC health client (grpc-go's health client, what
// grpc-health-probe is built on), for healthprobe's benchmark.
//
//	go-health-client -addr HOST:PORT|unix:/path [-tls -ca FILE] [-service NAME]
//
// Dials, calls grpc.health.v1.Health/Check with a 2 s deadline for the whole
// thing, prints the status, exits 0 if SERVING and 1 otherwise.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	addr := flag.String("addr", "", "HOST:PORT or unix:/path")
	useTLS := flag.Bool("tls", false, "use TLS")
	ca := flag.String("ca", "", "CA certificate (PEM) to trust with -tls")
	service := flag.String("service", "", "service name to check")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	opt := grpc.WithInsecure()
	if *useTLS {
		creds, err := credentials.NewClientTLSFromFile(*ca, "")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		opt = grpc.WithTransportCredentials(creds)
	}
	conn, err := grpc.DialContext(ctx, *addr, opt, grpc.WithBlock())
	if err != nil {
		fmt.Println("error: dial:", err)
		os.Exit(1)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: *service})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("status:", resp.GetStatus())
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		os.Exit(1)
	}
}
