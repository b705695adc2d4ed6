package server

import (
	"net/http"
	"time"
)

// DefaultWriteProgress is the write-progress timeout used when
// Config.WriteProgress is zero.
const DefaultWriteProgress = 15 * time.Second

// progress drops clients that stop reading: before each write of a
// response (written in pieces of at most gzipStreamBuffer bytes by
// respond) it moves the connection's write deadline to timeout from now,
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

func (p *progressWriter) Write(b []byte) (int, error) {
	if !p.off {
		if now := time.Now(); now.Sub(p.last) >= progressResolution {
			if err := p.rc.SetWriteDeadline(now.Add(p.timeout)); err != nil {
				p.off = true
			}
			p.last = now
		}
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and setRoute reach the writer.
func (p *progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
