package geotest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PostGIS is a throwaway PostgreSQL server with the PostGIS extension
// created in its database, started by StartPostGIS or a PostGISCluster.
//
// The server listens on a Unix socket in its own directory and on a free
// TCP port on 127.0.0.1, trusts every local connection (initdb -A trust)
// and runs with fsync off: it is for tests only. Its superuser and database
// are both named postgres.
//
// SQL is run through the psql client, so the tests need no database
// driver. The methods are safe for concurrent use: each call runs its own
// psql process.
type PostGIS struct {
	dir     string // our directory: holds pg/ (server-owned)
	pgDir   string // server-owned: data/, server.log and the socket
	dataDir string
	port    int
	binDir  string // initdb, pg_ctl and postgres
	psql    string
	major   string // PostgreSQL major version, e.g. "15"
	runAs   *account

	stopOnce sync.Once
	stopErr  error
}

// MissingError reports a prerequisite of StartPostGIS that is not
// installed. StartPostGIS turns it into a skip, or a failure under CI.
type MissingError struct {
	What    string // what is missing, e.g. "PostGIS for PostgreSQL 15"
	Install string // how to install it
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("geotest: %s is not available: %s", e.What, e.Install)
}

// ErrServer is matched (errors.Is) by errors from a PostgreSQL server or
// psql that is installed but failed.
var ErrServer = errors.New("geotest: postgres failed")

// StartPostGIS starts a PostGIS server in a directory of t.TempDir() and
// registers a cleanup that stops it (pg_ctl stop -m immediate). If
// PostgreSQL or PostGIS is not installed the test is skipped, or failed
// under CI (see Missing). Starting takes a few seconds; tests that need the
// server several times should share one (see PostGISCluster).
//
// The PostgreSQL programs are looked up on PATH (initdb) and then in
// /usr/lib/postgresql/*/bin, newest version first. PostgreSQL refuses to
// run as root; when the test runs as root the server programs run as the
// operating-system user postgres (created by Debian's postgresql-common),
// and the directory is made traversable for it.
func StartPostGIS(t testing.TB) *PostGIS {
	t.Helper()
	dir, cleanup, err := clusterDir(t.TempDir())
	if cleanup != nil {
		t.Cleanup(cleanup)
	}
	if err != nil {
		t.Fatalf("geotest: %v", err)
	}
	pg, err := startPostGIS(dir)
	if err != nil {
		var m *MissingError
		if errors.As(err, &m) {
			Missing(t, m.What, m.Install)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Errorf("geotest: stopping PostGIS: %v", err)
		}
	})
	return pg
}

// PostGISCluster starts one PostGIS server on first use and shares it
// between the tests of a test binary. The zero value is ready to use.
// Declare one in the test package and close it from TestMain:
//
//	var pg geotest.PostGISCluster
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pg.Close()
//		os.Exit(code)
//	}
//
//	func TestX(t *testing.T) {
//		db := pg.Get(t)
//		...
//	}
type PostGISCluster struct {
	once    sync.Once
	pg      *PostGIS
	cleanup func()
	err     error
}

// Get returns the shared server, starting it on the first call. A missing
// PostgreSQL or PostGIS skips the test (fails it under CI) on every call.
func (c *PostGISCluster) Get(t testing.TB) *PostGIS {
	t.Helper()
	c.once.Do(func() {
		tmp, err := os.MkdirTemp("", "geotest-pg-")
		if err != nil {
			c.err = err
			return
		}
		dir, cleanup, err := clusterDir(tmp)
		c.cleanup = func() {
			_ = os.RemoveAll(tmp)
			if cleanup != nil {
				cleanup()
			}
		}
		if err != nil {
			c.err = err
			return
		}
		c.pg, c.err = startPostGIS(dir)
	})
	if c.err != nil {
		var m *MissingError
		if errors.As(c.err, &m) {
			Missing(t, m.What, m.Install)
		}
		t.Fatal(c.err)
	}
	return c.pg
}

