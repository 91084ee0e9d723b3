package tags

import "strings"

// Ranking answers how much an interpreter prefers a tag: the position of the
// tag in its Supported list, 0 being the best. Choosing among several wheels
// of one project, the one whose Best rank is lowest wins.
// The zero Ranking supports no tag.
type Ranking struct {
	rank map[Tag]int
}

// NewRanking indexes a list of supported tags, most preferred first (as
// Supported returns). A tag listed twice keeps its first position.
func NewRanking(supported []Tag) Ranking {
	r := Ranking{rank: make(map[Tag]int, len(supported))}
	for i, t := range supported {
		if _, dup := r.rank[t]; !dup {
			r.rank[t] = i
		}
	}
	return r
}

// Len returns the number of distinct supported tags.
func (r Ranking) Len() int { return len(r.rank) }

// Rank returns the position of t among the supported tags and whether it is
// supported at all. Tags compare case-insensitively.
func (r Ranking) Rank(t Tag) (int, bool) {
	i, ok := r.rank[t]
	if !ok {
		// strings.ToLower returns its argument when already lowercase, so
		// this costs nothing for tags from ParseSet or Supported.
		lower := Tag{strings.ToLower(t.Interpreter), strings.ToLower(t.ABI), strings.ToLower(t.Platform)}
		if lower != t {
			i, ok = r.rank[lower]
		}
	}
	return i, ok
}

// Best returns the best (lowest) rank among tags, typically the expanded
// tag set of one wheel, and whether any of them is supported.
func (r Ranking) Best(tags []Tag) (rank int, ok bool) {
	for _, t := range tags {
		if i, found := r.Rank(t); found && (!ok || i < rank) {
			rank, ok = i, true
		}
	}
	return rank, ok
}
