// Package datadir locates the durable embedded shop's data directory and
// keeps the secrets it would otherwise generate at every start (JWT signing
// key, CSRF key, mail-link key), so sign-ins, CSRF tokens, e-mailed links and
// queued mail survive a restart.
package datadir

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Resolve returns the absolute data directory: setting when given (DATA_DIR),
// else $XDG_DATA_HOME/evshop, else ~/.local/share/evshop.
func Resolve(setting string) (string, error) {
	dir := setting
	if dir == "" {
		if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
			dir = filepath.Join(x, "evshop")
		} else {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("DATA_DIR is empty and there is no home directory: %w", err)
			}
			dir = filepath.Join(home, ".local", "share", "evshop")
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("DATA_DIR=%q: %w", setting, err)
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		return "", fmt.Errorf("DATA_DIR=%q: %s is a file, not a directory", setting, abs)
	}
	return abs, nil
}

// SecretsFile is the name of the secrets file inside the data directory.
const SecretsFile = "secrets.json"

// Secrets are the keys the embedded shop generates once.
type Secrets struct {
	// JWTKeys is an AUTH_JWT_KEYS value ("kid:base64 seed").
	JWTKeys string `json:"jwtKeys"`
	// CSRFKey and MailLinkKey are 64 hex characters, like CSRF_KEY and
	// MAIL_LINK_KEY.
	CSRFKey     string `json:"csrfKey"`
	MailLinkKey string `json:"mailLinkKey"`
}

func (s Secrets) valid() error {
	if s.JWTKeys == "" {
		return errors.New("jwtKeys is empty")
	}
	for name, v := range map[string]string{"csrfKey": s.CSRFKey, "mailLinkKey": s.MailLinkKey} {
		if b, err := hex.DecodeString(v); err != nil || len(b) != 32 {
			return fmt.Errorf("%s is not 64 hex characters", name)
		}
	}
	return nil
}

// LoadSecrets reads the secrets of dir, creating them (mode 0600) when the
// file does not exist. created tells whether they were made now. A file that
// exists but cannot be read as secrets is an error, never replaced: the
// sessions and links signed with the old keys would silently die.
func LoadSecrets(dir string) (s Secrets, created bool, err error) {
	path := filepath.Join(dir, SecretsFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s); err != nil {
			return Secrets{}, false, fmt.Errorf("%s is damaged (%v): restore it from a backup, or move it away to start with new keys (everyone will have to sign in again)", path, err)
		}
		if err := s.valid(); err != nil {
			return Secrets{}, false, fmt.Errorf("%s is damaged (%v): restore it from a backup, or move it away to start with new keys", path, err)
		}
		return s, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return Secrets{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	s = Secrets{JWTKeys: "k" + randomHex(4) + ":" + base64.StdEncoding.EncodeToString(randomBytes(32)),
		CSRFKey: randomHex(32), MailLinkKey: randomHex(32)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Secrets{}, false, err
	}
	out, _ := json.MarshalIndent(s, "", "  ")
	// Written under a temporary name and renamed, so a crash never leaves a
	// half-written file behind; O_EXCL on the final name is not possible
	// with rename, so a concurrent second start simply loses the race below.
	tmp, err := os.CreateTemp(dir, ".secrets-*")
	if err != nil {
		return Secrets{}, false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return Secrets{}, false, err
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return Secrets{}, false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Secrets{}, false, err
	}
	if err := tmp.Close(); err != nil {
		return Secrets{}, false, err
	}
	// Link, not rename: it fails when another process created the file
	// first, and then that file's keys win.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadSecrets(dir)
		}
		return Secrets{}, false, fmt.Errorf("write %s: %w", path, err)
	}
	return s, true, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// LockFile is the name of the lock a running shop holds in its directory.
const LockFile = "lock"

// ErrLocked is returned by Lock while another process holds the directory.
var ErrLocked = errors.New("another shop is running on this data directory")

// Lock takes the data directory for this process (an exclusive flock on its
// lock file, released by the kernel when the process dies, even by
// SIGKILL). A second shop on the same directory gets ErrLocked instead of
// two writers on one database.
func Lock(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return func() { f.Close() }, nil
}
