package main

import (
	"fmt"
	"strings"
)

// Diff shows how want differs from have as unified-style lines ("-" only
// in have, "+" only in want), at most limit of them. It is a plain
// longest-common-subsequence diff: the generated files are small.
func Diff(have, want string, limit int) string {
	a, b := strings.Split(have, "\n"), strings.Split(want, "\n")
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	shown, total := 0, 0
	emit := func(s string) {
		total++
		if shown < limit {
			out = append(out, s)
			shown++
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			emit(fmt.Sprintf("%5d + %s", j+1, b[j]))
			j++
		default:
			emit(fmt.Sprintf("%5d - %s", i+1, a[i]))
			i++
		}
	}
	if total > shown {
		out = append(out, fmt.Sprintf("… %d more changed lines", total-shown))
	}
	return strings.Join(out, "\n")
}
