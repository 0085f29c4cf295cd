package main

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/wiring"
)

// Binary is one cmd/<name> and its settings.
type Binary struct {
	Name   string
	Doc    string
	Wiring bool   // built on wiring.Main: shares wiring.Declare's settings
	Mode   string // default SHOP_MODE (wiring binaries)
	// Sets are the binary's settings: the main one first (named like the
	// binary), then those of subcommands (e.g. "notifier preview").
	Sets []NamedSet
}

// NamedSet is a config.Set with the name config.New was given.
type NamedSet struct {
	Name string
	Set  *config.Set
}

// declarers are the wiring functions a main may call to declare a service's
// own settings. A main calling another wiring.Declare* makes docgen fail
// until it is listed here, so no setting goes undocumented.
var declarers = map[string]func(*config.Set){
	"DeclareAuth":     func(c *config.Set) { wiring.DeclareAuth(c) },
	"DeclareNotifier": func(c *config.Set) { wiring.DeclareNotifier(c) },
}

var modes = map[string]string{"ModeServer": wiring.ModeServer, "ModeEmbedded": wiring.ModeEmbedded}

// decl is one cfg.String/Int/Bool/Duration call found in a main package.
type decl struct {
	set                    string // name given to config.New, "" = the binary's main set
	kind                   string
	flag, env, usage, what string
	def                    ast.Expr
	pos                    token.Pos
}

// Binaries reads every cmd/<name>: a main built on wiring.Main gets its
// settings from wiring.Config (the same function the binary uses), plus
// what its main declares inline; a main with its own config sets (shopctl,
// subcommands such as "notifier preview") gets them from its source.
func Binaries(src *Source) ([]Binary, error) {
	var out []Binary
	for ip, pkg := range src.Pkgs {
		if pkg.Name != "main" || !strings.HasPrefix(pkg.Dir, "cmd/") || strings.Count(pkg.Dir, "/") != 1 || pkg.Dir == "cmd/docgen" {
			continue
		}
		b, err := binary(src, ip, pkg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pkg.Dir, err)
		}
		if b != nil {
			out = append(out, *b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func binary(src *Source, ip string, pkg *Package) (*Binary, error) {
	b := &Binary{Name: strings.TrimPrefix(pkg.Dir, "cmd/"), Doc: src.PackageDoc(ip)}
	var decls []decl
	var calls []string
	var mainName string
	for _, f := range pkg.Files {
		var stack []ast.Node // enclosing function bodies
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Body != nil {
					stack = append(stack, n.Body)
					ast.Inspect(n.Body, visit)
					stack = stack[:len(stack)-1]
				}
				return false
			case *ast.FuncLit:
				stack = append(stack, n.Body)
				ast.Inspect(n.Body, visit)
				stack = stack[:len(stack)-1]
				return false
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				x, _ := sel.X.(*ast.Ident)
				if x != nil && f.Imports[x.Name] == src.Module+"/wiring" {
					switch {
					case sel.Sel.Name == "Main" && len(n.Args) == 4:
						name, err := stringLit(n.Args[0])
						if err != nil {
							return true
						}
						mode, ok := n.Args[1].(*ast.SelectorExpr)
						if !ok || modes[mode.Sel.Name] == "" {
							return true
						}
						mainName, b.Mode, b.Wiring = name, modes[mode.Sel.Name], true
					case strings.HasPrefix(sel.Sel.Name, "Declare"):
						calls = append(calls, sel.Sel.Name)
					}
					return true
				}
				if d, ok := configDecl(n, sel); ok && x != nil {
					d.set = setName(stack, x.Name, f)
					decls = append(decls, d)
				}
			}
			return true
		}
		ast.Inspect(f.AST, visit)
	}
	if b.Wiring && mainName != b.Name {
		return nil, fmt.Errorf("wiring.Main names the binary %q, its directory says %q", mainName, b.Name)
	}
	extra := func(main *config.Set) error {
		for _, c := range calls {
			fn := declarers[c]
			if fn == nil {
				return fmt.Errorf("main calls wiring.%s: add it to docgen's declarers so its settings are documented", c)
			}
			fn(main)
		}
		return nil
	}
	sets := map[string]*config.Set{}
	var order []string
	get := func(name string) *config.Set {
		if name == "" {
			name = b.Name
		}
		if sets[name] == nil {
			sets[name] = config.New(name)
			order = append(order, name)
		}
		return sets[name]
	}
	if b.Wiring {
		var err error
		sets[b.Name] = wiring.Config(b.Name, b.Mode, func(c *config.Set) { err = extra(c) })
		order = append(order, b.Name)
		if err != nil {
			return nil, err
		}
	} else if len(calls) > 0 {
		if err := extra(get("")); err != nil {
			return nil, err
		}
	}
	for _, d := range decls {
		if err := d.add(src, pkg, get(d.set)); err != nil {
			return nil, err
		}
	}
	if len(order) == 0 {
		return nil, nil // a main without settings
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i] == b.Name && order[j] != b.Name })
	for _, name := range order {
		b.Sets = append(b.Sets, NamedSet{Name: name, Set: sets[name]})
	}
	return b, nil
}

