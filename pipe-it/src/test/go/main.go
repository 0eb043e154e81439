//go:build windows

// go-peer serves on a Windows named pipe through go-winio's ListenPipe, as the Docker engine on
// Windows serves \\.\pipe\docker_engine: a server that nobody on pipekit wrote, for pipe-it's
// tests of PipeSocket with real HTTP and gRPC clients (io.pipekit.it.sockets, under Wine).
//
//	go-peer.exe -mode http|grpc -pipe NAME -ready FILE
//	go-peer.exe -mode grpc-client -pipe NAME -ready FILE
//
// NAME is a bare pipe name or a full \\.\pipe\ path. Once the pipe exists the peer writes
// "listening on <path> (<mode>, <Go version>)" and a line about go-winio's first instance (below)
// to FILE (whole, by a rename, so a reader never sees half of it) and to standard output; it then
// serves until its process is ended (the tests end it by its handle).
//
// go-winio's first instance is a placeholder that holds the name: it is created without read or
// write access, which Windows takes as "disconnected, no client may connect", and go-winio never
// serves it. Wine 10 creates it listening like any other instance and sends clients to the
// oldest listening instance first, so there the first client lands on the placeholder and waits
// forever (docs/testbed.md). The peer therefore opens one client of its own at once, before it
// accepts anything: on Windows the placeholder refuses it (ERROR_PIPE_BUSY) and the peer goes on;
// under Wine it takes it, and the peer keeps that handle open for its life.
//
// Mode http is Go's net/http server (HTTP/1.1, keep-alive) with these endpoints:
//
//	/hello    a small JSON reply naming the connection (numbered from 1 in accept order) and
//	          the request's number on it (every request counts): a client can see which
//	          connection served it
//	/chunked  ?chunks=N: N lines, each flushed on its own, so the reply is chunked (no Content-Length)
//	/big      ?size=N (default 10 MiB): N bytes, byte i being i mod 251, with their SHA-256 in
//	          the X-Body-Sha256 header and a Content-Length
//	/cut      declares a Content-Length of 1 MiB, sends 64 KiB of it, then closes the connection
//
// Mode grpc is grpc-go serving the gRPC interop TestService (google.golang.org/grpc/interop).
//
// Mode grpc-client is the other direction: grpc-go's client dials NAME through go-winio's
// DialPipeContext (one connection, :authority "localhost") and runs grpc-go's own interop cases
// (interop.Do...) against whatever serves the TestService there. It appends "passed CASE" to FILE
// after each case, "all passed" after the last, and exits 0; a failing case prints why (grpc-go's
// interop logger) and exits non-zero, so FILE says how far it got. Nothing waits on the server: a
// case that hangs is ended by the caller, which owns the process.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
)

const (
	defaultBigSize = 10 << 20
	cutDeclared    = 1 << 20
	cutSent        = 64 << 10
)

