#!/bin/sh
# The seed article's claims into a signed log, audited, then reported.
#
#   scripts/demo.sh [BUILD_DIR] [OUT_DIR]
#
# Uses the fixed PUBLIC test keys in fixtures/keys (never use them for a
# real log) and SOURCE_DATE_EPOCH, so the log is byte-for-byte
# reproducible. OUT_DIR defaults to ./demo (replaced if it exists).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
out=${2:-demo}
avow="$build/avow"
verify="$build/avow-verify"
origin=claims.example.org/wang-yi-moscow-2023

[ -x "$avow" ] || { echo "demo.sh: no $avow; build first" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# 2023-09-19T00:00:00Z: the day after the article.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1695081600}"
export AVOW_LOG="$out/wang-yi.db"
# The saved audited state of the demo's log stays with the demo.
export AVOW_STATE_DIR="$out/state"
unset AVOW_KEY AVOW_PASSPHRASE

echo "== keys: the fixed test keys, written out as 0600 key files"
for k in newsdesk editor alice; do
	"$avow" key import "$top/fixtures/keys/$k.c2sp" -o "$out/$k.key" \
		--no-passphrase
done

echo "== a new log, its genesis signed by the newsdesk key"
"$avow" --key "$out/newsdesk.key" init --origin "$origin" \
	--holder "Example Newsroom claims desk" \
	--description "Who said what around Wang Yi's visit to Moscow, September 2023, built from the seed article."

echo "== enrol a second admin (editor) and a recorder (alice), each with a proof of possession"
p=$("$avow" --key "$out/editor.key" key possession --origin "$origin")
"$avow" --key "$out/newsdesk.key" key add "$(cat "$top/fixtures/keys/editor.vkey")" \
	--possession "$p" --role admin --holder "Managing editor, Example Newsroom" >/dev/null
p=$("$avow" --key "$out/alice.key" key possession --origin "$origin")
"$avow" --key "$out/newsdesk.key" key add "$(cat "$top/fixtures/keys/alice.vkey")" \
	--possession "$p" --role recorder --holder "Alice, researcher" >/dev/null

echo "== the article's actors, claims and responses (fixtures/seed.jsonl)"
"$avow" --key "$out/alice.key" append "$top/fixtures/seed.jsonl" >/dev/null

echo "== one more claim from the command line, citing the archived article"
article="$top/fixtures/seed/wang-yi-moscow-2023-09-18.txt"
seq=$("$avow" --key "$out/alice.key" claim --by cn-mfa \
	--text "Wang Yi's stay in Russia would span four days and focus on strategic security consultations." \
	--paraphrase --lang en --said-at 2023-09 \
	--title "China's top diplomat Wang Yi in Russia for security talks (news report, 18 September 2023)" \
	--published 2023-09-18 --archive "$article" \
	--about wang-yi --topic diplomacy)
"$avow" source check "$seq" "$article"

echo "== a checkpoint, signed by the newsdesk admin key, to hand to readers"
rm -f "$out/checkpoint.txt" "$out/claim-22.proof.json"
"$avow" --key "$out/newsdesk.key" checkpoint -o "$out/checkpoint.txt"
cat "$out/checkpoint.txt"
vk=$(cat "$top/fixtures/keys/newsdesk.vkey")

echo "== the audit, against that checkpoint"
"$verify" --log "$AVOW_LOG" --checkpoint "$out/checkpoint.txt" --verifier-key "$vk"
"$avow" export -o "$out/wang-yi.bundle"
"$verify" --bundle "$out/wang-yi.bundle" --quiet --checkpoint "$out/checkpoint.txt" --verifier-key "$vk"

echo "== a reader's check of one claim (#22, the July intelligence report) without the log"
"$avow" prove 22 --checkpoint "$out/checkpoint.txt" -o "$out/claim-22.proof.json"
"$verify" inclusion "$out/claim-22.proof.json" --verifier-key "$vk" --origin "$origin"

echo "== the report: the dual-use technology accusations and China's denials"
"$avow" report --topic dual-use-technology
echo "demo: the log is $AVOW_LOG, its bundle $out/wang-yi.bundle"
