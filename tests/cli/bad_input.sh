#!/bin/bash
# bad_input.sh - `avow append` is all or none: one bad line among good ones is
# reported as FILE:LINE: and nothing is appended. Also: a wrong passphrase,
# files that are not avow logs, a missing log.
#
#   bash bad_input.sh AVOW AVOW_VERIFY SRCDIR
. "$(dirname "$0")/../lib.sh"

D=$T/log
L=$D/demo.db
make_base "$D"
head -18 "$SEED" >"$T/actors.jsonl"
expect_exit 0 "$AVOW" --log "$L" --key "$D/alice.key" append "$T/actors.jsonl"
AP="$AVOW --log $L --key $D/alice.key append"

good() {
	printf '{"type":"claim","body":{"by":"us-gov","text":"Good claim %s.","quote":false,"said_at":"2023","source":{"title":"A source"}}}\n' "$1"
}
"$AVOW" --log "$L" export -o "$T/before.bundle"
count0=$(count_records "$L")

# bad_case NAME BADLINE: lines 1-3 good, line 4 BADLINE, line 5 good.
bad_case() {
	name=$1
	f=$T/$name.jsonl
	{
		good 1
		good 2
		good 3
		printf '%s\n' "$2"
		good 5
	} >"$f"
	expect_exit nonzero $AP "$f"
	expect_stderr "$f:4:" "$name: names line 4"
	check "$name: nothing on stdout" test ! -s "$OUT"
	"$AVOW" --log "$L" export -o "$T/after.bundle"
	same_file "$T/before.bundle" "$T/after.bundle" "$name: log unchanged (export)"
	check "$name: record count unchanged" test "$(count_records "$L")" = "$count0"
}

C='{"type":"claim","body":{"by":"us-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"}'
bad_case malformed '{"type":"claim","body":{"by":"us-gov",'
bad_case invalid-utf8 "$(printf '{"type":"claim","body":{"by":"us-gov","text":"Bad \xff.","quote":false,"said_at":"2023","source":{"title":"A source"}}}')"
bad_case fraction '{"type":"response","body":{"by":"cn-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"},"target":{"line":1.5},"stance":"denies"}}'
bad_case fraction-seq '{"type":"response","body":{"by":"cn-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"},"target":{"seq":20.5},"stance":"denies"}}'
bad_case duplicate-key '{"type":"claim","body":{"by":"us-gov","by":"cn-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"}}}'
bad_case duplicate-type '{"type":"claim","type":"claim","body":{"by":"us-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"}}}'
bad_case unknown-member "$C,\"colour\":\"red\"}}"
bad_case unknown-top-member "$C},\"extra\":1}"
bad_case undeclared-actor '{"type":"claim","body":{"by":"nobody","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"}}}'
bad_case missing-source '{"type":"claim","body":{"by":"us-gov","text":"Bad.","quote":false,"said_at":"2023"}}'
big=$(head -c 4097 /dev/zero | tr '\0' a)
bad_case oversized-name "{\"type\":\"actor\",\"body\":{\"id\":\"big\",\"name\":\"$big\",\"kind\":\"person\"}}"
bad_case empty-string '{"type":"claim","body":{"by":"us-gov","text":"","quote":false,"said_at":"2023","source":{"title":"A source"}}}'
bad_case forward-reference '{"type":"response","body":{"by":"cn-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"},"target":{"line":5},"stance":"denies"}}'
bad_case self-reference '{"type":"response","body":{"by":"cn-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"},"target":{"line":4},"stance":"denies"}}'
bad_case bad-said-at '{"type":"claim","body":{"by":"us-gov","text":"Bad.","quote":false,"said_at":"2023-13","source":{"title":"A source"}}}'
bad_case unknown-type '{"type":"frob","body":{}}'
bad_case genesis '{"type":"genesis","body":{"origin":"x","key":"y","holder":"z"}}'
bad_case target-no-record '{"type":"response","body":{"by":"cn-gov","text":"Bad.","quote":false,"said_at":"2023","source":{"title":"A source"},"target":{"seq":999},"stance":"denies"}}'

# The good lines alone do append (so the cases above failed on line 4).
{ good 1; good 2; good 3; good 5; } >"$T/good.jsonl"
expect_exit 0 $AP "$T/good.jsonl"
check "the good lines append as seq 20..23" test "$(tr '\n' ' ' <"$OUT")" = "20 21 22 23 "
# And a {"line": k} backward reference resolves.
{
	good 6
	printf '%s\n' '{"type":"response","body":{"by":"cn-gov","text":"Denied.","quote":false,"said_at":"2023","source":{"title":"A source"},"target":{"line":1},"stance":"denies"}}'
} >"$T/ref.jsonl"
expect_exit 0 $AP "$T/ref.jsonl"
expect_exit 0 "$AVOW_VERIFY" --log "$L"
"$AVOW" --log "$L" export -o "$T/before.bundle"
count0=$(count_records "$L")
# The same from standard input: reported as -:LINE: (or <stdin>:LINE:).
{ good 1; printf 'not json\n'; } >"$T/stdin.jsonl"
run $AP - <"$T/stdin.jsonl"
check "stdin: bad line refused" test "$RC" -ne 0
check "stdin: names line 2" grep -q ':2:' "$ERR"
check "stdin: record count unchanged" test "$(count_records "$L")" = "$count0"

