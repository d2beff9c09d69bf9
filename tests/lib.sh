# lib.sh - shared helpers for the CLI, tamper and xcheck test scripts.
#
# Source it as: . "$(dirname "$0")/../lib.sh" AVOW AVOW_VERIFY SRCDIR
# It sets AVOW, AVOW_VERIFY, SRC (the project source directory) and T (a
# fresh temporary directory, removed on exit), and exports a fixed
# SOURCE_DATE_EPOCH. Each check prints "ok - NAME" or "FAIL - NAME ..."; call
# finish at the end to print "N passed, M failed" and exit non-zero on any
# failure. Plain sh (bash is fine); no python, no jq.

if [ $# -lt 3 ]; then
	echo "usage: $0 AVOW AVOW_VERIFY SRCDIR" >&2
	exit 2
fi
AVOW=$1
AVOW_VERIFY=$2
SRC=$3
case $AVOW in /*) ;; *) AVOW=$(pwd)/$AVOW ;; esac
case $AVOW_VERIFY in /*) ;; *) AVOW_VERIFY=$(pwd)/$AVOW_VERIFY ;; esac
SRC=$(CDPATH= cd -- "$SRC" && pwd) || exit 2
for b in "$AVOW" "$AVOW_VERIFY"; do
	[ -x "$b" ] || { echo "$0: $b is not executable" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/avow-test.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM

SOURCE_DATE_EPOCH=1695081600
export SOURCE_DATE_EPOCH
unset AVOW_LOG AVOW_KEY AVOW_PASSPHRASE
# The saved audited states go with the test, not to the user's home.
AVOW_STATE_DIR=$T/.state
export AVOW_STATE_DIR

ORIGIN=claims.example.org/wang-yi-moscow-2023
SEED=$SRC/fixtures/seed.jsonl
ARTICLE=$SRC/fixtures/seed/wang-yi-moscow-2023-09-18.txt
KEYS=$SRC/fixtures/keys

PASSED=0
FAILED=0
OUT=$T/.out
ERR=$T/.err
RC=0

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $1"
}
not_ok() {
	FAILED=$((FAILED + 1))
	echo "FAIL - $1"
	shift
	for line in "$@"; do
		printf '    %s\n' "$line"
	done
}

# run CMD...: run a command, keeping stdout in $OUT, stderr in $ERR and the
# exit status in $RC.
run() {
	"$@" >"$OUT" 2>"$ERR"
	RC=$?
	return 0
}

# expect_exit CODE CMD...: run CMD and check its exit status. CODE may be
# "nonzero".
expect_exit() {
	want=$1
	shift
	run "$@"
	if [ "$want" = nonzero ]; then
		[ "$RC" -ne 0 ] && { ok "exit $RC (non-zero): $*"; return 0; }
	elif [ "$RC" -eq "$want" ]; then
		ok "exit $want: $*"
		return 0
	fi
	not_ok "expected exit $want, got $RC: $*" "stderr: $(head -c 600 "$ERR")"
	return 1
}

# expect_stderr SUBSTRING [WHAT]: the last run's stderr contains SUBSTRING.
expect_stderr() {
	if grep -qF -- "$1" "$ERR"; then
		ok "stderr has \"$1\"${2:+ ($2)}"
	else
		not_ok "stderr lacks \"$1\"${2:+ ($2)}" "stderr: $(head -c 600 "$ERR")"
	fi
}

# expect_stdout SUBSTRING [WHAT]: the last run's stdout contains SUBSTRING.
expect_stdout() {
	if grep -qF -- "$1" "$OUT"; then
		ok "stdout has \"$1\"${2:+ ($2)}"
	else
		not_ok "stdout lacks \"$1\"${2:+ ($2)}" "stdout: $(head -c 600 "$OUT")"
	fi
}

# check NAME CMD...: a check that passes when CMD succeeds.
check() {
	_cname=$1
	shift
	if "$@"; then ok "$_cname"; else not_ok "$_cname"; fi
}

# same_file A B NAME: A and B are byte-identical.
same_file() {
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3" "$1 and $2 differ"; fi
}

# import_key NAME DIR: import fixtures/keys/NAME.c2sp to DIR/NAME.key.
import_key() {
	"$AVOW" key import "$KEYS/$1.c2sp" -o "$2/$1.key" --no-passphrase \
		>/dev/null 2>&1
}

# make_base DIR: a log DIR/demo.db with its genesis (newsdesk) and alice
# enrolled as a recorder (seq 0 and 1), keys in DIR.
make_base() {
	d=$1
	mkdir -p "$d" || return 1
	import_key newsdesk "$d" && import_key alice "$d" || return 1
	"$AVOW" --log "$d/demo.db" --key "$d/newsdesk.key" init \
		--origin "$ORIGIN" --holder "Example Newsroom claims desk" \
		>/dev/null 2>&1 || return 1
	p=$("$AVOW" --key "$d/alice.key" key possession --origin "$ORIGIN" \
		2>/dev/null) || return 1
	"$AVOW" --log "$d/demo.db" --key "$d/newsdesk.key" key add \
		"$(cat "$KEYS/alice.vkey")" --possession "$p" --role recorder \
		--holder "Alice" >/dev/null 2>&1
}

# make_demo DIR: make_base, then fixtures/seed.jsonl appended by alice
# (seq 2..41; line k of the seed is seq k+1).
make_demo() {
	make_base "$1" &&
		"$AVOW" --log "$1/demo.db" --key "$1/alice.key" append "$SEED" \
			>/dev/null 2>&1
}

# count_records DB: the number of rows in DB's records table.
count_records() {
	sqlite3 "$1" 'SELECT count(*) FROM records;'
}

# strip_escapes, first_failure, member
. "$SRC/tests/verdict.sh"

# expect_first_failure NAME SEQ CHECK... -- ARGS...: run avow-verify ARGS
# --json; it must exit 1 and its first failure must have seq SEQ and a check
# among CHECK... .
expect_first_failure() {
	name=$1
	want_seq=$2
	shift 2
	checks=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		checks="$checks $1"
		shift
	done
	shift
	run "$AVOW_VERIFY" "$@" --json
	json=$(strip_escapes <"$OUT")
	first=$(first_failure "$json")
	got_seq=$(printf '%s\n' "$first" | member seq)
	got_check=$(printf '%s\n' "$first" | member check)
	if [ "$RC" -ne 1 ]; then
		not_ok "$name: expected exit 1, got $RC" "stderr: $(head -c 400 "$ERR")"
		return 1
	fi
	case $json in
	*'"verdict":"fail"'*) ;;
	*) not_ok "$name: verdict is not fail" "$json"; return 1 ;;
	esac
	if [ "$got_seq" != "$want_seq" ]; then
		not_ok "$name: first failure at seq $got_seq ($got_check), expected $want_seq" "$first"
		return 1
	fi
	for c in $checks; do
		if [ "$got_check" = "$c" ]; then
			ok "$name: fails at seq $want_seq, check $got_check"
			return 0
		fi
	done
	not_ok "$name: check \"$got_check\" at seq $got_seq, expected one of:$checks" "$first"
	return 1
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit $?
}
