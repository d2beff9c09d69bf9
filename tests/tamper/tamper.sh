#!/bin/bash
# tamper.sh - tamper with a real log (with sqlite3, after dropping its
# triggers) and a real bundle (with sed/head), and check that avow-verify
# fails at the right record with the right check; keys that may not sign are
# refused at write time; an edited derived index is reported, not fatal.
#
#   bash tamper.sh AVOW AVOW_VERIFY SRCDIR
#
# Time going backwards can't be forged here without signing tools: the
# write side is covered by the SOURCE_DATE_EPOCH refusal in cli/basic.sh, the
# audit side by make.js's time-backwards case (below, when node is there).
. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null || { echo "tamper.sh: sqlite3 is needed" >&2; exit 2; }

D=$T/demo
make_demo "$D"
L0=$D/demo.db
"$AVOW" --log "$L0" export -o "$T/good.bundle"
expect_exit 0 "$AVOW_VERIFY" --log "$L0"

# The records table is append-only while its triggers stand.
cp "$L0" "$T/trig.db"
run sqlite3 "$T/trig.db" "UPDATE records SET data = data WHERE seq = 5;"
check "UPDATE of a record is refused by a trigger" test "$RC" -ne 0
run sqlite3 "$T/trig.db" "DELETE FROM records WHERE seq = 41;"
check "DELETE of a record is refused by a trigger" test "$RC" -ne 0
check "the triggers kept all 42 records" test "$(count_records "$T/trig.db")" = 42

# fresh_log NAME: a copy of the demo log with its triggers dropped.
fresh_log() {
	cp "$L0" "$T/$1.db"
	sqlite3 "$T/$1.db" "DROP TRIGGER records_no_update; DROP TRIGGER records_no_delete; DROP TRIGGER records_in_order;"
	echo "$T/$1.db"
}
# set_record DB SEQ FILE: store FILE's first line (without its LF) as SEQ.
set_record() {
	printf '%s' "$(sed -n 1p "$3")" >"$3.raw"
	sqlite3 "$1" "UPDATE records SET data = readfile('$3.raw') WHERE seq = $2;"
}
# line SEQ: record SEQ of the good bundle, on stdout.
line() {
	sed -n "$(($1 + 1))p" "$T/good.bundle"
}
# edit_both NAME SEQ SED_EXPR WANT_SEQ CHECK...: apply SED_EXPR to record SEQ
# in a copy of the log and of the bundle; both must fail at WANT_SEQ.
edit_both() {
	n=$1 s=$2 e=$3 w=$4
	shift 4
	line "$s" | sed -e "$e" >"$T/$n.rec"
	if cmp -s "$T/$n.rec" <(line "$s"); then
		not_ok "$n: the edit changed nothing (test bug)"
		return
	fi
	db=$(fresh_log "$n")
	set_record "$db" "$s" "$T/$n.rec"
	expect_first_failure "$n (log)" "$w" "$@" -- --log "$db"
	sed -e "$(($s + 1))s/.*//" "$T/good.bundle" | sed -e "$(($s + 1))r $T/$n.rec" -e "$(($s + 1))d" >"$T/$n.bundle"
	check "$n: bundle edited in one line only" test "$(wc -l <"$T/$n.bundle")" = 42
	expect_first_failure "$n (bundle)" "$w" "$@" -- --bundle "$T/$n.bundle"
}

# One byte of a claim's text (record 20: "China" -> "Chine").
edit_both one-byte 20 's/China has provided/Chine has provided/' 20 signature
# A byte of an actor's description (record 5).
edit_both actor-byte 5 's/The Russian state/The Russian stats/' 5 signature
# Non-canonical white space: a space after the first comma.
edit_both whitespace 15 's/,/, /' 15 canonical
# The hash inside a response's target (record 22 answers 20).
edit_both target-hash 22 's/"target":{"hash":"D/"target":{"hash":"E/' 22 body signature
# A signature moved from another record by the same signer (13 -> 12).
sig13=$(line 13 | sed 's/.*"sig":"\([^"]*\)".*/\1/')
edit_both moved-signature 12 "s|\"sig\":\"[^\"]*\"|\"sig\":\"$sig13\"|" 12 signature
# The signature of the genesis record flipped.
edit_both genesis-signature 0 's|"sig":"\(.\)|"sig":"A\1|;s|"sig":"A\(.\)\([^"]*\)[^"]"|"sig":"\1\2A"|' 0 signature

