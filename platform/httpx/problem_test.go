package httpx

import (
	"errors"
	"strings"
	"testing"
)

type sample struct {
	Email    string `json:"email"`
	Quantity int    `json:"quantity"`
}

func TestDecodeBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		status int // 0 = ok
	}{
		{"valid", `{"email":"a@b.c","quantity":2}`, 0},
		{"empty", ``, 400},
		{"whitespace", "  \n", 400},
		{"malformed", `{"email":`, 400},
		{"unknown field", `{"email":"a","admin":true}`, 422},
		{"wrong type", `{"quantity":"many"}`, 422},
		{"two values", `{"email":"a"}{"email":"b"}`, 400},
		{"trailing garbage", `{"email":"a"} x`, 400},
		{"invalid utf8", "{\"email\":\"\xff\xfe\"}", 400},
		{"deep nesting", `{"email":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, 400},
		{"nested operator object", `{"email":{"$gt":""}}`, 422},
		{"huge number", `{"quantity":1e400}`, 422},
		{"brackets in strings do not count", `{"email":"` + strings.Repeat("[", 100) + `"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v sample
			err := DecodeBytes([]byte(tt.body), &v)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var p *Problem
			if !errors.As(err, &p) || p.Status != tt.status {
				t.Fatalf("err = %v, want a %d problem", err, tt.status)
			}
		})
	}
}

func FuzzDecodeBytes(f *testing.F) {
	for _, s := range []string{`{"email":"a","quantity":1}`, `[`, `{"a":{"b":[1,2]}}`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v sample
		err := DecodeBytes(b, &v)
		if err == nil {
			return
		}
		var p *Problem
		if !errors.As(err, &p) || p.Status < 400 || p.Status >= 500 {
			t.Fatalf("decode error is not a 4xx problem: %v", err)
		}
	})
}
