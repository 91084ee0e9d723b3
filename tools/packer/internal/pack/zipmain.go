package pack

import (
	_ "embed"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
)

//go:embed zipmain.py
var zipMainTemplate string

// zipMain is the content of the archive's layout.ZipMainName entry: the same
// bytes in every archive of this packer version.
var zipMain = []byte(strings.ReplaceAll(zipMainTemplate, "{{options_env}}", layout.PythonOptionsEnv))
