package identity

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestArgon2id(t *testing.T) {
	t.Parallel()
	h, err := NewArgon2id(DefaultArgon2Params, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("encoded = %s", enc)
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == enc {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		encoded, plain string
		ok, err        bool
	}{
		{enc, "correct horse battery staple", true, false},
		{enc, "correct horse battery stapl", false, false},
		{enc, "", false, false},
		{"$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x", false, true},
		{"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", "x", false, true},
		{"garbage", "x", false, true},
	}
	for _, tt := range tests {
		ok, err := h.Verify(ctx, tt.encoded, tt.plain)
		if ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("Verify(%.30q, %q) = %v, %v", tt.encoded, tt.plain, ok, err)
		}
	}
	if _, err := NewArgon2id(Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1); err == nil {
		t.Fatal("weak parameters accepted")
	}
	// A cancelled request does not wait for a busy hasher.
	busy, _ := NewArgon2id(DefaultArgon2Params, 1)
	busy.sem <- struct{}{}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := busy.Hash(cctx, "x"); err == nil {
		t.Fatal("Hash did not give up on a cancelled context")
	}
}

// BenchmarkArgon2idHash measures one hash at the production parameters
// (19 MiB, t=2, p=1). Run: go test ./commands/identity -run '^$' -bench Argon2 -benchtime 20x
func BenchmarkArgon2idHash(b *testing.B) {
	h, err := NewArgon2id(DefaultArgon2Params, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTokenCodec(t *testing.T) {
	t.Parallel()
	c, err := newTokenCodec([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newTokenCodec([]byte(strings.Repeat("o", 32)))
	now := time.Now()
	plain, row := c.issue(PurposeReset, "u1", now.Add(ResetTTL))
	if row.IDHash == "" || strings.Contains(plain, row.IDHash) || row.UserID != "u1" {
		t.Fatalf("row = %+v", row)
	}
	if got, err := c.open(plain, PurposeReset, now); err != nil || got.UserID != "u1" || hashString(got.ID) != row.IDHash {
		t.Fatalf("open = %+v, %v", got, err)
	}
	p, sig, _ := strings.Cut(plain, ".")
	for name, tc := range map[string]struct {
		tok     string
		purpose Purpose
		at      time.Time
	}{
		"wrong purpose": {plain, PurposeVerify, now},
		"expired":       {plain, PurposeReset, now.Add(31 * time.Minute)},
		"other key":     {func() string { s, _ := other.issue(PurposeReset, "u1", now.Add(time.Hour)); return s }(), PurposeReset, now},
		"tampered body": {"x" + p[1:] + "." + sig, PurposeReset, now},
		"no signature":  {p, PurposeReset, now},
		"empty":         {"", PurposeReset, now},
		"oversized":     {strings.Repeat("a", 600) + "." + sig, PurposeReset, now},
	} {
		if _, err := c.open(tc.tok, tc.purpose, tc.at); err != ErrTokenInvalid {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := newTokenCodec([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}
