#!/bin/bash
# kill.sh - crash safety of `avow append`: SIGKILL at a random moment leaves
# the log whole, with each batch appended entirely or not at all.
#
#   bash kill.sh AVOW AVOW_VERIFY SRCDIR
#
# Each round makes a JSON Lines batch (claims, with a response to the line
# before every seventh line) whose texts all carry the marker "kb=K/", starts
# `avow append BATCH` in the background and kills it with SIGKILL after a
# random delay (0 to 1.25 times the time an uninterrupted append of a batch
# took, measured again every 10 rounds, so the kills fall anywhere from
# process start to exit). After every kill: SQLite's integrity_check is ok,
# `avow-verify --log` passes, the count grew by 0 or by exactly the batch
# size, the batch's marker is on exactly that many records with consecutive
# seqs, and every batch whose append exited 0 (or was seen committed) is
# still there in full.
#
# Each kill is counted as "none" (nothing appended; "while writing the WAL"
# when the killed append had already written WAL frames), "all" (killed after
# its commit, during the checkpoint or output) or "exited 0" (the kill came
# too late). SIGKILL is a process crash: the kernel keeps what was written,
# so this shows that SQLite's transaction and WAL recovery keep the log whole
# and all or nothing; it says nothing about power loss (synchronous=FULL,
# SECURITY.md "Storage").
#
# With AVOW_KILL_AT_COMMIT=N, every Nth kill is aimed at the commit instead:
# from 0.6 times the measured append time on, the test polls the WAL and
# kills the append the moment it has written its first WAL frame (the commit
# writes its frames last, so this lands while they are being written, or just
# after the commit, during the checkpoint that copies the WAL into the file).
#
# Phase 1 does this alone (half the kills, rounded up). Phase 2 does it on a
# fresh log while two reader loops run `avow-verify --log` and `avow report`
# on it without pause (the other half); every one of their runs must exit 0.
#
# Sizes (environment):
#   AVOW_KILLS           kills in all, both phases (default 30; by hand: 400)
#   AVOW_KILL_BATCH_MIN  smallest batch, in lines (default 200)
#   AVOW_KILL_BATCH_MAX  largest batch, in lines (default 400; by hand: 2000)
#   AVOW_KILL_AT_COMMIT  aim every Nth kill at the commit (default 3; 0: never)
# The full-size run of SECURITY.md:
#   AVOW_KILLS=400 AVOW_KILL_BATCH_MAX=2000 bash tests/stress/kill.sh \
#       build/avow build/avow-verify .
. "$(dirname "$0")/../lib.sh"

KILLS=${AVOW_KILLS:-30}
BMIN=${AVOW_KILL_BATCH_MIN:-200}
BMAX=${AVOW_KILL_BATCH_MAX:-400}
ATC=${AVOW_KILL_AT_COMMIT:-3}
for v in "$KILLS" "$BMIN" "$BMAX" "$ATC"; do
	case $v in '' | *[!0-9]*) echo "$0: sizes must be numbers" >&2; exit 2 ;; esac
done
[ "$BMIN" -ge 2 ] && [ "$BMAX" -ge "$BMIN" ] || {
	echo "$0: need 2 <= AVOW_KILL_BATCH_MIN <= AVOW_KILL_BATCH_MAX" >&2
	exit 2
}
K1=$((KILLS - KILLS / 2)) # phase 1
K2=$((KILLS / 2))          # phase 2
echo "# kill.sh: $KILLS kills ($K1 alone, $K2 with readers), batches of $BMIN..$BMAX lines, one kill in ${ATC} aimed at the commit (0: none)"

# sq DB SQL: sqlite3, read-only, waiting for locks as avow does (a reader
# that finds a killed writer's WAL recovers the WAL index under a lock).
sq() {
	sqlite3 -readonly -cmd '.timeout 60000' "$@"
}
count() {
	sq "$1" 'SELECT count(*) FROM records;'
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# make_batch K N FILE: N lines marked kb=K/I.
make_batch() {
	awk -v k="$1" -v n="$2" 'BEGIN {
		pad = "Stress filler so that a record has a realistic size; the article and its sources are not quoted here.";
		for (i = 1; i <= n; i++) {
			if (i % 7 == 0)
				printf "{\"type\":\"response\",\"body\":{\"by\":\"cn-gov\",\"stance\":\"denies\",\"target\":{\"line\":%d},\"text\":\"kb=%d/%d denies line %d. %s\",\"quote\":false,\"said_at\":\"2023-09\",\"source\":{\"title\":\"Stress batch %d\"}}}\n", i - 1, k, i, i - 1, pad, k
			else
				printf "{\"type\":\"claim\",\"body\":{\"by\":\"us-gov\",\"text\":\"kb=%d/%d claim. %s\",\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"Stress batch %d\",\"url\":\"https://example.org/stress/%d/%d\"},\"topics\":[\"stress\"]}}\n", k, i, pad, k, k, i
		}
	}' >"$3"
}