// Close stops the server, if one was started, and removes its files.
func (c *PostGISCluster) Close() error {
	var err error
	if c.pg != nil {
		err = c.pg.Stop()
	}
	if c.cleanup != nil {
		c.cleanup()
	}
	return err
}

// maxSocketDir bounds the socket directory so that
// <dir>/.s.PGSQL.<port> fits in sockaddr_un (108 bytes).
const maxSocketDir = 107 - len("/.s.PGSQL.65535")

// clusterDir returns a directory for a cluster based on dir. When dir
// cannot hold the socket (path too long) or, running as root, cannot be
// reached by the postgres user, it returns a fresh directory in /tmp and a
// cleanup that removes it.
func clusterDir(dir string) (string, func(), error) {
	usable := len(filepath.Join(dir, "pg")) <= maxSocketDir
	if usable && os.Geteuid() == 0 {
		// Open up what is ours: dir and, when dir comes from t.TempDir, its
		// per-test parent directory in the system temporary directory.
		open := []string{dir}
		if parent := filepath.Dir(dir); filepath.Dir(parent) == filepath.Clean(os.TempDir()) {
			open = append(open, parent)
		}
		for _, d := range open {
			if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
				_ = os.Chmod(d, fi.Mode().Perm()|0o711)
			}
		}
		usable = traversable(dir)
	}
	if usable {
		return dir, nil, nil
	}
	short, err := os.MkdirTemp("/tmp", "geotest-pg-")
	if err != nil {
		return "", nil, err
	}
	if err := os.Chmod(short, 0o711); err != nil {
		return "", nil, err
	}
	return short, func() { _ = os.RemoveAll(short) }, nil
}

// traversable reports whether every directory from / down to dir can be
// searched by other users (mode o+x).
func traversable(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if filepath.Dir(d) == d {
			return true
		}
	}
}

// findPostgres returns the directory holding initdb, pg_ctl and postgres.
func findPostgres() (string, error) {
	var candidates []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { // newest major version first
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	candidates = append(candidates, dirs...)
	for _, d := range candidates {
		ok := true
		for _, prog := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(d, prog)); err != nil || fi.IsDir() {
				ok = false
				break
			}
		}
		if ok {
			return d, nil
		}
	}
	return "", &MissingError{
		What:    "PostgreSQL server (initdb, pg_ctl, postgres)",
		Install: "install the Debian package postgresql-15 (found neither initdb on PATH nor /usr/lib/postgresql/*/bin)",
	}
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// startPostGIS initialises and starts a cluster under dir, which must
// exist, and creates the postgis extension.
func startPostGIS(dir string) (*PostGIS, error) { return startCluster(dir, "postgis") }

// startCluster initialises and starts a cluster under dir and creates
// extension (an identifier) in its database.
func startCluster(dir, extension string) (*PostGIS, error) {
	binDir, err := findPostgres()
	if err != nil {
		return nil, err
	}
	pg := &PostGIS{dir: dir, binDir: binDir, pgDir: filepath.Join(dir, "pg")}
	pg.dataDir = filepath.Join(pg.pgDir, "data")
	pg.psql = filepath.Join(binDir, "psql")
	if _, err := os.Stat(pg.psql); err != nil {
		if pg.psql, err = exec.LookPath("psql"); err != nil {
			return nil, &MissingError{What: `tool "psql"`, Install: InstallHint("psql")}
		}
	}
	out, err := exec.Command(filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%w: postgres --version: %v", ErrServer, err)
	}
	if m := versionRE.FindSubmatch(out); m != nil {
		pg.major = string(m[1])
	}
	if os.Geteuid() == 0 {
		if pg.runAs, err = lookupAccount("postgres"); err != nil {
			return nil, &MissingError{
				What:    "operating-system user postgres (PostgreSQL refuses to run as root)",
				Install: "install the Debian package postgresql-15, which creates it, or run the tests as a non-root user",
			}
		}
	}
	if err := os.Mkdir(pg.pgDir, 0o700); err != nil {
		return nil, err
	}
	if pg.runAs != nil {
		if err := os.Chown(pg.pgDir, pg.runAs.uid, pg.runAs.gid); err != nil {
			return nil, err
		}
	}
	if tpl, err := pg.template(extension); err == nil {
		err := exec.Command("cp", "-a", tpl, pg.dataDir).Run()
		if err == nil {
			if err = pg.listen(); err == nil {
				return pg, nil
			}
		}
		// A template that does not start is dropped; the next server
		// makes a new one.
		_ = os.RemoveAll(filepath.Dir(filepath.Dir(tpl)))
		_ = os.RemoveAll(pg.dataDir)
	}
	if err := pg.initCluster(extension); err != nil {
		return nil, err
	}
	return pg, nil
}

