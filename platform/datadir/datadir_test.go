package datadir_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/datadir"
)

func TestResolve(t *testing.T) {
	home := t.TempDir()
	file := filepath.Join(home, "file")
	os.WriteFile(file, []byte("x"), 0o600)
	cases := []struct {
		name, setting, xdg, want, err string
	}{
		{"setting wins", filepath.Join(home, "d"), "/xdg", filepath.Join(home, "d"), ""},
		{"XDG_DATA_HOME", "", "/xdg/data", "/xdg/data/evshop", ""},
		{"relative XDG is ignored", "", "rel", filepath.Join(home, ".local/share/evshop"), ""},
		{"home", "", "", filepath.Join(home, ".local/share/evshop"), ""},
		{"a file", file, "", "", "is a file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("XDG_DATA_HOME", c.xdg)
			got, err := datadir.Resolve(c.setting)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestSecretsAreMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	first, created, err := datadir.LoadSecrets(dir)
	if err != nil || !created {
		t.Fatalf("first load: created %v, %v", created, err)
	}
	if _, err := authn.ParseKeySet(first.JWTKeys); err != nil {
		t.Fatalf("jwtKeys is not an AUTH_JWT_KEYS value: %v", err)
	}
	st, _ := os.Stat(filepath.Join(dir, datadir.SecretsFile))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	again, created, err := datadir.LoadSecrets(dir)
	if err != nil || created || again != first {
		t.Fatalf("second load changed the keys: created %v, %v", created, err)
	}
}

func TestConcurrentStartsAgreeOnOneSetOfSecrets(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	got := make([]datadir.Secrets, 8)
	for i := range got {
		wg.Go(func() {
			s, _, err := datadir.LoadSecrets(dir)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for _, s := range got[1:] {
		if s != got[0] {
			t.Fatal("two starts made different keys")
		}
	}
}

func TestDamagedSecretsAreRefusedNotReplaced(t *testing.T) {
	cases := map[string]string{
		"not JSON":        "{{{",
		"empty object":    "{}",
		"short csrf key":  `{"jwtKeys":"k:AAAA","csrfKey":"abcd","mailLinkKey":"` + strings.Repeat("a", 64) + `"}`,
		"truncated write": `{"jwtKeys":"k:AAAA","csrfKey":"`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, datadir.SecretsFile)
			os.WriteFile(path, []byte(body), 0o600)
			if _, _, err := datadir.LoadSecrets(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
				t.Fatalf("err %v, want a 'damaged' error", err)
			}
			if b, _ := os.ReadFile(path); string(b) != body {
				t.Fatal("the damaged file was replaced")
			}
		})
	}
}

func TestLockKeepsASecondShopOut(t *testing.T) {
	dir := t.TempDir()
	release, err := datadir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := datadir.Lock(dir); !errors.Is(err, datadir.ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	release()
	again, err := datadir.Lock(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again()
}
