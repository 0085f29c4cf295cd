package pgstock_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/catalog/pgstock"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/testenv"
)

func open(t testing.TB, db *mongo.Database, pool *pgxpool.Pool) *pgstock.Store {
	t.Helper()
	ctx := context.Background()
	products, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgstock.New(ctx, products, pool)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	type conns struct {
		db   *mongo.Database
		pool *pgxpool.Pool
	}
	var opened sync.Map // *pgstock.Store → conns
	catalogtest.RunWith(t, func(t *testing.T) catalog.Store {
		c := conns{testenv.Mongo(t), testenv.Postgres(t)}
		s := open(t, c.db, c.pool)
		opened.Store(s, c)
		return s
	}, func(t *testing.T, s catalog.Store, p domain.Product) catalog.Store {
		// The document as a build before variants wrote it, then the next start.
		v, _ := opened.Load(s)
		c := v.(conns)
		ctx := context.Background()
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := c.db.Collection(mongostore.ProductsCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: p.SKU().String()}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "productId", Value: ""}, {Key: "options", Value: ""}, {Key: "listing", Value: ""}}}}); err != nil {
			t.Fatal(err)
		}
		return open(t, c.db, c.pool)
	})
}

func line(t testing.TB, sku string, q int) domain.Line {
	t.Helper()
	l, err := domain.NewLine(sku, q)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func wantStock(t testing.TB, s catalog.Store, sku string, onHand, reserved int) {
	t.Helper()
	k, err := domain.NewSKU(sku)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Get(context.Background(), k)
	if err != nil || p.OnHand() != onHand || p.Reserved() != reserved {
		t.Fatalf("%s: %d on hand, %d reserved (%v), want %d and %d", sku, p.OnHand(), p.Reserved(), err, onHand, reserved)
	}
}

// TestTwoProcessesShareStock: two stores on one pair of databases stand for
// two catalog processes; what one does is seen by the other at once, and
// neither can oversell.
func TestTwoProcessesShareStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, pool := testenv.Mongo(t), testenv.Postgres(t)
	a, b := open(t, db, pool), open(t, db, pool)
	if err := a.Insert(ctx, catalogtest.Product(t, "TWO-1", "Thing", "Misc", 100, 10, time.Now())); err != nil {
		t.Fatal(err)
	}
	o1, o2, o3, o4 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	steps := []struct {
		name  string
		store *pgstock.Store
		order string
		qty   int
		want  domain.HoldOutcome
	}{
		{"a holds everything", a, o1, 10, domain.HoldApplied},
		{"b holds nothing more", b, o2, 1, domain.HoldInsufficient},
		{"b gives a's hold back", b, o1, 0, 0},
		{"a sees b's release", a, o2, 5, domain.HoldApplied},
		{"b holds", b, o3, 3, domain.HoldApplied},
		{"a holds the rest", a, o4, 2, domain.HoldApplied},
		{"a's retry through b is a no-op", b, o4, 2, domain.HoldAlreadyHeld},
		{"nothing left for anyone", b, uuid.NewString(), 1, domain.HoldInsufficient},
	}
	for _, st := range steps {
		if st.qty == 0 {
			if err := st.store.Unhold(ctx, st.order, line(t, "TWO-1", 1).SKU()); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			continue
		}
		got, err := st.store.Hold(ctx, st.order, line(t, "TWO-1", st.qty))
		if err != nil || got != st.want {
			t.Fatalf("%s: %v %v, want %v", st.name, got, err, st.want)
		}
	}
	wantStock(t, a, "TWO-1", 10, 10)
	wantStock(t, b, "TWO-1", 10, 10)

	// Two services, one per process, race whole orders for the same units.
	if _, err := a.AdjustStock(ctx, line(t, "TWO-1", 1).SKU(), 20); err != nil {
		t.Fatal(err)
	}
	won := race(t, []*catalog.Service{service(t, a), service(t, b)}, "TWO-1", 40)
	if won != 20 {
		t.Fatalf("%d orders won the 20 units", won)
	}
	wantStock(t, b, "TWO-1", 30, 30)
}

