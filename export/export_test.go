package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/parquet-go/parquet-go"

	"github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/export"
	"github.com/evshop/shop/projections/projectionstest"
)

func seeded(t *testing.T, orders, baskets int) (*memory.Store, []string) {
	t.Helper()
	es := memory.New()
	ids, err := projectionstest.Seed(context.Background(), es, 42, orders, baskets)
	if err != nil {
		t.Fatal(err)
	}
	return es, ids
}

func all(t *testing.T, es eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	for ev, err := range es.ReadAll(context.Background(), 0, eventstore.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

type buffers struct {
	mu    sync.Mutex
	files map[string]*bytes.Buffer
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func (b *buffers) Open(typ string) (io.WriteCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.files == nil {
		b.files = map[string]*bytes.Buffer{}
	}
	buf := &bytes.Buffer{}
	b.files[typ] = buf
	return nopCloser{buf}, nil
}

func TestQueryValidate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		name string
		q    export.Query
		ok   bool
	}{
		{"empty", export.Query{}, true},
		{"glob", export.Query{Types: []string{"ordering.*"}}, true},
		{"bad glob", export.Query{Types: []string{"ordering.["}}, false},
		{"empty type", export.Query{Types: []string{""}}, false},
		{"empty prefix", export.Query{StreamPrefixes: []string{""}}, false},
		{"since after until", export.Query{Since: now, Until: now.Add(-time.Hour)}, false},
		{"positions reversed", export.Query{FromPosition: 10, ToPosition: 5}, false},
		{"positions", export.Query{FromPosition: 5, ToPosition: 5}, true},
	} {
		if err := tc.q.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		} else if err != nil && !errors.Is(err, export.ErrInvalidQuery) {
			t.Errorf("%s: %v does not wrap ErrInvalidQuery", tc.name, err)
		}
	}
}

func TestEventsFilters(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t, 20, 10)
	evs := all(t, es)
	mid := evs[len(evs)/2].Time
	for _, tc := range []struct {
		name string
		q    export.Query
		want func(eventstore.RecordedEvent) bool
	}{
		{"prefix", export.Query{StreamPrefixes: []string{"order-"}}, func(e eventstore.RecordedEvent) bool { return strings.HasPrefix(e.Stream, "order-") }},
		{"two prefixes", export.Query{StreamPrefixes: []string{"basket-", "stock-"}}, func(e eventstore.RecordedEvent) bool {
			return strings.HasPrefix(e.Stream, "basket-") || strings.HasPrefix(e.Stream, "stock-")
		}},
		{"exact type", export.Query{Types: []string{"ordering.OrderPlaced.v1"}}, func(e eventstore.RecordedEvent) bool { return e.Type == "ordering.OrderPlaced.v1" }},
		{"glob types", export.Query{Types: []string{"payment.*", "*.StockReserved.v1"}}, func(e eventstore.RecordedEvent) bool {
			return strings.HasPrefix(e.Type, "payment.") || e.Type == "catalog.StockReserved.v1"
		}},
		{"positions", export.Query{FromPosition: 10, ToPosition: 20}, func(e eventstore.RecordedEvent) bool { return e.Position >= 10 && e.Position <= 20 }},
		{"since", export.Query{Since: mid}, func(e eventstore.RecordedEvent) bool { return !e.Time.Before(mid) }},
		{"until", export.Query{Until: mid}, func(e eventstore.RecordedEvent) bool { return e.Time.Before(mid) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var want, got []uint64
			for _, e := range evs {
				if tc.want(e) {
					want = append(want, e.Position)
				}
			}
			for e, err := range export.Events(context.Background(), es, tc.q) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, e.Position)
			}
			if len(want) == 0 || !slices.Equal(want, got) {
				t.Fatalf("want %v\ngot  %v", want, got)
			}
		})
	}
}

