package webhooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/webhooks"
)

// verify is docs/webhooks.md's Go snippet, character for character (the test
// below checks the document still prints it).
// snippet:start
// verify reports whether a webhook from evshop is authentic and fresh.
// body is the raw request body.
func verify(secret, header string, body []byte, now time.Time) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// snippet:end

type snippetCase struct {
	Name   string `json:"name"`
	Header string `json:"header"`
	Body   string `json:"body"`
	Now    int64  `json:"now"`
	Want   bool   `json:"want"`
}

const snippetSecret = "whsec_snippet_0123456789abcdef"

// snippetCases are signatures made by the shop's own Sign, and tampered ones.
func snippetCases() []snippetCase {
	body := `{"id":"e1","type":"order.paid.v1","data":{"orderId":"o1"}}`
	at := time.Unix(1_760_000_000, 0)
	sig := webhooks.Sign(snippetSecret, at, []byte(body))
	return []snippetCase{
		{"signed by the shop", sig, body, at.Unix() + 30, true},
		{"rotated: a second v1", sig + ",v1=" + strings.Repeat("0", 64), body, at.Unix(), true},
		{"body changed", sig, strings.Replace(body, "o1", "o2", 1), at.Unix(), false},
		{"other secret", webhooks.Sign("whsec_other_0123456789abcdef", at, []byte(body)), body, at.Unix(), false},
		{"replayed an hour later", sig, body, at.Unix() + 3600, false},
		{"no timestamp", strings.SplitN(sig, ",", 2)[1], body, at.Unix(), false},
		{"empty", "", body, at.Unix(), false},
	}
}

func docsFile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGoSnippetVerifiesTheShopsSignatures(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("snippets_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(src), "// snippet:start\n")
	snippet, _, _ := strings.Cut(after, "\n// snippet:end")
	if !strings.Contains(docsFile(t), "```go\n"+strings.TrimSpace(snippet)+"\n```") {
		t.Fatal("docs/webhooks.md's Go snippet differs from the one tested here: copy it across")
	}
	for _, c := range snippetCases() {
		if got := verify(snippetSecret, c.Header, []byte(c.Body), time.Unix(c.Now, 0)); got != c.Want {
			t.Errorf("%s: verify = %v, want %v", c.Name, got, c.Want)
		}
	}
}

func TestNodeSnippetVerifiesTheShopsSignatures(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the Node.js snippet of docs/webhooks.md was not run")
	}
	m := regexp.MustCompile("(?s)```js\n(.*?)```").FindStringSubmatch(docsFile(t))
	if m == nil {
		t.Fatal("docs/webhooks.md has no js snippet")
	}
	dir := t.TempDir()
	cases, _ := json.Marshal(snippetCases())
	runner := `import { verify } from "./verify.mjs";
const cases = ` + string(cases) + `;
console.log(JSON.stringify(cases.map((c) => verify("` + snippetSecret + `", c.header, Buffer.from(c.body), c.now))));
`
	for name, text := range map[string]string{"verify.mjs": m[1], "run.mjs": runner} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(node, filepath.Join(dir, "run.mjs")).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got []bool
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %s", out)
	}
	for i, c := range snippetCases() {
		if got[i] != c.Want {
			t.Errorf("%s: node verify = %v, want %v", c.Name, got[i], c.Want)
		}
	}
}