# A deleted record.
db=$(fresh_log deleted)
sqlite3 "$db" "DELETE FROM records WHERE seq = 10;"
expect_first_failure "deleted record (log)" 10 seq prev framing -- --log "$db"
sed '11d' "$T/good.bundle" >"$T/deleted.bundle"
expect_first_failure "deleted record (bundle)" 10 seq prev -- --bundle "$T/deleted.bundle"
# The last record deleted cannot be told from a shorter log: the audit passes
# and says it cannot tell (no checkpoint).
head -n 41 "$T/good.bundle" >"$T/short.bundle"
expect_exit 0 "$AVOW_VERIFY" --bundle "$T/short.bundle"
expect_stderr "no trusted checkpoint"

# Two records swapped (10 and 11).
db=$(fresh_log swapped)
sqlite3 "$db" "CREATE TEMP TABLE s AS SELECT seq, data FROM records WHERE seq IN (10, 11);
UPDATE records SET data = (SELECT data FROM s WHERE s.seq = 21 - records.seq) WHERE seq IN (10, 11);"
expect_first_failure "swapped records (log)" 10 seq prev -- --log "$db"
sed -e '11{h;d}' -e '12G' "$T/good.bundle" >"$T/swapped.bundle"
check "swapped bundle: lines 11 and 12 exchanged" test "$(sed -n 11p "$T/swapped.bundle")" = "$(line 11)"
expect_first_failure "swapped records (bundle)" 10 seq prev -- --bundle "$T/swapped.bundle"

# A record duplicated in the bundle (record 30 twice).
sed '31p' "$T/good.bundle" >"$T/dup.bundle"
expect_first_failure "duplicated record (bundle)" 31 seq prev -- --bundle "$T/dup.bundle"

# Bundle framing: no final LF, an empty line, CRLF line ends, empty bundle.
head -c -1 "$T/good.bundle" >"$T/nolf.bundle"
expect_first_failure "missing final LF" 41 framing -- --bundle "$T/nolf.bundle"
sed '21s/.*//' "$T/good.bundle" >"$T/emptyline.bundle"
expect_first_failure "empty line" 20 framing -- --bundle "$T/emptyline.bundle"
sed '8s/$/\r/' "$T/good.bundle" >"$T/crlf.bundle"
run "$AVOW_VERIFY" --bundle "$T/crlf.bundle" --json
check "CR before LF fails at 7" sh -c "grep -q '\"seq\":7' '$OUT' && test $RC -eq 1"
: >"$T/empty.bundle"
run "$AVOW_VERIFY" --bundle "$T/empty.bundle" --json
check "empty bundle fails (exit 1)" test "$RC" -eq 1

# The untouched copies still pass (so the failures above are the edits').
expect_exit 0 "$AVOW_VERIFY" --bundle "$T/good.bundle"
db=$(fresh_log untouched)
expect_exit 0 "$AVOW_VERIFY" --log "$db"

# --- keys that may not sign are refused at write time ------------------------
W=$T/w
make_demo "$W"
import_key bob "$W"
"$AVOW" --log "$W/demo.db" export -o "$T/w.before"
expect_exit nonzero "$AVOW" --log "$W/demo.db" --key "$W/bob.key" claim --by us-gov --text "Unauthorised." --paraphrase --said-at 2023 --title "T"
expect_stderr "bob+6f10ec34" "names the unauthorised key"
"$AVOW" --log "$W/demo.db" export -o "$T/w.after"
same_file "$T/w.before" "$T/w.after" "unauthorised key: log unchanged"
# A recorder may not add keys.
P=$("$AVOW" --key "$W/bob.key" key possession --origin "$ORIGIN")
expect_exit nonzero "$AVOW" --log "$W/demo.db" --key "$W/alice.key" key add "$(cat "$KEYS/bob.vkey")" --possession "$P" --role recorder --holder "Bob"
"$AVOW" --log "$W/demo.db" export -o "$T/w.after"
same_file "$T/w.before" "$T/w.after" "recorder adding a key: log unchanged"
# Revoked: alice is revoked, then her append is refused.
expect_exit 0 "$AVOW" --log "$W/demo.db" --key "$W/newsdesk.key" key revoke alice+7f099a5b --reason "left the desk"
"$AVOW" --log "$W/demo.db" export -o "$T/w.before"
expect_exit nonzero "$AVOW" --log "$W/demo.db" --key "$W/alice.key" claim --by us-gov --text "After revocation." --paraphrase --said-at 2023 --title "T"
expect_stderr "alice+7f099a5b" "names the revoked key"
"$AVOW" --log "$W/demo.db" export -o "$T/w.after"
same_file "$T/w.before" "$T/w.after" "revoked key: log unchanged"
expect_exit 0 "$AVOW" --log "$W/demo.db" key list
expect_stdout "revoked"
expect_exit 0 "$AVOW_VERIFY" --log "$W/demo.db"

