#!/bin/bash
# valgrind.sh - the unit test programs and a representative CLI session under
# valgrind's memcheck: any memory error, or any definite or indirect leak,
# fails the check.
#
#   bash valgrind.sh AVOW AVOW_VERIFY SRCDIR UNIT_TEST_DIR
#
# UNIT_TEST_DIR holds the test_* programs (build/tests). They run from
# SRCDIR/tests, as ctest runs them. The session: key import and generate
# (one with a passphrase), init, key possession and add, append (the seed and
# a generated batch), claim, deny, amend, log, show, export, verify and
# avow-verify (log, bundle, JSON, with a checkpoint), report (text, JSON, one
# claim), checkpoint, prove, consistency, the avow-verify inclusion and
# consistency modes, import, monitor, reindex, key list, and error paths (a
# wrong passphrase, a bad append line, a file that is not a log, a missing
# log). Valgrind's own exit status for an error is 99; an expected failure of
# the command itself must keep its usual status.
#
# Needs valgrind, and a build without AddressSanitizer (AVOW_SANITIZE=OFF).
# Size (environment): AVOW_VALGRIND_BATCH lines in the generated batch
# (default 200).
. "$(dirname "$0")/../lib.sh"
UNIT=${4:-}
[ -z "$UNIT" ] || UNIT=$(CDPATH= cd -- "$UNIT" && pwd) || exit 2
BATCH=${AVOW_VALGRIND_BATCH:-200}
case $BATCH in '' | *[!0-9]*) echo "$0: AVOW_VALGRIND_BATCH must be a number" >&2; exit 2 ;; esac
command -v valgrind >/dev/null 2>&1 || { echo "$0: valgrind is not installed" >&2; exit 2; }
if nm -u "$AVOW" 2>/dev/null | grep -q __asan_init; then
	echo "$0: $AVOW is built with AddressSanitizer; valgrind cannot run it" >&2
	exit 2
fi

export AVOW_KDF_LIMITS=interactive
VLOGS=$T/vg
mkdir -p "$VLOGS"
NV=0
VG_ERRS=0
# vg WANT CMD...: run CMD under memcheck; it must exit WANT (or "nonzero")
# with no memcheck error or definite/indirect leak. Output in $OUT/$ERR.
vg() {
	want=$1
	shift
	NV=$((NV + 1))
	vlog=$VLOGS/$NV.log
	t0=$(date +%s%N)
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$vlog" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	VMS=$((($(date +%s%N) - t0) / 1000000))
	name="$*"
	name=${name#"$AVOW" }
	name=${name#"$AVOW_VERIFY" }
	name=${name#"$UNIT"/}
	if [ "$RC" -eq 99 ] || [ -s "$vlog" ]; then
		VG_ERRS=$((VG_ERRS + 1))
		not_ok "memcheck: $name (exit $RC)" "$(grep -E 'Invalid|uninitialised|definitely|indirectly|at 0x|by 0x' "$vlog" | head -20)"
		return 1
	fi
	case $want in
	nonzero) [ "$RC" -ne 0 ] ;;
	*) [ "$RC" -eq "$want" ] ;;
	esac || {
		not_ok "$name: exit $RC, expected $want" "$(head -c 400 "$ERR")"
		return 1
	}
	ok "memcheck clean, exit $RC, ${VMS} ms: $name"
}

# --- unit tests ---------------------------------------------------------------
if [ -n "$UNIT" ]; then
	n=0
	cd "$SRC/tests" || exit 2
	for t in "$UNIT"/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		vg 0 "$t" && n=$((n + 1))
	done
	cd - >/dev/null || exit 2
	check "unit tests under memcheck: $n programs clean" test "$n" -ge 1
else
	echo "# NOTE: no UNIT_TEST_DIR given: the unit tests did not run"
fi

# --- a CLI session ------------------------------------------------------------
D=$T/s
L=$D/log.db
mkdir -p "$D"
A="$AVOW --log $L"
vg 0 "$AVOW" key import "$KEYS/newsdesk.c2sp" -o "$D/newsdesk.key" --no-passphrase
vg 0 "$AVOW" key import "$KEYS/alice.c2sp" -o "$D/alice.key" --no-passphrase
printf 'valgrind pass\n' >"$D/pass"
vg 0 "$AVOW" --passphrase-file "$D/pass" key generate enc -o "$D/enc.key"
ENC=$(head -1 "$OUT")
vg 0 $A --key "$D/newsdesk.key" init --origin "$ORIGIN" --holder "Newsdesk"
vg 0 "$AVOW" --key "$D/alice.key" key possession --origin "$ORIGIN"
P=$(cat "$OUT")
vg 0 $A --key "$D/newsdesk.key" key add "$(cat "$KEYS/alice.vkey")" --possession "$P" --role recorder --holder Alice
vg 0 "$AVOW" --key "$D/enc.key" --passphrase-file "$D/pass" key possession --origin "$ORIGIN"
P=$(cat "$OUT")
vg 0 $A --key "$D/newsdesk.key" key add "$ENC" --possession "$P" --role admin --holder Enc
vg 0 $A --key "$D/alice.key" append "$SEED"
awk -v n="$BATCH" 'BEGIN { for (i = 1; i <= n; i++)
	printf "{\"type\":\"claim\",\"body\":{\"by\":\"us-gov\",\"text\":\"valgrind %d\",\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"V\"},\"topics\":[\"valgrind\"]}}\n", i }' >"$D/batch.jsonl"
