package accesslog

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/durandline/durand/server"
)

// Buffer batches log writes: the access log writes one line per
// request, and a write system call per line costs more than serving a
// cached tile. Lines are buffered (64 KiB) and flushed every interval, when
// the buffer fills, and by Close, so at most one interval of log output
// is ever held back (as nginx's access_log buffer= and flush= do).
type Buffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// NewBuffer returns a Buffer writing to w, flushed every interval until
// ctx ends or Close is called.
func NewBuffer(ctx context.Context, w io.Writer, interval time.Duration) *Buffer {
	b := &Buffer{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.Flush()
			case <-b.stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return b
}

// Write buffers p; safe for concurrent use.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is buffered.
func (b *Buffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the periodic flush and flushes what is left.
func (b *Buffer) Close() error {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
	return b.Flush()
}

// Handler is the slog handler of `durand serve`: a text or JSON
// slog handler for everything, plus server.AccessLogger, which writes the
// access-log line of a request straight into the log buffer. The line is
// byte for byte the one the slog handler would write for the same record
// (TestAccessHandlerMatchesSlog), without building a record, walking the
// caller's stack or formatting through slog's attribute machinery: that
// was most of the cost of serving a cached tile. Strings with characters
// beyond ASCII take slog's own path, so they come out alike.
type Handler struct {
	slog.Handler
	w    io.Writer
	json bool
	now  func() time.Time // time.Now; tests fix it
	bufs sync.Pool        // *[]byte line buffers
	// Byte classes of the strings in each format (newByteClasses).
	text, jsonc [256]uint8
}

// NewHandler returns the text (json false) or JSON handler of
// `durand serve`, writing to w, at level Info and above.
func NewHandler(w io.Writer, json bool) *Handler {
	h := &Handler{w: w, json: json, now: time.Now}
	h.text, h.jsonc = newByteClasses()
	if json {
		h.Handler = slog.NewJSONHandler(w, nil)
	} else {
		h.Handler = slog.NewTextHandler(w, nil)
	}
	h.bufs.New = func() any { b := make([]byte, 0, 512); return &b }
	return h
}

// LogAccess writes the access-log line of one request.
func (h *Handler) LogAccess(e server.AccessEntry) {
	bp := h.bufs.Get().(*[]byte)
	b, ok := h.appendAccess((*bp)[:0], e)
	if ok {
		h.w.Write(b)
	} else {
		h.slowAccess(e)
	}
	if cap(b) <= 4<<10 { // keep the buffer unless a huge line grew it
		*bp = b
		h.bufs.Put(bp)
	}
}

// appendAccess appends the line of e; ok is false when a string has a
// byte outside ASCII (left to slog).
func (h *Handler) appendAccess(b []byte, e server.AccessEntry) (_ []byte, ok bool) {
	t := h.now().Round(0)
	str := h.appendText
	if h.json {
		str = h.appendJSON
		b = append(b, `{"time":"`...)
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","level":"INFO","msg":"request","method":`...)
	} else {
		b = append(b, "time="...)
		b = appendRFC3339Millis(b, t)
		b = append(b, " level=INFO msg=request method="...)
	}
	ok = true
	sep := func(text, json string) {
		if h.json {
			b = append(b, json...)
		} else {
			b = append(b, text...)
		}
	}
	b, ok = str(b, e.Method, ok)
	sep(" path=", `,"path":`)
	b, ok = str(b, e.Path, ok)
	sep(" route=", `,"route":`)
	b, ok = str(b, e.Route, ok)
	sep(" status=", `,"status":`)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	sep(" bytes=", `,"bytes":`)
	b = strconv.AppendInt(b, int64(e.Bytes), 10)
	sep(" duration=", `,"duration":`)
	if h.json {
		b = strconv.AppendInt(b, int64(e.Duration), 10)
	} else {
		b = append(b, e.Duration.String()...)
	}
	sep(" remote=", `,"remote":`)
	b, ok = str(b, e.Remote, ok)
	sep(" user_agent=", `,"user_agent":`)
	b, ok = str(b, e.UserAgent, ok)
	sep("\n", "}\n")
	return b, ok
}

// slowAccess logs an entry through the slog handler.
func (h *Handler) slowAccess(e server.AccessEntry) {
	h.Handler.Handle(context.Background(), e.Record(h.now()))
}

// Byte classes of the access-log strings (Handler.class).
const (
	bytePlain    = iota // written as it is
	byteQuote           // text: the string is quoted; JSON: the byte is escaped
	byteNonASCII        // left to slog
)

// newByteClasses returns the class of every byte: printable ASCII is
// plain, except space, '=' and '"' (which make slog's text handler quote
// a string; a backslash does not) and '"' and '\\' (which JSON escapes).
func newByteClasses() (text, json [256]uint8) {
	for c := range 256 {
		switch {
		case c >= utf8.RuneSelf:
			text[c], json[c] = byteNonASCII, byteNonASCII
		case c < ' ':
			text[c], json[c] = byteQuote, byteQuote
		case c == ' ' || c == '=':
			text[c] = byteQuote
		case c == '"':
			text[c], json[c] = byteQuote, byteQuote
		case c == '\\':
			json[c] = byteQuote
		}
	}
	return text, json
}

// appendText appends an ASCII string as slog's text handler does: as it
// is, or quoted (strconv.Quote) when empty or holding a space, '=', '"'
// or a control character. ok becomes false on a byte beyond ASCII.
func (h *Handler) appendText(b []byte, s string, ok bool) ([]byte, bool) {
	quote := s == ""
	for i := 0; i < len(s); i++ {
		switch h.text[s[i]] {
		case byteQuote:
			quote = true
		case byteNonASCII:
			return b, false
		}
	}
	if quote {
		return strconv.AppendQuote(b, s), ok
	}
	return append(b, s...), ok
}

// appendJSON appends an ASCII string as a JSON string, escaped as slog's
// JSON handler escapes it. ok becomes false on a byte beyond ASCII.
func (h *Handler) appendJSON(b []byte, s string, ok bool) ([]byte, bool) {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch h.jsonc[c] {
		case bytePlain:
			continue
		case byteNonASCII:
			return b, false
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"'), ok
}

// appendRFC3339Millis appends t as slog's text handler writes times:
// RFC 3339 with exactly three decimals of seconds.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...) // drop the 4th decimal
}

// The access log of `durand serve` takes the fast path.
var _ server.AccessLogger = (*Handler)(nil)
