package coalesce

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// coalescePair returns both ends of a loopback TCP connection, the server
// end a conn.
func coalescePair(t *testing.T) (*conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cl := NewListener(ln)
	type accepted struct {
		c   net.Conn
		err error
	}
	ch := make(chan accepted, 1)
	go func() { c, err := cl.Accept(); ch <- accepted{c, err} }()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a := <-ch
	if a.err != nil {
		t.Fatal(a.err)
	}
	server, ok := a.c.(*conn)
	if !ok {
		t.Fatalf("accepted a %T", a.c)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// TestCoalesceConn: full-buffer writes are held and leave with what
// follows, every trigger sends what is held, and the stream arrives
// whole and in order.
func TestCoalesceConn(t *testing.T) {
	chunk := func(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
	tests := []struct {
		name    string
		writes  []int               // sizes written in turn
		heldNow int                 // bytes held after the writes
		trigger func(c *conn) error // then, when set (nothing held after)
	}{
		{"small write goes at once", []int{100}, 0, nil},
		{"full buffer held", []int{coalesceChunk}, coalesceChunk, nil},
		{"held with the tail", []int{coalesceChunk, 1300}, 0, nil},
		{"up to the bound", []int{coalesceChunk, coalesceChunk, coalesceChunk, coalesceChunk}, coalesceMax, nil},
		{"beyond the bound", []int{coalesceChunk, coalesceChunk, coalesceChunk, coalesceChunk, coalesceChunk}, 0, nil},
		{"large write with held", []int{coalesceChunk, 100 << 10}, 0, nil},
		{"write deadline", []int{coalesceChunk}, coalesceChunk, func(c *conn) error { return c.SetWriteDeadline(time.Time{}) }},
		{"read deadline", []int{coalesceChunk}, coalesceChunk, func(c *conn) error { return c.SetReadDeadline(time.Time{}) }},
		{"deadline", []int{coalesceChunk}, coalesceChunk, func(c *conn) error { return c.SetDeadline(time.Time{}) }},
		{"read from", []int{coalesceChunk}, coalesceChunk, func(c *conn) error {
			_, err := c.ReadFrom(bytes.NewReader([]byte("end")))
			return err
		}},
		{"close write", []int{coalesceChunk}, coalesceChunk, func(c *conn) error { return c.CloseWrite() }},
		{"close", []int{coalesceChunk, coalesceChunk}, 2 * coalesceChunk, func(c *conn) error { return c.Close() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server, client := coalescePair(t)
			var want []byte
			for i, n := range tc.writes {
				p := chunk(byte('a'+i), n)
				if got, err := server.Write(p); got != n || err != nil {
					t.Fatalf("write %d: %d, %v", i, got, err)
				}
				want = append(want, p...)
			}
			if server.held != tc.heldNow {
				t.Fatalf("held %d bytes, want %d", server.held, tc.heldNow)
			}
			if tc.trigger == nil {
				server.SetWriteDeadline(time.Time{})
			} else {
				if err := tc.trigger(server); err != nil {
					t.Fatal(err)
				}
				if tc.name == "read from" {
					want = append(want, "end"...)
				}
			}
			if server.held != 0 || server.buf != nil {
				t.Fatalf("%d bytes still held", server.held)
			}
			client.SetReadDeadline(time.Now().Add(10 * time.Second))
			got := make([]byte, len(want))
			if _, err := io.ReadFull(client, got); err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the bytes arrived changed or out of order")
			}
		})
	}
}

// TestCoalesceConnRead: a read sends what is held first (a protocol that
// writes, then waits for the answer, is not stalled).
func TestCoalesceConnRead(t *testing.T) {
	server, client := coalescePair(t)
	server.Write(bytes.Repeat([]byte{'q'}, coalesceChunk))
	go func() {
		b := make([]byte, coalesceChunk)
		if _, err := io.ReadFull(client, b); err == nil {
			client.Write([]byte("ok"))
		}
	}()
	server.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 2)
	if _, err := io.ReadFull(server, b); err != nil || string(b) != "ok" {
		t.Fatalf("%q, %v", b, err)
	}
}

// TestCoalesceHTTP: net/http over a coalescing listener answers every
// response size whole, with keep-alive, HEAD and Connection: close,
// including responses of exactly one and several write buffers.
func TestCoalesceHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 0 || n > len(body) {
			http.Error(w, "bad n", http.StatusBadRequest)
			return
		}
		if r.URL.Query().Get("close") != "" {
			w.Header().Set("Connection", "close")
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		if r.URL.Query().Get("pieces") != "" { // small writes: net/http's buffers fill and flush
			for i := 0; i < n; i += 1000 {
				w.Write(body[i:min(n, i+1000)])
			}
			return
		}
		w.Write(body[:n])
	}), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 10 * time.Second}
	go srv.Serve(NewListener(ln))
	t.Cleanup(func() { srv.Close() })
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections)
	base := "http://" + ln.Addr().String() + "/?n="
	var sizes []int
	for n := 3400; n <= 4500; n++ { // every way the headers and body can fill one 4 KiB buffer
		sizes = append(sizes, n)
	}
	dense := len(sizes) // every size with GET, the others with HEAD and close too
	for n := 7600; n <= 8400; n += 7 {
		sizes = append(sizes, n)
	}
	for n := 15800; n <= 16800; n += 11 {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 0, 1, 100, 20000, 40000, len(body))
	for i, n := range sizes {
		queries, methods := []string{"", "&pieces=1", "&close=1"}, []string{"GET", "HEAD"}
		if i < dense {
			queries, methods = queries[:2], methods[:1]
		}
		for _, q := range queries {
			for _, method := range methods {
				req, _ := http.NewRequest(method, base+strconv.Itoa(n)+q, nil)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s n=%d%s: %v", method, n, q, err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := body[:n]
				if method == "HEAD" {
					want = nil
				}
				if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, want) {
					t.Fatalf("%s n=%d%s: %d, %d bytes, %v", method, n, q, resp.StatusCode, len(got), err)
				}
			}
		}
	}
}

