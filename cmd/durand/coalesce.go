package main

import (
	"io"
	"net"
	"sync"
	"time"
)

// Write coalescing for `durand serve`.
//
// net/http writes a response through a 4 KiB buffer: a response larger
// than that (most gzip-coded vector tiles, with their headers) leaves in
// two or more write system calls, the first exactly 4 KiB, each its own
// TCP segment that wakes the client. nginx sends header and file in one
// push (tcp_nopush). A coalescing connection holds a write of exactly
// net/http's buffer size (a full buffer, so more of the same response
// follows) and sends it together with the next write in one writev: a
// response of up to coalesceMax bytes plus its tail leaves in one system
// call. Held bytes are sent before anything else happens on the
// connection: the next write, any deadline change (net/http clears the
// write deadline right after every response), a read, ReadFrom, CloseWrite
// and Close. So nothing is held beyond the response that wrote it, and
// nothing is reordered.

const (
	// coalesceChunk is the size of net/http's connection write buffer:
	// a write of exactly this size is a full buffer being flushed.
	coalesceChunk = 4 << 10
	// coalesceMax bounds the bytes held: a larger response goes out in
	// pieces of this size.
	coalesceMax = 16 << 10
)

// coalesceListener wraps the TCP connections it accepts in coalesceConns.
type coalesceListener struct {
	net.Listener
	bufs *sync.Pool // of *[coalesceMax]byte
}

// newCoalesceListener wraps ln.
func newCoalesceListener(ln net.Listener) net.Listener {
	return coalesceListener{Listener: ln, bufs: &sync.Pool{New: func() any { return new([coalesceMax]byte) }}}
}

func (l coalesceListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return &coalesceConn{TCPConn: tc, bufs: l.bufs}, nil
	}
	return c, nil
}

// coalesceConn is a TCP connection that holds full-buffer writes (see the
// top of this file). Safe for concurrent use, as net.Conn must be
// (net/http reads in the background while a handler writes).
type coalesceConn struct {
	*net.TCPConn
	bufs *sync.Pool
	mu   sync.Mutex
	buf  *[coalesceMax]byte // the held bytes, buf[:held]; nil when none
	held int
	// vec and out are the writev of the held bytes and the next write,
	// kept here so that writing them allocates nothing.
	vec [2][]byte
	out net.Buffers
}

// Write holds p when it is a full net/http buffer and there is room for
// it, else sends what is held and p in one system call.
func (c *coalesceConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p) == coalesceChunk && c.held+len(p) <= coalesceMax {
		if c.buf == nil {
			c.buf = c.bufs.Get().(*[coalesceMax]byte)
		}
		c.held += copy(c.buf[c.held:], p)
		return len(p), nil
	}
	if c.held == 0 {
		return c.TCPConn.Write(p)
	}
	c.vec = [2][]byte{c.buf[:c.held], p}
	c.out = c.vec[:]
	n, err := c.out.WriteTo(c.TCPConn)
	held := c.held
	c.release()
	if n < int64(held) {
		return 0, err
	}
	return int(n - int64(held)), err
}

// flush sends the held bytes; c.mu is held.
func (c *coalesceConn) flush() error {
	if c.held == 0 {
		return nil
	}
	_, err := c.TCPConn.Write(c.buf[:c.held])
	c.release()
	return err
}

// release returns the buffer to the pool; c.mu is held.
func (c *coalesceConn) release() {
	c.vec, c.out = [2][]byte{}, nil
	c.held = 0
	c.bufs.Put(c.buf)
	c.buf = nil
}

// flushLocked sends the held bytes under c.mu.
func (c *coalesceConn) flushLocked() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flush()
}

func (c *coalesceConn) Read(p []byte) (int, error) {
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.TCPConn.Read(p)
}

func (c *coalesceConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.TCPConn.ReadFrom(r)
}

func (c *coalesceConn) SetDeadline(t time.Time) error {
	c.flushLocked() // an error shows in the next read or write
	return c.TCPConn.SetDeadline(t)
}

func (c *coalesceConn) SetReadDeadline(t time.Time) error {
	c.flushLocked()
	return c.TCPConn.SetReadDeadline(t)
}

func (c *coalesceConn) SetWriteDeadline(t time.Time) error {
	c.flushLocked()
	return c.TCPConn.SetWriteDeadline(t)
}

func (c *coalesceConn) CloseWrite() error {
	c.flushLocked()
	return c.TCPConn.CloseWrite()
}

func (c *coalesceConn) Close() error {
	c.flushLocked()
	return c.TCPConn.Close()
}
