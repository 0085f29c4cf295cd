package wiring

import "testing"

func TestWithPoolSizeAddsTheDefaultOnlyWhenTheURLSetsNone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url string
		n         int
		want      string
	}{
		{"url without query", "postgres://u@h:5432/db", 16, "postgres://u@h:5432/db?pool_max_conns=16"},
		{"url with query", "postgres://u@h/db?sslmode=disable", 16, "postgres://u@h/db?sslmode=disable&pool_max_conns=16"},
		{"url that sets it", "postgres://u@h/db?pool_max_conns=4&sslmode=disable", 16, "postgres://u@h/db?pool_max_conns=4&sslmode=disable"},
		{"key=value dsn", "host=h dbname=db", 16, "host=h dbname=db pool_max_conns=16"},
		{"dsn that sets it", "host=h pool_max_conns=2", 16, "host=h pool_max_conns=2"},
		{"no default", "postgres://u@h/db", 0, "postgres://u@h/db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := withPoolSize(c.url, c.n); got != c.want {
				t.Fatalf("withPoolSize(%q, %d) = %q, want %q", c.url, c.n, got, c.want)
			}
		})
	}
}
