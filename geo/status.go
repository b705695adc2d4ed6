package geo

import (
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"time"
)

// FileCrossingStatus is the optional CSV of crossing status periods read by
// Load (columns crossing_id, status, from, to, note, source_publisher,
// source_url, source_date; see data/SCHEMA.md).
const FileCrossingStatus = "crossing-status.csv"

// Status is the state of a border crossing.
type Status string

// Crossing states. Restricted states let some traffic through.
const (
	StatusOpen            Status = "open"
	StatusClosed          Status = "closed"
	StatusRefugeesOnly    Status = "refugees_only"    // only refugees or deportees going home
	StatusTradeOnly       Status = "trade_only"       // only freight
	StatusPedestriansOnly Status = "pedestrians_only" // only people on foot
	// StatusUnknown is returned for a day no status period covers, and is
	// what a period says when the facts do not establish the status.
	StatusUnknown Status = "unknown"
)

// Restricted reports whether the crossing is closed or open only to some
// traffic.
func (s Status) Restricted() bool {
	switch s {
	case StatusClosed, StatusRefugeesOnly, StatusTradeOnly, StatusPedestriansOnly:
		return true
	}
	return false
}

func (s Status) valid() bool {
	switch s {
	case StatusOpen, StatusClosed, StatusRefugeesOnly, StatusTradeOnly, StatusPedestriansOnly, StatusUnknown:
		return true
	}
	return false
}

// StatusPeriod is a span of days during which a crossing had one status,
// as a source reports it.
type StatusPeriod struct {
	CrossingID string `json:"crossing_id"`
	Status     Status `json:"status"`
	// From is the first day, zero when the status held since before the
	// record; To is the last day (inclusive), zero when no end is known.
	// Partial dates are widened: a From of 2025-08 is 1 Aug 2025, a To of
	// 2025-08 is 31 Aug 2025 (see the package's time conventions).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// FromText and ToText are the dates as written ("2025-10-11",
	// "2025-08", "2007" or "").
	FromText      string        `json:"from_text"`
	ToText        string        `json:"to_text"`
	FromPrecision DatePrecision `json:"from_precision,omitempty"`
	Note          string        `json:"note"`
	Source        Source        `json:"source"`
	// Name is the crossing's name as the table gives it (crossing_name),
	// for passes that are not in the crossings layer.
	Name string `json:"-"`

	row int // order in the file, to break ties
}

// Covers reports whether the period holds on the day of t.
func (p *StatusPeriod) Covers(t time.Time) bool { return dayIn(Day(t), p.From, p.To) }

func readStatus(fsys fs.FS) ([]*StatusPeriod, error) {
	f, err := openOptional(fsys, FileCrossingStatus)
	if f == nil {
		return nil, err
	}
	defer f.Close()
	return parseStatus(f)
}

var statusColumns = []string{"crossing_id", "status", "from", "to", "note", "source_publisher", "source_url", "source_date"}

func parseStatus(r io.Reader) ([]*StatusPeriod, error) {
	rows, err := readTable(r, statusColumns)
	if err != nil {
		return nil, &DataError{File: FileCrossingStatus, Err: err}
	}
	out := make([]*StatusPeriod, 0, len(rows))
	for i, row := range rows {
		bad := func(format string, a ...any) error {
			return &DataError{File: FileCrossingStatus, Err: fmt.Errorf("row %d: %s", i+2, fmt.Sprintf(format, a...))}
		}
		p := &StatusPeriod{
			CrossingID: row["crossing_id"], Status: Status(row["status"]),
			FromText: row["from"], ToText: row["to"], Note: row["note"],
			Source: Source{Publisher: row["source_publisher"], URL: row["source_url"], Date: row["source_date"]},
			Name:   row["crossing_name"], // optional column
			row:    i,
		}
		if p.CrossingID == "" {
			return nil, bad("empty crossing_id")
		}
		if !p.Status.valid() {
			return nil, bad("status %q: want open, closed, refugees_only, trade_only, pedestrians_only or unknown", p.Status)
		}
		if p.FromText != "" {
			if p.From, p.FromPrecision, err = parseDate(p.FromText, false); err != nil {
				return nil, bad("from: %v", err)
			}
		}
		if p.ToText != "" {
			if p.To, _, err = parseDate(p.ToText, true); err != nil {
				return nil, bad("to: %v", err)
			}
		}
		if !p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From) {
			return nil, bad("to %s is before from %s", p.ToText, p.FromText)
		}
		if p.Source.Publisher == "" || p.Source.URL == "" {
			return nil, bad("no source")
		}
		out = append(out, p)
	}
	return out, nil
}

