package authn_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/evshop/shop/platform/authn"
)

const (
	iss = "https://shop.test/api/auth"
	aud = "evshop"
)

var principal = authn.Principal{UserID: "u-1", Email: "ann@shop.test", Roles: []authn.Role{authn.RoleCustomer}}

func setup(t *testing.T, now func() time.Time) (*authn.KeySet, *authn.Signer, *authn.JWTVerifier) {
	t.Helper()
	keys, err := authn.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	s, err := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: iss, Audience: aud, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	v, err := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: iss, Audience: aud})
	if err != nil {
		t.Fatal(err)
	}
	return keys, s, v
}

func rawClaims(now time.Time, ttl time.Duration) jwt.MapClaims {
	return jwt.MapClaims{"iss": iss, "aud": aud, "sub": "u-1", "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "roles": []string{"admin"}}
}

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	_, s, v := setup(t, nil)
	tok, exp, err := s.Sign(principal)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d > authn.MaxAccessTTL || d < authn.MaxAccessTTL-time.Minute {
		t.Fatalf("exp in %s", d)
	}
	got, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "u-1" || got.Email != "ann@shop.test" || !got.Has(authn.RoleCustomer) {
		t.Fatalf("principal = %+v", got)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	var h map[string]any
	_ = json.Unmarshal(hdr, &h)
	if h["alg"] != "EdDSA" || h["kid"] == "" {
		t.Fatalf("header = %v", h)
	}
}

func TestSignerRefusesLongTTL(t *testing.T) {
	t.Parallel()
	keys, _ := authn.GenerateKeySet()
	if _, err := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: iss, Audience: aud, TTL: 16 * time.Minute}); err == nil {
		t.Fatal("a 16 minute TTL was accepted")
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	keys, s, v := setup(t, nil)
	kid := keys.JWKS().Keys[0].Kid
	good, _, _ := s.Sign(principal)
	pub, _ := keys.VerificationKey(kid)
	now := time.Now()

	other, _ := authn.GenerateKeySet()
	otherSigner, _ := authn.NewSigner(authn.SignerConfig{Keys: other, Issuer: iss, Audience: aud})
	foreign, _, _ := otherSigner.Sign(principal)

	sign := func(m jwt.SigningMethod, key any, c jwt.Claims, kid string) string {
		tk := jwt.NewWithClaims(m, c)
		if kid != "" {
			tk.Header["kid"] = kid
		}
		out, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)

	parts := strings.Split(good, ".")
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + iss + `","aud":"` + aud + `","sub":"admin-1","roles":["admin"],"iat":1,"exp":9999999999}`))

	tests := map[string]string{
		"empty":                     "",
		"garbage":                   "not.a.jwt",
		"tampered signature":        parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"tampered payload":          parts[0] + "." + tamperedPayload + "." + parts[2],
		"alg none":                  sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, rawClaims(now, time.Minute), kid),
		"HS256 with the public key": sign(jwt.SigningMethodHS256, []byte(pub), rawClaims(now, time.Minute), kid),
		"RS256":                     sign(jwt.SigningMethodRS256, rsaKey, rawClaims(now, time.Minute), kid),
		"another key, unknown kid":  foreign,
	}
	// The remaining cases need the real signing key: build them with a signer
	// whose clock or claims are off.
	past := func() time.Time { return now.Add(-time.Hour) }
	expiredSigner, _ := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: iss, Audience: aud, Now: past})
	tests["expired"], _, _ = expiredSigner.Sign(principal)
	wrongAudSigner, _ := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: iss, Audience: "someone-else"})
	tests["wrong audience"], _, _ = wrongAudSigner.Sign(principal)
	wrongIssSigner, _ := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: "https://evil.test", Audience: aud})
	tests["wrong issuer"], _, _ = wrongIssSigner.Sign(principal)
	futureSigner, _ := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: iss, Audience: aud, Now: func() time.Time { return now.Add(time.Hour) }})
	tests["issued in the future"], _, _ = futureSigner.Sign(principal)

	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if p, err := v.Verify(tok); !errors.Is(err, authn.ErrInvalidToken) {
				t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", p, err)
			}
		})
	}
}

