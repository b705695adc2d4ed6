package server

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"time"
)

// The work budget bounds the expensive work running at once: answers that
// cost far more than a cached one (the tiles of a day not yet served, a
// download built on first request, the HTML of a large page of items, a
// large page of items). A request for such work takes a slot for the time
// it computes (not while its answer is written to a slow client); when
// every slot stays taken for busyWait it gets 503 Service Unavailable
// with Retry-After, so that one client asking for a flood of expensive
// answers cannot take the CPU from everybody else. A request whose client
// has gone away while it waits gives up its place.

// DefaultBusyWait is how long a request waits for a slot of the work
// budget before it is refused with 503 (Config.BusyWait).
const DefaultBusyWait = 2 * time.Second

// retryAfterSeconds is the Retry-After of a 503 from a full budget.
const retryAfterSeconds = 2

// workBudget is a counting semaphore with a bounded wait.
type workBudget struct {
	slots chan struct{}
	wait  time.Duration
}

// newWorkBudget returns a budget of n slots (n <= 0: one per CPU but
// one, at least one: a CPU stays free for the cheap answers) whose waits
// last at most wait (0: DefaultBusyWait).
func newWorkBudget(n int, wait time.Duration) *workBudget {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)-1)
	}
	if wait <= 0 {
		wait = DefaultBusyWait
	}
	return &workBudget{slots: make(chan struct{}, n), wait: wait}
}

// errBusy is the answer when the budget stays full.
func errBusy(what string) *apiError {
	return &apiError{status: http.StatusServiceUnavailable, code: "ServiceUnavailable", retryAfter: retryAfterSeconds,
		description: fmt.Sprintf("the server is busy computing other answers (%s); retry in %d seconds", what, retryAfterSeconds)}
}

// acquire takes a slot, waiting at most the budget's wait and no longer
// than ctx lasts. It returns the function giving the slot back, or an
// error: errBusy, or ctx's error when the client has gone.
func (b *workBudget) acquire(ctx context.Context, what string) (func(), error) {
	select {
	case b.slots <- struct{}{}:
		return b.release, nil
	default:
	}
	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case b.slots <- struct{}{}:
		return b.release, nil
	case <-t.C:
		return nil, errBusy(what)
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", errClientGone, ctx.Err())
	}
}

// acquireWait takes a slot, waiting as long as ctx lasts: for work a
// request has already begun (a large answer being compressed).
func (b *workBudget) acquireWait(ctx context.Context) (func(), error) {
	select {
	case b.slots <- struct{}{}:
		return b.release, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", errClientGone, ctx.Err())
	}
}

func (b *workBudget) release() { <-b.slots }

// inUse is the number of slots taken (for tests and metrics).
func (b *workBudget) inUse() int { return len(b.slots) }

// errClientGone marks work abandoned because its client went away: the
// answer is never seen, so it is not logged as an internal error.
var errClientGone = &apiError{status: 499, code: "ClientClosedRequest", description: "the client closed the request"}
