#!/bin/bash
# render.sh - the html, dot and prov renderers (cmd/avow/report_html.c,
# report_dot.c, report_prov.c) on the hand-written sample reports
# (tests/report/sample-*.json) and on real reports of the seed log.
#
#   bash render.sh AVOW AVOW_VERIFY SRCDIR DRIVER basic
#   bash render.sh AVOW AVOW_VERIFY SRCDIR DRIVER full CHROMIUM DOT
#
# DRIVER is tests/report/render_driver (one renderer on a JSON file).
# basic: every format renders, the same report gives the same bytes, a
# write error is reported, the HTML has no script and no external
# resource, hostile strings come out escaped, and `avow report --format F`
# gives what the renderer gives for `avow report --format json`.
# full, besides: Chromium builds the DOM of each HTML report, and
# check.js compares it with the report (one timeline lane per actor, one
# link per response, the threads, every text exactly); `dot -Tsvg` draws
# each digraph with one edge per response; each PROV-JSON document has the
# relations of every statement (check.js). With AVOW_UPDATE_SCREENSHOT=1 it
# rewrites docs/img/report-timeline.png, the seed log's timeline.
. "$(dirname "$0")/../lib.sh"

DRIVER=$4
MODE=${5:-basic}
CHROMIUM=${6:-chromium}
DOT=${7:-dot}
HERE=$SRC/tests/report
case $DRIVER in /*) ;; *) DRIVER=$(pwd)/$DRIVER ;; esac
[ -x "$DRIVER" ] || { echo "render.sh: $DRIVER is not executable" >&2; exit 2; }

# ------------------------------------------------------------------ inputs
mkdir -p "$T/in" "$T/out"
cp "$HERE"/sample-threads.json "$HERE"/sample-statements.json \
	"$HERE"/sample-edge.json "$T/in/"
D=$T/demo
make_demo "$D" || { not_ok "make the seed log"; finish; }
R() { "$AVOW" --log "$D/demo.db" "$@" 2>/dev/null; }
# name|options: the real reports, one per view.
views="seed-threads|
seed-claim|--claim 22
seed-topic|--topic dual-use-technology
seed-actor|--actor cn-gov --include-parts
seed-window|--since 2023-03 --until 2023-07
seed-page|--since 2023 --offset 3 --limit 5
seed-after|--actor cn-gov --after 22 --limit 2
seed-asof|--as-of 30"
while IFS='|' read -r name opts; do
	# shellcheck disable=SC2086 # opts are words
	check "avow report $opts --format json" R report $opts --format json -o "$T/in/$name.json"
done <<EOF
$views
EOF
check "avow search Korolev --format json" R search Korolev --format json -o "$T/in/seed-search.json"

# ---------------------------------------------------------------- rendering
for in in "$T"/in/*.json; do
	n=$(basename "$in" .json)
	for f in html dot prov; do
		expect_exit 0 "$DRIVER" "$f" "$in" "$T/out/$n.$f"
		"$DRIVER" "$f" "$in" "$T/out/$n.again.$f" 2>/dev/null
		same_file "$T/out/$n.$f" "$T/out/$n.again.$f" "$n.$f: the same report gives the same bytes"
	done
done
if [ -w /dev/full ]; then
	for f in html dot prov; do
		expect_exit 1 "$DRIVER" "$f" "$T/in/seed-threads.json" /dev/full
		expect_stderr "write error" "$f to a full disk"
	done
fi

# The CLI calls the same renderers on the same model.
while IFS='|' read -r name opts; do
	for f in html dot prov; do
		# shellcheck disable=SC2086
		R report $opts --format "$f" -o "$T/out/$name.cli.$f"
		same_file "$T/out/$name.$f" "$T/out/$name.cli.$f" "avow report $opts --format $f is the renderer's output"
	done
done <<EOF
$views
EOF
R search Korolev --format html -o "$T/out/seed-search.cli.html"
same_file "$T/out/seed-search.html" "$T/out/seed-search.cli.html" "avow search --format html is the renderer's output"

# --------------------------------------------------------- HTML, as text
for h in "$T"/out/*.html; do
	case $h in *.again.html | *.cli.html) continue ;; esac
	n=$(basename "$h")
	check "$n: HTML5 document" test "$(head -c 15 "$h")" = "<!DOCTYPE html>"
	check "$n: no script, no external resource" sh -c "! grep -qiE '<script|<link|<img|<iframe|@import|src=|url\\(http' '$h'"
	check "$n: in-page links and http(s) source links only" sh -c "! grep -oE 'href=\"[^\"]*\"' '$h' | grep -vE '^href=\"(#|https?://)'"
done
E=$T/out/sample-edge
check "edge: text made of tags is escaped" sh -c "! grep -qE '<(jamais|Script|cases|topics|odd|bob@)' '$E.html'"
check "edge: quotes and apostrophes are escaped" grep -qF 'Ministry of &lt;Script&gt; &amp; &quot;Quotes&quot;' "$E.html"
check "edge: apostrophe escaped" grep -qF 'Jean O&#39;Brien-Dupont' "$E.html"
check "edge: a URL with & and < is escaped in its link" grep -qF 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;"' "$E.html"
check "edge: dot escapes quotes" grep -qF 'label="#6 Ministry of <Script> &\n\"Quotes\" [retracted]\n“Nous n'"'"'avons <jamais> dit \"ça\" &' "$E.dot"
check "edge: dot escapes a backslash" grep -qF 'Wire\\Agency' "$E.dot"
check "edge: dot folds the line feed and tab of a text" grep -qF 'ne le dirons pas. Second line with\na tab.”' "$E.dot"
check "statements view: a placeholder for a target not in the view" grep -qF '"#20 (not in this view)"' "$T/out/seed-actor.dot"
check "statements view: the HTML says the target is not in the view" grep -qF '#20 (not in this view)' "$T/out/seed-actor.html"

if [ "$MODE" != full ]; then
	finish
fi

# ------------------------------------------------------- Chromium: the DOM
chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-dev-shm-usage --no-first-run --hide-scrollbars \
		--user-data-dir="$T/chrome" "$@" 2>/dev/null
}
for in in "$T"/in/*.json; do
	n=$(basename "$in" .json)
	# A copy with the probe as its last script (the report has none).
	{
		sed '/^<\/body>$/,$d' "$T/out/$n.html"
		echo '<script id="avow-probe">'
		cat "$HERE/probe.js"
		echo '</script>'
		sed -n '/^<\/body>$/,$p' "$T/out/$n.html"
	} >"$T/out/$n.probe.html"
	chrome --dump-dom "file://$T/out/$n.probe.html" >"$T/out/$n.dom.html"
	check "$n.html: Chromium builds the DOM" test -s "$T/out/$n.dom.html"
	if node "$HERE/check.js" dom "$in" "$T/out/$n.dom.html" >"$T/.check"; then
		ok "$n.html: the DOM matches the report ($(grep -c '^ok' "$T/.check") checks)"
	else
		not_ok "$n.html: the DOM does not match the report" "$(grep -A3 '^FAIL' "$T/.check" | head -c 3000)"
	fi
done
for n in seed-threads sample-edge; do
	chrome --screenshot="$T/out/$n.png" --window-size=1400,1000 "file://$T/out/$n.html" >/dev/null
	check "$n.html: Chromium draws it (screenshot)" test "$(wc -c <"$T/out/$n.png")" -gt 20000
done
if [ "${AVOW_UPDATE_SCREENSHOT:-}" = 1 ]; then
	# The timeline alone, 1200x700, for the README.
	sed 's|</style>|.head,#statements,#actors,footer{display:none}body{padding-top:0}h2{margin-top:.4em}</style>|' \
		"$T/out/seed-threads.html" >"$T/out/timeline-only.html"
	chrome --screenshot="$T/out/timeline.png" --window-size=1200,700 "file://$T/out/timeline-only.html" >/dev/null
	mkdir -p "$SRC/docs/img"
	cp "$T/out/timeline.png" "$SRC/docs/img/report-timeline.png" &&
		echo "render.sh: wrote $SRC/docs/img/report-timeline.png"
fi

# ------------------------------------------------------- Graphviz: dot -Tsvg
for in in "$T"/in/*.json; do
	n=$(basename "$in" .json)
	expect_exit 0 "$DOT" -Tsvg "$T/out/$n.dot" -o "$T/out/$n.dot.svg"
	check "$n.dot: Graphviz has no complaint" test ! -s "$ERR"
	if node "$HERE/check.js" dot "$in" "$T/out/$n.dot.svg" >"$T/.check"; then
		ok "$n.dot: nodes and edges match the report ($(grep -c '^ok' "$T/.check") checks)"
	else
		not_ok "$n.dot: nodes and edges do not match the report" "$(grep -A3 '^FAIL' "$T/.check" | head -c 3000)"
	fi
done

# ------------------------------------------------------------ PROV-JSON
for in in "$T"/in/*.json; do
	n=$(basename "$in" .json)
	if node "$HERE/check.js" prov "$in" "$T/out/$n.prov" >"$T/.check"; then
		ok "$n.prov: the PROV relations match the report ($(grep -c '^ok' "$T/.check") checks)"
	else
		not_ok "$n.prov: the PROV relations do not match the report" "$(grep -A3 '^FAIL' "$T/.check" | head -c 3000)"
	fi
done

finish
