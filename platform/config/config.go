// Package config reads a binary's settings into a typed struct: each field
// names its environment variable, flag, default and meaning in struct tags,
// so the struct is both what the code reads and what the documentation is
// generated from (Describe). A flag wins over its env var, which wins over
// the default. Env vars that no field names are simply not read.
//
// Tags of a setting (a field with an env tag):
//
//	env:"ADDR"                 the environment variable (required)
//	flag:"addr"                the flag (default: env lower-cased, _ → -)
//	default:":8080"            the default
//	embedded:"127.0.0.1:8080"  the default under the profile "embedded" (any
//	                           profile name works as a tag, see Options.Profile)
//	desc:"HTTP listen address" the meaning (required)
//	required:"true"            must not be empty; "server" = only under that profile
//	                           (a comma-separated list: under any of them)
//
// A struct field without an env tag is a group: its fields are read too, so
// a binary's settings are the groups of the services it runs. Two groups may
// name the same env var (the one-process shop runs auth and the gateway,
// which both read COOKIE_SECURE): every such field gets the value, and
// their tags must agree. After reading, every group (and the whole) that has
// a Validate(profile string) error method is validated.
//
// Options.Narrow may name a narrower profile from the values read (the
// embedded shop listening beyond loopback): a field's tag named after it is
// its default there, before the profile's own tag, and required:"<it>"
// applies there. Validate still gets the profile.
//
// Supported field types: string, []string (comma-separated, blanks
// dropped), int, bool and time.Duration (non-negative).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options say how to read a settings struct.
type Options struct {
	// Name is the binary's name (flag errors and usage).
	Name string
	// Args are the command-line arguments (flags first).
	Args []string
	// Lookup reads an environment variable; nil reads none.
	Lookup func(string) (string, bool)
	// Profile is the env var whose value selects the profile defaults
	// (e.g. SHOP_MODE: a field's `embedded:"…"` tag is its default when
	// SHOP_MODE=embedded); empty: tag defaults only.
	Profile string
	// Defaults override tag defaults for this binary, by env var (the
	// one-process shop defaults SHOP_MODE to embedded, the others to server).
	Defaults map[string]string
	// Narrow, when set, names a narrower profile from the profile and the
	// values read under it (value returns a setting as given or defaulted),
	// with why it applies for error messages ("when …"); "" for none.
	Narrow func(profile string, value func(env string) string) (name, why string)
	// Output receives flag errors and usage; nil discards them.
	Output io.Writer
}

// Var describes one setting.
type Var struct {
	Env      string
	Flag     string
	Type     string // string, list, int, bool, duration
	Default  string
	Profiles map[string]string // profile → default, when it differs
	Usage    string
	Required string // "", "always" or a profile name
}

// Load fills dst, a pointer to a settings struct, and validates it. It
// returns the arguments left after the flags. A malformed or missing value
// is an error naming the setting; -h/-help returns flag.ErrHelp (after
// printing the settings to Options.Output).
func Load(dst any, o Options) ([]string, error) {
	fields, err := walk(dst)
	if err != nil {
		return nil, err
	}
	vars, byEnv, err := unique(fields)
	if err != nil {
		return nil, err
	}
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	raw := map[string]string{}
	if o.Lookup != nil {
		for _, v := range vars {
			if s, ok := o.Lookup(v.Env); ok {
				raw[v.Env] = s
			}
		}
	}
	fs := flag.NewFlagSet(o.Name, flag.ContinueOnError)
	fs.SetOutput(out)
	for _, v := range vars {
		fs.Var(&rawValue{env: v.Env, typ: byEnv[v.Env][0].Type(), raw: raw}, v.Flag, v.Usage+" (env "+v.Env+")")
	}
	fs.Usage = func() { fmt.Fprintf(out, "Usage of %s (flag or env var):\n%s", o.Name, Markdown(vars, o.Defaults)) }
	if err := fs.Parse(o.Args); err != nil {
		return nil, err
	}
	profile := ""
	if o.Profile != "" {
		profile = value(raw, byEnv, o.Profile, "", o.Defaults)
	}
	narrow, why := "", ""
	if o.Narrow != nil {
		narrow, why = o.Narrow(profile, func(env string) string { return value(raw, byEnv, env, profile, o.Defaults) })
	}
	var errs []error
	for _, v := range vars {
		s := value(raw, byEnv, v.Env, profile, o.Defaults, narrow)
		for _, f := range byEnv[v.Env] {
			if err := set(f.value, s); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", v.Env, s, err))
				break
			}
		}
		if strings.TrimSpace(s) != "" || v.Required == "" {
			continue
		}
		required := strings.Split(v.Required, ",")
		switch {
		case v.Required == "always":
			errs = append(errs, fmt.Errorf("%s is required: %s", v.Env, v.Usage))
		case profile != "" && slices.Contains(required, profile):
			errs = append(errs, fmt.Errorf("%s is required in %s mode: %s", v.Env, profile, v.Usage))
		case narrow != "" && slices.Contains(required, narrow):
			errs = append(errs, fmt.Errorf("%s is required %s: %s", v.Env, why, v.Usage))
		}
	}
	if len(errs) == 0 {
		// A group present in several services (the shop's) reports once.
		seen := map[string]bool{}
		for _, err := range validate(reflect.ValueOf(dst), profile) {
			if !seen[err.Error()] {
				seen[err.Error()] = true
				errs = append(errs, err)
			}
		}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		rest = nil
	}
	return rest, errors.Join(errs...)
}

