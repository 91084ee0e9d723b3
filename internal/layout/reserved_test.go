package layout

import "testing"

func TestReservedEnvPath(t *testing.T) {
	for _, tc := range []struct {
		scheme, rel string
		want        bool
	}{
		// The environment's root (a wheel's .data/data).
		{SchemeData, "pex", true},
		{SchemeData, "PEX", true},
		{SchemeData, "pex/inside", true},
		{SchemeData, "_rules_pex_main.py", true},
		{SchemeData, "_rules_pex_future", true},
		{SchemeData, "pyvenv.cfg", true},
		{SchemeData, "rules_pex.json", true},
		{SchemeData, "rules_pex.lock", true},
		{SchemeData, "rules_pex.compile.log", true},
		{SchemeData, "rules_pex.anything-new", true},
		{SchemeData, "bin", true},
		{SchemeData, "bin/python", true},
		{SchemeData, "bin/python3.11", true},
		{SchemeData, "bin/tool", false},
		{SchemeData, "lib", true},
		{SchemeData, "lib/python3.11", true},
		{SchemeData, "lib/pypy3.9/site-packages", true},
		{SchemeData, "lib/python3.11/site-packages/_rules_pex_inherit.pth", true},
		{SchemeData, "lib/python3.11/site-packages/extra.pth", false},
		{SchemeData, "lib/libfoo.so", false},
		{SchemeData, "lib/pkgconfig/foo.pc", false},
		{SchemeData, "include", true},
		{SchemeData, "include/site/python3.11", true},
		{SchemeData, "include/site/python3.11/proj/x.h", false},
		{SchemeData, "include/foo.h", false},
		{SchemeData, "share/man/man1/pex.1", false},
		{SchemeData, "pexx", false},
		{SchemeData, "__pycache__/_rules_pex_main.cpython-311.pyc", true},
		{SchemeData, "__pycache__/anything.pyc", true},
		{SchemeData, "rules_pex", false},
		{SchemeData, "etc/rules_pex.json", false},
		// Directories: reserved when everything in them is.
		{SchemeData, "pex/", true},
		{SchemeData, "_rules_pex_dir/", true},
		{SchemeData, "__pycache__/", true},
		{SchemeData, "bin/", false},
		{SchemeData, "lib/", false},
		{SchemeData, "lib/python3.11/", false},
		{SchemeData, "lib/python3.11/site-packages/", false},
		{SchemeData, "lib/python3.11/site-packages/_rules_pex_pkg/", true},
		{SchemeData, "include/", false},
		{SchemeData, "include/site/", false},
		{SchemeData, "share/", false},
		{SchemeSitePackages, "__pycache__/", false},
		{SchemeSitePackages, "_rules_pex_pkg/", true},
		{SchemeScripts, "sub/", false},
		// site-packages (wheels' roots, purelib, platlib, the code).
		{SchemeSitePackages, "_rules_pex_inherit.py", true},
		{SchemeSitePackages, "_rules_pex_inherit.pth", true},
		{SchemeSitePackages, "_Rules_Pex_x/__init__.py", true},
		{SchemeSitePackages, "pkg/_rules_pex_inherit.py", false},
		{SchemeSitePackages, "pex", false},
		{SchemeSitePackages, "__pycache__/_rules_pex_inherit.cpython-311.pyc", true},
		{SchemeSitePackages, "__pycache__/six.cpython-311.pyc", false},
		{SchemeData, "lib/python3.11/site-packages/__pycache__/_rules_pex_inherit.pypy39.pyc", true},
		{SchemeSitePackages, "rules_pex.py", false},
		{SchemeSitePackages, "app/main.py", false},
		// bin (scripts and console scripts).
		{SchemeScripts, "python", true},
		{SchemeScripts, "python3", true},
		{SchemeScripts, "python3.12", true},
		{SchemeScripts, "Python3", true},
		{SchemeScripts, "_rules_pex_tool", true},
		{SchemeScripts, "python-argcomplete-check-easy-install-script", false},
		{SchemeScripts, "pythonw", false},
		{SchemeScripts, "pex", false},
		{SchemeScripts, "pypy3", false},
		// headers: nothing.
		{SchemeHeaders, "_rules_pex.h", false},
	} {
		reason, got := ReservedEnvPath(tc.scheme, tc.rel)
		if got != tc.want {
			t.Errorf("ReservedEnvPath(%s, %q) = %v (%q), want %v", tc.scheme, tc.rel, got, reason, tc.want)
		}
		if got && reason == "" {
			t.Errorf("ReservedEnvPath(%s, %q): no reason", tc.scheme, tc.rel)
		}
	}
}

// TestOwnedNamesAreReserved keeps the list of launcher-owned names and the
// rule together: every name the launcher writes is one no input may take.
func TestOwnedNamesAreReserved(t *testing.T) {
	for _, n := range []string{EnvBootstrap, EnvBootModule + ".py", EnvConfig, EnvMeta, EnvUseLock, EnvCompiled, EnvCompileLock, EnvCompileLog} {
		if _, ok := ReservedEnvPath(SchemeData, n); !ok {
			t.Errorf("%s is written at the environment's root but not reserved", n)
		}
	}
	for _, n := range []string{EnvInheritModule + ".py", EnvInheritPth} {
		if _, ok := ReservedEnvPath(SchemeSitePackages, n); !ok {
			t.Errorf("%s is written in site-packages but not reserved", n)
		}
	}
}