// configDecl recognises X.String/Int/Bool/Duration(flag, env, default, usage)
// with literal flag, env and usage: the shape of config.Set's declarations
// (flag.FlagSet's take three arguments).
func configDecl(call *ast.CallExpr, sel *ast.SelectorExpr) (decl, bool) {
	switch sel.Sel.Name {
	case "String", "Int", "Bool", "Duration":
	default:
		return decl{}, false
	}
	if len(call.Args) != 4 {
		return decl{}, false
	}
	flagName, err1 := stringLit(call.Args[0])
	env, err2 := stringLit(call.Args[1])
	usage, err3 := stringLit(call.Args[3])
	if err1 != nil || err2 != nil || err3 != nil {
		return decl{}, false
	}
	return decl{kind: sel.Sel.Name, flag: flagName, env: env, usage: usage, def: call.Args[2], pos: call.Pos()}, true
}

// setName finds which config.New(name) the receiver x was assigned from in
// the enclosing functions; "" means the binary's main set (x is a parameter,
// as in an extra func or a declare(c *config.Set) helper).
func setName(stack []ast.Node, x string, f *File) string {
	for i := len(stack) - 1; i >= 0; i-- {
		var name string
		ast.Inspect(stack[i], func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
				return true
			}
			if id, ok := as.Lhs[0].(*ast.Ident); !ok || id.Name != x {
				return true
			}
			if n := configNew(as.Rhs[0], f); n != "" {
				name = n
			}
			return true
		})
		if name != "" {
			return name
		}
	}
	return ""
}

// configNew returns the name in config.New("name") (possibly followed by
// method calls such as .WithEnv(…)).
func configNew(e ast.Expr, f *File) string {
	for {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return ""
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return ""
		}
		if x, ok := sel.X.(*ast.Ident); ok && sel.Sel.Name == "New" && strings.HasSuffix(f.Imports[x.Name], "/platform/config") && len(call.Args) == 1 {
			s, _ := stringLit(call.Args[0])
			return s
		}
		e = sel.X
	}
}

func stringLit(e ast.Expr) (string, error) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", fmt.Errorf("not a string literal")
	}
	return strconv.Unquote(lit.Value)
}

// add declares d on set with its default evaluated from the source.
func (d decl) add(src *Source, pkg *Package, set *config.Set) error {
	v, err := eval(src, pkg, d.def)
	if err != nil {
		return fmt.Errorf("%s: default of %s: %w", src.Fset.Position(d.pos), d.env, err)
	}
	switch d.kind {
	case "String":
		if v.Kind() != constant.String {
			return fmt.Errorf("%s: default of %s is not a string", src.Fset.Position(d.pos), d.env)
		}
		set.String(d.flag, d.env, constant.StringVal(v), d.usage)
	case "Bool":
		if v.Kind() != constant.Bool {
			return fmt.Errorf("%s: default of %s is not a bool", src.Fset.Position(d.pos), d.env)
		}
		set.Bool(d.flag, d.env, constant.BoolVal(v), d.usage)
	case "Int", "Duration":
		n, ok := constant.Int64Val(constant.ToInt(v))
		if !ok {
			return fmt.Errorf("%s: default of %s is not an integer", src.Fset.Position(d.pos), d.env)
		}
		if d.kind == "Int" {
			set.Int(d.flag, d.env, int(n), d.usage)
		} else {
			set.Duration(d.flag, d.env, time.Duration(n), d.usage)
		}
	}
	return nil
}

