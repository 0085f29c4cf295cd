// Package client is the client-profile service's application layer: the
// profile and preferences store port, cache-aside reads (Redis in server
// mode) invalidated by every write, the identity.UserRegistered.v1 handler
// that creates a profile, personal-data export and erasure, and the back
// office's customer search. Adapters: memory (in-memory demo, tests),
// sqlitestore (durable embedded shop) and mongostore (MongoDB / FerretDB).
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

// Erasure records one erasure of a customer's data: when, and by whom (the
// customer's own id when they erased their data themselves, else the
// admin's). The record holds no personal data of the customer and outlives
// the profile, so the shop can show who erased what.
type Erasure struct {
	By string
	At time.Time
}

// CustomerQuery filters Search. A profile matches when every word is the
// prefix of one of its SearchTerms (so "ada lo" finds "Ada Lovelace"), and
// when ID is set, only the profile with that id matches. Tombstones never
// match. Build it with ParseCustomerQuery.
type CustomerQuery struct {
	Words    []string // lower-case, 1..MaxSearchWords, each ≤ MaxSearchQuery runes
	ID       string   // a canonical UUID, or ""
	Page     int      // 1-based
	PageSize int      // 1..100
}

// CustomerPage is one page of Search, newest profile first (created
// descending, then user id).
type CustomerPage struct {
	Items []Profile
	Total int
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
	// Erase replaces the profile by a tombstone, deletes the preferences
	// and records e in the user's erasure log.
	Erase(ctx context.Context, userID string, e Erasure) error
	// Erasures returns the user's erasure log, oldest first (empty when
	// the user's data was never erased).
	Erasures(ctx context.Context, userID string) ([]Erasure, error)
	// Search pages through the live profiles matching q (see
	// CustomerQuery), newest first, with the total number of matches.
	Search(ctx context.Context, q CustomerQuery) (CustomerPage, error)
}
