// Package scripts holds only this test: the shell scripts beside it run
// under `set -o pipefail`, where a pipe into a reader that stops early
// (`grep -q`, `head`) fails whenever the writer dies of SIGPIPE — the
// once-in-a-while failure of ferretdb.sh's version check on a fresh machine.
package scripts

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// earlyExit matches a pipe into a command that may exit before reading all
// of its input.
var earlyExit = regexp.MustCompile(`\|\s*(grep\s+(-[A-Za-z]*[qlm][A-Za-z]*\b)|head\b|sed\s+(-n\s+)?['"]?[0-9]*q)`)

func TestNoEarlyExitPipesUnderPipefail(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.sh")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "pipefail") {
			continue
		}
		for i, line := range strings.Split(string(raw), "\n") {
			code, _, _ := strings.Cut(line, " #")
			if strings.HasPrefix(strings.TrimSpace(code), "#") {
				continue
			}
			// Reading a file, not a pipe, is fine: only "| reader" is checked.
			if m := earlyExit.FindString(code); m != "" {
				t.Errorf("%s:%d: %q pipes into %q, which can exit early: under pipefail the writer's SIGPIPE fails the pipeline; capture the output and match it instead", f, i+1, strings.TrimSpace(code), m)
			}
		}
	}
}

func TestEarlyExitPatternCatchesTheFerretDBBug(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]bool{
		`"$BIN" --version 2>/dev/null | grep -q "$VERSION"`:       true,
		`go version -m x | grep -Eq "^mod"`:                       true,
		`find web/src -newer x | head -1`:                         true,
		`go test ./... 2>&1 | tee log`:                            false,
		`out="$("$BIN" --version)"; [[ "$out" == *"$VERSION"* ]]`: false,
		`grep -q "version" package.json`:                          false,
	} {
		if got := earlyExit.MatchString(line); got != want {
			t.Errorf("%q: match %v, want %v", line, got, want)
		}
	}
}
