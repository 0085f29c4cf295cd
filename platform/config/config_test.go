package config

import (
	"strings"
	"testing"
	"time"
)

func TestPrecedenceAndValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		addr    string
		workers int
		wait    time.Duration
		wantErr string
	}{
		{name: "defaults", addr: ":8080", workers: 4, wait: time.Second},
		{name: "env", env: map[string]string{"ADDR": ":9", "WORKERS": "7", "WAIT": "2s"}, addr: ":9", workers: 7, wait: 2 * time.Second},
		{name: "flag wins", env: map[string]string{"ADDR": ":9"}, args: []string{"-addr", ":10"}, addr: ":10", workers: 4, wait: time.Second},
		{name: "bad int env", env: map[string]string{"WORKERS": "many"}, wantErr: "WORKERS"},
		{name: "negative duration", env: map[string]string{"WAIT": "-1s"}, wantErr: "WAIT"},
		{name: "bad flag", args: []string{"-workers", "x"}, wantErr: "workers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New("t").WithEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			s.SetOutput(&strings.Builder{})
			addr := s.String("addr", "ADDR", ":8080", "listen address")
			workers := s.Int("workers", "WORKERS", 4, "workers")
			wait := s.Duration("wait", "WAIT", time.Second, "wait")
			err := s.Parse(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want mention of %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *addr != tt.addr || *workers != tt.workers || *wait != tt.wait {
				t.Fatalf("got %q %d %v", *addr, *workers, *wait)
			}
		})
	}
}

func TestMarkdownListsEveryVar(t *testing.T) {
	t.Parallel()
	s := New("t")
	s.String("addr", "ADDR", ":8080", "listen address")
	s.Bool("debug", "DEBUG", false, "debug mode")
	md := s.Markdown()
	for _, want := range []string{"`ADDR`", "`-addr`", "`:8080`", "`DEBUG`", "debug mode"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %s:\n%s", want, md)
		}
	}
}

func TestGiven(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want bool
	}{
		{name: "default", want: false},
		{name: "env", env: map[string]string{"METRICS_ADDR": ":9090"}, want: true},
		{name: "env set empty", env: map[string]string{"METRICS_ADDR": ""}, want: true},
		{name: "flag", args: []string{"-metrics-addr", ""}, want: true},
		{name: "other setting", env: map[string]string{"ADDR": ":1"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New("t").WithEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			s.String("addr", "ADDR", ":8080", "listen address")
			s.String("metrics-addr", "METRICS_ADDR", ":9090", "metrics")
			if err := s.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if got := s.Given("METRICS_ADDR"); got != tt.want {
				t.Fatalf("Given = %v, want %v", got, tt.want)
			}
		})
	}
}
