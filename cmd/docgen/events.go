package main

import (
	"context"
	"encoding/json"
	"fmt"
	"go/format"
	"log/slog"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	cmdorder "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/sagas/checkout"
	"github.com/evshop/shop/wiring"
)

// contextSpec is one bounded context's events. Which events exist comes from
// each package's Events(); the stream comes from its prefix constant.
type contextSpec struct {
	name    string
	prefix  string // stream prefix
	stream  string
	service string // the binary whose code appends them
	how     string
	events  []any
	// upcasts: wire types stored by earlier versions and what the
	// context's codec decodes them to ("" for retired), from the codec.
	upcasts map[string]string
}

func contexts() []contextSpec {
	anys := func(n int, at func(int) any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	ie, be, oe, pe, ce, se := identity.Events(), basket.Events(), ordering.Events(), payment.Events(), catalog.Events(), checkout.Events()
	re := catalog.RestockEvents()
	rt := returns.Events()
	return []contextSpec{
		{name: "identity", prefix: identity.StreamPrefix, stream: identity.StreamPrefix + "<userId>", service: "auth",
			how:    "written to the auth outbox (PostgreSQL `auth.outbox`; memory when embedded) in the same transaction as the user row, and published by the `auth-outbox` relay",
			events: anys(len(ie), func(i int) any { return ie[i] })},
		{name: "basket", prefix: basket.StreamPrefix, stream: basket.StreamPrefix + "<basketId>", service: "basket",
			how:    "appended to the event store by the basket command handlers (`commands/basket`); the basket id is the customer id, or a guest id before sign-in",
			events: anys(len(be), func(i int) any { return be[i] })},
		{name: "ordering", prefix: ordering.StreamPrefix, stream: ordering.StreamPrefix + "<orderId>", service: "ordering",
			how:    "appended to the event store by the ordering command handlers (`commands/ordering`); the basket's checkout sends `PlaceOrder` (in process in the one-process shop)",
			events: anys(len(oe), func(i int) any { return oe[i] }), upcasts: cmdorder.Codec().Upcasts()},
		{name: "payment", prefix: payment.StreamPrefix, stream: payment.StreamPrefix + "<paymentId>", service: "payment",
			how:    "appended to the event store by the payment command handlers (`commands/payment`) and the gateway webhooks; the payment id is a UUIDv5 of the order id",
			events: anys(len(pe), func(i int) any { return pe[i] })},
		{name: "catalog", prefix: catalog.StockStreamPrefix, stream: catalog.StockStreamPrefix + "<orderId>", service: "catalog",
			how:    "stock outcomes appended to the event store by the catalog's stock command handlers (`catalog`), with event ids derived from the order id so a repeat is a no-op",
			events: anys(len(ce), func(i int) any { return ce[i] })},
		{name: "catalog restock", prefix: catalog.RestockStreamPrefix, stream: catalog.RestockStreamPrefix + "<sku>", service: "catalog",
			how:    "appended by the catalog service when a stock adjustment takes a SKU from none available to some (`catalog.Service.MoveStock`: a staff adjustment or returned units put back), for the back-in-stock emails",
			events: anys(len(re), func(i int) any { return re[i] })},
		{name: "returns", prefix: returns.StreamPrefix, stream: returns.StreamPrefix + "<orderId>", service: "ordering",
			how:    "appended to the event store by the returns commands (`commands/returns`, served by the ordering service's return routes); one stream holds every return of an order",
			events: anys(len(rt), func(i int) any { return rt[i] })},
		{name: "checkout", prefix: checkout.StreamPrefix, stream: checkout.StreamPrefix + "<orderId>", service: "checkout",
			how:    "the checkout saga's own durable state (`sagas/checkout`), appended with an expected revision; `CommandsDispatched` is its outbox mark",
			events: anys(len(se), func(i int) any { return se[i] }), upcasts: checkout.Codec().Upcasts()},
	}
}

// Catalogue is everything docs/events.md says.
type Catalogue struct {
	Contexts []ContextDoc
	Handlers []HandlerDoc
	Commands []CommandDoc
	// Consumed are the event types some bus handler consumes (nil when one
	// takes every type): what cmd/relay publishes (wiring/consumed_gen.go).
	Consumed []string
}

// ContextDoc is one context's section.
type ContextDoc struct {
	contextSpec
	Events []EventDoc
}

// EventDoc describes one event type.
type EventDoc struct {
	Wire      string
	GoType    string
	Doc       string
	Fields    []Field
	Emitters  []string
	Consumers []string
}

// CommandDoc describes one command type and its handler.
type CommandDoc struct {
	Wire, GoType, Doc string
	Handler, Service  string
	Fields            []Field
	Senders           []string
}

// HandlerDoc is one consumer the wiring registers.
type HandlerDoc struct {
	Name, Service string
	Events        []string // nil: every event
	Streams       []string // stream prefixes an every-event handler keeps
	Command       string
}

// streamFilters are the stream prefixes of the projectors that subscribe to
// every event type and keep those of their streams (their Filter, which the
// bus does not see). A new such handler missing here is documented as
// consuming every event.
func streamFilters() (map[string][]string, error) {
	op, err := orders.NewProjector(orders.NewMemory())
	if err != nil {
		return nil, err
	}
	bp, err := baskets.NewProjector(baskets.NewMemory())
	if err != nil {
		return nil, err
	}
	pp, err := payments.NewProjector(payments.NewMemory())
	if err != nil {
		return nil, err
	}
	return map[string][]string{
		op.Name(): op.Filter().StreamPrefixes,
		bp.Name(): bp.Filter().StreamPrefixes,
		pp.Name(): pp.Filter().StreamPrefixes,
	}, nil
}

// Field is one JSON field of a message.
type Field struct {
	Name, Type string
	Optional   bool
}

// services builds each service alone, as its cmd/<service> does, on a fresh
// embedded Infra, so every handler is attributed to the binary that runs it.
var services = []struct {
	name  string
	build func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error
}{
	{"auth", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Auth(ctx, s.Auth)
		return err
	}},
	{"catalog", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Catalog(ctx, s.Catalog)
		return err
	}},
	{"client", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Client(ctx, s.Client, nil)
		return err
	}},
	{"ordering", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Ordering(ctx, s.Ordering)
		return err
	}},
	{"basket", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Basket(ctx, s.Basket, nil, nil, "http://catalog.invalid")
		return err
	}},
	{"payment", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Payment(ctx, s.Payment)
		return err
	}},
	{"checkout", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Checkout(ctx, s.Checkout)
		return err
	}},
	{"notifier", func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) error {
		_, err := in.Notifier(ctx, s.Notifier, nil)
		return err
	}},
}

