package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/evshop/shop/cmd/loadgen/load"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/wiring/settings"
)

// Binary is one cmd/<name> and its settings, read by reflection from the
// settings structs the binary itself loads.
type Binary struct {
	Name   string
	Doc    string
	Wiring bool   // built on wiring.Main: Common plus its services' groups
	Mode   string // default SHOP_MODE (wiring binaries)
	// Sets are the binary's settings: the main one first (named like the
	// binary), then those of subcommands (e.g. "notifier preview").
	Sets []NamedSet
}

// NamedSet is the settings of a binary or one of its subcommands.
type NamedSet struct {
	Name string
	Vars []config.Var
}

// tools are the binaries with settings that are not built on wiring.Main,
// and the subcommands with settings of their own.
var tools = []struct {
	binary, set string
	settings    any
}{
	{"shopctl", "shopctl", &settings.ShopctlSettings{}},
	{"loadgen", "loadgen", &load.Settings{}},
	{"notifier", "notifier preview", &settings.PreviewSettings{}},
}

// noSettings are the binaries that read plain flags only.
var noSettings = map[string]bool{"docgen": true, "benchtable": true}

// Binaries describes every cmd/<name>; one docgen does not know fails the
// generation, so no binary's settings go undocumented.
func Binaries(src *Source) ([]Binary, error) {
	byName := map[string]*Binary{}
	for _, wb := range settings.Binaries() {
		vars, err := wb.Vars()
		if err != nil {
			return nil, fmt.Errorf("cmd/%s: %w", wb.Name, err)
		}
		byName[wb.Name] = &Binary{Name: wb.Name, Wiring: true, Mode: wb.Mode, Sets: []NamedSet{{wb.Name, vars}}}
	}
	for _, t := range tools {
		vars, err := config.Describe(t.settings, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.set, err)
		}
		b := byName[t.binary]
		if b == nil {
			b = &Binary{Name: t.binary}
			byName[t.binary] = b
		}
		b.Sets = append(b.Sets, NamedSet{t.set, vars})
	}
	seen := map[string]bool{}
	for ip, pkg := range src.Pkgs {
		if pkg.Name != "main" || !strings.HasPrefix(pkg.Dir, "cmd/") || strings.Count(pkg.Dir, "/") != 1 {
			continue
		}
		name := strings.TrimPrefix(pkg.Dir, "cmd/")
		seen[name] = true
		if noSettings[name] {
			continue
		}
		b := byName[name]
		if b == nil {
			return nil, fmt.Errorf("cmd/%s: docgen does not know its settings: list it in wiring.Binaries or docgen's tools", name)
		}
		b.Doc = src.PackageDoc(ip)
	}
	var out []Binary
	for name, b := range byName {
		if seen[name] { // a source tree without it (tests) documents what it has
			out = append(out, *b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// commonEnvs are the settings of settings.Common, shown once.
func commonEnvs() (map[string]bool, []config.Var, error) {
	vars, err := config.Describe(&settings.Common{}, nil)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]bool{}
	for _, v := range vars {
		out[v.Env] = true
	}
	return out, vars, nil
}

// ConfigurationMarkdown renders docs/configuration.md: the settings every
// service binary shares, then one table per binary of its own.
func ConfigurationMarkdown(bins []Binary, src *Source) (string, error) {
	common, commonVars, err := commonEnvs()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(generatedHeader("Configuration reference"))
	b.WriteString(`Every setting is an environment variable with an equivalent flag; a flag wins over its env var, which wins over
the default. A default marked (embedded: …) applies when ` + "`SHOP_MODE=embedded`" + `; one marked (exposed: …) applies, before
the embedded one, when an embedded binary listens beyond loopback (` + "`ADDR`" + ` not 127.0.0.1, ::1 or localhost), where the
server mode's safe defaults come back: Secure cookies, and no payment gateway unless named. Each binary reads exactly the
settings of the services it runs (the struct of its settings in ` + "`wiring/settings/binaries.go`" + `) and validates only those; any
other env var is not read. A malformed or missing value stops the binary with a message naming the setting (exit
status 2). Secrets (` + "`AUTH_JWT_KEYS`, `MAIL_LINK_KEY`, `CSRF_KEY`, `STRIPE_*`, `PAYPAL_SECRET`" + `…) come from the
environment, never from a committed file: see ` + "`deploy/`" + ` for the Secret templates.

`)
	b.WriteString("## Binaries\n\n| binary | default `SHOP_MODE` | settings | what it runs |\n|---|---|---|---|\n")
	for _, bin := range bins {
		mode, where := "—", "[own](#"+anchor(bin.Name)+")"
		if bin.Wiring {
			mode = "`" + bin.Mode + "`"
			where = "[common](#common-settings) + [own](#" + anchor(bin.Name) + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", bin.Name, mode, where, cell(bin.Doc))
	}
	b.WriteString("\n## Common settings\n\nRead by every binary built on `wiring.Main` (`settings.Common`): the mode, the listeners, the logs and the servers.\n" +
		"`SHOP_MODE` defaults to `embedded` for `shop` and to `server` for the others.\n\n")
	b.WriteString(config.Markdown(commonVars, map[string]string{"SHOP_MODE": "server"}))
	for _, bin := range bins {
		for i, ns := range bin.Sets {
			vars := ns.Vars
			fmt.Fprintf(&b, "\n## %s\n\n", ns.Name)
			switch {
			case bin.Wiring && i == 0:
				var own []config.Var
				for _, v := range vars {
					if !common[v.Env] {
						own = append(own, v)
					}
				}
				vars = own
				b.WriteString("In addition to the common settings:\n\n")
			case i > 0 || bin.Wiring:
				fmt.Fprintf(&b, "Settings of the `%s` subcommand:\n\n", strings.TrimPrefix(ns.Name, bin.Name+" "))
			default:
				fmt.Fprintf(&b, "%s It has its own settings (not the common ones):\n\n", bin.Doc)
			}
			if len(vars) == 0 {
				b.WriteString("None.\n")
				continue
			}
			b.WriteString(config.Markdown(vars, nil))
		}
	}
	if reads := src.EnvReads(); len(reads) > 0 {
		b.WriteString("\n## Read directly from the environment\n\nThese are read with `os.Getenv`/`os.LookupEnv` outside the tables above (tests excluded):\n\n| env | read in |\n|---|---|\n")
		for _, r := range reads {
			var dirs []string
			for _, d := range r.Dirs {
				dirs = append(dirs, "`"+d+"`")
			}
			fmt.Fprintf(&b, "| `%s` | %s |\n", r.Name, strings.Join(dirs, ", "))
		}
	}
	return b.String(), nil
}

// ReadmeConfigTable is the README's one table: every env var of every
// binary, with the binaries that read it.
func ReadmeConfigTable(bins []Binary) string {
	type row struct {
		v     config.Var
		bins  []string
		other map[string][]string // default → binaries with a different default
	}
	rows := map[string]*row{}
	var wiringBins []string
	for _, bin := range bins {
		if bin.Wiring {
			wiringBins = append(wiringBins, bin.Name)
		}
	}
	for _, bin := range bins {
		for _, ns := range bin.Sets {
			for _, v := range ns.Vars {
				def := config.DefaultCell(v)
				r := rows[v.Env]
				if r == nil {
					r = &row{v: v, other: map[string][]string{}}
					rows[v.Env] = r
				}
				if !contains(r.bins, ns.Name) {
					r.bins = append(r.bins, ns.Name)
				}
				if def != config.DefaultCell(r.v) && !contains(r.other[def], ns.Name) {
					r.other[def] = append(r.other[def], ns.Name)
				}
			}
		}
	}
	envs := make([]string, 0, len(rows))
	for e := range rows {
		envs = append(envs, e)
	}
	sort.Strings(envs)
	var b strings.Builder
	b.WriteString("Generated by `make docs` from the settings structs; per-binary tables with flags are in\n[docs/configuration.md](docs/configuration.md). *all services* = every binary built on `wiring.Main`.\n(exposed: …) is an embedded shop listening beyond loopback.\n\n")
	b.WriteString("| env | default | binaries | meaning |\n|---|---|---|---|\n")
	for _, e := range envs {
		r := rows[e]
		def := config.DefaultCell(r.v)
		var alts []string
		for d, bs := range r.other {
			alts = append(alts, strings.Join(bs, ", ")+": "+d)
		}
		sort.Strings(alts)
		if len(alts) > 0 {
			def += " (" + strings.Join(alts, "; ") + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", e, def, binList(r.bins, wiringBins), cell(r.v.Usage))
	}
	return b.String()
}

// binList shortens the full list of wiring binaries to "all services".
func binList(have, wiringBins []string) string {
	all := len(wiringBins) > 0
	for _, w := range wiringBins {
		all = all && contains(have, w)
	}
	var out []string
	if all {
		out = append(out, "*all services*")
	}
	for _, h := range have {
		if !(all && contains(wiringBins, h)) {
			out = append(out, h)
		}
	}
	if !all && len(out) > 0 {
		sort.Strings(out)
	}
	return strings.Join(out, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

func anchor(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), " ", "-")
}

func generatedHeader(title string) string {
	return "# " + title + "\n\n<!-- Generated by `go run ./cmd/docgen` (make docs) from the code. Do not edit: `go run ./cmd/docgen -check` fails when it is stale. -->\n\n"
}