vg 0 $A --key "$D/alice.key" append "$D/batch.jsonl"
vg 0 $A --key "$D/alice.key" claim --by us-gov --text "Under valgrind." --paraphrase --said-at 2023-09 --url https://example.org/v --archive "$ARTICLE" --about cn-gov --topic v
c=$(cat "$OUT")
vg 0 $A --key "$D/alice.key" deny "$c" --by cn-gov --text "No." --quote --said-at 2023-09-02 --title "Denial"
vg 0 $A --key "$D/alice.key" amend "$c" --reason "typo" --set 'said_at="2023-08"'
vg 0 $A --key "$D/alice.key" actor add v-actor --name "V" --kind person
vg 0 $A log
vg 0 $A log --json
vg 0 $A show 21
vg 0 $A show 21 --json
vg 0 $A export -o "$D/bundle"
vg 0 $A key list
vg 0 $A actor list --json
vg 0 $A verify --json
vg 0 "$AVOW_VERIFY" --log "$L"
vg 0 "$AVOW_VERIFY" --bundle "$D/bundle" --json --all
vg 0 $A report
vg 0 $A report --format json
vg 0 $A report --claim 21
vg 0 $A report --topic valgrind --format json
vg 0 $A source check 21 "$ARTICLE"
vg 1 $A source check 21 "$SEED"
vg 0 $A --key "$D/newsdesk.key" checkpoint -o "$D/cp10.txt" --size 10
vg 0 $A --key "$D/enc.key" --passphrase-file "$D/pass" checkpoint -o "$D/cp.txt"
vg 0 "$AVOW_VERIFY" --log "$L" --checkpoint "$D/cp.txt" --verifier-key "$ENC"
vg 0 $A prove 21 --checkpoint "$D/cp.txt" -o "$D/p21.json"
vg 0 $A --key "$D/newsdesk.key" prove 22 --size 30
vg 0 "$AVOW_VERIFY" inclusion "$D/p21.json" --verifier-key "$ENC" --origin "$ORIGIN"
vg 0 $A consistency 10 -o "$D/c10.json"
vg 0 "$AVOW_VERIFY" consistency "$D/c10.json" --old "$D/cp10.txt" --new "$D/cp.txt" --verifier-key "$(cat "$KEYS/newsdesk.vkey")" --verifier-key "$ENC" --origin "$ORIGIN"
vg 0 "$AVOW" --log "$D/mirror.db" import "$D/bundle" --checkpoint "$D/cp.txt" --verifier-key "$ENC"
vg 0 "$AVOW" monitor "$D/bundle" --state "$D/mon" --checkpoint "$D/cp.txt" --verifier-key "$ENC"
vg 0 $A reindex
# Error paths.
printf 'wrong\n' >"$D/wrong"
vg 2 $A --key "$D/enc.key" --passphrase-file "$D/wrong" claim --by us-gov --text x --paraphrase --said-at 2023 --title T
printf '{"type":"claim","body":{"by":"nobody","text":"x","quote":false,"said_at":"2023","source":{"title":"T"}}}\n' >"$D/bad.jsonl"
vg 1 $A --key "$D/alice.key" append "$D/bad.jsonl"
vg 2 "$AVOW" --log /etc/passwd log
vg 2 "$AVOW_VERIFY" --log /etc/passwd
vg 2 "$AVOW" --log "$D/missing.db" report
vg 2 "$AVOW" --log "$L" --bogus
vg 2 "$AVOW_VERIFY" --bundle "$D/missing.bundle"
chmod 644 "$D/alice.key"
vg 2 "$AVOW" --key "$D/alice.key" key possession --origin "$ORIGIN"
chmod 600 "$D/alice.key"

echo "# valgrind.sh: $NV commands under memcheck, $VG_ERRS with errors or leaks"
finish
