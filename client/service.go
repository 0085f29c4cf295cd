package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/google/uuid"

	domain "github.com/evshop/shop/domain/client"
	"github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// Cache is the key/value cache reads go through (kvcache.Redis or Memory).
type Cache interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Incr(ctx context.Context, key string) (int64, error)
}

// History is the customer's order history kept by the recommendations
// projection; export includes it and erasure forgets it.
type History interface {
	Export(ctx context.Context, customerID string) (any, error)
	Forget(ctx context.Context, customerID string) error
}

// Config configures a Service.
type Config struct {
	Store    Store
	Cache    Cache   // optional
	History  History // optional
	CacheTTL time.Duration
	Log      *slog.Logger
	Now      func() time.Time
}

// Service is the client-profile use cases.
type Service struct {
	store   Store
	cache   Cache
	history History
	ttl     time.Duration
	log     *slog.Logger
	now     func() time.Time
}

// New validates cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("client: Config.Store is required")
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: cfg.Store, cache: cfg.Cache, history: cfg.History, ttl: cfg.CacheTTL,
		log: cfg.Log.With("component", "client"), now: cfg.Now}, nil
}

var userIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidUserID reports whether id is a canonical (lower-case) UUID.
func ValidUserID(id string) bool { return userIDPattern.MatchString(id) }

func checkID(id string) error {
	if !ValidUserID(id) {
		return fmt.Errorf("%w: user id is not a UUID", domain.ErrInvalid)
	}
	return nil
}

// Each user's cached entries live under a per-user generation bumped after
// every write: a reader racing a writer can only fill an entry nobody reads
// any more (see catalog/cache.go for the same reasoning).
func genKey(userID string) string { return "client:" + userID + ":gen" }

func (s *Service) key(ctx context.Context, userID, what string) (string, bool) {
	if s.cache == nil {
		return "", false
	}
	b, ok, err := s.cache.Get(ctx, genKey(userID))
	if err != nil {
		s.log.WarnContext(ctx, "client cache unavailable", "err", err)
		return "", false
	}
	gen := "0"
	if ok {
		if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
			return "", false
		}
		gen = string(b)
	}
	return "client:" + userID + ":" + gen + ":" + what, true
}

func (s *Service) invalidate(ctx context.Context, userID string) {
	if s.cache == nil {
		return
	}
	if _, err := s.cache.Incr(ctx, genKey(userID)); err != nil {
		s.log.WarnContext(ctx, "client cache invalidation failed", "err", err)
	}
}

func cached[T any](ctx context.Context, s *Service, userID, what string, load func() (T, error)) (T, error) {
	key, ok := s.key(ctx, userID, what)
	if ok {
		if b, hit, err := s.cache.Get(ctx, key); err == nil && hit {
			var v T
			if json.Unmarshal(b, &v) == nil {
				return v, nil
			}
		}
	}
	v, err := load()
	if err != nil || !ok {
		return v, err
	}
	if b, err := json.Marshal(v); err == nil {
		if err := s.cache.Set(ctx, key, b, s.ttl); err != nil {
			s.log.WarnContext(ctx, "client cache write failed", "err", err)
		}
	}
	return v, nil
}

type profileEntry struct {
	Found bool               `json:"found"`
	Email string             `json:"email"`
	Data  domain.ProfileData `json:"data"`
}

