#!/bin/bash
# report.sh - avow report and avow search: every view, statuses, --as-of,
# windows, search in languages without spaces, refusal of a failing log,
# the JSON report against its schema, and golden files for every format
# (tests/golden/, reproducible: fixed keys and SOURCE_DATE_EPOCH).
#
#   bash report.sh AVOW AVOW_VERIFY SRCDIR
#   AVOW_UPDATE_GOLDEN=1 bash report.sh ...   rewrites the golden files
. "$(dirname "$0")/../lib.sh"

D=$T/demo
make_demo "$D"
cd "$T" || exit 2
L=demo/demo.db
R() { "$AVOW" --log "$L" "$@"; }
GOLDEN=$SRC/tests/golden

# json_get FILE EXPR: evaluate a JavaScript expression over the parsed
# report `r` (node is required by the cross-check suite anyway).
json_get() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}

# ---------------------------------------------------------------- threads
expect_exit 0 R report
expect_stdout "view: threads; 13 threads"
check "text report has no colour codes when piped" sh -c "! grep -q \$'\\033' '$OUT'"
expect_exit 0 R report --format json -o all.json
check "all threads: 13 claims" test "$(json_get all.json 'r.statements.length')" = 13
check "claim 20 (US accusation) is contested" test "$(json_get all.json 'r.statements.find(s => s.seq == 20).status.value')" = contested
check "claim 32 (the analysts) is supported by Korolev" test "$(json_get all.json 'r.statements.find(s => s.seq == 32).status.value')" = supported
check "claim 29 (Russia with North Korea) is answered: the ministry declined to comment" test "$(json_get all.json 'r.statements.find(s => s.seq == 29).status.value')" = answered
check "claim 24 (China's impartiality) is contested by a dispute" test "$(json_get all.json 'r.statements.find(s => s.seq == 24).status.value')" = contested
check "a claim without responses is unanswered" test "$(json_get all.json 'r.statements.find(s => s.seq == 26).status.value')" = unanswered
check "the denial is threaded under claim 20" test "$(json_get all.json 'r.statements.find(s => s.seq == 20).responses.map(q => q.stance + q.seq).join()')" = denies22
check "joint actors: Russia with North Korea" test "$(json_get all.json 'r.statements.find(s => s.seq == 29).with.map(w => w.id).join()')" = kp-gov
check "via chain: TASS" test "$(json_get all.json 'r.statements.find(s => s.seq == 26).via.map(w => w.id).join()')" = tass
check "said_at keeps its precision" test "$(json_get all.json 'r.statements.find(s => s.seq == 21).said_at.text')" = "July 2023"
check "cite is origin#seq@hash8" test "$(json_get all.json 'r.statements[0].cite')" = "$ORIGIN#$(json_get all.json 'r.statements[0].seq')@$(json_get all.json 'Buffer.from(r.statements[0].leaf_hash, "base64").toString("hex").slice(0, 8)')"
check "the amendment of claim 30 is shown with old and new values" test "$(json_get all.json 'JSON.stringify(r.statements.find(s => s.seq == 30).amendments[0].changes[0])')" = '{"member":"topics","new":["arms-sales","north-korea"],"old":["arms-sales"]}'
check "actors: every one named, in id order" test "$(json_get all.json 'r.actors.map(a => a.id).join() === r.actors.map(a => a.id).sort().join()')" = true
expect_exit 0 R report --claim 22
expect_stdout "■ CLAIM #20"
expect_stdout "denies: #22"
check "--claim of a response shows its claim's thread" test "$(grep -c '■ CLAIM' "$OUT")" = 1
expect_exit 0 R report --topic dual-use-technology
expect_stdout "view: threads, topic dual-use-technology; 1 thread"