var timeUnits = map[string]time.Duration{"Nanosecond": time.Nanosecond, "Microsecond": time.Microsecond,
	"Millisecond": time.Millisecond, "Second": time.Second, "Minute": time.Minute, "Hour": time.Hour}

// eval computes a constant default: literals, true/false, time units,
// package-level constants of the same package, and arithmetic on them.
func eval(src *Source, pkg *Package, e ast.Expr) (constant.Value, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		v := constant.MakeFromLiteral(e.Value, e.Kind, 0)
		if v.Kind() == constant.Unknown {
			return nil, fmt.Errorf("bad literal %s", e.Value)
		}
		return v, nil
	case *ast.ParenExpr:
		return eval(src, pkg, e.X)
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && x.Name == "time" {
			if d, ok := timeUnits[e.Sel.Name]; ok {
				return constant.MakeInt64(int64(d)), nil
			}
		}
		return nil, fmt.Errorf("unsupported selector %s", render(e))
	case *ast.Ident:
		switch e.Name {
		case "true", "false":
			return constant.MakeBool(e.Name == "true"), nil
		}
		if v := pkgConst(pkg, e.Name); v != nil {
			return eval(src, pkg, v)
		}
		return nil, fmt.Errorf("unknown identifier %s", e.Name)
	case *ast.BinaryExpr:
		x, err := eval(src, pkg, e.X)
		if err != nil {
			return nil, err
		}
		y, err := eval(src, pkg, e.Y)
		if err != nil {
			return nil, err
		}
		if e.Op == token.QUO && x.Kind() == constant.Int && y.Kind() == constant.Int {
			return constant.BinaryOp(x, token.QUO_ASSIGN, y), nil // integer division
		}
		return constant.BinaryOp(x, e.Op, y), nil
	case *ast.CallExpr:
		// A conversion such as time.Duration(5) or int(3).
		if len(e.Args) == 1 {
			return eval(src, pkg, e.Args[0])
		}
	}
	return nil, fmt.Errorf("cannot evaluate %s", render(e))
}

// pkgConst returns the expression of a package-level const or var.
func pkgConst(pkg *Package, name string) ast.Expr {
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || (gd.Tok != token.CONST && gd.Tok != token.VAR) {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if n.Name == name && i < len(vs.Values) {
						return vs.Values[i]
					}
				}
			}
		}
	}
	return nil
}

func render(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return render(e.X) + "." + e.Sel.Name
	}
	return fmt.Sprintf("%T", e)
}