// Profile returns the user's profile; a user without one (not created yet,
// or erased) gets domain.ErrNotFound.
func (s *Service) Profile(ctx context.Context, userID string) (domain.ProfileData, error) {
	e, err := s.profileEntry(ctx, userID)
	if err != nil {
		return domain.ProfileData{}, err
	}
	if !e.Found {
		return domain.ProfileData{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	return e.Data, nil
}

func (s *Service) profileEntry(ctx context.Context, userID string) (profileEntry, error) {
	if err := checkID(userID); err != nil {
		return profileEntry{}, err
	}
	return cached(ctx, s, userID, "profile", func() (profileEntry, error) {
		p, err := s.store.GetProfile(ctx, userID)
		if errors.Is(err, domain.ErrNotFound) || (err == nil && p.Erased) {
			return profileEntry{}, nil
		}
		if err != nil {
			return profileEntry{}, err
		}
		return profileEntry{Found: true, Email: p.Email, Data: p.Profile.Data()}, nil
	})
}

// Contact is how to address a customer: the profile's email and name (empty
// without a profile) and the preferred language.
type Contact struct {
	Email, Name, Lang string
}

// Contact returns how to address the user, from the cached profile and
// preferences. The notifier asks it for every email; Export, which it used
// before, also reads the customer's whole order history.
func (s *Service) Contact(ctx context.Context, userID string) (Contact, error) {
	e, err := s.profileEntry(ctx, userID)
	if err != nil {
		return Contact{}, err
	}
	prefs, err := s.Preferences(ctx, userID)
	if err != nil {
		return Contact{}, err
	}
	c := Contact{Lang: prefs.Language}
	if e.Found {
		c.Email, c.Name = e.Email, e.Data.Name
	}
	return c, nil
}

// SaveProfile validates and stores the user's profile (creating it when
// missing, e.g. after an erasure the user chose to fill it again).
func (s *Service) SaveProfile(ctx context.Context, userID, email string, d domain.ProfileData) (domain.ProfileData, error) {
	if err := checkID(userID); err != nil {
		return domain.ProfileData{}, err
	}
	p, err := domain.NewProfile(d, uuid.NewString)
	if err != nil {
		return domain.ProfileData{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	rec := Profile{UserID: userID, Email: email, Profile: p, CreatedAt: now, UpdatedAt: now}
	if cur, err := s.store.GetProfile(ctx, userID); err == nil && !cur.Erased {
		rec.CreatedAt = cur.CreatedAt
		if rec.Email == "" {
			rec.Email = cur.Email
		}
	}
	if err := s.store.PutProfile(ctx, rec); err != nil {
		return domain.ProfileData{}, err
	}
	s.invalidate(ctx, userID)
	return p.Data(), nil
}

// Preferences returns the user's preferences, or the defaults.
func (s *Service) Preferences(ctx context.Context, userID string) (domain.PreferencesData, error) {
	if err := checkID(userID); err != nil {
		return domain.PreferencesData{}, err
	}
	return cached(ctx, s, userID, "prefs", func() (domain.PreferencesData, error) {
		p, err := s.store.GetPreferences(ctx, userID)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.DefaultPreferences().Data(), nil
		}
		if err != nil {
			return domain.PreferencesData{}, err
		}
		return p.Data(), nil
	})
}

// SavePreferences validates and stores the user's preferences.
func (s *Service) SavePreferences(ctx context.Context, userID string, d domain.PreferencesData) (domain.PreferencesData, error) {
	if err := checkID(userID); err != nil {
		return domain.PreferencesData{}, err
	}
	p, err := domain.NewPreferences(d)
	if err != nil {
		return domain.PreferencesData{}, err
	}
	if err := s.store.PutPreferences(ctx, userID, p); err != nil {
		return domain.PreferencesData{}, err
	}
	s.invalidate(ctx, userID)
	return p.Data(), nil
}

// Export is everything the shop's client service holds about a user.
type Export struct {
	UserID      string                 `json:"userId"`
	Email       string                 `json:"email,omitempty"`
	Profile     *domain.ProfileData    `json:"profile"`
	Preferences domain.PreferencesData `json:"preferences"`
	Orders      any                    `json:"orderHistory,omitempty"`
	ExportedAt  time.Time              `json:"exportedAt"`
}

// Export gathers the user's data, read from the stores (not the cache).
func (s *Service) Export(ctx context.Context, userID string) (Export, error) {
	if err := checkID(userID); err != nil {
		return Export{}, err
	}
	out := Export{UserID: userID, ExportedAt: s.now().UTC()}
	p, err := s.store.GetProfile(ctx, userID)
	switch {
	case err == nil && !p.Erased:
		d := p.Profile.Data()
		out.Profile, out.Email = &d, p.Email
	case err != nil && !errors.Is(err, domain.ErrNotFound):
		return Export{}, err
	}
	prefs, err := s.store.GetPreferences(ctx, userID)
	switch {
	case err == nil:
		out.Preferences = prefs.Data()
	case errors.Is(err, domain.ErrNotFound):
		out.Preferences = domain.DefaultPreferences().Data()
	default:
		return Export{}, err
	}
	if s.history != nil {
		if out.Orders, err = s.history.Export(ctx, userID); err != nil {
			return Export{}, err
		}
	}
	return out, nil
}

// Erase deletes the user's profile, preferences and personalisation history
// and records who asked: by is the user's own id (DELETE /api/clients/me)
// or the admin's (DELETE /api/admin/customers/{id}). Orders themselves are
// kept by ordering for legal bookkeeping, and the sign-in account by auth.
func (s *Service) Erase(ctx context.Context, userID, by string) error {
	if err := checkID(userID); err != nil {
		return err
	}
	if by == "" {
		return fmt.Errorf("%w: an erasure needs the id of who asked for it", domain.ErrInvalid)
	}
	if err := s.store.Erase(ctx, userID, Erasure{By: by, At: s.now().UTC().Truncate(time.Millisecond)}); err != nil {
		return err
	}
	if s.history != nil {
		if err := s.history.Forget(ctx, userID); err != nil {
			return err
		}
	}
	s.invalidate(ctx, userID)
	return nil
}

// Customer is what the back office sees of one customer: the live profile
// (nil once erased), the preferences (the defaults when none were saved)
// and every erasure of their data with who did it.
type Customer struct {
	ID          string
	Email       string
	Profile     *domain.ProfileData
	Preferences domain.PreferencesData
	Erased      bool
	Erasures    []Erasure
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Customer reads one customer from the stores (not the cache: staff see
// what is stored). domain.ErrNotFound when the shop has neither a profile,
// a tombstone nor an erasure record for the id.
func (s *Service) Customer(ctx context.Context, userID string) (Customer, error) {
	if err := checkID(userID); err != nil {
		return Customer{}, err
	}
	out := Customer{ID: userID, Preferences: domain.DefaultPreferences().Data()}
	p, err := s.store.GetProfile(ctx, userID)
	found := err == nil
	switch {
	case found:
		out.Email, out.Erased, out.CreatedAt, out.UpdatedAt = p.Email, p.Erased, p.CreatedAt, p.UpdatedAt
		if !p.Erased {
			d := p.Profile.Data()
			out.Profile = &d
		}
	case !errors.Is(err, domain.ErrNotFound):
		return Customer{}, err
	}
	if out.Erasures, err = s.store.Erasures(ctx, userID); err != nil {
		return Customer{}, err
	}
	if !found && len(out.Erasures) == 0 {
		return Customer{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	prefs, err := s.store.GetPreferences(ctx, userID)
	switch {
	case err == nil:
		out.Preferences = prefs.Data()
	case !errors.Is(err, domain.ErrNotFound):
		return Customer{}, err
	}
	return out, nil
}

// EraseCustomer is an admin's erasure of a customer the shop knows
// (domain.ErrNotFound otherwise, so a mistyped id leaves no tombstone
// behind); by is the admin's id. Erasing again is allowed: the customer may
// have ordered (and so built up history) since.
func (s *Service) EraseCustomer(ctx context.Context, userID, by string) error {
	if _, err := s.Customer(ctx, userID); err != nil {
		return err
	}
	return s.Erase(ctx, userID, by)
}

// SearchCustomers pages through the live profiles matching q (see
// CustomerQuery), newest first.
func (s *Service) SearchCustomers(ctx context.Context, q CustomerQuery) (CustomerPage, error) {
	if err := q.check(); err != nil {
		return CustomerPage{}, err
	}
	page, err := s.store.Search(ctx, q)
	if err != nil {
		return CustomerPage{}, err
	}
	if page.Items == nil {
		page.Items = []Profile{}
	}
	return page, nil
}

// HandlerUserRegistered is the stable name (and queue) of the handler that
// creates profiles.
const HandlerUserRegistered = "client.create-profile-on-registration"

// UserRegisteredHandler returns the bus subscription of OnUserRegistered.
func (s *Service) UserRegisteredHandler() messaging.EventHandler {
	return messaging.EventHandler{Name: HandlerUserRegistered, Types: []string{identity.TypeUserRegistered}, Handle: s.OnUserRegistered}
}

// OnUserRegistered creates the profile of a new user. It is idempotent: a
// redelivery (or a replay after an erasure) finds the profile or its
// tombstone and does nothing.
func (s *Service) OnUserRegistered(ctx context.Context, e eventstore.RecordedEvent) error {
	if e.Type != identity.TypeUserRegistered {
		return nil
	}
	var ev identity.UserRegistered
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		return messaging.Permanent(fmt.Errorf("client: decode %s %s: %w", e.Type, e.ID, err))
	}
	if !ValidUserID(ev.UserID) {
		return messaging.Permanent(fmt.Errorf("client: %s %s: user id is not a UUID", e.Type, e.ID))
	}
	name := []rune(ev.Name)
	if len(name) > domain.MaxText {
		name = name[:domain.MaxText]
	}
	p, err := domain.NewProfile(domain.ProfileData{Name: string(name)}, uuid.NewString)
	if err != nil {
		// A name the profile rules refuse (control characters): start
		// with an empty name rather than block the queue.
		p, _ = domain.NewProfile(domain.ProfileData{}, uuid.NewString)
	}
	at := e.Time.UTC().Truncate(time.Millisecond)
	if at.IsZero() {
		at = s.now().UTC().Truncate(time.Millisecond)
	}
	created, err := s.store.CreateProfile(ctx, Profile{UserID: ev.UserID, Email: ev.Email, Profile: p, CreatedAt: at, UpdatedAt: at})
	if err != nil {
		return err
	}
	if created {
		s.invalidate(ctx, ev.UserID)
	}
	return nil
}