func TestExportJSONLinesRedactsTokens(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t, 10, 5)
	var b buffers
	res, err := export.Export(context.Background(), es, &b, export.Options{Format: export.FormatJSONL,
		Query: export.Query{StreamPrefixes: []string{"order-", "basket-"}}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.files[""].String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if uint64(len(lines)) != res.Events || res.Events == 0 {
		t.Fatalf("%d lines, %d events", len(lines), res.Events)
	}
	var first eventstore.RecordedEvent
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Position == 0 || first.Type == "" {
		t.Fatalf("first line %q: %v", lines[0], err)
	}
	if strings.Contains(out, "tok_") || !strings.Contains(out, export.Redacted) {
		t.Fatal("payment token not redacted")
	}
	if res.PerType["ordering.OrderPlaced.v1"] != 10 {
		t.Fatalf("per type %v", res.PerType)
	}
}

func TestExportCSVFlattensData(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t, 10, 0)
	var b buffers
	res, err := export.Export(context.Background(), es, &b, export.Options{Format: export.FormatCSV, IncludePersonalData: true,
		Query: export.Query{Types: []string{"ordering.OrderPlaced.v1", "ordering.OrderPaid.v1"}}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(b.files[""]).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(recs)-1) != res.Events {
		t.Fatalf("%d records for %d events", len(recs)-1, res.Events)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"position", "type", "time", "correlationId", "data.total.amount", "data.total.currency",
		"data.amount.amount", "data.shippingAddress.city", "data.payment.token", "data.lines", "data.placedAt"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("no column %q in %v", h, recs[0])
		}
	}
	for _, r := range recs[1:] {
		switch r[col["type"]] {
		case "ordering.OrderPlaced.v1":
			if r[col["data.total.currency"]] != "EUR" || r[col["data.payment.token"]] != export.Redacted ||
				!strings.HasPrefix(r[col["data.lines"]], `[{"category":`) || r[col["data.amount.amount"]] != "" {
				t.Fatalf("placed record %v", r)
			}
		case "ordering.OrderPaid.v1":
			if r[col["data.amount.amount"]] == "" || r[col["data.total.amount"]] != "" {
				t.Fatalf("paid record %v", r)
			}
		default:
			t.Fatalf("unexpected type %s", r[col["type"]])
		}
	}
}

func TestExportParquetTypedColumnsPerType(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t, 30, 10)
	var b buffers
	res, err := export.Export(context.Background(), es, &b, export.Options{Format: export.FormatParquet,
		Query: export.Query{Types: []string{"ordering.*", "basket.ItemAdded.v1"}}, RowGroupRows: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.files) != len(res.PerType) || len(b.files) < 5 {
		t.Fatalf("files %d, types %v", len(b.files), res.PerType)
	}
	for typ, buf := range b.files {
		f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if uint64(f.NumRows()) != res.PerType[typ] {
			t.Fatalf("%s: %d rows, want %d", typ, f.NumRows(), res.PerType[typ])
		}
		if typ != "ordering.OrderPlaced.v1" {
			continue
		}
		leaf := func(path ...string) parquet.Node {
			col, ok := f.Schema().Lookup(path...)
			if !ok {
				t.Fatalf("no column %v in\n%s", path, f.Schema())
			}
			return col.Node
		}
		if k := leaf("data", "total", "amount").Type().Kind(); k != parquet.Int64 {
			t.Fatalf("total.amount kind %v", k)
		}
		if lt := leaf("data", "placedAt").Type().LogicalType(); lt == nil || !strings.HasPrefix(lt.String(), "TIMESTAMP") {
			t.Fatalf("placedAt is not a timestamp: %v", lt)
		}
		if lt := leaf("time").Type().LogicalType(); lt == nil || !strings.HasPrefix(lt.String(), "TIMESTAMP") {
			t.Fatal("time is not a timestamp")
		}
		rows := make([]map[string]any, f.NumRows())
		for i := range rows {
			rows[i] = map[string]any{}
		}
		r := parquet.NewGenericReader[map[string]any](bytes.NewReader(buf.Bytes()), f.Schema())
		if n, err := r.Read(rows); n != len(rows) || (err != nil && err != io.EOF) {
			t.Fatalf("read %d: %v", n, err)
		}
		data := rows[0]["data"].(map[string]any)
		if data["payment"].(map[string]any)["token"] != export.Redacted || data["currency"] != "EUR" {
			t.Fatalf("row %v", rows[0])
		}
	}
}

