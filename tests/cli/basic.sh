#!/bin/bash
# basic.sh - the demo flow end to end, the read commands, the write commands,
# help and usage errors, reproducibility, time order, key files and secrets.
#
#   bash basic.sh AVOW AVOW_VERIFY SRCDIR
. "$(dirname "$0")/../lib.sh"

D=$T/demo
L=$D/demo.db
A="$AVOW --log $L"

# --- the demo flow, step by step ------------------------------------------
mkdir -p "$D"
expect_exit 0 "$AVOW" key import "$KEYS/newsdesk.c2sp" -o "$D/newsdesk.key" --no-passphrase
expect_stdout "newsdesk+0223fce6+" "import prints the verifier key"
expect_exit 0 "$AVOW" key import "$KEYS/alice.c2sp" -o "$D/alice.key" --no-passphrase
expect_exit 0 $A --key "$D/newsdesk.key" init --origin "$ORIGIN" --holder "Example Newsroom claims desk"
P=$("$AVOW" --key "$D/alice.key" key possession --origin "$ORIGIN")
check "possession proof is printed" test -n "$P"
expect_exit 0 $A --key "$D/newsdesk.key" key add "$(cat "$KEYS/alice.vkey")" --possession "$P" --role recorder --holder "Alice"
expect_exit 0 $A --key "$D/alice.key" append "$SEED"
check "append prints seq 2..41" test "$(tr '\n' ' ' <"$OUT")" = "$(seq 2 41 | tr '\n' ' ')"
check "42 records" test "$(count_records "$L")" = 42
expect_exit 0 "$AVOW_VERIFY" --log "$L"
expect_stdout "PASS"
expect_stdout "42 records"
expect_exit 0 "$AVOW_VERIFY" --log "$L" --json
expect_stdout '"verdict":"pass"'
expect_stdout '"failures":[]'
expect_stdout '"index_problem":null'
check "--json output is one line" test "$(wc -l <"$OUT")" -le 1
expect_exit 0 $A export -o "$T/b.bundle"
check "bundle has 42 lines" test "$(wc -l <"$T/b.bundle")" = 42
expect_exit 0 "$AVOW_VERIFY" --bundle "$T/b.bundle" --json
expect_stdout '"verdict":"pass"'
expect_exit 0 $A export
same_file "$OUT" "$T/b.bundle" "export to stdout equals export -o"
# The environment variables work as well as the options.
expect_exit 0 env AVOW_LOG="$L" "$AVOW_VERIFY"

# --- reading ---------------------------------------------------------------
expect_exit 0 $A log
expect_stdout "as recorder" "the key record's summary names its role"
check "log lists 42 records" test "$(wc -l <"$OUT")" = 42
expect_stdout "claim"
expect_exit 0 $A log --json
same_file "$OUT" "$T/b.bundle" "log --json equals the bundle"
expect_exit 0 $A show 5
expect_stdout "ru-gov"
expect_stdout "record 5"
expect_exit 0 $A show 5 --json
sed -n 6p "$T/b.bundle" >"$T/line6"
same_file "$OUT" "$T/line6" "show 5 --json equals line 6 of the bundle"
expect_exit nonzero $A show 42
expect_exit nonzero $A show 99
expect_exit 2 $A show notanumber
expect_exit 0 $A report
expect_stdout "CLAIM"
expect_stdout "denies"
expect_stdout "recorded by"
expect_stdout "Wang Yi"
expect_exit 0 $A report --format json
expect_stdout '"report":"avow-report/v1"'
expect_exit 0 $A report --claim 21
expect_stdout "CLAIM #21"
check "report --claim 21 shows only claim 21" test "$(grep -c 'CLAIM #' "$OUT")" = 1
expect_stdout "denies: #23" "the denial of 21 is threaded under it"
expect_exit 0 $A report --actor korolev
expect_exit nonzero $A report --claim 5
expect_exit 0 $A actor list
check "actor list: 18 actors (tass declared twice)" test "$(wc -l <"$OUT")" = 18
expect_stdout "korolev"
expect_exit 0 $A key list
expect_stdout "alice+7f099a5b"
expect_stdout "recorder"
expect_stderr "single admin key"
expect_exit 0 $A source check 20 "$ARTICLE"
expect_stdout "match:"
expect_exit 1 $A source check 20 "$SEED"
expect_stdout "MISMATCH"
expect_exit nonzero $A source check 5 "$ARTICLE"
expect_exit 2 $A source check 20 "$T/no-such-file"
# A file that cannot be read is an error, not a mismatch.
mkdir -p "$T/a-directory"
expect_exit 2 $A source check 20 "$T/a-directory"
expect_stderr "$T/a-directory: Is a directory"
check "unreadable source: no verdict on stdout" test ! -s "$OUT"

# --- writing after the seed (a log that already holds responses) ----------
cp "$L" "$T/before.db"
expect_exit 0 $A --key "$D/alice.key" claim --by us-gov --text "A claim made after the seed." --paraphrase --said-at 2023-09 --title "Test source"
check "claim after the seed prints 42" test "$(cat "$OUT")" = 42
expect_exit 0 "$AVOW_VERIFY" --log "$L"

