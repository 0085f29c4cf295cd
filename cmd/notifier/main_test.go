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

func TestKeys(t *testing.T) {
	t.Parallel()
	hex64 := strings.Repeat("ab", 32)
	tests := []struct {
		link, unsub string
		ok          bool
	}{
		{hex64, "", true},
		{hex64, strings.Repeat("cd", 32), true},
		{"", "", false},
		{"zz", "", false},
		{hex64, "abcd", false},
	}
	for _, tt := range tests {
		box, k, err := keys(tt.link, tt.unsub)
		if (err == nil) != tt.ok {
			t.Fatalf("keys(%q,%q) err = %v", tt.link, tt.unsub, err)
		}
		if tt.ok && (box == nil || len(k) < 32) {
			t.Fatalf("keys(%q,%q) = %v, %d bytes", tt.link, tt.unsub, box, len(k))
		}
	}
	_, a, _ := keys(hex64, "")
	_, b, _ := keys(hex64, "")
	if string(a) != string(b) || string(a) == strings.Repeat("\xab", 32) {
		t.Fatal("derived unsubscribe key must be stable and differ from MAIL_LINK_KEY")
	}
}
