// Package durable_test proves the durable embedded mode (issue 20) at
// process level: the one-process shop (cmd/shop, STORAGE=sqlite) runs as a
// separate process on a temporary DATA_DIR, is killed with SIGKILL in the
// middle of concurrent checkouts, is started again on the same directory,
// and must then have lost nothing and done nothing twice. It also checks
// that the shop refuses a data directory it must not use (another shop on
// it, a foreign or damaged database, damaged secrets) with a clear error,
// never by starting over, and that `shopctl backup` taken while the shop
// runs restores into an identical shop.
//
// The tests need no server: they belong to `make test` and are skipped by
// -short only.
package durable_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evshop/shop/e2e/harness"
	"github.com/evshop/shop/platform/testenv"

	_ "modernc.org/sqlite" // a foreign database for the refusal test
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

const password = "correct horse battery staple"

// The load: shoppers × checkoutsPer checkouts of one line each, spread
// over skus; every declineEvery-th one with the declined card. The shop is
// killed after killAfter checkouts were answered.
const (
	shoppers     = 6
	checkoutsPer = 6
	declineEvery = 4
	killAfter    = 12
	extraStock   = 500
)

var skus = []string{"KIT-001", "KIT-002", "OUT-003"}

// retryable is a failure the shopper retries with the same request (and
// Idempotency-Key): the shop is down or restarting.
func retryable(r harness.Response, err error) bool {
	return err != nil || r.Status >= 500
}

