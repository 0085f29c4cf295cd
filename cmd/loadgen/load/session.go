package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"
)

// session is one browser-like client: its own cookie jar (CSRF, access and
// refresh cookies), the CSRF token it echoes, and optionally the address it
// claims through X-Forwarded-For.
type session struct {
	base   string
	client *http.Client
	ip     string
	csrf   string
}

func newSession(base string, transport http.RoundTripper, ip string, timeout time.Duration) (*session, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Transport: transport, Jar: jar, Timeout: timeout,
		// The API never redirects; following one could leave 127.0.0.1.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &session{base: base, client: c, ip: ip}, nil
}

// httpError is a non-2xx answer.
type httpError struct {
	Status int
	Detail string
}

func (e *httpError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Detail)
}

// kindOf names an error for the report: the HTTP status, or the class of a
// transport failure. op is the step ("checkout", "add-item", …).
func kindOf(op string, err error) string {
	var he *httpError
	var ne net.Error
	switch {
	case errors.As(err, &he):
		return fmt.Sprintf("%s: HTTP %d", op, he.Status)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return op + ": timeout"
	case errors.Is(err, context.Canceled):
		return op + ": cancelled"
	case strings.Contains(err.Error(), "connection refused"):
		return op + ": connection refused"
	case strings.Contains(err.Error(), "connection reset"), strings.Contains(err.Error(), "EOF"):
		return op + ": connection reset"
	}
	return op + ": transport"
}

// do sends a JSON request and decodes a 2xx JSON answer into out (when not
// nil). Unsafe methods carry the CSRF token.
func (s *session) do(ctx context.Context, method, path string, body any, header map[string]string, out any) error {
	_, err := s.exchange(ctx, method, path, body, header, out)
	return err
}

// exchange is do answering the response's headers too (nil when no
// response came).
func (s *session) exchange(ctx context.Context, method, path string, body any, header map[string]string, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && method != http.MethodHead && s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	if s.ip != "" {
		req.Header.Set("X-Forwarded-For", s.ip)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return res.Header, err
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var p struct {
			Detail string `json:"detail"`
			Title  string `json:"title"`
		}
		_ = json.Unmarshal(b, &p) // a non-JSON error body still yields its status
		if p.Detail == "" {
			p.Detail = p.Title
		}
		return res.Header, &httpError{Status: res.StatusCode, Detail: p.Detail}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.Header, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return res.Header, nil
}

// fetchCSRF gets the CSRF token (and its cookie) the API wants echoed.
func (s *session) fetchCSRF(ctx context.Context) error {
	var r struct {
		Token string `json:"token"`
	}
	if err := s.do(ctx, http.MethodGet, "/api/auth/csrf", nil, nil, &r); err != nil {
		return err
	}
	if r.Token == "" {
		return errors.New("csrf: empty token")
	}
	s.csrf = r.Token
	return nil
}
