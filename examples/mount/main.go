// Command mount serves durand's HTTP API under a path prefix of its own
// gorilla/mux router, beside routes of its own: the way to embed durand in
// a larger Go service.
//
//	go run ./examples/mount -addr 127.0.0.1:8081
//	curl http://127.0.0.1:8081/durand/collections
//
// The handler of server.New answers paths from its own root, so the router
// strips the prefix (http.StripPrefix), and Config.BaseURL carries it, so
// that the links the API writes (self, items, tiles, the map's style)
// point back under the prefix.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/server"
)

// Prefix is where durand is mounted in the router.
const Prefix = "/durand"

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	r, err := newRouter("http://" + *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mount:", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 5 * time.Second}
	slog.Info("serving", "home", "http://"+*addr+"/", "durand", "http://"+*addr+Prefix+"/")
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "mount:", err)
		os.Exit(1)
	}
}

// newRouter returns the application's router: its own page at / and
// durand's API under Prefix. root is the public URL of the router's root
// (scheme and host), from which durand's links are built.
func newRouter(root string) (*mux.Router, error) {
	atlas, err := data.Default()
	if err != nil {
		return nil, err
	}
	h, err := server.New(server.Config{Atlas: atlas, BaseURL: strings.TrimRight(root, "/") + Prefix, Title: "Durand Line atlas (mounted)"})
	if err != nil {
		return nil, err
	}
	r := mux.NewRouter()
	r.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "my application; the atlas is under %s/\n", Prefix)
	})
	// Every path under the prefix (and the prefix itself) goes to durand,
	// without the prefix.
	r.PathPrefix(Prefix + "/").Handler(http.StripPrefix(Prefix, h))
	r.Handle(Prefix, http.RedirectHandler(Prefix+"/", http.StatusMovedPermanently))
	return r, nil
}
