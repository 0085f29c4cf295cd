package catalog_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/memory"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/catalog/pgstock"
	"github.com/evshop/shop/catalog/sqlitestore"
	"github.com/evshop/shop/catalog/stockmoves"
	smmemory "github.com/evshop/shop/catalog/stockmoves/memory"
	smpostgres "github.com/evshop/shop/catalog/stockmoves/postgres"
	smsqlite "github.com/evshop/shop/catalog/stockmoves/sqlite"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/testenv"
)

// moveStores are the stock stores with the movement log each mode pairs
// them with: memory and MongoDB record after the change, SQLite and
// PostgreSQL in the same transaction (catalog.StockMover).
var moveStores = []struct {
	name string
	mk   func(t *testing.T) (catalog.Store, stockmoves.Log)
}{
	{"memory", func(t *testing.T) (catalog.Store, stockmoves.Log) { return memory.New(), smmemory.New() }},
	{"sqlite", func(t *testing.T) (catalog.Store, stockmoves.Log) {
		db := testenv.SQLite(t)
		s, err := sqlitestore.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		l, err := smsqlite.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return s, l
	}},
	{"pgstock", func(t *testing.T) (catalog.Store, stockmoves.Log) {
		ctx := context.Background()
		products, err := mongostore.New(ctx, testenv.Mongo(t))
		if err != nil {
			t.Fatal(err)
		}
		pool := testenv.Postgres(t)
		s, err := pgstock.New(ctx, products, pool)
		if err != nil {
			t.Fatal(err)
		}
		l, err := smpostgres.New(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		return s, l
	}},
}

func moveService(t *testing.T, store catalog.Store, log stockmoves.Log) *catalog.Service {
	t.Helper()
	svc, err := catalog.New(catalog.Config{Store: store, Moves: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Insert(context.Background(), catalogtest.Product(t, "MV-1", "Mover", "Tools", 500, 10, time.Now())); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestMoveStock(t *testing.T) {
	t.Parallel()
	const admin = "00000000-0000-4000-8000-000000000001"
	for _, st := range moveStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			store, log := st.mk(t)
			svc := moveService(t, store, log)
			ctx := context.Background()
			steps := []struct {
				name       string
				m          catalog.Movement
				wantErr    error
				wantOnHand int
			}{
				{"received", catalog.Movement{Delta: 5, Reason: stockmoves.ReasonReceived, Note: "PO 17", Actor: admin, Ref: "k1"}, nil, 15},
				{"same ref again moves nothing", catalog.Movement{Delta: 5, Reason: stockmoves.ReasonReceived, Actor: admin, Ref: "k1"}, nil, 15},
				{"damaged", catalog.Movement{Delta: -2, Reason: stockmoves.ReasonDamaged, Actor: admin, Ref: "k2"}, nil, 13},
				{"below zero refused", catalog.Movement{Delta: -14, Reason: stockmoves.ReasonLost, Actor: admin, Ref: "k3"}, domain.ErrInsufficientStock, 13},
				{"unknown reason", catalog.Movement{Delta: 1, Reason: "gift", Ref: "k4"}, domain.ErrInvalid, 13},
				{"no reason", catalog.Movement{Delta: 1, Ref: "k5"}, domain.ErrInvalid, 13},
				{"received must add", catalog.Movement{Delta: -1, Reason: stockmoves.ReasonReceived, Ref: "k6"}, domain.ErrInvalid, 13},
				{"other needs a note", catalog.Movement{Delta: 1, Reason: stockmoves.ReasonOther, Ref: "k7"}, domain.ErrInvalid, 13},
				{"returned written off records only", catalog.Movement{Reason: stockmoves.ReasonWrittenOff, Quantity: 2, Ref: "return:r1/MV-1"}, nil, 13},
				{"returned put back", catalog.Movement{Delta: 1, Reason: stockmoves.ReasonReturned, Ref: "return:r1/MV-1/back"}, nil, 14},
			}
			for _, s := range steps {
				s.m.SKU = "mv-1" // any case: the SKU is normalised
				p, _, err := svc.MoveStock(ctx, s.m)
				if !errors.Is(err, s.wantErr) {
					t.Fatalf("%s: err %v, want %v", s.name, err, s.wantErr)
				}
				got, gerr := svc.Get(ctx, "MV-1")
				if gerr != nil || got.OnHand() != s.wantOnHand {
					t.Fatalf("%s: on hand %d (%v), want %d", s.name, got.OnHand(), gerr, s.wantOnHand)
				}
				if err == nil && p.OnHand() != s.wantOnHand {
					t.Fatalf("%s: returned on hand %d, want %d", s.name, p.OnHand(), s.wantOnHand)
				}
			}
			pg, err := svc.Movements(ctx, "MV-1", 1, 10)
			if err != nil {
				t.Fatal(err)
			}
			wantRefs := []string{"return:r1/MV-1/back", "return:r1/MV-1", "k2", "k1"}
			wantAfter := []int{14, -1, 13, 15}
			if pg.Total != len(wantRefs) {
				t.Fatalf("history: %d movements, want %d: %+v", pg.Total, len(wantRefs), pg.Items)
			}
			for i, m := range pg.Items {
				after := -1
				if m.OnHandAfter != nil {
					after = *m.OnHandAfter
				}
				if m.Ref != wantRefs[i] || after != wantAfter[i] {
					t.Fatalf("history %d: ref %s after %d, want %s %d", i, m.Ref, after, wantRefs[i], wantAfter[i])
				}
			}
			if k1 := pg.Items[3]; k1.Note != "PO 17" || k1.Actor != admin || k1.Delta != 5 || k1.Reason != stockmoves.ReasonReceived {
				t.Fatalf("k1 as recorded: %+v", k1)
			}
			if _, err := svc.Movements(ctx, "NOPE-1", 1, 10); !errors.Is(err, domain.ErrNotFound) {
				t.Fatalf("movements of an unknown SKU: %v", err)
			}
		})
	}
}

// TestMoveStockRetriesAtOnce: the same adjustment sent many times at once
// (a client retrying on a timeout) moves stock once and is recorded once.
func TestMoveStockRetriesAtOnce(t *testing.T) {
	t.Parallel()
	for _, st := range moveStores {
		if st.name == "memory" {
			continue // records after the change: concurrent retries are the stores' case
		}
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			store, log := st.mk(t)
			svc := moveService(t, store, log)
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, _, err := svc.MoveStock(context.Background(), catalog.Movement{SKU: "MV-1", Delta: 3, Reason: stockmoves.ReasonReceived, Ref: "same"}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			p, _ := svc.Get(context.Background(), "MV-1")
			pg, err := svc.Movements(context.Background(), "MV-1", 1, 10)
			if err != nil || p.OnHand() != 13 || pg.Total != 1 {
				t.Fatalf("on hand %d, %d movements (%v); want 13 and 1", p.OnHand(), pg.Total, err)
			}
		})
	}
}