# ------------------------------------------------------------- statements
expect_exit 0 R report --actor korolev --format json -o korolev.json
check "korolev: four statements, in time order" test "$(json_get korolev.json 'r.statements.map(s => s.seq).join()')" = 33,34,35,37
expect_exit 0 R report --actor us-gov --format json -o usgov.json
expect_exit 0 R report --actor us-gov --include-parts --format json -o usparts.json
check "--include-parts adds us-intel (part_of us-gov)" test "$(json_get usparts.json 'r.statements.length - 1')" = "$(json_get usgov.json 'r.statements.length')"
check "us-intel's July claim is among them" test "$(json_get usparts.json 'r.statements.some(s => s.by.id == "us-intel")')" = true
# The window: statements whose span overlaps July 2023; a year-precise
# statement of 2023 overlaps it, and sorts before July (coarser first).
expect_exit 0 R report --since 2023-07 --until 2023-07 --format json -o july.json
check "window: the July report is in" test "$(json_get july.json 'r.statements.some(s => s.seq == 21)')" = true
check "window: nothing of September 2023 only" test "$(json_get july.json 'r.statements.some(s => s.said_at.value.startsWith("2023-09"))')" = false
check "window: sorted by span start, coarser first" test "$(json_get july.json 'r.statements.map(s => s.said_at.value).join() === r.statements.map(s => s.said_at.value).slice().sort((a, b) => a.localeCompare(b) || a.length - b.length).join()')" = true
expect_exit 0 R report --since 2024
expect_stdout "(no statements match)"
expect_exit 0 R report --actor cn-gov --offset 1 --limit 2 --format json -o page.json
check "paging: 2 of the total" test "$(json_get page.json 'r.statements.length + "/" + r.view.total')" = "2/$(R report --actor cn-gov --format json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).view.total))')"
# --after: the page just after a statement, in the actor's time order;
# next_after is where the next page starts, null on the last one.
expect_exit 0 R report --actor korolev --limit 2 --format json -o kpage1.json
check "--limit 2: korolev's first two, next_after 34" test "$(json_get kpage1.json 'r.statements.map(s => s.seq).join() + "/" + r.view.after + "/" + r.view.next_after')" = 33,34/null/34
expect_exit 0 R report --actor korolev --after 34 --limit 2 --format json -o kpage2.json
check "--after 34 --limit 2: the last two, no next page" test "$(json_get kpage2.json 'r.statements.map(s => s.seq).join() + "/" + r.view.after + "/" + r.view.next_after + "/" + r.view.total')" = 35,37/34/null/4
expect_exit 0 "$AVOW" --log "$L" --no-saved-state report --actor korolev --after 33 --limit 1 --format json -o kpage3.json
check "--after without the saved state: the same order" test "$(json_get kpage3.json 'r.statements.map(s => s.seq).join() + "/" + r.view.next_after')" = 34/34
check "a threads view has no next_after" test "$(json_get all.json 'r.view.after + "/" + r.view.next_after')" = null/null
# The text and HTML reports say where the page starts and how to go on.
expect_exit 0 R report --actor korolev --limit 2
expect_stdout "4 statements, showing 2 from 1"
check "text: the last line gives the option for the next page" test "$(tail -1 "$OUT")" = "more: --after 34"
expect_exit 0 R report --actor korolev --after 33 --limit 1 --format html
expect_stdout "(--actor <code>korolev</code>, --after 33, --limit 1): 1 of 4 shown; more: <code>--after 34</code></dd>"
expect_exit 0 R report --actor korolev --after 34 --limit 2
expect_stdout "4 statements, showing 2 after #34"
check "text: no next page after the last" sh -c "! grep -q '^more:' '$OUT'"
expect_exit 0 R report --actor korolev --after 37
expect_stdout "showing 0 after #37"
expect_stdout "(no statements match)"

# ------------------------------------------------------------------ as-of
expect_exit 0 R report --as-of 21 --claim 21 --format json -o asof.json
check "as of 21, claim 21 is unanswered (its denial is 23)" test "$(json_get asof.json 'r.statements[0].status.value + "@" + r.statements[0].status.as_of_size')" = unanswered@22
check "as of 21, no response is shown" test "$(json_get asof.json 'r.statements[0].responses.length')" = 0
expect_exit 0 R report --as-of 40 --claim 30 --format json -o asof40.json
check "as of 40, the amendment (41) is not applied" test "$(json_get asof40.json 'r.statements[0].topics.join() + "/" + r.statements[0].amendments.length')" = "arms-sales/0"
expect_exit 2 R report --as-of 42
expect_stderr "--as-of 42: the log holds records 0 to 41"
expect_exit 2 R report --as-of 10 --claim 20

# ----------------------------------------------------------------- search
expect_exit 0 R search 外交部 --format json -o mfa.json
check "外交部 finds what 中华人民共和国外交部 said" test "$(json_get mfa.json 'r.statements.length > 0 && r.statements.every(s => s.by.id == "cn-mfa")')" = true
expect_exit 0 R search "dual-use technology"
expect_stdout "■ CLAIM #21"
expect_exit 0 R search Kremlin --format json -o kremlin.json
check "an actor's name finds its statements" test "$(json_get kremlin.json 'r.statements.some(s => s.by.id == "kremlin")')" = true
expect_exit 0 R search "no-such-words-anywhere"
expect_stdout "(no statements match)"
expect_exit 0 R search Wang --actor kremlin --format json -o wang.json
check "search --actor narrows" test "$(json_get wang.json 'r.statements.every(s => s.by.id == "kremlin")')" = true
expect_exit 2 R search
expect_exit 2 R search x --claim 3