// growing appends an event of a new type with a new field right after the
// first pass, to prove the second pass stops where the first ended.
type growing struct {
	*memory.Store
	once sync.Once
	t    *testing.T
}

func (g *growing) ReadAll(ctx context.Context, after uint64, f eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		for ev, err := range g.Store.ReadAll(ctx, after, f) {
			if !yield(ev, err) {
				return
			}
		}
		g.once.Do(func() {
			if _, err := g.Append(ctx, "order-x", eventstore.Any(), eventstore.EventData{ID: uuid.NewString(),
				Type: "ordering.Surprise.v1", Data: json.RawMessage(`{"brandNew":1}`)}); err != nil {
				g.t.Error(err)
			}
		})
	}
}

func TestExportIsStableWhileAppending(t *testing.T) {
	t.Parallel()
	for _, f := range []export.Format{export.FormatCSV, export.FormatParquet} {
		es, _ := seeded(t, 5, 0)
		g := &growing{Store: es, t: t}
		var b buffers
		res, err := export.Export(context.Background(), g, &b, export.Options{Format: f})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if res.PerType["ordering.Surprise.v1"] != 0 {
			t.Fatalf("%s exported an event appended after the first pass", f)
		}
	}
}

func TestStatsCountsPerTypePerDay(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t, 12, 4)
	stats, err := export.Stats(context.Background(), es, export.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var total uint64
	seen := map[string]uint64{}
	for _, s := range stats {
		total += s.Count
		seen[s.Type] += s.Count
		if len(s.Day) != 10 {
			t.Fatalf("day %q", s.Day)
		}
	}
	if total != uint64(len(all(t, es))) || seen["ordering.OrderPlaced.v1"] != 12 || seen["basket.ItemAdded.v1"] != 8 {
		t.Fatalf("stats %+v", stats)
	}
}

func TestTimelineFollowsOrderSagaStockPaymentAndCorrelation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es, ids := seeded(t, 8, 3)
	id := ids[3]
	// The basket checkout that started the order shares its correlation id.
	var corr string
	for ev, err := range es.Read(ctx, "order-"+id, 0) {
		if err != nil {
			t.Fatal(err)
		}
		corr = ev.Metadata.CorrelationID
		break
	}
	if _, err := es.Append(ctx, "basket-b1", eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: "basket.BasketCheckedOut.v1",
		Data: json.RawMessage(`{"orderId":"` + id + `"}`), Metadata: eventstore.Metadata{CorrelationID: corr}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scan       export.Scan
		wantBasket bool
	}{{export.ScanNone, false}, {export.ScanWindow, true}, {export.ScanAll, true}} {
		evs, err := export.Timeline(ctx, es, strings.ToUpper(id), export.TimelineOptions{Scan: tc.scan})
		if err != nil {
			t.Fatal(err)
		}
		streams := map[string]bool{}
		for i, ev := range evs {
			if i > 0 && evs[i-1].Position >= ev.Position {
				t.Fatal("timeline not in global order")
			}
			streams[strings.SplitN(ev.Stream, "-", 2)[0]] = true
			if !strings.Contains(ev.Stream, id) && ev.Stream != "basket-b1" && ev.Stream != payment.Stream(payment.IDForOrder(id)) {
				t.Fatalf("foreign event %s", ev.Stream)
			}
		}
		for _, s := range []string{"order", "checkout", "stock"} {
			if !streams[s] {
				t.Fatalf("%s: no %s stream in %v", tc.scan, s, streams)
			}
		}
		if streams["basket"] != tc.wantBasket {
			t.Fatalf("%s: basket included = %v", tc.scan, streams["basket"])
		}
	}
	if _, err := export.Timeline(ctx, es, "not-a-uuid", export.TimelineOptions{}); !errors.Is(err, export.ErrInvalidOrderID) {
		t.Fatalf("bad id: %v", err)
	}
}

