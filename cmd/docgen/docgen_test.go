package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
)

const root = "../.."

// The checked-in files must be what the generator writes now: run it into
// a temp copy of the partly generated files and compare.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	t.Parallel()
	files, err := Generate(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"docs/events.md", "docs/configuration.md", "README.md", "docs/api.md"} {
		if _, ok := files[want]; !ok {
			t.Errorf("Generate did not produce %s", want)
		}
	}
	tmp := t.TempDir()
	for p, content := range files {
		full := filepath.Join(tmp, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(full)
		have, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Errorf("%s: %v (run go run ./cmd/docgen)", p, err)
			continue
		}
		if !bytes.Equal(have, got) {
			t.Errorf("%s is stale; run `go run ./cmd/docgen`:\n%s", p, Diff(string(have), string(got), 20))
		}
	}
}

// The catalogue must name what the code and the contracts name.
func TestCatalogueContents(t *testing.T) {
	t.Parallel()
	files, err := Generate(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	events := files["docs/events.md"]
	for _, want := range []string{
		"### `ordering.OrderPlaced.v1`", "### `identity.UserRegistered.v1`", "### `basket.BasketCheckedOut.v1`",
		"### `payment.PaymentCaptured.v1`", "### `catalog.StockReservationFailed.v1`", "### `checkout.CheckoutStarted.v1`",
		"| `lines[].unitPrice.amount` | integer | yes |",
		"| [`catalog.ReserveStock.v1`](#catalogreservestockv1) | `catalog.reserve-stock` | catalog | `sagas/checkout` |",
		"`checkout.saga` (checkout)", "`notifier.send-emails` (notifier)",
		"| `projections.orders` | ordering | `ordering.OrderPlaced.v1`, `ordering.OrderPaid.v1`,",
		"| `notifier.track-baskets` | notifier | `basket.ItemAdded.v1`,",
	} {
		if !strings.Contains(events, want) {
			t.Errorf("docs/events.md lacks %q", want)
		}
	}
	conf := files["docs/configuration.md"]
	for _, want := range []string{"| `SHOP_MODE` | `-mode` | `server` |", "| `ADDR` | `-addr` | `:8080` (embedded: `127.0.0.1:8080`) |",
		"| `CATALOG_URL` | `-catalog-url` | `http://127.0.0.1:8080` |", "| `REMINDER_MAX_AGE` | `-reminder-max-age` | `168h` |", "| `MAIL_LINK_KEY` | `-mail-link-key` | —, **required** in server mode |",
		"## notifier preview", "| `SHOPCTL_REBUILD_BATCH` |"} {
		if !strings.Contains(conf, want) {
			t.Errorf("docs/configuration.md lacks %q", want)
		}
	}
	if !strings.Contains(files["docs/api.md"], "| basket | `POST` | `/api/basket/checkout` |") {
		t.Error("docs/api.md lacks the checkout path")
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	type line struct {
		SKU   string    `json:"sku"`
		Price money.DTO `json:"price"`
	}
	type inner struct {
		Embedded string `json:"embedded"`
	}
	type ev struct {
		inner
		ID      string    `json:"id"`
		At      time.Time `json:"at,omitzero"`
		Lines   []line    `json:"lines"`
		Tags    []string  `json:"tags,omitempty"`
		Skipped string    `json:"-"`
		Count   uint64    `json:"count"`
		private string
	}
	_ = ev{}.private
	got := fields(reflect.TypeFor[ev]())
	want := []Field{
		{Name: "embedded", Type: "string"},
		{Name: "id", Type: "string"},
		{Name: "at", Type: "timestamp (RFC 3339)", Optional: true},
		{Name: "lines", Type: "array of object (main.line)"},
		{Name: "lines[].sku", Type: "string"},
		{Name: "lines[].price", Type: "object (money.DTO)"},
		{Name: "lines[].price.amount", Type: "integer"},
		{Name: "lines[].price.currency", Type: "string"},
		{Name: "tags", Type: "array of string", Optional: true},
		{Name: "count", Type: "integer ≥ 0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields =\n%+v\nwant\n%+v", got, want)
	}
}

func TestSplice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, want, wantErr string
	}{
		{name: "replaces between markers", file: "a\n<!-- b -->\nold\n<!-- e -->\nz\n", want: "a\n<!-- b -->\nNEW\n<!-- e -->\nz\n"},
		{name: "appends when absent", file: "a", want: "a\n\n<!-- b -->\nNEW\n<!-- e -->\n"},
		{name: "end before begin", file: "<!-- e -->\n<!-- b -->\n", wantErr: "out of order"},
		{name: "end missing", file: "<!-- b -->\n", wantErr: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "f.md"), []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := splice(dir, "f.md", "<!-- b -->", "<!-- e -->", "NEW\n")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, have, want, out string
	}{
		{name: "changed line", have: "a\nb\nc", want: "a\nB\nc", out: "    2 + B\n    2 - b"},
		{name: "added line", have: "a\nc", want: "a\nb\nc", out: "    2 + b"},
		{name: "limit", have: "", want: "1\n2\n3", out: "    1 + 1\n… 3 more changed lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			limit := 10
			if tt.name == "limit" {
				limit = 1
			}
			if got := Diff(tt.have, tt.want, limit); got != tt.out {
				t.Errorf("Diff = %q, want %q", got, tt.out)
			}
		})
	}
}

