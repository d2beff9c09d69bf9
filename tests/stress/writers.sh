#!/bin/bash
# writers.sh - concurrent writers: several processes append to one log at
# once, through `avow claim`/`avow deny` (one record per process) and
# `avow append` (batches), signed by 2 to 4 recorder keys.
#
#   bash writers.sh AVOW AVOW_VERIFY SRCDIR
#
# The writers start together (a barrier file). Even-numbered writers make
# single records (every fifth a `deny` of the shared claim, seq 20), odd ones
# append batches (every fifth line a response to the line before). Each
# record's text carries "wI nJ": writer I's J-th record. Writer I signs with
# key (I / 2) mod KEYS, so every key has a single-record writer and a batch
# writer. Checks: every command exits 0 and none prints a busy or "database
# is locked" error; the log holds exactly the records written; it audits as
# one chain (seqs 0..n-1, avow-verify passes); each writer's records are
# all there, signed by its key, in the order it wrote them; and the audit's
# per-key record counts equal what the writers with that key wrote.
#
# Sizes (environment):
#   AVOW_WRITER_RECORDS  records in all (default 1000; by hand: 10000)
#   AVOW_WRITERS         processes (default 8, at least 2)
#   AVOW_WRITER_KEYS     recorder keys, 2 to 4 (default 3)
#   AVOW_WRITER_BATCH    lines per `avow append` (default 25)
#   AVOW_WRITER_SINGLES  records written one per process (default 10% of all)
# The full-size run of SECURITY.md:
#   AVOW_WRITER_RECORDS=10000 bash tests/stress/writers.sh build/avow build/avow-verify .
. "$(dirname "$0")/../lib.sh"

RECORDS=${AVOW_WRITER_RECORDS:-1000}
NW=${AVOW_WRITERS:-8}
NK=${AVOW_WRITER_KEYS:-3}
BATCH=${AVOW_WRITER_BATCH:-25}
SINGLES=${AVOW_WRITER_SINGLES:-$((RECORDS / 10))}
for v in "$RECORDS" "$NW" "$NK" "$BATCH" "$SINGLES"; do
	case $v in '' | *[!0-9]*) echo "$0: sizes must be numbers" >&2; exit 2 ;; esac
done
if [ "$NW" -lt 2 ] || [ "$NK" -lt 2 ] || [ "$NK" -gt 4 ] || [ "$BATCH" -lt 2 ] ||
	[ "$SINGLES" -gt "$RECORDS" ]; then
	echo "$0: need AVOW_WRITERS >= 2, 2 <= AVOW_WRITER_KEYS <= 4, AVOW_WRITER_BATCH >= 2, AVOW_WRITER_SINGLES <= AVOW_WRITER_RECORDS" >&2
	exit 2
fi

D=$T/log
L=$D/demo.db
make_base "$D" || { echo "make_base failed" >&2; exit 1; }
# Keys: alice (enrolled by make_base), then bob, editor and a new key carol,
# each enrolled as a recorder with its proof of possession.
KEYNAMES="alice bob editor carol"
i=0
for name in $KEYNAMES; do
	[ "$i" -lt "$NK" ] || break
	if [ "$name" = carol ]; then
		"$AVOW" key generate carol -o "$D/carol.key" --no-passphrase >"$T/carol.vkey" 2>/dev/null
	elif [ "$name" != alice ]; then
		import_key "$name" "$D"
		cp "$KEYS/$name.vkey" "$T/$name.vkey"
	fi
	if [ "$name" != alice ]; then
		p=$("$AVOW" --key "$D/$name.key" key possession --origin "$ORIGIN" 2>/dev/null)
		"$AVOW" --log "$L" --key "$D/newsdesk.key" key add "$(cat "$T/$name.vkey")" \
			--possession "$p" --role recorder --holder "Writer key $name" >/dev/null 2>&1 ||
			{ echo "enrolling $name failed" >&2; exit 1; }
	fi
	eval "KEY_$i=$name"
	i=$((i + 1))
done
# The seed's 18 actors and one claim (seq 20) that single writers deny.
head -18 "$SEED" >"$T/actors.jsonl"
"$AVOW" --log "$L" --key "$D/alice.key" append "$T/actors.jsonl" >/dev/null 2>&1 &&
	"$AVOW" --log "$L" --key "$D/alice.key" claim --by us-gov --text "The shared claim." \
		--paraphrase --said-at 2023 --title "Writers" >"$T/target" 2>&1 ||
	{ echo "setting up the log failed" >&2; exit 1; }
