package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckTarget(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.1", true},
		{"http://127.0.0.1:8005/store", true},
		{"http://localhost:8080", false}, // a name could resolve elsewhere
		{"http://127.0.0.2:8080", false},
		{"http://[::1]:8080", false},
		{"http://10.0.0.1:8080", false},
		{"https://127.0.0.1:8443", false},
		{"http://user:pw@127.0.0.1:8080", false},
		{"http://127.0.0.1.evil.example:8080", false},
		{"http://127.0.0.1:99999", false},
		{"http://127.0.0.1:8080/?x=1", false},
		{"127.0.0.1:8080", false},
		{"", false},
	}
	for _, c := range cases {
		_, err := CheckTarget(c.url)
		if (err == nil) != c.ok {
			t.Errorf("CheckTarget(%q) = %v, want ok=%v", c.url, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrTarget) {
			t.Errorf("CheckTarget(%q): %v is not ErrTarget", c.url, err)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	good := func() Config {
		return Config{URL: "http://127.0.0.1:8080", Customers: 10, OrdersPerCustomer: 5, Concurrency: 10}
	}
	cases := []struct {
		name string
		edit func(*Config)
		want string // "" = valid
	}{
		{"defaults fill the rest", func(*Config) {}, ""},
		{"remote mail source", func(c *Config) { c.Mail = "http://mail.example:8005/store" }, "mail:"},
		{"no customers", func(c *Config) { c.Customers = 0 }, "customers=0"},
		{"too many orders", func(c *Config) { c.Customers, c.OrdersPerCustomer = MaxCustomers, 100 }, "customers × orders-per-customer"},
		{"negative duration", func(c *Config) { c.Duration = -time.Second }, "duration"},
		{"negative poll", func(c *Config) { c.Poll = -time.Millisecond }, "poll"},
		{"unknown follow", func(c *Config) { c.Follow = "push" }, "follow"},
		{"polled", func(c *Config) { c.Follow = FollowPoll }, ""},
		{"more lines than skus", func(c *Config) { c.SKUs, c.Lines = []string{"A"}, 2 }, "lines=2"},
		{"prefix too small", func(c *Config) { c.ClientIPs = netip.MustParsePrefix("198.18.0.0/29") }, "client-ips"},
		{"prefix large enough", func(c *Config) { c.ClientIPs = netip.MustParsePrefix("198.18.0.0/28") }, ""},
		{"ipv6 prefix", func(c *Config) { c.ClientIPs = netip.MustParsePrefix("2001:db8::/64") }, ""},
		{"admin email without password", func(c *Config) { c.AdminEmail = "a@example.com" }, "go together"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := good()
			c.edit(&cfg)
			err := cfg.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want it to mention %q", err, c.want)
			}
			if c.want == "" && (cfg.Lines != 2 || cfg.Poll <= 0 || cfg.ProcRoot != "/proc") {
				t.Fatalf("defaults not applied: %+v", cfg)
			}
		})
	}
}