// embedded returns an Infra with the embedded defaults, blind to the
// environment so the output does not depend on who runs docgen.
func embedded() (*wiring.Infra, *wiring.ShopSettings, error) {
	s, err := wiring.LoadShop(nil, "-storage", "memory")
	if err != nil {
		return nil, nil, err
	}
	s.Catalog.SeedDemo = false
	return wiring.NewInfra(&s.Common, slog.New(slog.DiscardHandler)), s, nil
}

// registered returns the handlers of each service, and checks that the
// one-process shop registers exactly their union: a handler added to
// Shop but to none of the services above fails the generation.
func registered(ctx context.Context) ([]HandlerDoc, []wiring.Handler, error) {
	filters, err := streamFilters()
	if err != nil {
		return nil, nil, err
	}
	var docs []HandlerDoc
	var all []wiring.Handler
	byName := map[string]bool{}
	for _, svc := range services {
		in, opts, err := embedded()
		if err != nil {
			return nil, nil, err
		}
		err = svc.build(ctx, in, opts)
		hs := in.Handlers()
		in.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("build %s: %w", svc.name, err)
		}
		for _, h := range hs {
			d := HandlerDoc{Name: h.Name, Service: svc.name, Events: h.Events}
			if h.Command != nil {
				d.Command = commandName(h.Command)
				d.Events = nil
			} else if len(h.Events) == 0 {
				d.Events, d.Streams = nil, filters[h.Name]
			}
			docs = append(docs, d)
			all = append(all, h)
			byName[h.Name] = true
		}
	}
	in, opts, err := embedded()
	if err != nil {
		return nil, nil, err
	}
	defer in.Close()
	if _, err := in.Shop(ctx, opts); err != nil {
		return nil, nil, fmt.Errorf("build shop: %w", err)
	}
	for _, h := range in.Handlers() {
		if !byName[h.Name] {
			return nil, nil, fmt.Errorf("the shop registers handler %q, which no service in docgen's list registers: add its service to cmd/docgen", h.Name)
		}
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name < docs[j].Name })
	return docs, all, nil
}

