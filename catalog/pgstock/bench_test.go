package pgstock_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/catalog/sqlitestore"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/testenv"
)

// BenchmarkCheckoutStock measures what the checkout saga asks of the catalog
// per order — reserve two lines, then commit — with 8 orders at once over a
// dozen products, as the catalog process does with 8 command consumers, on
// every persistent stock store, in one run: reserve-commit-mongo (the
// compare-and-swap chains of catalog/mongostore on FerretDB),
// reserve-commit-postgres (this package: products on FerretDB, stock on
// PostgreSQL) and reserve-commit-sqlite (catalog/sqlitestore, the durable
// embedded shop). The server stores' baseline is one plain InsertOne per
// order from 8 goroutines (raw-insert); SQLite's is one plain INSERT
// transaction per order on the same embedded database (raw-insert-sqlite).
// Each ratio is orders/s ÷ its baseline's inserts/s.
func BenchmarkCheckoutStock(b *testing.B) {
	const workers, products = 8, 12
	ctx := context.Background()
	var raw, rawSQLite float64
	mongoDB, pgDB, pool := testenv.Mongo(b), testenv.Mongo(b), testenv.Postgres(b)
	onMongo, err := mongostore.New(ctx, mongoDB)
	if err != nil {
		b.Fatal(err)
	}
	lite := testenv.SQLite(b)
	onSQLite, err := sqlitestore.New(ctx, lite)
	if err != nil {
		b.Fatal(err)
	}
	stores := []struct {
		name     string
		store    catalog.Store
		baseline *float64 // inserts/s of the raw insert this store is compared with
	}{{"mongo", onMongo, &raw}, {"postgres", open(b, pgDB, pool), &raw}, {"sqlite", onSQLite, &rawSQLite}}
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
	b.Run("raw-insert", func(b *testing.B) {
		coll := mongoDB.Collection(testenv.Name("raw")) // fresh per run: -count reruns with the same b.N
		raw = parallel(b, func(i int) error {
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}, {Key: "at", Value: time.Now()}})
			return err
		})
		b.ReportMetric(raw, "inserts/s")
	})
	b.Run("raw-insert-sqlite", func(b *testing.B) {
		table := testenv.Name("raw") // fresh per run: -count reruns with the same b.N
		if _, err := lite.Write.ExecContext(ctx, `CREATE TABLE `+table+` (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		rawSQLite = parallel(b, func(i int) error {
			return lite.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (id, at) VALUES (?, ?)`, fmt.Sprint(i), time.Now().UnixNano())
				return err
			})
		})
		b.ReportMetric(rawSQLite, "inserts/s")
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
			if base := *st.baseline; base > 0 {
				b.ReportMetric(rate/base, "x-raw-insert")
			}
		})
	}
}

// BenchmarkLookupDuringCheckouts measures what checkouts cost the product
// reads on server mode's stores (products on FerretDB, stock on PostgreSQL,
// Redis cache): each op reserves and commits one order of a dozen products
// and looks two of them up, as the basket and place-order do. It reports
// the cache's hits and misses and the product reads that reached the store
// (each a FerretDB find) per op.
func BenchmarkLookupDuringCheckouts(b *testing.B) {
	const products = 12
	ctx := context.Background()
	pool := testenv.Postgres(b)
	store := &countedPG{Store: open(b, testenv.Mongo(b), pool)}
	client, prefix := testenv.Redis(b)
	svc, err := catalog.New(catalog.Config{Store: store, Cache: kvcache.NewRedis(client, prefix)})
	if err != nil {
		b.Fatal(err)
	}
	for i := range products {
		if err := store.Insert(ctx, catalogtest.Product(b, fmt.Sprintf("LOOK-%03d", i), "p", "c", 100, domain.MaxStock, time.Now())); err != nil {
			b.Fatal(err)
		}
	}
	hits0, misses0 := svc.CacheStats()
	store.Reset()
	b.ResetTimer()
	for i := range b.N {
		a, c := fmt.Sprintf("LOOK-%03d", i%products), fmt.Sprintf("LOOK-%03d", (i*7+3)%products)
		for _, k := range []string{a, c} {
			if _, err := svc.Lookup(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
		l, _ := domain.NewLine(a, 1)
		id := uuid.NewString()
		if _, err := svc.Reserve(ctx, id, []domain.Line{l}); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Commit(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	hits, misses := svc.CacheStats()
	b.ReportMetric(float64(hits-hits0)/float64(b.N), "hits/op")
	b.ReportMetric(float64(misses-misses0)/float64(b.N), "misses/op")
	b.ReportMetric(float64(store.Total())/float64(b.N), "store-reads/op")
}
