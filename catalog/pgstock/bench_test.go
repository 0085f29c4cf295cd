package pgstock_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/mongostore"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/testenv"
)

// BenchmarkCheckoutStock measures what the checkout saga asks of the catalog
// per order — reserve two lines, then commit — with 8 orders at once over a
// dozen products, as the catalog process does with 8 command consumers, on
// both stock stores of server mode, in one run: reserve-commit-mongo (the
// compare-and-swap chains of catalog/mongostore on FerretDB) and
// reserve-commit-postgres (this package: products on FerretDB, stock on
// PostgreSQL). The baseline is one plain InsertOne per order from 8
// goroutines; each ratio is orders/s ÷ inserts/s.
func BenchmarkCheckoutStock(b *testing.B) {
	const workers, products = 8, 12
	ctx := context.Background()
	mongoDB, pgDB, pool := testenv.Mongo(b), testenv.Mongo(b), testenv.Postgres(b)
	onMongo, err := mongostore.New(ctx, mongoDB)
	if err != nil {
		b.Fatal(err)
	}
	stores := []struct {
		name  string
		store catalog.Store
	}{{"mongo", onMongo}, {"postgres", open(b, pgDB, pool)}}
	for _, st := range stores {
		for i := range products {
			if err := st.store.Insert(ctx, catalogtest.Product(b, fmt.Sprintf("BENCH-%03d", i), "p", "c", 100, domain.MaxStock, time.Now())); err != nil {
				b.Fatal(err)
			}
		}
	}
	parallel := func(b *testing.B, op func(i int) error) float64 {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)); i <= b.N; i = int(next.Add(1)) {
					if err := op(i); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return float64(b.N) / time.Since(start).Seconds()
	}
	var raw float64
	b.Run("raw-insert", func(b *testing.B) {
		coll := mongoDB.Collection(testenv.Name("raw")) // fresh per run: -count reruns with the same b.N
		raw = parallel(b, func(i int) error {
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}, {Key: "at", Value: time.Now()}})
			return err
		})
		b.ReportMetric(raw, "inserts/s")
	})
	for _, st := range stores {
		svc, err := catalog.New(catalog.Config{Store: st.store})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("reserve-commit-"+st.name, func(b *testing.B) {
			rate := parallel(b, func(i int) error {
				id := uuid.NewString()
				l1, _ := domain.NewLine(fmt.Sprintf("BENCH-%03d", i%products), 1)
				l2, _ := domain.NewLine(fmt.Sprintf("BENCH-%03d", (i*7+3)%products), 2)
				r, err := svc.Reserve(ctx, id, []domain.Line{l1, l2})
				if err != nil {
					return err
				}
				if r.Status() != domain.StatusReserved {
					return fmt.Errorf("order %s: %s", id, r.Status())
				}
				_, err = svc.Commit(ctx, id)
				return err
			})
			b.ReportMetric(rate, "orders/s")
			if raw > 0 {
				b.ReportMetric(rate/raw, "x-raw-insert")
			}
		})
	}
}
