package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// mailToken is the signed payload of a verification or reset link. The HMAC
// lets forged or mangled links be refused without touching the database; the
// stored token row makes each link single-use.
type mailToken struct {
	Purpose Purpose `json:"p"`
	UserID  string  `json:"u"`
	ID      string  `json:"t"`
	Expires int64   `json:"e"`
}

// tokenCodec signs and opens mail tokens with an HMAC-SHA256 key.
type tokenCodec struct{ key []byte }

func newTokenCodec(key []byte) (tokenCodec, error) {
	if len(key) < 32 {
		return tokenCodec{}, errors.New("identity: the token key must have at least 32 bytes")
	}
	return tokenCodec{key: key}, nil
}

// issue returns the plain token to mail and the row to store.
func (c tokenCodec) issue(purpose Purpose, userID string, expires time.Time) (string, Token) {
	id := randomString(16)
	payload, _ := json.Marshal(mailToken{Purpose: purpose, UserID: userID, ID: id, Expires: expires.Unix()})
	p := base64.RawURLEncoding.EncodeToString(payload)
	plain := p + "." + base64.RawURLEncoding.EncodeToString(c.mac(p))
	return plain, Token{IDHash: hashString(id), UserID: userID, Purpose: purpose, ExpiresAt: expires}
}

// open checks the signature, purpose and expiry of plain.
func (c tokenCodec) open(plain string, purpose Purpose, now time.Time) (mailToken, error) {
	p, sig, ok := strings.Cut(plain, ".")
	if !ok || len(plain) > 512 {
		return mailToken{}, ErrTokenInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, c.mac(p)) {
		return mailToken{}, ErrTokenInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return mailToken{}, ErrTokenInvalid
	}
	var t mailToken
	if err := json.Unmarshal(raw, &t); err != nil || t.Purpose != purpose || t.UserID == "" || t.ID == "" || now.Unix() >= t.Expires {
		return mailToken{}, ErrTokenInvalid
	}
	return t, nil
}

func (c tokenCodec) mac(payload string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("evshop-identity-token:v1:"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// randomString returns n random bytes, base64url encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // crypto/rand never fails on Linux
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashString is how high-entropy secrets (token ids, refresh tokens) are
// stored: SHA-256 suffices because they cannot be guessed, unlike passwords.
func hashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// HashRefreshToken returns the stored form of a refresh token.
func HashRefreshToken(token string) string { return hashString(token) }
