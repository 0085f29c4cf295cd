package load

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestFollow: how the runner reads an order until Paid. Held reads (the
// version held in If-None-Match, Prefer: wait) go on while the shop holds
// them or the order moves on; a shop that answers the version held again,
// or 304 at once without Preference-Applied, is polled (no conditional
// headers); FollowPoll never sends them.
func TestFollow(t *testing.T) {
	t.Parallel()
	type reply struct {
		status        int
		etag, applied string
		order         string // status in the body of a 200
	}
	held := func(tag string) [2]string { return [2]string{tag, "wait=10"} }
	plain := [2]string{}
	tests := []struct {
		name    string
		follow  string
		replies []reply
		want    [][2]string // If-None-Match, Prefer of each read
	}{
		{"held until paid", FollowWait, []reply{
			{304, `W/"1"`, "wait=10", ""},
			{200, `W/"2"`, "wait=10", "Paid"},
		}, [][2]string{held(`W/"1"`), held(`W/"1"`)}},
		{"changed before the read: still held", FollowWait, []reply{
			{200, `W/"2"`, "", "Placed"},
			{200, `W/"3"`, "wait=10", "Paid"},
		}, [][2]string{held(`W/"1"`), held(`W/"2"`)}},
		{"not placed yet: held again", FollowWait, []reply{
			{404, "", "", ""},
			{200, `W/"2"`, "wait=10", "Paid"},
		}, [][2]string{held(`W/"1"`), held(`W/"1"`)}},
		{"the version held answered again: polled", FollowWait, []reply{
			{200, `W/"1"`, "", "Placed"},
			{200, `W/"2"`, "", "Paid"},
		}, [][2]string{held(`W/"1"`), plain}},
		{"304 at once: polled", FollowWait, []reply{
			{304, `W/"1"`, "", ""},
			{200, `W/"2"`, "", "Paid"},
		}, [][2]string{held(`W/"1"`), plain}},
		{"polling", FollowPoll, []reply{
			{200, `W/"1"`, "", "Placed"},
			{200, `W/"2"`, "", "Paid"},
		}, [][2]string{plain, plain}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got [][2]string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				mu.Lock()
				n := len(got)
				got = append(got, [2]string{req.Header.Get("If-None-Match"), req.Header.Get("Prefer")})
				mu.Unlock()
				rp := tt.replies[min(n, len(tt.replies)-1)]
				if rp.etag != "" {
					w.Header().Set("ETag", rp.etag)
				}
				if rp.applied != "" {
					w.Header().Set("Preference-Applied", rp.applied)
				}
				if rp.status != http.StatusOK {
					w.WriteHeader(rp.status)
					return
				}
				json.NewEncoder(w).Encode(map[string]any{"status": rp.order}) //nolint:errcheck
			}))
			defer srv.Close()
			s, err := newSession(srv.URL, http.DefaultTransport, "", 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			r := &runner{cfg: Config{Follow: tt.follow, Poll: time.Millisecond, PaidTimeout: 5 * time.Second}, rec: newRecorder()}
			r.follow(context.Background(), &customer{s: s}, "o-1", time.Now())
			if r.paid.Load() != 1 {
				t.Fatalf("not followed to Paid; reads %q", got)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != len(tt.want) {
				t.Fatalf("reads %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("read %d sent %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
