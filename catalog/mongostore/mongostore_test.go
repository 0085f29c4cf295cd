package mongostore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/mongostore"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	var dbs sync.Map // *mongostore.Store → *mongo.Database
	catalogtest.RunWith(t, func(t *testing.T) catalog.Store {
		db := testenv.Mongo(t)
		s, err := mongostore.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		dbs.Store(s, db)
		return s
	}, func(t *testing.T, s catalog.Store, p domain.Product) catalog.Store {
		db, _ := dbs.Load(s)
		return reopen(t, db.(*mongo.Database), func() { _ = s.Insert(context.Background(), p) }, p.SKU().String())
	})
}

// reopen stores a product through insert, strips its document to the
// shape a build before variants wrote (no product id, options nor listing
// figures) and opens the store again, as the next start does.
func reopen(t *testing.T, db *mongo.Database, insert func(), sku string) *mongostore.Store {
	t.Helper()
	ctx := context.Background()
	insert()
	res, err := db.Collection(mongostore.ProductsCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: sku}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "productId", Value: ""}, {Key: "options", Value: ""}, {Key: "listing", Value: ""}}}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("strip %s: %v %+v", sku, err, res)
	}
	s, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReopen: a restart re-creates the indexes on an existing database.
func TestReopen(t *testing.T) {
	t.Parallel()
	db := testenv.Mongo(t)
	for i := range 3 {
		if _, err := mongostore.New(context.Background(), db); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
}

// TestTwoProcessesShareStock: two stores on one database stand for two
// catalog processes, each remembering the heads it wrote. What one does
// must never be hidden from the other by what the other remembers: a
// refusal is decided on a fresh read, and a write from a stale head loses
// its insert and is redone.
func TestTwoProcessesShareStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Mongo(t)
	a, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Insert(ctx, catalogtest.Product(t, "TWO-1", "Thing", "Misc", 100, 10, time.Now())); err != nil {
		t.Fatal(err)
	}
	line := func(q int) domain.Line {
		l, err := domain.NewLine("TWO-1", q)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	o1, o2, o3, o4 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	steps := []struct {
		name  string
		store *mongostore.Store
		order string
		qty   int
		want  domain.HoldOutcome
	}{
		{"a holds everything", a, o1, 10, domain.HoldApplied},
		{"b gives it back", b, o1, 0, 0},
		{"a, remembering none left, still sees b's release", a, o2, 5, domain.HoldApplied},
		{"b holds from a head it read itself", b, o3, 3, domain.HoldApplied},
		{"a writes from a stale head, loses, redoes", a, o4, 2, domain.HoldApplied},
		{"nothing left for anyone", b, uuid.NewString(), 1, domain.HoldInsufficient},
	}
	for _, st := range steps {
		if st.qty == 0 {
			if err := st.store.Unhold(ctx, st.order, line(1).SKU()); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			continue
		}
		got, err := st.store.Hold(ctx, st.order, line(st.qty))
		if err != nil || got != st.want {
			t.Fatalf("%s: %v %v, want %v", st.name, got, err, st.want)
		}
	}
	for _, s := range []*mongostore.Store{a, b} {
		p, err := s.Get(ctx, line(1).SKU())
		if err != nil || p.OnHand() != 10 || p.Reserved() != 10 {
			t.Fatalf("product: %d on hand, %d reserved (%v), want 10 and 10", p.OnHand(), p.Reserved(), err)
		}
	}

	// The reservation a created as pending is moved on by b; a's commit
	// must see that instead of refusing from what it remembers.
	r, err := domain.NewReservation(o2, []domain.Line{line(5)})
	if err != nil {
		t.Fatal(err)
	}
	if _, created, err := a.CreateReservation(ctx, r); err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if _, err := b.TransitionReservation(ctx, o2, []domain.ReservationStatus{domain.StatusPending}, domain.StatusReserved, "", nil); err != nil {
		t.Fatal(err)
	}
	got, err := a.TransitionReservation(ctx, o2, []domain.ReservationStatus{domain.StatusReserved}, domain.StatusCommitted, "", nil)
	if err != nil || got.Status() != domain.StatusCommitted {
		t.Fatalf("commit through a: %v %v, want committed", got.Status(), err)
	}
}
