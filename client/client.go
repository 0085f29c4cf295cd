// Package client is the client-profile service's application layer: the
// profile and preferences store port, cache-aside reads (Redis in server
// mode) invalidated by every write, the identity.UserRegistered.v1 handler
// that creates a profile, and personal-data export and erasure. Adapters:
// memory (in-memory demo, tests), sqlitestore (durable embedded shop) and
// mongostore (MongoDB / FerretDB).
package client

import (
	"context"
	"time"

	domain "github.com/evshop/shop/domain/client"
)

// Profile is a stored profile. An erased profile is a tombstone: it keeps
// only the user id, so a replayed UserRegistered cannot bring it back.
type Profile struct {
	UserID    string
	Email     string
	Profile   domain.Profile
	Erased    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Store is the port of the profile stores; clienttest holds its contract.
// Profiles and preferences are separate documents: FerretDB rewrites a
// whole document on update, so one document for both would let a profile
// save and a preferences save overwrite each other.
type Store interface {
	// CreateProfile stores p unless a profile (or tombstone) for the user
	// exists; it reports whether it created one.
	CreateProfile(ctx context.Context, p Profile) (bool, error)
	// GetProfile returns the stored profile (a tombstone has Erased set);
	// domain.ErrNotFound when there is none.
	GetProfile(ctx context.Context, userID string) (Profile, error)
	// PutProfile creates or replaces the user's profile.
	PutProfile(ctx context.Context, p Profile) error
	// GetPreferences returns the stored preferences; domain.ErrNotFound
	// when none were saved.
	GetPreferences(ctx context.Context, userID string) (domain.Preferences, error)
	// PutPreferences creates or replaces the user's preferences.
	PutPreferences(ctx context.Context, userID string, p domain.Preferences) error
	// Erase replaces the profile by a tombstone and deletes the preferences.
	Erase(ctx context.Context, userID string, at time.Time) error
}