# marker DB K: "count|min seq|max seq" of the records of batch K.
marker() {
	sq "$1" "SELECT count(*), coalesce(min(seq), -1), coalesce(max(seq), -1) FROM records WHERE instr(CAST(data AS TEXT), '\"text\":\"kb=$2/') > 0;"
}

# snapshot DB K: "total|count|min|max", the log's records and marker K's,
# read in one transaction. Two queries would race WAL recovery: with the
# readers of phase 2 holding the log open, a batch killed after its commit
# frame can surface between them, counted by one and not by the other.
snapshot() {
	sq "$1" "SELECT (SELECT count(*) FROM records), count(*), coalesce(min(seq), -1), coalesce(max(seq), -1) FROM records WHERE instr(CAST(data AS TEXT), '\"text\":\"kb=$2/') > 0;"
}

# batch_counts DB: "K count" for every batch marker in DB.
batch_counts() {
	sq -separator ' ' "$1" "SELECT substr(t, 1, instr(t, '/') - 1), count(*) FROM (SELECT substr(CAST(data AS TEXT), instr(CAST(data AS TEXT), '\"text\":\"kb=') + 11) AS t FROM records WHERE instr(CAST(data AS TEXT), '\"text\":\"kb=') > 0) GROUP BY 1 ORDER BY CAST(substr(t, 1, instr(t, '/') - 1) AS INTEGER);"
}

# A base log: genesis, alice enrolled, the seed's 18 actors.
make_base "$T/base" || { echo "make_base failed" >&2; exit 1; }
head -18 "$SEED" >"$T/actors.jsonl"
"$AVOW" --log "$T/base/demo.db" --key "$T/base/alice.key" append "$T/actors.jsonl" >/dev/null 2>&1 ||
	{ echo "appending the actors failed" >&2; exit 1; }

TOTAL_KILLS=0
TOTAL_NONE=0
TOTAL_NONEW=0
TOTAL_AIMED=0
TOTAL_ALL=0
TOTAL_DONE=0
TOTAL_BAD=0

# settle: a batch killed after its commit frame reached the WAL but
# before the WAL index was updated is invisible to readers until SQLite
# recovers the WAL, which happens only once every connection has closed
# (other readers may hold it open). Such a batch is "maybe": when it shows
# up whole, it was committed; a part of one is a failure (the final check
# reports it).
settle() {
	[ -s "$T/maybe" ] || return 0
	: >"$T/maybe.new"
	while read -r mk mn; do
		mc=$(marker "$L" "$mk")
		mc=${mc%%|*}
		if [ "$mc" = 0 ]; then
			echo "$mk $mn" >>"$T/maybe.new"
		else
			echo "$mk $mn" >>"$T/committed"
			expect=$((expect + mc))
			surfaced=$((surfaced + 1))
		fi
	done <"$T/maybe"
	mv "$T/maybe.new" "$T/maybe"
}

