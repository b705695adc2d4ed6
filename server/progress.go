package server

import (
	"net/http"
	"time"
)

// DefaultWriteProgress is the write-progress timeout used when
// Config.WriteProgress is zero.
const DefaultWriteProgress = 15 * time.Second

// progress drops clients that stop reading: before each write of a
// response (in pieces of at most progressPiece bytes) it moves the
// connection's write deadline to timeout from now,
// so that a write blocked for longer (the client's window closed: it
// reads nothing) fails and net/http closes the connection. A client that
// keeps reading, however slowly, keeps its connection for as long as its
// answer takes, within the server's own WriteTimeout if it has one. To
// keep it cheap the deadline is moved at most once every
// progressResolution, so a stalled write fails after timeout minus at
// most that. Writers that cannot set deadlines (tests' recorders) are
// left as they are.
func (s *server) progress(next http.Handler) http.Handler {
	if s.writeProgress < 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&progressWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: s.writeProgress}, r)
	})
}

// progressResolution is how often at most the deadline is moved.
const progressResolution = time.Second

type progressWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	last    time.Time
	off     bool // deadlines are not supported
}

// progressPiece is the most written between two looks at the deadline:
// net/http's connection buffer, so that a client reading 1 KiB a second
// still makes progress within a timeout of a few seconds.
const progressPiece = 4 << 10

func (p *progressWriter) Write(b []byte) (int, error) {
	if p.off {
		return p.ResponseWriter.Write(b)
	}
	written := 0
	for len(b) > 0 {
		if now := time.Now(); now.Sub(p.last) >= progressResolution {
			if err := p.rc.SetWriteDeadline(now.Add(p.timeout)); err != nil {
				p.off = true
				n, err := p.ResponseWriter.Write(b)
				return written + n, err
			}
			p.last = now
		}
		piece := b[:min(len(b), progressPiece)]
		n, err := p.ResponseWriter.Write(piece)
		written += n
		if err != nil {
			return written, err
		}
		b = b[n:]
	}
	return written, nil
}

// Unwrap lets http.ResponseController and setRoute reach the writer.
func (p *progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