func mustPriv(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, p, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func flip(sig string) string {
	b, _ := base64.RawURLEncoding.DecodeString(sig)
	b[0] ^= 0xff
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestVerifyRefusesOverlongAndForeignRoles(t *testing.T) {
	t.Parallel()
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed)
	priv := ed25519.NewKeyFromSeed(seed)
	keys, err := authn.ParseKeySet("k1:" + base64.StdEncoding.EncodeToString(seed))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: iss, Audience: aud})
	now := time.Now()
	sign := func(c jwt.MapClaims) string {
		tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tk.Header["kid"] = "k1"
		s, _ := tk.SignedString(priv)
		return s
	}
	if _, err := v.Verify(sign(rawClaims(now, 10*time.Minute))); err != nil {
		t.Fatalf("a well-formed token from the parsed key was refused: %v", err)
	}
	long := sign(rawClaims(now, 24*time.Hour))
	if _, err := v.Verify(long); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("a 24h token was accepted: %v", err)
	}
	c := rawClaims(now, time.Minute)
	c["roles"] = []string{"root"}
	if _, err := v.Verify(sign(c)); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("an unknown role was accepted: %v", err)
	}
	noExp := rawClaims(now, time.Minute)
	delete(noExp, "exp")
	if _, err := v.Verify(sign(noExp)); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("a token without exp was accepted: %v", err)
	}
	tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, rawClaims(now, time.Minute))
	noKid, _ := tk.SignedString(priv)
	if _, err := v.Verify(noKid); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("a token without kid was accepted: %v", err)
	}
}

func TestParseKeySet(t *testing.T) {
	t.Parallel()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	seed := base64.RawURLEncoding.EncodeToString(priv.Seed())
	tests := []struct {
		name    string
		spec    string
		wantIDs []string
		ok      bool
	}{
		{"pem, thumbprint kid", pemKey, []string{authn.Thumbprint(pub)}, true},
		{"kid:seed", "main:" + seed, []string{"main"}, true},
		{"rotation", "new:" + seed + ",old:" + base64.StdEncoding.EncodeToString(mustPriv(t).Seed()), []string{"new", "old"}, true},
		{"duplicate kid", "a:" + seed + ",a:" + seed, nil, false},
		{"empty", "", nil, false},
		{"short seed", "k:" + base64.StdEncoding.EncodeToString([]byte("short")), nil, false},
		{"bad pem", "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ks, err := authn.ParseKeySet(tt.spec)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			set := ks.JWKS()
			if len(set.Keys) != len(tt.wantIDs) {
				t.Fatalf("keys = %+v", set.Keys)
			}
			for i, id := range tt.wantIDs {
				if set.Keys[i].Kid != id || set.Keys[i].Alg != "EdDSA" || set.Keys[i].Crv != "Ed25519" {
					t.Fatalf("key %d = %+v", i, set.Keys[i])
				}
			}
		})
	}
}

