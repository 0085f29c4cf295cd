package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/catalog/pgstock"
	domaincatalog "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/e2e/harness"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/orders"
	ledger "github.com/evshop/shop/projections/payments"
)

// checker reads the shop's stores directly (not through the APIs, whose
// caches and authorization would only blur what is stored).
type checker struct {
	c       *harness.Cluster
	pool    *pgxpool.Pool
	events  *postgres.Store
	orders  *orders.Postgres
	ledger  *ledger.Postgres
	baskets *baskets.Redis
	catalog *pgstock.Store
}

func newChecker(ctx context.Context, t *testing.T, c *harness.Cluster) *checker {
	t.Helper()
	pool, err := pg.Connect(ctx, c.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	es, err := postgres.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	live, err := orders.NewPostgres(pool, "")
	if err != nil {
		t.Fatal(err)
	}
	led, err := ledger.NewPostgres(pool)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(c.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	// The basket service's key layout (wiring.Basket).
	bsk, err := baskets.NewRedis(rdb, c.BusPrefix+":baskets")
	if err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(c.MongoURL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Disconnect(context.Background()) }) //nolint:errcheck
	products, err := mongostore.New(ctx, client.Database(c.MongoDB))
	if err != nil {
		t.Fatal(err)
	}
	// The catalog as the services read it: products in MongoDB, stock
	// counts and holds in PostgreSQL (CATALOG_STOCK=postgres, the default).
	cat, err := pgstock.New(ctx, products, pool)
	if err != nil {
		t.Fatal(err)
	}
	return &checker{c: c, pool: pool, events: es, orders: live, ledger: led, baskets: bsk, catalog: cat}
}

type counters struct{ onHand, reserved int }

func (k *checker) stock(ctx context.Context, t *testing.T) map[string]counters {
	t.Helper()
	out := map[string]counters{}
	for _, s := range products {
		sku, err := domaincatalog.NewSKU(s)
		if err != nil {
			t.Fatal(err)
		}
		p, err := k.catalog.Get(ctx, sku)
		if err != nil {
			t.Fatalf("catalog %s: %v", s, err)
		}
		out[s] = counters{p.OnHand(), p.Reserved()}
	}
	return out
}

// eventually retries check until it reports nothing or the wait is over,
// and returns its last report.
func eventually(ctx context.Context, wait time.Duration, check func() []string) []string {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		problems := check()
		if len(problems) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return problems
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func report(t *testing.T, what string, problems []string) {
	t.Helper()
	if len(problems) == 0 {
		return
	}
	shown := problems[:min(len(problems), 15)]
	t.Errorf("%s: %d problems:\n  %s", what, len(problems), strings.Join(shown, "\n  "))
}

// terminal counts the orders the read model shows Paid or Cancelled.
func (k *checker) terminal(ctx context.Context) int {
	n := 0
	for _, st := range []ordering.Status{ordering.StatusPaid, ordering.StatusCancelled} {
		if p, err := k.orders.List(ctx, orders.Query{Status: string(st), PageSize: 1}); err == nil {
			n += p.Total
		}
	}
	return n
}

// drain waits until every accepted order is terminal in the orders read
// model and returns them. It stops the test when some never get there.
func (k *checker) drain(ctx context.Context, t *testing.T, acc []accepted, wait time.Duration) map[string]orders.Order {
	t.Helper()
	final := map[string]orders.Order{}
	problems := eventually(ctx, wait, func() []string {
		var out []string
		for _, a := range acc {
			if o, ok := final[a.orderID]; ok && (o.Status == string(ordering.StatusPaid) || o.Status == string(ordering.StatusCancelled)) {
				continue
			}
			o, err := k.orders.Get(ctx, a.orderID)
			if err != nil {
				out = append(out, fmt.Sprintf("order %s: %v", a.orderID, err))
				continue
			}
			final[a.orderID] = o
			if o.Status != string(ordering.StatusPaid) && o.Status != string(ordering.StatusCancelled) {
				out = append(out, fmt.Sprintf("order %s is %s (history %v)", a.orderID, o.Status, o.History))
			}
		}
		return out
	})
	if len(problems) > 0 {
		report(t, "orders not terminal (or lost)", problems)
		t.FailNow()
	}
	return final
}

// noLostOrders: every 202 has its order, for the right customer, and the
// event store holds no order nobody was told about twice.
func (k *checker) noLostOrders(t *testing.T, acc []accepted, final map[string]orders.Order) {
	t.Helper()
	var problems []string
	seen := map[string]bool{}
	for _, a := range acc {
		if seen[a.orderID] {
			problems = append(problems, fmt.Sprintf("order id %s accepted twice", a.orderID))
		}
		seen[a.orderID] = true
		if _, ok := final[a.orderID]; !ok {
			problems = append(problems, fmt.Sprintf("order %s was accepted but is not in the read model", a.orderID))
		}
	}
	report(t, "lost orders", problems)
}

// payments: at most one capture per payment stream; a Paid order has
// exactly one, for its total; a Cancelled one none; the ledger agrees.
func (k *checker) payments(ctx context.Context, t *testing.T, acc []accepted, final map[string]orders.Order) (paid int) {
	t.Helper()
	captures := map[string]int{}
	for ev, err := range k.events.ReadAll(ctx, 0, eventstore.Filter{StreamPrefixes: []string{payment.StreamPrefix}, EventTypes: []string{payment.EventPaymentCaptured}}) {
		if err != nil {
			t.Fatal(err)
		}
		captures[strings.TrimPrefix(ev.Stream, payment.StreamPrefix)]++
	}
	var problems []string
	for pid, n := range captures {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("payment %s captured %d times", pid, n))
		}
	}
	for _, a := range acc {
		o := final[a.orderID]
		pid := payment.IDForOrder(a.orderID)
		switch o.Status {
		case string(ordering.StatusPaid):
			paid++
			if captures[pid] != 1 {
				problems = append(problems, fmt.Sprintf("paid order %s has %d captures", a.orderID, captures[pid]))
			}
			if a.declined {
				problems = append(problems, fmt.Sprintf("order %s paid with a declined card", a.orderID))
			}
		case string(ordering.StatusCancelled):
			if captures[pid] != 0 {
				problems = append(problems, fmt.Sprintf("cancelled order %s has %d captures", a.orderID, captures[pid]))
			}
			if o.CancelReason == "" {
				problems = append(problems, fmt.Sprintf("cancelled order %s has no reason", a.orderID))
			}
		}
	}
	report(t, "payments (event store)", problems)
	// The ledger read model says the same (it may lag a little).
	report(t, "payments ledger", eventually(ctx, 30*time.Second, func() []string {
		var out []string
		for _, a := range acc {
			o := final[a.orderID]
			ps, err := k.ledger.ByOrder(ctx, a.orderID)
			if err != nil {
				out = append(out, err.Error())
				continue
			}
			var captured int64
			for _, p := range ps {
				captured += p.Captured
			}
			want := int64(0)
			if o.Status == string(ordering.StatusPaid) {
				want = o.Total.Amount
			}
			if captured != want {
				out = append(out, fmt.Sprintf("order %s (%s): ledger captured %d, want %d", a.orderID, o.Status, captured, want))
			}
		}
		return out
	}))
	// No cancelled order keeps a hold on the customer's money: the
	// authorization is asked for beside the reservation, so an order whose
	// stock ran short was authorized all the same, and must be voided (the
	// void trails the cancellation a little).
	report(t, "holds of cancelled orders", eventually(ctx, 30*time.Second, func() []string {
		last := map[string]string{} // payment id → its last authorization or void
		for ev, err := range k.events.ReadAll(ctx, 0, eventstore.Filter{StreamPrefixes: []string{payment.StreamPrefix},
			EventTypes: []string{payment.EventPaymentAuthorized, payment.EventPaymentVoided}}) {
			if err != nil {
				return []string{err.Error()}
			}
			last[strings.TrimPrefix(ev.Stream, payment.StreamPrefix)] = ev.Type
		}
		var out []string
		for _, a := range acc {
			pid := payment.IDForOrder(a.orderID)
			if final[a.orderID].Status == string(ordering.StatusCancelled) && last[pid] == payment.EventPaymentAuthorized {
				out = append(out, fmt.Sprintf("cancelled order %s: its payment %s is still authorized", a.orderID, pid))
			}
		}
		return out
	}))
	return paid
}

