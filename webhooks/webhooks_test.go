package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/webhooks"
)

func TestSignatureVerifies(t *testing.T) {
	t.Parallel()
	secret, body := "whsec_test_0123456789abcdef", []byte(`{"id":"e1","type":"order.paid.v1"}`)
	at := time.Unix(1_760_000_000, 0)
	good := webhooks.Sign(secret, at, body)
	tests := []struct {
		name, header string
		body         []byte
		now          time.Time
		want         error
	}{
		{"valid", good, body, at.Add(time.Minute), nil},
		{"another valid signature beside an old one", "t=1760000000,v1=00ff," + strings.Split(good, ",")[1], body, at, nil},
		{"body changed", good, []byte(`{"id":"e1","type":"order.paid.v2"}`), at, webhooks.ErrBadSignature},
		{"other secret", webhooks.Sign("whsec_other_0123456789abcdef", at, body), body, at, webhooks.ErrBadSignature},
		{"timestamp changed", strings.Replace(good, "t=1760000000", "t=1760000001", 1), body, at, webhooks.ErrBadSignature},
		{"too old (replay)", good, body, at.Add(6 * time.Minute), webhooks.ErrStale},
		{"from the future", good, body, at.Add(-6 * time.Minute), webhooks.ErrStale},
		{"no timestamp", strings.Split(good, ",")[1], body, at, webhooks.ErrBadSignature},
		{"no signature", "t=1760000000", body, at, webhooks.ErrBadSignature},
		{"garbage", "v1=zz,t=x", body, at, webhooks.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := webhooks.Verify(secret, tt.header, tt.body, tt.now, 5*time.Minute); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// fakeResolver answers fixed addresses, as a DNS server under an
// attacker's control could.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range f[host] {
		out = append(out, netip.MustParseAddr(a))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

func TestGuardRefusesInternalTargets(t *testing.T) {
	t.Parallel()
	dns := fakeResolver{
		"hooks.example.com":  {"93.184.215.14"},
		"localhost":          {"127.0.0.1", "::1"},
		"split.example.com":  {"93.184.215.14", "10.0.0.5"}, // one bad address is enough
		"meta.example.com":   {"169.254.169.254"},
		"mapped.example.com": {"::ffff:192.168.1.1"},
	}
	open := webhooks.NewGuard(nil, true, dns)
	local := webhooks.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16")}, true, dns)
	embedded := webhooks.NewGuard(nil, false, dns)
	tests := []struct {
		name  string
		guard *webhooks.Guard
		url   string
		want  string // "" = allowed, else part of the reason
	}{
		{"public https", open, "https://hooks.example.com/in", ""},
		{"public IP literal", open, "https://93.184.215.14:8443/in", ""},
		{"plain http in server mode", open, "http://hooks.example.com/in", "use https"},
		{"plain http when embedded", embedded, "http://hooks.example.com/in", ""},
		{"loopback v4", open, "https://127.0.0.1/", "loopback"},
		{"loopback name", open, "https://localhost:9000/", "loopback"},
		{"loopback v6", open, "https://[::1]/", "loopback"},
		{"loopback v4 in v6", open, "https://[::ffff:127.0.0.1]/", "loopback"},
		{"private 10/8", open, "https://10.1.2.3/", "private"},
		{"private 172.16/12", open, "https://172.20.0.1/", "private"},
		{"private 192.168/16", open, "https://192.168.0.10/", "private"},
		{"private via v4-mapped DNS answer", open, "https://mapped.example.com/", "private"},
		{"unique local v6", open, "https://[fd12::1]/", "private"},
		{"one private address among public ones", open, "https://split.example.com/", "private"},
		{"link-local", open, "https://169.254.10.1/", "link-local"},
		{"link-local v6", open, "https://[fe80::1]/", "link-local"},
		{"metadata v4", open, "https://169.254.169.254/latest/meta-data", "metadata"},
		{"metadata by name", open, "https://meta.example.com/", "metadata"},
		{"metadata v6", open, "https://[fd00:ec2::254]/", "metadata"},
		{"carrier-grade NAT", open, "https://100.64.0.1/", "carrier-grade NAT"},
		{"unspecified v4", open, "https://0.0.0.0/", "unspecified"},
		{"unspecified v6", open, "https://[::]/", "unspecified"},
		{"multicast", open, "https://224.0.0.1/", "multicast"},
		{"multicast v6", open, "https://[ff02::1]/", "multicast"},
		{"broadcast", open, "https://255.255.255.255/", "reserved"},
		{"NAT64", open, "https://[64:ff9b::a00:1]/", "NAT64"},
		{"unresolvable", open, "https://nowhere.invalid/", "does not resolve"},
		{"allow-listed loopback, plain http", local, "http://127.0.0.1:8080/hook", ""},
		{"allow-listed name", local, "https://localhost/", "loopback"}, // ::1 is not allow-listed
		{"allow-listed private range", local, "https://10.1.9.9/", ""},
		{"private beyond the allow-list", local, "https://10.2.0.1/", "private"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.guard.Check(context.Background(), tt.url)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Check(%s) = %v, want allowed", tt.url, err)
			case tt.want != "" && (!errors.Is(err, webhooks.ErrInvalid) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Check(%s) = %v, want a refusal mentioning %q", tt.url, err, tt.want)
			}
		})
	}
}

func TestSpecValidation(t *testing.T) {
	t.Parallel()
	ok := func() webhooks.Spec {
		return webhooks.Spec{URL: "https://hooks.example.com/in", EventTypes: []string{webhooks.TypeOrderShipped, webhooks.TypeOrderPaid, webhooks.TypeOrderPaid}}
	}
	tests := []struct {
		name  string
		edit  func(*webhooks.Spec)
		field string // "" = valid
	}{
		{"valid", func(*webhooks.Spec) {}, ""},
		{"return.received.v1 accepted", func(s *webhooks.Spec) { s.EventTypes = []string{webhooks.TypeReturnReceived} }, ""},
		{"no URL", func(s *webhooks.Spec) { s.URL = "" }, "url"},
		{"relative", func(s *webhooks.Spec) { s.URL = "/hooks" }, "url"},
		{"ftp", func(s *webhooks.Spec) { s.URL = "ftp://hooks.example.com/" }, "url"},
		{"credentials in URL", func(s *webhooks.Spec) { s.URL = "https://user:pw@hooks.example.com/" }, "url"},
		{"fragment", func(s *webhooks.Spec) { s.URL = "https://hooks.example.com/#x" }, "url"},
		{"too long", func(s *webhooks.Spec) { s.URL = "https://hooks.example.com/" + strings.Repeat("a", 2048) }, "url"},
		{"no types", func(s *webhooks.Spec) { s.EventTypes = nil }, "eventTypes"},
		{"internal type", func(s *webhooks.Spec) { s.EventTypes = []string{ordering.EventOrderPaid} }, "eventTypes"},
		{"control characters", func(s *webhooks.Spec) { s.Description = "a\x00b" }, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.edit(&s)
			err := s.Validate()
			var ie *webhooks.InvalidError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("Validate = %v", err)
			case tt.field == "" && tt.name == "valid" && strings.Join(s.EventTypes, ",") != "order.paid.v1,order.shipped.v1":
				t.Fatalf("types not normalised: %v", s.EventTypes)
			case tt.field != "" && (!errors.As(err, &ie) || ie.Field != tt.field):
				t.Fatalf("Validate = %v, want an error on %s", err, tt.field)
			}
		})
	}
}