// An order's returns (returns-<orderId>) are part of its timeline.
func TestTimelineIncludesReturns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es, ids := seeded(t, 8, 0)
	id := ids[0]
	if _, err := es.Append(ctx, "returns-"+id, eventstore.NoStream(), eventstore.EventData{ID: uuid.NewString(), Type: "returns.ReturnRequested.v1",
		Data: json.RawMessage(`{"returnId":"` + id + `-r1","orderId":"` + id + `"}`)}); err != nil {
		t.Fatal(err)
	}
	evs, err := export.Timeline(ctx, es, id, export.TimelineOptions{Scan: export.ScanNone})
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Stream != "returns-"+id || last.Type != "returns.ReturnRequested.v1" {
		t.Fatalf("last timeline event %s %s", last.Stream, last.Type)
	}
}

// TestExportNeverLeaksTokens: a stored payment token, a sealed token and
// other token-like fields never appear in an export, in any format, at any
// depth or letter case, even when the caller turns the optional redaction
// off (shopctl --no-redact).
func TestExportNeverLeaksTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	secrets := []string{"tok_sandbox_LEAK1", "SEALED-LEAK2", "pm_LEAK3", "rt_LEAK4"}
	events := []struct{ stream, typ, data string }{
		{"order-" + uuid.NewString(), "ordering.OrderPlaced.v1", `{"orderId":"o1","total":{"amount":100,"currency":"EUR"},"payment":{"method":"sandbox","token":"tok_sandbox_LEAK1","last4":"4242"}}`},
		{"user-" + uuid.NewString(), "identity.UserRegistered.v1", `{"userId":"u1","email":"a@example.com","sealedToken":"SEALED-LEAK2"}`},
		{"payment-" + uuid.NewString(), "payment.AuthorizePayment.v1", `{"paymentId":"p1","Token":"pm_LEAK3","nested":[{"refreshToken":"rt_LEAK4"}]}`},
	}
	for _, e := range events {
		if _, err := es.Append(ctx, e.stream, eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: e.typ, Data: json.RawMessage(e.data)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, format := range []export.Format{export.FormatJSONL, export.FormatCSV, export.FormatParquet} {
		for _, opt := range []struct {
			name   string
			redact []string
		}{{"default", nil}, {"no-redact", []string{}}, {"other keys", []string{"email"}}} {
			t.Run(string(format)+"/"+opt.name, func(t *testing.T) {
				t.Parallel()
				var b buffers
				res, err := export.Export(ctx, es, &b, export.Options{Format: format, Redact: opt.redact})
				if err != nil || res.Events != uint64(len(events)) {
					t.Fatalf("export: %d events, %v", res.Events, err)
				}
				for name, f := range b.files {
					text := f.Bytes()
					if format == export.FormatParquet {
						text = parquetText(t, f.Bytes()) // pages may be compressed
					}
					for _, s := range secrets {
						if bytes.Contains(text, []byte(s)) {
							t.Fatalf("%s output %q holds %s", format, name, s)
						}
					}
				}
			})
		}
	}
	for _, e := range events {
		out := string(export.RedactJSON(json.RawMessage(e.data)))
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Fatalf("RedactJSON(%s) = %s", e.typ, out)
			}
		}
	}
}

// parquetText reads every row of a Parquet file back as JSON.
func parquetText(t *testing.T, file []byte) []byte {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]map[string]any, f.NumRows())
	for i := range rows {
		rows[i] = map[string]any{}
	}
	r := parquet.NewGenericReader[map[string]any](bytes.NewReader(file), f.Schema())
	if n, err := r.Read(rows); n != len(rows) || (err != nil && err != io.EOF) {
		t.Fatalf("read %d of %d rows: %v", n, len(rows), err)
	}
	out, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || !bytes.Contains(out, []byte(export.Redacted)) {
		t.Fatalf("parquet rows %s: nothing redacted to check", out)
	}
	return out
}

