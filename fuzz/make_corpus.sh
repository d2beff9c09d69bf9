#!/bin/bash
# make_corpus.sh - (re)make the seed corpus in fuzz/corpus/<target>/.
#
#   bash fuzz/make_corpus.sh BUILD_DIR [FUZZ_BUILD_DIR]
#
# BUILD_DIR holds the real programs (avow, avow-verify) of a normal build;
# FUZZ_BUILD_DIR (default build-fuzz) holds gen_corpus (fuzz/gen_corpus.c),
# which writes the seeds that must fit the fuzz targets' prefix log. The
# rest comes from the real programs run on the demo log of tests/lib.sh
# (make_demo), and from tests/conformance, tests/vectors and fixtures/.
# Files are named gen-*, real-*, conf-*, vec-*, fix-*; existing files of
# those names are replaced, others (seeds added by hand) are kept.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [FUZZ_BUILD_DIR]" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd)
FB=${2:-$SRC/build-fuzz}
C=$SRC/fuzz/corpus
AVOW=$B/avow
AVOW_VERIFY=$B/avow-verify
for t in fuzz_json fuzz_record fuzz_bundle fuzz_checkpoint fuzz_proof \
	fuzz_append fuzz_keyfile; do
	mkdir -p "$C/$t"
	rm -f "$C/$t"/gen-* "$C/$t"/real-* "$C/$t"/conf-* "$C/$t"/vec-* \
		"$C/$t"/fix-*
done

# The library's own seeds.
"$FB/fuzz/gen_corpus" "$C"

# The real programs, on the demo log (as tests/lib.sh make_demo).
T=$(mktemp -d "${TMPDIR:-/tmp}/avow-corpus.XXXXXX")
trap 'rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=1695081600
unset AVOW_LOG AVOW_KEY AVOW_PASSPHRASE
ORIGIN=claims.example.org/wang-yi-moscow-2023
K=$SRC/fixtures/keys
VK=$(cat "$K/newsdesk.vkey")
"$AVOW" key import "$K/newsdesk.c2sp" -o "$T/newsdesk.key" --no-passphrase >/dev/null 2>&1
"$AVOW" key import "$K/alice.c2sp" -o "$T/alice.key" --no-passphrase >/dev/null 2>&1
mk_base() { # DB
	"$AVOW" --log "$1" --key "$T/newsdesk.key" init --origin "$ORIGIN" \
		--holder "Example Newsroom claims desk" >/dev/null 2>&1
	p=$("$AVOW" --key "$T/alice.key" key possession --origin "$ORIGIN")
	"$AVOW" --log "$1" --key "$T/newsdesk.key" key add "$(cat "$K/alice.vkey")" \
		--possession "$p" --role recorder --holder Alice >/dev/null 2>&1
}
L=$T/demo.db
mk_base "$L"
"$AVOW" --log "$L" --key "$T/alice.key" append "$SRC/fixtures/seed.jsonl" >/dev/null 2>&1
A() { "$AVOW" --log "$L" "$@"; }
A export -o "$C/fuzz_bundle/real-demo.bundle"
A --key "$T/newsdesk.key" checkpoint -o "$T/cp42.txt" 2>/dev/null
A --key "$T/newsdesk.key" checkpoint --size 3 -o "$T/cp3.txt" 2>/dev/null
cp "$T/cp42.txt" "$C/fuzz_checkpoint/real-cp42"
cp "$T/cp3.txt" "$C/fuzz_checkpoint/real-cp3"
# Records of the demo log, one a file (some for fuzz_json too).
n=0
while IFS= read -r line; do
	case $n in 0 | 1 | 2 | 21 | 22 | 33 | 41)
		printf '%s' "$line" >"$C/fuzz_record/real-demo-$n"
		printf '%s' "$line" >"$C/fuzz_json/real-demo-$n" ;;
	esac
	n=$((n + 1))
done <"$C/fuzz_bundle/real-demo.bundle"
# A demo cut short, for bundles.
head -n 5 "$C/fuzz_bundle/real-demo.bundle" >"$C/fuzz_bundle/real-demo-5.bundle"
# Proofs: the first byte picks the parser in fuzz_proof (0, 1, 2).
sel() { printf "\\$(printf %03o "$1")"; }
for i in 0 7 21 41; do
	A prove "$i" --checkpoint "$T/cp42.txt" -o "$T/p.json" 2>/dev/null
	{ sel 0; cat "$T/p.json"; } >"$C/fuzz_proof/real-prove-$i"
