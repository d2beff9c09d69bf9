// tlogcheck: avow's Merkle tree, proofs and checkpoints, computed and
// checked with the Go team's implementation (golang.org/x/mod/sumdb/tlog
// and sumdb/note), for tests/interop/run.sh.
//
// Standard library and golang.org/x/mod/sumdb/{tlog,note} only. Build offline:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$(mktemp -d) go build -o tlogcheck tlogcheck.go
//
// Every subcommand prints one line on stderr and exits 1 when a check fails,
// and exits 2 on a usage or I/O error. See README.md for the subcommands.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const usage = `usage: tlogcheck COMMAND ARGS
  root BUNDLE N                    base64 tree hash of the first N records
  inclusion BUNDLE I N             inclusion proof JSON (SPEC section 6)
  inclusion-all BUNDLE N           one inclusion proof line for each I < N
  consistency BUNDLE M N           consistency proof JSON (SPEC section 6)
  consistency-all BUNDLE           one line for each 1 <= M <= N <= size,
                                   M outer, N inner, both ascending
  checkpoint-body BUNDLE N ORIGIN  the checkpoint text ORIGIN\nN\nROOT\n
  prove BUNDLE I N ORIGIN SKEYFILE the avow prove wrapper, made by Go
  check-prove PROVE.json VKEY [ORIGIN]
  check-consistency PROOF.json OLD_NOTE NEW_NOTE VKEY [ORIGIN]
  open-note NOTE VKEY              verify a signed note, print its text
  open-checkpoint NOTE VKEY [ORIGIN]
                                   verify a signed checkpoint, print
                                   its origin, size and root
  genkey NAME SKEYFILE             new signer key to SKEYFILE (0600),
                                   print the verifier key
  sign SKEYFILE TEXTFILE           print TEXTFILE signed as a note
  canon FILE...                    each proof JSON (or a prove wrapper's
                                   inclusion) re-printed as Go prints it
  member FILE NAME                 print the string member NAME of FILE
  tamper flip|extra|drop|index|leaf IN OUT
                                   write IN's proof (or a wrapper's
                                   inclusion) with one change