func main() {
	mode := flag.String("mode", "http", "http or grpc")
	pipe := flag.String("pipe", "", "the pipe's name, bare or as \\\\.\\pipe\\NAME")
	ready := flag.String("ready", "", "a file to write the ready line to")
	flag.Parse()
	if *pipe == "" || *ready == "" || (*mode != "http" && *mode != "grpc" && *mode != "grpc-client") {
		flag.Usage()
		os.Exit(2)
	}
	path := *pipe
	if !strings.HasPrefix(path, `\\`) {
		path = `\\.\pipe\` + path
	}
	if *mode == "grpc-client" {
		runInteropClient(path, *ready)
		return
	}

	// The pipe as dockerd (and containerd) listen on Windows: message mode, so that go-winio's
	// CloseWrite works, with 64 KiB buffers. The security descriptor is go-winio's default, this
	// user's, where dockerd names Administrators and SYSTEM.
	listener, err := winio.ListenPipe(path, &winio.PipeConfig{
		MessageMode:      true,
		InputBufferSize:  65536,
		OutputBufferSize: 65536,
	})
	if err != nil {
		log.Fatalf("go-peer: cannot listen on %s: %v", path, err)
	}
	placeholder := claimPlaceholder(path)
	lines := fmt.Sprintf("listening on %s (%s, %s)\n%s\n", path, *mode, runtime.Version(), placeholder)
	if err := writeWhole(*ready, lines); err != nil {
		log.Fatalf("go-peer: cannot write %s: %v", *ready, err)
	}
	fmt.Print(lines)

	switch *mode {
	case "http":
		err = serveHTTP(listener)
	case "grpc":
		server := grpc.NewServer()
		testgrpc.RegisterTestServiceServer(server, interop.NewTestServer())
		err = server.Serve(listener)
	}
	log.Fatalf("go-peer: serving ended: %v", err)
}

// heldPlaceholder is the client end that claimPlaceholder got, if any: a raw handle, never closed.
var heldPlaceholder windows.Handle

// claimPlaceholder opens a client on path before any instance but go-winio's first exists, and
// says what happened. A handle it got stays open until the process ends.
func claimPlaceholder(path string) string {
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		log.Fatalf("go-peer: %v", err)
	}
	heldPlaceholder, err = windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0)
	var code windows.Errno
	if errors.As(err, &code) {
		return fmt.Sprintf("first instance: refused a client (error %d: %v)", uint32(code), err)
	} else if err != nil {
		log.Fatalf("go-peer: opening a client on %s: %v", path, err)
	}
	return "first instance: took a client, which the peer holds"
}

// writeWhole writes text to a file beside path and renames it there: the reader sees all or nothing.
func writeWhole(path, text string) error {
	partial := path + ".partial"
	if err := os.WriteFile(partial, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(partial, path)
}

type connectionKey struct{}

// connection numbers one accepted connection and counts the requests it carried.
type connection struct {
	number   int64
	requests atomic.Int64
}

func serveHTTP(listener net.Listener) error {
	var accepted atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", hello)
	mux.HandleFunc("/chunked", chunked)
	mux.HandleFunc("/big", big)
	mux.HandleFunc("/cut", cut)
	countRequests := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Context().Value(connectionKey{}).(*connection).requests.Add(1)
		mux.ServeHTTP(w, r)
	})
	server := &http.Server{
		Handler: countRequests,
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, connectionKey{}, &connection{number: accepted.Add(1)})
		},
		// One line per connection's change of state: what a failing test shows of the server.
		ConnState: func(c net.Conn, state http.ConnState) {
			fmt.Printf("connection %p %s\n", c, state)
		},
	}
	return server.Serve(listener)
}

func hello(w http.ResponseWriter, r *http.Request) {
	c := r.Context().Value(connectionKey{}).(*connection)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"server":     "go-winio " + runtime.Version(),
		"connection": c.number,
		"request":    c.requests.Load(),
	})
}

func chunked(w http.ResponseWriter, r *http.Request) {
	chunks, err := strconv.Atoi(r.URL.Query().Get("chunks"))
	if err != nil || chunks < 1 {
		http.Error(w, "chunks=N, N at least 1", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	flusher := w.(http.Flusher)
	for i := 1; i <= chunks; i++ {
		if _, err := fmt.Fprintf(w, "chunk %d of %d\n", i, chunks); err != nil {
			return
		}
		// Each line leaves as a chunk of its own: with nothing buffered, net/http cannot
		// know the length, and HTTP/1.1 then frames the reply in chunks.
		flusher.Flush()
	}
}

var patterns sync.Map // size -> *pattern

type pattern struct {
	body   []byte
	digest string
}

// patternOf gives byte i = i mod 251 (a prime, so that a lost or repeated block shifts the
// pattern), made once per size.
func patternOf(size int) *pattern {
	if p, ok := patterns.Load(size); ok {
		return p.(*pattern)
	}
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(i % 251)
	}
	sum := sha256.Sum256(body)
	p, _ := patterns.LoadOrStore(size, &pattern{body: body, digest: hex.EncodeToString(sum[:])})
	return p.(*pattern)
}

func big(w http.ResponseWriter, r *http.Request) {
	size := defaultBigSize
	if s := r.URL.Query().Get("size"); s != "" {
		var err error
		if size, err = strconv.Atoi(s); err != nil || size < 0 || size > 64<<20 {
			http.Error(w, "size=N, N from 0 to 64 MiB", http.StatusBadRequest)
			return
		}
	}
	p := patternOf(size)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.Header().Set("X-Body-Sha256", p.digest)
	_, _ = w.Write(p.body)
}

// cut promises more than it sends, then closes the connection under the client's read.
func cut(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(cutDeclared))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(patternOf(cutSent).body)
	w.(http.Flusher).Flush()
	conn, buffered, err := http.NewResponseController(w).Hijack()
	if err != nil {
		log.Printf("go-peer: /cut cannot take the connection: %v", err)
		return
	}
	_ = buffered.Flush() // nothing should be left there after the Flush above; if anything is, it goes too
	_ = conn.Close()
}

// runInteropClient calls the TestService on path with grpc-go's interop cases, in the order of
// grpc/grpc's doc/interop-test-descriptions.md, recording each one passed in results.
func runInteropClient(path, results string) {
	conn, err := grpc.NewClient("passthrough:///"+path,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithAuthority("localhost"),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return winio.DialPipeContext(ctx, path)
		}))
	if err != nil {
		log.Fatalf("go-peer: cannot make a client for %s: %v", path, err)
	}
	defer conn.Close()
	out, err := os.OpenFile(results, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		log.Fatalf("go-peer: cannot write %s: %v", results, err)
	}
	defer out.Close()
	tc := testgrpc.NewTestServiceClient(conn)
	cases := []struct {
		name string
		run  func(ctx context.Context)
	}{
		{"empty_unary", func(ctx context.Context) { interop.DoEmptyUnaryCall(ctx, tc) }},
		{"large_unary", func(ctx context.Context) { interop.DoLargeUnaryCall(ctx, tc) }},
		{"client_streaming", func(ctx context.Context) { interop.DoClientStreaming(ctx, tc) }},
		{"server_streaming", func(ctx context.Context) { interop.DoServerStreaming(ctx, tc) }},
		{"ping_pong", func(ctx context.Context) { interop.DoPingPong(ctx, tc) }},
		{"empty_stream", func(ctx context.Context) { interop.DoEmptyStream(ctx, tc) }},
		{"cancel_after_begin", func(ctx context.Context) { interop.DoCancelAfterBegin(ctx, tc) }},
		{"cancel_after_first_response", func(ctx context.Context) { interop.DoCancelAfterFirstResponse(ctx, tc) }},
		{"timeout_on_sleeping_server", func(ctx context.Context) { interop.DoTimeoutOnSleepingServer(ctx, tc) }},
		{"custom_metadata", func(ctx context.Context) { interop.DoCustomMetadata(ctx, tc) }},
		{"status_code_and_message", func(ctx context.Context) { interop.DoStatusCodeAndMessage(ctx, tc) }},
		{"special_status_message", func(ctx context.Context) { interop.DoSpecialStatusMessage(ctx, tc) }},
		{"unimplemented_method", func(ctx context.Context) { interop.DoUnimplementedMethod(ctx, conn) }},
		{"unimplemented_service", func(ctx context.Context) {
			interop.DoUnimplementedService(ctx, testgrpc.NewUnimplementedServiceClient(conn))
		}},
	}
	for _, c := range cases {
		fmt.Printf("running %s\n", c.name)
		// A bound so that a lost reply fails the case rather than hanging it; it is no timing.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		c.run(ctx)
		cancel()
		if _, err := fmt.Fprintf(out, "passed %s\n", c.name); err != nil {
			log.Fatalf("go-peer: cannot write %s: %v", results, err)
		}
	}
	if _, err := fmt.Fprintln(out, "all passed"); err != nil {
		log.Fatalf("go-peer: cannot write %s: %v", results, err)
	}
}