// Describe lists the settings of a struct (a pointer or a value) once each,
// in declaration order, with defaults overridden by defaults.
func Describe(settings any, defaults map[string]string) ([]Var, error) {
	v := reflect.ValueOf(settings)
	if v.Kind() != reflect.Pointer {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p
	}
	fields, err := walk(v.Interface())
	if err != nil {
		return nil, err
	}
	vars, _, err := unique(fields)
	if err != nil {
		return nil, err
	}
	for i := range vars {
		if d, ok := defaults[vars[i].Env]; ok {
			vars[i].Default, vars[i].Profiles = d, nil
		}
	}
	return vars, nil
}

// Markdown renders settings as a table: env, flag, default, meaning.
func Markdown(vars []Var, defaults map[string]string) string {
	var b strings.Builder
	b.WriteString("| env | flag | default | meaning |\n|---|---|---|---|\n")
	for _, v := range vars {
		if d, ok := defaults[v.Env]; ok {
			v.Default, v.Profiles = d, nil
		}
		fmt.Fprintf(&b, "| `%s` | `-%s` | %s | %s |\n", v.Env, v.Flag, DefaultCell(v), cell(v.Usage))
	}
	return b.String()
}

// DefaultCell renders a default for a Markdown cell: the default, the
// profile defaults that differ, and whether the setting is required.
func DefaultCell(v Var) string {
	s := code(v.Default)
	names := make([]string, 0, len(v.Profiles))
	for p := range v.Profiles {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		s += " (" + p + ": " + code(v.Profiles[p]) + ")"
	}
	switch v.Required {
	case "":
	case "always":
		s += ", **required**"
	default:
		s += ", **required** in " + strings.Join(strings.Split(v.Required, ","), " and ") + " mode"
	}
	return s
}

func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// field is one setting field found in the struct.
type field struct {
	Var
	value reflect.Value
	tags  reflect.StructTag
	path  string
}

func (f field) Type() string { return f.Var.Type }

var durationType = reflect.TypeOf(time.Duration(0))

// walk finds every setting field of dst (a pointer to a struct), groups
// included.
func walk(dst any) ([]field, error) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: settings must be a pointer to a struct, not %T", dst)
	}
	var out []field
	var visit func(v reflect.Value, path string) error
	visit = func(v reflect.Value, path string) error {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			fv := v.Field(i)
			name := path + sf.Name
			env, ok := sf.Tag.Lookup("env")
			if !ok {
				if sf.Type.Kind() == reflect.Struct && sf.Type != durationType {
					if err := visit(fv, name+"."); err != nil {
						return err
					}
				}
				continue
			}
			typ := ""
			switch {
			case sf.Type == durationType:
				typ = "duration"
			case sf.Type.Kind() == reflect.String:
				typ = "string"
			case sf.Type.Kind() == reflect.Int:
				typ = "int"
			case sf.Type.Kind() == reflect.Bool:
				typ = "bool"
			case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.String:
				typ = "list"
			default:
				return fmt.Errorf("config: %s (%s): unsupported type %s", name, env, sf.Type)
			}
			desc := sf.Tag.Get("desc")
			if env == "" || desc == "" {
				return fmt.Errorf("config: %s needs env and desc tags", name)
			}
			fl := sf.Tag.Get("flag")
			if fl == "" {
				fl = strings.ReplaceAll(strings.ToLower(env), "_", "-")
			}
			req := sf.Tag.Get("required")
			if req == "true" {
				req = "always"
			}
			out = append(out, field{Var: Var{Env: env, Flag: fl, Type: typ, Default: sf.Tag.Get("default"), Usage: desc, Required: req},
				value: fv, tags: sf.Tag, path: name})
		}
		return nil
	}
	return out, visit(v.Elem(), "")
}

// tagsOf are the tag keys that are not profile defaults.
var tagsOf = map[string]bool{"env": true, "flag": true, "default": true, "desc": true, "required": true}

// profiles returns the profile-default tags of a field.
func profiles(tag reflect.StructTag) map[string]string {
	out := map[string]string{}
	for s := string(tag); s != ""; {
		s = strings.TrimLeft(s, " ")
		k, rest, ok := strings.Cut(s, ":")
		if !ok || rest == "" || rest[0] != '"' {
			break
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			break
		}
		s = rest[len(q):]
		if tagsOf[k] {
			continue
		}
		if v, err := strconv.Unquote(q); err == nil {
			out[k] = v
		}
	}
	return out
}

