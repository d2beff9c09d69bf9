#!/bin/bash
# saved.sh - the saved audited state (docs/PERFORMANCE.md, "The saved
# audited state"): reports read through it equal reports made by a whole
# audit, before and after appends by its owner and by others; an edited,
# truncated or rewritten log is refused; the file is private; a log made
# anew at the same path starts over.
#
#   bash saved.sh AVOW AVOW_VERIFY SRCDIR
. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null || { echo "saved.sh: sqlite3 is needed" >&2; exit 2; }
D=$T/demo
make_demo "$D"
cd "$T" || exit 2
L=demo/demo.db
ST=$AVOW_STATE_DIR

# The views compared, in JSON (every field of the model).
VIEWS=("report" "report --claim 22" "report --claim 21" "report --actor us-gov"
	"report --actor us-gov --limit 2 --offset 1" "report --actor korolev --offset 3"
	"report --actor cn-gov --include-parts" "report --topic arms-sales"
	"report --as-of 30" "report --since 2023-07 --until 2023-07"
	"search 外交部" "search Kremlin" "search ch" "search 'China denies'"
	"search Qwertz" "search wombat" "search zqxj --actor us-gov"
	"search Qwertz --as-of 44" "search ch --limit 3 --offset 2" "search China --limit 1"
	"report --claim 42" "actor list --json"
	"report --actor korolev --after 34 --limit 1" "report --actor cn-gov --after 23"
	"report --actor us-gov --after 30 --limit 2" "report --actor us-gov --after 30 --as-of 40"
	"report --actor korolev --after 37 --limit 0" "report --actor korolev --after 34 --limit 0"
	"report --actor cn-gov --after 31" "report --actor us-gov --after 99"
	"report --actor us-gov --after 43 --as-of 42")

# same_view TAG VIEW: VIEW through the saved state equals the view made
# by a whole audit (--no-saved-state), byte for byte, exit status and
# error too.
same_view() {
	tag=$1
	v=$2
	eval "set -- $v"
	"$AVOW" --log "$L" "$@" --format json >a.json 2>a.err
	ra=$?
	"$AVOW" --log "$L" --no-saved-state "$@" --format json >b.json 2>b.err
	rb=$?
	if [ "$ra" = "$rb" ] && cmp -s a.json b.json && cmp -s a.err b.err; then
		ok "$tag: $v is the same through the saved state (exit $ra, $(wc -c <a.json) bytes)"
	else
		not_ok "$tag: $v differs through the saved state (exit $ra/$rb)" \
			"$(head -c 300 a.err)" "$(head -c 300 b.err)"
	fi
}
# same_views TAG: every view of VIEWS.
same_views() {
	for v in "${VIEWS[@]}"; do
		same_view "$1" "$v"
	done
}
# "actor list" takes no --format: strip it for that view.
VIEWS[19]="actor list"

# walk ACTOR [OPTION...]: the seqs of ACTOR's statements, page by page of
# one, each page after the last one's next_after, until it is null.
walk() {
	a=$1
	shift
	next=
	got=
	for _ in $(seq 100); do
		"$AVOW" --log "$L" "$@" report --actor "$a" --limit 1 \
			${next:+--after "$next"} --format json >w.json 2>/dev/null || break
		got="$got $(grep -o '"seq":[0-9]*,"source"' w.json | cut -d'"' -f3 | tr -d :,)"
		next=$(grep -o '"next_after":[0-9]*' w.json | cut -d: -f2)
		[ -n "$next" ] || break
	done
	echo $got
}
# same_walk TAG ACTOR: walking ACTOR's pages by --after finds every
# statement of the whole view once, in its order, with the saved state and
# without it.
same_walk() {
	whole=$("$AVOW" --log "$L" report --actor "$2" --format json 2>/dev/null |
		grep -o '"seq":[0-9]*,"source"' | cut -d'"' -f3 | tr -d :, | tr '\n' ' ')
	whole=$(echo $whole)
	w1=$(walk "$2")
	w2=$(walk "$2" --no-saved-state)
	if [ -n "$whole" ] && [ "$w1" = "$whole" ] && [ "$w2" = "$whole" ]; then
		ok "$1: the pages of $2 by --after are the whole view ($whole)"
	else
		not_ok "$1: the pages of $2 by --after differ from the whole view" \
			"whole: $whole" "saved: $w1" "no saved state: $w2"
	fi
}