// stockBalanced: on hand = initial − paid units, nothing left reserved
// (CommitStock and ReleaseStock trail the terminal event a little).
func (k *checker) stockBalanced(ctx context.Context, t *testing.T, initial map[string]counters, final map[string]orders.Order) {
	t.Helper()
	sold := map[string]int{}
	for _, o := range final {
		if o.Status == string(ordering.StatusPaid) {
			for _, l := range o.Lines {
				sold[l.SKU] += l.Quantity
			}
		}
	}
	report(t, "stock", eventually(ctx, 30*time.Second, func() []string {
		var out []string
		for sku, now := range k.stock(ctx, t) {
			want := counters{initial[sku].onHand - sold[sku], 0}
			if now != want {
				out = append(out, fmt.Sprintf("%s: onHand=%d reserved=%d, want onHand=%d (initial %d − %d paid) reserved=0",
					sku, now.onHand, now.reserved, want.onHand, initial[sku].onHand, sold[sku]))
			}
		}
		return out
	}))
	t.Logf("stock: sold %v", sold)
}

// emails: each shopper got exactly one confirmation per paid order and
// none for a cancelled one.
func (k *checker) emails(ctx context.Context, t *testing.T, shoppers []*shopper, acc []accepted, final map[string]orders.Order) {
	t.Helper()
	mail := k.c.Mailbox()
	count := func() ([]string, []string) {
		var missing, wrong []string
		byCustomer := map[int][]accepted{}
		for _, a := range acc {
			byCustomer[a.customer] = append(byCustomer[a.customer], a)
		}
		for _, s := range shoppers {
			mails, err := mail.To(ctx, s.email, 2*time.Second)
			if err != nil {
				return []string{err.Error()}, nil
			}
			for _, a := range byCustomer[s.idx] {
				n := 0
				for _, m := range mails {
					if strings.Contains(m.Subject, a.orderID) && strings.Contains(m.Subject, "confirmed") {
						n++
					}
				}
				paid := final[a.orderID].Status == string(ordering.StatusPaid)
				switch {
				case paid && n == 0:
					missing = append(missing, fmt.Sprintf("%s: no confirmation for paid order %s", s.email, a.orderID))
				case paid && n > 1:
					wrong = append(wrong, fmt.Sprintf("%s: %d confirmations for order %s", s.email, n, a.orderID))
				case !paid && n > 0:
					wrong = append(wrong, fmt.Sprintf("%s: %d confirmations for cancelled order %s", s.email, n, a.orderID))
				}
			}
		}
		return missing, wrong
	}
	var wrong []string
	missing := eventually(ctx, 60*time.Second, func() []string {
		var m []string
		m, wrong = count()
		return m
	})
	// Give a late duplicate the chance to show up before judging.
	time.Sleep(2 * time.Second)
	if len(missing) == 0 {
		missing, wrong = count()
	}
	report(t, "confirmation emails missing", missing)
	report(t, "confirmation emails wrong", wrong)
}

