package main

import (
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// The connection cap of `durand serve` (--max-conns).
//
// Every open connection costs a file descriptor and some memory; without a
// cap, clients that open connections and leave them idle (a keep-alive
// pool, or a hostile script) exhaust the descriptors, after which nobody
// is answered. With the cap, a connection accepted beyond it makes room by
// closing the connection that has waited longest without a request in
// progress (idle between requests, or new and silent): clients that hold
// idle connections lose the oldest (HTTP clients reconnect when an idle
// connection closes), while a client with a request to make is answered.
// Only when every connection is answering a request does a new one wait
// for a slot (in the listen backlog, as the kernel holds it).

// Bounds of the default --max-conns.
const (
	// connFDReserve are the descriptors kept for everything else: the
	// data files, the database pool, logs, the listener.
	connFDReserve = 256
	// maxConnsCap bounds the default however high the fd limit is: the
	// memory of a connection (buffers, a goroutine) adds up.
	maxConnsCap = 10000
	minConns    = 64
)

// defaultMaxConns is the connection cap from the process's file
// descriptor limit: the limit minus connFDReserve, within minConns and
// maxConnsCap. (Go raises the soft limit to the hard one at start-up.)
func defaultMaxConns() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 1024
	}
	n := int64(min(rl.Cur, uint64(1<<31))) - connFDReserve
	return int(max(minConns, min(maxConnsCap, n)))
}

// connLimiter tracks the open connections of an http.Server (through its
// ConnState hook) and admits accepted ones within max.
type connLimiter struct {
	max   int
	mu    sync.Mutex
	freed *sync.Cond // signalled when a connection closes
	conns map[net.Conn]*connInfo
	// evicted counts the connections closed to make room.
	evicted int64
	closed  bool // the listener is closed: admit waits no more
}

type connInfo struct {
	state http.ConnState
	since time.Time
}

func newConnLimiter(max int) *connLimiter {
	l := &connLimiter{max: max, conns: map[net.Conn]*connInfo{}}
	l.freed = sync.NewCond(&l.mu)
	return l
}

// connState is the http.Server ConnState hook.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateClosed, http.StateHijacked:
		if _, ok := l.conns[c]; ok {
			delete(l.conns, c)
			l.freed.Signal()
		}
	default:
		if ci := l.conns[c]; ci != nil {
			ci.state, ci.since = s, time.Now()
		} else if s == http.StateNew {
			l.conns[c] = &connInfo{state: s, since: time.Now()}
		}
	}
}

// admit returns once there is room for one more connection: at once below
// the cap, else after closing the connection longest without a request
// (idle, or new and silent), else when a connection closes. A connection
// closed here leaves the count at once (its Closed state is then ignored).
func (l *connLimiter) admit() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.conns) >= l.max && !l.closed {
		var oldest net.Conn
		var at time.Time
		for c, ci := range l.conns {
			if (ci.state == http.StateIdle || ci.state == http.StateNew) && (oldest == nil || ci.since.Before(at)) {
				oldest, at = c, ci.since
			}
		}
		if oldest == nil {
			l.freed.Wait()
			continue
		}
		delete(l.conns, oldest)
		l.evicted++
		go oldest.Close() // Close may block on a write in progress; the count is already down
	}
}

// limitListener admits each accepted connection through a connLimiter.
type limitListener struct {
	net.Listener
	l *connLimiter
}

func (ln limitListener) Accept() (net.Conn, error) {
	c, err := ln.Listener.Accept()
	if err != nil {
		return nil, err
	}
	ln.l.admit()
	return c, nil
}

// Close closes the listener and ends a wait in admit.
func (ln limitListener) Close() error {
	ln.l.mu.Lock()
	ln.l.closed = true
	ln.l.freed.Broadcast()
	ln.l.mu.Unlock()
	return ln.Listener.Close()
}