// ConfigurationMarkdown renders docs/configuration.md.
func ConfigurationMarkdown(bins []Binary, src *Source) string {
	var b strings.Builder
	b.WriteString(generatedHeader("Configuration reference"))
	b.WriteString(`Every setting is an environment variable with an equivalent flag; a flag wins over its env var, which wins over
the default. A malformed value stops the binary with a message naming the setting (exit status 2). Secrets
(` + "`AUTH_JWT_KEYS`, `MAIL_LINK_KEY`, `CSRF_KEY`, `STRIPE_*`, `PAYPAL_SECRET`" + `…) come from the environment, never from a
committed file: see ` + "`deploy/`" + ` for the Secret templates.

`)
	var wiringBins, others []Binary
	for _, bin := range bins {
		if bin.Wiring {
			wiringBins = append(wiringBins, bin)
		} else {
			others = append(others, bin)
		}
	}
	b.WriteString("## Binaries\n\n| binary | default `SHOP_MODE` | settings | what it runs |\n|---|---|---|---|\n")
	for _, bin := range bins {
		mode, where := "—", "[own settings](#"+anchor(bin.Name)+")"
		if bin.Wiring {
			mode = "`" + bin.Mode + "`"
			where = "[shared](#shared-settings)"
			if len(extraVars(bin)) > 0 {
				where += " + [own](#" + anchor(bin.Name) + ")"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", bin.Name, mode, where, cell(bin.Doc))
	}

	var names []string
	for _, bin := range wiringBins {
		names = append(names, "`"+bin.Name+"`")
	}
	b.WriteString("\n## Shared settings\n\n")
	fmt.Fprintf(&b, "Declared once in `wiring/settings.go` and accepted by every binary built on `wiring.Main` (%s); each\nbinary reads the ones its services need. `SHOP_MODE` defaults to `embedded` for `shop` and to `server` for the others.\n\n",
		strings.Join(names, ", "))
	if len(wiringBins) > 0 {
		shared := shared(wiringBins)
		b.WriteString(table(shared, map[string]string{"SHOP_MODE": "`embedded` (shop), `server` (others)"}))
	}
	for _, bin := range wiringBins {
		if vars := extraVars(bin); len(vars) > 0 {
			fmt.Fprintf(&b, "\n## %s\n\nIn addition to the shared settings:\n\n%s", bin.Name, table(vars, nil))
		}
		for _, ns := range bin.Sets[1:] {
			fmt.Fprintf(&b, "\n## %s\n\nSettings of the `%s` subcommand:\n\n%s", ns.Name, strings.TrimPrefix(ns.Name, bin.Name+" "), table(ns.Set.Vars(), nil))
		}
	}
	for _, bin := range others {
		for _, ns := range bin.Sets {
			fmt.Fprintf(&b, "\n## %s\n\n", ns.Name)
			if ns.Name == bin.Name && bin.Doc != "" {
				fmt.Fprintf(&b, "%s It has its own settings (not the shared ones):\n\n", bin.Doc)
			} else if ns.Name != bin.Name {
				fmt.Fprintf(&b, "Settings of the `%s` subcommand:\n\n", strings.TrimPrefix(ns.Name, bin.Name+" "))
			}
			b.WriteString(table(ns.Set.Vars(), nil))
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
	return b.String()
}

// shared returns the settings every wiring binary has.
func shared(bins []Binary) []config.Var {
	count := map[string]int{}
	for _, bin := range bins {
		for _, v := range bin.Sets[0].Set.Vars() {
			count[v.Env]++
		}
	}
	var out []config.Var
	for _, v := range bins[0].Sets[0].Set.Vars() {
		if count[v.Env] == len(bins) {
			out = append(out, v)
		}
	}
	return out
}

// extraVars are the settings a wiring binary declares beyond the shared ones.
func extraVars(bin Binary) []config.Var {
	base := map[string]bool{}
	for _, v := range wiring.Config("x", bin.Mode, nil).Vars() {
		base[v.Env] = true
	}
	var out []config.Var
	for _, v := range bin.Sets[0].Set.Vars() { // the binary's own set; subcommands have theirs
		if !base[v.Env] {
			out = append(out, v)
		}
	}
	return out
}

func table(vars []config.Var, defaults map[string]string) string {
	var b strings.Builder
	b.WriteString("| env | flag | default | meaning |\n|---|---|---|---|\n")
	for _, v := range vars {
		def := code(v.Default)
		if d, ok := defaults[v.Env]; ok {
			def = d
		}
		fmt.Fprintf(&b, "| `%s` | `-%s` | %s | %s |\n", v.Env, v.Flag, def, cell(v.Usage))
	}
	return b.String()
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
			for _, v := range ns.Set.Vars() {
				r := rows[v.Env]
				if r == nil {
					r = &row{v: v, other: map[string][]string{}}
					rows[v.Env] = r
				}
				if !contains(r.bins, ns.Name) {
					r.bins = append(r.bins, ns.Name)
				}
				if v.Default != r.v.Default && !contains(r.other[v.Default], ns.Name) {
					r.other[v.Default] = append(r.other[v.Default], ns.Name)
				}
			}
		}
	}
	envs := make([]string, 0, len(rows))
	for e := range rows {
		envs = append(envs, e)
	}
	sort.Strings(envs)
	var others []string
	for _, bin := range bins {
		if !bin.Wiring {
			others = append(others, "`"+bin.Name+"`")
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Generated by `make docs` from the code; per-binary tables with flags are in\n[docs/configuration.md](docs/configuration.md). *all services* = every binary but %s.\n\n",
		strings.Join(others, ", "))
	b.WriteString("| env | default | binaries | meaning |\n|---|---|---|---|\n")
	for _, e := range envs {
		r := rows[e]
		def := code(r.v.Default)
		var alts []string
		for d, bs := range r.other {
			alts = append(alts, strings.Join(bs, ", ")+": "+code(d))
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

func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
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
