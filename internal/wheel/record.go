package wheel

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rules-pex/rules_pex/internal/relpath"
)

// recordRow is one row of RECORD: path,algorithm=digest,size.
type recordRow struct {
	path   string
	algo   string // "sha256", "sha384" or "sha512"; "" when the row has no hash
	digest []byte // decoded digest; nil when the row has no hash
	size   int64  // -1 when the row has no size
	broken bool   // the hash or size field is malformed (already reported)
}

// hashAlgos are the RECORD hash algorithms accepted: sha256 or better, from
// the standard library. md5 and sha1 are refused by the spec.
var hashAlgos = map[string]func() hash.Hash{
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

// recordProblem is a problem with one RECORD row.
type recordProblem struct {
	path   string // the row's path, "" when unknown
	detail string
}

// parseRecord parses a RECORD file (CSV as written by Python's csv module).
// distInfo is the .dist-info directory name; RECORD itself and its signature
// files there may be listed without a hash. It returns the rows by path, the
// problems, and whether the rows can be trusted at all (false when the CSV
// itself is broken, so cross-checks against entries would only add noise).
func parseRecord(data []byte, distInfo string) (map[string]recordRow, []recordProblem, bool) {
	rows := make(map[string]recordRow)
	var bad []recordProblem
	if !utf8.Valid(data) {
		return rows, []recordProblem{{"", "not UTF-8"}}, false
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true // Python's csv reads a quote inside an unquoted field literally
	for {
		fields, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return rows, append(bad, recordProblem{"", fmt.Sprintf("line %d: %v", pe.Line, pe.Err)}), false
			}
			return rows, append(bad, recordProblem{"", err.Error()}), false
		}
		line, _ := r.FieldPos(0)
		if len(fields) != 3 {
			bad = append(bad, recordProblem{"", fmt.Sprintf("line %d has %d fields, want path,hash,size", line, len(fields))})
			continue
		}
		p, hashField, sizeField := fields[0], fields[1], fields[2]
		if dir, isDir := strings.CutSuffix(p, "/"); isDir {
			// A directory row: accepted without a hash, and not checked
			// against entries, since directories are not installed files.
			if err := relpath.Check(dir); err != nil {
				bad = append(bad, recordProblem{p, fmt.Sprintf("line %d: %v", line, err)})
			} else if hashField != "" || sizeField != "" {
				bad = append(bad, recordProblem{p, fmt.Sprintf("line %d: a directory row with a hash or size", line)})
			}
			continue
		}
		if err := relpath.Check(p); err != nil {
			bad = append(bad, recordProblem{p, fmt.Sprintf("line %d: %v", line, err)})
			continue
		}
		if _, dup := rows[p]; dup {
			bad = append(bad, recordProblem{p, fmt.Sprintf("line %d lists the path again", line)})
			continue
		}
		row := recordRow{path: p, size: -1}
		if hashField == "" {
			if !mayLackHash(p, distInfo) {
				bad = append(bad, recordProblem{p, fmt.Sprintf("line %d has no hash", line)})
			}
		} else {
			algo, enc, ok := strings.Cut(hashField, "=")
			algo = strings.ToLower(algo)
			newHash, known := hashAlgos[algo]
			if !ok || !known {
				bad = append(bad, recordProblem{p, fmt.Sprintf("line %d: hash %s is not sha256=, sha384= or sha512= with a digest", line, quoteIfOdd(truncate(hashField, 20)))})
				row.broken = true
			} else if digest, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(enc, "=")); err != nil || len(digest) != newHash().Size() {
				bad = append(bad, recordProblem{p, fmt.Sprintf("line %d: %s digest is not %d bytes of urlsafe base64", line, algo, newHash().Size())})
				row.broken = true
			} else {
				row.algo, row.digest = algo, digest
			}
		}
		if sizeField != "" {
			n, err := strconv.ParseInt(sizeField, 10, 64)
			if err != nil || n < 0 || !allDigits(sizeField) {
				bad = append(bad, recordProblem{p, fmt.Sprintf("line %d: size %s is not a decimal byte count", line, quoteIfOdd(truncate(sizeField, 20)))})
				row.broken = true
			} else {
				row.size = n
			}
		}
		rows[p] = row
	}
	return rows, bad, true
}

// mayLackHash reports whether the RECORD row for p may omit its hash and size:
// RECORD cannot contain its own hash, and its signatures are made after it.
func mayLackHash(p, distInfo string) bool {
	switch p {
	case distInfo + "/RECORD", distInfo + "/RECORD.jws", distInfo + "/RECORD.p7s":
		return true
	}
	return false
}

// encodeDigest returns a digest as RECORD spells it.
func encodeDigest(algo string, digest []byte) string {
	return algo + "=" + base64.RawURLEncoding.EncodeToString(digest)
}