// consumed is the union of the event types the bus handlers among hs
// consume, sorted; nil when one of them takes every type.
func consumed(hs []wiring.Handler) []string {
	set := map[string]bool{}
	for _, h := range hs {
		if h.Command != nil || h.FromStore {
			continue
		}
		if len(h.Events) == 0 {
			return nil
		}
		for _, t := range h.Events {
			set[t] = true
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// ConsumedGo is wiring/consumed_gen.go: the relay's list of the event
// types some bus handler consumes.
func (c *Catalogue) ConsumedGo() (string, error) {
	var b strings.Builder
	b.WriteString("// Code generated by cmd/docgen from the wiring; DO NOT EDIT.\n\npackage wiring\n\n")
	b.WriteString("// consumedEvents are the event types some service's bus handler consumes\n")
	b.WriteString("// with PROJECTIONS_SOURCE=store: what cmd/relay publishes with\n")
	b.WriteString("// RELAY_PUBLISH=consumed (empty: a handler takes every type, so all).\n")
	b.WriteString("var consumedEvents = []string{\n")
	for _, t := range c.Consumed {
		fmt.Fprintf(&b, "\t%q,\n", t)
	}
	b.WriteString("}\n")
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return "", fmt.Errorf("consumed_gen.go: %w", err)
	}
	return string(src), nil
}

// keeps reports whether a handler keeping streams sees a stream starting
// with prefix (no streams: it keeps everything).
func keeps(streams []string, prefix string) bool {
	if len(streams) == 0 {
		return true
	}
	for _, s := range streams {
		if strings.HasPrefix(prefix, s) {
			return true
		}
	}
	return false
}

func commandName(c any) string {
	if n, ok := c.(interface{ CommandName() string }); ok {
		return n.CommandName()
	}
	return fmt.Sprintf("%T", c)
}

func eventName(e any) string {
	switch e := e.(type) {
	case interface{ EventName() string }:
		return e.EventName()
	case interface{ EventType() string }:
		return e.EventType()
	}
	return fmt.Sprintf("%T", e)
}

// BuildCatalogue collects every event and command with their emitters,
// consumers and handlers.
func BuildCatalogue(ctx context.Context, src *Source) (*Catalogue, error) {
	handlers, raw, err := registered(ctx)
	if err != nil {
		return nil, err
	}
	cons := src.Constructions()
	built := func(t reflect.Type) []string {
		return cons[TypeKey{t.PkgPath(), t.Name()}]
	}
	cat := &Catalogue{Handlers: handlers, Consumed: consumed(raw)}
	for _, spec := range contexts() {
		cd := ContextDoc{contextSpec: spec}
		for _, e := range spec.events {
			t := reflect.TypeOf(e)
			wire := eventName(e)
			ed := EventDoc{Wire: wire, GoType: goType(src, t), Doc: src.TypeDoc(t.PkgPath(), t.Name()),
				Fields: fields(t), Emitters: built(t)}
			for _, h := range handlers {
				if h.Command != "" {
					continue
				}
				if contains(h.Events, wire) || (h.Events == nil && keeps(h.Streams, spec.prefix)) {
					ed.Consumers = append(ed.Consumers, "`"+h.Name+"` ("+h.Service+")")
				}
			}
			cd.Events = append(cd.Events, ed)
		}
		cat.Contexts = append(cat.Contexts, cd)
	}
	services := map[string]string{}
	for _, h := range handlers {
		services[h.Name] = h.Service
	}
	for _, h := range raw {
		if h.Command == nil {
			continue
		}
		t := reflect.TypeOf(h.Command)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		cat.Commands = append(cat.Commands, CommandDoc{Wire: commandName(h.Command), GoType: goType(src, t),
			Doc: src.TypeDoc(t.PkgPath(), t.Name()), Handler: h.Name, Service: services[h.Name],
			Fields: fields(t), Senders: built(t)})
	}
	sort.Slice(cat.Commands, func(i, j int) bool { return cat.Commands[i].Wire < cat.Commands[j].Wire })
	if err := cat.complete(src); err != nil {
		return nil, err
	}
	return cat, nil
}

// complete fails when the code names a wire type the catalogue lacks: an
// event missing from its package's Events(), or a command no service
// handles.
func (c *Catalogue) complete(src *Source) error {
	known := map[string]bool{}
	for _, cd := range c.Contexts {
		for _, e := range cd.Events {
			known[e.Wire] = true
		}
		for old := range cd.upcasts {
			known[old] = true
		}
	}
	for _, cm := range c.Commands {
		known[cm.Wire] = true
	}
	var missing []string
	for name, where := range src.WireNames() {
		if !known[name] && !strings.HasPrefix(name, "test.") {
			sort.Strings(where)
			missing = append(missing, name+" (at "+where[0]+")")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("wire names in the code but not in the catalogue (add the event to its package's Events(), or the context to cmd/docgen): %s",
			strings.Join(missing, "; "))
	}
	return nil
}

func goType(src *Source, t reflect.Type) string {
	if strings.HasPrefix(t.PkgPath(), src.Module+"/") {
		return src.Rel(t.PkgPath()) + "." + t.Name()
	}
	return t.String()
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// fields flattens the JSON shape of t: nested objects as a.b, array
// elements as a[].b.
func fields(t reflect.Type) []Field {
	var out []Field
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			ft := f.Type
			// encoding/json promotes the fields of an untagged embedded
			// struct, exported or not.
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				walk(ft, prefix)
				continue
			}
			if !f.IsExported() || (name == "-" && opts == "") {
				continue
			}
			if name == "" {
				name = f.Name
			}
			optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			full := prefix + name
			out = append(out, Field{Name: full, Type: typeName(ft), Optional: optional})
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Struct && ft != timeType:
				walk(ft, full+".")
			case ft.Kind() == reflect.Slice && ft != rawType && elem(ft).Kind() == reflect.Struct && elem(ft) != timeType:
				walk(elem(ft), full+"[].")
			}
		}
	}
	walk(t, "")
	return out
}

