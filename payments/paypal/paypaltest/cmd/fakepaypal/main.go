// Command fakepaypal runs the fake PayPal (payments/paypal/paypaltest) as a
// process of its own, for the browser end-to-end test (scripts/e2e.sh): the
// shop talks to it as PAYPAL_URL, the browser follows its approval links.
// Requests that do not match PayPal's published API description are logged
// and listed at GET /_fake/mismatches (a JSON array of strings), which the
// test reads at the end.
//
//	fakepaypal -addr 127.0.0.1:18081 [-public-url http://127.0.0.1:18081]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/evshop/shop/payments/paypal/paypaltest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	public := flag.String("public-url", "", "base URL as the shop and the browser reach it (default http://<addr>)")
	docs := flag.String("docs", "", "directory of PayPal's API documents (default the source tree's payments/paypal/testdata)")
	flag.Parse()

	var mu sync.Mutex
	mismatches := []string{}
	if *public == "" {
		*public = "http://" + *addr
	}
	s, err := paypaltest.NewHandler(*public, paypaltest.Options{DocDir: *docs, Report: func(err error) {
		log.Printf("MISMATCH: %v", err)
		mu.Lock()
		mismatches = append(mismatches, err.Error())
		mu.Unlock()
	}})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_fake/mismatches", func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(mismatches)
	})
	mux.Handle("/", s)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Printf("fake PayPal on %s (credentials %s / %s)", s.URL, paypaltest.ClientID, paypaltest.ClientSecret)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
