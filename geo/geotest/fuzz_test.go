package geotest

import (
	"strings"
	"testing"
)

// FuzzParseRows checks that parseRows never panics and loses nothing:
// joining its rows with tabs and newlines gives back psql's output less
// the final newline.
func FuzzParseRows(f *testing.F) {
	for _, s := range []string{"", "\n", "1\n", "a\tb\n", "1\tx\n2\ty\n", "\t\t\n\n", "no newline"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		rows := parseRows(out)
		if out == "" {
			if rows != nil {
				t.Fatalf("parseRows(%q) = %q, want nil", out, rows)
			}
			return
		}
		lines := make([]string, len(rows))
		for i, r := range rows {
			if len(r) == 0 {
				t.Fatalf("parseRows(%q): row %d has no columns", out, i)
			}
			lines[i] = strings.Join(r, "\t")
		}
		if got, want := strings.Join(lines, "\n"), strings.TrimSuffix(out, "\n"); got != want {
			t.Fatalf("parseRows(%q) = %q, joins back to %q", out, rows, got)
		}
	})
}