expect_exit 0 "$AVOW" --log "$L" report --claim 20
files=$(ls "$ST"/*.db 2>/dev/null | wc -l)
check "the first report saves one state file" test "$files" = 1
SF=$(ls "$ST"/*.db)
check "the state file is mode 0600" test "$(stat -c %a "$SF")" = 600
check "its directory is mode 0700" test "$(stat -c %a "$ST")" = 700
check "the state is saved at the log's 42 records" \
	test "$(sqlite3 "$SF" 'SELECT size FROM saved')" = 42
check "the report index holds every record" \
	test "$(sqlite3 "$SF" 'SELECT count(*) FROM rx')" = 42
check "the per-record state is one chunk of 42 records of 9 bytes" \
	test "$(sqlite3 "$SF" 'SELECT count(*), sum(length(data)) FROM saved_chunk')" = "1|378"
same_views "after init"
same_walk "after init" korolev
same_walk "after init" us-gov

# Appends by the state's owner keep it up to date: the state moves on
# without a whole audit.
cat >extra.jsonl <<'EOF'
{"type": "claim", "body": {"by": "kp-gov", "text": "North Korea says the summit zqxj was a success.", "quote": false, "lang": "en", "said_at": "2023-09-20", "source": {"title": "Extra wire", "published": "2023-09-20"}, "topics": ["arms-sales"]}}
{"type": "response", "body": {"by": "us-gov", "text": "The United States disputes the zqxj account.", "quote": false, "lang": "en", "said_at": "2023-09-21", "source": {"title": "Extra wire 2", "published": "2023-09-21"}, "target": {"line": 1}, "stance": "disputes"}}
{"type": "amend", "body": {"target": {"seq": 21}, "reason": "recording error: date", "set": {"said_at": "2023-08", "text": "Amended text mentioning wombat."}}}
{"type": "actor", "body": {"id": "cn-gov", "name": "PRC Government Qwertz", "kind": "government", "aliases": ["China"]}}
EOF
expect_exit 0 "$AVOW" --log "$L" --key demo/alice.key append extra.jsonl
check "the append saved the state at 46 records" \
	test "$(sqlite3 "$SF" 'SELECT size FROM saved')" = 46
# The report index (full-text most of all) costs more than signing: an
# append keeps its records for the next command that audits to index.
check "the append kept its 4 records for later, with the amend's result" \
	test "$(sqlite3 "$SF" "SELECT group_concat(seq) FROM rx_pending WHERE amended IS NULL OR amended LIKE '%wombat%'")" = 42,43,44,45
check "and did not index them" \
	test "$(sqlite3 "$SF" "SELECT max(seq) FROM rx")" = 41
check "the next command (a search) finds them" \
	grep -q "disputes the zqxj account" <("$AVOW" --log "$L" search zqxj)
check "and indexed them" \
	test "$(sqlite3 "$SF" "SELECT rowid FROM rx_text WHERE rx_text MATCH 'wombat'")" = 21
check "leaving nothing for later" \
	test "$(sqlite3 "$SF" "SELECT count(*) FROM rx_pending")" = 0
same_views "after the owner's append"

# Appends by someone without the state (or with another one): the next
# command audits just those records.
expect_exit 0 "$AVOW" --log "$L" --no-saved-state --key demo/alice.key append extra.jsonl
check "an append without the state leaves it at 46" \
	test "$(sqlite3 "$SF" 'SELECT size FROM saved')" = 46
same_views "after another's append"
same_walk "after another's append" us-gov
check "the state caught up to 50 records" \
	test "$(sqlite3 "$SF" 'SELECT size FROM saved')" = 50

# The state is checked against the log, never the other way round.
cp "$L" orig.db
cp "$SF" orig-state.db
restore() {
	rm -f "$L"-wal "$L"-shm
	cp orig.db "$L"
	cp orig-state.db "$SF"
}
# An old record edited, the tree left alone: nothing reads it again
# until a report needs it, and then it is refused.
sqlite3 "$L" "DROP TRIGGER records_no_update; UPDATE records SET data = replace(data, 'impartial', 'partial') WHERE seq = 24;"
run "$AVOW" --log "$L" report --claim 24
check "an edited old record (tree untouched) is refused when read" test "$RC" -ne 0
expect_stderr "record 24 is not the record audited before"
run "$AVOW" --log "$L" report --claim 20
check "a thread without the edited record still reads: nothing is audited twice" test "$RC" -eq 0
expect_exit 1 "$AVOW_VERIFY" --log "$L"
# The tree rewritten as well: the log no longer extends the audited root.
sqlite3 "$L" "UPDATE tree SET hash = zeroblob(32) WHERE size = 32 AND level = 5;"
run "$AVOW" --log "$L" --key demo/newsdesk.key checkpoint
check "a log whose tree no longer extends the audited root is refused" test "$RC" -ne 0
expect_stderr "differs from the one audited"
restore
# A node off the audited root's path: the commands that do not need it
# work, and a checkpoint of an earlier size that needs it is refused.
sqlite3 "$L" "UPDATE tree SET hash = zeroblob(32) WHERE size = 8 AND level = 3;"
expect_exit 0 "$AVOW" --log "$L" --key demo/newsdesk.key checkpoint -o cp-now.txt
run "$AVOW" --log "$L" --key demo/newsdesk.key checkpoint --size 10 -o cp-10.txt
check "a checkpoint of an earlier size over an edited tree node is refused" test "$RC" -ne 0
expect_stderr "tree hash of its first 10 records differs from the one audited"
check "... and no checkpoint file is written" test ! -e cp-10.txt
restore
expect_exit 0 "$AVOW" --log "$L" --key demo/newsdesk.key checkpoint --size 10 -o cp-10.txt
# A log cut short.
sqlite3 "$L" "DROP TRIGGER records_no_delete; DELETE FROM records WHERE seq >= 45;"
run "$AVOW" --log "$L" report
check "a log with fewer records than audited is refused" test "$RC" -ne 0
expect_stderr "fewer than the 50 audited before"
restore
expect_exit 0 "$AVOW" --log "$L" report --claim 24
# The records an append kept for later are read again from the log when
# the next command indexes them: one edited in between is refused. (Twice,
# so that 58 records put record 50 under a stored tree node, [48, 56): the
# tree still extends the audited root, and only the index sees the edit.)
expect_exit 0 "$AVOW" --log "$L" --key demo/alice.key append extra.jsonl
expect_exit 0 "$AVOW" --log "$L" --key demo/alice.key append extra.jsonl
sqlite3 "$L" "DROP TRIGGER records_no_update; UPDATE records SET data = replace(data, 'zqxj', 'zqxk') WHERE seq = 50;"
run "$AVOW" --log "$L" report --claim 20
check "a record edited before the next command indexed it is refused" test "$RC" -ne 0
expect_stderr "record 50 is not the record appended before"
restore

# A state open to others is not used (and says so); the answer is the same.
chmod 644 "$SF"
run "$AVOW" --log "$L" report --claim 20
check "a state file open to others: the report still works" test "$RC" -eq 0
expect_stderr "open to group or others"
chmod 600 "$SF"

# The index holds each statement as last amended. Korolev's first word
# (33) moved from 2023 to December 2023, last of his four: as of the
# record before that amend, it is still first.
echo '{"type": "amend", "body": {"target": {"seq": 33}, "reason": "recording error: date", "set": {"said_at": "2023-12"}}}' >move.jsonl
expect_exit 0 "$AVOW" --log "$L" --key demo/alice.key append move.jsonl
expect_exit 0 "$AVOW" --log "$L" report --claim 20 # indexes what the append kept
check "the amend moved 33 last in the index" \
	test "$(sqlite3 "$SF" "SELECT group_concat(seq) FROM (SELECT seq FROM rx_actor WHERE actor = 'korolev' ORDER BY lo, prec, seq)")" = 34,35,37,33
run "$AVOW" --log "$L" report --actor korolev --as-of 49 --format json
check "as of 49, korolev's 33 is still first through the saved state" \
	sh -c "grep -o '\"seq\":3[0-9],\"source\"' '$OUT' | head -1 | grep -q 33"
for v in "report --actor korolev --as-of 49" \
	"report --actor korolev --as-of 49 --offset 1 --limit 2" \
	"report --actor korolev" "report --actor korolev --as-of 50"; do
	same_view "after a later amend" "$v"
done

# Another key, bob's, appends without the state: two more of korolev's,
# one before all his others (2022) and one among his four of 2023 (by
# seq, last of them). --after pages them the same through the state
# (which catches up) and without it.
import_key bob demo
expect_exit 0 "$AVOW" --log "$L" --no-saved-state --key demo/newsdesk.key key add \
	"$(cat "$KEYS/bob.vkey")" --role recorder --holder "Bob" --possession \
	"$("$AVOW" --key demo/bob.key key possession --origin "$ORIGIN")"
cat >bob.jsonl <<'EOF'
{"type": "response", "body": {"by": "korolev", "text": "An earlier remark.", "quote": false, "lang": "en", "said_at": "2022", "source": {"title": "Bob's wire", "published": "2022-12-01"}, "target": {"seq": 32}, "stance": "supports"}}
{"type": "response", "body": {"by": "korolev", "text": "A later remark.", "quote": false, "lang": "en", "said_at": "2023", "source": {"title": "Bob's wire", "published": "2023-12-01"}, "target": {"seq": 36}, "stance": "supports"}}
EOF
expect_exit 0 "$AVOW" --log "$L" --no-saved-state --key demo/bob.key append bob.jsonl
same_walk "after bob's append" korolev
for v in "report --actor korolev --after 52 --limit 2" \
	"report --actor korolev --after 37 --limit 2" \
	"report --actor korolev --after 53" "report --actor korolev --after 51"; do
	same_view "after bob's append" "$v"
done
check "the state caught up with bob's records" \
	test "$(sqlite3 "$SF" 'SELECT size FROM saved')" = 54

# A new log at the same path (by avow init) starts over.
rm -f "$L" "$L"-wal "$L"-shm demo/newsdesk.key demo/alice.key
make_base demo
check "avow init removed the state of the log it replaced" \
	test "$(sqlite3 "$SF" 'SELECT count(*) FROM saved' 2>/dev/null || echo 0)" = 0
expect_exit 0 "$AVOW" --log "$L" report
check "a new log at the same path: the state starts over at 2 records" \
	test "$(sqlite3 "$SF" 'SELECT size FROM saved')" = 2
check "... and the report index with it" \
	test "$(sqlite3 "$SF" 'SELECT count(*) FROM rx')" = 2

# The per-record state is saved in chunks of 4096 records: an append
# rewrites only those it changed (its own records', and the claims its
# responses answer), and what it saves is the state a whole audit makes.
# (the fresh log: seq 2 is the actor, claim k at seq k + 2)
lines() { # lines FROM TO TARGET: claims FROM..TO, then a response to TARGET
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		if (a == 1) print "{\"type\":\"actor\",\"body\":{\"id\":\"p\",\"name\":\"P\",\"kind\":\"person\"}}"
		for (i = a; i <= b; i++) {
			printf "{\"type\":\"claim\",\"body\":{\"by\":\"p\",\"text\":\"Claim %d.\",\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"T\"}}}\n", i
			if (i == b) printf "{\"type\":\"response\",\"body\":{\"by\":\"p\",\"text\":\"No.\",\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"T\"},\"target\":{\"seq\":%d},\"stance\":\"denies\"}}\n", t
		}
	}'
}
lines 1 13000 5 >big1.jsonl
lines 13001 13500 5000 >big2.jsonl
expect_exit 0 "$AVOW" --log "$L" --key demo/alice.key append big1.jsonl
expect_exit 0 "$AVOW" --log "$L" report --claim 5
sqlite3 "$SF" 'SELECT chunk, hex(sha3(data)) FROM saved_chunk' >chunks1.txt
expect_exit 0 "$AVOW" --log "$L" --key demo/alice.key append big2.jsonl
sqlite3 "$SF" 'SELECT chunk, hex(sha3(data)) FROM saved_chunk' >chunks2.txt
check "13,505 records in 4 chunks: the append changed chunk 1 (record 5000) and 3 only" \
	test "$(wc -l <chunks2.txt):$(diff chunks1.txt chunks2.txt | sed -n 's/^> \([0-9]*\)|.*/\1/p' | tr '\n' ,)" = "4:1,3,"
AVOW_STATE_DIR=$T/whole "$AVOW" --log "$L" report --claim 5 >/dev/null 2>&1
WF=$(ls "$T"/whole/*.db)
check "... and the state saved equals the one a whole audit saves" \
	test "$(sqlite3 "$SF" 'SELECT size, hex(state) FROM saved; SELECT hex(data) FROM saved_chunk ORDER BY chunk' | sha256sum)" = \
	"$(sqlite3 "$WF" 'SELECT size, hex(state) FROM saved; SELECT hex(data) FROM saved_chunk ORDER BY chunk' | sha256sum)"

# A state whose chunks cannot hold its records (one lost) is not used:
# a whole audit saves it anew.
sqlite3 "$SF" 'DELETE FROM saved_chunk WHERE chunk = 2'
expect_exit 0 "$AVOW" --log "$L" report --claim 5
check "a state missing a chunk is rebuilt, as a whole audit saves it" \
	test "$(sqlite3 "$SF" 'SELECT size, hex(state) FROM saved; SELECT hex(data) FROM saved_chunk ORDER BY chunk' | sha256sum)" = \
	"$(sqlite3 "$WF" 'SELECT size, hex(state) FROM saved; SELECT hex(data) FROM saved_chunk ORDER BY chunk' | sha256sum)"

# AVOW_STATE_DIR= keeps no state.
rm -rf "$ST"
AVOW_STATE_DIR= "$AVOW" --log "$L" report >/dev/null 2>&1
check "AVOW_STATE_DIR= (empty) keeps no state" test ! -e "$ST"
finish
