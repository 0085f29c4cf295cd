// Package images owns the product images staff upload: checking an upload
// by its content (it must decode as JPEG, PNG, GIF or WebP, whatever its name
// or declared type says), its size in bytes and in pixels, stripping every
// metadata (EXIF, GPS, comments, colour profiles) by re-encoding the decoded
// pixels, and the Store port that keeps the result in the catalog's own
// database. Adapters: memory (tests, the in-memory shop), sqlite (durable
// embedded), mongo (server mode, MongoDB/FerretDB); imagestest is their
// contract suite.
//
// A stored image is immutable and named by its content and product
// (Name: a hash of the SKU and the re-encoded bytes), so uploading the same
// picture to the same product again is recognised, and deleting one
// product's image never breaks another's.
package images

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"regexp"
	"time"

	_ "golang.org/x/image/webp" // registers WebP with image.Decode
)

// ErrNotFound is returned by Get for an unknown name.
var ErrNotFound = errors.New("images: not found")

// Refusals of an upload; the API maps them to 4xx.
var (
	ErrNotImage  = errors.New("images: not a JPEG, PNG, GIF or WebP image")
	ErrTooBig    = errors.New("images: file too large")
	ErrTooLarge  = errors.New("images: too many pixels")
	ErrEmptyFile = errors.New("images: empty file")
)

// Image is a stored, re-encoded image.
type Image struct {
	Name        string // "<32 hex>.png" or ".jpg"; the URL's last segment
	SKU         string // the product it was uploaded to
	ContentType string // image/png or image/jpeg
	Data        []byte
	Width       int
	Height      int
	CreatedAt   time.Time
}

// NamePattern matches the names Process gives.
var NamePattern = regexp.MustCompile(`^[0-9a-f]{32}\.(png|jpg)$`)

// Store is the port every adapter implements.
type Store interface {
	// Put stores img unless an image with its name exists (then it is
	// the same bytes); it reports whether it was stored now.
	Put(ctx context.Context, img Image) (bool, error)
	// Get returns the image named name; ErrNotFound when absent.
	Get(ctx context.Context, name string) (Image, error)
	// Delete removes the image; deleting an absent one is no error.
	Delete(ctx context.Context, name string) error
}

// Limits bound an upload.
type Limits struct {
	MaxBytes  int // of the uploaded file
	MaxPixels int // width × height
}

// Process checks data by content and re-encodes its pixels: JPEG stays JPEG
// (quality 90), PNG, GIF (first frame) and WebP become PNG, so transparency
// survives. Nothing but the pixels is carried over, so no metadata survives.
// The pixel count is checked from the header before anything is decoded.
func Process(sku string, data []byte, lim Limits) (Image, error) {
	switch {
	case len(data) == 0:
		return Image{}, ErrEmptyFile
	case len(data) > lim.MaxBytes:
		return Image{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooBig, len(data), lim.MaxBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > lim.MaxPixels/cfg.Height {
		return Image{}, fmt.Errorf("%w: %d×%d, at most %d pixels", ErrTooLarge, cfg.Width, cfg.Height, lim.MaxPixels)
	}
	var img image.Image
	if format == "gif" {
		img, err = gif.Decode(bytes.NewReader(data)) // the first frame
	} else {
		img, _, err = image.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Image{}, ErrNotImage
	}
	var out bytes.Buffer
	var ext, ctype string
	if format == "jpeg" {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
		ext, ctype = "jpg", "image/jpeg"
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
		ext, ctype = "png", "image/png"
	}
	if err != nil {
		return Image{}, fmt.Errorf("images: encode: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(sku + "\x00"))
	h.Write(out.Bytes())
	name := hex.EncodeToString(h.Sum(nil))[:32] + "." + ext
	b := img.Bounds()
	return Image{Name: name, SKU: sku, ContentType: ctype, Data: out.Bytes(), Width: b.Dx(), Height: b.Dy()}, nil
}
