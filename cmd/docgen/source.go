package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Source is the module's non-test Go code, parsed with comments. It answers
// what reflection cannot: doc comments, where a type is constructed, and the
// settings a main package declares inline.
type Source struct {
	Root   string
	Module string
	Fset   *token.FileSet
	Pkgs   map[string]*Package // by import path
}

// Package is one directory's non-test files.
type Package struct {
	Dir        string // relative to the root, slash-separated
	ImportPath string
	Name       string
	Files      []*File
}

// File is one parsed file with its import table.
type File struct {
	Rel     string
	AST     *ast.File
	Imports map[string]string // local name → import path
}

// skipDir names directories that hold no Go code of the module.
func skipDir(name string) bool {
	return name != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		name == "node_modules" || name == "testdata" || name == "vendor" || name == "web" || name == "test-output")
}

// LoadSource parses every non-test .go file under root.
func LoadSource(root string) (*Source, error) {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	s := &Source{Root: root, Fset: token.NewFileSet(), Pkgs: map[string]*Package{}}
	for line := range strings.Lines(string(mod)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			s.Module = strings.TrimSpace(rest)
			break
		}
	}
	if s.Module == "" {
		return nil, fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDir(d.Name()) && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(s.Fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		dir := path.Dir(rel)
		ip := s.Module
		if dir != "." {
			ip += "/" + dir
		}
		pkg := s.Pkgs[ip]
		if pkg == nil {
			pkg = &Package{Dir: dir, ImportPath: ip, Name: f.Name.Name}
			s.Pkgs[ip] = pkg
		}
		file := &File{Rel: rel, AST: f, Imports: map[string]string{}}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			name := pathBase(path)
			if im.Name != nil {
				name = im.Name.Name
			}
			file.Imports[name] = path
		}
		pkg.Files = append(pkg.Files, file)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// pathBase guesses the package name of an import path: its last element,
// without a major-version suffix.
func pathBase(p string) string {
	b := path.Base(p)
	if len(b) > 1 && b[0] == 'v' && strings.Trim(b[1:], "0123456789") == "" {
		b = path.Base(path.Dir(p))
	}
	return strings.TrimPrefix(b, "go-")
}

// Rel turns an import path of the module into its directory.
func (s *Source) Rel(importPath string) string {
	if importPath == s.Module {
		return "."
	}
	return strings.TrimPrefix(importPath, s.Module+"/")
}

// TypeDoc returns the doc comment of a type declared in the package, on one
// line.
func (s *Source) TypeDoc(importPath, name string) string {
	pkg := s.Pkgs[importPath]
	if pkg == nil {
		return ""
	}
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				if ts.Name.Name != name {
					continue
				}
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				if doc == nil {
					return ""
				}
				return strings.Join(strings.Fields(doc.Text()), " ")
			}
		}
	}
	return ""
}

// TypeKey names a type: import path and name.
type TypeKey struct{ Path, Name string }

// Constructions maps every type to the packages whose non-test code builds a
// value of it with a composite literal (T{…} or &T{…}): that is who emits
// an event or sends a command.
func (s *Source) Constructions() map[TypeKey][]string {
	seen := map[TypeKey]map[string]bool{}
	for _, pkg := range s.Pkgs {
		for _, f := range pkg.Files {
			ast.Inspect(f.AST, func(n ast.Node) bool {
				// T{} is a zero value (registries, decoding), not an
				// emission; test-support packages (…test) fake history.
				lit, ok := n.(*ast.CompositeLit)
				if !ok || lit.Type == nil || len(lit.Elts) == 0 || strings.HasSuffix(pkg.Dir, "test") {
					return true
				}
				var key TypeKey
				switch t := lit.Type.(type) {
				case *ast.Ident:
					key = TypeKey{pkg.ImportPath, t.Name}
				case *ast.SelectorExpr:
					x, ok := t.X.(*ast.Ident)
					if !ok || f.Imports[x.Name] == "" {
						return true
					}
					key = TypeKey{f.Imports[x.Name], t.Sel.Name}
				default:
					return true
				}
				if seen[key] == nil {
					seen[key] = map[string]bool{}
				}
				seen[key][pkg.Dir] = true
				return true
			})
		}
	}
	out := map[TypeKey][]string{}
	for k, dirs := range seen {
		for d := range dirs {
			out[k] = append(out[k], d)
		}
		sort.Strings(out[k])
	}
	return out
}

// EnvRead is an environment variable read directly (os.Getenv or
// os.LookupEnv with a literal name) rather than through a config.Set.
type EnvRead struct {
	Name string
	Dirs []string
}

// osVars are set by the operating system, not by an operator.
var osVars = map[string]bool{"HOME": true, "PATH": true, "USER": true, "TMPDIR": true, "PWD": true, "SHELL": true}

// EnvReads lists the env vars read directly by non-test code.
func (s *Source) EnvReads() []EnvRead {
	seen := map[string]map[string]bool{}
	for _, pkg := range s.Pkgs {
		for _, f := range pkg.Files {
			ast.Inspect(f.AST, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || f.Imports[x.Name] != "os" {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				name, _ := strconv.Unquote(lit.Value)
				if osVars[name] {
					return true
				}
				if seen[name] == nil {
					seen[name] = map[string]bool{}
				}
				seen[name][pkg.Dir] = true
				return true
			})
		}
	}
	var out []EnvRead
	for name, dirs := range seen {
		r := EnvRead{Name: name}
		for d := range dirs {
			r.Dirs = append(r.Dirs, d)
		}
		sort.Strings(r.Dirs)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PackageDoc returns the first sentence of a package's doc comment.
func (s *Source) PackageDoc(importPath string) string {
	pkg := s.Pkgs[importPath]
	if pkg == nil {
		return ""
	}
	for _, f := range pkg.Files {
		if f.AST.Doc == nil {
			continue
		}
		text := strings.Join(strings.Fields(f.AST.Doc.Text()), " ")
		if i := strings.Index(text, ". "); i >= 0 {
			text = text[:i+1]
		}
		return text
	}
	return ""
}

// WireNames lists every string literal shaped like a wire name
// (<context>.<Name>.v<N>) in non-test code outside test-support packages,
// with where it appears: each must be a documented event or command.
func (s *Source) WireNames() map[string][]string {
	out := map[string][]string{}
	for _, pkg := range s.Pkgs {
		if strings.HasSuffix(pkg.Dir, "test") {
			continue
		}
		for _, f := range pkg.Files {
			ast.Inspect(f.AST, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				v, err := strconv.Unquote(lit.Value)
				if err == nil && wirePattern.MatchString(v) {
					out[v] = append(out[v], s.Fset.Position(lit.Pos()).String())
				}
				return true
			})
		}
	}
	return out
}
