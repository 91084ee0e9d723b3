// Package oracletest runs the Python reference implementations the Go
// parsers are compared against: Debian's python3-packaging (and the standard
// library) on /usr/bin/python3.11. It owns how an oracle script is found,
// run and reported on, so that changes in one place. Its Python half,
// oracletest.py, is what the oracle scripts import for the same contract.
// It is imported by tests only.
package oracletest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// DefaultPython is the interpreter Debian's python3-packaging installs for.
// The environment variable named by PythonEnv overrides it.
const DefaultPython = "/usr/bin/python3.11"

// PythonEnv names the environment variable that overrides DefaultPython.
const PythonEnv = "PACKAGING_ORACLE_PYTHON"

// DebianPackaging is where Debian's python3-packaging installs the library.
const DebianPackaging = "/usr/lib/python3/dist-packages/packaging"

// exitMissingPackaging is the exit code of an oracle script that cannot
// import packaging; oracletest.py's packaging_required exits with it.
const exitMissingPackaging = 3

// Python returns the oracle interpreter, failing t with what to install
// when it is missing.
func Python(t testing.TB) string {
	t.Helper()
	py := os.Getenv(PythonEnv)
	if py == "" {
		py = DefaultPython
	}
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("the packaging oracle needs %s with Debian's python3-packaging (apt-get install -y python3-packaging): %v", py, err)
	}
	return py
}

// Run runs script (a path relative to the test's directory, such as
// testdata/oracle.py) with the oracle interpreter in one process, sends it
// req as JSON on stdin and decodes the JSON it prints into resp. It fails t
// when the interpreter or its packaging library is missing, when the script
// fails, or when its answer is not JSON.
func Run(t testing.TB, script string, req, resp any) {
	t.Helper()
	py := Python(t)
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(py, script)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &stdout, &stderr
	start := time.Now()
	defer func() { t.Logf("the oracle took %v", time.Since(start)) }()
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == exitMissingPackaging {
			t.Fatalf("python3-packaging is missing for %s (apt-get install -y python3-packaging): %s", py, stderr.String())
		}
		t.Fatalf("running the packaging oracle %s with %s: %v\n%s", script, py, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
		t.Fatalf("decoding the answer of the packaging oracle %s: %v", script, err)
	}
}

// PackagingDir returns a directory holding only a link to Debian's
// packaging library, to put first on sys.path of any interpreter (so none
// sees the rest of dist-packages). It fails t when the library is missing.
func PackagingDir(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(DebianPackaging, "tags.py")); err != nil {
		t.Fatalf("Python's packaging library is the oracle of this test and is missing (%v): CI must run `apt-get install -y python3-packaging`", err)
	}
	dir := t.TempDir()
	if err := os.Symlink(DebianPackaging, filepath.Join(dir, "packaging")); err != nil {
		t.Fatal(err)
	}
	return dir
}
