package sqlitestore_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/sqlitestore"
	smsqlite "github.com/evshop/shop/catalog/stockmoves/sqlite"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	dbs := sync.Map{} // *sqlitestore.Store → *sqlite.DB
	open := func(t *testing.T) *sqlitestore.Store {
		db := testenv.SQLite(t)
		s, err := sqlitestore.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		dbs.Store(s, db)
		return s
	}
	// A row as the build before variants wrote it: no product_id (the
	// column's default), no options; the next start runs no migration.
	legacy := func(t *testing.T, s catalog.Store, p domain.Product) catalog.Store {
		inner := s
		if w, ok := s.(struct{ catalog.Store }); ok {
			inner = w.Store
		}
		v, _ := dbs.Load(inner)
		db := v.(*sqlite.DB)
		_, err := db.Write.ExecContext(context.Background(), `INSERT INTO catalog_products (sku, name, name_key, description, category,
			attributes, price_amount, currency, images, search_text, on_hand, reserved, archived, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, '{}', ?, ?, '[]', ?, ?, 0, 0, ?, ?, 1)`,
			p.SKU().String(), p.Name(), domain.NameKey(p.Name()), p.Description(), p.Category().String(), p.Price().Amount(),
			p.Price().Currency(), domain.SearchText(p), p.OnHand(), p.CreatedAt().UnixNano(), p.UpdatedAt().UnixNano())
		if err != nil {
			t.Fatal(err)
		}
		next, err := sqlitestore.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if inner != s {
			return struct{ catalog.Store }{next}
		}
		return next
	}
	cases := []struct {
		name  string
		store func(t *testing.T) catalog.Store
	}{
		// The Service reserves, releases and commits whole orders through
		// catalog.OrderStore, one transaction each.
		{"whole orders", func(t *testing.T) catalog.Store { return open(t) }},
		// Hiding OrderStore makes the Service compose the per-line steps,
		// which must keep the same promises.
		{"per-line steps", func(t *testing.T) catalog.Store { return struct{ catalog.Store }{open(t)} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			catalogtest.RunWith(t, c.store, legacy)
		})
	}
}

// TestReopenKeepsStockAndReservations: what a reservation did is still there
// after the database is closed and opened again (a restart).
func TestReopenKeepsStockAndReservations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	order := uuid.NewString()
	l, err := domain.NewLine("KEEP-1", 3)
	if err != nil {
		t.Fatal(err)
	}
	steps := []func(t *testing.T, svc *catalog.Service, s *sqlitestore.Store){
		func(t *testing.T, svc *catalog.Service, s *sqlitestore.Store) {
			if err := s.Insert(ctx, catalogtest.Product(t, "KEEP-1", "Kept", "Misc", 100, 10, time.Now())); err != nil {
				t.Fatal(err)
			}
			if r, err := svc.Reserve(ctx, order, []domain.Line{l}); err != nil || r.Status() != domain.StatusReserved {
				t.Fatalf("reserve: %v %v", r.Status(), err)
			}
		},
		func(t *testing.T, svc *catalog.Service, s *sqlitestore.Store) {
			r, err := s.GetReservation(ctx, order)
			if err != nil || r.Status() != domain.StatusReserved || len(r.Lines()) != 1 || r.Lines()[0].Quantity() != 3 {
				t.Fatalf("reservation after reopen: %+v %v", r, err)
			}
			if r, err := svc.Commit(ctx, order); err != nil || r.Status() != domain.StatusCommitted {
				t.Fatalf("commit after reopen: %v %v", r.Status(), err)
			}
		},
		func(t *testing.T, _ *catalog.Service, s *sqlitestore.Store) {
			p, err := s.Get(ctx, l.SKU())
			if err != nil || p.OnHand() != 7 || p.Reserved() != 0 || p.Name() != "Kept" {
				t.Fatalf("product after reopen: %+v %v", p.State(), err)
			}
		},
	}
	for _, step := range steps {
		db, err := sqlitedriver.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sqlitestore.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := catalog.New(catalog.Config{Store: s})
		if err != nil {
			t.Fatal(err)
		}
		step(t, svc, s)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// counted is the SQLite store counting product reads; its other interfaces
// (OrderStore, StockOverlay) stay visible.
type counted struct {
	*sqlitestore.Store
	catalogtest.Reads
}

func (c *counted) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	c.Gets.Add(1)
	return c.Store.Get(ctx, sku)
}

func (c *counted) Family(ctx context.Context, id domain.SKU) ([]domain.Product, error) {
	c.Families.Add(1)
	return c.Store.Family(ctx, id)
}

// TestCachedProductsAcrossStockChanges: the store overlays its stock
// counters, so a checkout's reserve and commit keep the cached product
// details, wired as the durable shop does (memory cache, movements in the
// same database).
func TestCachedProductsAcrossStockChanges(t *testing.T) {
	t.Parallel()
	catalogtest.CachedAcrossStockChanges(t, []catalogtest.CachedStore{{Name: "sqlite",
		Open: func(t *testing.T) (catalog.Config, *catalogtest.Reads) {
			db := testenv.SQLite(t)
			s, err := sqlitestore.New(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			moves, err := smsqlite.New(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			c := &counted{Store: s}
			return catalog.Config{Store: c, Cache: kvcache.NewMemory(0), Moves: moves}, &c.Reads
		}}})
}
