// Package sealed encrypts short secrets (verification and reset tokens) that
// must travel through the bus to the notifier: the message carries only the
// sealed form, so neither RabbitMQ, the outbox table nor a log line ever holds
// the plain token. Both ends share a 32-byte key (MAIL_LINK_KEY).
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrOpen is returned for a sealed value that is malformed or was tampered with.
var ErrOpen = errors.New("sealed: cannot open")

// Box seals and opens values with AES-256-GCM.
type Box struct{ aead cipher.AEAD }

// New builds a Box from a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("sealed: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// NewFromHex builds a Box from a 64-character hex key (as kept in env vars).
func NewFromHex(key string) (*Box, error) {
	b, err := hex.DecodeString(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: key is not hex: %w", err)
	}
	return New(b)
}

// Seal encrypts plain; aad binds it to its context (e.g. the user id).
func (b *Box) Seal(plain, aad string) string {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce) //nolint:errcheck // crypto/rand never fails on Linux
	out := b.aead.Seal(nonce, nonce, []byte(plain), []byte(aad))
	return base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts a value made by Seal with the same aad.
func (b *Box) Open(sealed, aad string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrOpen
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(aad))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}
