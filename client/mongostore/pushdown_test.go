package mongostore

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/evshop/shop/client"
	"github.com/evshop/shop/platform/testenv"
)

// TestSearchFilterIsPushedDown pins why the search matches stored prefixes
// by equality: FerretDB (whose explain reports filterPushdown and the
// PostgreSQL plan) hands the top-level equalities to PostgreSQL, where an
// anchored regex or a range would make it fetch every profile. Real MongoDB
// answers the same filter from the searchKeys index.
func TestSearchFilterIsPushedDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Mongo(t)
	if _, err := New(ctx, db); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		words []string
		key   string // the key PostgreSQL must filter by
	}{
		{[]string{"ada"}, `'"ada"'`},
		{[]string{"lo", "ada"}, `'"ada"'`},
		{[]string{"margaret.hamilton.apollo.guidance@ex", "m"}, `'"margaret.hamilton.apollo"'`},
		{nil, "erased"},
	} {
		var res bson.M
		err := db.RunCommand(ctx, bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: ProfilesCollection},
			{Key: "filter", Value: searchFilter(client.CustomerQuery{Words: q.words})}}}}).Decode(&res)
		if err != nil {
			t.Fatal(err)
		}
		pushed, ferret := res["filterPushdown"]
		if !ferret {
			continue // MongoDB
		}
		plan, _ := res["queryPlanner"].(bson.M)["Plan"].(bson.M)
		if filter, _ := plan["Filter"].(string); pushed != true || !strings.Contains(filter, q.key) {
			t.Errorf("words %v: PostgreSQL does not filter by %s: %v", q.words, q.key, res)
		}
	}
}
