// Command docgen generates the reference documentation from the code, so it
// cannot drift: the event catalogue (docs/events.md) from the event and
// command types and the handlers the wiring registers (and from the same
// handlers, the event types cmd/relay publishes: wiring/consumed_gen.go), the configuration
// reference (docs/configuration.md and the README table) from every binary's
// settings structs (by reflection), and the API path list in docs/api.md from the OpenAPI document.
//
//	go run ./cmd/docgen          write the generated files
//	go run ./cmd/docgen -check   exit 1, with a diff, when a file is stale
//
// It runs from the module root (or -root).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("docgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "do not write; exit 1 and show a diff when a generated file is stale")
	root := fs.String("root", ".", "module root")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "docgen: unexpected arguments %q\n", fs.Args())
		return 2
	}
	files, err := Generate(ctx, *root)
	if err != nil {
		fmt.Fprintln(stderr, "docgen:", err)
		return 1
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	stale := 0
	for _, p := range paths {
		full := filepath.Join(*root, p)
		old, err := os.ReadFile(full)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(stderr, "docgen:", err)
			return 1
		}
		if string(old) == files[p] {
			continue
		}
		if *check {
			stale++
			fmt.Fprintf(stderr, "docgen: %s is stale (run `go run ./cmd/docgen` or `make docs`):\n%s\n", p, Diff(string(old), files[p], 40))
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fmt.Fprintln(stderr, "docgen:", err)
			return 1
		}
		if err := os.WriteFile(full, []byte(files[p]), 0o644); err != nil {
			fmt.Fprintln(stderr, "docgen:", err)
			return 1
		}
		fmt.Fprintln(stdout, "wrote", p)
	}
	if stale > 0 {
		fmt.Fprintf(stderr, "docgen: %d generated file(s) stale\n", stale)
		return 1
	}
	return 0
}

// Generate returns every generated file by path relative to root. Files that
// are only partly generated (README.md, docs/api.md) are returned whole, with
// the generated part spliced between their markers.
func Generate(ctx context.Context, root string) (map[string]string, error) {
	src, err := LoadSource(root)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}

	bins, err := Binaries(src)
	if err != nil {
		return nil, err
	}
	conf, err := ConfigurationMarkdown(bins, src)
	if err != nil {
		return nil, err
	}
	out["docs/configuration.md"] = conf
	readme, err := splice(root, "README.md", "<!-- config:begin -->", "<!-- config:end -->", ReadmeConfigTable(bins))
	if err != nil {
		return nil, err
	}
	out["README.md"] = readme

	cat, err := BuildCatalogue(ctx, src)
	if err != nil {
		return nil, err
	}
	out["docs/events.md"] = cat.Markdown()
	if out["wiring/consumed_gen.go"], err = cat.ConsumedGo(); err != nil {
		return nil, err
	}

	paths, err := OpenAPIPaths(filepath.Join(root, "api", "gateway", "openapi.json"))
	if err != nil {
		return nil, err
	}
	api, err := splice(root, "docs/api.md", "<!-- openapi:begin -->", "<!-- openapi:end -->", paths)
	if err != nil {
		return nil, err
	}
	out["docs/api.md"] = api
	return out, nil
}

// splice replaces what lies between the begin and end markers of a file with
// body. A file without the markers gets them appended with body between.
func splice(root, rel, begin, end, body string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return "", err
	}
	s := string(raw)
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	block := begin + "\n" + body + end
	if i < 0 && j < 0 {
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		return s + "\n" + block + "\n", nil
	}
	if i < 0 || j < i {
		return "", fmt.Errorf("%s: markers %s … %s are out of order or one is missing", rel, begin, end)
	}
	return s[:i] + block + s[j+len(end):], nil
}
