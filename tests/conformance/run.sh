#!/bin/sh
# run.sh - audit every conformance case with avow-verify and compare the
# verdict with the case's `expect` (see README.md).
#
#   sh run.sh AVOW_VERIFY [DIR]
#   AVOW_VERIFY_ARGS="--jobs 1" sh run.sh ...   (extra avow-verify options)
#
# DIR defaults to this script's directory. For each DIR/*/expect the auditor
# runs, in the case directory, as
#   AVOW_VERIFY --bundle log.bundle
#               [--checkpoint checkpoint --verifier-key KEY] --json
# and must exit 0 for `pass` and 1 for `fail ...`; for `fail N` the first
# failure in its JSON output must have "seq":N, for `fail checkpoint`
# "seq":null and "check":"checkpoint". Each case must also be listed in
# DIR/INDEX.tsv with the same expectation, and every case listed there must
# exist (a partial copy is caught).
#
# Prints one line per disagreement, then `N passed, M failed` (counting
# cases); exits 0 when all agree, 1 otherwise, 2 on a usage error.
# Plain POSIX sh and sed: no python, no jq.

usage() {
	echo "usage: sh run.sh AVOW_VERIFY [DIR]" >&2
	exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
verify=$1
if [ ! -f "$verify" ] || [ ! -x "$verify" ]; then
	echo "run.sh: $verify is not an executable file" >&2
	exit 2
fi
case $verify in
/*) ;;
*) verify=$(pwd)/$verify ;;
esac

if [ $# -eq 2 ]; then
	dir=$2
else
	dir=$(dirname -- "$0")
fi
dir=$(CDPATH= cd -- "$dir" 2>/dev/null && pwd) || {
	echo "run.sh: no directory $2" >&2
	exit 2
}

errfile=$(mktemp "${TMPDIR:-/tmp}/avow-conformance.XXXXXX") || exit 2
trap 'rm -f "$errfile"' EXIT
trap 'exit 130' HUP INT TERM

tab=$(printf '\t')
passed=0
failed=0

# disagree CASE MESSAGE: report one disagreement (with the auditor's stderr
# when it exited with neither 0 nor 1) and mark the case as failed.
disagree() {
	echo "$1: $2"
	if [ "$rc" -gt 1 ] && [ -s "$errfile" ]; then
		sed -n '1,5s/^/    stderr: /p' "$errfile"
	fi
	bad=1
}

# strip_escapes, first_failure, member: tests/verdict.sh.
. "$(dirname -- "$0")/../verdict.sh"

# check_case CASE_DIR NAME: run one case; sets bad=1 on a disagreement.
check_case() {
	case_dir=$1
	name=$2
	want=
	what=
	read -r want what rest <"$case_dir/expect"
	expect="$want${what:+ }$what"
	case $expect in
	pass | "fail checkpoint") ;;
	"fail "[0-9]*)
		case $what in
		*[!0-9]*)
			disagree "$name" "bad expect file: \"$expect\""
			return
			;;
		esac
		;;
	*)
		disagree "$name" "bad expect file: \"$expect\""
		return
		;;
	esac

	if [ -f "$dir/INDEX.tsv" ]; then
		listed=$(sed -n "s/^$name$tab\([^$tab]*\).*/\1/p" "$dir/INDEX.tsv")
		if [ "$listed" != "$expect" ]; then
			disagree "$name" "expect says \"$expect\", INDEX.tsv says \"$listed\""
		fi
	fi
	if [ ! -f "$case_dir/log.bundle" ]; then
		disagree "$name" "no log.bundle"
		return
	fi

	if [ -f "$case_dir/checkpoint" ] && [ -f "$case_dir/verifier-key" ]; then
		# shellcheck disable=SC2086 # AVOW_VERIFY_ARGS: extra words
		out=$(cd "$case_dir" && "$verify" --bundle log.bundle \
			${AVOW_VERIFY_ARGS:-} --checkpoint checkpoint \
			--verifier-key "$(cat verifier-key)" --json 2>"$errfile")
	else
		# shellcheck disable=SC2086
		out=$(cd "$case_dir" && "$verify" --bundle log.bundle \
			${AVOW_VERIFY_ARGS:-} --json 2>"$errfile")
	fi
	rc=$?

	json=$(printf '%s\n' "$out" | strip_escapes)
	verdict=$(printf '%s\n' "$json" | member verdict)
	first=$(first_failure "$json")
	seq=$(printf '%s\n' "$first" | member seq)
	check=$(printf '%s\n' "$first" | member check)

	if [ "$want" = pass ]; then
		if [ "$rc" -ne 0 ]; then
			disagree "$name" "expected pass, got exit $rc (first failure: seq ${seq:-?}, check ${check:-?})"
		elif [ "$verdict" != pass ]; then
			disagree "$name" "expected pass, exit 0 but verdict \"$verdict\""
		elif [ -n "$first" ]; then
			disagree "$name" "expected pass, exit 0 but failures listed: $first"
		fi
		return
	fi

	if [ "$rc" -ne 1 ]; then
		disagree "$name" "expected $expect, got exit $rc"
	elif [ "$verdict" != fail ]; then
		disagree "$name" "expected $expect, exit 1 but verdict \"$verdict\""
	elif [ -z "$first" ]; then
		disagree "$name" "expected $expect, no failure found in the JSON output"
	elif [ "$what" = checkpoint ]; then
		if [ "$seq" != null ] || [ "$check" != checkpoint ]; then
			disagree "$name" "expected fail checkpoint (seq null, check checkpoint), got seq $seq, check $check"
		fi
	elif [ "$seq" != "$what" ]; then
		disagree "$name" "expected $expect, got seq $seq (check $check)"
	fi
}

for expect_file in "$dir"/*/expect; do
	[ -f "$expect_file" ] || continue
	case_dir=${expect_file%/expect}
	: >"$errfile"
	rc=0
	bad=0
	check_case "$case_dir" "${case_dir##*/}"
	if [ "$bad" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

# Every case INDEX.tsv lists must be here.
if [ -f "$dir/INDEX.tsv" ]; then
	: >"$errfile"
	rc=0
	while IFS=$tab read -r name expect rest || [ -n "$name" ]; do
		[ "$name" = case ] && continue
		[ -n "$name" ] || continue
		if [ ! -f "$dir/$name/expect" ]; then
			disagree "$name" "listed in INDEX.tsv, but no $name/expect"
			failed=$((failed + 1))
		fi
	done <"$dir/INDEX.tsv"
fi

if [ $((passed + failed)) -eq 0 ]; then
	echo "run.sh: no cases in $dir" >&2
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
