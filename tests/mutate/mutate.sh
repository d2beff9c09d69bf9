#!/bin/bash
# mutate.sh - random mutation of a real log and its bundle (issue 5).
#
#   bash mutate.sh AVOW AVOW_VERIFY SRCDIR
#
# Makes the demo log (tests/lib.sh make_demo: 42 records), exports its
# bundle and signs a checkpoint of it, then AVOW_MUTATIONS times (default
# 300) mutates a copy of the bundle and a copy of the SQLite file, one of:
# flip a random byte (XOR with a random non-zero mask), insert 1 to 8
# random bytes, delete a range of 1 to 64 bytes, or (the bundle only) cut
# it at a random offset or after a random record. Each copy is audited by
# avow-verify under `timeout 10`; every other run also gets the checkpoint
# and its verifier key. The run must:
#   - exit 0, 1 or 2: never time out, die of a signal, or stop on a
#     sanitizer report (ASan exits 99, UBSan 98 here; a "runtime error"
#     line on stderr counts too);
#   - pass (exit 0) only when the records are the original's, or the
#     original's first k records (a cut of the newest records, which no
#     audit without a checkpoint can see). For the bundle that is its
#     bytes; for the SQLite file it is what `avow export` of the mutated
#     file writes (a change to free space or to the derived index may
#     leave the records as they were). With the checkpoint, only the
#     original's records may pass; a cut that passes without it must fail
#     with it.
# Inputs that break a rule are kept in $AVOW_MUTATE_KEEP (default
# ./mutate-failures). The random sequence comes from AVOW_MUTATE_SEED
# (default: from the clock; printed, so a failure can be replayed).
# Prints the counts at the end. 5000 or more mutations by hand, best with
# sanitizer builds of the programs (-DAVOW_SANITIZE=ON, or build-fuzz):
#   AVOW_MUTATIONS=5000 bash tests/mutate/mutate.sh build/avow build/avow-verify .
# (about 15 minutes with ASan on a busy two-core machine; 300, the ctest
# default, takes about 15 s with a normal build).
. "$(dirname "$0")/../lib.sh"

N=${AVOW_MUTATIONS:-300}
MSEED=${AVOW_MUTATE_SEED:-$(( ($(date +%s) ^ $$) & 0x7fffffff ))}
KEEP=${AVOW_MUTATE_KEEP:-$(pwd)/mutate-failures}
RANDOM=$MSEED
echo "mutate.sh: $N mutations of the bundle and of the SQLite file, AVOW_MUTATE_SEED=$MSEED"

# Sanitizer reports must not look like an audit failure (exit 1).
export ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=98:print_stacktrace=1:${UBSAN_OPTIONS:-}"

D=$T/demo
make_demo "$D" || { echo "mutate.sh: make_demo failed" >&2; exit 2; }
ORIG_DB=$D/demo.db
ORIG=$T/orig.bundle
VK=$(cat "$KEYS/newsdesk.vkey")
"$AVOW" --log "$ORIG_DB" export -o "$ORIG" 2>/dev/null || exit 2
"$AVOW" --log "$ORIG_DB" --key "$D/newsdesk.key" checkpoint -o "$T/cp.txt" \
	2>/dev/null || exit 2
NREC=$(wc -l <"$ORIG")
expect_exit 0 "$AVOW_VERIFY" --bundle "$ORIG" --checkpoint "$T/cp.txt" --verifier-key "$VK"
expect_exit 0 "$AVOW_VERIFY" --log "$ORIG_DB" --checkpoint "$T/cp.txt" --verifier-key "$VK"
# The original, cut to k records, for the prefix comparisons.
mkdir -p "$T/cuts"
for k in $(seq 1 "$NREC"); do head -n "$k" "$ORIG" >"$T/cuts/$k"; done

M=$T/m
mkdir -p "$M"
rnd() { # rnd N: a random number in [0, N)
	echo $(( ((RANDOM << 15) | RANDOM) % $1 ))
}
byte() { # byte N: N random bytes as printf escapes
	local s= i
	for ((i = 0; i < $1; i++)); do s="$s\\$(printf %03o $((RANDOM % 256)))"; done
	printf '%s' "$s"
}
# mutate IN OUT ALLOW_CUT: write a mutated copy of IN to OUT; sets WHAT.
mutate() {
	local in=$1 out=$2 size o n b op
	size=$(wc -c <"$in")
	op=$((RANDOM % ($3 ? 4 : 3)))
	case $op in
	0)
		o=$(rnd "$size")
		b=$(od -An -tu1 -j "$o" -N1 "$in" | tr -d ' ')
		n=$(( (b ^ (1 + RANDOM % 255)) & 255 ))
		{ head -c "$o" "$in"; printf "\\$(printf %03o "$n")"; tail -c +$((o + 2)) "$in"; } >"$out"
		WHAT="flip byte $o ($b -> $n)" ;;
	1)
		o=$(rnd $((size + 1)))
		n=$((1 + RANDOM % 8))
		{ head -c "$o" "$in"; printf "$(byte "$n")"; tail -c +$((o + 1)) "$in"; } >"$out"
		WHAT="insert $n bytes at $o" ;;
	2)
		o=$(rnd "$size")
		n=$((1 + RANDOM % 64))
		{ head -c "$o" "$in"; tail -c +$((o + n + 1)) "$in"; } >"$out"
		WHAT="delete $n bytes at $o" ;;
	3)
		if [ $((RANDOM % 2)) = 0 ]; then
			o=$(rnd "$size")
			head -c "$o" "$in" >"$out"
			WHAT="cut at byte $o"
		else
			n=$((1 + $(rnd "$NREC")))
			head -n "$n" "$in" >"$out"
			WHAT="cut to $n records"
		fi ;;
	esac
}

