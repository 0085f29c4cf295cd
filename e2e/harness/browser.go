package harness

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
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/evshop/shop/platform/testenv"
)

// Browser is one shopper talking to the gateway: its own cookie jar (session
// and CSRF cookies), the CSRF token echoed on unsafe requests, and
// optionally its own loopback source address (127.0.0.x), so per-IP rate
// limits see many shoppers instead of one.
type Browser struct {
	base   string
	client *http.Client
	csrf   string
	header string
}

// Response is a read HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode %d %s: %w", r.Status, r.Body, err)
	}
	return nil
}

func (r Response) String() string { return fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Body)) }

// NewBrowser returns a shopper on the gateway; sourceIP ("" for the
// default) must be a loopback address (127.0.0.0/8 all route to lo).
func (c *Cluster) NewBrowser(sourceIP string) (*Browser, error) {
	return NewBrowser(c.GatewayURL, sourceIP)
}

// NewBrowserOn returns a shopper on gateway i (modulo the gateway replicas),
// as a load balancer in front of them would spread shoppers.
func (c *Cluster) NewBrowserOn(i int, sourceIP string) (*Browser, error) {
	var gateways []string
	for _, name := range c.order {
		if c.procs[name].service == "gateway" {
			gateways = append(gateways, "http://"+c.procs[name].addr)
		}
	}
	return NewBrowser(gateways[i%len(gateways)], sourceIP)
}

// NewBrowser returns a shopper on base.
func NewBrowser(base, sourceIP string) (*Browser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if sourceIP != "" {
		ip := net.ParseIP(sourceIP)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("harness: source %q is not a loopback address", sourceIP)
		}
		dialer.LocalAddr = &net.TCPAddr{IP: ip}
	}
	tr := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
	return &Browser{base: strings.TrimRight(base, "/"), client: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}}, nil
}

// Close drops idle connections.
func (b *Browser) Close() { b.client.CloseIdleConnections() }

