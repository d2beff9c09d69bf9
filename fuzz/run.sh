#!/bin/bash
# run.sh - build the libFuzzer targets with clang into build-fuzz and run
# each in turn (one at a time) for SECONDS (default 30).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Each target starts from its seed corpus fuzz/corpus/<target>/ and the
# working corpus build-fuzz/corpus/<target>/ (kept between runs; new
# inputs go there, never into fuzz/corpus). A crash, sanitizer report,
# leak, invariant failure (abort) or slow input (over 25 s) is kept under
# build-fuzz/crashes/<target>/ and makes run.sh exit 1; the libFuzzer log
# of each target is build-fuzz/logs/<target>.log. Prints one line per
# target: executions, executions per second, and the result.
#
# Environment: AVOW_FUZZ_BUILD (default build-fuzz), AVOW_FUZZ_ARGS (extra
# libFuzzer flags, such as -jobs or -seed=N).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-30}
[ $# -gt 0 ] && shift
case $SECS in '' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;; esac
B=${AVOW_FUZZ_BUILD:-$SRC/build-fuzz}

command -v clang >/dev/null || {
	echo "run.sh: clang is needed (scripts/deps.sh installs it)" >&2
	exit 2
}
cmake -S "$SRC" -B "$B" -DCMAKE_C_COMPILER=clang -DAVOW_FUZZ=ON \
	-DAVOW_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
	exit 2
cmake --build "$B" --target fuzz -j2 >"$B/build.log" 2>&1 || {
	tail -30 "$B/build.log" >&2
	exit 2
}

# target and -max_len: a little above the largest real input of its kind.
ALL="fuzz_json:8192 fuzz_record:16384 fuzz_bundle:32768
fuzz_checkpoint:2048 fuzz_proof:8192 fuzz_append:20000 fuzz_keyfile:4200"
if [ $# -gt 0 ]; then
	sel=
	for t in "$@"; do
		m=$(printf '%s\n' $ALL | grep "^$t:") || {
			echo "run.sh: no target $t" >&2
			exit 2
		}
		sel="$sel $m"
	done
	ALL=$sel
fi

mkdir -p "$B/logs"
status=0
printf '%-16s %12s %9s %7s  %s\n' target executions exec/s seconds result
for tm in $ALL; do
	t=${tm%%:*}
	len=${tm##*:}
	mkdir -p "$B/corpus/$t" "$B/crashes/$t"
	dict=
	case $t in fuzz_keyfile) ;; *) dict=-dict=$SRC/fuzz/avow.dict ;; esac
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$B/fuzz/$t" -max_total_time="$SECS" -max_len="$len" -timeout=25 \
		-rss_limit_mb=2560 -print_final_stats=1 $dict \
		-artifact_prefix="$B/crashes/$t/" ${AVOW_FUZZ_ARGS:-} \
		"$B/corpus/$t" "$SRC/fuzz/corpus/$t" >"$B/logs/$t.log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/logs/$t.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$B/logs/$t.log" | tail -1)
	if [ -z "$execs" ]; then
		# No final stats after a crash: the last status line has them.
		execs=$(grep -oE '^#[0-9]+' "$B/logs/$t.log" | tail -1 | tr -d '#')
		rate=$(grep -oE 'exec/s: [0-9]+' "$B/logs/$t.log" | tail -1 | cut -d' ' -f2)
	fi
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		status=1
		art=$(sed -n "s/.*Test unit written to //p" "$B/logs/$t.log" | tail -1)
		why=$(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+( [^ ]+)?|fuzz invariant failed: .*' "$B/logs/$t.log")
		result="FAILED (exit $rc): ${why:-see $B/logs/$t.log}; input kept: ${art:-none}"
	fi
	printf '%-16s %12s %9s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$took" "$result"
done
if [ "$status" -ne 0 ]; then
	echo "run.sh: a target failed; copy each kept input to fuzz/regressions/<target>/ once it is understood (see fuzz/README.md)" >&2
fi
exit $status
