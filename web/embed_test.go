package web

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// A clone that has not built the web app still compiles (the placeholder
// matches go:embed) and says so; a built one serves its index.html.
func TestStorefront(t *testing.T) {
	t.Parallel()
	_, statErr := os.Stat("dist/index.html")
	files, err := Storefront()
	switch {
	case statErr == nil:
		if err != nil {
			t.Fatalf("dist/index.html exists but Storefront = %v", err)
		}
		if _, err := fs.ReadFile(files, "index.html"); err != nil {
			t.Fatal(err)
		}
	case errors.Is(statErr, fs.ErrNotExist):
		if !errors.Is(err, ErrNotBuilt) {
			t.Fatalf("no dist/index.html: Storefront = %v, want ErrNotBuilt", err)
		}
	default:
		t.Fatal(statErr)
	}
}
