package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evshop/shop/notifier/templates"
)

func TestPreviewWritesEveryTemplate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out strings.Builder
	if err := preview([]string{"-out", dir}, &out); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "de"} {
		for _, k := range templates.Kinds() {
			for _, ext := range []string{".txt", ".html"} {
				b, err := os.ReadFile(filepath.Join(dir, lang, string(k)+ext))
				if err != nil || len(b) == 0 {
					t.Fatalf("%s/%s%s: %v", lang, k, ext, err)
				}
			}
		}
	}
	out.Reset()
	if err := preview([]string{"-lang", "de"}, &out); err != nil || !strings.Contains(out.String(), "Hallo Ada Lovelace") {
		t.Fatalf("preview -lang de: %v\n%s", err, out.String())
	}
	if err := preview([]string{"-lang", "xx"}, &out); err == nil {
		t.Fatal("unknown language accepted")
	}
}