func TestNthAddr(t *testing.T) {
	t.Parallel()
	cases := []struct {
		prefix string
		n      uint64
		want   string
	}{
		{"198.18.0.0/15", 0, "198.18.0.0"},
		{"198.18.0.0/15", 1, "198.18.0.1"},
		{"198.18.0.0/15", 256, "198.18.1.0"},
		{"198.18.5.7/15", 70000, "198.19.17.112"},
		{"2001:db8::/64", 65536, "2001:db8::1:0"},
	}
	for _, c := range cases {
		if got := nthAddr(netip.MustParsePrefix(c.prefix), c.n).String(); got != c.want {
			t.Errorf("nthAddr(%s, %d) = %s, want %s", c.prefix, c.n, got, c.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // reversed: Summarize must sort
	}
	cases := []struct {
		name    string
		samples []time.Duration
		want    Summary
	}{
		{"empty", nil, Summary{}},
		{"one", ms(7), Summary{N: 1, Mean: 7 * time.Millisecond, P50: 7 * time.Millisecond, P95: 7 * time.Millisecond, P99: 7 * time.Millisecond, Max: 7 * time.Millisecond}},
		{"two: nearest rank rounds up", ms(10, 20), Summary{N: 2, Mean: 15 * time.Millisecond, P50: 10 * time.Millisecond, P95: 20 * time.Millisecond, P99: 20 * time.Millisecond, Max: 20 * time.Millisecond}},
		{"1..100", ms(hundred...), Summary{N: 100, Mean: 50500 * time.Microsecond, P50: 50 * time.Millisecond, P95: 95 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}},
	}
	for _, c := range cases {
		if got := Summarize(c.samples); got != c.want {
			t.Errorf("%s: Summarize = %+v, want %+v", c.name, got, c.want)
		}
	}
	in := ms(3, 1, 2)
	Summarize(in)
	if in[0] != 3*time.Millisecond {
		t.Error("Summarize reordered its input")
	}
}

func TestRecorderErrorsMostFrequentFirst(t *testing.T) {
	t.Parallel()
	r := newRecorder()
	r.fail("b", "first b")
	r.fail("a", "first a")
	r.fail("b", "second b")
	got := r.errors()
	want := []ErrorCount{{Kind: "b", Count: 2, Example: "first b"}, {Kind: "a", Count: 1, Example: "first a"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("errors = %+v, want %+v", got, want)
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want string
	}{
		{&httpError{Status: 409, Detail: "x"}, "checkout: HTTP 409"},
		{fmt.Errorf("wrapped: %w", &httpError{Status: 429}), "checkout: HTTP 429"},
		{context.DeadlineExceeded, "checkout: timeout"},
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), "checkout: connection refused"},
		{errors.New("read: connection reset by peer"), "checkout: connection reset"},
		{errors.New("something else"), "checkout: transport"},
	}
	for _, c := range cases {
		if got := kindOf("checkout", c.err); got != c.want {
			t.Errorf("kindOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestParseMailAndTokens(t *testing.T) {
	t.Parallel()
	const tok = "eyJwIjoidmVyaWZ5In0.sig-_x"
	cases := []struct {
		name    string
		body    string
		wantErr bool
		want    map[string]string
	}{
		{"embedded outbox", `[{"id":"m1","to":"a@example.com","text":"open http://x/verify?token=` + tok + `\n"}]`, false,
			map[string]string{"a@example.com": tok}},
		{"embedded outbox, token only in html, address in another case", `[{"to":"A@Example.com","text":"","html":"<a href=\"http://x/verify?token=` + tok + `\">"}]`, false,
			map[string]string{"a@example.com": tok}},
		{"ses store, cc and display name", `{"emails":[{"destination":{"to":["Bob <b@example.com>"],"cc":["c@example.com"]},"body":{"text":"http://x/verify?token=` + tok + `"}}]}`, false,
			map[string]string{"b@example.com": tok, "c@example.com": tok}},
		{"ses store, html entity ends the token", `{"emails":[{"destination":{"to":["a@example.com"]},"body":{"html":"/verify?token=` + tok + `&amp;x=1"}}]}`, false,
			map[string]string{"a@example.com": tok}},
		{"mail without a link and unwanted recipients", `[{"to":"a@example.com","text":"your order is paid"},{"to":"z@example.com","text":"/verify?token=` + tok + `"}]`, false,
			map[string]string{}},
		{"later mail wins", `[{"to":"a@example.com","text":"/verify?token=old"},{"to":"a@example.com","text":"/verify?token=new"}]`, false,
			map[string]string{"a@example.com": "new"}},
		{"not json", `<html>`, true, nil},
		{"wrong array shape", `[1,2]`, true, nil},
	}
	wanted := map[string]bool{"a@example.com": true, "b@example.com": true, "c@example.com": true}
	for _, c := range cases {
		mails, err := parseMail([]byte(c.body))
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err %v, wantErr %v", c.name, err, c.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if got := verificationTokens(mails, wanted); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: tokens %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParsePIDs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    []Process
		wantErr bool
	}{
		{"gateway=12, auth=34", []Process{{"gateway", 12}, {"auth", 34}}, false},
		{"", nil, false},
		{"gateway", nil, true},
		{"gateway=x", nil, true},
		{"gateway=-1", nil, true},
		{"=12", nil, true},
	}
	for _, c := range cases {
		got, err := ParsePIDs(c.in)
		if (err != nil) != c.wantErr || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("ParsePIDs(%q) = %v, %v; want %v, err %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestReadMemory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(pid, status string) {
		if err := os.MkdirAll(filepath.Join(root, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, pid, "status"), []byte(status), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("10", "Name:\tshop\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t9\n")
	write("11", "Name:\tkthreadd\nState:\tS (sleeping)\n")
	write("12", "Name:\tx\nVmRSS:\t12 MB\n")
	cases := []struct {
		pid     int
		want    Memory
		wantErr string
	}{
		{10, Memory{RSSKiB: 102400, PeakKiB: 204800}, ""},
		{11, Memory{}, "no VmRSS"},
		{12, Memory{}, "unexpected VmRSS"},
		{13, Memory{}, "no such process"},
	}
	for _, c := range cases {
		got, err := ReadMemory(root, c.pid)
		if got != c.want || (c.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("pid %d: %+v, %v; want %+v, error %q", c.pid, got, err, c.want, c.wantErr)
		}
	}
	if _, err := ReadMemory(root, 13); !errors.Is(err, ErrNoProcess) {
		t.Errorf("missing pid: %v is not ErrNoProcess", err)
	}
}

// The real /proc: this test process is found by its listener and its name,
// and has a resident set.
func TestProcOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p, err := ListenerPID("/proc", ln.Addr().(*net.TCPAddr).Port)
	if err != nil || p.PID != os.Getpid() {
		t.Fatalf("ListenerPID = %+v, %v; want pid %d", p, err, os.Getpid())
	}
	m, err := ReadMemory("/proc", os.Getpid())
	if err != nil || m.RSSKiB <= 0 || m.PeakKiB < m.RSSKiB {
		t.Fatalf("ReadMemory(self) = %+v, %v", m, err)
	}
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	found, err := FindByName("/proc", []string{strings.TrimSpace(string(comm))})
	if err != nil {
		t.Fatal(err)
	}
	self := false
	for _, f := range found {
		self = self || f.PID == os.Getpid()
	}
	if !self {
		t.Fatalf("FindByName(%q) = %v, without this process", comm, found)
	}
}

func TestListeningInodes(t *testing.T) {
	t.Parallel()
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0
`
	got := listeningInodes([]byte(table), 8080)
	if len(got) != 1 || !got["111"] {
		t.Fatalf("listeningInodes(8080) = %v, want only the LISTEN socket 111", got)
	}
}

func TestPollWait(t *testing.T) {
	t.Parallel()
	cases := []struct{ interval, waited, want time.Duration }{
		{20 * time.Millisecond, 0, 20 * time.Millisecond},
		{20 * time.Millisecond, 150 * time.Millisecond, 20 * time.Millisecond},
		{20 * time.Millisecond, 2 * time.Second, 200 * time.Millisecond},
		{20 * time.Millisecond, time.Minute, time.Second},
		{2 * time.Second, time.Minute, 2 * time.Second},
	}
	for _, c := range cases {
		if got := pollWait(c.interval, c.waited); got != c.want {
			t.Errorf("pollWait(%s, %s) = %s, want %s", c.interval, c.waited, got, c.want)
		}
	}
}
