package pack

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
)

// A universal file starts on Linux and macOS, x86-64 and arm64: a POSIX sh
// preamble, then the launcher of each platform, then the archive. The
// preamble asks uname which launcher the host needs, extracts it once into
// the cache (content-addressed: <root>/v2/launchers/<sha256>, written to a
// temporary name and renamed, its size checked), and execs it with
// __RULES_PEX_ARCHIVE naming the file, so the launcher reads this archive.

// universalPlatforms are the platforms a universal file may hold, in the
// order their launchers are written.
var universalPlatforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"}

// unameOf maps a platform to the `uname -s` and `uname -m` outputs of its hosts.
var unameOf = map[string][]string{
	"linux/amd64":  {"Linux x86_64"},
	"linux/arm64":  {"Linux aarch64", "Linux arm64"},
	"darwin/amd64": {"Darwin x86_64"},
	"darwin/arm64": {"Darwin arm64"},
}

type universalLauncher struct {
	platform, path string
	size           int64
	sum            string
}

// checkUniversal checks --universal-launcher OS/ARCH=FILE flags: known
// platforms, each once, each file a launcher for its platform (by its ELF
// or Mach-O header). It returns them in universalPlatforms order.
func checkUniversal(specs []string, ps *Problems) []universalLauncher {
	by := map[string]universalLauncher{}
	for _, spec := range specs {
		platform, path, ok := strings.Cut(spec, "=")
		if !ok || !strings.Contains(platform, "/") || strings.Contains(platform, "/.") || strings.HasPrefix(platform, "/") {
			// A plain FILE: its platform is read from its header.
			goos, goarch := executablePlatform(spec)
			platform, path = goos+"/"+goarch, spec
			if goos == "" {
				platform = "?"
			}
		}
		if path == "" {
			ps.addf("--universal-launcher %q: want OS/ARCH=FILE or FILE, e.g. linux/amd64=launcher-linux-amd64", spec)
			continue
		}
		if platform == "?" {
			if _, err := os.Stat(path); err != nil {
				ps.addf("--universal-launcher %s: %v", spec, errText(err))
			} else {
				ps.addf("--universal-launcher %s: neither an ELF nor a Mach-O executable for x86-64 or arm64; name its platform as OS/ARCH=FILE if it is a launcher", spec)
			}
			continue
		}
		if unameOf[platform] == nil {
			ps.addf("--universal-launcher %q: platform %s is not one of %s", spec, platform, strings.Join(universalPlatforms, ", "))
			continue
		}
		if _, dup := by[platform]; dup {
			ps.addf("--universal-launcher %q: a launcher for %s was given twice", spec, platform)
			continue
		}
		l := universalLauncher{platform: platform, path: path}
		f, err := regfile.Open(path)
		if err != nil {
			ps.addf("--universal-launcher %s: %v", spec, errText(err))
			continue
		}
		h := sha256.New()
		l.size, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			ps.addf("--universal-launcher %s: %v", spec, err)
			continue
		}
		l.sum = hex.EncodeToString(h.Sum(nil))
		if goos, goarch := executablePlatform(path); goos+"/"+goarch != platform {
			what := "neither an ELF nor a Mach-O executable for x86-64 or arm64"
			if goos != "" {
				what = "a launcher for " + goos + "/" + goarch
			}
			ps.addf("--universal-launcher %s: the file is %s, not for %s", spec, what, platform)
			continue
		}
		by[platform] = l
	}
	var out []universalLauncher
	for _, p := range universalPlatforms {
		if l, ok := by[p]; ok {
			out = append(out, l)
		}
	}
	if len(out) == 1 && len(*ps) == 0 {
		ps.addf("--universal-launcher: one launcher (%s) makes no universal file; give --launcher %s instead", out[0].platform, out[0].path)
	}
	return out
}

// universalPreamble returns the sh preamble for launchers written right
// after it, in order. Numbers are padded to a fixed width so that the
// preamble's length does not depend on them.
func universalPreamble(ls []universalLauncher) []byte {
	build := func(start int64) string {
		var b strings.Builder
		var names []string
		for _, l := range ls {
			names = append(names, l.platform)
		}
		fmt.Fprintf(&b, `#!/bin/sh
# A rules_pex universal file (%s): this preamble,
# the launcher of each platform, then the archive. It extracts the host's
# launcher once into the cache, by its sha256, and runs it on this file.
# The tools it uses are looked for in /usr/bin and /bin first, without
# changing the application's PATH.
p=/usr/bin:/bin:$PATH
case $(PATH=$p uname -sm) in
`, strings.Join(names, ", "))
		off := start
		for _, l := range ls {
			fmt.Fprintf(&b, "%s) o=%-12d n=%-12d h=%s ;;\n", strings.Join(quoted(unameOf[l.platform]), " | "), off, l.size, l.sum)
			off += l.size
		}
		fmt.Fprintf(&b, `*) echo "$0: this rules_pex file runs on %s, not on $(PATH=$p uname -sm)" >&2; exit 126 ;;
esac
r=$PEX_ROOT
if [ -z "$r" ]; then
  case $XDG_CACHE_HOME in
  /*) r=$XDG_CACHE_HOME/rules_pex ;;
  *) r=${HOME:?"rules_pex: HOME is not set; set PEX_ROOT to a writable directory"}/.cache/rules_pex ;;
  esac
fi
l=$r/v2/launchers/$h
if [ ! -x "$l" ]; then
  PATH=$p mkdir -p "$r/v2/launchers" && t=$l.tmp-$$ &&
    PATH=$p tail -c +$((o + 1)) "$0" | PATH=$p head -c $n >"$t" && [ $(PATH=$p wc -c <"$t") -eq $n ] &&
    PATH=$p chmod 755 "$t" && PATH=$p mv -f "$t" "$l" ||
    { PATH=$p rm -f "$t"; echo "$0: could not extract its launcher into $r/v2/launchers; set PEX_ROOT to a writable directory" >&2; exit 1; }
fi
%s=$0 exec "$l" "$@"
`, strings.Join(names, ", "), layout.UniversalArchiveEnv)
		return b.String()
	}
	first := build(0)
	return []byte(build(int64(len(first))))
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}

// writeUniversalPrefix writes the preamble and the launchers, returning
// how many bytes come before the archive.
func writeUniversalPrefix(f *os.File, ls []universalLauncher) (int64, error) {
	pre := universalPreamble(ls)
	if _, err := f.Write(pre); err != nil {
		return 0, err
	}
	n := int64(len(pre))
	for _, l := range ls {
		src, err := regfile.Open(l.path)
		if err != nil {
			return 0, fmt.Errorf("--universal-launcher %s=%s: %v", l.platform, l.path, errText(err))
		}
		m, err := io.Copy(f, src)
		src.Close()
		if err != nil {
			return 0, fmt.Errorf("copying launcher %s: %w", l.path, err)
		}
		if m != l.size {
			return 0, fmt.Errorf("--universal-launcher %s=%s changed while packing", l.platform, l.path)
		}
		n += m
	}
	return n, nil
}
