package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// A mail as far as the load generator cares: who it went to and its bodies.
type mail struct {
	to   []string
	text string
}

// verifyLink finds the token of the verification link (/verify?token=…) in a
// mail body. The token is base64url plus a dot, so it ends at the first
// character that cannot be part of it (whitespace, quote, '<' or '&').
var verifyLink = regexp.MustCompile(`/verify\?token=([A-Za-z0-9._~%-]+)`)

// parseMail reads either mail source: the embedded shop's outbox
// (/dev/mail.json: an array of {to, subject, text, html}) or the SES
// emulator's store (GET /store: {"emails": [{destination: {to, cc, bcc},
// body: {text, html}}]}). The shape tells them apart, so -mail needs no kind.
func parseMail(b []byte) ([]mail, error) {
	trimmed := strings.TrimLeft(string(b), " \t\r\n")
	if strings.HasPrefix(trimmed, "[") {
		var list []struct {
			To   json.RawMessage `json:"to"`
			Text string          `json:"text"`
			HTML string          `json:"html"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("dev mail: %w", err)
		}
		out := make([]mail, 0, len(list))
		for _, m := range list {
			out = append(out, mail{to: addresses(m.To), text: m.Text + "\n" + m.HTML})
		}
		return out, nil
	}
	var store struct {
		Emails []struct {
			Destination struct {
				To  []string `json:"to"`
				Cc  []string `json:"cc"`
				Bcc []string `json:"bcc"`
			} `json:"destination"`
			Body struct {
				Text string `json:"text"`
				HTML string `json:"html"`
			} `json:"body"`
		} `json:"emails"`
	}
	if err := json.Unmarshal(b, &store); err != nil {
		return nil, fmt.Errorf("ses store: %w", err)
	}
	out := make([]mail, 0, len(store.Emails))
	for _, m := range store.Emails {
		d := m.Destination
		to := append(append(append([]string{}, d.To...), d.Cc...), d.Bcc...)
		out = append(out, mail{to: to, text: m.Body.Text + "\n" + m.Body.HTML})
	}
	return out, nil
}

// addresses accepts "a@x", ["a@x", …] and "Name <a@x>" forms.
func addresses(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}

func bareAddress(a string) string {
	a = strings.TrimSpace(a)
	if i := strings.LastIndexByte(a, '<'); i >= 0 && strings.HasSuffix(a, ">") {
		a = a[i+1 : len(a)-1]
	}
	return strings.ToLower(a)
}

// verificationTokens returns, for each wanted address (lower case), the
// token of the last verification mail sent to it.
func verificationTokens(mails []mail, wanted map[string]bool) map[string]string {
	out := map[string]string{}
	for _, m := range mails {
		match := verifyLink.FindStringSubmatch(m.text)
		if match == nil {
			continue
		}
		tok, err := url.QueryUnescape(match[1])
		if err != nil {
			continue
		}
		for _, a := range m.to {
			if a = bareAddress(a); wanted[a] {
				out[a] = tok
			}
		}
	}
	return out
}

// fetchMail reads the mail source once. The SES store holds every mail ever
// sent (confirmations included), so it is read in full; the size cap only
// guards against a runaway response.
func fetchMail(ctx context.Context, client *http.Client, source string) ([]mail, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", source, res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<30))
	if err != nil {
		return nil, err
	}
	return parseMail(b)
}