// until repeats call while it fails retryably (the shop being killed and
// restarted), up to ctx's deadline.
func until(ctx context.Context, call func() (harness.Response, error)) (harness.Response, error) {
	for {
		r, err := call()
		if !retryable(r, err) {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, fmt.Errorf("shop unreachable: %v %s: %w", err, r, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func signIn(ctx context.Context, t *testing.T, shop *harness.Embedded, mail *harness.Mailbox, email string) *harness.Browser {
	t.Helper()
	b, err := shop.NewBrowser()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if email == shop.AdminEmail {
		_, err = b.Login(ctx, email, shop.AdminPassword)
	} else {
		_, err = b.SignUp(ctx, mail, email, password, "Durable "+email)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stock reads a product's counters as staff see them.
func stock(ctx context.Context, staff *harness.Browser, sku string) (onHand, reserved int, err error) {
	r, err := staff.Expect(ctx, http.StatusOK, http.MethodGet, "/api/catalog/products/"+sku, nil, nil)
	if err != nil {
		return 0, 0, err
	}
	var p struct{ OnHand, Reserved *int }
	if err := r.JSON(&p); err != nil {
		return 0, 0, err
	}
	if p.OnHand == nil || p.Reserved == nil {
		return 0, 0, fmt.Errorf("no stock counters for staff: %s", r)
	}
	return *p.OnHand, *p.Reserved, nil
}

// placed is one checkout the shop answered 202.
type placed struct {
	shopper int
	key     string
	orderID string
}

// TestKillMidCheckout: concurrent checkouts, SIGKILL in the middle, a
// restart on the same directory, the rest of the load; then every answered
// order is terminal, captured at most once, stock adds up, read models equal
// a fresh rebuild and each paid order got exactly one confirmation.
func TestKillMidCheckout(t *testing.T) {
	shop := harness.StartEmbedded(t, harness.EmbeddedOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 85*time.Second)
	defer cancel()
	mail := shop.Mailbox()
	staff := signIn(ctx, t, shop, mail, shop.AdminEmail)
	initial := map[string]int{}
	for _, sku := range skus {
		r, err := staff.Expect(ctx, http.StatusOK, http.MethodPost, "/api/catalog/products/"+sku+"/stock",
			map[string]any{"delta": extraStock, "reason": "received", "note": "durable e2e"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		h, res, err := stock(ctx, staff, sku)
		if err != nil || res != 0 {
			t.Fatalf("%s before the load: onHand %d reserved %d %v (%s)", sku, h, res, err, r)
		}
		initial[sku] = h
	}
	browsers := make([]*harness.Browser, shoppers)
	emails := make([]string, shoppers)
	for i := range shoppers {
		emails[i] = fmt.Sprintf("durable-%d@example.com", i)
		browsers[i] = signIn(ctx, t, shop, mail, emails[i])
	}

	var (
		mu       sync.Mutex
		orders   []placed
		problems []string
		answered atomic.Int64
	)
	problem := func(format string, a ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(format, a...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Go(func() {
			for n := range checkoutsPer {
				k := i*checkoutsPer + n
				// A retried add after a lost answer may add the line twice:
				// the checks below read the quantities from the orders.
				sku := skus[k%len(skus)]
				if r, err := until(ctx, func() (harness.Response, error) {
					return b.Do(ctx, http.MethodPost, "/api/basket/items", map[string]any{"sku": sku, "quantity": 1}, nil)
				}); err != nil || r.Status != http.StatusOK {
					problem("shopper %d add %s: %v %s", i, sku, err, r)
					return
				}
				card := harness.CardSuccess
				if k%declineEvery == declineEvery-1 {
					card = harness.CardDeclined
				}
				key := fmt.Sprintf("durable-%d-%d", i, n)
				var id string
				r, err := until(ctx, func() (harness.Response, error) {
					var (
						r   harness.Response
						err error
					)
					id, r, err = b.Checkout(ctx, key, harness.SandboxCard(card))
					return r, err
				})
				if err != nil || r.Status != http.StatusAccepted {
					problem("shopper %d checkout %s: %v %s", i, key, err, r)
					return
				}
				mu.Lock()
				orders = append(orders, placed{shopper: i, key: key, orderID: id})
				mu.Unlock()
				answered.Add(1)
			}
		})
	}
	for answered.Load() < killAfter && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	shop.Kill()
	t.Logf("killed the shop after %d answered checkouts", answered.Load())
	if err := shop.Start(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	if t.Failed() {
		t.FailNow()
	}
	if len(orders) != shoppers*checkoutsPer {
		t.Fatalf("%d orders answered 202, want %d", len(orders), shoppers*checkoutsPer)
	}

	// Every answered order exists and ends; per order at most one capture,
	// exactly one when Paid.
	paidUnits := map[string]int{}
	paid := map[string][]string{} // shopper email → paid order ids
	for _, p := range orders {
		b := browsers[p.shopper]
		o, err := b.WaitOrder(ctx, p.orderID, "Paid", "Cancelled")
		if err != nil {
			tl, _ := staff.Do(context.WithoutCancel(ctx), http.MethodGet, "/api/admin/orders/"+p.orderID+"/timeline", nil, nil)
			t.Fatalf("order %s (key %s): %v\ntimeline: %s", p.orderID, p.key, err, tl)
		}
		captures, err := captures(ctx, b, p.orderID, o.Status == "Paid")
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case o.Status == "Paid" && captures != 1:
			t.Errorf("paid order %s has %d captures", p.orderID, captures)
		case o.Status == "Cancelled" && captures != 0:
			t.Errorf("cancelled order %s (%s) has %d captures", p.orderID, o.CancelReason, captures)
		}
		if o.Status == "Paid" {
			for _, l := range o.Lines {
				paidUnits[l.SKU] += l.Quantity
			}
			paid[emails[p.shopper]] = append(paid[emails[p.shopper]], p.orderID)
		}
	}

	// Stock on hand is what there was minus what was paid; nothing stays
	// reserved (commit and release follow the terminal events).
	for _, sku := range skus {
		want := initial[sku] - paidUnits[sku]
		var h, r int
		for {
			var err error
			if h, r, err = stock(ctx, staff, sku); err != nil {
				t.Fatal(err)
			}
			if (h == want && r == 0) || ctx.Err() != nil {
				break
			}
			time.Sleep(150 * time.Millisecond)
		}
		if h != want || r != 0 {
			t.Errorf("%s: onHand %d reserved %d, want %d and 0 (initial %d, paid %d)", sku, h, r, want, initial[sku], paidUnits[sku])
		}
	}

	// Exactly one confirmation per paid order (the outbox is durable, and a
	// redelivery after the restart must not mail twice).
	for email, ids := range paid {
		for _, id := range ids {
			if _, err := mail.WaitFor(ctx, email, func(m testenv.SESMail) bool { return confirms(m, id) }); err != nil {
				t.Fatalf("no confirmation of %s to %s: %v", id, email, err)
			}
		}
	}
	for email, ids := range paid {
		mails, err := mail.To(ctx, email, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			n := 0
			for _, m := range mails {
				if confirms(m, id) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("order %s: %d confirmation emails, want 1", id, n)
			}
		}
	}

	// Every read model equals a fresh rebuild of it.
	before := snapshot(ctx, t, staff, browsers, orders)
	rebuildAll(ctx, t, staff)
	after := snapshot(ctx, t, staff, browsers, orders)
	for _, d := range diff(before, after) {
		t.Errorf("read model differs from its rebuild: %s", d)
	}
	t.Logf("%d orders (%d paid) survived a SIGKILL: stock, captures, confirmations and read models agree", len(orders), countPaid(paid))
}

func countPaid(paid map[string][]string) int {
	n := 0
	for _, ids := range paid {
		n += len(ids)
	}
	return n
}

func confirms(m testenv.SESMail, orderID string) bool {
	return strings.Contains(m.Subject, orderID) && strings.Contains(m.Subject, "is confirmed")
}

// captures counts the captured entries in the payments ledger of an order,
// waiting for a paid order's capture to be projected.
func captures(ctx context.Context, b *harness.Browser, orderID string, wantOne bool) (int, error) {
	for {
		r, err := b.Expect(ctx, http.StatusOK, http.MethodGet, "/api/payments?orderId="+orderID, nil, nil)
		if err != nil {
			return 0, err
		}
		var v struct {
			Payments []struct {
				Ledger []struct {
					Kind string `json:"kind"`
				} `json:"ledger"`
			} `json:"payments"`
		}
		if err := r.JSON(&v); err != nil {
			return 0, err
		}
		n := 0
		for _, p := range v.Payments {
			for _, e := range p.Ledger {
				if e.Kind == "captured" {
					n++
				}
			}
		}
		if !wantOne || n > 0 || ctx.Err() != nil {
			return n, nil
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// snapshot reads every read model the load touched through the API: each
// order (orders), its payments (payments ledger), each shopper's order list
// and basket (baskets), the staff order list, the sales report and the
// catalog.
func snapshot(ctx context.Context, t *testing.T, staff *harness.Browser, browsers []*harness.Browser, orders []placed) map[string]string {
	t.Helper()
	out := map[string]string{}
	get := func(b *harness.Browser, path string) {
		r, err := b.Expect(ctx, http.StatusOK, http.MethodGet, path, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[path+" as "+fmt.Sprint(slices.Index(browsers, b))] = canonical(r.Body)
	}
	for _, p := range orders {
		get(browsers[p.shopper], "/api/orders/"+p.orderID)
		get(browsers[p.shopper], "/api/payments?orderId="+p.orderID)
	}
	for _, b := range browsers {
		get(b, "/api/orders")
		get(b, "/api/basket")
	}
	get(staff, "/api/admin/orders")
	get(staff, "/api/admin/sales")
	get(staff, "/api/catalog/products")
	return out
}

// canonical re-encodes JSON with sorted keys, without the fields that
// change by reading (ETags are headers, not bodies).
func canonical(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return string(body)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func diff(before, after map[string]string) []string {
	var out []string
	for k, v := range before {
		if after[k] != v {
			out = append(out, fmt.Sprintf("%s:\n  before %s\n  after  %s", k, v, after[k]))
		}
	}
	slices.Sort(out)
	return out
}

// rebuildAll rebuilds every read model the back office lists, one after
// the other, and waits for each to be done.
func rebuildAll(ctx context.Context, t *testing.T, staff *harness.Browser) {
	t.Helper()
	r, err := staff.Expect(ctx, http.StatusOK, http.MethodGet, "/api/admin/projections", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := r.JSON(&list); err != nil || len(list.Items) == 0 {
		t.Fatalf("projections: %v %s", err, r)
	}
	for _, p := range list.Items {
		if _, err := staff.Expect(ctx, http.StatusAccepted, http.MethodPost, "/api/admin/projections/"+p.Name+"/rebuild?restart=true", nil, nil); err != nil {
			t.Fatal(err)
		}
		for {
			r, err := staff.Expect(ctx, http.StatusOK, http.MethodGet, "/api/admin/projections/"+p.Name, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var st struct {
				State string `json:"state"`
			}
			if err := r.JSON(&st); err != nil {
				t.Fatal(err)
			}
			if st.State == "done" {
				break
			}
			if st.State == "failed" || st.State == "interrupted" {
				t.Fatalf("rebuild of %s: %s", p.Name, r)
			}
			select {
			case <-ctx.Done():
				t.Fatalf("rebuild of %s: %s: %v", p.Name, r, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	t.Logf("rebuilt %d read models", len(list.Items))
}

// TestRefusesDataDirectory: a shop never starts over on a data directory it
// must not use. Each case prepares a directory, starts the shop on it and
// expects a non-zero exit naming the problem, with the files left as they
// were.
func TestRefusesDataDirectory(t *testing.T) {
	running := harness.StartEmbedded(t, harness.EmbeddedOptions{})
	foreign := func(t *testing.T, dir string) {
		db, err := sql.Open("sqlite", filepath.Join(dir, "shop.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('somebody else''s data')`); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, content string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name    string
		dir     string // empty: a fresh one, prepared by prepare
		prepare func(*testing.T, string)
		want    string
	}{
		{name: "another shop runs on it", dir: running.DataDir, want: "another shop is running on this data directory"},
		{name: "foreign SQLite database", prepare: foreign, want: "not an evshop database"},
		{name: "garbage instead of the database", prepare: write("shop.db", strings.Repeat("not a database\n", 400)), want: "not an evshop database"},
		{name: "damaged secrets", prepare: write("secrets.json", `{"jwtKeys": "k1:`), want: "secrets.json is damaged"},
		{name: "secrets without keys", prepare: write("secrets.json", `{"jwtKeys": "", "csrfKey": "00", "mailLinkKey": ""}`), want: "secrets.json is damaged"},
		{name: "a file as the directory", prepare: nil, want: "is a file, not a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = t.TempDir()
				if tc.prepare != nil {
					tc.prepare(t, dir)
				} else { // the data directory is a file
					dir = filepath.Join(dir, "file")
					write("", "")(t, dir)
				}
			}
			before := files(t, dir)
			addr := "127.0.0.1:0"
			out, err := harness.RunShop(t, harness.EmbeddedEnv(dir, addr, ""), 60*time.Second)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("shop on %s: %v, want an exit naming %q; it wrote:\n%s", tc.name, err, tc.want, out)
			}
			if tc.dir == "" { // what was there is untouched (the lock file may be new)
				after := files(t, dir)
				for name, content := range before {
					if after[name] != content {
						t.Errorf("the refused start changed %s (files before %v, after %v)", name, keys(before), keys(after))
					}
				}
			}
		})
	}
}

// files maps each file of dir (or dir itself, when a file) to its content.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		b, _ := os.ReadFile(dir)
		out[""] = string(b)
		return out
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func keys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// TestBackupRestore: `shopctl backup` taken while the shop serves,
// restored into an empty directory, starts a shop with the same accounts
// (the old password and the old refresh cookie sign in), orders, basket and
// stock.
func TestBackupRestore(t *testing.T) {
	shop := harness.StartEmbedded(t, harness.EmbeddedOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 85*time.Second)
	defer cancel()
	mail := shop.Mailbox()
	staff := signIn(ctx, t, shop, mail, shop.AdminEmail)
	shopper := signIn(ctx, t, shop, mail, "backup@example.com")
	if err := shopper.AddItem(ctx, "KIT-002", 2); err != nil {
		t.Fatal(err)
	}
	id, r, err := shopper.Checkout(ctx, "backup-1", harness.SandboxCard(harness.CardSuccess))
	if err != nil || id == "" {
		t.Fatalf("checkout: %v %s", err, r)
	}
	if o, err := shopper.WaitOrder(ctx, id, "Paid"); err != nil {
		t.Fatalf("order %+v: %v", o, err)
	}
	if err := shopper.AddItem(ctx, "OUT-003", 1); err != nil { // a basket left open
		t.Fatal(err)
	}
	want := settledSnapshot(ctx, t, staff, shopper, id)

	backup := filepath.Join(t.TempDir(), "backup")
	cmd := exec.CommandContext(ctx, filepath.Join(harness.Build(t), "shopctl"), "backup", "--to", backup)
	cmd.Env = append(harness.EmbeddedEnv(shop.DataDir, "", ""), "EVENTSTORE=sqlite")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("shopctl backup while the shop runs: %v\n%s", err, out)
	}
	// The shop went on serving during the backup.
	if _, err := staff.Expect(ctx, http.StatusOK, http.MethodGet, "/api/admin/orders", nil, nil); err != nil {
		t.Fatal(err)
	}
	shop.Stop()

	restored := t.TempDir()
	for _, name := range []string{"shop.db", "secrets.json"} {
		b, err := os.ReadFile(filepath.Join(backup, name))
		if err != nil {
			t.Fatalf("backup lacks %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(restored, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	again := harness.StartEmbedded(t, harness.EmbeddedOptions{DataDir: restored})
	back := shopper.MovedTo(again.URL)
	if _, err := back.Expect(ctx, http.StatusOK, http.MethodPost, "/api/auth/refresh", nil, nil); err != nil {
		t.Fatalf("the old refresh cookie on the restored shop: %v", err)
	}
	fresh, err := again.NewBrowser()
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := fresh.Login(ctx, "backup@example.com", password); err != nil {
		t.Fatalf("the old password on the restored shop: %v", err)
	}
	// The admin was created by the first shop: its password, not the new
	// run's bootstrap one, still signs in.
	if _, err := staff.MovedTo(again.URL).Expect(ctx, http.StatusOK, http.MethodPost, "/api/auth/refresh", nil, nil); err != nil {
		t.Fatalf("the admin's refresh cookie on the restored shop: %v", err)
	}
	got := settledSnapshot(ctx, t, staff.MovedTo(again.URL), back, id)
	for _, d := range diff(want, got) {
		t.Errorf("restored shop differs: %s", d)
	}
}

// snapshotShop reads the shopper's order, order list and basket, and the
// stock of the products involved.
// settledSnapshot is snapshotShop once the shop has stopped changing: an
// order reads Paid before its invoice is numbered and before the list (a
// read model) follows, so one read right after Paid can catch it midway.
// Two equal snapshots 200 ms apart count as settled (bounded by ctx).
func settledSnapshot(ctx context.Context, t *testing.T, staff, shopper *harness.Browser, orderID string) map[string]string {
	t.Helper()
	last := snapshotShop(ctx, t, staff, shopper, orderID)
	for ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond)
		next := snapshotShop(ctx, t, staff, shopper, orderID)
		if len(diff(last, next)) == 0 && len(diff(next, last)) == 0 {
			return next
		}
		last = next
	}
	t.Fatalf("the shop did not settle: %v", ctx.Err())
	return nil
}

func snapshotShop(ctx context.Context, t *testing.T, staff, shopper *harness.Browser, orderID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, g := range []struct {
		b    *harness.Browser
		path string
	}{
		{shopper, "/api/orders/" + orderID}, {shopper, "/api/orders"}, {shopper, "/api/basket"}, {shopper, "/api/auth/me"},
		{staff, "/api/catalog/products/KIT-002"}, {staff, "/api/catalog/products/OUT-003"}, {staff, "/api/admin/orders"},
	} {
		r, err := g.b.Expect(ctx, http.StatusOK, http.MethodGet, g.path, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[g.path] = canonical(r.Body)
	}
	return out
}

// TestBeyondLoopback: an embedded shop listening on every interface gets the
// server mode's defaults. Named no payment gateway, it refuses to start;
// offering Stripe, its cookies are Secure with the __Host- prefix, it
// refuses a checkout with the sandbox card (422, nothing recorded) and its
// /dev/mail answers admins only.
func TestBeyondLoopback(t *testing.T) {
	harness.Build(t) // before RunShop's time limit starts
	out, err := harness.RunShop(t, harness.EmbeddedEnv(t.TempDir(), "0.0.0.0:0", ""), 60*time.Second)
	if want := "PAYMENT_GATEWAYS is required when the embedded shop listens beyond loopback (ADDR=0.0.0.0:0)"; err == nil || !strings.Contains(out, want) {
		t.Fatalf("shop on 0.0.0.0 without PAYMENT_GATEWAYS: %v, want an exit naming %q; it wrote:\n%s", err, want, out)
	}

	stripe := testenv.Require(t, testenv.StripeURLEnv)
	shop := harness.StartEmbedded(t, harness.EmbeddedOptions{Host: "0.0.0.0",
		Env: []string{"PAYMENT_GATEWAYS=stripe", "STRIPE_SECRET_KEY=sk_test_123", "STRIPE_URL=" + stripe}})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	resp, err := http.Get(shop.URL + "/api/auth/csrf")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) == 0 {
		t.Fatal("GET /api/auth/csrf set no cookie")
	}
	for _, c := range cookies {
		if !c.Secure || !strings.HasPrefix(c.Name, "__Host-") {
			t.Errorf("cookie %s: Secure=%v, want Secure with the __Host- prefix beyond loopback", c.Name, c.Secure)
		}
	}
	anonymous, err := http.Get(shop.URL + "/dev/mail.json")
	if err != nil {
		t.Fatal(err)
	}
	anonymous.Body.Close()
	if anonymous.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous GET /dev/mail.json beyond loopback = %d, want 401", anonymous.StatusCode)
	}

	// Go's cookie jar sends Secure cookies to 127.0.0.1 like a browser to
	// localhost, so the admin signs in as over HTTPS.
	shopper, err := shop.NewBrowser()
	if err != nil {
		t.Fatal(err)
	}
	defer shopper.Close()
	if _, err := shopper.Login(ctx, shop.AdminEmail, shop.AdminPassword); err != nil {
		t.Fatal(err)
	}
	if err := shopper.AddItem(ctx, "KIT-004", 1); err != nil {
		t.Fatal(err)
	}
	_, r, err := shopper.Checkout(ctx, "beyond-loopback-1", harness.SandboxCard(harness.CardSuccess))
	if err != nil || r.Status != http.StatusUnprocessableEntity || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
		!strings.Contains(string(r.Body), "payment.method") {
		t.Fatalf("checkout with the sandbox card beyond loopback: %v %s, want 422 naming payment.method", err, r)
	}
	var cfg struct {
		PaymentMethods []string `json:"paymentMethods"`
	}
	if r, err := shopper.Expect(ctx, http.StatusOK, http.MethodGet, "/api/config", nil, nil); err != nil || r.JSON(&cfg) != nil ||
		!slices.Equal(cfg.PaymentMethods, []string{"stripe"}) {
		t.Fatalf("/api/config: %v %+v, want only stripe offered", err, cfg)
	}
	r, err = shopper.Expect(ctx, http.StatusOK, http.MethodGet, "/api/admin/orders", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var orders struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := r.JSON(&orders); err != nil || len(orders.Items) != 0 {
		t.Fatalf("orders after the refused checkout: %v %s", err, r)
	}
}