MUTATIONS=0 DETECTED=0 REFUSED=0 SAME=0 CUTS=0 UNCHANGED=0 PROBLEMS=0
problem() { # problem WHAT FILE...: keep the inputs, report
	local w=$1 f
	shift
	PROBLEMS=$((PROBLEMS + 1))
	mkdir -p "$KEEP"
	for f in "$@"; do cp "$f" "$KEEP/$PROBLEMS-$(basename "$f")"; done
	not_ok "$w" "kept in $KEEP/$PROBLEMS-*" "stderr: $(head -c 600 "$ERR")"
}
# audit KIND FILE USE_CP: run avow-verify; RC and $ERR as lib.sh's run.
audit() {
	local flag=--bundle
	[ "$1" = db ] && flag=--log
	if [ "$3" = 1 ]; then
		run timeout 10 "$AVOW_VERIFY" "$flag" "$2" --checkpoint "$T/cp.txt" --verifier-key "$VK"
	else
		run timeout 10 "$AVOW_VERIFY" "$flag" "$2"
	fi
	if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$ERR"; then
		RC=98
	fi
}
# records_of KIND FILE: the bundle the file's records make, in $T/rec.
records_of() {
	if [ "$1" = bundle ]; then
		cp "$2" "$T/rec"
	else
		rm -f "$T/x.db" "$T/x.db-wal" "$T/x.db-shm"
		cp "$2" "$T/x.db"
		"$AVOW" --log "$T/x.db" export -o "$T/rec" >/dev/null 2>"$T/x.err"
	fi
}
# judge KIND FILE USE_CP DESC
judge() {
	local kind=$1 f=$2 cp=$3 desc=$4 k
	MUTATIONS=$((MUTATIONS + 1))
	audit "$kind" "$f" "$cp"
	case $RC in
	1) DETECTED=$((DETECTED + 1)); return ;;
	2) REFUSED=$((REFUSED + 1)); return ;;
	0) ;;
	124) problem "$kind, $desc: avow-verify did not finish in 10 s" "$f"; return ;;
	*) problem "$kind, $desc: avow-verify exited $RC (signal or sanitizer)" "$f"; return ;;
	esac
	if ! records_of "$kind" "$f"; then
		problem "$kind, $desc: passed, but avow export fails: $(head -c 300 "$T/x.err")" "$f"
		return
	fi
	if cmp -s "$T/rec" "$ORIG"; then
		SAME=$((SAME + 1))
		cmp -s "$f" "$([ "$kind" = db ] && echo "$ORIG_DB" || echo "$ORIG")" &&
			UNCHANGED=$((UNCHANGED + 1))
		return
	fi
	k=$(wc -l <"$T/rec")
	if [ "$k" -ge 1 ] && [ "$k" -lt "$NREC" ] && cmp -s "$T/rec" "$T/cuts/$k"; then
		if [ "$cp" = 1 ]; then
			problem "$kind, $desc: the first $k records passed with a checkpoint of $NREC" "$f"
			return
		fi
		audit "$kind" "$f" 1
		if [ "$RC" -ne 1 ]; then
			problem "$kind, $desc: a cut to $k records exits $RC with the checkpoint of $NREC" "$f"
			return
		fi
		CUTS=$((CUTS + 1))
		return
	fi
	problem "$kind, $desc: passed with records that are not the original's nor a cut of them" "$f" "$T/rec"
}

for i in $(seq 1 "$N"); do
	cpflag=$((i % 2))
	mutate "$ORIG" "$M/mut.bundle" 1
	judge bundle "$M/mut.bundle" "$cpflag" "mutation $i ($WHAT)"
	rm -f "$M/mut.db" "$M/mut.db-wal" "$M/mut.db-shm"
	mutate "$ORIG_DB" "$M/mut.db" 0
	judge db "$M/mut.db" "$cpflag" "mutation $i ($WHAT)"
done

echo "mutations: $MUTATIONS (bundle and SQLite file, $N each), seed $MSEED"
echo "failures detected: $DETECTED (exit 1), refused: $REFUSED (exit 2)"
echo "passes with the original records: $SAME ($UNCHANGED of them byte-identical files), passes of a clean cut of the newest records: $CUTS"
echo "problems (crash, hang, sanitizer, or a wrong pass): $PROBLEMS"
[ "$PROBLEMS" -eq 0 ] && ok "no crash, hang or wrong pass in $MUTATIONS mutations"
finish
