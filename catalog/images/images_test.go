package images_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/evshop/shop/catalog/images"
)

func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 20), uint8(y * 20), 128, 255})
		}
	}
	return img
}

func encode(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, picture(w, h))
	case "jpeg":
		err = jpeg.Encode(&b, picture(w, h), nil)
	case "gif":
		err = gif.Encode(&b, picture(w, h), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF inserts an APP1 Exif segment carrying GPS coordinates and a
// camera serial right after the JPEG's SOI marker.
func withEXIF(jpg []byte) []byte {
	payload := append([]byte("Exif\x00\x00"), []byte("GPSLatitude 48.8584N GPSLongitude 2.2945E SerialNumber CAM-123456")...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// withTextChunk adds a PNG tEXt chunk with a location in it.
func withTextChunk(t *testing.T, p []byte) []byte {
	t.Helper()
	text := []byte("Comment\x00GPSLatitude 48.8584N")
	chunk := []byte{0, 0, 0, byte(len(text)), 't', 'E', 'X', 't'}
	chunk = append(chunk, text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	// After the 8-byte signature and the 25-byte IHDR chunk.
	out := append([]byte{}, p[:33]...)
	out = append(out, chunk...)
	return append(out, p[33:]...)
}

// webpLossless is a 1×1 lossless WebP.
var webpLossless = []byte{0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c,
	0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}

func TestProcess(t *testing.T) {
	t.Parallel()
	lim := images.Limits{MaxBytes: 1 << 20, MaxPixels: 100 * 100}
	jpg := encode(t, "jpeg", 8, 6)
	cases := []struct {
		name     string
		data     []byte
		lim      images.Limits
		wantErr  error
		wantType string
		wantW    int
	}{
		{"png", encode(t, "png", 8, 6), lim, nil, "image/png", 8},
		{"jpeg", jpg, lim, nil, "image/jpeg", 8},
		{"gif becomes png", encode(t, "gif", 5, 5), lim, nil, "image/png", 5},
		{"webp becomes png", webpLossless, lim, nil, "image/png", 1},
		{"jpeg with EXIF GPS", withEXIF(jpg), lim, nil, "image/jpeg", 8},
		{"png with a text chunk", withTextChunk(t, encode(t, "png", 8, 6)), lim, nil, "image/png", 8},
		{"svg is not an image here", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), lim, images.ErrNotImage, "", 0},
		{"html named .png", []byte("<html><body>hi</body></html>"), lim, images.ErrNotImage, "", 0},
		{"truncated png", encode(t, "png", 8, 6)[:40], lim, images.ErrNotImage, "", 0},
		{"empty", nil, lim, images.ErrEmptyFile, "", 0},
		{"too many bytes", encode(t, "png", 8, 6), images.Limits{MaxBytes: 20, MaxPixels: 1000}, images.ErrTooBig, "", 0},
		{"too many pixels", encode(t, "png", 101, 100), lim, images.ErrTooLarge, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.wantErr == nil && c.wantW == 8 && len(c.name) > 10 && !bytes.Contains(c.data, []byte("GPS")) {
				t.Fatal("the metadata case's input carries no GPS data")
			}
			img, err := images.Process("SKU-1", c.data, c.lim)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err %v, want %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			if img.ContentType != c.wantType || img.Width != c.wantW || !images.NamePattern.MatchString(img.Name) || img.SKU != "SKU-1" {
				t.Fatalf("got %s %dx%d %s", img.ContentType, img.Width, img.Height, img.Name)
			}
			for _, secret := range []string{"Exif", "GPS", "CAM-123456", "tEXt"} {
				if bytes.Contains(img.Data, []byte(secret)) {
					t.Fatalf("output still carries %q", secret)
				}
			}
			if _, _, err := image.Decode(bytes.NewReader(img.Data)); err != nil {
				t.Fatalf("output does not decode: %v", err)
			}
		})
	}
	// Named by product and content: the same upload gives the same name, on
	// another product another one.
	a, _ := images.Process("SKU-1", jpg, lim)
	b, _ := images.Process("SKU-1", jpg, lim)
	c, _ := images.Process("SKU-2", jpg, lim)
	if a.Name != b.Name || a.Name == c.Name {
		t.Fatalf("names: %s %s %s", a.Name, b.Name, c.Name)
	}
}

// FuzzProcess: any bytes either are refused with one of the sentinels or
// come out as a decodable PNG/JPEG within the limits — never a panic.
func FuzzProcess(f *testing.F) {
	var b bytes.Buffer
	png.Encode(&b, picture(3, 2)) //nolint:errcheck
	f.Add(b.Bytes())
	f.Add(withEXIF(func() []byte { var j bytes.Buffer; jpeg.Encode(&j, picture(4, 4), nil); return j.Bytes() }())) //nolint:errcheck
	f.Add(webpLossless)
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"))
	f.Add([]byte("<svg/>"))
	lim := images.Limits{MaxBytes: 1 << 20, MaxPixels: 512 * 512}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := images.Process("SKU-1", data, lim)
		if err != nil {
			if !errors.Is(err, images.ErrNotImage) && !errors.Is(err, images.ErrTooBig) && !errors.Is(err, images.ErrTooLarge) && !errors.Is(err, images.ErrEmptyFile) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if img.Width*img.Height > lim.MaxPixels || !images.NamePattern.MatchString(img.Name) {
			t.Fatalf("out of bounds: %dx%d %s", img.Width, img.Height, img.Name)
		}
		if _, _, err := image.Decode(bytes.NewReader(img.Data)); err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
	})
}