// -check exits 1 naming the stale files and writes nothing; a plain run
// writes them, after which -check passes. A minimal root suffices: the
// handlers come from the wiring compiled in, the rest from the files.
func TestCheckThenWrite(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	copyFile := func(rel string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tmp, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("go.mod")
	copyFile("api/gateway/openapi.json")
	if err := os.MkdirAll(filepath.Join(tmp, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	stale := "# x\n<!-- config:begin -->\nold\n<!-- config:end -->\n"
	if err := os.WriteFile(filepath.Join(tmp, "README.md"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "docs/api.md"), []byte("# API\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out, errs bytes.Buffer
	if code := run(ctx, []string{"-check", "-root", tmp}, &out, &errs); code != 1 {
		t.Fatalf("-check on stale files: exit %d, want 1", code)
	}
	for _, want := range []string{"README.md is stale", "docs/events.md is stale", "    3 - old"} {
		if !strings.Contains(errs.String(), want) {
			t.Errorf("-check output lacks %q:\n%s", want, errs.String())
		}
	}
	if b, _ := os.ReadFile(filepath.Join(tmp, "README.md")); string(b) != stale {
		t.Error("-check wrote README.md")
	}
	if code := run(ctx, []string{"-root", tmp}, &out, &errs); code != 0 {
		t.Fatalf("write: exit %d\n%s", code, errs.String())
	}
	errs.Reset()
	if code := run(ctx, []string{"-check", "-root", tmp}, &out, &errs); code != 0 {
		t.Fatalf("-check after writing: exit %d\n%s", code, errs.String())
	}
	if code := run(ctx, []string{"-root", tmp, "extra"}, &out, &errs); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}

// A binary docgen does not know the settings of fails the generation
// instead of going undocumented.
func TestBinariesRefusesAnUnknownBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for rel, content := range map[string]string{
		"go.mod":           "module example.com/m\n\ngo 1.26\n",
		"cmd/tool/main.go": "// Command tool does things.\npackage main\n\nfunc main() {}\n",
	} {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := LoadSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Binaries(src); err == nil || !strings.Contains(err.Error(), "cmd/tool") {
		t.Fatalf("Binaries = %v, want an error naming cmd/tool", err)
	}
}

// Every binary of the repository is described, shop with the notifier's
// alert settings and the notifier without Stripe's.
func TestBinariesDescribeEachBinarysOwnSettings(t *testing.T) {
	t.Parallel()
	src, err := LoadSource(root)
	if err != nil {
		t.Fatal(err)
	}
	bins, err := Binaries(src)
	if err != nil {
		t.Fatal(err)
	}
	has := func(bin, env string) bool {
		for _, b := range bins {
			for _, ns := range b.Sets {
				if ns.Name != bin {
					continue
				}
				for _, v := range ns.Vars {
					if v.Env == env {
						return true
					}
				}
			}
		}
		return false
	}
	for _, c := range []struct {
		bin, env string
		want     bool
	}{
		{"shop", "ALERT_READYZ_TARGETS", true},
		{"shop", "STRIPE_SECRET_KEY", true},
		{"notifier", "ALERT_READYZ_TARGETS", true},
		{"notifier", "STRIPE_SECRET_KEY", false},
		{"relay", "MAIL_LINK_KEY", false},
		{"gateway", "UPSTREAM_AUTH", true},
		{"shop", "UPSTREAM_AUTH", false},
		{"shopctl", "POSTGRES_URL", true},
		{"notifier preview", "PREVIEW_LANG", true},
		{"loadgen", "LOADGEN_URL", true},
	} {
		if got := has(c.bin, c.env); got != c.want {
			t.Errorf("%s reads %s: %v, want %v", c.bin, c.env, got, c.want)
		}
	}
}