# CRLF line ends (a file saved on Windows): each line is one entry, blank
# CRLF lines are skipped, and errors name the right line.
{ good 7 | tr -d '\n'; printf '\r\n\r\n'; good 8 | tr -d '\n'; printf '\r\n'; } >"$T/crlf.jsonl"
expect_exit 0 $AP "$T/crlf.jsonl"
check "CRLF: both lines append, one seq each" test "$(wc -l <"$OUT")" -eq 2
expect_stderr "appended 2 records" "CRLF"
check "CRLF: the log has the two more records" test "$(count_records "$L")" = "$((count0 + 2))"
{ good 9 | tr -d '\n'; printf '\r\n\r\nnot json\r\n'; } >"$T/crlf-bad.jsonl"
expect_exit nonzero $AP "$T/crlf-bad.jsonl"
expect_stderr "$T/crlf-bad.jsonl:3:" "CRLF: names line 3"
check "CRLF, bad line 3: record count unchanged" test "$(count_records "$L")" = "$((count0 + 2))"
printf '\r\n\n\r\n' >"$T/blank.jsonl"
expect_exit 2 $AP "$T/blank.jsonl"
expect_stderr "$T/blank.jsonl: no entries to append"
{ good 10; } >"$T/one.jsonl"
expect_exit 0 $AP "$T/one.jsonl"
expect_stderr "appended 1 record (" "one line: record, not records"

# --- a wrong passphrase ------------------------------------------------------
expect_exit 0 env AVOW_PASSPHRASE=right AVOW_KDF_LIMITS=interactive "$AVOW" key generate bob -o "$T/bob.key"
P=$(AVOW_PASSPHRASE=right "$AVOW" --key "$T/bob.key" key possession --origin "$ORIGIN")
expect_exit 0 "$AVOW" --log "$L" --key "$D/newsdesk.key" key add "$(head -1 "$OUT")" --possession "$P" --role recorder --holder "Bob"
"$AVOW" --log "$L" export -o "$T/before.bundle"
count0=$(count_records "$L")
good 7 >"$T/one.jsonl"
expect_exit 2 env AVOW_PASSPHRASE=wrong "$AVOW" --log "$L" --key "$T/bob.key" append "$T/one.jsonl"
expect_stderr "wrong passphrase"
"$AVOW" --log "$L" export -o "$T/after.bundle"
same_file "$T/before.bundle" "$T/after.bundle" "wrong passphrase: log unchanged"
check "wrong passphrase: record count unchanged" test "$(count_records "$L")" = "$count0"
expect_exit 0 env AVOW_PASSPHRASE=right "$AVOW" --log "$L" --key "$T/bob.key" append "$T/one.jsonl"

# --- not avow logs -----------------------------------------------------------
expect_exit 2 "$AVOW" --log /etc/passwd log
expect_stderr "not an avow log"
expect_exit 2 "$AVOW_VERIFY" --log /etc/passwd
expect_stderr "not an avow log"
sqlite3 "$T/x.db" 'create table t(a)'
cp "$T/x.db" "$T/x.orig"
expect_exit 2 "$AVOW" --log "$T/x.db" log
expect_stderr "not an avow log"
expect_exit 2 "$AVOW" --log "$T/x.db" --key "$D/alice.key" append "$T/one.jsonl"
expect_stderr "not an avow log"
expect_exit 2 "$AVOW_VERIFY" --log "$T/x.db"
expect_stderr "not an avow log"
same_file "$T/x.orig" "$T/x.db" "a foreign SQLite db is left alone"
: >"$T/empty.db"
expect_exit 2 "$AVOW" --log "$T/empty.db" log
expect_exit 2 "$AVOW" --log "$T/missing.db" log
expect_stderr "$T/missing.db"
check "a missing log is not created by reading it" test ! -e "$T/missing.db"
expect_exit 2 "$AVOW_VERIFY" --log "$T/missing.db"
expect_exit 2 "$AVOW_VERIFY" --bundle "$T/missing.bundle"
expect_exit 2 "$AVOW" --log "$T/missing.db" --key "$D/alice.key" append "$T/one.jsonl"
check "a missing log is not created by append" test ! -e "$T/missing.db"
# init refuses to overwrite an existing log.
"$AVOW" --log "$L" export -o "$T/before.bundle"
expect_exit nonzero "$AVOW" --log "$L" --key "$D/newsdesk.key" init --origin other.example/x --holder "H"
"$AVOW" --log "$L" export -o "$T/after.bundle"
same_file "$T/before.bundle" "$T/after.bundle" "init on an existing log leaves it alone"

finish
