#!/bin/bash
# both-ways.sh - cross-check avow against the independent Node.js
# implementation in this directory: audit.js must pass avow's demo bundle,
# and avow-verify must agree with every case make.js writes.
#
#   bash both-ways.sh AVOW AVOW_VERIFY SRCDIR
. "$(dirname "$0")/../lib.sh"

X=$SRC/tests/xcheck
command -v node >/dev/null || { echo "both-ways.sh: node is needed" >&2; exit 2; }
[ -d "$X/node_modules" ] || { echo "both-ways.sh: run npm ci in $X" >&2; exit 2; }

# avow writes, audit.js judges.
make_demo "$T/d"
"$AVOW" --log "$T/d/demo.db" export -o "$T/demo.bundle"
expect_exit 0 node "$X/audit.js" "$T/demo.bundle"
expect_stdout "pass"
# ... and audit.js does fail a broken avow bundle (so the pass means something).
sed '21s/China has provided/Chine has provided/' "$T/demo.bundle" >"$T/bad.bundle"
expect_exit 1 node "$X/audit.js" "$T/bad.bundle"
expect_stdout "fail 20"
# A log with every command's records, written by the CLI.
W=$T/w
make_base "$W"
head -18 "$SEED" | "$AVOW" --log "$W/demo.db" --key "$W/alice.key" append - >/dev/null 2>&1
WA="$AVOW --log $W/demo.db --key $W/alice.key"
$WA claim --by us-gov --with cn-gov --text "A joint claim." --quote --lang en --said-at 2023-09-18 --url https://example.org/a --publisher "P" --published 2023-09-18 --retrieved 2023-09-18T10:00:00Z --archive "$ARTICLE" --via tass --about ru-gov --topic testing >/dev/null 2>&1
$WA deny 20 --by ru-gov --text "No." --paraphrase --said-at 2023 --title "T" >/dev/null 2>&1
$WA respond 20 --stance retracts --by us-gov --text "We take it back." --paraphrase --said-at 2023 --title "T" >/dev/null 2>&1
$WA amend 20 --reason "fix" --set 'topics=["testing","more"]' >/dev/null 2>&1
$WA actor update tass --name "TASS" --kind media --alias "ТАСС" >/dev/null 2>&1
"$AVOW" --log "$W/demo.db" --key "$W/newsdesk.key" key revoke alice+7f099a5b --reason "gone" >/dev/null 2>&1
"$AVOW" --log "$W/demo.db" export -o "$T/w.bundle"
check "the CLI log has 26 records" test "$(wc -l <"$T/w.bundle")" = 26
expect_exit 0 "$AVOW_VERIFY" --bundle "$T/w.bundle"
expect_exit 0 node "$X/audit.js" "$T/w.bundle"
expect_stdout "pass"

# make.js writes, avow-verify judges; same rules as tests/conformance/run.sh.
node "$X/make.js" "$T/cases" >/dev/null 2>"$ERR"
check "make.js wrote cases" test -n "$(ls "$T/cases" 2>/dev/null)"
for e in "$T"/cases/*/expect; do
	c=${e%/expect}
	n=${c##*/}
	read -r want what _ <"$e"
	if [ -f "$c/checkpoint" ] && [ -f "$c/verifier-key" ]; then
		run "$AVOW_VERIFY" --bundle "$c/log.bundle" --checkpoint "$c/checkpoint" --verifier-key "$(cat "$c/verifier-key")" --json
	else
		run "$AVOW_VERIFY" --bundle "$c/log.bundle" --json
	fi
	json=$(strip_escapes <"$OUT")
	first=$(first_failure "$json")
	seq=$(printf '%s\n' "$first" | member seq)
	chk=$(printf '%s\n' "$first" | member check)
	verdict=$(printf '%s\n' "$json" | member verdict)
	if [ "$want" = pass ]; then
		if [ "$RC" -eq 0 ] && [ "$verdict" = pass ] && [ -z "$first" ]; then
			ok "$n: pass"
		else
			not_ok "$n: expected pass, got exit $RC, first failure seq ${seq:-?} check ${chk:-?}" "$(head -c 300 "$ERR")"
		fi
	elif [ "$what" = checkpoint ]; then
		if [ "$RC" -eq 1 ] && [ "$seq" = null ] && [ "$chk" = checkpoint ]; then
			ok "$n: fail checkpoint"
		else
			not_ok "$n: expected fail checkpoint, got exit $RC, seq ${seq:-?} check ${chk:-?}" "$(cat "$c/about")"
		fi
	else
		if [ "$RC" -eq 1 ] && [ "$verdict" = fail ] && [ "$seq" = "$what" ]; then
			ok "$n: fail $what ($chk)"
		else
			not_ok "$n: expected fail $what, got exit $RC, seq ${seq:-?} check ${chk:-?}" "$(cat "$c/about")"
		fi
	fi
done

finish