# --- writing from the CLI on a fresh log ----------------------------------
W=$T/w
make_base "$W"
head -18 "$SEED" >"$T/actors.jsonl"
expect_exit 0 "$AVOW" --log "$W/demo.db" --key "$W/alice.key" append "$T/actors.jsonl"
printf 'an archived copy of a source\n' >"$T/archive.txt"
want_sha=$(printf "$(sha256sum "$T/archive.txt" | cut -c1-64 | sed 's/../\\x&/g')" | base64)
WA="$AVOW --log $W/demo.db --key $W/alice.key"
expect_exit 0 $WA claim --by us-gov --text "Test claim with an archive." --paraphrase --said-at 2023 --title "Archived source" --archive "$T/archive.txt" --about cn-gov --topic testing
check "claim prints seq 20" test "$(cat "$OUT")" = 20
expect_exit 0 "$AVOW" --log "$W/demo.db" show 20 --json
expect_stdout "\"sha256\":\"$want_sha\"" "the archive's sha256 is recorded"
expect_exit 0 "$AVOW" --log "$W/demo.db" source check 20 "$T/archive.txt"
expect_exit 0 $WA amend 20 --reason "said in July" --set 'said_at="2023-07"'
check "amend prints seq 21" test "$(cat "$OUT")" = 21
expect_exit 0 $WA deny 20 --by cn-gov --text "No such thing." --quote --said-at 2023-09-01 --url https://example.org/denial
check "deny prints seq 22" test "$(cat "$OUT")" = 22
expect_exit 0 $WA respond 20 --stance supports --by ru-gov --text "Indeed." --paraphrase --said-at 2023 --title "Another source"
check "respond prints seq 23" test "$(cat "$OUT")" = 23
expect_exit 0 $WA respond 22 --stance disputes --by us-gov --text "The denial is false." --paraphrase --said-at 2023 --title "Another source"
expect_exit 0 $WA actor add test-actor --name "Test Actor" --kind person
expect_exit 0 "$AVOW_VERIFY" --log "$W/demo.db" --json
expect_stdout '"verdict":"pass"'
expect_exit 0 "$AVOW" --log "$W/demo.db" report --claim 20
expect_stdout "said July 2023" "the amendment shows in the report"
expect_stdout "denies"
expect_stdout "supports"
# Refusals at write time.
n=$(count_records "$W/demo.db")
expect_exit nonzero $WA claim --by nobody --text "x" --paraphrase --said-at 2023 --title "T"
expect_exit nonzero $WA respond 20 --stance retracts --by cn-gov --text "x" --paraphrase --said-at 2023 --title "T"
expect_exit nonzero $WA respond 5 --stance denies --by cn-gov --text "x" --paraphrase --said-at 2023 --title "T"
expect_exit nonzero $WA claim --by us-gov --text "x" --said-at 2023 --title "T"
check "refused writes left the log alone" test "$(count_records "$W/demo.db")" = "$n"

# --- help and usage errors -------------------------------------------------
expect_exit 0 "$AVOW" --help
expect_exit 0 "$AVOW" --version
expect_exit 0 "$AVOW_VERIFY" --help
for c in init key actor claim respond deny amend append log show export verify report source reindex; do
	expect_exit 0 "$AVOW" "$c" --help
	check "$c --help writes usage on stdout" grep -q "usage" "$OUT"
done
for s in generate import possession add revoke list; do
	expect_exit 0 "$AVOW" key "$s" --help
done
for s in add update list; do
	expect_exit 0 "$AVOW" actor "$s" --help
done
expect_exit 0 "$AVOW" source check --help
for cmd in "--bogus" "log --bogus" "show 5 --bogus" "report --bogus" "key list --bogus" "export --bogus" "claim --bogus"; do
	# shellcheck disable=SC2086
	expect_exit 2 $A $cmd
	check "one line on stderr: avow $cmd" test "$(wc -l <"$ERR")" = 1
done
expect_exit 2 "$AVOW_VERIFY" --bogus
check "one line on stderr: avow-verify --bogus" test "$(wc -l <"$ERR")" = 1
expect_exit 2 "$AVOW" frobnicate

# --- reproducibility -------------------------------------------------------
make_demo "$T/r1"
make_demo "$T/r2"
"$AVOW" --log "$T/r1/demo.db" export -o "$T/r1.bundle"
"$AVOW" --log "$T/r2/demo.db" export -o "$T/r2.bundle"
same_file "$T/r1.bundle" "$T/r2.bundle" "two demo builds give identical bundles"
same_file "$T/r1.bundle" "$T/b.bundle" "the step-by-step demo equals make_demo"