// TestSalesAreRecordedOnce: committing an order records one sold movement
// per line, and a redelivered commit records nothing more.
func TestSalesAreRecordedOnce(t *testing.T) {
	t.Parallel()
	for _, st := range moveStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			store, log := st.mk(t)
			svc := moveService(t, store, log)
			ctx := context.Background()
			order := "5d1f3c1e-3c1a-4a39-9d5e-2f0a6b0a1c01"
			l, err := domain.NewLine("MV-1", 4)
			if err != nil {
				t.Fatal(err)
			}
			if r, err := svc.Reserve(ctx, order, []domain.Line{l}); err != nil || r.Status() != domain.StatusReserved {
				t.Fatalf("reserve: %v", err)
			}
			for range 3 {
				if _, err := svc.Commit(ctx, order); err != nil {
					t.Fatal(err)
				}
			}
			pg, err := svc.Movements(ctx, "MV-1", 1, 10)
			if err != nil || pg.Total != 1 {
				t.Fatalf("%d movements (%v), want 1", pg.Total, err)
			}
			m := pg.Items[0]
			if m.Delta != -4 || m.Reason != stockmoves.ReasonSold || m.Ref != "order:"+order || m.Actor != "system" {
				t.Fatalf("sale: %+v", m)
			}
			if p, _ := svc.Get(ctx, "MV-1"); p.OnHand() != 6 {
				t.Fatalf("on hand %d, want 6", p.OnHand())
			}
		})
	}
}