// initCluster initialises pg.dataDir (initdb), starts the server and
// creates extension.
func (pg *PostGIS) initCluster(extension string) error {
	if out, err := pg.serverCmd("initdb", "-D", pg.dataDir, "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("%w: initdb: %v\n%s", ErrServer, err, out)
	}
	if err := pg.listen(); err != nil {
		return err
	}
	if _, err := pg.Run("CREATE EXTENSION " + extension + ";"); err != nil {
		avail, err2 := pg.Run("SELECT count(*) FROM pg_available_extensions WHERE name = '" + extension + "';")
		_ = pg.Stop()
		if err2 == nil && len(avail) == 1 && avail[0][0] == "0" {
			pkg := "postgresql-" + pg.major + "-postgis-3"
			return &MissingError{
				What:    "PostGIS for PostgreSQL " + pg.major,
				Install: "install the Debian package " + pkg,
			}
		}
		return err
	}
	return nil
}

// template returns the data directory of a stopped cluster initialised by
// initCluster with extension created, made once and kept in the system's
// temporary directory: the servers of the test binaries of a run start
// from a copy of it (a fifth of a second) instead of running initdb and
// CREATE EXTENSION (about three seconds of CPU). Its name is a digest of
// the server's version and programs, the extension's control file and the
// account the server runs as, so an upgrade of PostgreSQL or of the
// extension makes a new one. An error means there is none: the caller
// initialises the cluster itself.
func (pg *PostGIS) template(extension string) (string, error) {
	ver, err := exec.Command(filepath.Join(pg.binDir, "postgres"), "--version").Output()
	if err != nil {
		return "", err
	}
	control, err := os.ReadFile(filepath.Join("/usr/share/postgresql", pg.major, "extension", extension+".control"))
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00", ver, pg.binDir, extension, control, os.Geteuid())
	if pg.runAs != nil {
		fmt.Fprintf(h, "%d:%d", pg.runAs.uid, pg.runAs.gid)
	}
	dir := filepath.Join(os.TempDir(), "durand-pg-template-"+hex.EncodeToString(h.Sum(nil))[:16])
	data := filepath.Join(dir, "pg", "data")
	if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
		return data, nil
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "durand-pg-template-build-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o711); err != nil {
		return "", errors.Join(err, os.RemoveAll(tmp))
	}
	b := &PostGIS{dir: tmp, binDir: pg.binDir, pgDir: filepath.Join(tmp, "pg"), psql: pg.psql, major: pg.major, runAs: pg.runAs}
	b.dataDir = filepath.Join(b.pgDir, "data")
	if err := b.initTemplate(extension); err != nil {
		return "", errors.Join(err, os.RemoveAll(tmp))
	}
	if err := os.Rename(tmp, dir); err != nil { // another binary made it meanwhile
		_ = os.RemoveAll(tmp)
		if _, err := os.Stat(filepath.Join(dir, "ready")); err != nil {
			return "", err
		}
	}
	return data, nil
}