# --- time may not go backwards ---------------------------------------------
"$AVOW" --log "$T/r1/demo.db" export -o "$T/r1.before"
n=$(count_records "$T/r1/demo.db")
expect_exit nonzero env SOURCE_DATE_EPOCH=1600000000 "$AVOW" --log "$T/r1/demo.db" --key "$T/r1/alice.key" claim --by us-gov --text "Too early." --paraphrase --said-at 2020 --title "T"
expect_stderr "2020-09-13T12:26:40Z" "names the new time"
expect_stderr "2023-09-19T00:00:00Z" "names the last record's time"
"$AVOW" --log "$T/r1/demo.db" export -o "$T/r1.after"
same_file "$T/r1.before" "$T/r1.after" "time refusal left the log unchanged"
check "time refusal: record count unchanged" test "$(count_records "$T/r1/demo.db")" = "$n"
# The same on a log without responses (so the refusal is about time alone).
expect_exit nonzero env SOURCE_DATE_EPOCH=1600000000 $WA claim --by us-gov --text "Too early." --paraphrase --said-at 2020 --title "T"
expect_stderr "2020-09-13T12:26:40Z" "names the new time"
expect_stderr "2023-09-19T00:00:00Z" "names the last record's time"

# --- encrypted key files ---------------------------------------------------
K=$T/keys
mkdir -p "$K"
expect_exit 0 env AVOW_PASSPHRASE=x AVOW_KDF_LIMITS=interactive "$AVOW" key generate bob -o "$K/bob.key"
expect_stdout "bob+"
check "generated key file has mode 600" test "$(stat -c %a "$K/bob.key")" = 600
expect_exit 0 env AVOW_PASSPHRASE=x "$AVOW" --key "$K/bob.key" key possession --origin o
check "encrypted key file has no plain key line" sh -c "! grep -q PRIVATE+KEY '$K/bob.key'"
expect_exit 2 env AVOW_PASSPHRASE=wrong "$AVOW" --key "$K/bob.key" key possession --origin o
expect_stderr "wrong passphrase"
check "wrong passphrase: nothing on stdout" test ! -s "$OUT"
printf 'x\n' >"$K/pass"
chmod 600 "$K/pass"
expect_exit 0 "$AVOW" --key "$K/bob.key" --passphrase-file "$K/pass" key possession --origin o
# A passphrase line is at most 1023 bytes: a longer one is refused, not cut
# (cutting it would unlock with a passphrase the user never chose).
long=$(head -c 1023 /dev/zero | tr '\0' y)
expect_exit 0 env AVOW_PASSPHRASE="$long" AVOW_KDF_LIMITS=interactive "$AVOW" key generate carol -o "$K/carol.key"
printf '%s\r\n' "$long" >"$K/pass1023"
expect_exit 0 "$AVOW" --key "$K/carol.key" --passphrase-file "$K/pass1023" key possession --origin o
printf '%sy\n' "$long" >"$K/pass1024"
expect_exit 2 "$AVOW" --key "$K/carol.key" --passphrase-file "$K/pass1024" key possession --origin o
expect_stderr "$K/pass1024: line 1: the passphrase is longer than 1023 bytes"
check "too long a passphrase: nothing on stdout" test ! -s "$OUT"
chmod 644 "$K/bob.key"
expect_exit 2 env AVOW_PASSPHRASE=x "$AVOW" --key "$K/bob.key" key possession --origin o
expect_stderr "$K/bob.key" "names the file"
expect_stderr "chmod"
cp "$D/alice.key" "$K/alice644.key"
chmod 644 "$K/alice644.key"
expect_exit 2 "$AVOW" --key "$K/alice644.key" key possession --origin o
expect_stderr "chmod"
expect_exit 2 "$AVOW" --key "$K/missing.key" key possession --origin o
expect_stderr "$K/missing.key"

# --- no secret anywhere ----------------------------------------------------
secrets=
for f in "$KEYS"/*.c2sp; do
	s=$(sed -n "s/^PRIVATE+KEY+[^+]*+[0-9a-f]*+//p" "$f")
	# The C2SP form (a type byte, then the seed) and the bare seed.
	seed=$(printf "%s" "$s" | base64 -d | tail -c 32 | base64)
	secrets="$secrets $s $seed"
done
check "found the fixture secrets" test -n "$secrets"
# Everything this script wrote: logs, bundles, captured output.
(
	"$AVOW" --log "$L" log
	"$AVOW" --log "$L" log --json
	"$AVOW" --log "$L" report --format json
	"$AVOW" --log "$L" key list
	"$AVOW_VERIFY" --log "$L" --json
	"$AVOW" key import "$KEYS/bob.c2sp" -o "$K/bob2.key" --no-passphrase
	"$AVOW" --key "$K/bob2.key" key possession --origin o
) >"$T/all.out" 2>"$T/all.err"
for s in $secrets; do
	n=0
	for f in "$L" "$T/b.bundle" "$W/demo.db" "$T/r1/demo.db" "$T/all.out" "$T/all.err" "$OUT" "$ERR"; do
		c=$(grep -c -F -- "$s" "$f")
		n=$((n + c))
	done
	check "secret ${s%????????????????????????????????????} appears nowhere" test "$n" = 0
done
# The unencrypted key file must hold the secret (so the check above can fail).
bobseed=$(sed -n "s/^PRIVATE+KEY+[^+]*+[0-9a-f]*+//p" "$KEYS/bob.c2sp" | base64 -d | tail -c 32 | base64)
check "an unencrypted key file holds its seed" grep -q -F -- "$bobseed" "$K/bob2.key"

finish
