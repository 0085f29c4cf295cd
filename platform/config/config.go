// Package config reads a binary's settings from environment variables and
// command-line flags (a flag wins over its env var, which wins over the
// default), validates them, and renders the table of every setting for the
// README so the documentation cannot drift from the code.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Var describes one setting.
type Var struct {
	Flag    string
	Env     string
	Default string
	Usage   string
	value   flag.Value
}

// Set is the settings of one binary.
type Set struct {
	name string
	fs   *flag.FlagSet
	vars []*Var
	env  func(string) (string, bool)
}

// New returns an empty set for the binary name.
func New(name string) *Set {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	return &Set{name: name, fs: fs, env: os.LookupEnv}
}

// WithEnv replaces the environment lookup (tests).
func (s *Set) WithEnv(lookup func(string) (string, bool)) *Set { s.env = lookup; return s }

// SetOutput sets where usage and errors go.
func (s *Set) SetOutput(w io.Writer) { s.fs.SetOutput(w) }

func (s *Set) add(flagName, env, def, usage string, v flag.Value) {
	s.fs.Var(v, flagName, usage+" (env "+env+")")
	s.vars = append(s.vars, &Var{Flag: flagName, Env: env, Default: def, Usage: usage, value: v})
}

// String declares a string setting.
func (s *Set) String(flagName, env, def, usage string) *string {
	p := new(string)
	*p = def
	s.add(flagName, env, def, usage, (*stringValue)(p))
	return p
}

// Int declares an integer setting.
func (s *Set) Int(flagName, env string, def int, usage string) *int {
	p := new(int)
	*p = def
	s.add(flagName, env, strconv.Itoa(def), usage, (*intValue)(p))
	return p
}

// Bool declares a boolean setting.
func (s *Set) Bool(flagName, env string, def bool, usage string) *bool {
	p := new(bool)
	*p = def
	s.add(flagName, env, strconv.FormatBool(def), usage, (*boolValue)(p))
	return p
}

// Duration declares a duration setting (Go syntax, e.g. "15m").
func (s *Set) Duration(flagName, env string, def time.Duration, usage string) *time.Duration {
	p := new(time.Duration)
	*p = def
	s.add(flagName, env, def.String(), usage, (*durationValue)(p))
	return p
}

// Parse applies env vars then flags; any malformed value is an error naming
// the setting.
func (s *Set) Parse(args []string) error {
	var errs []error
	for _, v := range s.vars {
		if raw, ok := s.env(v.Env); ok {
			if err := v.value.Set(raw); err != nil {
				errs = append(errs, fmt.Errorf("env %s=%q: %v", v.Env, raw, err))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return s.fs.Parse(args)
}

// Given reports whether the setting named by its env var was set, by the env
// var or by its flag, rather than left at its default. Settings whose default
// depends on another setting (the mode) need to tell the two apart.
func (s *Set) Given(env string) bool {
	for _, v := range s.vars {
		if v.Env != env {
			continue
		}
		if _, ok := s.env(v.Env); ok {
			return true
		}
		given := false
		s.fs.Visit(func(f *flag.Flag) { given = given || f.Name == v.Flag })
		return given
	}
	return false
}

// Args returns the non-flag arguments after Parse.
func (s *Set) Args() []string { return s.fs.Args() }

// Vars lists the declared settings, sorted by env name.
func (s *Set) Vars() []Var {
	out := make([]Var, 0, len(s.vars))
	for _, v := range s.vars {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Env < out[j].Env })
	return out
}

// Markdown renders the settings as a table.
func (s *Set) Markdown() string {
	var b strings.Builder
	b.WriteString("| env | flag | default | meaning |\n|---|---|---|---|\n")
	for _, v := range s.Vars() {
		def := v.Default
		if def == "" {
			def = "—"
		}
		fmt.Fprintf(&b, "| `%s` | `-%s` | `%s` | %s |\n", v.Env, v.Flag, def, v.Usage)
	}
	return b.String()
}

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type intValue int

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("not an integer")
	}
	*v = intValue(n)
	return nil
}
func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return errors.New("not a boolean (true/false)")
	}
	*v = boolValue(b)
	return nil
}
func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }

type durationValue time.Duration

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 {
		return errors.New("not a non-negative duration like 500ms or 15m")
	}
	*v = durationValue(d)
	return nil
}
func (v *durationValue) String() string { return time.Duration(*v).String() }
