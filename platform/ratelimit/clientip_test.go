package ratelimit_test

import (
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/ratelimit"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	// app.Test connects from 0.0.0.0; trusting it stands in for "the peer is
	// the gateway".
	trustedPeer, _ := ratelimit.ParsePrefixes("0.0.0.0/32, 10.0.0.0/8")
	tests := []struct {
		name    string
		trusted string
		xff     string
		want    string
	}{
		{"untrusted peer ignores the header", "", "203.0.113.7", "0.0.0.0"},
		{"trusted peer, one hop", "t", "203.0.113.7", "203.0.113.7"},
		{"forged left entries are skipped", "t", "1.2.3.4, 203.0.113.7", "203.0.113.7"},
		{"internal hops are skipped", "t", "203.0.113.7, 10.1.2.3", "203.0.113.7"},
		{"garbage stops the walk", "t", "203.0.113.7, bogus", "0.0.0.0"},
		{"no header", "t", "", "0.0.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := fiber.New()
			var trusted = trustedPeer
			if tt.trusted == "" {
				trusted = nil
			}
			app.Get("/", func(c *fiber.Ctx) error { return c.SendString(ratelimit.ClientIP(c, trusted)) })
			req := httptest.NewRequest("GET", "/", nil)
			if tt.xff != "" {
				req.Header.Set("X-Forwarded-For", tt.xff)
			}
			resp, err := app.Test(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if string(body) != tt.want {
				t.Fatalf("ClientIP = %q, want %q", body, tt.want)
			}
		})
	}
	if _, err := ratelimit.ParsePrefixes("10.0.0.0/33"); err == nil {
		t.Fatal("bad CIDR accepted")
	}
}