func service(t testing.TB, s catalog.Store) *catalog.Service {
	t.Helper()
	svc, err := catalog.New(catalog.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestDuplicateDeliveries: the saga's reserve, commit and release commands
// delivered many times at once, and again later, change the stock once.
func TestDuplicateDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, testenv.Mongo(t), testenv.Postgres(t))
	for _, sku := range []string{"DUP-1", "DUP-2"} {
		if err := s.Insert(ctx, catalogtest.Product(t, sku, "Thing", "Misc", 100, 10, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	svc := service(t, s)
	many := func(op func() (domain.Reservation, error)) {
		t.Helper()
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := op(); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	committed, released := uuid.NewString(), uuid.NewString()
	lines := []domain.Line{line(t, "DUP-1", 2), line(t, "DUP-2", 3)}
	steps := []struct {
		name       string
		op         func() (domain.Reservation, error)
		one, two   [2]int // on hand, reserved of DUP-1 and DUP-2 afterwards
		wantStatus domain.ReservationStatus
		order      string
	}{
		{"reserve A", func() (domain.Reservation, error) { return svc.Reserve(ctx, committed, lines) }, [2]int{10, 2}, [2]int{10, 3}, domain.StatusReserved, committed},
		{"reserve B", func() (domain.Reservation, error) { return svc.Reserve(ctx, released, lines) }, [2]int{10, 4}, [2]int{10, 6}, domain.StatusReserved, released},
		{"commit A", func() (domain.Reservation, error) { return svc.Commit(ctx, committed) }, [2]int{8, 2}, [2]int{7, 3}, domain.StatusCommitted, committed},
		{"release B", func() (domain.Reservation, error) { return svc.Release(ctx, released) }, [2]int{8, 0}, [2]int{7, 0}, domain.StatusReleased, released},
		{"reserve A again", func() (domain.Reservation, error) { return svc.Reserve(ctx, committed, lines) }, [2]int{8, 0}, [2]int{7, 0}, domain.StatusCommitted, committed},
		{"reserve B again", func() (domain.Reservation, error) { return svc.Reserve(ctx, released, lines) }, [2]int{8, 0}, [2]int{7, 0}, domain.StatusReleased, released},
	}
	for _, st := range steps {
		many(st.op)
		for range 2 { // and once more, later
			if _, err := st.op(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		wantStock(t, s, "DUP-1", st.one[0], st.one[1])
		wantStock(t, s, "DUP-2", st.two[0], st.two[1])
		r, err := s.GetReservation(ctx, st.order)
		if err != nil || r.Status() != st.wantStatus {
			t.Fatalf("%s: %v %v, want %s", st.name, r.Status(), err, st.wantStatus)
		}
	}
	if _, err := svc.Release(ctx, committed); !errors.Is(err, domain.ErrAlreadyCommitted) {
		t.Fatalf("release of a committed order: %v", err)
	}
	if _, err := svc.Commit(ctx, released); !errors.Is(err, domain.ErrNotReserved) {
		t.Fatalf("commit of a released order: %v", err)
	}
	wantStock(t, s, "DUP-1", 8, 0)
}

// TestHandOverFromMongo: a deployment whose stock lived in MongoDB keeps its
// figures: each SKU's counts and in-flight holds are copied the first time
// it has no stock row, the open reservations at the first start, and the
// orders in flight then reserve, commit and release as before.
func TestHandOverFromMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, pool := testenv.Mongo(t), testenv.Postgres(t)
	old, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	oldSvc := service(t, old)
	for _, sku := range []string{"OLD-1", "OLD-2", "OLD-3"} {
		if err := old.Insert(ctx, catalogtest.Product(t, sku, "Old "+sku, "Misc", 100, 10, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := oldSvc.AdjustStock(ctx, "OLD-3", 5); err != nil {
		t.Fatal(err)
	}
	held, toCommit, toRelease, done := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	for _, o := range []string{held, toCommit, toRelease, done} {
		if r, err := oldSvc.Reserve(ctx, o, []domain.Line{line(t, "OLD-1", 1), line(t, "OLD-2", 2)}); err != nil || r.Status() != domain.StatusReserved {
			t.Fatalf("reserve on mongo: %v %v", r.Status(), err)
		}
	}
	if _, err := oldSvc.Commit(ctx, done); err != nil {
		t.Fatal(err)
	}
	// Mongo now: OLD-1 9 on hand / 3 reserved, OLD-2 8 / 6, OLD-3 15 / 0.

	s := open(t, db, pool)
	open(t, db, pool) // a second start imports nothing twice
	cases := []struct {
		sku              string
		onHand, reserved int
	}{{"OLD-1", 9, 3}, {"OLD-2", 8, 6}, {"OLD-3", 15, 0}}
	for _, c := range cases {
		wantStock(t, s, c.sku, c.onHand, c.reserved)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM catalog.stock_reservations`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d reservations imported (%v), want the 3 open ones", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM catalog.stock_holds WHERE sku = 'OLD-2'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d holds copied (%v), want 3", n, err)
	}
	// The copy happens once: later changes in MongoDB are not PostgreSQL's.
	if _, err := oldSvc.AdjustStock(ctx, "OLD-3", 5); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "OLD-3", 15, 0)

	svc := service(t, s)
	if r, err := svc.Reserve(ctx, held, []domain.Line{line(t, "OLD-1", 1), line(t, "OLD-2", 2)}); err != nil || r.Status() != domain.StatusReserved {
		t.Fatalf("redelivered reserve: %v %v", r.Status(), err)
	}
	if _, err := svc.Commit(ctx, toCommit); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Release(ctx, toRelease); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "OLD-1", 8, 1)
	wantStock(t, s, "OLD-2", 6, 2)
	// The product that existed only in MongoDB's chain sells from PostgreSQL.
	if r, err := svc.Reserve(ctx, uuid.NewString(), []domain.Line{line(t, "OLD-3", 15)}); err != nil || r.Status() != domain.StatusReserved {
		t.Fatalf("reserve handed-over stock: %v %v", r.Status(), err)
	}
	wantStock(t, s, "OLD-3", 15, 15)

	// Two processes meeting a not yet copied SKU at once copy it once.
	if err := old.Insert(ctx, catalogtest.Product(t, "OLD-4", "Old OLD-4", "Misc", 100, 6, time.Now())); err != nil {
		t.Fatal(err)
	}
	if r, err := oldSvc.Reserve(ctx, uuid.NewString(), []domain.Line{line(t, "OLD-4", 2)}); err != nil || r.Status() != domain.StatusReserved {
		t.Fatalf("reserve on mongo: %v %v", r.Status(), err)
	}
	won := race(t, []*catalog.Service{service(t, open(t, db, pool)), service(t, open(t, db, pool))}, "OLD-4", 10)
	if won != 4 {
		t.Fatalf("%d orders won the 4 units left", won)
	}
	wantStock(t, s, "OLD-4", 6, 6)
}

// TestArchivedMirrorCatchesUp: archiving writes MongoDB, then the stock
// row's mirror; when a crash loses the second write, the next read of the
// product (the admin's retry reads it first) repairs the mirror, and from
// then on the product cannot be reserved.
func TestArchivedMirrorCatchesUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, pool := testenv.Mongo(t), testenv.Postgres(t)
	s := open(t, db, pool)
	products, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p := catalogtest.Product(t, "ARC-1", "Thing", "Misc", 100, 10, time.Now())
	if err := s.Insert(ctx, p); err != nil {
		t.Fatal(err)
	}
	// Only the MongoDB half of the archive happened.
	if err := products.Update(ctx, p.Archived(time.Now()), p.Version()); err != nil {
		t.Fatal(err)
	}
	svc := service(t, s)
	got, err := svc.Get(ctx, "ARC-1")
	if err != nil || !got.IsArchived() || got.OnHand() != 10 {
		t.Fatalf("read: %+v %v", got.State(), err)
	}
	r, err := svc.Reserve(ctx, uuid.NewString(), []domain.Line{line(t, "ARC-1", 1)})
	if err != nil || r.Status() != domain.StatusFailed || r.Reason() != domain.ReasonArchived {
		t.Fatalf("reserve after repair: %v %q %v, want failed, %q", r.Status(), r.Reason(), err, domain.ReasonArchived)
	}
	wantStock(t, s, "ARC-1", 10, 0)
}

// race places orders of one unit of sku at once, alternating between svcs
// (one per process), and returns how many were reserved.
func race(t *testing.T, svcs []*catalog.Service, sku string, orders int) int {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	var won atomic.Int64
	for i := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := svcs[i%len(svcs)].Reserve(ctx, uuid.NewString(), []domain.Line{line(t, sku, 1)})
			if err != nil {
				t.Error(err)
				return
			}
			if r.Status() == domain.StatusReserved {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(won.Load())
}
