package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "copy the map screenshot of TestFrontDoorInBrowser to examples/web/map.png (the README's)")

// TestFrontDoorInBrowser is the first five minutes of a map developer:
// the built durand serve (go build, as go run does), started in the
// repository after `npm ci`, then the landing page in headless Chromium,
// its link to /map, and the map, which must draw the border, the countries
// and the crossings, framed on the border region (the venues of talks
// abroad do not pull it west). Offline, the same server started outside
// the repository (no node_modules: MapLibre from its CDN) with every
// request off the server refused: the map page must say that MapLibre
// could not be loaded and how to fix it. Screenshots go to
// $DURAND_ARTIFACTS (or a temporary directory); -update-screenshot copies
// the online map to examples/web/map.png for the README.
func TestFrontDoorInBrowser(t *testing.T) {
	geotest.Long(t, "builds durand, starts two servers and drives Chromium through the landing page and the map, online and offline")
	node := geotest.RequireTool(t, "node")
	root := geotest.RepoRoot(t)
	for _, p := range []string{"playwright-core", "maplibre-gl"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", p, "package.json")); err != nil {
			geotest.Missing(t, "npm package "+p, "npm ci --ignore-scripts (at the repository root)")
		}
	}
	dir := os.Getenv("DURAND_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "durand")
	if out, err := exec.Command(goCommand(), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	a := defaultAtlas(t)
	region := a.Region()
	// Online: started in the repository, where node_modules is. Offline:
	// started elsewhere, so the page loads MapLibre from its CDN, which
	// the browser cannot reach.
	online := startBinary(t, bin, root, "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())
	offline := startBinary(t, bin, t.TempDir(), "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "js", "frontdoor.mjs"), online, offline, dir, browser.Endpoint(t))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	type result struct {
		Error, MapError, MapLink, ErrorText string
		ErrorShown                          bool
		Layers                              map[string]int
		Center                              []float64
		View                                []float64
		ConsoleErrors, Offsite              []string
	}
	var res map[string]result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("browser output: %v\n%s", err, out)
	}
	for mode, base := range map[string]string{"online": online, "offline": offline} {
		t.Run(mode, func(t *testing.T) {
			res := res[mode]
			t.Logf("screenshots: %s/landing-%s.png, %s/map-%s.png", dir, mode, dir, mode)
			if res.Error != "" {
				t.Fatalf("in the browser: %s", res.Error)
			}
			if res.MapLink != base+"/map" {
				t.Errorf("the landing page's map link is %q", res.MapLink)
			}
			switch mode {
			case "online":
				if res.MapError != "" || res.ErrorShown {
					t.Fatalf("the map failed: %s: %s", res.MapError, res.ErrorText)
				}
				if len(res.Offsite) > 0 {
					t.Errorf("requests off the server, though node_modules has MapLibre: %v", res.Offsite)
				}
				for _, l := range []string{"border-line", "countries-fill", "crossings-circle"} {
					if res.Layers[l] == 0 {
						t.Errorf("nothing drawn in %s (%v)", l, res.Layers)
					}
				}
				if len(res.Center) != 2 || !region.Contains([2]float64{res.Center[0], res.Center[1]}) {
					t.Errorf("the map opens at %v, outside the border region %v", res.Center, region)
				}
				// The view shows the whole region and not much more: not
				// Turkey, not India.
				if len(res.View) != 4 || res.View[0] > region.Min[0] || res.View[2] < region.Max[0] || res.View[0] < 45 || res.View[2] > 92 {
					t.Errorf("the first view %v does not frame the region %v", res.View, region)
				}
				for _, e := range res.ConsoleErrors {
					t.Errorf("console: %s", e)
				}
				if *updateScreenshot {
					b, err := os.ReadFile(filepath.Join(dir, "map-online.png"))
					if err == nil {
						err = os.WriteFile(filepath.Join(root, "examples", "web", "map.png"), b, 0o644)
					}
					if err != nil {
						t.Error(err)
					}
				}
			case "offline":
				if res.MapError != "map-error-load" || !res.ErrorShown {
					t.Fatalf("offline, the page does not say why there is no map (error %q, shown %v)", res.MapError, res.ErrorShown)
				}
				for _, s := range []string{"could not be loaded", "npm ci", "--maplibre", "durand serve"} {
					if !strings.Contains(res.ErrorText, s) {
						t.Errorf("the explanation lacks %q:\n%s", s, res.ErrorText)
					}
				}
			}
		})
	}
}

// startBinary starts the built durand with args in the working directory
// wd, waits for the address it serves on and stops it when the test ends.
func startBinary(t *testing.T, bin, wd string, args ...string) string {
	t.Helper()
	return startBinaryEnv(t, bin, wd, nil, args...)
}

// startBinaryEnv is startBinary with the environment env (nil: the
// test's).
func startBinaryEnv(t *testing.T, bin, wd string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = wd, env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	re := regexp.MustCompile(`serving \d+ collections on (http://127\.0\.0\.1:\d+)/`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return m[1]
		}
	}
	t.Fatalf("durand %s printed no address: %v", strings.Join(args, " "), sc.Err())
	return ""
}