// Do sends a request with a JSON body (nil for none) and extra headers.
func (b *Browser) Do(ctx context.Context, method, path string, body any, headers map[string]string) (Response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, rd)
	if err != nil {
		return Response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if b.csrf != "" && method != http.MethodGet && method != http.MethodHead {
		req.Header.Set(b.header, b.csrf)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// Expect is Do that fails unless the status is want.
func (b *Browser) Expect(ctx context.Context, want int, method, path string, body any, headers map[string]string) (Response, error) {
	r, err := b.Do(ctx, method, path, body, headers)
	if err != nil {
		return r, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if r.Status != want {
		return r, fmt.Errorf("%s %s: got %s, want %d", method, path, r, want)
	}
	return r, nil
}

// FetchCSRF gets the CSRF token (and its cookie) from the gateway.
func (b *Browser) FetchCSRF(ctx context.Context) error {
	r, err := b.Expect(ctx, http.StatusOK, http.MethodGet, "/api/auth/csrf", nil, nil)
	if err != nil {
		return err
	}
	var v struct {
		Token      string `json:"token"`
		HeaderName string `json:"headerName"`
	}
	if err := r.JSON(&v); err != nil {
		return err
	}
	if v.Token == "" || v.HeaderName == "" {
		return fmt.Errorf("csrf: empty answer %s", r)
	}
	b.csrf, b.header = v.Token, v.HeaderName
	return nil
}

// SignUp registers, verifies the address with the link the SES emulator
// received, and logs in. It returns the user id.
func (b *Browser) SignUp(ctx context.Context, mail *Mailbox, email, password, name string) (string, error) {
	if b.csrf == "" {
		if err := b.FetchCSRF(ctx); err != nil {
			return "", err
		}
	}
	if _, err := b.Expect(ctx, http.StatusCreated, http.MethodPost, "/api/auth/register",
		map[string]string{"email": email, "password": password, "name": name}, nil); err != nil {
		return "", err
	}
	m, err := mail.WaitFor(ctx, email, func(m testenv.SESMail) bool { return verifyLink.MatchString(m.Body.Text + m.Body.HTML) })
	if err != nil {
		return "", fmt.Errorf("verification email to %s: %w", email, err)
	}
	token, err := VerifyToken(m)
	if err != nil {
		return "", err
	}
	if _, err := b.Expect(ctx, http.StatusOK, http.MethodPost, "/api/auth/verify", map[string]string{"token": token}, nil); err != nil {
		return "", err
	}
	return b.Login(ctx, email, password)
}

// Login signs in and returns the user id.
func (b *Browser) Login(ctx context.Context, email, password string) (string, error) {
	if b.csrf == "" {
		if err := b.FetchCSRF(ctx); err != nil {
			return "", err
		}
	}
	if _, err := b.Expect(ctx, http.StatusOK, http.MethodPost, "/api/auth/login", map[string]string{"email": email, "password": password}, nil); err != nil {
		return "", err
	}
	r, err := b.Expect(ctx, http.StatusOK, http.MethodGet, "/api/auth/me", nil, nil)
	if err != nil {
		return "", err
	}
	var me struct {
		ID string `json:"id"`
	}
	if err := r.JSON(&me); err != nil {
		return "", err
	}
	return me.ID, nil
}

var verifyLink = regexp.MustCompile(`/verify\?token=([A-Za-z0-9%._~-]+)`)

// VerifyToken extracts the token of the verification link in m.
func VerifyToken(m testenv.SESMail) (string, error) {
	match := verifyLink.FindStringSubmatch(m.Body.Text)
	if match == nil {
		match = verifyLink.FindStringSubmatch(m.Body.HTML)
	}
	if match == nil {
		return "", fmt.Errorf("no verification link in %q", m.Subject)
	}
	return url.QueryUnescape(match[1])
}

// Mailbox reads the SES emulator's store. The store is shared with every
// other test on the machine, so tests look up their own unique recipients;
// concurrent waiters share one fetch of the store at a time.
type Mailbox struct {
	base   string
	dev    bool // the embedded shop's /dev/mail.json instead of the emulator's /store
	client *http.Client

	mu      sync.Mutex
	fetched time.Time
	mails   []testenv.SESMail
}

// NewMailbox reads the emulator at base.
func NewMailbox(base string) *Mailbox {
	return &Mailbox{base: strings.TrimRight(base, "/"), client: &http.Client{Timeout: 30 * time.Second}}
}

// NewDevMailbox reads the embedded shop's outbox at shopURL/dev/mail.json.
func NewDevMailbox(shopURL string) *Mailbox {
	mb := NewMailbox(shopURL)
	mb.dev = true
	return mb
}

// Mailbox reads the cluster's SES emulator.
func (c *Cluster) Mailbox() *Mailbox { return NewMailbox(c.SESURL) }

// To returns the messages to addr, oldest first; maxAge bounds how stale the
// shared copy of the store may be.
func (mb *Mailbox) To(ctx context.Context, addr string, maxAge time.Duration) ([]testenv.SESMail, error) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if time.Since(mb.fetched) > maxAge {
		if err := mb.fetch(ctx); err != nil {
			return nil, err
		}
	}
	var out []testenv.SESMail
	for _, m := range mb.mails {
		for _, to := range m.Destination.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}

func (mb *Mailbox) fetch(ctx context.Context) error {
	if mb.dev {
		return mb.fetchDev(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, mb.base+"/store", nil)
	if err != nil {
		return err
	}
	resp, err := mb.client.Do(req)
	if err != nil {
		return fmt.Errorf("read SES store: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("read SES store: %s", resp.Status)
	}
	var store struct {
		Emails []testenv.SESMail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return fmt.Errorf("decode SES store: %w", err)
	}
	mb.mails, mb.fetched = store.Emails, time.Now()
	return nil
}

func (mb *Mailbox) fetchDev(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, mb.base+"/dev/mail.json", nil)
	if err != nil {
		return err
	}
	resp, err := mb.client.Do(req)
	if err != nil {
		return fmt.Errorf("read /dev/mail.json: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("read /dev/mail.json: %s", resp.Status)
	}
	var list []struct {
		ID, To, Subject, Text, HTML string
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return fmt.Errorf("decode /dev/mail.json: %w", err)
	}
	mb.mails = mb.mails[:0]
	for _, m := range list {
		var sm testenv.SESMail
		sm.MessageID, sm.Subject, sm.Body.Text, sm.Body.HTML = m.ID, m.Subject, m.Text, m.HTML
		sm.Destination.To = []string{m.To}
		mb.mails = append(mb.mails, sm)
	}
	mb.fetched = time.Now()
	return nil
}

// WaitFor polls until a message to addr matches.
func (mb *Mailbox) WaitFor(ctx context.Context, addr string, match func(testenv.SESMail) bool) (testenv.SESMail, error) {
	for {
		mails, err := mb.To(ctx, addr, 250*time.Millisecond)
		if err != nil && !errors.Is(err, context.Canceled) {
			return testenv.SESMail{}, err
		}
		for i := len(mails) - 1; i >= 0; i-- {
			if match(mails[i]) {
				return mails[i], nil
			}
		}
		select {
		case <-ctx.Done():
			return testenv.SESMail{}, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// MovedTo returns the same browser (cookie jar, CSRF token) talking to
// another base URL: the shopper coming back to a restored shop. Cookies
// do not depend on the port, so a shop on another port of the same host
// sees them.
func (b *Browser) MovedTo(base string) *Browser {
	moved := *b
	moved.base = strings.TrimRight(base, "/")
	return &moved
}