// readTable reads a CSV with a header holding at least the given columns
// and returns its rows keyed by column name.
func readTable(r io.Reader, cols []string) ([]map[string]string, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	for _, c := range cols {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("missing column %q", c)
		}
	}
	var out []map[string]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		row := make(map[string]string, len(header))
		for name, i := range idx {
			row[name] = rec[i]
		}
		out = append(out, row)
	}
}

// resolveCrossing returns the id of the crossing q names: a crossing of the
// atlas (id, name or alternative name), or an id of the status table.
func (a *Atlas) resolveCrossing(q string) (string, error) {
	if c, err := a.Crossing(q); err == nil {
		return c.ID, nil
	}
	if _, ok := a.crisis.status[q]; ok {
		return q, nil
	}
	return "", fmt.Errorf("%w: no crossing %q", ErrNotFound, q)
}

// statusAt returns the period in force on day d: among the periods that
// cover d, the one that started last (a change on that day wins over the
// period it ends); nil when none covers d.
func statusAt(ps []*StatusPeriod, d time.Time) *StatusPeriod {
	var best *StatusPeriod
	for _, p := range ps {
		if !dayIn(d, p.From, p.To) {
			continue
		}
		if best == nil || p.From.After(best.From) || (p.From.Equal(best.From) && p.row > best.row) {
			best = p
		}
	}
	return best
}

// CrossingStatus returns the status of a crossing (id, name or alternative
// name) on the day of t: that of the status period in force, where a period
// starting later wins over one it overlaps, or StatusUnknown when no period
// covers the day. Errors: a *TimeError for the zero time, ErrNotFound for a
// crossing that neither the atlas nor the status table knows.
func (a *Atlas) CrossingStatus(id string, t time.Time) (Status, error) {
	d, err := checkTime(t)
	if err != nil {
		return "", err
	}
	cid, err := a.resolveCrossing(id)
	if err != nil {
		return "", err
	}
	if p := statusAt(a.crisis.status[cid], d); p != nil {
		return p.Status, nil
	}
	return StatusUnknown, nil
}

// StatusHistory returns the status periods of a crossing in the order of
// their start (periods with no known start first). The periods are shared
// and must not be modified.
func (a *Atlas) StatusHistory(id string) ([]*StatusPeriod, error) {
	cid, err := a.resolveCrossing(id)
	if err != nil {
		return nil, err
	}
	return slices.Clone(a.crisis.status[cid]), nil
}

// CrossingStates returns the state of every crossing of the atlas on the
// day of t, in border order, followed by the crossings known only to the
// status table.
func (a *Atlas) CrossingStates(t time.Time) ([]CrossingState, error) {
	d, err := checkTime(t)
	if err != nil {
		return nil, err
	}
	return a.crossingStates(d), nil
}

func (a *Atlas) crossingStates(d time.Time) []CrossingState {
	out := make([]CrossingState, 0, len(a.crossings)+2)
	seen := map[string]bool{}
	start := a.crisisStart()
	add := func(id, name string) {
		st := CrossingState{ID: id, Name: name, Status: StatusUnknown}
		if p := statusAt(a.crisis.status[id], d); p != nil {
			st.Status, st.Period = p.Status, p
			st.BeforeCrisis = p.Status.Restricted() && !start.IsZero() && p.From.Before(start)
		}
		out = append(out, st)
		seen[id] = true
	}
	for _, c := range a.crossings {
		add(c.ID, c.Name)
	}
	for _, id := range a.crisis.statusIDs {
		if !seen[id] {
			add(id, a.statusName(id))
		}
	}
	return out
}

// statusName is the name of a crossing of the status table: the atlas's,
// else the table's crossing_name, else the id.
func (a *Atlas) statusName(id string) string {
	if c, err := a.Crossing(id); err == nil {
		return c.Name
	}
	for _, p := range a.crisis.status[id] {
		if p.Name != "" {
			return p.Name
		}
	}
	return id
}

// crisisStart is the day of the first event (zero without events): a
// status period that began before it is not a crisis closure.
func (a *Atlas) crisisStart() time.Time {
	if len(a.crisis.events) == 0 {
		return time.Time{}
	}
	return a.crisis.events[0].Date
}

// groupStatus orders periods by start and groups them by crossing.
func groupStatus(ps []*StatusPeriod) (map[string][]*StatusPeriod, []string) {
	m := map[string][]*StatusPeriod{}
	var ids []string
	for _, p := range ps {
		if _, ok := m[p.CrossingID]; !ok {
			ids = append(ids, p.CrossingID)
		}
		m[p.CrossingID] = append(m[p.CrossingID], p)
	}
	for _, list := range m {
		sort.SliceStable(list, func(i, j int) bool {
			x, y := list[i], list[j]
			if x.From.Equal(y.From) {
				return x.row < y.row
			}
			return x.From.Before(y.From)
		})
	}
	return m, ids
}