TARGET=$(cat "$T/target")
base=$(count_records "$L")
key_of() { eval "echo \$KEY_$((($1 / 2) % NK))"; }

# How many records each writer makes.
ns=$(((NW + 1) / 2)) # single-record writers: 0, 2, 4, ...
nb=$((NW / 2))       # batch writers: 1, 3, 5, ...
i=0
while [ "$i" -lt "$NW" ]; do
	if [ $((i % 2)) -eq 0 ]; then
		share=$((SINGLES / ns))
		[ $((i / 2)) -lt $((SINGLES % ns)) ] && share=$((share + 1))
	else
		rest=$((RECORDS - SINGLES))
		share=$((rest / nb))
		[ $((i / 2)) -lt $((rest % nb)) ] && share=$((share + 1))
	fi
	eval "N_$i=$share"
	i=$((i + 1))
done
[ "$nb" -gt 0 ] || {
	echo "$0: no batch writer" >&2
	exit 2
}

# Batch writer I's batches: $T/wI.bK.jsonl.
make_batches() {
	awk -v w="$1" -v n="$2" -v b="$BATCH" -v dir="$T" 'BEGIN {
		for (j = 1; j <= n; j++) {
			f = sprintf("%s/w%d.b%06d.jsonl", dir, w, int((j - 1) / b));
			line = (j - 1) % b + 1;
			if (line % 5 == 0)
				printf "{\"type\":\"response\",\"body\":{\"by\":\"cn-gov\",\"stance\":\"disputes\",\"target\":{\"line\":%d},\"text\":\"w%d n%d disputes the line before.\",\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"Writers\"}}}\n", line - 1, w, j >> f;
			else
				printf "{\"type\":\"claim\",\"body\":{\"by\":\"us-gov\",\"text\":\"w%d n%d, a claim in a batch.\",\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"Writers\"}}}\n", w, j >> f;
		}
	}'
}

# writer I: waits for $T/go, then writes; "rc ms" per command in $T/wI.rcs,
# all stderr in $T/wI.err.
writer() {
	w=$1
	k=$(key_of "$w")
	eval "n=\$N_$w"
	WK="$AVOW --log $L --key $D/$k.key"
	: >"$T/w$w.rcs"
	: >"$T/w$w.err"
	while [ ! -e "$T/go" ]; do sleep 0.01; done
	if [ $((w % 2)) -eq 0 ]; then
		j=1
		while [ "$j" -le "$n" ]; do
			t0=$(date +%s%N)
			if [ $((j % 5)) -eq 0 ]; then
				$WK deny "$TARGET" --by cn-gov --text "w$w n$j denies the shared claim." \
					--quote --said-at 2023-09-01 --url "https://example.org/w$w/$j" \
					>/dev/null 2>>"$T/w$w.err"
			else
				$WK claim --by us-gov --text "w$w n$j, a single claim." --paraphrase \
					--said-at 2023 --title "Writers" >/dev/null 2>>"$T/w$w.err"
			fi
			echo "$? $((($(date +%s%N) - t0) / 1000000))" >>"$T/w$w.rcs"
			j=$((j + 1))
		done
	else
		for f in "$T"/w"$w".b*.jsonl; do
			[ -e "$f" ] || continue
			t0=$(date +%s%N)
			$WK append "$f" >/dev/null 2>>"$T/w$w.err"
			echo "$? $((($(date +%s%N) - t0) / 1000000))" >>"$T/w$w.rcs"
		done
	fi
}

i=1
while [ "$i" -lt "$NW" ]; do
	eval "make_batches $i \$N_$i"
	i=$((i + 2))
done
echo "# writers.sh: $NW writers, $NK keys, $RECORDS records ($SINGLES one per process, the rest in batches of $BATCH)"
rm -f "$T/go"
pids=
i=0
while [ "$i" -lt "$NW" ]; do
	writer "$i" &
	pids="$pids $!"
	i=$((i + 1))
done
t0=$(date +%s%N)
touch "$T/go"
# shellcheck disable=SC2086
wait $pids
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))

# --- every command succeeded, with no busy error -----------------------------
cmds=0
fails=0
i=0
while [ "$i" -lt "$NW" ]; do
	c=$(wc -l <"$T/w$i.rcs")
	f=$(grep -cv '^0 ' "$T/w$i.rcs")
	cmds=$((cmds + c))
	fails=$((fails + f))
	[ "$f" -eq 0 ] || not_ok "writer $i: $f of $c commands failed" "$(head -c 600 "$T/w$i.err")"
	i=$((i + 1))
