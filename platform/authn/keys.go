package authn

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownKey is returned when no key has the token's kid.
var ErrUnknownKey = errors.New("authn: unknown key id")

// SigningKey is one Ed25519 key with its key id.
type SigningKey struct {
	ID   string
	priv ed25519.PrivateKey
}

// NewSigningKey wraps priv; an empty id becomes the RFC 7638 thumbprint.
func NewSigningKey(id string, priv ed25519.PrivateKey) (SigningKey, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return SigningKey{}, fmt.Errorf("authn: an Ed25519 private key has %d bytes, got %d", ed25519.PrivateKeySize, len(priv))
	}
	if id == "" {
		id = Thumbprint(priv.Public().(ed25519.PublicKey))
	}
	return SigningKey{ID: id, priv: priv}, nil
}

// GenerateSigningKey makes a fresh key (embedded mode and tests).
func GenerateSigningKey() (SigningKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SigningKey{}, err
	}
	return NewSigningKey("", priv)
}

// WithID returns the same key under another key id (empty: the thumbprint).
func (k SigningKey) WithID(id string) (SigningKey, error) { return NewSigningKey(id, k.priv) }

// Public returns the verification key.
func (k SigningKey) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// KeySet is the auth service's keys: the first signs, all verify, so a key can
// be rotated in (added second, promoted first later) without logging anyone out.
type KeySet struct {
	keys []SigningKey
}

// NewKeySet builds a set; keys[0] signs. Key ids must be unique.
func NewKeySet(keys ...SigningKey) (*KeySet, error) {
	if len(keys) == 0 {
		return nil, errors.New("authn: a key set needs at least one key")
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if k.ID == "" || len(k.priv) != ed25519.PrivateKeySize {
			return nil, errors.New("authn: key set holds an invalid key")
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("authn: duplicate key id %q", k.ID)
		}
		seen[k.ID] = true
	}
	return &KeySet{keys: append([]SigningKey(nil), keys...)}, nil
}

// GenerateKeySet returns a set with one fresh key; tokens die with the process,
// which is fine for the embedded shop.
func GenerateKeySet() (*KeySet, error) {
	k, err := GenerateSigningKey()
	if err != nil {
		return nil, err
	}
	return NewKeySet(k)
}

// ParseKeySet reads keys from configuration (AUTH_JWT_KEYS): comma-separated
// entries "kid:material" or "material", where material is a PEM PKCS#8
// Ed25519 private key or the base64 (standard or URL alphabet) 32-byte seed.
// The first entry signs.
func ParseKeySet(spec string) (*KeySet, error) {
	var keys []SigningKey
	for i, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		kid := ""
		if before, after, ok := strings.Cut(entry, ":"); ok && !strings.HasPrefix(entry, "-----") {
			kid, entry = strings.TrimSpace(before), strings.TrimSpace(after)
		}
		priv, err := parsePrivateKey(entry)
		if err != nil {
			return nil, fmt.Errorf("authn: key %d: %w", i+1, err)
		}
		k, err := NewSigningKey(kid, priv)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return NewKeySet(keys...)
}

func parsePrivateKey(material string) (ed25519.PrivateKey, error) {
	if strings.HasPrefix(material, "-----BEGIN") {
		block, _ := pem.Decode([]byte(material))
		if block == nil {
			return nil, errors.New("malformed PEM")
		}
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM: %w", err)
		}
		priv, ok := key.(ed25519.PrivateKey)
		if !ok {
			return nil, errors.New("PEM key is not Ed25519")
		}
		return priv, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if seed, err := enc.DecodeString(material); err == nil && len(seed) == ed25519.SeedSize {
			return ed25519.NewKeyFromSeed(seed), nil
		}
	}
	return nil, errors.New("not a PEM key nor a base64 32-byte seed")
}

// MarshalSeed encodes k as ParseKeySet reads it ("kid:base64seed"), for
// `cmd/auth genkey`.
func (k SigningKey) MarshalSeed() string {
	return k.ID + ":" + base64.RawURLEncoding.EncodeToString(k.priv.Seed())
}

// signing returns the active key.
func (s *KeySet) signing() SigningKey { return s.keys[0] }

// VerificationKey implements KeySource.
func (s *KeySet) VerificationKey(kid string) (ed25519.PublicKey, error) {
	for _, k := range s.keys {
		if k.ID == kid {
			return k.Public(), nil
		}
	}
	return nil, ErrUnknownKey
}

// JWKS returns the public keys as a JSON Web Key Set.
func (s *KeySet) JWKS() JWKSet {
	set := JWKSet{Keys: make([]JWK, 0, len(s.keys))}
	for _, k := range s.keys {
		set.Keys = append(set.Keys, publicJWK(k.ID, k.Public()))
	}
	return set
}

// JWK is one public key in JWKS form (RFC 8037 OKP).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

// JWKSet is a JSON Web Key Set.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

func publicJWK(kid string, pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: kid, Alg: "EdDSA", Use: "sig"}
}

// PublicKey returns the Ed25519 key of j, refusing anything else: a JWKS
// cannot smuggle in an RSA or symmetric key.
func (j JWK) PublicKey() (ed25519.PublicKey, error) {
	if j.Kty != "OKP" || j.Crv != "Ed25519" || (j.Alg != "" && j.Alg != "EdDSA") || (j.Use != "" && j.Use != "sig") || j.Kid == "" {
		return nil, fmt.Errorf("authn: unsupported JWK kty=%q crv=%q alg=%q", j.Kty, j.Crv, j.Alg)
	}
	x, err := base64.RawURLEncoding.DecodeString(j.X)
	if err != nil || len(x) != ed25519.PublicKeySize {
		return nil, errors.New("authn: malformed Ed25519 JWK")
	}
	return ed25519.PublicKey(x), nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of an Ed25519 public key.
func Thumbprint(pub ed25519.PublicKey) string {
	// Members in lexicographic order, no whitespace, as RFC 7638 requires.
	canon, _ := json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
	}{"Ed25519", "OKP", base64.RawURLEncoding.EncodeToString(pub)})
	sum := sha256.Sum256(canon)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