// normalize turns v into plain JSON values with every timestamp in UTC at
// microsecond precision (what PostgreSQL keeps), so a read model and its
// rebuild compare equal when they hold the same facts.
func normalize(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				x[k] = walk(v)
			}
		case []any:
			for i, v := range x {
				x[i] = walk(v)
			}
		case string:
			if ts, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return ts.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
			}
		}
		return x
	}
	return walk(out)
}

func diff(t *testing.T, what string, live, rebuilt any) string {
	a, b := normalize(t, live), normalize(t, rebuilt)
	if reflect.DeepEqual(a, b) {
		return ""
	}
	la, _ := json.Marshal(a)
	lb, _ := json.Marshal(b)
	return fmt.Sprintf("%s:\n    live    %s\n    rebuilt %s", what, la, lb)
}

// replay folds the whole event store into fresh in-memory read models.
type replayed struct {
	orders   *orders.Memory
	ledger   *ledger.Memory
	baskets  *baskets.Memory
	orderIDs []string
}

func (k *checker) replay(ctx context.Context, t *testing.T) replayed {
	t.Helper()
	r := replayed{orders: orders.NewMemory(), ledger: ledger.NewMemory(), baskets: baskets.NewMemory()}
	op, err := orders.NewProjector(r.orders)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := ledger.NewProjector(r.ledger)
	if err != nil {
		t.Fatal(err)
	}
	bp, err := baskets.NewProjector(r.baskets)
	if err != nil {
		t.Fatal(err)
	}
	for ev, err := range k.events.ReadAll(ctx, 0, eventstore.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []interface {
			Handle(context.Context, eventstore.RecordedEvent) error
		}{op, lp, bp} {
			if err := h.Handle(ctx, ev); err != nil {
				t.Fatalf("replay %s %s: %v", ev.Type, ev.Stream, err)
			}
		}
		if id, ok := strings.CutPrefix(ev.Stream, ordering.StreamPrefix); ok && ev.Revision == 0 {
			r.orderIDs = append(r.orderIDs, id)
		}
	}
	return r
}

