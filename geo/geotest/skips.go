package geotest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// ToolsCommand is the one command that installs everything the real-client
// tests need on a Debian machine: the Debian packages (GDAL, PostgreSQL
// with PostGIS, Chromium, nginx, wrk, node), the npm packages of
// package-lock.json and the pmtiles command. It is what CI runs first.
const ToolsCommand = "sudo .ci/run --tools"

// CacheEnv is zonecache.EnvDir, the variable that places the durand
// command's zone buffer cache (a constant here: package zonecache imports
// geo, whose tests import geotest).
const CacheEnv = "DURAND_CACHE_DIR"

// skipped records, for the test binary's summary (Main), the tests that
// were skipped because a prerequisite was missing and those skipped as
// long. It is the one piece of shared state in this package: tests report
// into it from Missing and Long, Main reads it once they have all run.
var skipped struct {
	sync.Mutex
	missing map[string][]string // what is missing -> tests
	long    []string
}

func recordMissing(t testing.TB, what string) {
	skipped.Lock()
	defer skipped.Unlock()
	if skipped.missing == nil {
		skipped.missing = map[string][]string{}
	}
	skipped.missing[what] = append(skipped.missing[what], t.Name())
}

func recordLong(t testing.TB) {
	skipped.Lock()
	defer skipped.Unlock()
	skipped.long = append(skipped.long, t.Name())
}

// Main runs the tests of a package and then reports, in one line, the
// tests skipped because a real client (GDAL, PostGIS, Chromium, node,
// pmtiles, …) is missing, with the single command that installs them, and
// how many long tests were left out. Use it from a package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(geotest.Main(m)) }
//
// go test hides the output of a package whose tests pass unless -v is
// given, so the line also goes straight to the go command's own standard
// output (on Linux, through /proc), where the person running `go test
// ./...` sees it. The lines of the packages of one run accumulate: each
// package's line covers every package reported so far in the same run,
// so the last line printed says everything that was skipped.
//
// Main runs the garbage collector at GOGC=400 unless GOGC is set. It also
// points the zone buffer cache (CacheEnv) at a directory of the go test
// run (see cacheDir): the tests never read or fill the user's cache, and
// the test binaries of one run, built from the same code, share the
// buffers they trace.
func Main(m *testing.M) int {
	if os.Getenv("GOGC") == "" {
		// Tests allocate much and keep little: a collection at 5× the
		// live heap instead of 2× takes a tenth of the suite's CPU off.
		debug.SetGCPercent(400)
	}
	if dir, shared, err := cacheDir(); err == nil {
		os.Setenv(CacheEnv, dir)
		if !shared {
			defer os.RemoveAll(dir)
		}
	}
	code := m.Run()
	if line := skipSummary(); line != "" {
		if testing.Verbose() {
			fmt.Println(line)
		} else {
			toGoCommand(line)
		}
	}
	return code
}

// skipSummary returns the run's line, or "" when this package skipped
// nothing.
func skipSummary() string {
	skipped.Lock()
	defer skipped.Unlock()
	if len(skipped.missing) == 0 && len(skipped.long) == 0 {
		return ""
	}
	pkg := packagePath()
	var mine []string
	for what, tests := range skipped.missing {
		slices.Sort(tests)
		mine = append(mine, fmt.Sprintf("%s\t%s\t%s", pkg, what, strings.Join(slices.Compact(tests), " ")))
	}
	slices.Sort(mine)
	if n := len(skipped.long); n > 0 {
		mine = append(mine, fmt.Sprintf("%s\t%s\t%d", pkg, longKey, n))
	}
	all := accumulate(mine)
	return formatSummary(all)
}

// longKey marks the count of long tests in the run's record.
const longKey = "(long)"

// formatSummary writes the record lines (package, missing thing, tests)
// as one line.
func formatSummary(records []string) string {
	var parts []string
	tests, long := 0, 0
	for _, r := range records {
		f := strings.SplitN(r, "\t", 3)
		if len(f) != 3 {
			continue
		}
		if f[1] == longKey {
			n, _ := strconv.Atoi(f[2])
			long += n
			continue
		}
		names := strings.Fields(f[2])
		tests += len(names)
		parts = append(parts, fmt.Sprintf("%s %s (%s)", f[0], strings.Join(names, ", "), f[1]))
	}
	var b strings.Builder
	b.WriteString("durand tests: ")
	if tests > 0 {
		fmt.Fprintf(&b, "%d real-client test(s) skipped: %s; install what they need with `%s`", tests, strings.Join(parts, "; "), ToolsCommand)
	}
	if long > 0 {
		if tests > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d long test(s) left out (run them with %s=1 go test ./...)", long, LongEnv)
	}
	return b.String()
}

// packagePath is the package under test, relative to the module root.
func packagePath() string {
	wd, err := os.Getwd()
	if err != nil {
		return "?"
	}
	if root, err := FindRepoRoot(wd); err == nil {
		if rel, err := filepath.Rel(root, wd); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(wd)
}

// goCommand returns the process id and start time of the parent process
// when it is the go command (go test runs each test binary as its child),
// else ok false.
func goCommand() (pid int, start string, ok bool) {
	pid = os.Getppid()
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil || filepath.Base(exe) != "go" {
		return 0, "", false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	// The fields after the command name (in parentheses); the start time
	// is field 22 of the whole line.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 20 {
		return 0, "", false
	}
	return pid, f[19], true
}

// accumulate adds this package's records to those of the same go test
// run (a file in the temporary directory named by the go command's
// process) and returns them all. Outside a go test run it returns mine.
func accumulate(mine []string) []string {
	pid, start, ok := goCommand()
	if !ok {
		return mine
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("durand-test-skips-%d-%s", pid, start))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return mine
	}
	defer f.Close()
	var all []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		all = append(all, sc.Text())
	}
	for _, r := range mine {
		fmt.Fprintln(f, r)
	}
	return append(all, mine...)
}

// toGoCommand writes line to the go command's standard output when that
// is a terminal or a pipe. Not to a regular file: the go command writes
// there at its own offset and would write over the line.
func toGoCommand(line string) {
	pid, _, ok := goCommand()
	if !ok {
		return
	}
	out := fmt.Sprintf("/proc/%d/fd/1", pid)
	if st, err := os.Stat(out); err != nil || st.Mode()&(os.ModeCharDevice|os.ModeNamedPipe) == 0 {
		return
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

// cacheDir returns the zone buffer cache directory of this go test run,
// shared by its test binaries (shared true) and named by the go command's
// process and start time; the directories of runs that have ended are
// removed. Outside a go test run it is a new directory of this binary.
func cacheDir() (dir string, shared bool, err error) {
	pid, start, ok := goCommand()
	if !ok {
		dir, err := os.MkdirTemp("", "durand-zonecache-")
		return dir, false, err
	}
	const prefix = "durand-test-zonecache-"
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, d := range old {
		var p int
		var s string
		if _, err := fmt.Sscanf(strings.TrimPrefix(filepath.Base(d), prefix), "%d-%s", &p, &s); err != nil {
			continue
		}
		if p == pid && s == start {
			continue
		}
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p)); err == nil {
			if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) >= 20 && f[19] == s {
				continue // that run is still going
			}
		}
		_ = os.RemoveAll(d)
	}
	dir = filepath.Join(os.TempDir(), fmt.Sprintf("%s%d-%s", prefix, pid, start))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, err
	}
	return dir, true, nil
}