func recorded(t *testing.T, typ string, data any) eventstore.RecordedEvent {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: "ev-1", Type: typ, Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Data: b}
}

func TestPublicPayloads(t *testing.T) {
	t.Parallel()
	eur := money.DTO{Amount: 4990, Currency: "EUR"}
	tests := []struct {
		name string
		in   eventstore.RecordedEvent
		want string // "" = not public
	}{
		{"order paid", recorded(t, ordering.EventOrderPaid, ordering.OrderPaid{OrderID: "o1", PaymentID: "p1", Amount: eur}),
			`{"id":"ev-1","type":"order.paid.v1","createdAt":"2026-03-01T12:00:00Z","data":{"orderId":"o1","paymentId":"p1","amount":{"minor":4990,"currency":"EUR"}}}`},
		{"order shipped", recorded(t, ordering.EventOrderShipped, ordering.OrderShipped{OrderID: "o1", Carrier: "DHL", TrackingNumber: "JD1"}),
			`{"id":"ev-1","type":"order.shipped.v1","createdAt":"2026-03-01T12:00:00Z","data":{"orderId":"o1","carrier":"DHL","trackingNumber":"JD1"}}`},
		{"order cancelled", recorded(t, ordering.EventOrderCancelled, ordering.OrderCancelled{OrderID: "o1", Reason: "payment declined"}),
			`{"id":"ev-1","type":"order.cancelled.v1","createdAt":"2026-03-01T12:00:00Z","data":{"orderId":"o1","reason":"payment declined"}}`},
		{"refund", recorded(t, payment.EventPaymentRefunded, payment.PaymentRefunded{PaymentID: "p1", OrderID: "o1", Amount: eur, Reason: "damaged", RefundID: "r1", GatewayRef: "re_secret"}),
			`{"id":"ev-1","type":"refund.completed.v1","createdAt":"2026-03-01T12:00:00Z","data":{"refundId":"r1","orderId":"o1","paymentId":"p1","amount":{"minor":4990,"currency":"EUR"},"reason":"damaged"}}`},
		{"return received", recorded(t, returns.EventReturnReceived, returns.ReturnReceived{ReturnID: "o1-r1", OrderID: "o1", PaymentID: "p1", By: "staff-1",
			Lines: []returns.ReceivedLineDTO{{SKU: "MUG", Restock: 1, Damaged: 1, Refund: eur}}, Refund: eur}),
			`{"id":"ev-1","type":"return.received.v1","createdAt":"2026-03-01T12:00:00Z","data":{"returnId":"o1-r1","orderId":"o1","lines":[{"sku":"MUG","restock":1,"damaged":1}],"refund":{"minor":4990,"currency":"EUR"}}}`},
		{"a return's request is not public", recorded(t, returns.EventReturnRequested, returns.ReturnRequested{ReturnID: "o1-r1", OrderID: "o1", Email: "ann@example.com"}), ""},
		{"the order's copy of a refund is not sent twice", recorded(t, ordering.EventOrderRefunded, ordering.OrderRefunded{OrderID: "o1", Amount: eur}), ""},
		{"placed orders are not public", recorded(t, ordering.EventOrderPlaced, ordering.OrderPlaced{OrderID: "o1", Email: "ann@example.com"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ok, err := webhooks.Public(tt.in)
			if err != nil || ok != (tt.want != "") {
				t.Fatalf("Public = %v, %v, %v", ev, ok, err)
			}
			if !ok {
				return
			}
			got, _ := json.Marshal(ev)
			if string(got) != tt.want {
				t.Fatalf("payload\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	if _, _, err := webhooks.Public(eventstore.RecordedEvent{ID: "bad", Type: ordering.EventOrderPaid, Data: []byte(`{"amount":"lots"}`)}); err == nil {
		t.Fatal("a malformed event mapped without error")
	}
}
