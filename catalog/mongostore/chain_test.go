package mongostore

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/evshop/shop/platform/testenv"
)

// TestChainHeadWithHints: two chains on one collection stand for two
// processes, each with its own hints. Whatever one writes, the other's head
// is the true head — after a short walk, a walk longer than maxWalk, and a
// hinted entry that was pruned meanwhile.
func TestChainHeadWithHints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	coll := testenv.Mongo(t).Collection("chain_hints")
	a, err := newChain(ctx, coll)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newChain(ctx, coll)
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		N int64 `bson:"n"`
	}
	write := func(c *chain, from, to int64) {
		t.Helper()
		for seq := from; seq <= to; seq++ {
			won, err := c.put(ctx, "k", seq, bson.D{{Key: "n", Value: seq}})
			if err != nil || !won {
				t.Fatalf("put %d: won %v, %v", seq, won, err)
			}
		}
	}
	check := func(step string, c *chain, want int64) {
		t.Helper()
		var st state
		seq, found, err := c.head(ctx, "k", &st)
		if err != nil || !found || seq != want || st.N != want {
			t.Fatalf("%s: head = %d (state %d, found %v, %v), want %d", step, seq, st.N, found, err, want)
		}
		if h := c.hint("k"); h != want {
			t.Fatalf("%s: hint %d, want %d", step, h, want)
		}
	}

	var none state
	if _, found, err := b.head(ctx, "k", &none); err != nil || found {
		t.Fatalf("empty chain: found %v, %v", found, err)
	}
	write(a, 1, 3)
	check("cold: sorted query", b, 3)
	write(a, 4, 5)
	check("short walk from the hint", b, 5)
	write(a, 6, 6+maxWalk+2)
	check("walk longer than maxWalk falls back", b, 6+maxWalk+2)
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "key", Value: "k"}, {Key: "seq", Value: bson.D{{Key: "$lte", Value: 6 + maxWalk + 2}}}}); err != nil {
		t.Fatal(err)
	}
	write(a, 6+maxWalk+3, 6+maxWalk+4)
	check("hinted entry pruned", b, 6+maxWalk+4)
	if won, err := b.put(ctx, "k", 6+maxWalk+4, bson.D{{Key: "n", Value: 0}}); err != nil || won {
		t.Fatalf("a stale put must lose: won %v, %v", won, err)
	}
	check("writer's own hint", a, 6+maxWalk+4)
}
