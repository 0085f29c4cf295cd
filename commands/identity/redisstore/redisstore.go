// Package redisstore is the Redis adapter of the refresh-token sessions.
//
// Keys (under a prefix): "rt:<hash>" a hash {u user, f family, s live|used};
// "fam:<family>" a hash {u user, r 0|1 revoked, e absolute end in Unix ms};
// "usr:<user>" the set of the user's families. Each operation is one Lua
// script, so rotation and reuse detection are atomic across every auth
// instance. The scripts build key
// names from the prefix, which assumes a single Redis (not Cluster).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	ident "github.com/evshop/shop/commands/identity"
)

// Sessions implements identity.Sessions on Redis.
type Sessions struct {
	client redis.Scripter
	prefix string
}

// New returns sessions stored under prefix (e.g. "auth:").
func New(client redis.Scripter, prefix string) *Sessions {
	return &Sessions{client: client, prefix: prefix}
}

var createScript = redis.NewScript(`
local p, user, fam, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', p..'fam:'..fam, 'u', user, 'r', '0', 'e', ARGV[6])
redis.call('PEXPIRE', p..'fam:'..fam, ttl)
redis.call('HSET', p..'rt:'..ARGV[5], 'u', user, 'f', fam, 's', 'live')
redis.call('PEXPIRE', p..'rt:'..ARGV[5], ttl)
redis.call('SADD', p..'usr:'..user, fam)
if redis.call('PTTL', p..'usr:'..user) < tonumber(ttl) then redis.call('PEXPIRE', p..'usr:'..user, ttl) end
return 1`)

// Create implements identity.Sessions.
func (s *Sessions) Create(ctx context.Context, sess ident.Session) error {
	if sess.FamilyExpiresAt.IsZero() {
		return errors.New("redisstore: a session family needs its absolute end")
	}
	exp := sess.ExpiresAt
	if sess.FamilyExpiresAt.Before(exp) {
		exp = sess.FamilyExpiresAt
	}
	ttl := time.Until(exp).Milliseconds()
	if ttl <= 0 {
		return errors.New("redisstore: session already expired")
	}
	if err := createScript.Run(ctx, s.client, nil, s.prefix, sess.UserID, sess.FamilyID, ttl, sess.TokenHash,
		sess.FamilyExpiresAt.UnixMilli()).Err(); err != nil {
		return fmt.Errorf("redisstore: create: %w", err)
	}
	return nil
}

// The used token is kept (marked) as long as its family lives, so presenting
// it again is recognised as reuse rather than as an unknown token. Every
// expiry is capped at the family's absolute end "e" (Unix ms); a family
// stored before it had one gets now+ttl at its next rotation, so it ends too.
var rotateScript = redis.NewScript(`
local p, old, new, ttl, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('HMGET', p..'rt:'..old, 'u', 'f', 's')
if not t[1] then return {'invalid'} end
local famKey = p..'fam:'..t[2]
if redis.call('HGET', famKey, 'r') ~= '0' then return {'invalid', t[1], t[2]} end
local ends = tonumber(redis.call('HGET', famKey, 'e'))
if not ends then
  ends = now + ttl
  redis.call('HSET', famKey, 'e', tostring(ends))
end
if now >= ends then return {'invalid', t[1], t[2]} end
if t[3] == 'used' then
  redis.call('HSET', famKey, 'r', '1')
  return {'reused', t[1], t[2]}
end
if ends - now < ttl then ttl = ends - now end
redis.call('HSET', p..'rt:'..old, 's', 'used')
redis.call('PEXPIRE', p..'rt:'..old, ttl)
redis.call('HSET', p..'rt:'..new, 'u', t[1], 'f', t[2], 's', 'live')
redis.call('PEXPIRE', p..'rt:'..new, ttl)
redis.call('PEXPIRE', famKey, ttl)
if redis.call('PTTL', p..'usr:'..t[1]) < ttl then redis.call('PEXPIRE', p..'usr:'..t[1], ttl) end
return {'ok', t[1], t[2], tostring(now + ttl), tostring(ends)}`)

// Rotate implements identity.Sessions.
func (s *Sessions) Rotate(ctx context.Context, oldHash, newHash string, ttl time.Duration) (ident.Session, error) {
	res, err := rotateScript.Run(ctx, s.client, nil, s.prefix, oldHash, newHash, ttl.Milliseconds(), time.Now().UnixMilli()).StringSlice()
	if err != nil {
		return ident.Session{}, fmt.Errorf("redisstore: rotate: %w", err)
	}
	switch {
	case len(res) == 5 && res[0] == "ok":
		exp, err1 := strconv.ParseInt(res[3], 10, 64)
		ends, err2 := strconv.ParseInt(res[4], 10, 64)
		if err1 != nil || err2 != nil {
			return ident.Session{}, fmt.Errorf("redisstore: rotate: bad expiry %q/%q", res[3], res[4])
		}
		return ident.Session{TokenHash: newHash, UserID: res[1], FamilyID: res[2], ExpiresAt: time.UnixMilli(exp),
			FamilyExpiresAt: time.UnixMilli(ends)}, nil
	case len(res) == 3 && res[0] == "reused":
		return ident.Session{UserID: res[1], FamilyID: res[2]}, ident.ErrSessionReused
	default:
		return ident.Session{}, ident.ErrSessionInvalid
	}
}

var revokeScript = redis.NewScript(`
local p = ARGV[1]
local fam = redis.call('HGET', p..'rt:'..ARGV[2], 'f')
if fam and redis.call('EXISTS', p..'fam:'..fam) == 1 then redis.call('HSET', p..'fam:'..fam, 'r', '1') end
return 1`)

// Revoke implements identity.Sessions.
func (s *Sessions) Revoke(ctx context.Context, tokenHash string) error {
	if err := revokeScript.Run(ctx, s.client, nil, s.prefix, tokenHash).Err(); err != nil {
		return fmt.Errorf("redisstore: revoke: %w", err)
	}
	return nil
}

var revokeUserScript = redis.NewScript(`
local p = ARGV[1]
local fams = redis.call('SMEMBERS', p..'usr:'..ARGV[2])
for _, fam in ipairs(fams) do
  if redis.call('EXISTS', p..'fam:'..fam) == 1 then redis.call('HSET', p..'fam:'..fam, 'r', '1') end
end
redis.call('DEL', p..'usr:'..ARGV[2])
return #fams`)

// RevokeUser implements identity.Sessions.
func (s *Sessions) RevokeUser(ctx context.Context, userID string) error {
	if err := revokeUserScript.Run(ctx, s.client, nil, s.prefix, userID).Err(); err != nil {
		return fmt.Errorf("redisstore: revoke user: %w", err)
	}
	return nil
}