// initTemplate makes b's cluster a template: initialised with extension,
// shut down cleanly (no recovery when a copy starts), marked ready.
func (b *PostGIS) initTemplate(extension string) error {
	if err := os.Mkdir(b.pgDir, 0o700); err != nil {
		return err
	}
	if b.runAs != nil {
		if err := os.Chown(b.pgDir, b.runAs.uid, b.runAs.gid); err != nil {
			return err
		}
	}
	if err := b.initCluster(extension); err != nil {
		_ = b.Stop()
		return err
	}
	if out, err := b.serverCmd("pg_ctl", "-D", b.dataDir, "-m", "fast", "-w", "-t", "60", "stop").CombinedOutput(); err != nil {
		_ = b.Stop()
		return fmt.Errorf("%w: pg_ctl stop: %v\n%s", ErrServer, err, out)
	}
	_ = os.Remove(filepath.Join(b.pgDir, "server.log"))
	return os.WriteFile(filepath.Join(b.dir, "ready"), nil, 0o644)
}

// listen writes the server settings and starts the server, retrying with
// another port if the one picked was taken in the meantime.
func (pg *PostGIS) listen() error {
	conf := filepath.Join(pg.dataDir, "postgresql.conf")
	base, err := os.ReadFile(conf)
	if err != nil {
		return err
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		settings := fmt.Sprintf(`
# geotest: a throwaway test server.
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 30
logging_collector = off
`, port, strings.ReplaceAll(pg.pgDir, "'", "''"))
		// The file keeps its owner (the server's account) when rewritten.
		if err := os.WriteFile(conf, append(base[:len(base):len(base)], settings...), 0o600); err != nil {
			return err
		}
		logFile := filepath.Join(pg.pgDir, "server.log")
		out, err := pg.serverCmd("pg_ctl", "-D", pg.dataDir, "-l", logFile, "-w", "-t", "60", "start").CombinedOutput()
		if err == nil {
			pg.port = port
			return nil
		}
		logText, _ := os.ReadFile(logFile)
		lastErr = fmt.Errorf("%w: pg_ctl start: %v\n%s\nserver log:\n%s", ErrServer, err, out, logText)
		if !bytes.Contains(logText, []byte("could not bind")) && !bytes.Contains(logText, []byte("already in use")) {
			return lastErr
		}
		_ = os.Remove(logFile)
	}
	return lastErr
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverCmd returns a command for one of the server programs, run as the
// server's account.
func (pg *PostGIS) serverCmd(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(pg.binDir, name), args...)
	cmd.Dir = pg.pgDir
	cmd.Env = append(cleanEnv(), "LC_ALL=C")
	if pg.runAs != nil {
		pg.runAs.apply(cmd)
		cmd.Env = append(cmd.Env, "HOME="+pg.pgDir)
	}
	return cmd
}

// cleanEnv returns the environment without the PG* variables, which would
// redirect psql and the server programs to another server or database.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "LC_ALL=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// Stop stops the server immediately (pg_ctl stop -m immediate). Calling it
// again does nothing and returns the first result.
func (pg *PostGIS) Stop() error {
	pg.stopOnce.Do(func() {
		if pg.port == 0 {
			return
		}
		out, err := pg.serverCmd("pg_ctl", "-D", pg.dataDir, "-m", "immediate", "-w", "-t", "30", "stop").CombinedOutput()
		if err != nil {
			pg.stopErr = fmt.Errorf("%w: pg_ctl stop: %v\n%s", ErrServer, err, out)
		}
	})
	return pg.stopErr
}

// Restart stops the server immediately (pg_ctl restart -m immediate: every
// connection is cut, as in a crash) and starts it again on the same port
// with the same data, waiting until it accepts connections.
func (pg *PostGIS) Restart() error {
	if pg.port == 0 {
		return fmt.Errorf("%w: restart of a server that is not running", ErrServer)
	}
	logFile := filepath.Join(pg.pgDir, "server.log")
	out, err := pg.serverCmd("pg_ctl", "-D", pg.dataDir, "-l", logFile, "-m", "immediate", "-w", "-t", "60", "restart").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: pg_ctl restart: %v\n%s", ErrServer, err, out)
	}
	return nil
}

