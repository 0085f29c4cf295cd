package redact_test

import (
	"strings"
	"testing"

	"github.com/evshop/shop/platform/redact"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		hidden   []string // must not appear
		kept     []string // must still appear
	}{
		{"payment token", `{"payment":{"method":"sandbox","token":"tok_1","last4":"4242"}}`, []string{"tok_1"}, []string{"4242", "sandbox"}},
		{"sealed token", `{"userId":"u1","sealedToken":"S3AL"}`, []string{"S3AL"}, []string{"u1"}},
		{"any case and depth", `{"a":[{"b":{"RefreshTOKEN":"rt"}}],"ClientSecret":"cs","cardNumber":"4242424242424242"}`, []string{`"rt"`, "cs", "4242424242424242"}, []string{`"a"`}},
		{"nothing to hide", `{"orderId":"o1","amount":{"amount":100,"currency":"EUR"}}`, nil, []string{`{"orderId":"o1","amount":{"amount":100,"currency":"EUR"}}`}},
		{"large numbers survive", `{"token":"t","amount":12345678901234567890}`, []string{`"t"`}, []string{"12345678901234567890"}},
		{"not JSON is withheld", `{"token":"tok_2"`, []string{"tok_2"}, []string{"withheld"}},
		{"trailing data is withheld", `{"a":1} {"token":"tok_3"}`, []string{"tok_3"}, []string{"withheld"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := string(redact.JSON([]byte(tt.in)))
			for _, h := range tt.hidden {
				if strings.Contains(out, h) {
					t.Fatalf("%s: %s still holds %s", tt.in, out, h)
				}
			}
			for _, k := range tt.kept {
				if !strings.Contains(out, k) {
					t.Fatalf("%s: %s lost %s", tt.in, out, k)
				}
			}
		})
	}
}

func TestKeysAlwaysHideTokens(t *testing.T) {
	t.Parallel()
	for _, keys := range [][]string{nil, {}, {"email"}} {
		k := redact.Keys(keys)
		for _, name := range []string{"token", "sealedToken", "cardNumber"} {
			if !redact.Matches(name, k) {
				t.Errorf("Keys(%v) does not hide %s", keys, name)
			}
		}
	}
	if redact.Matches("password", redact.Keys([]string{})) || !redact.Matches("passwordHash", redact.Keys(nil)) {
		t.Error("password is optional and hidden by default")
	}
}
