// Package sqlitestore is the client-profile store of the durable embedded
// shop, in the tables client_profiles and client_preferences of the shop's
// SQLite database. Profile and preference bodies are JSON TEXT in the
// domain's wire shape and are validated again when read; times are Unix
// nanoseconds (UTC). An erased profile is a tombstone row, so a replayed
// UserRegistered cannot bring it back.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
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
	return &Store{db: db}, nil
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
		n, err = res.RowsAffected()
		return err
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
	out := client.Profile{UserID: r.userID, Email: r.email, Erased: r.erased,
		CreatedAt: time.Unix(0, r.created).UTC(), UpdatedAt: time.Unix(0, r.updated).UTC()}
	if r.erased {
		return out, nil
	}
	var data domain.ProfileData
	if err := json.Unmarshal([]byte(r.body), &data); err != nil {
		return client.Profile{}, fmt.Errorf("client sqlitestore: stored profile %s: %w", userID, err)
	}
	if out.Profile, err = domain.NewProfile(data, func() string { return "" }); err != nil {
		return client.Profile{}, fmt.Errorf("client sqlitestore: stored profile %s: %w", userID, err)
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

// Erase implements client.Store: the tombstone and the deletion of the
// preferences commit together.
func (s *Store) Erase(ctx context.Context, userID string, at time.Time) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_profiles (user_id, email, profile, erased, created_at, updated_at)
			VALUES (?1, '', '{}', 1, ?2, ?2) ON CONFLICT (user_id) DO UPDATE SET email = '', profile = '{}', erased = 1,
			created_at = ?2, updated_at = ?2`, userID, sqlite.Nanos(at)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM client_preferences WHERE user_id = ?`, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("client sqlitestore: erase: %w", err)
	}
	return nil
}
