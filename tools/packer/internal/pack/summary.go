package pack

import (
	"bytes"
	"encoding/json"
	"os"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// SummaryFormat is the version of the wheel summary schema.
const SummaryFormat = 1

// maxSummary bounds a summary file: one of a wheel of 100,000 files is
// about 20 MB.
const maxSummary = 1 << 28

// WheelSummary is everything the packer needs to know about a wheel once it
// has been validated: `packer check-wheel` writes it, and `packer build
// --checked-wheel W=S` uses it instead of validating W again. In Bazel, the
// check runs once per wheel and is cached, so packing an app costs little
// more than copying its bytes.
type WheelSummary struct {
	Format int    `json:"format"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Directory is the digest of the wheel's zip directory (see
	// directoryDigest): what --checked-wheel compares instead of hashing
	// the whole file again.
	Directory string `json:"directory"`
	// WheelInfo is what the manifest's layout.Distribution says of the
	// wheel too: its project, version, tags and metadata.
	layout.WheelInfo
	Files []SummaryFile `json:"files"`
}

// SummaryFile is one verified file of a wheel: its zip entry, where it is
// installed, and the size and sha256 of its content.
type SummaryFile struct {
	Entry      string `json:"entry"`
	Scheme     string `json:"scheme"`
	Path       string `json:"path"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	Executable bool   `json:"executable,omitempty"`
}

// CheckWheel validates the wheel at path (every RECORD hash and size, its
// metadata and names) and writes its summary to out, atomically.
func CheckWheel(path, out string) error {
	d, errs := openWheel(path)
	if len(errs) > 0 {
		return Problems(errs)
	}
	defer d.close()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(d.s); err != nil {
		return err
	}
	return writeOutput(out, 0o644, func(f *os.File) error {
		_, err := f.Write(buf.Bytes())
		return err
	})
}
