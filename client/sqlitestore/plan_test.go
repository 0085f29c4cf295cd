package sqlitestore

import (
	"context"
	"strings"
	"testing"

	"github.com/evshop/shop/client"
	"github.com/evshop/shop/platform/testenv"
)

// TestSearchUsesIndexes pins the reason the search is by prefix: SQLite
// answers each word with a range scan of the terms' primary key, reads only
// the matching profiles by id, and an empty search pages through the
// newest-first index; no plan scans a table.
func TestSearchUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := New(ctx, testenv.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    client.CustomerQuery
		want []string // fragments of the plan
	}{
		{"words", client.CustomerQuery{Words: []string{"ada", "lo"}, Page: 1, PageSize: 20},
			[]string{"SEARCH client_profile_terms USING PRIMARY KEY (term>? AND term<?)", "SEARCH p USING INDEX sqlite_autoindex_client_profiles_1 (user_id=?)"}},
		{"id", client.CustomerQuery{ID: "0b7e4a55-8f7c-4e0a-9a49-6f1f7f0f6b11", Page: 1, PageSize: 20},
			[]string{"SEARCH p USING INDEX sqlite_autoindex_client_profiles_1 (user_id=?)"}},
		{"everyone", client.CustomerQuery{Page: 1, PageSize: 20}, []string{"SEARCH p USING INDEX client_profiles_newest (erased=?)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, args := searchFrom(tt.q)
			rows, err := s.db.Read.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT p.user_id, p.profile FROM `+from+
				` ORDER BY p.created_at DESC, p.user_id LIMIT 20`, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			all := strings.Join(plan, "\n")
			t.Log(all)
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("plan lacks %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "SCAN p") || strings.Contains(all, "SCAN client_profile") {
				t.Errorf("plan scans a whole table:\n%s", all)
			}
		})
	}
}

// TestOlderProfilesAreIndexedOnOpen: a profile stored before the search
// existed (no terms, terms_indexed 0) is found once the store opens again.
func TestOlderProfilesAreIndexedOnOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.SQLite(t)
	if _, err := New(ctx, db); err != nil {
		t.Fatal(err)
	}
	id := "0b7e4a55-8f7c-4e0a-9a49-6f1f7f0f6b11"
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO client_profiles (user_id, email, profile, erased, created_at, updated_at)
		VALUES (?, 'old@example.com', '{"name":"Old Timer","phone":"","addresses":[]}', 0, 1, 1)`, id); err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"timer", "old@"} {
		page, err := s.Search(ctx, client.CustomerQuery{Words: []string{w}, Page: 1, PageSize: 20})
		if err != nil || page.Total != 1 || page.Items[0].UserID != id {
			t.Fatalf("%q: %+v %v", w, page, err)
		}
	}
}
