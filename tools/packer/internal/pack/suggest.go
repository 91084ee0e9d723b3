package pack

import (
	"slices"
	"sort"
	"strings"
)

// nearest orders candidates by their edit distance to name (then by name),
// keeping those close enough to be a likely typo: at most a third of the
// longer name's length, and at least 1 (2 for names of 6 bytes or more).
// Comparisons ignore ASCII case.
func nearest(name string, candidates []string) []string {
	type scored struct {
		s string
		d int
	}
	var close []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] || c == name {
			continue
		}
		seen[c] = true
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		limit := max(len(name), len(c)) / 3
		if limit < 1 {
			limit = 1
		}
		if d <= limit {
			close = append(close, scored{c, d})
		}
	}
	sort.Slice(close, func(i, j int) bool {
		if close[i].d != close[j].d {
			return close[i].d < close[j].d
		}
		return close[i].s < close[j].s
	})
	out := make([]string, len(close))
	for i, c := range close {
		out[i] = c.s
	}
	return out
}

// byNearest returns every candidate, the nearest to name first (by edit
// distance, then by name), each once.
func byNearest(name string, candidates []string) []string {
	out := slices.Clone(candidates)
	slices.Sort(out)
	out = slices.Compact(out)
	lower := strings.ToLower(name)
	dist := map[string]int{}
	for _, c := range out {
		dist[c] = editDistance(lower, strings.ToLower(c))
	}
	sort.SliceStable(out, func(i, j int) bool { return dist[out[i]] < dist[out[j]] })
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes, with
// a transposition of two adjacent bytes counting as one edit
// (Damerau's "optimal string alignment").
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
