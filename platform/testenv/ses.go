package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// SESMail is one message as the aws-ses-v2-local emulator stores it
// (GET /store).
type SESMail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	At int64 `json:"at"`
}

// SES requires the SES emulator (scripts/ses-emulator.sh) and returns its base
// URL, to be used as the SES endpoint.
func SES(t testing.TB) string {
	t.Helper()
	return strings.TrimRight(Require(t, SESURLEnv), "/")
}

// SESRecipient returns a unique recipient address for one test. The emulator
// keeps one store for every client, and go test runs packages in parallel, so
// tests find their own mail by recipient instead of clearing the store under
// another test's feet.
func SESRecipient(prefix string) string {
	return Name(prefix) + "@test.evshop.example"
}

// SESMails returns the emulator's stored messages addressed to to (all when
// to is empty), oldest first.
func SESMails(t testing.TB, base, to string) []SESMail {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/store", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("testenv: read SES store: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testenv: read SES store: status %d", resp.StatusCode)
	}
	var store struct {
		Emails []SESMail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatalf("testenv: decode SES store: %v", err)
	}
	if to == "" {
		return store.Emails
	}
	var out []SESMail
	for _, m := range store.Emails {
		if slices.Contains(m.Destination.To, to) {
			out = append(out, m)
		}
	}
	return out
}

// ClearSES empties the emulator's store. Only for a test binary that owns the
// emulator alone; parallel packages should filter by SESRecipient instead.
func ClearSES(t testing.TB, base string) {
	t.Helper()
	resp, err := http.Post(base+"/clear-store", "application/json", nil)
	if err != nil {
		t.Fatalf("testenv: clear SES store: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testenv: clear SES store: %s", fmt.Sprint(resp.StatusCode))
	}
}
