package sealed

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	box, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := box.Seal("token-123", "user-1")
	tests := []struct {
		name   string
		sealed string
		aad    string
		want   string
		err    error
	}{
		{"round trip", s, "user-1", "token-123", nil},
		{"other context", s, "user-2", "", ErrOpen},
		{"tampered", s[:len(s)-2] + "AA", "user-1", "", ErrOpen},
		{"garbage", "!!!", "user-1", "", ErrOpen},
		{"too short", "AAAA", "user-1", "", ErrOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := box.Open(tt.sealed, tt.aad)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("Open = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}