# phase NAME LOG N: N kill rounds on LOG.
phase() {
	name=$1
	L=$2
	NK=$3
	KEY=$T/base/alice.key
	: >"$T/committed" # "K N" of every batch known to be in the log
	: >"$T/maybe"     # "K N" of batches killed in the WAL, not yet seen
	surfaced=0
	expect=$(count "$L")
	D=0 # ms an uninterrupted append took (0: measure next round)
	none=0 nonew=0 all=0 done_=0 bad=0 maxdelay=0
	aimed=0 aimed_w=0 aimed_all=0 # kills aimed at the commit; their outcomes
	b0=0 b1=0 b2=0 b3=0 b4=0 # kills by delay/D: <25%, <50%, <75%, <100%, more
	k=0
	kills=0
	while [ "$kills" -lt "$NK" ]; do
		k=$((k + 1))
		n=$((BMIN + RANDOM % (BMAX - BMIN + 1)))
		make_batch "$k" "$n" "$T/batch.jsonl"
		settle
		before=$(count "$L")
		if [ "$D" -eq 0 ] || [ $((k % 10)) -eq 0 ]; then
			# Measure: one append left alone (it must succeed).
			t0=$(now_ms)
			"$AVOW" --log "$L" --key "$KEY" append "$T/batch.jsonl" >"$T/a.out" 2>"$T/a.err"
			rc=$?
			D=$(($(now_ms) - t0))
			[ "$D" -ge 1 ] || D=1
			if [ "$rc" -ne 0 ]; then
				not_ok "$name: uninterrupted append $k exited $rc" "$(head -c 400 "$T/a.err")"
				bad=$((bad + 1))
				continue
			fi
			echo "$k $n" >>"$T/committed"
			expect=$((expect + n))
			settle
			m=$(snapshot "$L" "$k")
			after=${m%%|*}
			m=${m#*|}
			lo=${m#*|}
			lo=${lo%|*}
			if [ "$after" = "$expect" ] && [ "${m%%|*}" = "$n" ] &&
				[ $((${m##*|} - lo + 1)) -eq "$n" ]; then
				:
			else
				not_ok "$name: uninterrupted append $k" "count $before -> $after, expected $expect; marker $m"
				bad=$((bad + 1))
			fi
			continue
		fi
		aim=0
		if [ "$ATC" -gt 0 ] && [ $((kills % ATC)) -eq $((ATC - 1)) ]; then
			aim=1
			delay=$((D * 6 / 10))
		else
			span=$((D * 5 / 4 + 1))
			delay=$((RANDOM * span / 32768))
			[ "$delay" -gt "$maxdelay" ] && maxdelay=$delay
			case $((delay * 4 / D)) in
			0) b0=$((b0 + 1)) ;; 1) b1=$((b1 + 1)) ;; 2) b2=$((b2 + 1)) ;;
			3) b3=$((b3 + 1)) ;; *) b4=$((b4 + 1)) ;;
			esac
		fi
		# The stamp tells whether the killed append had written to the WAL.
		touch "$T/stamp"
		sleep 0.01
		"$AVOW" --log "$L" --key "$KEY" append "$T/batch.jsonl" >"$T/a.out" 2>"$T/a.err" &
		pid=$!
		t0=$(now_ms)
		sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
		if [ "$aim" -eq 1 ]; then
			while kill -0 "$pid" 2>/dev/null; do
				[ -s "$L-wal" ] && [ "$L-wal" -nt "$T/stamp" ] && break
			done
			delay=$(($(now_ms) - t0))
		fi
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=$?
		kills=$((kills + 1))
		walw=0
		[ -s "$L-wal" ] && [ "$L-wal" -nt "$T/stamp" ] && walw=1
		settle
		m=$(snapshot "$L" "$k")
		after=${m%%|*}
		m=${m#*|}
		delta=${m%%|*} # this batch's records (others may surface)
		what="kill $kills (batch $k, $n lines, ${delay} of ~${D} ms)"
		if [ "$aim" -eq 1 ]; then
			what="kill $kills aimed at the commit (batch $k, $n lines, at ${delay} of ~${D} ms)"
			aimed=$((aimed + 1))
			[ "$rc:$delta:$walw" = "137:0:1" ] && aimed_w=$((aimed_w + 1))
			[ "$rc:$delta" = "137:$n" ] && aimed_all=$((aimed_all + 1))
		fi
		case $rc:$delta in
		0:"$n") outcome="exited 0, all $n" done_=$((done_ + 1)) ;;
		137:0)
			none=$((none + 1))
			if [ "$walw" -eq 1 ]; then
				outcome="killed while writing the WAL, none"
				nonew=$((nonew + 1))
			else
				outcome="killed, none"
			fi
			;;
		137:"$n") outcome="killed after commit, all $n" all=$((all + 1)) ;;
		*) outcome="exit $rc, count +$delta (batch $n)" ;;
		esac
		case $rc:$delta in
		0:"$n" | 137:"$n")
			echo "$k $n" >>"$T/committed"
			expect=$((expect + n))
			want_m="$n"
			;;
		137:0)
			want_m=0
			# It may have committed without being visible yet.
			[ "$walw" -eq 1 ] && echo "$k $n" >>"$T/maybe"
			;;
		*) want_m="(none or all)" ;;
		esac
		errs=
		[ "$delta" = "$want_m" ] || errs="$errs; marker kb=$k: $m, expected $want_m records"
		[ "$after" = "$expect" ] || errs="$errs; $after records, expected $expect (committed batches lost or extra?)"
		ic=$(sq "$L" 'PRAGMA integrity_check;' 2>&1)
		[ "$ic" = ok ] || errs="$errs; integrity_check: $ic"
		"$AVOW_VERIFY" --log "$L" --quiet >"$T/v.out" 2>"$T/v.err"
		vrc=$?
		[ "$vrc" -eq 0 ] || errs="$errs; avow-verify exit $vrc: $(head -c 300 "$T/v.out" "$T/v.err")"
		case $rc in 0 | 137) ;; *) errs="$errs; append exit $rc: $(head -c 300 "$T/a.err")" ;; esac
		if [ -z "$errs" ]; then
			ok "$name: $what: $outcome; audit passes"
		else
			bad=$((bad + 1))
			not_ok "$name: $what: $outcome" "${errs#; }"
		fi
	done
	# Every batch known committed is there in full, in one run of seqs.
	settle
	[ "$surfaced" -gt 0 ] && echo "# $name: $surfaced batch(es) killed in the WAL surfaced whole after WAL recovery"
	batch_counts "$L" >"$T/counts"
	sort -n "$T/committed" >"$T/committed.s"
	if cmp -s "$T/committed.s" "$T/counts"; then
		ok "$name: all $(wc -l <"$T/committed") committed batches are whole; no other batch left a record"
	else
		not_ok "$name: batches in the log differ from the committed ones" "$(diff "$T/committed.s" "$T/counts" | head -5)"
	fi
	while read -r bk bn; do
		m=$(marker "$L" "$bk")
		lo=${m#*|}
		lo=${lo%|*}
		hi=${m##*|}
		[ $((hi - lo + 1)) -eq "$bn" ] || not_ok "$name: batch $bk is not one run of seqs: $m"
	done <"$T/committed"
	expect_exit 0 "$AVOW_VERIFY" --log "$L"
	expect_stdout "PASS"
	expect_exit 0 "$AVOW" --log "$L" --key "$KEY" claim --by us-gov --text "After the kills." --paraphrase --said-at 2023 --title T
	echo "# $name: $kills kills: $none none ($nonew of them with WAL frames written), $all all (killed after commit), $done_ exited 0 before the kill; $bad bad; $(count "$L") records; random delays 0..${maxdelay} ms, by delay/D: <25% $b0, <50% $b1, <75% $b2, <100% $b3, more $b4; $aimed aimed at the commit: $aimed_w while writing the WAL, $aimed_all after the commit"
	TOTAL_KILLS=$((TOTAL_KILLS + kills))
	TOTAL_NONE=$((TOTAL_NONE + none))
	TOTAL_NONEW=$((TOTAL_NONEW + nonew))
	TOTAL_AIMED=$((TOTAL_AIMED + aimed))
	TOTAL_ALL=$((TOTAL_ALL + all))
	TOTAL_DONE=$((TOTAL_DONE + done_))
	TOTAL_BAD=$((TOTAL_BAD + bad))
}

# --- phase 1: kills alone ----------------------------------------------------
mkdir -p "$T/p1"
cp "$T/base/demo.db" "$T/p1/log.db"
phase alone "$T/p1/log.db" "$K1"

# --- phase 2: kills while readers audit and report ---------------------------
mkdir -p "$T/p2"
cp "$T/base/demo.db" "$T/p2/log.db"
L2=$T/p2/log.db
# reader NAME CMD...: run CMD until $T/stop exists; log "rc" per run.
reader() {
	rname=$1
	shift
	: >"$T/$rname.rcs"
	while [ ! -e "$T/stop" ]; do
		"$@" >/dev/null 2>"$T/$rname.err.cur"
		r=$?
		echo "$r" >>"$T/$rname.rcs"
		if [ "$r" -ne 0 ]; then
			{ echo "exit $r:"; cat "$T/$rname.err.cur"; } >>"$T/$rname.errs"
		fi
	done
}
rm -f "$T/stop"
reader verify "$AVOW_VERIFY" --log "$L2" &
rpid1=$!
reader report "$AVOW" --log "$L2" report &
rpid2=$!
phase readers "$L2" "$K2"
touch "$T/stop"
wait "$rpid1" "$rpid2"
for r in verify report; do
	runs=$(wc -l <"$T/$r.rcs")
	fails=$(grep -cv '^0$' "$T/$r.rcs")
	if [ "$fails" -eq 0 ] && [ "$runs" -ge 1 ]; then
		ok "readers: $runs runs of $r during the kills, all exited 0"
	else
		not_ok "readers: $fails of $runs runs of $r failed" "$(head -c 600 "$T/$r.errs" 2>/dev/null)"
	fi
	echo "# readers: $r ran $runs times, $fails failures"
done

echo "# kill.sh total: $TOTAL_KILLS kills survived: $TOTAL_NONE none ($TOTAL_NONEW while writing the WAL), $TOTAL_ALL all after commit, $TOTAL_DONE exited 0 first ($TOTAL_AIMED kills aimed at the commit); $TOTAL_BAD bad"
finish