done
check "all $cmds commands of $NW writers exited 0" test "$fails" -eq 0
# How long a command took, waiting for the write lock included (avow waits
# up to 60 s for it).
lat=$(cat "$T"/w*.rcs | awk '{ print $2 }' | sort -n | awk '{ a[NR] = $1 } END { printf "median %d ms, 99th percentile %d ms, longest %d ms", a[int((NR + 1) / 2)], a[int(NR * 0.99 + 0.5)], a[NR] }')
echo "# writers.sh: command times: $lat"
if cat "$T"/w*.err | grep -qiE 'locked|busy|try again'; then
	not_ok "a writer saw a busy error" "$(cat "$T"/w*.err | grep -iE 'locked|busy|try again' | head -3)"
else
	ok "no busy or \"database is locked\" error"
fi

# --- the log: complete, one chain ------------------------------------------
n=$(count_records "$L")
check "the log holds $base + $RECORDS records (has $n)" test "$n" -eq $((base + RECORDS))
check "seqs are 0..n-1" test "$(sqlite3 "$L" 'SELECT max(seq) + 1 FROM records;')" = "$n"
expect_exit 0 "$AVOW_VERIFY" --log "$L"
expect_stdout "PASS"
expect_exit 0 "$AVOW_VERIFY" --log "$L" --json
cp "$OUT" "$T/verdict.json"
expect_stdout '"verdict":"pass"'

# --- attribution: each writer's records, its key, its order -----------------
"$AVOW" --log "$L" log --json 2>/dev/null | awk '
	match($0, /"text":"w[0-9]+ n[0-9]+[ ,]/) {
		t = substr($0, RSTART + 8, RLENGTH - 9); split(t, a, " n");
		match($0, /"seq":[0-9]+/); seq = substr($0, RSTART + 6, RLENGTH - 6);
		match($0, /"signer":"[^"]*"/); sg = substr($0, RSTART + 10, RLENGTH - 11);
		print substr(a[1], 2), a[2], seq, sg;
	}' >"$T/attrib"
i=0
while [ "$i" -lt "$NW" ]; do
	k=$(key_of "$i")
	eval "want=\$N_$i"
	kid=$(sed -n "s/^\($k+[0-9a-f]*\)+.*/\1/p" "$T/$k.vkey" 2>/dev/null)
	[ -n "$kid" ] || kid=$(sed -n "s/^\($k+[0-9a-f]*\)+.*/\1/p" "$KEYS/$k.vkey")
	eval "KID_$i=$kid"
	res=$(awk -v w="$i" -v kid="$kid" '
		$1 == w { n++; if ($4 != kid) bad++; if ($2 != n) order++ }
		END { printf "%d %d %d", n, bad, order }' "$T/attrib")
	set -- $res
	if [ "$1" -eq "$want" ] && [ "$2" -eq 0 ] && [ "$3" -eq 0 ]; then
		ok "writer $i: all $want records present, signed by $kid, in order"
	else
		not_ok "writer $i ($kid): $1 of $want records, $2 by another key, $3 out of order"
	fi
	i=$((i + 1))
done

# The writers did run at once: their records interleave in the log.
runs=$(sort -n -k3 "$T/attrib" | awk '$1 != last { r++; last = $1 } END { print r + 0 }')
check "the writers' records interleave ($runs runs of one writer in seq order)" test "$runs" -gt "$NW"

# The audit's per-key counts: the setup's records plus what the writers wrote.
keys_json=$(strip_escapes <"$T/verdict.json")
ki=0
while [ "$ki" -lt "$NK" ]; do
	eval "name=\$KEY_$ki"
	ki=$((ki + 1))
	want=0
	i=0
	while [ "$i" -lt "$NW" ]; do
		[ "$(key_of "$i")" = "$name" ] && eval "want=\$((want + N_$i))"
		i=$((i + 1))
	done
	[ "$name" = alice ] && want=$((want + 19)) # the actors and the shared claim
	obj=$(printf '%s\n' "$keys_json" | grep -o "{[^{}]*\"key_id\":\"$name+[^{}]*}")
	got=$(printf '%s\n' "$obj" | member records)
	check "audit: $name signed $want records (says ${got:-?})" test "${got:-x}" = "$want"
done

echo "# writers.sh: $NW writers, $NK keys, $cmds commands, $RECORDS records in ${ms} ms; $runs runs of one writer in seq order; $fails failures; $lat"
finish
