// Package coalesce wraps a TCP listener so that an HTTP response larger
// than net/http's 4 KiB write buffer leaves in one system call (writev)
// rather than two, as `durand serve` does:
//
//	srv.Serve(coalesce.NewListener(ln))
//
// net/http writes a response through a 4 KiB buffer: a response larger
// than that (most gzip-coded vector tiles, with their headers) leaves in
// two or more write system calls, the first exactly 4 KiB, each its own
// TCP segment that wakes the client. nginx sends header and file in one
// push (tcp_nopush). A coalescing connection holds a write of exactly
// net/http's buffer size (a full buffer, so more of the same response
// follows) and sends it together with the next write in one writev: a
// response of up to 16 KiB plus its tail leaves in one system call. Held
// bytes are sent before anything else happens on the connection: the next
// write, any deadline change (net/http clears the write deadline right
// after every response), a read, ReadFrom, CloseWrite and Close. So
// nothing is held beyond the response that wrote it, and nothing is
// reordered.
//
// Units: sizes in bytes.
package coalesce