// unique merges fields naming the same env var; their tags must agree.
func unique(fields []field) ([]Var, map[string][]field, error) {
	by := map[string][]field{}
	flags := map[string]string{}
	var vars []Var
	for _, f := range fields {
		f.Profiles = profiles(f.tags)
		if len(f.Profiles) == 0 {
			f.Profiles = nil
		}
		if prev, ok := by[f.Env]; ok {
			p := prev[0]
			if p.Type() != f.Type() || p.Default != f.Default || p.Flag != f.Flag || p.Usage != f.Usage ||
				p.Required != f.Required || fmt.Sprint(p.Profiles) != fmt.Sprint(f.Profiles) {
				return nil, nil, fmt.Errorf("config: %s is declared differently by %s and %s", f.Env, p.path, f.path)
			}
			by[f.Env] = append(prev, f)
			continue
		}
		if other, ok := flags[f.Flag]; ok {
			return nil, nil, fmt.Errorf("config: flag -%s names both %s and %s", f.Flag, other, f.Env)
		}
		flags[f.Flag] = f.Env
		by[f.Env] = []field{f}
		vars = append(vars, f.Var)
	}
	return vars, by, nil
}

// value is the raw setting: given, else the binary's default, else the
// narrower profile's default (when named), else the profile's default, else
// the tag default.
func value(raw map[string]string, by map[string][]field, env, profile string, defaults map[string]string, narrow ...string) string {
	if s, ok := raw[env]; ok {
		return s
	}
	if s, ok := defaults[env]; ok {
		return s
	}
	fields := by[env]
	if len(fields) == 0 {
		return "" // a profile variable the struct does not declare
	}
	for _, n := range narrow {
		if s, ok := fields[0].Profiles[n]; ok && n != "" {
			return s
		}
	}
	if s, ok := fields[0].Profiles[profile]; ok && profile != "" {
		return s
	}
	return fields[0].Default
}

// set parses s into v by v's type.
func set(v reflect.Value, s string) error {
	if v.Type() == durationType {
		if strings.TrimSpace(s) == "" {
			v.SetInt(0)
			return nil
		}
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			return errors.New("not a non-negative duration like 500ms or 15m")
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int:
		if strings.TrimSpace(s) == "" {
			v.SetInt(0)
			return nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return errors.New("not an integer")
		}
		v.SetInt(int64(n))
	case reflect.Bool:
		if strings.TrimSpace(s) == "" {
			v.SetBool(false)
			return nil
		}
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return errors.New("not a boolean (true/false)")
		}
		v.SetBool(b)
	case reflect.Slice:
		var list []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				list = append(list, p)
			}
		}
		v.Set(reflect.ValueOf(list))
	}
	return nil
}

// rawValue is a flag that records its raw text after checking it parses.
type rawValue struct {
	env, typ string
	raw      map[string]string
}

func (r *rawValue) String() string {
	if r == nil || r.raw == nil {
		return ""
	}
	return r.raw[r.env]
}

func (r *rawValue) Set(s string) error {
	probe := map[string]reflect.Type{"string": reflect.TypeOf(""), "list": reflect.TypeOf([]string(nil)),
		"int": reflect.TypeOf(0), "bool": reflect.TypeOf(false), "duration": durationType}[r.typ]
	if err := set(reflect.New(probe).Elem(), s); err != nil {
		return err
	}
	r.raw[r.env] = s
	return nil
}

func (r *rawValue) IsBoolFlag() bool { return r.typ == "bool" }

// Validator is a settings group that checks its own combination of values.
type Validator interface {
	Validate(profile string) error
}

// validate calls Validate on every group, innermost first, then on the
// whole.
func validate(v reflect.Value, profile string) []error {
	var errs []error
	e := v.Elem()
	for i := 0; i < e.NumField(); i++ {
		sf := e.Type().Field(i)
		if !sf.IsExported() || sf.Type.Kind() != reflect.Struct || sf.Type == durationType {
			continue
		}
		if _, ok := sf.Tag.Lookup("env"); ok {
			continue
		}
		errs = append(errs, validate(e.Field(i).Addr(), profile)...)
	}
	if val, ok := v.Interface().(Validator); ok {
		if err := val.Validate(profile); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Warner is a settings group whose valid values may still be unsafe under a
// profile (plain-HTTP cookies on a server, say): what it returns is logged
// at start.
type Warner interface {
	Warnings(profile string) []string
}

// Warnings collects the warnings of every group of dst (a pointer to a
// settings struct, as loaded), innermost first, each once.
func Warnings(dst any, profile string) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		e := v.Elem()
		for i := 0; i < e.NumField(); i++ {
			sf := e.Type().Field(i)
			if !sf.IsExported() || sf.Type.Kind() != reflect.Struct || sf.Type == durationType {
				continue
			}
			if _, ok := sf.Tag.Lookup("env"); ok {
				continue
			}
			visit(e.Field(i).Addr())
		}
		if w, ok := v.Interface().(Warner); ok {
			for _, s := range w.Warnings(profile) {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	v := reflect.ValueOf(dst)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		visit(v)
	}
	return out
}
