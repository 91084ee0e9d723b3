package interp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runs counts the lines a test script appended to its log.
func runs(t *testing.T, log string) int {
	t.Helper()
	data, _ := os.ReadFile(log)
	return strings.Count(string(data), "\n")
}

func TestProbeFailuresAreCachedUnlessTransient(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	now := time.Now()
	pc := &ProbeCache{Dir: filepath.Join(dir, "cache"), Timeout: 300 * time.Millisecond, Now: func() time.Time { return now }}
	for _, tc := range []struct {
		name, body string
		cached     bool
	}{
		{"exit status", "exit 3", true},
		{"garbage", "echo garbage", true},
		{"hangs", "exec sleep 30", true},
		{"killed", "kill -KILL $$", false},
		{"out of memory", "echo 'MemoryError' >&2; exit 1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(log)
			py := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"), "python3")
			script(t, py, "echo run >> "+log+"\n"+tc.body)
			for i := 0; i < 2; i++ {
				c := pc.Probe(context.Background(), py, Stat(py))
				if c.Info != nil || c.Err == nil {
					t.Fatalf("probe %d: %+v", i, c)
				}
			}
			if want := map[bool]int{true: 1, false: 2}[tc.cached]; runs(t, log) != want {
				t.Errorf("ran %d times in two probes, want %d", runs(t, log), want)
			}
		})
	}

	// A cached timeout does not hold for a longer timeout, and no cached
	// failure holds beyond FailureTTL.
	py := filepath.Join(dir, "hangs", "python3")
	os.Remove(log)
	longer := *pc
	longer.Timeout = 600 * time.Millisecond
	if c := longer.Probe(context.Background(), py, Stat(py)); c.Cached || runs(t, log) != 1 {
		t.Errorf("a timeout of 300ms was believed for a timeout of 600ms: %+v", c)
	}
	later := longer
	later.Now = func() time.Time { return now.Add(FailureTTL) }
	if c := later.Probe(context.Background(), py, Stat(py)); c.Cached || runs(t, log) != 2 {
		t.Errorf("a cached failure was believed after FailureTTL: %+v", c)
	}
}

func TestHangingCandidatesDoNotDelayEachOther(t *testing.T) {
	requireFile(t, cpython)
	dir := t.TempDir()
	s := &Search{}
	for i := 0; i < 9; i++ {
		py := filepath.Join(dir, "python3."+string(rune('a'+i)))
		script(t, py, "exec sleep 30")
		s.Candidates = append(s.Candidates, py)
	}
	s.Candidates = append(s.Candidates, cpython)
	s.IDs = make([]FileID, len(s.Candidates))
	// Were slots held until each probe ends, nine hanging candidates in
	// four slots would take three timeouts; with slots given up after
	// slotLease, one timeout and a few leases. The timeout is long enough
	// that the bound between the two (two timeouts) leaves a loaded machine
	// seconds of room.
	timeout := 3 * time.Second
	pc := &ProbeCache{Timeout: timeout}
	start := time.Now()
	cands := pc.ProbeAll(context.Background(), s)
	if d := time.Since(start); d > 2*timeout {
		t.Errorf("probing took %v, want about one timeout (%v), not three", d, timeout)
	}
	if c := cands[len(cands)-1]; c.Info == nil {
		t.Errorf("the working candidate failed: %v", c.Err)
	}
}
