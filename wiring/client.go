package wiring

import (
	"context"

	apiclient "github.com/evshop/shop/api/client"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/client"
	clientmem "github.com/evshop/shop/client/memory"
	clientsqlite "github.com/evshop/shop/client/sqlitestore"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/recommendations"
	recosqlite "github.com/evshop/shop/projections/recommendations/sqlitestore"
)

// ClientService is the client (customer profile) service.
type ClientService struct {
	Service  *client.Service
	Profiles Profiles
	Routes   []Route
	Rebuild  rebuild.Projection // embedded mode only (see OrderingService.Rebuild)
}

// Client assembles the client service. products is the catalog read for
// recommendations (the catalog service in process, or its store read
// through the shared cache namespace in server mode when nil).
func (in *Infra) Client(ctx context.Context, o Client, products *catalog.Service) (*ClientService, error) {
	svc, history, err := in.clientService(ctx)
	if err != nil {
		return nil, err
	}
	if products == nil {
		if products, err = in.catalogService(ctx, o.Stock, nil); err != nil {
			return nil, err
		}
	}
	var target rebuild.Projection
	if sw, ok := history.(*recommendations.Swappable); ok {
		if target, err = sw.RebuildTarget(); err != nil {
			return nil, err
		}
	}
	rec, err := recommendations.NewRecommender(history, products)
	if err != nil {
		return nil, err
	}
	if err := in.On(ctx, svc.UserRegisteredHandler()); err != nil {
		return nil, err
	}
	reco := recommendations.NewProjector(history)
	reco.Malformed = in.malformed(reco.Name())
	if err := in.OnProjector(ctx, o.Projections, reco); err != nil {
		return nil, err
	}
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	api, err := apiclient.New(apiclient.Deps{Clients: svc, Recommender: rec, Log: in.Log, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	return &ClientService{Service: svc, Profiles: profiles{svc}, Rebuild: target, Routes: []Route{
		{Prefix: "/api/clients", Mount: api.Mount},
		{Prefix: "/api/admin/customers", Mount: api.MountAdmin},
	}}, nil
}

// clientService is the client service's use cases on its stores, without
// routes or handlers.
func (in *Infra) clientService(ctx context.Context) (*client.Service, recommendations.Store, error) {
	cache, err := in.catalogCache(ctx)
	if err != nil {
		return nil, nil, err
	}
	var store client.Store
	var history recommendations.Store
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, nil, err
		}
		if store, err = clientsqlite.New(ctx, db); err != nil {
			return nil, nil, err
		}
		if err := recosqlite.Migrate(ctx, db); err != nil {
			return nil, nil, err
		}
		if history, err = recosqlite.New(db); err != nil {
			return nil, nil, err
		}
	case in.S.Embedded():
		store, history = clientmem.New(), recommendations.NewSwappable()
	default:
		db, err := in.Mongo(ctx)
		if err != nil {
			return nil, nil, err
		}
		if store, err = db.Clients(ctx); err != nil {
			return nil, nil, err
		}
		if history, err = db.Recommendations(ctx); err != nil {
			return nil, nil, err
		}
	}
	svc, err := client.New(client.Config{Store: store, Cache: cache, History: recommendations.History{Store: history}, Log: in.Log})
	if err != nil {
		return nil, nil, err
	}
	return svc, history, nil
}

// ClientProfiles gives a notifier running on its own the customers'
// profiles and marketing consent, read from (and, for an unsubscribe,
// written to) the client service's store through the same cache.
func (in *Infra) ClientProfiles(ctx context.Context) (Profiles, error) {
	svc, _, err := in.clientService(ctx)
	if err != nil {
		return nil, err
	}
	return profiles{svc}, nil
}

// profiles lets the notifier address customers the way their profile says
// and honour their marketing consent.
type profiles struct{ svc *client.Service }

func (p profiles) Recipient(ctx context.Context, id string) (notifier.Recipient, error) {
	c, err := p.svc.Contact(ctx, id)
	if err != nil {
		return notifier.Recipient{}, err
	}
	return notifier.Recipient{Email: c.Email, Name: c.Name, Lang: c.Lang}, nil
}

func (p profiles) OptedIn(ctx context.Context, id string) (notifier.MarketingContact, error) {
	r, err := p.Recipient(ctx, id)
	if err != nil {
		return notifier.MarketingContact{}, err
	}
	prefs, err := p.svc.Preferences(ctx, id)
	if err != nil {
		return notifier.MarketingContact{}, err
	}
	return notifier.MarketingContact{OptedIn: prefs.MarketingOptIn, Email: r.Email, Name: r.Name, Lang: r.Lang}, nil
}

func (p profiles) OptOut(ctx context.Context, id string) error {
	prefs, err := p.svc.Preferences(ctx, id)
	if err != nil {
		return err
	}
	prefs.MarketingOptIn = false
	_, err = p.svc.SavePreferences(ctx, id, prefs)
	return err
}