// projections: the live orders, payments ledger and baskets read models
// equal a replay of the event store into fresh ones; then `shopctl
// projections rebuild orders` (shadow tables, swap) changes nothing.
func (k *checker) projections(ctx context.Context, t *testing.T, shoppers []*shopper) {
	t.Helper()
	r := k.replay(ctx, t)
	if len(r.orderIDs) == 0 {
		t.Error("projections: the event store holds no order")
		return
	}
	report(t, "projections differ from a fresh replay", eventually(ctx, 30*time.Second, func() []string {
		var out []string
		for _, id := range r.orderIDs {
			live, err := k.orders.Get(ctx, id)
			if err != nil {
				out = append(out, fmt.Sprintf("orders %s: %v", id, err))
				continue
			}
			fresh, _ := r.orders.Get(ctx, id)
			if d := diff(t, "orders "+id, live, fresh); d != "" {
				out = append(out, d)
			}
			lp, err := k.ledger.ByOrder(ctx, id)
			if err != nil {
				out = append(out, fmt.Sprintf("payments %s: %v", id, err))
				continue
			}
			fp, _ := r.ledger.ByOrder(ctx, id)
			if d := diff(t, "payments "+id, lp, fp); d != "" {
				out = append(out, d)
			}
		}
		for _, s := range shoppers {
			live, lerr := k.baskets.Get(ctx, s.userID)
			fresh, ferr := r.baskets.Get(ctx, s.userID)
			if (lerr == nil) != (ferr == nil) {
				out = append(out, fmt.Sprintf("baskets %s: live err %v, rebuilt err %v", s.userID, lerr, ferr))
				continue
			}
			if d := diff(t, "baskets "+s.userID, live, fresh); d != "" {
				out = append(out, d)
			}
		}
		return out
	}))

	before := map[string]any{}
	for _, id := range r.orderIDs {
		o, err := k.orders.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		before[id] = o
	}
	k.shopctl(ctx, t, "projections", "rebuild", orders.RebuildName)
	var problems []string
	for _, id := range r.orderIDs {
		o, err := k.orders.Get(ctx, id)
		if err != nil {
			problems = append(problems, fmt.Sprintf("orders %s after shopctl rebuild: %v", id, err))
			continue
		}
		if d := diff(t, "orders "+id, before[id], o); d != "" {
			problems = append(problems, "shopctl rebuild changed "+d)
		}
	}
	report(t, "orders read model after `shopctl projections rebuild orders`", problems)
	t.Logf("projections: %d orders, %d baskets equal a fresh replay; shopctl rebuild of orders changed nothing: %v",
		len(r.orderIDs), len(shoppers), len(problems) == 0)
}

// shopctl runs the operators' tool against this cluster's servers.
func (k *checker) shopctl(ctx context.Context, t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(k.c.BinDir(), "shopctl"), args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"POSTGRES_URL=" + k.c.PostgresURL, "REDIS_URL=" + k.c.RedisURL, "BUS_PREFIX=" + k.c.BusPrefix,
		"AMQP_URL=" + k.c.AMQPURL, "MONGO_URL=" + k.c.MongoURL, "MONGO_DB=" + k.c.MongoDB,
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("shopctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	t.Logf("shopctl %s: %s", strings.Join(args, " "), strings.TrimSpace(stderr.String()))
	return out
}

// deadLetters: after the faults, no message may have been given up on.
func (k *checker) deadLetters(ctx context.Context, t *testing.T) {
	t.Helper()
	out := k.shopctl(ctx, t, "deadletters", "list", "--json", "--limit", "1000")
	var list []struct {
		Handler string
		Reason  string
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("deadletters list: %v: %s", err, out)
	}
	var problems []string
	for _, d := range list {
		problems = append(problems, d.Handler+": "+d.Reason)
	}
	slices.Sort(problems)
	report(t, "dead letters", problems)
}
