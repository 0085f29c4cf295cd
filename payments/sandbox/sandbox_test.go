package sandbox_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/payments/sandbox/sandboxtest"
)

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		wantToken string
		wantErr   bool
	}{
		{"4242 4242 4242 4242", sandbox.TokenSuccess, false},
		{"4242-4242-4242-4242", sandbox.TokenSuccess, false},
		{"4000000000000002", sandbox.TokenDeclined, false},
		{"4000 0000 0000 9995", sandbox.TokenInsufficientFunds, false},
		{"4242 4242 4242 4241", "", true}, // Luhn fails
		{"5555555555554444", "", true},    // valid Luhn, not a sandbox card
		{"", "", true},
		{"abcd", "", true},
		{"4242 4242 4242 424２", "", true}, // non-ASCII digit
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			c, err := sandbox.Tokenize(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, sandbox.ErrInvalidCard) || strings.Contains(err.Error(), "5555") {
					t.Fatalf("err = %v: want ErrInvalidCard without the number", err)
				}
				return
			}
			if c.Token != tt.wantToken || c.Last4 != tt.in[len(tt.in)-4:] {
				t.Fatalf("card = %+v", c)
			}
		})
	}
}

func TestMemoryStoreContract(t *testing.T) {
	t.Parallel()
	sandboxtest.Run(t, func(t *testing.T) sandbox.Store { return sandbox.NewMemoryStore() })
}
