package wiring_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/evshop/shop/api/gateway"
)

// TestEmbeddedShopBackOfficeStockAndImages goes through the durable
// one-process shop's gateway: an admin's stock adjustment lands in the
// product's movement history with its reason and actor, and an image larger
// than the usual 1 MiB body limit uploads (the limit follows
// CATALOG_IMAGE_MAX_BYTES) and is served with its type.
func TestEmbeddedShopBackOfficeStockAndImages(t *testing.T) {
	t.Parallel()
	const email, password = "admin@backoffice.test", "back office admin passphrase"
	env := map[string]string{"AUTH_BOOTSTRAP_ADMIN_EMAIL": email, "AUTH_BOOTSTRAP_ADMIN_PASSWORD": password,
		"OPS_EMAIL": "", "METRICS_ADDR": "", "RATE_LIMIT": "100000", "DATA_DIR": t.TempDir()}
	_, url := startEmbeddedShop(t, env)
	c := serverShop{gatewayURL: url}.caller(t, "")
	if status := c.login(email, password); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	var me struct{ ID string }
	c.do(http.MethodGet, "/api/auth/me", nil, &me)

	if status := c.do(http.MethodPost, "/api/catalog/products/KIT-001/stock", map[string]any{"delta": 3}, nil); status != http.StatusUnprocessableEntity {
		t.Fatalf("adjustment without a reason: %d", status)
	}
	if status := c.do(http.MethodPost, "/api/catalog/products/KIT-001/stock", map[string]any{"delta": 3, "reason": "received", "note": "PO 9"}, nil); status != http.StatusOK {
		t.Fatalf("adjustment: %d", status)
	}
	var moves struct {
		Total int
		Items []struct {
			Delta  int
			Reason string
			Note   string
			Actor  string
		}
	}
	if status := c.do(http.MethodGet, "/api/catalog/products/KIT-001/stock/movements", nil, &moves); status != http.StatusOK {
		t.Fatalf("movements: %d", status)
	}
	if moves.Total != 1 || moves.Items[0].Delta != 3 || moves.Items[0].Reason != "received" || moves.Items[0].Note != "PO 9" || moves.Items[0].Actor != me.ID {
		t.Fatalf("movements: %+v (me %s)", moves, me.ID)
	}

	// Noise does not compress: well over 1 MiB as PNG.
	img := image.NewNRGBA(image.Rect(0, 0, 700, 500))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.UintN(256))
	}
	img.Set(0, 0, color.NRGBA{A: 255})
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	if pic.Len() < 1<<20 {
		t.Fatalf("test image is only %d bytes", pic.Len())
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "noise.png")
	part.Write(pic.Bytes()) //nolint:errcheck
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/catalog/products/KIT-001/images", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set(gateway.CSRFHeader, c.csrf)
	res, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body) //nolint:errcheck
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusCreated || !strings.HasPrefix(loc, "/api/catalog/images/") {
		t.Fatalf("upload of %d bytes: %d, Location %q", pic.Len(), res.StatusCode, loc)
	}
	got, err := http.Get(url + loc)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusOK || got.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("serve: %d %s", got.StatusCode, got.Header.Get("Content-Type"))
	}
	if back, err := png.Decode(bytes.NewReader(served)); err != nil || back.Bounds().Dx() != 700 {
		t.Fatalf("served image: %v", err)
	}
}