// Port returns the TCP port the server listens on at 127.0.0.1.
func (pg *PostGIS) Port() int { return pg.port }

// SocketDir returns the directory holding the server's Unix socket.
func (pg *PostGIS) SocketDir() string { return pg.pgDir }

// DSN returns a libpq connection URI for the server's database over TCP,
// for example postgres://postgres@127.0.0.1:54321/postgres?sslmode=disable.
func (pg *PostGIS) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// Run runs the SQL script sql with psql (stopping at the first error) and
// returns the rows of its queries, each row split into its columns. NULL
// is returned as the empty string. Values must not contain tabs or
// newlines. Notices are suppressed.
func (pg *PostGIS) Run(sql string) ([][]string, error) {
	out, err := pg.psqlRun(strings.NewReader(sql))
	if err != nil {
		return nil, err
	}
	return parseRows(out), nil
}

// Query runs the SQL script sql (see Run) and returns its rows; an error
// fails the test.
func (pg *PostGIS) Query(t testing.TB, sql string) [][]string {
	t.Helper()
	rows, err := pg.Run(sql)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Exec runs the SQL script sql, discarding rows; an error fails the test.
func (pg *PostGIS) Exec(t testing.TB, sql string) {
	t.Helper()
	if _, err := pg.Run(sql); err != nil {
		t.Fatal(err)
	}
}

// ExecFile runs the SQL script in the file path (psql -f) and returns its
// rows; an error fails the test. Use it for scripts too large to hold
// comfortably in memory.
func (pg *PostGIS) ExecFile(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := pg.psqlRun(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return parseRows(out)
}

// CopyIn loads rows into table (COPY ... FROM STDIN in text format).
// table and columns are SQL identifiers, inserted verbatim; each row must
// have one value per column. An error fails the test.
func (pg *PostGIS) CopyIn(t testing.TB, table string, columns []string, rows [][]string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "COPY %s (%s) FROM STDIN;\n", table, strings.Join(columns, ", "))
	esc := strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)
	for i, row := range rows {
		if len(row) != len(columns) {
			t.Fatalf("geotest: CopyIn %s: row %d has %d values for %d columns", table, i, len(row), len(columns))
		}
		for j, v := range row {
			if j > 0 {
				b.WriteByte('\t')
			}
			esc.WriteString(&b, v)
		}
		b.WriteByte('\n')
	}
	b.WriteString("\\.\n")
	if _, err := pg.psqlRun(strings.NewReader(b.String())); err != nil {
		t.Fatalf("CopyIn %s: %v", table, err)
	}
}

// psqlRun feeds script to psql and returns its standard output.
func (pg *PostGIS) psqlRun(script io.Reader) (string, error) {
	cmd := exec.Command(pg.psql, "-X", "-q", "-A", "-t", "-F", "\t",
		"-v", "ON_ERROR_STOP=1", "-h", pg.pgDir, "-p", strconv.Itoa(pg.port),
		"-U", "postgres", "-d", "postgres", "-f", "-")
	cmd.Env = append(cleanEnv(), "PGOPTIONS=-c client_min_messages=warning", "PGCONNECT_TIMEOUT=10")
	cmd.Stdin = script
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w: psql (after %v): %v\n%s", ErrServer,
			time.Since(start).Round(time.Millisecond), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// parseRows splits psql's unaligned, tuples-only output into rows and
// columns.
func parseRows(out string) [][]string {
	if out == "" {
		return nil
	}
	out = strings.TrimSuffix(out, "\n")
	lines := strings.Split(out, "\n")
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = strings.Split(l, "\t")
	}
	return rows
}