// Personal data (names, emails, addresses, last4) leaves only when asked
// for, in every format; product names, amounts and ids stay either way.
func TestExportPersonalDataOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es, _ := seeded(t, 4, 0)
	user, _ := json.Marshal(identity.UserRegistered{UserID: uuid.NewString(), Email: "ada@example.com", Name: "Ada Lovelace", OccurredAt: time.Now()})
	if _, err := es.Append(ctx, "user-1", eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: identity.TypeUserRegistered, Data: user}); err != nil {
		t.Fatal(err)
	}
	var placed ordering.OrderPlaced
	for _, ev := range all(t, es) {
		if ev.Type == ordering.EventOrderPlaced {
			if err := json.Unmarshal(ev.Data, &placed); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	personal := []string{"ada@example.com", "Ada Lovelace", placed.Email, placed.ShippingAddress.City, placed.ShippingAddress.Name}
	kept := []string{placed.Lines[0].Name, placed.Lines[0].SKU} // ids are binary UUIDs in Parquet
	if placed.Payment.Last4 != "" {
		personal = append(personal, `"`+placed.Payment.Last4+`"`)
	}
	for _, f := range []export.Format{export.FormatJSONL, export.FormatCSV, export.FormatParquet} {
		for _, include := range []bool{false, true} {
			var b buffers
			q := export.Query{Types: []string{ordering.EventOrderPlaced, identity.TypeUserRegistered}}
			if _, err := export.Export(ctx, es, &b, export.Options{Format: f, Query: q, IncludePersonalData: include}); err != nil {
				t.Fatalf("%s include=%v: %v", f, include, err)
			}
			var out strings.Builder
			for _, buf := range b.files {
				out.Write(buf.Bytes())
			}
			text := out.String()
			if f == export.FormatParquet {
				text = strings.ReplaceAll(text, "\x00", "") // plain strings in the pages
			}
			for _, v := range personal {
				if v == `"`+placed.Payment.Last4+`"` && f != export.FormatJSONL {
					continue // quoted only in JSON
				}
				if got := strings.Contains(text, v); got != include {
					t.Errorf("%s include=%v: %q present %v", f, include, v, got)
				}
			}
			for _, v := range kept {
				if !strings.Contains(text, v) {
					t.Errorf("%s include=%v: %q missing", f, include, v)
				}
			}
		}
	}
}

// TestExportCarriesThePriceBreakdown: an order placed with tax and shipping
// exports its breakdown (net, tax, gross, tax per rate, shipping) as
// columns beside the total.
func TestExportCarriesThePriceBreakdown(t *testing.T) {
	t.Parallel()
	prices, err := ordering.DefaultPricing("DE")
	if err != nil {
		t.Fatal(err)
	}
	methods, err := ordering.NewPaymentMethods("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	o := ordering.Blank(uuid.NewString())
	if err := o.Place(ordering.PlaceInput{CustomerID: uuid.NewString(), Email: "ada@example.com",
		Lines:           []ordering.LineDTO{{SKU: "BOOK", Name: "Book", Category: "Books", Quantity: 1, UnitPrice: money.DTO{Amount: 1999, Currency: "EUR"}, TaxClass: "reduced", WeightGrams: 400}},
		ShippingAddress: ordering.AddressDTO{Name: "Ada", Line1: "1 Main", City: "Berlin", PostalCode: "10115", Country: "DE"},
		Payment:         ordering.PaymentDTO{Method: "sandbox", Token: "tok"}, ShippingMethod: "standard"}, methods, prices, time.Now()); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(o.Changes()[0])
	if err != nil {
		t.Fatal(err)
	}
	es := memory.New()
	if _, err := es.Append(context.Background(), ordering.Stream(o.ID()), eventstore.NoStream(),
		eventstore.EventData{ID: uuid.NewString(), Type: ordering.EventOrderPlaced, Data: data}); err != nil {
		t.Fatal(err)
	}
	var b buffers
	if _, err := export.Export(context.Background(), es, &b, export.Options{Format: export.FormatCSV, IncludePersonalData: true}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(b.files[""]).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	got := map[string]string{}
	for i, h := range recs[0] {
		got[h] = recs[1][i]
	}
	// 1999 at 7 % incl.: tax 131; shipping 495 at 19 % incl.: tax 79.
	for col, want := range map[string]string{"data.total.amount": "2494", "data.breakdown.gross.amount": "2494",
		"data.breakdown.tax.amount": "210", "data.breakdown.shipping.tax.amount": "79", "data.shippingMethod": "standard"} {
		if got[col] != want {
			t.Errorf("%s = %q, want %q", col, got[col], want)
		}
	}
	if !strings.Contains(got["data.breakdown.taxRates"], `"rateBp":700`) {
		t.Errorf("tax rates column %q", got["data.breakdown.taxRates"])
	}
}