done
A consistency 13 42 -o "$T/c.json" 2>/dev/null
{ sel 1; cat "$T/c.json"; } >"$C/fuzz_proof/real-consistency-13-42"
A consistency 42 42 -o "$T/c.json" 2>/dev/null
{ sel 1; cat "$T/c.json"; } >"$C/fuzz_proof/real-consistency-42-42"
# A fork: another log of the same origin and key, whose record 2 differs.
F=$T/fork.db
mk_base "$F"
"$AVOW" --log "$F" --key "$T/alice.key" actor add other --name Other \
	--kind group >/dev/null 2>&1
"$AVOW" --log "$F" --key "$T/newsdesk.key" checkpoint -o "$T/fork3.txt" 2>/dev/null
cp "$T/fork3.txt" "$C/fuzz_checkpoint/real-fork3"
"$AVOW_VERIFY" --log "$L" --checkpoint "$T/cp3.txt" --verifier-key "$VK" \
	--checkpoint "$T/fork3.txt" --evidence "$T/ev.json" >/dev/null 2>&1 || true
{ sel 2; cat "$T/ev.json"; } >"$C/fuzz_proof/real-evidence-same"
"$AVOW_VERIFY" --log "$L" --checkpoint "$T/fork3.txt" --verifier-key "$VK" \
	--checkpoint "$T/cp42.txt" --evidence "$T/ev2.json" >/dev/null 2>&1 || true
{ sel 2; cat "$T/ev2.json"; } >"$C/fuzz_proof/real-evidence-consistency"
# Drafts: the seed article's lines, the whole file and a few alone.
cp "$SRC/fixtures/seed.jsonl" "$C/fuzz_append/fix-seed.jsonl"
for k in 1 20 33 40; do
	sed -n "${k}p" "$SRC/fixtures/seed.jsonl" >"$C/fuzz_append/fix-seed-line-$k"
done
head -n 22 "$SRC/fixtures/seed.jsonl" | sed -n '1,4p;21,22p' \
	>"$C/fuzz_append/fix-seed-actors-claims"
# Key files written by the real program (the encrypted one uses real
# Argon2id, so under the fuzzer's KDF stub it fails at the unsealing),
# and the fixtures' C2SP keys.
"$AVOW" key import "$K/bob.c2sp" -o "$T/bob.key" --no-passphrase >/dev/null 2>&1
cp "$T/bob.key" "$C/fuzz_keyfile/real-plain.key"
printf 'fuzz passphrase\n' >"$T/pass"
AVOW_KDF_LIMITS=interactive "$AVOW" --passphrase-file "$T/pass" key import \
	"$K/editor.c2sp" -o "$T/editor.key" >/dev/null 2>&1
cp "$T/editor.key" "$C/fuzz_keyfile/real-encrypted.key"
for k in alice bob editor newsdesk; do
	cp "$K/$k.c2sp" "$C/fuzz_keyfile/fix-$k.c2sp"
	cp "$K/$k.vkey" "$C/fuzz_checkpoint/fix-$k.vkey"
done

# Conformance cases: a few bundles (each hits another check), every
# checkpoint, and single records.
for d in "$SRC"/tests/conformance/[0-9]*/; do
	c=$(basename "$d")
	case $c in 001-* | 007-* | 009-* | 011-* | 013-* | 019-* | 031-* | \
		033-* | 035-* | 045-* | 055-* | 063-* | 099-* | 113-* | 131-* | \
		133-*)
		cp "$d/log.bundle" "$C/fuzz_bundle/conf-$c" ;;
	esac
	[ -f "$d/checkpoint" ] && cp "$d/checkpoint" "$C/fuzz_checkpoint/conf-$c"
done
for c in 003-admin-records 019-whitespace 023-escaped-character \
	027-invalid-utf8 029-encoded-surrogate 045-cosigned-claim; do
	f=$SRC/tests/conformance/$c/log.bundle
	[ -f "$f" ] || continue
	sed -n 3p "$f" | tr -d '\n' >"$C/fuzz_json/conf-$c-3"
	sed -n 3p "$f" | tr -d '\n' >"$C/fuzz_record/conf-$c-3"
done
# JCS vectors.
for f in "$SRC"/tests/vectors/jcs/input/*; do
	cp "$f" "$C/fuzz_json/vec-$(basename "$f")"
done
for f in "$SRC"/tests/vectors/jcs/output/*; do
	cp "$f" "$C/fuzz_json/vec-out-$(basename "$f")"
done
chmod 644 "$C"/*/*
for t in "$C"/*/; do
	echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"
done
