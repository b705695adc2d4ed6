package geotest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStartPostGIS(t *testing.T) {
	pg := StartPostGIS(t)

	t.Run("postgis", func(t *testing.T) {
		rows := pg.Query(t, "SELECT postgis_lib_version();")
		if len(rows) != 1 || !strings.HasPrefix(rows[0][0], "3.") {
			t.Errorf("postgis_lib_version() = %q, want 3.x", rows)
		}
	})

	t.Run("rows and columns", func(t *testing.T) {
		got := pg.Query(t, `
			CREATE TEMP TABLE t (n int, s text);
			INSERT INTO t VALUES (1, 'one'), (2, NULL), (3, 'three');
			SELECT n, s FROM t ORDER BY n;`)
		want := [][]string{{"1", "one"}, {"2", ""}, {"3", "three"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Query = %q, want %q", got, want)
		}
	})

	t.Run("no rows", func(t *testing.T) {
		if got := pg.Query(t, "SELECT 1 WHERE false;"); got != nil {
			t.Errorf("Query = %q, want nil", got)
		}
	})

	t.Run("float precision", func(t *testing.T) {
		// Distances are compared at 1e-4 relative; psql must print every
		// digit of a double so nothing is lost in the text.
		rows := pg.Query(t, "SELECT 0.1::float8 + 0.2::float8;")
		if rows[0][0] != "0.30000000000000004" {
			t.Errorf("0.1+0.2 printed as %q", rows[0][0])
		}
	})

	t.Run("geography distance", func(t *testing.T) {
		// One degree of longitude on the equator: 111319.49079327357 m
		// on the WGS84 ellipsoid (a * pi / 180).
		rows := pg.Query(t, "SELECT ST_Distance('POINT(0 0)'::geography, 'POINT(1 0)'::geography, true);")
		if !strings.HasPrefix(rows[0][0], "111319.49") {
			t.Errorf("ST_Distance = %s, want 111319.49…", rows[0][0])
		}
	})

	t.Run("error", func(t *testing.T) {
		_, err := pg.Run("SELECT 1; SELECT no_such_column FROM pg_class; SELECT 3;")
		if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "no_such_column") {
			t.Errorf("Run error = %v, want ErrServer mentioning no_such_column", err)
		}
	})

	t.Run("copy in", func(t *testing.T) {
		pg.Exec(t, "CREATE TABLE copied (id int, note text);")
		pg.CopyIn(t, "copied", []string{"id", "note"}, [][]string{
			{"1", "plain"}, {"2", `back\slash`}, {"3", "tab\there"}, {"4", "line\nbreak"},
		})
		got := pg.Query(t, `SELECT id, length(note), strpos(note, '\') > 0 FROM copied ORDER BY id;`)
		want := [][]string{{"1", "5", "f"}, {"2", "10", "t"}, {"3", "8", "f"}, {"4", "10", "f"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("copied rows = %q, want %q", got, want)
		}
	})

	t.Run("exec file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "script.sql")
		var b strings.Builder
		b.WriteString("CREATE TABLE big (i int);\nINSERT INTO big VALUES\n")
		for i := 0; i < 50000; i++ { // larger than a command-line argument may be
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "(%d)", i)
		}
		b.WriteString(";\nSELECT count(*), sum(i) FROM big;\n")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		got := pg.ExecFile(t, path)
		if fmt.Sprint(got) != "[[50000 1249975000]]" {
			t.Errorf("ExecFile = %q", got)
		}
	})

	t.Run("tcp", func(t *testing.T) {
		if !strings.Contains(pg.DSN(), fmt.Sprintf("127.0.0.1:%d/", pg.Port())) {
			t.Errorf("DSN %q does not name port %d", pg.DSN(), pg.Port())
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", pg.Port()), 5*time.Second)
		if err != nil {
			t.Fatalf("server not listening on TCP: %v", err)
		}
		c.Close()
		if _, err := os.Stat(filepath.Join(pg.SocketDir(), fmt.Sprintf(".s.PGSQL.%d", pg.Port()))); err != nil {
			t.Errorf("no Unix socket: %v", err)
		}
	})

	t.Run("psql over tcp", func(t *testing.T) {
		psql := RequireTool(t, "psql")
		out, err := exec.Command(psql, "-X", "-A", "-t", "-d", pg.DSN(), "-c", "SELECT current_user;").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "postgres" {
			t.Errorf("psql %s: %v\n%s", pg.DSN(), err, out)
		}
	})
}

func TestPostGISStop(t *testing.T) {
	var c PostGISCluster
	pg := c.Get(t)
	if again := c.Get(t); again != pg {
		t.Fatal("PostGISCluster.Get started a second server")
	}
	pg.Exec(t, "SELECT 1;")
	dir := pg.dir
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := pg.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := pg.Run("SELECT 1;"); !errors.Is(err, ErrServer) {
		t.Errorf("query after Stop: error %v, want ErrServer", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s still there after Close (%v)", dir, err)
	}
}

func TestPostGISClusterUnused(t *testing.T) {
	var c PostGISCluster
	if err := c.Close(); err != nil {
		t.Errorf("Close of an unused cluster: %v", err)
	}
}

func TestClusterDirLongPath(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("x", 120))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	dir, cleanup, err := clusterDir(long)
	if err != nil {
		t.Fatal(err)
	}
	if cleanup == nil || dir == long {
		t.Fatalf("clusterDir kept a path too long for a socket: %q", dir)
	}
	cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cleanup left %s", dir)
	}
}

// TestMissingExtension checks that an extension the server lacks is
// reported as a MissingError (a skip, or a failure under CI), not as a
// broken server.
func TestMissingExtension(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	if _, err := findPostgres(); err != nil {
		Missing(t, "PostgreSQL", err.Error())
	}
	dir, cleanup, err := clusterDir(t.TempDir())
	if cleanup != nil {
		t.Cleanup(cleanup)
	}
	if err != nil {
		t.Fatal(err)
	}
	pg, err := startCluster(dir, "geotest_no_such_extension")
	if pg != nil {
		_ = pg.Stop()
	}
	var m *MissingError
	if !errors.As(err, &m) {
		t.Fatalf("error = %v, want a *MissingError", err)
	}
	if !strings.Contains(m.Install, "postgis-3") {
		t.Errorf("install hint %q does not name the PostGIS package", m.Install)
	}
}
