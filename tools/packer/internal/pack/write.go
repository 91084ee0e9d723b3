package pack

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
)

// entry is one file of the zip payload, other than the manifest: a source
// file, or an entry of a wheel copied raw.
type entry struct {
	name       string
	src        *source
	zf         *zip.File
	executable bool
	// pyc is a .pyc of the bytecode bundle (a --bytecode file), compressed
	// as the packer's own files are.
	pyc    *zip.File
	bundle string
}

func writeArchive(f *os.File, launcher string, universal []universalLauncher, comp archive.Compression, manifest []byte, entries []entry) error {
	var n int64
	if len(universal) > 0 {
		var err error
		if n, err = writeUniversalPrefix(f, universal); err != nil {
			return err
		}
	} else {
		l, err := regfile.Open(launcher)
		if err != nil {
			return fmt.Errorf("--launcher %s: %v", launcher, errText(err))
		}
		n, err = io.Copy(f, l)
		l.Close()
		if err != nil {
			return fmt.Errorf("copying launcher %s: %w", launcher, err)
		}
	}
	// Many entries are small: batch their headers and data into large writes.
	buf := bufio.NewWriterSize(f, 1<<20)
	zw, err := archive.NewWriter(buf, n, comp)
	if err != nil {
		return err
	}
	if err := zw.AddStored(layout.ManifestName, false, manifest); err != nil {
		return fmt.Errorf("writing %s: %w", layout.ManifestName, err)
	}
	// Stored: Python's zipimport reads it whatever the archive's compression.
	if err := zw.AddStored(layout.ZipMainName, false, zipMain); err != nil {
		return fmt.Errorf("writing %s: %w", layout.ZipMainName, err)
	}
	for _, e := range entries {
		if e.src != nil {
			if err := addSource(zw, e); err != nil {
				return err
			}
			continue
		}
		if e.pyc != nil {
			if err := addPyc(zw, e); err != nil {
				return err
			}
			continue
		}
		if err := zw.AddRaw(e.name, e.executable, e.zf); err != nil {
			return fmt.Errorf("copying %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return buf.Flush()
}

func addSource(zw *archive.Writer, e entry) error {
	r, err := regfile.Open(e.src.path)
	if err != nil {
		return fmt.Errorf("--source %s=%s: %v", e.src.dest, e.src.path, errText(err))
	}
	defer r.Close()
	// The file was hashed during validation; hash again while copying so a
	// file changed in between cannot slip into the archive unnoticed.
	h := sha256.New()
	if err := zw.Add(e.name, e.src.executable, io.TeeReader(r, h)); err != nil {
		return fmt.Errorf("adding --source %s=%s: %w", e.src.dest, e.src.path, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != e.src.sha256 {
		return fmt.Errorf("--source %s=%s changed while the archive was written", e.src.dest, e.src.path)
	}
	return nil
}

func addPyc(zw *archive.Writer, e entry) error {
	rc, err := e.pyc.Open()
	if err != nil {
		return fmt.Errorf("--bytecode %s: %s: %w", e.bundle, e.pyc.Name, err)
	}
	defer rc.Close()
	if err := zw.Add(e.name, false, rc); err != nil {
		return fmt.Errorf("adding %s of --bytecode %s: %w", e.pyc.Name, e.bundle, err)
	}
	return nil
}