// BenchmarkCoalesceWrite is the cost the wrapper adds to a response
// written as net/http writes one of 5 KiB (a full buffer, then the rest),
// beside the plain connection: a local sink reads everything.
func BenchmarkCoalesceWrite(b *testing.B) {
	for _, wrap := range []bool{false, true} {
		b.Run(fmt.Sprintf("coalesce=%v", wrap), func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			var l net.Listener = ln
			if wrap {
				l = NewListener(ln)
			}
			go func() {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					return
				}
				io.Copy(io.Discard, c)
			}()
			c, err := l.Accept()
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			full, tail := make([]byte, coalesceChunk), make([]byte, 1200)
			b.SetBytes(int64(len(full) + len(tail)))
			for b.Loop() {
				c.Write(full)
				c.Write(tail)
				c.SetWriteDeadline(time.Time{})
			}
		})
	}
}

// TestCloseDuringBlockedWrite: a write blocked on a client that reads
// nothing holds the connection's lock; Close returns at once anyway and
// ends the write with an error (a shutdown must not wait for the write
// deadline).
func TestCloseDuringBlockedWrite(t *testing.T) {
	server, _ := coalescePair(t) // the client never reads
	werr := make(chan error, 1)
	go func() {
		big := bytes.Repeat([]byte("x"), 1<<20)
		for {
			if _, err := server.Write(big); err != nil {
				werr <- err
				return
			}
		}
	}()
	// Wait until the write blocks: the socket buffers are full.
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-werr:
		t.Fatalf("the write ended before Close: %v", err)
	default:
	}
	closed := make(chan error, 1)
	t0 := time.Now()
	go func() { closed <- server.Close() }()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("Close waited for the blocked write")
	}
	select {
	case err := <-werr:
		if err == nil {
			t.Error("the blocked write returned no error")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the blocked write did not end at Close")
	}
	t.Logf("Close returned after %v", time.Since(t0).Round(time.Millisecond))
}
