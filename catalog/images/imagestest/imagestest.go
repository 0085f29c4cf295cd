// Package imagestest is the contract suite of images.Store: every adapter
// (memory, SQLite, MongoDB) runs it.
package imagestest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/catalog/images"
)

// NewStore returns an empty store private to the test.
type NewStore func(t *testing.T) images.Store

// Run runs the suite.
func Run(t *testing.T, newStore NewStore) {
	t.Run("PutGetDelete", func(t *testing.T) { t.Parallel(); testPutGet(t, newStore(t)) })
	t.Run("PutOnce", func(t *testing.T) { t.Parallel(); testPutOnce(t, newStore(t)) })
}

var t0 = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func image(name string, data []byte) images.Image {
	return images.Image{Name: name, SKU: "SKU-1", ContentType: "image/png", Data: data, Width: 3, Height: 2, CreatedAt: t0}
}

func testPutGet(t *testing.T, s images.Store) {
	ctx := context.Background()
	data := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 255}
	want := image("0123456789abcdef0123456789abcdef.png", data)
	if created, err := s.Put(ctx, want); err != nil || !created {
		t.Fatalf("put: %v created=%v", err, created)
	}
	got, err := s.Get(ctx, want.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != want.Name || got.SKU != want.SKU || got.ContentType != want.ContentType || !bytes.Equal(got.Data, data) ||
		got.Width != 3 || got.Height != 2 || !got.CreatedAt.Equal(t0) {
		t.Fatalf("got %+v", got)
	}
	if _, err := s.Get(ctx, "ffffffffffffffffffffffffffffffff.png"); !errors.Is(err, images.ErrNotFound) {
		t.Fatalf("absent: %v", err)
	}
	if err := s.Delete(ctx, want.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, want.Name); !errors.Is(err, images.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.Delete(ctx, want.Name); err != nil {
		t.Fatalf("delete twice: %v", err)
	}
}

func testPutOnce(t *testing.T, s images.Store) {
	ctx := context.Background()
	name := "abcdefabcdefabcdefabcdefabcdefab.jpg"
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Put(ctx, image(name, []byte("same")))
			if err != nil {
				t.Error(err)
				return
			}
			if c {
				mu.Lock()
				created++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if created != 1 {
		t.Fatalf("%d puts created the image, want 1", created)
	}
	if got, err := s.Get(ctx, name); err != nil || string(got.Data) != "same" {
		t.Fatalf("get: %v", err)
	}
}
