package coalesce

import (
	"io"
	"net"
	"sync"
	"time"
)

// See the package documentation.

const (
	// coalesceChunk is the size of net/http's connection write buffer:
	// a write of exactly this size is a full buffer being flushed.
	coalesceChunk = 4 << 10
	// coalesceMax bounds the bytes held: a larger response goes out in
	// pieces of this size.
	coalesceMax = 16 << 10
)

// listener wraps the TCP connections it accepts in conns.
type listener struct {
	net.Listener
	bufs *sync.Pool // of *[coalesceMax]byte
}

// NewListener wraps ln.
func NewListener(ln net.Listener) net.Listener {
	return listener{Listener: ln, bufs: &sync.Pool{New: func() any { return new([coalesceMax]byte) }}}
}

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return &conn{TCPConn: tc, bufs: l.bufs}, nil
	}
	return c, nil
}

// conn is a TCP connection that holds full-buffer writes (see the
// top of this file). Safe for concurrent use, as net.Conn must be
// (net/http reads in the background while a handler writes).
type conn struct {
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
func (c *conn) Write(p []byte) (int, error) {
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
func (c *conn) flush() error {
	if c.held == 0 {
		return nil
	}
	_, err := c.TCPConn.Write(c.buf[:c.held])
	c.release()
	return err
}

// release returns the buffer to the pool; c.mu is held.
func (c *conn) release() {
	c.vec, c.out = [2][]byte{}, nil
	c.held = 0
	c.bufs.Put(c.buf)
	c.buf = nil
}

// flushLocked sends the held bytes under c.mu.
func (c *conn) flushLocked() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flush()
}

func (c *conn) Read(p []byte) (int, error) {
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.TCPConn.Read(p)
}

func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.TCPConn.ReadFrom(r)
}

func (c *conn) SetDeadline(t time.Time) error {
	c.flushLocked() // an error shows in the next read or write
	return c.TCPConn.SetDeadline(t)
}

func (c *conn) SetReadDeadline(t time.Time) error {
	c.flushLocked()
	return c.TCPConn.SetReadDeadline(t)
}

func (c *conn) SetWriteDeadline(t time.Time) error {
	c.flushLocked()
	return c.TCPConn.SetWriteDeadline(t)
}

func (c *conn) CloseWrite() error {
	c.flushLocked()
	return c.TCPConn.CloseWrite()
}

// Close sends the held bytes and closes the connection; but it never
// waits for a write in progress: a write blocked on a client that reads
// nothing holds c.mu until its deadline, and a server shutting down must
// be able to close such a connection at once (closing it ends the write).
// The write in progress sends the held bytes itself, if it can.
func (c *conn) Close() error {
	if c.mu.TryLock() {
		c.flush()
		c.mu.Unlock()
	}
	return c.TCPConn.Close()
}
