// Package sqlitestore is the client-profile store of the durable embedded
// shop, in the tables client_profiles and client_preferences of the shop's
// SQLite database. Profile and preference bodies are JSON TEXT in the
// domain's wire shape and are validated again when read; times are Unix
// nanoseconds (UTC). An erased profile is a tombstone row, so a replayed
// UserRegistered cannot bring it back; client_erasures logs every erasure.
// The customer search reads client_profile_terms, written with the profile
// in one transaction (migrations/002_customer_search.sql).
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/evshop/shop/client"
	domain "github.com/evshop/shop/domain/client"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements client.Store on SQLite.
type Store struct{ db *sqlite.DB }

// New applies the "client" migrations and returns the store.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	if err := sqlite.MigrateEmbedded(ctx, db, "client", migrations, "migrations"); err != nil {
		return nil, err
	}
	s := &Store{db: db}
	if err := s.indexTerms(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// indexTerms writes the search terms of the profiles stored before the
// search existed (once: it marks them indexed).
func (s *Store) indexTerms(ctx context.Context) error {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT user_id FROM client_profiles WHERE terms_indexed = 0 AND erased = 0`)
	if err != nil {
		return fmt.Errorf("client sqlitestore: index terms: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		p, err := s.GetProfile(ctx, id)
		if err != nil {
			return err
		}
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return writeTerms(ctx, tx, p) }); err != nil {
			return fmt.Errorf("client sqlitestore: index terms of %s: %w", id, err)
		}
	}
	return nil
}

// writeTerms replaces the profile's search terms and marks it indexed.
func writeTerms(ctx context.Context, tx *sql.Tx, p client.Profile) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM client_profile_terms WHERE user_id = ?`, p.UserID); err != nil {
		return err
	}
	for _, t := range client.SearchTerms(p) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_profile_terms (term, user_id) VALUES (?,?)`, t, p.UserID); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE client_profiles SET terms_indexed = 1 WHERE user_id = ?`, p.UserID)
	return err
}

// row is a profile in the columns' shape.
type row struct {
	userID, email, body string
	erased              bool
	created, updated    int64
}

func toRow(p client.Profile) (row, error) {
	body := []byte("{}")
	if !p.Erased {
		var err error
		if body, err = json.Marshal(p.Profile.Data()); err != nil {
			return row{}, err
		}
	}
	return row{userID: p.UserID, email: p.Email, body: string(body), erased: p.Erased,
		created: sqlite.Nanos(p.CreatedAt), updated: sqlite.Nanos(p.UpdatedAt)}, nil
}

func (s *Store) put(ctx context.Context, p client.Profile, onConflict string) (bool, error) {
	r, err := toRow(p)
	if err != nil {
		return false, err
	}
	var n int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO client_profiles (user_id, email, profile, erased, created_at, updated_at)
			VALUES (?,?,?,?,?,?) ON CONFLICT (user_id) `+onConflict, r.userID, r.email, r.body, r.erased, r.created, r.updated)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return writeTerms(ctx, tx, p)
	})
	return n > 0, err
}

// CreateProfile implements client.Store.
func (s *Store) CreateProfile(ctx context.Context, p client.Profile) (bool, error) {
	created, err := s.put(ctx, p, `DO NOTHING`)
	if err != nil {
		return false, fmt.Errorf("client sqlitestore: create: %w", err)
	}
	return created, nil
}

// PutProfile implements client.Store.
func (s *Store) PutProfile(ctx context.Context, p client.Profile) error {
	p.Erased = false
	if _, err := s.put(ctx, p, `DO UPDATE SET email = excluded.email, profile = excluded.profile, erased = 0,
		created_at = excluded.created_at, updated_at = excluded.updated_at`); err != nil {
		return fmt.Errorf("client sqlitestore: put: %w", err)
	}
	return nil
}

// GetProfile implements client.Store.
func (s *Store) GetProfile(ctx context.Context, userID string) (client.Profile, error) {
	var r row
	err := s.db.Read.QueryRowContext(ctx, `SELECT user_id, email, profile, erased, created_at, updated_at FROM client_profiles WHERE user_id = ?`,
		userID).Scan(&r.userID, &r.email, &r.body, &r.erased, &r.created, &r.updated)
	if errors.Is(err, sql.ErrNoRows) {
		return client.Profile{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	if err != nil {
		return client.Profile{}, fmt.Errorf("client sqlitestore: get: %w", err)
	}
	return r.profile()
}

// profile decodes and validates a stored row.
func (r row) profile() (client.Profile, error) {
	out := client.Profile{UserID: r.userID, Email: r.email, Erased: r.erased,
		CreatedAt: time.Unix(0, r.created).UTC(), UpdatedAt: time.Unix(0, r.updated).UTC()}
	if r.erased {
		return out, nil
	}
	var data domain.ProfileData
	if err := json.Unmarshal([]byte(r.body), &data); err != nil {
		return client.Profile{}, fmt.Errorf("client sqlitestore: stored profile %s: %w", r.userID, err)
	}
	var err error
	if out.Profile, err = domain.NewProfile(data, func() string { return "" }); err != nil {
		return client.Profile{}, fmt.Errorf("client sqlitestore: stored profile %s: %w", r.userID, err)
	}
	return out, nil
}

// GetPreferences implements client.Store.
func (s *Store) GetPreferences(ctx context.Context, userID string) (domain.Preferences, error) {
	var body string
	err := s.db.Read.QueryRowContext(ctx, `SELECT preferences FROM client_preferences WHERE user_id = ?`, userID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Preferences{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	if err != nil {
		return domain.Preferences{}, fmt.Errorf("client sqlitestore: get preferences: %w", err)
	}
	var d domain.PreferencesData
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return domain.Preferences{}, fmt.Errorf("client sqlitestore: stored preferences %s: %w", userID, err)
	}
	return domain.NewPreferences(d)
}

// PutPreferences implements client.Store.
func (s *Store) PutPreferences(ctx context.Context, userID string, p domain.Preferences) error {
	body, err := json.Marshal(p.Data())
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO client_preferences (user_id, preferences) VALUES (?,?)
			ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences`, userID, string(body))
		return err
	})
	if err != nil {
		return fmt.Errorf("client sqlitestore: put preferences: %w", err)
	}
	return nil
}

