#!/bin/bash
# stream.sh - avow append --stream: group commit of records that arrive
# over time. Groups split by a pause or by --group-lines make the same
# records as one whole append; line references across groups resolve; a
# bad line stops the stream and keeps the groups before it.
#
#   bash stream.sh AVOW AVOW_VERIFY SRCDIR
. "$(dirname "$0")/../lib.sh"

make_demo "$T/whole"
make_base "$T/s"
sed -n 1,19p "$SEED" >"$T/part1"
sed -n 20,40p "$SEED" >"$T/part2"
run sh -c "{ cat '$T/part1'; sleep 1; cat '$T/part2'; } | '$AVOW' --log '$T/s/demo.db' --key '$T/s/alice.key' append --stream --group-ms 300"
check "a stream in two bursts: exit 0" test "$RC" -eq 0
expect_stderr "appended 40 records in 2 groups (2..41)"
check "it prints one seq per record" test "$(wc -l <"$OUT")" -eq 40
"$AVOW" --log "$T/whole/demo.db" export -o "$T/whole.txt" 2>/dev/null
"$AVOW" --log "$T/s/demo.db" export -o "$T/s.txt" 2>/dev/null
same_file "$T/whole.txt" "$T/s.txt" "two groups (with references across them) make the records of one append"

make_base "$T/g"
expect_exit 0 "$AVOW" --log "$T/g/demo.db" --key "$T/g/alice.key" append --stream --group-lines 7 "$SEED"
expect_stderr "appended 40 records in 6 groups (2..41)"
"$AVOW" --log "$T/g/demo.db" export -o "$T/g.txt" 2>/dev/null
same_file "$T/whole.txt" "$T/g.txt" "groups of 7 lines make the records of one append"

make_base "$T/b"
{ cat "$T/part1"; echo '{"type": "claim", "body": {"by": "nobody-declared"}}'; } >"$T/bad.jsonl"
run "$AVOW" --log "$T/b/demo.db" --key "$T/b/alice.key" append --stream --group-lines 10 "$T/bad.jsonl"
check "a bad line stops the stream with a failure" test "$RC" -ne 0
expect_stderr "bad.jsonl:20"
expect_stderr "the 10 records of the 1 groups before stay (2..11)"
check "the group before the bad line stays, the bad line's group does not" \
	test "$(count_records "$T/b/demo.db")" -eq 12
expect_exit 0 "$AVOW_VERIFY" --log "$T/b/demo.db" --quiet
expect_exit 2 "$AVOW" --log "$T/b/demo.db" --key "$T/b/alice.key" append --stream --group-lines 0 "$T/part1"
expect_stderr "--group-lines 0: not a number from 1 to 1000000"
finish