func elem(t reflect.Type) reflect.Type {
	t = t.Elem()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	named := ""
	if t.Name() != "" && t.PkgPath() != "" {
		named = " (" + t.String() + ")"
	}
	switch {
	case t == timeType:
		return "timestamp (RFC 3339)"
	case t == rawType:
		return "any JSON"
	}
	switch t.Kind() {
	case reflect.String:
		return "string" + named
	case reflect.Bool:
		return "boolean" + named
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer" + named
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer ≥ 0" + named
	case reflect.Float32, reflect.Float64:
		return "number" + named
	case reflect.Struct:
		return "object" + named
	case reflect.Map:
		return "object of " + typeName(t.Elem())
	case reflect.Slice, reflect.Array:
		return "array of " + typeName(t.Elem())
	}
	return "any"
}

var wirePattern = regexp.MustCompile(`^([a-z]+)\.([A-Z][A-Za-z]+)\.v([0-9]+)$`)

// Markdown renders docs/events.md.
func (c *Catalogue) Markdown() string {
	var b strings.Builder
	b.WriteString(generatedHeader("Event catalogue"))
	b.WriteString(`Every event and command that crosses a service boundary, from the Go types and the handlers the wiring registers.
An event's **wire name** (` + "`<context>.<Name>.v<N>`" + `) is its type in the event store envelope and the ` + "`name`" + ` metadata of
its bus message; it never derives from a Go type name, so renaming a type changes nothing on the wire. A changed
shape gets a new version suffix; the old version stays readable (an upcaster beside the type) for as long as the
store holds it. Money is always ` + "`{amount, currency}`" + ` in integer minor units.

Delivery is at least once. Events reach RabbitMQ only through a relay that reads the store in global order and
publishes them to the topic exchange ` + "`<BUS_PREFIX>.events.by-type`" + ` with the wire name as routing key; every
event handler has its own durable queue ` + "`<BUS_PREFIX>.events.<handler>`" + `, bound once per type listed for it, so
it receives only those; every command has one durable queue ` + "`<BUS_PREFIX>.cmd.<command wire name>`" + `. With
` + "`RELAY_PUBLISH=consumed`" + ` (the default) the relay publishes only the types some handler below receives from its queue
(read models and webhooks read the store); ` + "`all`" + ` publishes every event, for queues of your own.

`)
	b.WriteString("## Contexts\n\n| context | stream | appended by | events |\n|---|---|---|---|\n")
	for _, cd := range c.Contexts {
		fmt.Fprintf(&b, "| [%s](#%s) | `%s` | %s: %s | %d |\n", cd.name, anchor(cd.name+" events"), cd.stream, cd.service, cd.how, len(cd.Events))
	}

	b.WriteString("\n## Event handlers\n\n| handler (queue) | service | receives |\n|---|---|---|\n")
	for _, h := range c.Handlers {
		if h.Command != "" {
			continue
		}
		recv := "every event"
		if len(h.Streams) > 0 {
			var ps []string
			for _, p := range h.Streams {
				ps = append(ps, "`"+p+"*`")
			}
			recv = "every event; keeps those of streams " + strings.Join(ps, ", ")
		}
		if h.Events != nil {
			var ts []string
			for _, t := range h.Events {
				ts = append(ts, "`"+t+"`")
			}
			recv = strings.Join(ts, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", h.Name, h.Service, recv)
	}

	b.WriteString("\n## Commands\n\n| command | handler | service | sent by |\n|---|---|---|---|\n")
	for _, cm := range c.Commands {
		fmt.Fprintf(&b, "| [`%s`](#%s) | `%s` | %s | %s |\n", cm.Wire, anchor(strings.ReplaceAll(cm.Wire, ".", "")), cm.Handler, cm.Service, dirs(cm.Senders))
	}

	versions := map[string][]int{}
	for _, cd := range c.Contexts {
		for _, e := range cd.Events {
			if m := wirePattern.FindStringSubmatch(e.Wire); m != nil {
				n, _ := strconv.Atoi(m[3])
				versions[m[1]+"."+m[2]] = append(versions[m[1]+"."+m[2]], n)
			}
		}
	}
	for _, cd := range c.Contexts {
		fmt.Fprintf(&b, "\n## %s events\n\nStream `%s`, %s.\n", cd.name, cd.stream, cd.how)
		for _, e := range cd.Events {
			fmt.Fprintf(&b, "\n### `%s`\n\n", e.Wire)
			if e.Doc != "" {
				fmt.Fprintf(&b, "%s\n\n", e.Doc)
			}
			fmt.Fprintf(&b, "- Go type: `%s`\n", e.GoType)
			fmt.Fprintf(&b, "- emitted by: %s (built in %s)\n", cd.service, dirs(e.Emitters))
			consumers := "no bus handler (history only: aggregates, replays, exports)"
			if len(e.Consumers) > 0 {
				consumers = strings.Join(e.Consumers, ", ")
			}
			fmt.Fprintf(&b, "- consumed by: %s\n", consumers)
			fmt.Fprintf(&b, "- versions: %s\n\n", history(e.Wire, versions))
			b.WriteString(fieldTable(e.Fields))
		}
		if len(cd.upcasts) > 0 {
			fmt.Fprintf(&b, "\n### Stored by earlier versions, no longer recorded\n\n")
			olds := make([]string, 0, len(cd.upcasts))
			for old := range cd.upcasts {
				olds = append(olds, old)
			}
			sort.Strings(olds)
			for _, old := range olds {
				if to := cd.upcasts[old]; to != "" {
					fmt.Fprintf(&b, "- `%s`: upcast to `%s` when read\n", old, to)
				} else {
					fmt.Fprintf(&b, "- `%s`: retired; read as `esrepo.Retired`, it keeps its revision and changes nothing\n", old)
				}
			}
		}
	}

	b.WriteString("\n## Command payloads\n")
	for _, cm := range c.Commands {
		fmt.Fprintf(&b, "\n### `%s`\n\n", cm.Wire)
		if cm.Doc != "" {
			fmt.Fprintf(&b, "%s\n\n", cm.Doc)
		}
		fmt.Fprintf(&b, "- Go type: `%s`\n- handler: `%s` (%s)\n- sent by: %s\n- versions: %s\n\n",
			cm.GoType, cm.Handler, cm.Service, dirs(cm.Senders), history(cm.Wire, nil))
		b.WriteString(fieldTable(cm.Fields))
	}
	return b.String()
}

// history lists the versions of a wire name known to the code, newest
// marked current.
func history(wire string, versions map[string][]int) string {
	m := wirePattern.FindStringSubmatch(wire)
	if m == nil {
		return "unversioned"
	}
	vs := versions[m[1]+"."+m[2]]
	if len(vs) == 0 {
		n, _ := strconv.Atoi(m[3])
		vs = []int{n}
	}
	sort.Ints(vs)
	var out []string
	for i, v := range vs {
		s := "v" + strconv.Itoa(v)
		if i == len(vs)-1 {
			s += " (current"
			if v == 1 {
				s += ", no upcaster needed"
			}
			s += ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func dirs(ds []string) string {
	if len(ds) == 0 {
		return "—"
	}
	var out []string
	for _, d := range ds {
		out = append(out, "`"+d+"`")
	}
	return strings.Join(out, ", ")
}

func fieldTable(fs []Field) string {
	if len(fs) == 0 {
		return "No fields.\n"
	}
	var b strings.Builder
	b.WriteString("| field | type | required |\n|---|---|---|\n")
	for _, f := range fs {
		req := "yes"
		if f.Optional {
			req = "no (omitted when empty)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, cell(f.Type), req)
	}
	return b.String()
}