# The audit side: a claim by a key no entry added (shared conformance case).
for c in "$SRC/tests/conformance/049-unauthorised-signer" /work/shared/conformance/049-unauthorised-signer; do
	[ -f "$c/log.bundle" ] && break
done
if [ -f "$c/log.bundle" ]; then
	want=$(sed -n 's/^fail \([0-9]*\).*/\1/p' "$c/expect")
	expect_first_failure "unauthorised signer (conformance)" "$want" key signature -- --bundle "$c/log.bundle"
else
	not_ok "conformance case 049-unauthorised-signer not found"
fi
# Revoked-key and time-backwards cases from the independent writer.
if command -v node >/dev/null && [ -d "$SRC/tests/xcheck/node_modules" ]; then
	node "$SRC/tests/xcheck/make.js" "$T/cases" >/dev/null 2>&1
	for c in revoked-key-signs:key:signature time-backwards:time; do
		n=${c%%:*}
		checks=$(echo "${c#*:}" | tr : ' ')
		if [ -f "$T/cases/$n/expect" ]; then
			want=$(sed -n 's/^fail \([0-9]*\).*/\1/p' "$T/cases/$n/expect")
			# shellcheck disable=SC2086
			expect_first_failure "$n (make.js)" "$want" $checks -- --bundle "$T/cases/$n/log.bundle"
		else
			not_ok "make.js wrote no $n case"
		fi
	done
else
	echo "# node or tests/xcheck/node_modules missing: revoked-key and time-backwards audits skipped"
fi

# --- an edited derived table ----------------------------------------------------
# Table tree is not evidence: an edited row is a warning (index_problem),
# not a failure, and `avow reindex` rebuilds it.
X=$T/x.db
cp "$L0" "$X"
sqlite3 "$X" "UPDATE tree SET hash = zeroblob(32) WHERE size = 24 AND level = 3;"
expect_exit 0 "$AVOW_VERIFY" --log "$X" --json
expect_stdout '"verdict":"pass"'
check "index_problem names table tree" grep -q '"index_problem":"table tree disagrees with the records at size 24 level 3"' "$OUT"
expect_exit 0 "$AVOW_VERIFY" --log "$X"
expect_stderr "table tree"
expect_exit 0 "$AVOW" --log "$X" reindex
expect_exit 0 "$AVOW_VERIFY" --log "$X" --json
expect_stdout '"index_problem":null'
# A row missing from the table.
cp "$L0" "$X"
sqlite3 "$X" "DELETE FROM tree WHERE size = 16 AND level = 4;"
expect_exit 0 "$AVOW_VERIFY" --log "$X" --json
check "missing tree row: index_problem names it" grep -q '"index_problem":"table tree holds a row (size 24, level 3) where the level 4 node complete at size 16 was due"' "$OUT"
expect_exit 0 "$AVOW" --log "$X" reindex
expect_exit 0 "$AVOW_VERIFY" --log "$X" --json
expect_stdout '"index_problem":null'
# The untouched log has no index problem (so the checks above can fail).
expect_exit 0 "$AVOW_VERIFY" --log "$L0" --json
expect_stdout '"index_problem":null'

# --- a log in table layout 1 (avow before layout 2) ---------------------------------
# Layout 1 also kept table record_index and the tree's levels 0 to 2.
# Nothing reads them, so their content does not matter; the next write
# drops them, in its own transaction.
X1=$T/layout1.db
cp "$L0" "$X1"
sqlite3 "$X1" "PRAGMA user_version = 1;
CREATE TABLE record_index(seq INTEGER PRIMARY KEY, type TEXT NOT NULL, leaf_hash BLOB NOT NULL, by_actor TEXT, said_at TEXT);
INSERT INTO record_index SELECT seq, 'x', zeroblob(32), NULL, NULL FROM records;
INSERT INTO tree SELECT seq + 1, 0, zeroblob(32) FROM records;"
expect_exit 0 "$AVOW_VERIFY" --log "$X1" --json
expect_stdout '"index_problem":null'
expect_exit 0 "$AVOW" --log "$X1" --key "$D/alice.key" claim --by ru-mfa --text "Layout 1, appended to." --paraphrase --said-at 2023-09-18 --title "Layout"
check "an append to a layout 1 log drops record_index" test -z "$(sqlite3 "$X1" "SELECT name FROM sqlite_master WHERE name = 'record_index'")"
check "... and the tree's rows below level 3" test "$(sqlite3 "$X1" 'SELECT count(*) FROM tree WHERE level < 3')" = 0
check "... and marks it layout 2" test "$(sqlite3 "$X1" 'PRAGMA user_version')" = 2
expect_exit 0 "$AVOW_VERIFY" --log "$X1" --json
expect_stdout '"index_problem":null'

finish