`

// exitError carries the exit status: 1 a failed check, 2 usage or I/O.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func failf(format string, a ...interface{}) error {
	return &exitError{1, fmt.Sprintf(format, a...)}
}

func usagef(format string, a ...interface{}) error {
	return &exitError{2, fmt.Sprintf(format, a...)}
}

// --- bundles and the tree ---------------------------------------------------

type tree struct {
	records [][]byte
	stored  []tlog.Hash
}

func (t *tree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.stored)) {
			return nil, fmt.Errorf("hash index %d out of range", x)
		}
		out[i] = t.stored[x]
	}
	return out, nil
}

func (t *tree) size() int64 { return int64(len(t.records)) }

// readBundle reads a bundle (SPEC section 6: each record followed by one LF)
// and stores every record's hashes with tlog.StoredHashes.
func readBundle(path string) (*tree, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if len(data) == 0 {
		return nil, usagef("%s: empty bundle", path)
	}
	if data[len(data)-1] != '\n' {
		return nil, usagef("%s: the last record has no line feed", path)
	}
	t := &tree{}
	for i, rec := range bytes.Split(data[:len(data)-1], []byte("\n")) {
		if len(rec) == 0 {
			return nil, usagef("%s: empty line at record %d", path, i)
		}
		h, err := tlog.StoredHashes(int64(i), rec, t)
		if err != nil {
			return nil, usagef("%s: record %d: %v", path, i, err)
		}
		t.records = append(t.records, rec)
		t.stored = append(t.stored, h...)
	}
	return t, nil
}

func (t *tree) root(n int64) (tlog.Hash, error) {
	if n < 1 || n > t.size() {
		return tlog.Hash{}, usagef("size %d out of range 1..%d", n, t.size())
	}
	h, err := tlog.TreeHash(n, t)
	if err != nil {
		return tlog.Hash{}, usagef("TreeHash(%d): %v", n, err)
	}
	return h, nil
}

func (t *tree) leafHash(i int64) (tlog.Hash, error) {
	hs, err := t.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}

// --- the proof JSON of SPEC section 6 ---------------------------------------

type inclusionJSON struct {
	Index    int64    `json:"index"`
	TreeSize int64    `json:"tree_size"`
	LeafHash string   `json:"leaf_hash"`
	Proof    []string `json:"proof"`
}

type consistencyJSON struct {
	OldSize int64    `json:"old_size"`
	NewSize int64    `json:"new_size"`
	Proof   []string `json:"proof"`
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func b64s(hs []tlog.Hash) []string {
	out := make([]string, len(hs)) // [] rather than null when empty
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
}

// marshal prints v compactly, without Go's HTML escaping.
func marshal(v interface{}) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func (t *tree) inclusion(i, n int64) (*inclusionJSON, error) {
	if n < 1 || n > t.size() || i < 0 || i >= n {
		return nil, usagef("need 0 <= I < N <= %d, got I=%d N=%d", t.size(), i, n)
	}
	p, err := tlog.ProveRecord(n, i, t)
	if err != nil {
		return nil, usagef("ProveRecord(%d, %d): %v", n, i, err)
	}
	lh, err := t.leafHash(i)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return &inclusionJSON{i, n, b64(lh), b64s(p)}, nil
}

func (t *tree) consistency(m, n int64) (*consistencyJSON, error) {
	if m < 1 || n > t.size() || m > n {
		return nil, usagef("need 1 <= M <= N <= %d, got M=%d N=%d", t.size(), m, n)
	}
	p, err := tlog.ProveTree(n, m, t)
	if err != nil {
		return nil, usagef("ProveTree(%d, %d): %v", n, m, err)
	}
	return &consistencyJSON{m, n, b64s(p)}, nil
}

// parseHash reads a hash as SPEC section 2 spells it: canonical padded
// base64 of exactly 32 bytes.
func parseHash(what, s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(h) || base64.StdEncoding.EncodeToString(b) != s {
		return h, failf("%s: %q is not canonical base64 of 32 bytes", what, s)
	}
	copy(h[:], b)
	return h, nil
}

func parseHashes(what string, ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		h, err := parseHash(fmt.Sprintf("%s[%d]", what, i), s)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// decodeStrict decodes one JSON object into v: unknown members are refused,
// and nothing may follow it.
func decodeStrict(what string, data []byte, v interface{}) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return failf("%s: %v", what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return failf("%s: data after the JSON object", what)
	}
	return nil
}

// The members are pointers so that a missing (or null) member is told apart
// from a zero value.
type inclusionIn struct {
	Index    *int64    `json:"index"`
	TreeSize *int64    `json:"tree_size"`
	LeafHash *string   `json:"leaf_hash"`
	Proof    *[]string `json:"proof"`
}

type consistencyIn struct {
	OldSize *int64    `json:"old_size"`
	NewSize *int64    `json:"new_size"`
	Proof   *[]string `json:"proof"`
}

func parseInclusion(what string, data []byte) (*inclusionJSON, error) {
	var in inclusionIn
	if err := decodeStrict(what, data, &in); err != nil {
		return nil, err
	}
	if in.Index == nil || in.TreeSize == nil || in.LeafHash == nil || in.Proof == nil {
		return nil, failf("%s: an inclusion proof needs index, tree_size, leaf_hash and proof", what)
	}
	p := &inclusionJSON{*in.Index, *in.TreeSize, *in.LeafHash, *in.Proof}
	if p.Index < 0 || p.Index >= p.TreeSize {
		return nil, failf("%s: index %d is not in 0..tree_size-1 (tree_size %d)", what, p.Index, p.TreeSize)
	}
	if _, err := parseHash(what+": leaf_hash", p.LeafHash); err != nil {
		return nil, err
	}
	if _, err := parseHashes(what+": proof", p.Proof); err != nil {
		return nil, err
	}
	return p, nil
}

func parseConsistency(what string, data []byte) (*consistencyJSON, error) {
	var in consistencyIn
	if err := decodeStrict(what, data, &in); err != nil {
		return nil, err
	}
	if in.OldSize == nil || in.NewSize == nil || in.Proof == nil {
		return nil, failf("%s: a consistency proof needs old_size, new_size and proof", what)
	}
	p := &consistencyJSON{*in.OldSize, *in.NewSize, *in.Proof}
	if p.OldSize < 1 || p.OldSize > p.NewSize {
		return nil, failf("%s: need 0 < old_size <= new_size, got %d and %d", what, p.OldSize, p.NewSize)
	}
	if _, err := parseHashes(what+": proof", p.Proof); err != nil {
		return nil, err
	}
	return p, nil
}

// proveWrapper is what `avow prove` writes. Other members are ignored.
type proveWrapper struct {
	Origin     *string          `json:"origin"`
	Record     *string          `json:"record"`
	Inclusion  *json.RawMessage `json:"inclusion"`
	Checkpoint *string          `json:"checkpoint"`
}

func parseWrapper(what string, data []byte) (*proveWrapper, *inclusionJSON, error) {
	var w proveWrapper
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, nil, failf("%s: %v", what, err)
	}
	if w.Origin == nil || w.Record == nil || w.Inclusion == nil || w.Checkpoint == nil {
		return nil, nil, failf("%s: the prove output needs origin, record, inclusion and checkpoint", what)
	}
	p, err := parseInclusion(what+": inclusion", *w.Inclusion)
	if err != nil {
		return nil, nil, err
	}
	return &w, p, nil
}

func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return data, nil
}

// --- notes and checkpoints --------------------------------------------------

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func verifiers(vkey string) (note.Verifiers, error) {
	v, err := note.NewVerifier(strings.TrimSuffix(vkey, "\n"))
	if err != nil {
		return nil, usagef("verifier key %q: %v", vkey, err)
	}
	return note.VerifierList(v), nil
}

// openNote verifies the note msg with the one trusted verifier key.
func openNote(what string, msg []byte, vkey string) (*note.Note, error) {
	known, err := verifiers(vkey)
	if err != nil {
		return nil, err
	}
	n, err := note.Open(msg, known)
	if err != nil {
		return nil, failf("%s: note.Open: %v", what, err)
	}
	return n, nil
}

// parseCheckpoint reads a C2SP checkpoint's text: origin, size (decimal, at
// least 1, no leading zeros), canonical base64 root, then extension lines
// (C2SP tlog-checkpoint: each one non-empty).
func parseCheckpoint(what, text string) (*checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return nil, failf("%s: the checkpoint text is not origin, size and root lines", what)
	}
	c := &checkpoint{origin: lines[0]}
	if c.origin == "" {
		return nil, failf("%s: empty origin line", what)
	}
	s := lines[1]
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != s {
		return nil, failf("%s: bad tree size line %q", what, s)
	}
	c.size = n
	if c.root, err = parseHash(what+": root", lines[2]); err != nil {
		return nil, err
	}
	for i, l := range lines[3 : len(lines)-1] {
		if l == "" {
			return nil, failf("%s: extension line %d is empty", what, i+1)
		}
	}
	return c, nil
}

func openCheckpoint(what string, msg []byte, vkey, origin string) (*checkpoint, error) {
	n, err := openNote(what, msg, vkey)
	if err != nil {
		return nil, err
	}
	c, err := parseCheckpoint(what, n.Text)
	if err != nil {
		return nil, err
	}
	if origin != "" && c.origin != origin {
		return nil, failf("%s: origin %q, expected %q", what, c.origin, origin)
	}
	return c, nil
}

func readKey(path string) (string, error) {
	data, err := readFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func signText(skeyFile, text string) (string, error) {
	skey, err := readKey(skeyFile)
	if err != nil {
		return "", err
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return "", usagef("%s: %v", skeyFile, err)
	}
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		return "", usagef("note.Sign: %v", err)
	}
	return string(msg), nil
}

// --- subcommands ------------------------------------------------------------

func argInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, usagef("%q is not a number", s)
	}
	return n, nil
}

func argInts(ss ...string) ([]int64, error) {
	out := make([]int64, len(ss))
	for i, s := range ss {
		n, err := argInt(s)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func checkpointBody(t *tree, n int64, origin string) (string, error) {
	h, err := t.root(n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s\n%d\n%s\n", origin, n, b64(h)), nil
}

type command struct {
	args string // usage of the arguments
	min  int    // number of arguments; -1 for "at least one"
	max  int
	run  func(args []string, out io.Writer) error
}

var commands = map[string]command{
	"root": {"BUNDLE N", 2, 2, func(a []string, out io.Writer) error {
		t, err := readBundle(a[0])
		if err != nil {
			return err
		}
		n, err := argInt(a[1])
		if err != nil {
			return err
		}
		h, err := t.root(n)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, b64(h))
		return nil
	}},
	"inclusion": {"BUNDLE I N", 3, 3, func(a []string, out io.Writer) error {
		t, err := readBundle(a[0])
		if err != nil {
			return err
		}
		x, err := argInts(a[1], a[2])
		if err != nil {
			return err
		}
		p, err := t.inclusion(x[0], x[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(out, marshal(p))
		return nil
	}},
	"inclusion-all": {"BUNDLE N", 2, 2, func(a []string, out io.Writer) error {
		t, err := readBundle(a[0])
		if err != nil {
			return err
		}
		n, err := argInt(a[1])
		if err != nil {
			return err
		}
		for i := int64(0); i < n; i++ {
			p, err := t.inclusion(i, n)
			if err != nil {
				return err
			}
			fmt.Fprintln(out, marshal(p))
		}
		return nil
	}},
	"consistency": {"BUNDLE M N", 3, 3, func(a []string, out io.Writer) error {
		t, err := readBundle(a[0])
		if err != nil {
			return err
		}
		x, err := argInts(a[1], a[2])
		if err != nil {
			return err
		}
		p, err := t.consistency(x[0], x[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(out, marshal(p))
		return nil
	}},
	"consistency-all": {"BUNDLE", 1, 1, func(a []string, out io.Writer) error {
		t, err := readBundle(a[0])
		if err != nil {
			return err
		}
		for m := int64(1); m <= t.size(); m++ {
			for n := m; n <= t.size(); n++ {
				p, err := t.consistency(m, n)
				if err != nil {
					return err
				}
				fmt.Fprintln(out, marshal(p))
			}
		}
		return nil
	}},
	"checkpoint-body": {"BUNDLE N ORIGIN", 3, 3, func(a []string, out io.Writer) error {
		t, err := readBundle(a[0])
		if err != nil {
			return err
		}
		n, err := argInt(a[1])
		if err != nil {
			return err
		}
		body, err := checkpointBody(t, n, a[2])
		if err != nil {
			return err
		}
		fmt.Fprint(out, body)
		return nil
	}},
	"prove": {"BUNDLE I N ORIGIN SKEYFILE", 5, 5, func(a []string, out io.Writer) error {
		t, err := readBundle(a[0])
		if err != nil {
			return err
		}
		x, err := argInts(a[1], a[2])
		if err != nil {
			return err
		}
		p, err := t.inclusion(x[0], x[1])
		if err != nil {
			return err
		}
		body, err := checkpointBody(t, x[1], a[3])
		if err != nil {
			return err
		}
		cp, err := signText(a[4], body)
		if err != nil {
			return err
		}
		w := struct {
			Origin     string         `json:"origin"`
			Record     string         `json:"record"`
			Inclusion  *inclusionJSON `json:"inclusion"`
			Checkpoint string         `json:"checkpoint"`
		}{a[3], string(t.records[x[0]]), p, cp}
		fmt.Fprintln(out, marshal(w))
		return nil
	}},
	"check-prove": {"PROVE.json VKEY [ORIGIN]", 2, 3, func(a []string, out io.Writer) error {
		data, err := readFile(a[0])
		if err != nil {
			return err
		}
		w, p, err := parseWrapper(a[0], data)
		if err != nil {
			return err
		}
		if len(a) == 3 && *w.Origin != a[2] {
			return failf("%s: origin %q, expected %q", a[0], *w.Origin, a[2])
		}
		c, err := openCheckpoint(a[0]+": checkpoint", []byte(*w.Checkpoint), a[1], *w.Origin)
		if err != nil {
			return err
		}
		lh, _ := parseHash("leaf_hash", p.LeafHash)
		if rh := tlog.RecordHash([]byte(*w.Record)); lh != rh {
			return failf("%s: leaf_hash %s is not the record's hash %s", a[0], p.LeafHash, b64(rh))
		}
		if p.TreeSize != c.size {
			return failf("%s: tree_size %d, but the checkpoint's size is %d", a[0], p.TreeSize, c.size)
		}
		proof, _ := parseHashes("proof", p.Proof)
		if err := tlog.CheckRecord(proof, c.size, c.root, p.Index, lh); err != nil {
			return failf("%s: CheckRecord(index %d, size %d): %v", a[0], p.Index, c.size, err)
		}
		fmt.Fprintf(out, "ok: record %d is in the tree of size %d with root %s\n", p.Index, c.size, b64(c.root))
		return nil
	}},
	"check-consistency": {"PROOF.json OLD_NOTE NEW_NOTE VKEY [ORIGIN]", 4, 5, func(a []string, out io.Writer) error {
		data, err := readFile(a[0])
		if err != nil {
			return err
		}
		p, err := parseConsistency(a[0], data)
		if err != nil {
			return err
		}
		origin := ""
		if len(a) == 5 {
			origin = a[4]
		}
		var cps [2]*checkpoint
		for i, f := range a[1:3] {
			msg, err := readFile(f)
			if err != nil {
				return err
			}
			if cps[i], err = openCheckpoint(f, msg, a[3], origin); err != nil {
				return err
			}
		}
		old, nw := cps[0], cps[1]
		if old.origin != nw.origin {
			return failf("the checkpoints have different origins: %q and %q", old.origin, nw.origin)
		}
		if old.size != p.OldSize || nw.size != p.NewSize {
			return failf("%s: sizes %d and %d, but the checkpoints' sizes are %d and %d", a[0], p.OldSize, p.NewSize, old.size, nw.size)
		}
		proof, _ := parseHashes("proof", p.Proof)
		if err := tlog.CheckTree(proof, nw.size, nw.root, old.size, old.root); err != nil {
			return failf("%s: CheckTree(%d, %d): %v", a[0], old.size, nw.size, err)
		}
		fmt.Fprintf(out, "ok: the tree of size %d extends the tree of size %d\n", nw.size, old.size)
		return nil
	}},
	"open-note": {"NOTE VKEY", 2, 2, func(a []string, out io.Writer) error {
		msg, err := readFile(a[0])
		if err != nil {
			return err
		}
		n, err := openNote(a[0], msg, a[1])
		if err != nil {
			return err
		}
		fmt.Fprint(out, n.Text)
		return nil
	}},
	"open-checkpoint": {"NOTE VKEY [ORIGIN]", 2, 3, func(a []string, out io.Writer) error {
		msg, err := readFile(a[0])
		if err != nil {
			return err
		}
		origin := ""
		if len(a) == 3 {
			origin = a[2]
		}
		c, err := openCheckpoint(a[0], msg, a[1], origin)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %d %s\n", c.origin, c.size, b64(c.root))
		return nil
	}},
	"genkey": {"NAME SKEYFILE", 2, 2, func(a []string, out io.Writer) error {
		skey, vkey, err := note.GenerateKey(rand.Reader, a[0])
		if err != nil {
			return usagef("note.GenerateKey: %v", err)
		}
		f, err := os.OpenFile(a[1], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0600)
		if err != nil {
			return usagef("%v", err)
		}
		if _, err := fmt.Fprintln(f, skey); err != nil {
			f.Close()
			return usagef("%v", err)
		}
		if err := f.Close(); err != nil {
			return usagef("%v", err)
		}
		fmt.Fprintln(out, vkey)
		return nil
	}},
	"sign": {"SKEYFILE TEXTFILE", 2, 2, func(a []string, out io.Writer) error {
		text, err := readFile(a[1])
		if err != nil {
			return err
		}
		msg, err := signText(a[0], string(text))
		if err != nil {
			return err
		}
		fmt.Fprint(out, msg)
		return nil
	}},
	// A file that does not parse gives the line "error: ..." in its place,
	// and the exit status 1 after all files.
	"canon": {"FILE...", -1, 0, func(a []string, out io.Writer) error {
		var first error
		for _, f := range a {
			data, err := readFile(f)
			if err != nil {
				return err
			}
			var v interface{}
			var probe map[string]json.RawMessage
			if err = json.Unmarshal(data, &probe); err != nil {
				err = failf("%s: %v", f, err)
			} else if _, ok := probe["inclusion"]; ok {
				_, v, err = parseWrapper(f, data)
			} else if _, ok := probe["index"]; ok {
				v, err = parseInclusion(f, data)
			} else {
				v, err = parseConsistency(f, data)
			}
			if err != nil {
				fmt.Fprintf(out, "error: %v\n", err)
				if first == nil {
					first = err
				}
				continue
			}
			fmt.Fprintln(out, marshal(v))
		}
		return first
	}},
	"member": {"FILE NAME", 2, 2, func(a []string, out io.Writer) error {
		data, err := readFile(a[0])
		if err != nil {
			return err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return failf("%s: %v", a[0], err)
		}
		var s string
		if raw, ok := m[a[1]]; !ok || json.Unmarshal(raw, &s) != nil {
			return failf("%s: no string member %q", a[0], a[1])
		}
		fmt.Fprint(out, s)
		return nil
	}},
	"tamper": {"flip|extra|drop|index|leaf IN OUT", 3, 3, func(a []string, out io.Writer) error {
		data, err := readFile(a[1])
		if err != nil {
			return err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return failf("%s: %v", a[1], err)
		}
		target := m // the proof object: IN itself, or a wrapper's inclusion
		raw, wrapped := m["inclusion"]
		if wrapped {
			target = nil
			if err := json.Unmarshal(raw, &target); err != nil {
				return failf("%s: inclusion: %v", a[1], err)
			}
		}
		var proof []string
		if err := json.Unmarshal(target["proof"], &proof); err != nil {
			return failf("%s: proof: %v", a[1], err)
		}
		set := func(name string, v interface{}) { target[name] = json.RawMessage(marshal(v)) }
		flip := func(s string) string {
			h, err := parseHash("hash", s)
			if err != nil {
				return s
			}
			h[len(h)/2] ^= 0x01
			return b64(h)
		}
		switch a[0] {
		case "flip": // one bit of the first proof hash
			if len(proof) == 0 {
				return usagef("%s: the proof is empty; nothing to flip", a[1])
			}
			proof[0] = flip(proof[0])
			set("proof", proof)
		case "extra": // one more hash at the end
			extra := b64(tlog.RecordHash([]byte("tlogcheck: an extra hash")))
			set("proof", append(proof, extra))
		case "drop": // the last hash removed
			if len(proof) == 0 {
				return usagef("%s: the proof is empty; nothing to drop", a[1])
			}
			set("proof", proof[:len(proof)-1])
		case "index": // inclusion: the next index (mod tree_size); consistency: old_size - 1 or + 1
			if _, ok := target["index"]; ok {
				var i, n int64
				if json.Unmarshal(target["index"], &i) != nil || json.Unmarshal(target["tree_size"], &n) != nil || n < 2 {
					return usagef("%s: need an index in a tree of at least 2", a[1])
				}
				set("index", (i+1)%n)
			} else {
				var o, n int64
				if json.Unmarshal(target["old_size"], &o) != nil || json.Unmarshal(target["new_size"], &n) != nil {
					return usagef("%s: no old_size and new_size", a[1])
				}
				if o > 1 {
					set("old_size", o-1)
				} else if o < n {
					set("old_size", o+1)
				} else {
					return usagef("%s: old_size = new_size = 1; nothing to change", a[1])
				}
			}
		case "leaf": // one bit of the leaf hash
			var s string
			if json.Unmarshal(target["leaf_hash"], &s) != nil {
				return usagef("%s: no leaf_hash", a[1])
			}
			set("leaf_hash", flip(s))
		default:
			return usagef("tamper: unknown change %q", a[0])
		}
		if wrapped {
			m["inclusion"] = json.RawMessage(marshal(target))
		}
		if err := os.WriteFile(a[2], []byte(marshal(m)+"\n"), 0644); err != nil {
			return usagef("%v", err)
		}
		return nil
	}},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	c, ok := commands[name]
	var err error
	switch {
	case name == "-h" || name == "--help" || name == "help":
		fmt.Print(usage)
		return
	case !ok:
		err = usagef("unknown command %q (tlogcheck --help lists them)", name)
	case c.min < 0 && len(args) == 0, c.min >= 0 && (len(args) < c.min || len(args) > c.max):
		err = usagef("usage: tlogcheck %s %s", name, c.args)
	default:
		var buf bytes.Buffer
		err = c.run(args, &buf)
		if _, werr := os.Stdout.Write(buf.Bytes()); werr != nil && err == nil {
			err = usagef("%v", werr)
		}
	}
	if err != nil {
		code := 2
		var e *exitError
		if errors.As(err, &e) {
			code = e.code
		}
		fmt.Fprintf(os.Stderr, "tlogcheck %s: %v\n", name, err)
		os.Exit(code)
	}
}