# ----------------------------------------------------- sources and errors
R export -o demo.bundle
expect_exit 0 "$AVOW" report --bundle demo.bundle --claim 20
expect_stdout "bundle demo.bundle, 42 records"
R --key demo/newsdesk.key checkpoint -o cp.txt 2>/dev/null
expect_exit 0 R report --checkpoint cp.txt --verifier-key "$(cat "$KEYS/newsdesk.vkey")" --claim 20
expect_stdout "audit: PASS, against checkpoint cp.txt (42 records, signed by newsdesk+0223fce6)"
check "no truncation warning with a checkpoint" sh -c "! grep -q 'cannot tell' '$ERR'"
sed '21s/China/Chine/' demo.bundle >bad.bundle
expect_exit 1 "$AVOW" report --bundle bad.bundle
expect_stderr "bad.bundle fails its audit at record 20"
check "a failing log gives no report" test ! -s "$OUT"
expect_exit 2 R report --format pdf
expect_exit 2 R report --actor nobody
expect_stderr "--actor nobody: no such actor"
expect_exit 2 R report --since 2023-13
expect_exit 2 R report --since 2024 --until 2023
expect_exit 2 R report --claim 3 --actor korolev
expect_exit 2 R report --include-parts
# --after: a statement of the actor, in the log and the --as-of, and not
# with --offset; each refusal one line that names the option and value.
after_err() {
	msg=$1
	shift
	expect_exit 2 R report "$@"
	expect_stderr "$msg"
	check "... in one line" test "$(wc -l <"$ERR")" = 1
}
after_err "--after 32: record 32 is not a statement of actor korolev" --actor korolev --after 32
after_err "--after 20: record 20 is not a statement of actor korolev" --actor korolev --after 20 --limit 1
after_err "--after 42: the log holds records 0 to 41" --actor korolev --after 42
after_err "--after 34: record 34 is after --as-of 33" --actor korolev --after 34 --as-of 33
after_err "--after 21: record 21 is not a statement of actor cn-gov or its parts" --actor cn-gov --include-parts --after 21
after_err "--after 22: record 22 is not a statement of actor cn-gov that this view shows" --actor cn-gov --topic diplomacy --after 22
after_err "--after and --offset both say where the page starts" --actor korolev --after 33 --offset 1
after_err "--after pages the statements of one actor: it is an option of avow report --actor" --after 33
after_err "--after x: not a record number" --actor korolev --after x
expect_exit 2 R search Korolev --actor korolev --after 33
expect_stderr "it is an option of avow report --actor"
expect_exit 2 "$AVOW" --log "$L" --no-saved-state report --actor korolev --after 32
expect_stderr "--after 32: record 32 is not a statement of actor korolev"
expect_exit 0 R report --help
expect_stdout "--as-of SEQ"
expect_stdout "--after SEQ"

# ----------------------------------------------------- the JSON schema
if node -e 'require("ajv/dist/2020")' 2>/dev/null || [ -d "$SRC/tests/xcheck/node_modules/ajv" ]; then
	for f in all korolev usparts july asof mfa page kpage1 kpage2; do
		expect_exit 0 node "$SRC/tests/xcheck/report-schema.js" "$SRC/docs/report.schema.json" "$f.json"
	done
	json_get all.json 'JSON.stringify(Object.assign(r, {statements: r.statements.map(s => { delete s.cite; return s; })}))' >broken.json
	expect_exit 1 node "$SRC/tests/xcheck/report-schema.js" "$SRC/docs/report.schema.json" broken.json
	expect_stdout "must have required property 'cite'"
else
	not_ok "ajv is missing: run scripts/deps.sh (npm ci in tests/xcheck)"
fi

# ----------------------------------------------------------- golden files
# The seed example in every format. Paths are relative, times fixed.
golden() {
	name=$1
	shift
	R report "$@" >"$name" 2>/dev/null
	if [ -n "${AVOW_UPDATE_GOLDEN:-}" ]; then
		mkdir -p "$GOLDEN"
		cp "$name" "$GOLDEN/$name"
	fi
	same_file "$name" "$GOLDEN/$name" "golden: report $* equals tests/golden/$name"
}
golden report.txt
golden report.md --format md
golden report.json --format json
golden claim-20.txt --claim 20
golden korolev.md --actor korolev --format md
for f in html dot prov; do
	if R report --claim 20 --format $f >/dev/null 2>&1; then
		golden report.$f --format $f
	else
		not_ok "--format $f does not work"
	fi
done

finish
