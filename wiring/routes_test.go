package wiring

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
)

// TestStreamTypesListEveryWireNameOfTheirContext guards the projectors'
// bindings: a new event type declared in a context but missing from its
// EventTypes would never reach that context's read model.
func TestStreamTypesListEveryWireNameOfTheirContext(t *testing.T) {
	t.Parallel()
	cases := []struct {
		prefix, dir, context string
	}{
		{"order-", "ordering", "ordering"},
		{"payment-", "payment", "payment"},
		{"basket-", "basket", "basket"},
		{"user-", "identity", "identity"},
		{"returns-", "returns", "returns"},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			t.Parallel()
			declared := wireNames(t, filepath.Join("..", "domain", c.dir), c.context)
			if len(declared) == 0 {
				t.Fatalf("no %s.* wire names found in domain/%s", c.context, c.dir)
			}
			listed := slices.Sorted(slices.Values(streamTypes[c.prefix]()))
			if !slices.Equal(declared, listed) {
				t.Fatalf("domain/%s declares %v, EventTypes lists %v", c.dir, declared, listed)
			}
		})
	}
}

// wireNames collects the string constants of a package that look like wire
// names of the context ("ordering.OrderPlaced.v1").
func wireNames(t *testing.T, dir, context string) []string {
	t.Helper()
	pattern := regexp.MustCompile(`^` + regexp.QuoteMeta(context) + `\.[A-Z][A-Za-z]+\.v[0-9]+$`)
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			gd, ok := n.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				return true
			}
			for _, spec := range gd.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil && pattern.MatchString(s) && !slices.Contains(out, s) {
							out = append(out, s)
						}
					}
				}
			}
			return false
		})
	}
	slices.Sort(out)
	return out
}

func TestProjectorTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		filter eventstore.Filter
		want   []string
	}{
		{"own types win", eventstore.Filter{StreamPrefixes: []string{"order-"}, EventTypes: []string{"x.Y.v1"}}, []string{"x.Y.v1"}},
		{"one context", eventstore.Filter{StreamPrefixes: []string{"order-"}}, ordering.EventTypes()},
		{"two contexts", eventstore.Filter{StreamPrefixes: []string{"order-", "basket-"}}, append(ordering.EventTypes(), basket.EventTypes()...)},
		{"unknown stream prefix: every type", eventstore.Filter{StreamPrefixes: []string{"order-", "stock-"}}, nil},
		{"no filter: every type", eventstore.Filter{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := projectorTypes(c.filter); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}
