package geotest

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestChromium: the shared browser starts on first use, listens for
// DevTools on loopback only, gives every caller (concurrent ones too) the
// same browser, and after Close its process has exited, its endpoint no
// longer answers and its profile directory is gone.
func TestChromium(t *testing.T) {
	var c Chromium
	defer c.Close()
	ws := c.Endpoint(t)
	if !strings.HasPrefix(ws, "ws://127.0.0.1:") || !strings.Contains(ws, "/devtools/browser/") {
		t.Fatalf("endpoint %q, want ws://127.0.0.1:PORT/devtools/browser/ID", ws)
	}
	var wg sync.WaitGroup
	got := make([]string, 4)
	for i := range got {
		wg.Go(func() { got[i] = c.Endpoint(t) })
	}
	wg.Wait()
	for i, g := range got {
		if g != ws {
			t.Errorf("caller %d got %q, the first %q: not one browser", i, g, ws)
		}
	}
	// The browser's DevTools HTTP side names the same WebSocket address.
	version := "http://" + strings.TrimPrefix(strings.Split(ws, "/devtools/")[0], "ws://") + "/json/version"
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(version)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Browser string
		WS      string `json:"webSocketDebuggerUrl"`
	}
	err = json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if err != nil || v.WS != ws || !strings.Contains(v.Browser, "Chrom") {
		t.Errorf("%s: %+v, %v; want browser Chrome/Chromium at %s", version, v, err, ws)
	}
	dir := c.dir
	c.Close()
	if c.cmd.ProcessState == nil {
		t.Error("Chromium still running after Close")
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("profile %s left behind: %v", dir, err)
	}
	if resp, err := client.Get(version); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after Close", version)
	}
}
