package config

import (
	"errors"
	"flag"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type shared struct {
	Secure bool `env:"SECURE" default:"true" dev:"false" desc:"secure cookies"`
}

type svcA struct {
	Shared  shared
	Workers int `env:"WORKERS" default:"4" desc:"workers"`
}

func (a *svcA) Validate(profile string) error {
	if a.Workers > 10 {
		return fmt.Errorf("WORKERS=%d: at most 10 (%s)", a.Workers, profile)
	}
	return nil
}

type svcB struct {
	Shared shared
	Key    string   `env:"KEY" required:"prod" desc:"a secret"`
	Tags   []string `env:"TAGS" default:"a, b" desc:"tags"`
}

type binary struct {
	Mode string        `env:"MODE" default:"prod" desc:"prod or dev"`
	Addr string        `env:"ADDR" flag:"listen" default:":8080" dev:"127.0.0.1:8080" desc:"listen address"`
	Wait time.Duration `env:"WAIT" default:"1s" desc:"wait"`
	A    svcA
	B    svcB
}

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		defaults map[string]string
		want     binary
		rest     []string
		wantErr  string
	}{
		{name: "defaults need the required key", wantErr: "KEY is required in prod mode"},
		{name: "prod defaults", env: map[string]string{"KEY": "k"},
			want: binary{Mode: "prod", Addr: ":8080", Wait: time.Second, A: svcA{shared{true}, 4}, B: svcB{shared{true}, "k", []string{"a", "b"}}}},
		{name: "profile defaults", env: map[string]string{"MODE": "dev"},
			want: binary{Mode: "dev", Addr: "127.0.0.1:8080", Wait: time.Second, A: svcA{shared{false}, 4}, B: svcB{shared{false}, "", []string{"a", "b"}}}},
		{name: "binary default picks the profile", defaults: map[string]string{"MODE": "dev"},
			want: binary{Mode: "dev", Addr: "127.0.0.1:8080", Wait: time.Second, A: svcA{shared{false}, 4}, B: svcB{shared{false}, "", []string{"a", "b"}}}},
		{name: "env over default, flag over env, one value for a shared setting",
			env:  map[string]string{"MODE": "dev", "ADDR": ":1", "SECURE": "true", "TAGS": " x ,, y", "WORKERS": "7"},
			args: []string{"-listen", ":2", "-wait", "2s", "serve", "now"},
			want: binary{Mode: "dev", Addr: ":2", Wait: 2 * time.Second, A: svcA{shared{true}, 7}, B: svcB{shared{true}, "", []string{"x", "y"}}},
			rest: []string{"serve", "now"}},
		{name: "bool flag without value", env: map[string]string{"MODE": "dev"}, args: []string{"-secure"},
			want: binary{Mode: "dev", Addr: "127.0.0.1:8080", Wait: time.Second, A: svcA{shared{true}, 4}, B: svcB{shared{true}, "", []string{"a", "b"}}}},
		{name: "bad int env", env: map[string]string{"KEY": "k", "WORKERS": "many"}, wantErr: "WORKERS"},
		{name: "negative duration", env: map[string]string{"KEY": "k", "WAIT": "-1s"}, wantErr: "WAIT"},
		{name: "bad bool", env: map[string]string{"KEY": "k", "SECURE": "yes please"}, wantErr: "SECURE"},
		{name: "bad flag", env: map[string]string{"KEY": "k"}, args: []string{"-workers", "x"}, wantErr: "workers"},
		{name: "unknown flag", env: map[string]string{"KEY": "k"}, args: []string{"-nope"}, wantErr: "nope"},
		{name: "group validation", env: map[string]string{"KEY": "k", "WORKERS": "11"}, wantErr: "at most 10 (prod)"},
		{name: "unknown env vars are not read", env: map[string]string{"KEY": "k", "STRIPE_SECRET_KEY": "x", "WORKERS_X": "bad"},
			want: binary{Mode: "prod", Addr: ":8080", Wait: time.Second, A: svcA{shared{true}, 4}, B: svcB{shared{true}, "k", []string{"a", "b"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got binary
			rest, err := Load(&got, Options{Name: "t", Args: tt.args, Profile: "MODE", Defaults: tt.defaults,
				Lookup: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if !reflect.DeepEqual(rest, tt.rest) {
				t.Errorf("rest = %q, want %q", rest, tt.rest)
			}
		})
	}
}

func TestLoadHelp(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	var b binary
	_, err := Load(&b, Options{Name: "t", Args: []string{"-h"}, Output: &out})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"`ADDR` | `-listen` | `:8080` (dev: `127.0.0.1:8080`)", "`KEY` | `-key` | —, **required** in prod mode"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDescribeListsEachSettingOnce(t *testing.T) {
	t.Parallel()
	vars, err := Describe(binary{}, map[string]string{"MODE": "dev"})
	if err != nil {
		t.Fatal(err)
	}
	var envs []string
	for _, v := range vars {
		envs = append(envs, v.Env)
	}
	if want := []string{"MODE", "ADDR", "WAIT", "SECURE", "WORKERS", "KEY", "TAGS"}; !reflect.DeepEqual(envs, want) {
		t.Fatalf("envs = %v, want %v", envs, want)
	}
	if vars[0].Default != "dev" || vars[0].Profiles != nil {
		t.Errorf("MODE = %+v, want the binary's default dev", vars[0])
	}
	if vars[1].Profiles["dev"] != "127.0.0.1:8080" || vars[1].Flag != "listen" {
		t.Errorf("ADDR = %+v", vars[1])
	}
	if vars[5].Required != "prod" || vars[4].Type != "int" || vars[6].Type != "list" {
		t.Errorf("vars = %+v", vars)
	}
}

func TestMalformedStructs(t *testing.T) {
	t.Parallel()
	type disagree struct {
		A struct {
			X string `env:"X" default:"1" desc:"x"`
		}
		B struct {
			X string `env:"X" default:"2" desc:"x"`
		}
	}
	type noDesc struct {
		X string `env:"X"`
	}
	type badType struct {
		X float64 `env:"X" desc:"x"`
	}
	type flagClash struct {
		X string `env:"X" flag:"same" desc:"x"`
		Y string `env:"Y" flag:"same" desc:"y"`
	}
	for _, c := range []struct {
		name string
		s    any
		want string
	}{
		{"same env, other default", &disagree{}, "declared differently"},
		{"no description", &noDesc{}, "desc"},
		{"unsupported type", &badType{}, "unsupported type"},
		{"flag clash", &flagClash{}, "flag -same"},
		{"not a pointer", disagree{}, "pointer to a struct"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Load(c.s, Options{Name: "t"}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestGiven: a setting given by env var or flag, even empty, wins over the
// profile's default (embedded METRICS_ADDR= turns the listener off rather
// than falling back to 127.0.0.1:9090).
func TestGiven(t *testing.T) {
	t.Parallel()
	type metrics struct {
		Mode    string `env:"MODE" default:"prod" desc:"prod or dev"`
		Addr    string `env:"ADDR" default:":8080" desc:"listen address"`
		Metrics string `env:"METRICS_ADDR" default:":9090" dev:"127.0.0.1:9090" desc:"metrics"`
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{name: "default", env: map[string]string{"MODE": "dev"}, want: "127.0.0.1:9090"},
		{name: "env", env: map[string]string{"MODE": "dev", "METRICS_ADDR": ":9091"}, want: ":9091"},
		{name: "env set empty", env: map[string]string{"MODE": "dev", "METRICS_ADDR": ""}, want: ""},
		{name: "flag", env: map[string]string{"MODE": "dev"}, args: []string{"-metrics-addr", ""}, want: ""},
		{name: "other setting", env: map[string]string{"MODE": "dev", "ADDR": ":1"}, want: "127.0.0.1:9090"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got metrics
			if _, err := Load(&got, Options{Name: "t", Args: tt.args, Profile: "MODE",
				Lookup: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }}); err != nil {
				t.Fatal(err)
			}
			if got.Metrics != tt.want {
				t.Fatalf("METRICS_ADDR = %q, want %q", got.Metrics, tt.want)
			}
		})
	}
}

// TestNarrow: a narrower profile named from the values read (a dev build
// listening beyond loopback) takes its own defaults before the profile's,
// and its required settings; what is given still wins.
func TestNarrow(t *testing.T) {
	t.Parallel()
	type exposedBinary struct {
		Mode    string   `env:"MODE" default:"prod" desc:"prod or dev"`
		Addr    string   `env:"ADDR" default:":8080" dev:"127.0.0.1:8080" desc:"listen address"`
		Secure  bool     `env:"SECURE" default:"true" dev:"false" exposed:"true" desc:"secure cookies"`
		Methods []string `env:"METHODS" required:"prod,exposed" dev:"sandbox" exposed:"" desc:"payment methods"`
	}
	narrow := func(profile string, value func(string) string) (string, string) {
		if profile == "dev" && !strings.HasPrefix(value("ADDR"), "127.0.0.1:") {
			return "exposed", "when listening beyond loopback (ADDR=" + value("ADDR") + ")"
		}
		return "", ""
	}
	tests := []struct {
		name        string
		env         map[string]string
		args        []string
		wantSecure  bool
		wantMethods []string
		wantErr     string
	}{
		{name: "dev on loopback", env: map[string]string{"MODE": "dev"}, wantSecure: false, wantMethods: []string{"sandbox"}},
		{name: "dev beyond loopback needs the methods", env: map[string]string{"MODE": "dev", "ADDR": ":8080"},
			wantErr: "METHODS is required when listening beyond loopback (ADDR=:8080)"},
		{name: "dev beyond loopback by flag", env: map[string]string{"MODE": "dev"}, args: []string{"-addr", "0.0.0.0:1"},
			wantErr: "METHODS is required when listening beyond loopback (ADDR=0.0.0.0:1)"},
		{name: "dev beyond loopback: secure by default", env: map[string]string{"MODE": "dev", "ADDR": ":8080", "METHODS": "card"},
			wantSecure: true, wantMethods: []string{"card"}},
		{name: "dev beyond loopback: given values win", env: map[string]string{"MODE": "dev", "ADDR": ":8080", "METHODS": "sandbox", "SECURE": "false"},
			wantSecure: false, wantMethods: []string{"sandbox"}},
		{name: "prod is not narrowed", env: map[string]string{"ADDR": ":8080"}, wantErr: "METHODS is required in prod mode"},
		{name: "prod", env: map[string]string{"METHODS": "card"}, wantSecure: true, wantMethods: []string{"card"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got exposedBinary
			_, err := Load(&got, Options{Name: "t", Args: tt.args, Profile: "MODE", Narrow: narrow,
				Lookup: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Secure != tt.wantSecure || !reflect.DeepEqual(got.Methods, tt.wantMethods) {
				t.Errorf("SECURE=%v METHODS=%q, want %v %q", got.Secure, got.Methods, tt.wantSecure, tt.wantMethods)
			}
		})
	}
	vars, err := Describe(exposedBinary{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := DefaultCell(vars[3]), "— (dev: `sandbox`) (exposed: —), **required** in prod and exposed mode"; got != want {
		t.Errorf("DefaultCell(METHODS) = %q, want %q", got, want)
	}
}
