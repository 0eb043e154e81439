// One HTTP server process listening on a Unix domain socket and on TCP loopback at once, with one
// handler: the peer of bench/java/HttpRequests.java, which measures the same HTTP client over
// pipekit's PipeSocketFactory on the socket beside a plain TCP socket, so that only the transport
// differs. Go's net/http is what the Docker engine serves its API with.
//
//	http_both SOCKET_PATH    prints "listening on unix=SOCKET_PATH tcp=127.0.0.1:PORT" when both are served
//
// Every request gets a 2-byte "ok" with a Content-Length: keep-alive, no chunking. Standard library
// only; build with `go build -o http_both bench/go/http_both.go`.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: http_both SOCKET_PATH")
	}
	os.Remove(os.Args[1])
	unix, err := net.Listen("unix", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "2")
		w.Write([]byte("ok"))
	})}
	errs := make(chan error, 2)
	go func() { errs <- server.Serve(unix) }()
	go func() { errs <- server.Serve(tcp) }()
	fmt.Printf("listening on unix=%s tcp=%s\n", os.Args[1], tcp.Addr())
	log.Fatal(<-errs)
}