// Erase implements client.Store: the tombstone, the deletion of the
// preferences and search terms and the erasure's record commit together.
func (s *Store) Erase(ctx context.Context, userID string, e client.Erasure) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_profiles (user_id, email, profile, erased, created_at, updated_at, terms_indexed)
			VALUES (?1, '', '{}', 1, ?2, ?2, 1) ON CONFLICT (user_id) DO UPDATE SET email = '', profile = '{}', erased = 1,
			created_at = ?2, updated_at = ?2, terms_indexed = 1`, userID, sqlite.Nanos(e.At)); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM client_preferences WHERE user_id = ?`, `DELETE FROM client_profile_terms WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO client_erasures (user_id, erased_by, erased_at) VALUES (?,?,?)`, userID, e.By, sqlite.Nanos(e.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("client sqlitestore: erase: %w", err)
	}
	return nil
}

// Erasures implements client.Store.
func (s *Store) Erasures(ctx context.Context, userID string) ([]client.Erasure, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT erased_by, erased_at FROM client_erasures WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("client sqlitestore: erasures: %w", err)
	}
	defer rows.Close()
	out := []client.Erasure{}
	for rows.Next() {
		var e client.Erasure
		var at int64
		if err := rows.Scan(&e.By, &at); err != nil {
			return nil, err
		}
		e.At = sqlite.FromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// searchFrom is the FROM and WHERE of a search and their arguments. With
// words, the matching ids come from the terms alone (one range scan of
// their primary key per word, without repeats, intersected) and only those profiles are
// read; without, the newest-first index walks the live profiles.
func searchFrom(q client.CustomerQuery) (string, []any) {
	from, where, args := "client_profiles p", []string{"p.erased = 0"}, []any{}
	if len(q.Words) > 0 {
		var sets []string
		for _, w := range q.Words {
			sets = append(sets, "SELECT DISTINCT user_id FROM client_profile_terms WHERE term >= ? AND term < ?")
			args = append(args, w, w+"\U0010FFFF")
		}
		from = "(" + strings.Join(sets, " INTERSECT ") + ") hits CROSS JOIN client_profiles p ON p.user_id = hits.user_id"
	}
	if q.ID != "" {
		where, args = append(where, "p.user_id = ?"), append(args, q.ID)
	}
	return from + " WHERE " + strings.Join(where, " AND "), args
}

// Search implements client.Store.
func (s *Store) Search(ctx context.Context, q client.CustomerQuery) (client.CustomerPage, error) {
	from, args := searchFrom(q)
	out := client.CustomerPage{Items: []client.Profile{}}
	if err := s.db.Read.QueryRowContext(ctx, `SELECT count(*) FROM `+from, args...).Scan(&out.Total); err != nil {
		return client.CustomerPage{}, fmt.Errorf("client sqlitestore: search: %w", err)
	}
	if out.Total <= (q.Page-1)*q.PageSize {
		return out, nil
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT p.user_id, p.email, p.profile, p.erased, p.created_at, p.updated_at FROM `+from+
		` ORDER BY p.created_at DESC, p.user_id LIMIT ? OFFSET ?`, append(args, q.PageSize, (q.Page-1)*q.PageSize)...)
	if err != nil {
		return client.CustomerPage{}, fmt.Errorf("client sqlitestore: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.userID, &r.email, &r.body, &r.erased, &r.created, &r.updated); err != nil {
			return client.CustomerPage{}, err
		}
		p, err := r.profile()
		if err != nil {
			return client.CustomerPage{}, err
		}
		out.Items = append(out.Items, p)
	}
	return out, rows.Err()
}
