package guestorder

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	order = "3b241101-e2bb-4255-8caf-4136c566a962"
	other = "3b241101-e2bb-4255-8caf-4136c566a963"
)

func TestCustomerID(t *testing.T) {
	t.Parallel()
	id := CustomerID("Ada@Example.com ")
	if id != CustomerID("ada@example.com") || len(id) != 36 {
		t.Fatalf("ids differ by case or space: %s", id)
	}
	if id == CustomerID("bob@example.com") {
		t.Fatal("two addresses share an id")
	}
	if !IsGuest(id, "ADA@example.com") || IsGuest(id, "bob@example.com") || IsGuest(id, "") {
		t.Fatal("IsGuest")
	}
}

func TestOrderLinkToken(t *testing.T) {
	t.Parallel()
	s, err := NewSigner(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	tok := s.Token(order)
	otherKey, _ := NewSigner(bytes.Repeat([]byte{8}, 32))
	otherKey.now = s.now
	tampered := []byte(tok)
	tampered[len(tampered)-5] = map[bool]byte{true: 'B', false: 'A'}[tampered[len(tampered)-5] == 'A'] // a character of the MAC
	// The MAC's last character carries 4 bits and 2 zero bits: another
	// spelling of the same bytes is refused too.
	respelled := []byte(tok)
	respelled[len(respelled)-1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", tok[len(tok)-1])|1]
	tests := []struct {
		name   string
		signer *Signer
		order  string
		token  string
		later  time.Duration
		ok     bool
	}{
		{"valid", s, order, tok, 0, true},
		{"valid in upper case order id", s, "3B241101-E2BB-4255-8CAF-4136C566A962", tok, 0, true},
		{"valid until it expires", s, order, tok, LinkTTL - time.Second, true},
		{"expired", s, order, tok, LinkTTL, false},
		{"another order", s, other, tok, 0, false},
		{"tampered", s, order, string(tampered), 0, false},
		{"respelled", s, order, string(respelled), 0, false},
		{"another shop's key", otherKey, order, tok, 0, false},
		{"empty", s, order, "", 0, false},
		{"no mac", s, order, "abc", 0, false},
		{"expiry not canonical", s, order, "0" + tok, 0, false},
		{"too long", s, order, tok + string(bytes.Repeat([]byte{'a'}, 100)), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now.Add(tt.later)
			tt.signer.now = func() time.Time { return at }
			defer func() { tt.signer.now = func() time.Time { return now } }()
			err := tt.signer.Verify(tt.order, tt.token)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadToken)) {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}
