package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	SaltLen   int
	KeyLen    uint32
}

// DefaultArgon2Params is the OWASP minimum recommendation for argon2id:
// 19 MiB, 2 iterations, 1 lane.
var DefaultArgon2Params = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Argon2id hashes passwords into PHC strings. It bounds how many hashes run
// at once, because each takes MemoryKiB of RAM and a burst of logins must
// queue rather than exhaust memory.
type Argon2id struct {
	p   Argon2Params
	sem chan struct{}
}

// NewArgon2id returns a hasher running at most concurrency hashes at a time.
func NewArgon2id(p Argon2Params, concurrency int) (*Argon2id, error) {
	if p.MemoryKiB < 19*1024 || p.Time < 2 || p.Threads < 1 || p.SaltLen < 16 || p.KeyLen < 16 {
		return nil, errors.New("identity: argon2id parameters below the minimum (19 MiB, t=2)")
	}
	if concurrency < 1 {
		concurrency = 1
	}
	return &Argon2id{p: p, sem: make(chan struct{}, concurrency)}, nil
}

func (a *Argon2id) acquire(ctx context.Context) error {
	select {
	case a.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hash implements PasswordHasher.
func (a *Argon2id) Hash(ctx context.Context, plain string) (string, error) {
	salt := make([]byte, a.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := a.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(plain), salt, a.p.Time, a.p.MemoryKiB, a.p.Threads, a.p.KeyLen)
	<-a.sem
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, a.p.MemoryKiB, a.p.Time, a.p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify implements PasswordHasher, using the parameters stored in encoded so
// old hashes keep working after the defaults are raised.
func (a *Argon2id) Verify(ctx context.Context, encoded, plain string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	// Refuse absurd stored parameters instead of allocating what a corrupt
	// row asks for.
	if p.MemoryKiB > 1<<20 || p.Time > 16 || p.Threads > 16 {
		return false, errors.New("identity: stored argon2 parameters out of range")
	}
	if err := a.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(plain), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	<-a.sem
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parsePHC(encoded string) (Argon2Params, []byte, []byte, error) {
	bad := errors.New("identity: malformed argon2id hash")
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Argon2Params{}, nil, nil, bad
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Argon2Params{}, nil, nil, bad
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return Argon2Params{}, nil, nil, bad
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return Argon2Params{}, nil, nil, bad
	}
	return p, salt, key, nil
}
