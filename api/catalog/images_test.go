package catalog_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/catalog/images"
)

func testPicture(w, h int, shade uint8) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), shade, 255})
		}
	}
	return img
}

func pngBytes(t *testing.T, w, h int, shade uint8) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testPicture(w, h, shade)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegWithGPS is a JPEG carrying an EXIF segment with a location.
func jpegWithGPS(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testPicture(16, 16, 9), nil); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00GPSLatitude 52.5163N GPSLongitude 13.3777E")
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, b.Bytes()[:2]...), seg...), b.Bytes()[2:]...)
}

func upload(t *testing.T, e env, sku, token, filename, declared string, data []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename=%q`, filename)}
	h["Content-Type"] = []string{declared}
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data) //nolint:errcheck
	w.Close()
	req := httptest.NewRequest("POST", "/api/catalog/products/"+sku+"/images", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(t, req, body.Bytes())
}

func TestImageUploads(t *testing.T) {
	t.Parallel()
	for _, be := range backOfficeEnvs {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			e := backOfficeEnv(t, be.mk, images.Limits{MaxBytes: 64 << 10, MaxPixels: 400 * 400})
			const sku = "KIT-001"
			before, _ := e.svc.Get(context.Background(), sku)
			n0 := len(before.Images())

			// Refusals first: nothing is stored or added.
			refusals := []struct {
				name, token, filename, declared string
				data                            []byte
				status                          int
			}{
				{"html named .png", "admin", "x.png", "image/png", []byte("<html><script>alert(1)</script></html>"), 415},
				{"svg", "admin", "x.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 415},
				{"empty", "admin", "x.png", "image/png", nil, 415},
				{"too many bytes", "admin", "big.png", "image/png", append(pngBytes(t, 8, 8, 1), make([]byte, 65<<10)...), 413},
				{"too many pixels", "admin", "huge.png", "image/png", pngBytes(t, 401, 400, 1), 422},
				{"support may not upload", "support", "x.png", "image/png", pngBytes(t, 8, 8, 1), 403},
				{"anonymous", "", "x.png", "image/png", pngBytes(t, 8, 8, 1), 401},
			}
			for _, c := range refusals {
				res := upload(t, e, sku, c.token, c.filename, c.declared, c.data)
				if res.StatusCode != c.status || (c.status != 401 && res.Header.Get("Content-Type") != "application/problem+json") {
					t.Fatalf("%s: %d %s, want %d problem+json", c.name, res.StatusCode, res.Header.Get("Content-Type"), c.status)
				}
			}
			if res := upload(t, e, "NOPE-404", "admin", "x.png", "image/png", pngBytes(t, 8, 8, 1)); res.StatusCode != 404 {
				t.Fatalf("unknown product: %d", res.StatusCode)
			}
			// Not multipart at all.
			if res := e.checked(t, "POST", "/api/catalog/products/"+sku+"/images", "admin", `{"file":"x"}`, nil); res.StatusCode != 415 {
				t.Fatalf("json body: %d", res.StatusCode)
			}

			// A JPEG with a location, declared as something else: accepted by
			// its content, stored without its metadata.
			res := upload(t, e, sku, "admin", "holiday.gif", "application/octet-stream", jpegWithGPS(t))
			var p apicatalog.ProductDTO
			decode(t, res, &p)
			if res.StatusCode != 201 || len(p.Images) != n0+1 {
				t.Fatalf("upload: %d %+v", res.StatusCode, p.Images)
			}
			url := p.Images[n0]
			if res.Header.Get("Location") != url || !strings.HasPrefix(url, "/api/catalog/images/") || !strings.HasSuffix(url, ".jpg") {
				t.Fatalf("image url %q, location %q", url, res.Header.Get("Location"))
			}
			got := e.checked(t, "GET", url, "", "", nil)
			body, _ := io.ReadAll(got.Body)
			if got.StatusCode != 200 || got.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(got.Header.Get("Cache-Control"), "immutable") ||
				got.Header.Get("X-Content-Type-Options") != "nosniff" || got.Header.Get("ETag") == "" {
				t.Fatalf("serve: %d %v", got.StatusCode, got.Header)
			}
			if bytes.Contains(body, []byte("GPS")) || bytes.Contains(body, []byte("Exif")) {
				t.Fatal("the served image still carries its EXIF/GPS metadata")
			}
			if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
				t.Fatalf("served bytes are not a JPEG: %v", err)
			}
			req := httptest.NewRequest("GET", url, nil)
			req.Header.Set("If-None-Match", got.Header.Get("ETag"))
			if r := e.send(t, req, nil); r.StatusCode != 304 {
				t.Fatalf("revalidation: %d", r.StatusCode)
			}
			// The demo images are still served, unknown names are 404.
			if r := e.do(t, "GET", "/api/catalog/images/kit-001.svg", "", "", nil); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
				t.Fatalf("demo image: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
			}
			if r := e.checked(t, "GET", "/api/catalog/images/0123456789abcdef0123456789abcdef.png", "", "", nil); r.StatusCode != 404 {
				t.Fatalf("unknown upload: %d", r.StatusCode)
			}

			// The same picture again is recognised: 200, not a second copy.
			res = upload(t, e, sku, "admin", "again.jpg", "image/jpeg", jpegWithGPS(t))
			decode(t, res, &p)
			if res.StatusCode != 200 || len(p.Images) != n0+1 {
				t.Fatalf("same upload: %d %d images", res.StatusCode, len(p.Images))
			}
			// Fill up to the limit, then the next one is refused.
			for i := len(p.Images); i < 8; i++ {
				if res := upload(t, e, sku, "admin", "p.png", "image/png", pngBytes(t, 8, 8, uint8(i))); res.StatusCode != 201 {
					t.Fatalf("upload %d: %d", i, res.StatusCode)
				}
			}
			res = upload(t, e, sku, "admin", "p.png", "image/png", pngBytes(t, 8, 8, 200))
			var pb problemBody
			decode(t, res, &pb)
			if res.StatusCode != 422 || len(pb.Errors) != 1 || pb.Errors[0].Field != "images" {
				t.Fatalf("ninth image: %d %+v", res.StatusCode, pb)
			}

			// Reorder and remove through the images list.
			e.checked(t, "GET", "/api/catalog/products/"+sku, "admin", "", &p)
			all := p.Images
			keep := []string{all[len(all)-1], url}
			b := fmt.Sprintf(`{"images":[%q,%q]}`, keep[0], keep[1])
			if res := e.checked(t, "PUT", "/api/catalog/products/"+sku+"/images", "admin", b, &p); res.StatusCode != 200 || len(p.Images) != 2 || p.Images[0] != keep[0] || p.Images[1] != url {
				t.Fatalf("reorder: %d %v", res.StatusCode, p.Images)
			}
			if r := e.checked(t, "GET", all[len(all)-2], "", "", nil); r.StatusCode != 404 {
				t.Fatalf("a removed upload is still served: %d", r.StatusCode)
			}
			if r := e.checked(t, "GET", url, "", "", nil); r.StatusCode != 200 {
				t.Fatalf("a kept upload is gone: %d", r.StatusCode)
			}
			for _, c := range []struct {
				name, body, token, field string
				status                   int
			}{
				{"foreign url", `{"images":["https://evil.example/x.png"]}`, "admin", "images[0]", 422},
				{"listed twice", fmt.Sprintf(`{"images":[%q,%q]}`, url, url), "admin", "images[1]", 422},
				{"missing list", `{}`, "admin", "images", 422},
				{"support", `{"images":[]}`, "support", "", 403},
			} {
				res := e.checked(t, "PUT", "/api/catalog/products/"+sku+"/images", c.token, c.body, nil)
				if res.StatusCode != c.status {
					t.Fatalf("%s: %d, want %d", c.name, res.StatusCode, c.status)
				}
				if c.field != "" {
					decode(t, res, &pb)
					if len(pb.Errors) == 0 || pb.Errors[0].Field != c.field {
						t.Fatalf("%s: %+v", c.name, pb.Errors)
					}
				}
			}
		})
	}
}
