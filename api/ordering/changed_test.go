package ordering

import (
	"context"
	"testing"
	"time"

	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/domain/money"
)

func TestPreferWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"wait=5", 5 * time.Second, true},
		{"wait=0", 0, true},
		{`wait="4"`, 4 * time.Second, true},
		{"WAIT = 3", 3 * time.Second, true},
		{"respond-async, wait=7;foo=bar", 7 * time.Second, true},
		{"return=minimal", 0, false},
		{"wait=3600", maxWait, true},
		{"wait=99999999999999999999999", maxWait, true},
		{"wait=soon", 0, false},
		{"wait=-1", 0, false},
		{"wait=1.5", 0, false},
		{"wait=", 0, false},
		{"wait", 0, false},
		{"waiting=5", 0, false},
	}
	for _, tt := range tests {
		got, ok := preferWait(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("preferWait(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

// TestFollowingAnOrder: every read of an order carries its version as a
// weak ETag; with it in If-None-Match the read answers 304 while the order
// is unchanged, and with Prefer: wait it holds until the order changes (or
// the wait ends), on a store that tells where streams end and on one that
// does not; a read the caller may not make is refused without waiting, and
// a shop that begins to stop answers the reads it holds at once.
func TestFollowingAnOrder(t *testing.T) {
	t.Parallel()
	const held = `W/"1"` // orderID as newEnv placed it
	tests := []struct {
		name    string
		path    string // default: the customer route
		token   string // default: alice
		header  map[string]string
		noHeads bool
		change  bool // the order is paid 100 ms into the read
		stop    bool // the shop begins to stop 100 ms into the read
		// want: status, ETag and Preference-Applied of the answer
		status        int
		etag, applied string
	}{
		{name: "no tag held", status: 200, etag: held},
		{name: "tag held", header: map[string]string{"If-None-Match": held}, status: 304, etag: held},
		{name: "strong form of the tag", header: map[string]string{"If-None-Match": `"1"`}, status: 304, etag: held},
		{name: "one of several tags", header: map[string]string{"If-None-Match": `W/"7", W/"1"`}, status: 304, etag: held},
		{name: "any", header: map[string]string{"If-None-Match": "*"}, status: 304, etag: held},
		{name: "older tag held", header: map[string]string{"If-None-Match": `W/"0"`}, status: 200, etag: held},
		{name: "wait without a tag: answered at once", header: map[string]string{"Prefer": "wait=5"}, status: 200, etag: held},
		{name: "wait, the order changes", header: map[string]string{"If-None-Match": held, "Prefer": "wait=5"}, change: true,
			status: 200, etag: `W/"2"`, applied: "wait=5"},
		{name: "wait, the order changes, store without heads", header: map[string]string{"If-None-Match": held, "Prefer": "wait=5"},
			noHeads: true, change: true, status: 200, etag: `W/"2"`, applied: "wait=5"},
		{name: "wait, no change", header: map[string]string{"If-None-Match": held, "Prefer": "wait=1"}, status: 304, etag: held, applied: "wait=1"},
		{name: "wait, the shop stops", header: map[string]string{"If-None-Match": held, "Prefer": "wait=5"}, stop: true,
			status: 304, etag: held, applied: "wait=5"},
		{name: "wait capped", header: map[string]string{"If-None-Match": held, "Prefer": "wait=3600"}, change: true,
			status: 200, etag: `W/"2"`, applied: "wait=10"},
		{name: "wait among other preferences", header: map[string]string{"If-None-Match": held, "Prefer": "return=minimal, wait=5;x=y"},
			change: true, status: 200, etag: `W/"2"`, applied: "wait=5"},
		{name: "wait zero", header: map[string]string{"If-None-Match": held, "Prefer": "wait=0"}, status: 304, etag: held, applied: "wait=0"},
		{name: "wait not understood: ignored", header: map[string]string{"If-None-Match": held, "Prefer": "wait=soon"}, status: 304, etag: held},
		{name: "staff route", path: "/api/admin/orders/" + orderID, token: "support",
			header: map[string]string{"If-None-Match": held, "Prefer": "wait=5"}, change: true, status: 200, etag: `W/"2"`, applied: "wait=5"},
		{name: "another customer: refused without waiting", token: "bob",
			header: map[string]string{"If-None-Match": held, "Prefer": "wait=5"}, status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if tt.noHeads {
				e.api.heads = nil
			}
			path, token := tt.path, tt.token
			if path == "" {
				path = "/api/orders/" + orderID
			}
			if token == "" {
				token = "alice"
			}
			stopping := make(chan struct{})
			e.api.d.Stopping = stopping
			if tt.stop {
				time.AfterFunc(100*time.Millisecond, func() { close(stopping) })
			}
			paid := make(chan error, 1)
			if tt.change {
				go func() {
					time.Sleep(100 * time.Millisecond)
					paid <- e.cmds.MarkOrderPaid(context.Background(), &ordercmd.MarkOrderPaid{OrderID: orderID, PaymentID: "p1",
						Amount: money.DTO{Amount: 2000, Currency: "EUR"}})
				}()
			}
			start := time.Now()
			status, body, raw, h := e.send(t, "GET", path, token, "", tt.header)
			// A change, or the shop stopping, ends the wait: the answer
			// comes then, not when the wait runs out (at least 5 s here;
			// either comes at 0.1 s).
			if took := time.Since(start); (tt.change || tt.stop) && took >= 5*time.Second {
				t.Errorf("answered after %v: the wait did not end at the change or the stop", took)
			}
			if tt.change {
				if err := <-paid; err != nil {
					t.Fatal(err)
				}
			}
			if status != tt.status {
				t.Fatalf("%d %s; want %d", status, raw, tt.status)
			}
			if status == 404 {
				return
			}
			if got := h.Get("ETag"); got != tt.etag {
				t.Errorf("ETag %q, want %q", got, tt.etag)
			}
			if got := h.Get("Preference-Applied"); got != tt.applied {
				t.Errorf("Preference-Applied %q, want %q", got, tt.applied)
			}
			switch {
			case status == 304 && raw != "":
				t.Errorf("304 with a body: %s", raw)
			case status == 200 && tt.change && body["status"] != "Paid":
				t.Errorf("after the change: %s, want the paid order", raw)
			}
		})
	}
}

// TestFollowingAGuestOrder: the guest link's reads carry the ETag and answer
// 304 alike.
func TestFollowingAGuestOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := "/api/orders/" + orderID + "?token=" + e.links.Token(orderID)
	status, _, raw, h := e.send(t, "GET", path, "", "", map[string]string{"If-None-Match": `W/"1"`})
	if status != 304 || h.Get("ETag") != `W/"1"` {
		t.Fatalf("%d %s ETag %q; want 304 with W/\"1\"", status, raw, h.Get("ETag"))
	}
}