func TestRemoteJWKS(t *testing.T) {
	t.Parallel()
	keys, s, _ := setup(t, nil)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_ = json.NewEncoder(w).Encode(keys.JWKS())
	}))
	defer srv.Close()
	remote, err := authn.NewRemoteJWKS(authn.RemoteJWKSConfig{URL: srv.URL, MinRefetch: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := authn.NewVerifier(authn.VerifierConfig{Keys: remote, Issuer: iss, Audience: aud})
	tok, _, _ := s.Sign(principal)
	for range 3 {
		if _, err := v.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	other, _ := authn.GenerateKeySet()
	os, _ := authn.NewSigner(authn.SignerConfig{Keys: other, Issuer: iss, Audience: aud})
	foreign, _, _ := os.Sign(principal)
	for range 3 {
		if _, err := v.Verify(foreign); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("foreign token: %v", err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1 (cached, unknown kids rate limited)", n)
	}
}

func TestJWKRefusesOtherKeyTypes(t *testing.T) {
	t.Parallel()
	for _, j := range []authn.JWK{
		{Kty: "RSA", Kid: "k", X: "AAAA"},
		{Kty: "oct", Kid: "k"},
		{Kty: "OKP", Crv: "X25519", Kid: "k", X: base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
		{Kty: "OKP", Crv: "Ed25519", Kid: "k", X: "short"},
		{Kty: "OKP", Crv: "Ed25519", Kid: "k", Alg: "HS256", X: base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
	} {
		if _, err := j.PublicKey(); err == nil {
			t.Errorf("%+v accepted", j)
		}
	}
}

// keySwitch is a key source that can drop its keys, as a rotation that
// retires a kid does.
type keySwitch struct {
	mu   sync.Mutex
	keys authn.KeySource
	gone bool
}

func (k *keySwitch) VerificationKey(kid string) (ed25519.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gone {
		return nil, authn.ErrUnknownKey
	}
	return k.keys.VerificationKey(kid)
}

// TestVerifyRemembersOnlyWhatStillHolds: a token verified once is taken
// from memory the next time, but only while it has not expired and its key
// is still in use, and what the caller does with the answer does not change
// the next one.
func TestVerifyRemembersOnlyWhatStillHolds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(now *time.Time, src *keySwitch, first *authn.Principal)
		ok     bool
	}{
		{"again", func(*time.Time, *keySwitch, *authn.Principal) {}, true},
		{"a minute later", func(now *time.Time, _ *keySwitch, _ *authn.Principal) { *now = now.Add(time.Minute) }, true},
		{"after expiry and leeway", func(now *time.Time, _ *keySwitch, _ *authn.Principal) {
			*now = now.Add(authn.MaxAccessTTL + time.Minute)
		}, false},
		{"key retired", func(_ *time.Time, src *keySwitch, _ *authn.Principal) { src.gone = true }, false},
		{"caller edits the roles", func(_ *time.Time, _ *keySwitch, first *authn.Principal) {
			first.Roles[0] = authn.RoleAdmin
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := time.Now()
			clock := func() time.Time { return now }
			keys, err := authn.GenerateKeySet()
			if err != nil {
				t.Fatal(err)
			}
			s, err := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: iss, Audience: aud, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			src := &keySwitch{keys: keys}
			v, err := authn.NewVerifier(authn.VerifierConfig{Keys: src, Issuer: iss, Audience: aud, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := s.Sign(principal)
			if err != nil {
				t.Fatal(err)
			}
			first, err := v.Verify(tok)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(&now, src, &first)
			got, err := v.Verify(tok)
			if !tt.ok {
				if !errors.Is(err, authn.ErrInvalidToken) {
					t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", got, err)
				}
				return
			}
			if err != nil || got.UserID != "u-1" || len(got.Roles) != 1 || got.Roles[0] != authn.RoleCustomer {
				t.Fatalf("Verify = %+v, %v; want the customer u-1", got, err)
			}
			// A token that differs in one signature character is not the
			// remembered one.
			c := "A"
			if tok[len(tok)-2] == 'A' {
				c = "B"
			}
			bad := tok[:len(tok)-2] + c + tok[len(tok)-1:]
			if _, err := v.Verify(bad); !errors.Is(err, authn.ErrInvalidToken) {
				t.Fatalf("a tampered token: %v", err)
			}
		})
	}
}

// TestVerifyFromMemorySkipsTheSignature: a remembered token is answered
// without decoding and checking it again (a fraction of the allocations).
func TestVerifyFromMemorySkipsTheSignature(t *testing.T) {
	_, s, v := setup(t, nil)
	var toks []string
	for i := range 22 {
		p := principal
		p.UserID = fmt.Sprintf("u-%d", i)
		tok, _, err := s.Sign(p)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	n := 0
	fresh := testing.AllocsPerRun(20, func() { // each call a token not seen yet
		if _, err := v.Verify(toks[n]); err != nil {
			t.Fatal(err)
		}
		n++
	})
	again := testing.AllocsPerRun(20, func() {
		if _, err := v.Verify(toks[0]); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations: %.0f fresh, %.0f remembered", fresh, again)
	if again*4 > fresh {
		t.Fatalf("a remembered token costs %.0f allocations, a fresh verification %.0f", again, fresh)
	}
}
