// Command durand answers questions about the Afghanistan–Pakistan border
// and serves its layers.
//
//	durand info [--json]                 layers, counts, border length, sources
//	durand locate [--json] LON LAT       country, province, district, distance to the border
//	durand serve [flags]                 the HTTP server (OGC API Features, GeoJSON, tiles)
//	durand data install --from DIR       install the district layers
//	durand export --layer L --format F --out FILE
//	durand tiles --out FILE.pmtiles|FILE.mbtiles [--minzoom N --maxzoom N]
//	durand db load --dsn DSN             load the atlas into PostgreSQL/PostGIS (db dump writes it back)
//
// Every command takes --data-dir (default: $DURAND_DATA_DIR, else the
// user data directory; see `durand data path`) and prints machine-readable
// output with --json.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	summary string
}

func commands() map[string]command {
	return map[string]command{
		"info":   {runInfo, "layers, feature counts, border length, sources and licences"},
		"locate": {runLocate, "where a point is: country, province, district, distance to the border"},
		"data":   {runData, "install the district layers (data install), show the data directory (data path)"},
		"serve":  {runServe, "serve the atlas over HTTP: OGC API Features, GeoJSON, downloads, border queries"},
		"export": {runExport, "write a layer as GeoJSON, GeoPackage, KML or CSV"},
		"tiles":  {runTiles, "write the vector tiles as a PMTiles or MBTiles archive for offline and CDN use"},
		"db":     {runDB, "load the atlas into PostgreSQL/PostGIS (db load) or write it back as files (db dump)"},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// subcommand is one subcommand of a command (durand data install).
type subcommand struct {
	name string
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// dispatch runs the subcommand args[0] of a command with the rest of
// args; with no subcommand, an unknown one or -h it prints the command's
// usage text.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, usage string, subs []subcommand) error {
	names := make([]string, len(subs))
	for i, sc := range subs {
		names[i] = sc.name
	}
	want := strings.Join(names, " or ")
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &usageError{"missing subcommand (" + want + ")"}
	}
	for _, sc := range subs {
		if sc.name == args[0] {
			return sc.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, usage)
	switch args[0] {
	case "-h", "-help", "--help", "help":
		return flag.ErrHelp
	}
	return &usageError{fmt.Sprintf("unknown subcommand %q (want %s)", args[0], want)}
}

// usageError marks errors caused by how the command was called (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "durand: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "durand %s: %s\n", args[0], errorText(args[0], err))
		return 2
	default:
		fmt.Fprintf(stderr, "durand %s: %s\n", args[0], errorText(args[0], err))
		return 1
	}
}

// errorText is err's message without the prefixes that would repeat the
// line's own "durand <command>: ": the packages of this module start their
// errors with their name ("export: …", "data: …"), which says nothing more
// to someone running the command, and is often the command's own name
// ("durand export: export: …").
func errorText(cmd string, err error) string {
	msg := err.Error()
	for {
		i := strings.Index(msg, ": ")
		if i < 0 || (msg[:i] != cmd && !slices.Contains(packagePrefixes(), msg[:i])) {
			return msg
		}
		msg = msg[i+2:]
	}
}

// packagePrefixes are the names this module's packages start their error
// messages with.
func packagePrefixes() []string {
	return []string{"data", "export", "geo", "server", "tiles", "pmtiles", "mbtiles", "postgis", "layers"}
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: durand <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'durand <command> -h' for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("durand "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and turns flag errors into usage errors. Flags
// may come before or after the arguments (`locate 66.39 31.00 --json`),
// and an argument that is a number is an argument even when it starts
// with a minus sign (`locate -70 33`); `--` still ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(flagsFirst(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}

// flagsFirst reorders args so that the flags of fs come first, then "--",
// then the arguments, in their order. A word is a flag when it starts
// with "-" and is not a number; a flag of fs that takes a value (not a
// boolean, not written --name=value) takes the next word with it, even if
// that word starts with "-". Unknown flags are kept as flags, for
// flag.Parse to report.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isNumber(a) {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), rest...)
}

// isNumber reports whether s is a decimal number such as -70 or -33.5.
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
