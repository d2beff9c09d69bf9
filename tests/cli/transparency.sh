#!/bin/bash
# transparency.sh - checkpoints, inclusion and consistency proofs, the
# stored tree, misbehaviour evidence, import and monitor, end to end with
# the real programs (issue 3). Tamper cases: truncation, a fork, a
# checkpoint with a wrong signature, origin or size.
#
#   bash transparency.sh AVOW AVOW_VERIFY SRCDIR
. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null || { echo "transparency.sh: sqlite3 is needed" >&2; exit 2; }

D=$T/demo
make_demo "$D"
L=$D/demo.db
NK=$D/newsdesk.key
AK=$D/alice.key
VK=$(cat "$KEYS/newsdesk.vkey")
AVK=$(cat "$KEYS/alice.vkey")
A() { "$AVOW" --log "$L" "$@"; }

# ---------------------------------------------------------------- checkpoint
expect_exit 0 A --key "$NK" checkpoint -o "$T/cp42.txt"
check "checkpoint: origin line" test "$(sed -n 1p "$T/cp42.txt")" = "$ORIGIN"
check "checkpoint: size line" test "$(sed -n 2p "$T/cp42.txt")" = 42
check "checkpoint: blank line before the signature" test -z "$(sed -n 4p "$T/cp42.txt")"
case $(sed -n 5p "$T/cp42.txt") in
"— newsdesk "*) ok "checkpoint: signature line by newsdesk" ;;
*) not_ok "checkpoint: signature line" "$(sed -n 5p "$T/cp42.txt")" ;;
esac
# The root is the audit's.
run "$AVOW_VERIFY" --log "$L" --json
check "checkpoint root equals the audited tree hash" grep -qF "\"tree_hash\":\"$(sed -n 3p "$T/cp42.txt")\"" "$OUT"
expect_exit 0 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
expect_stdout "checkpoints: 1 verified"
# Reproducible: same log, same key, same bytes (Ed25519 is deterministic).
A --key "$NK" checkpoint >"$T/cp42b.txt" 2>/dev/null
same_file "$T/cp42.txt" "$T/cp42b.txt" "checkpoint is reproducible"
expect_exit 0 A --key "$NK" checkpoint --size 13 -o "$T/cp13.txt"
check "checkpoint --size 13" test "$(sed -n 2p "$T/cp13.txt")" = 13
expect_exit 0 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/cp13.txt" --verifier-key "$VK" --checkpoint "$T/cp42.txt"
expect_stdout "checkpoints: 2 verified"
expect_exit 2 A --key "$AK" checkpoint
expect_stderr "alice+7f099a5b was not an admin key of this log authorised for record 41"
expect_exit 2 A --key "$NK" checkpoint --size 43
expect_stderr "--size 43: not a tree size from 1 to the log's 42 records"
expect_exit 2 A --key "$NK" checkpoint --size 0
check "a refused checkpoint writes no file" test ! -e "$T/none.txt"

# -------------------------------------------------------- tamper: checkpoints
# Truncation: a bundle whose newest records were cut off.
A export -o "$T/full.bundle"
head -n 40 "$T/full.bundle" >"$T/cut.bundle"
expect_exit 1 "$AVOW_VERIFY" --bundle "$T/cut.bundle" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
expect_stdout "tree size 42 is larger than the log's 40 records: records were removed"
expect_exit 0 "$AVOW_VERIFY" --bundle "$T/cut.bundle"
expect_stderr "cannot tell the log from a copy whose newest records were cut off"
# A wrong signature.
sed '5s/\(.\{20\}\)./\1A/' "$T/cp42.txt" >"$T/badsig.txt"
cmp -s "$T/badsig.txt" "$T/cp42.txt" && sed -i '5s/\(.\{20\}\)./\1B/' "$T/badsig.txt"
expect_exit 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/badsig.txt" --verifier-key "$VK"
expect_stdout "badsig.txt: the signature by newsdesk+0223fce6 does not verify"
# A key the log does not know, and a recorder key.
expect_exit 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/cp42.txt" --verifier-key "$AVK"
expect_stdout "not signed by alice+7f099a5b"
# A wrong origin: a checkpoint signed by the log's own key for another log.
mkdir -p "$T/other"
import_key newsdesk "$T/other"
"$AVOW" --log "$T/other/o.db" --key "$T/other/newsdesk.key" init --origin example.org/other --holder x >/dev/null 2>&1
"$AVOW" --log "$T/other/o.db" --key "$T/other/newsdesk.key" checkpoint -o "$T/othercp.txt" 2>/dev/null
expect_exit 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/othercp.txt" --verifier-key "$VK"
expect_stdout "origin \"example.org/other\" is not this log's (\"$ORIGIN\")"
# Larger than the log.
expect_exit 1 "$AVOW_VERIFY" --log "$T/other/o.db" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
expect_stdout "is not this log's"

# A fork: a copy rolled back to 41 records with a different record 41.
fresh() { sqlite3 "$L" ".backup '$T/$1.db'"; echo "$T/$1.db"; }
F=$(fresh fork)
sqlite3 "$F" "DROP TRIGGER records_no_delete; DELETE FROM records WHERE seq = 41; DELETE FROM tree WHERE size > 41;"
expect_exit 0 "$AVOW_VERIFY" --log "$F" -q
expect_exit 0 "$AVOW" --log "$F" --key "$AK" claim --by ru-mfa --text "A different statement." --paraphrase --said-at 2023-09-18 --title "Forked record"
expect_exit 1 "$AVOW_VERIFY" --log "$F" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
expect_stdout "the tree hash of the first 42 records differs from the checkpoint's: the log was rewritten since it was signed"
expect_exit 0 "$AVOW_VERIFY" --log "$F" --checkpoint "$T/cp13.txt" --verifier-key "$VK"

# ------------------------------------------------------------ inclusion proofs
expect_exit 0 A prove 7 --checkpoint "$T/cp42.txt" -o "$T/p7.json"
expect_exit 0 "$AVOW_VERIFY" inclusion "$T/p7.json" --verifier-key "$VK" --origin "$ORIGIN"
expect_stdout "record 7 is in the tree of 42 records"
expect_stdout "record: seq 7, type actor, signed by alice+7f099a5b"
expect_stderr "not checked without the log"
expect_exit 0 "$AVOW_VERIFY" inclusion "$T/p7.json" --checkpoint "$T/cp42.txt" --verifier-key "$VK" --origin "$ORIGIN"
expect_exit 1 "$AVOW_VERIFY" inclusion "$T/p7.json" --checkpoint "$T/cp13.txt" --verifier-key "$VK" --origin "$ORIGIN"
expect_stderr "the proof is for a tree of 42 records, the checkpoint for 13"
expect_exit 1 "$AVOW_VERIFY" inclusion "$T/p7.json" --verifier-key "$VK" --origin example.org/other
expect_exit 1 "$AVOW_VERIFY" inclusion "$T/p7.json" --verifier-key "$AVK" --origin "$ORIGIN"
# Signed now, at a size.
expect_exit 0 A --key "$NK" prove 12 --size 13 -o "$T/p12.json"
expect_exit 0 "$AVOW_VERIFY" inclusion "$T/p12.json" --verifier-key "$VK" --origin "$ORIGIN"
expect_exit 2 A --key "$NK" prove 13 --size 13
expect_stderr "record 13 is not among the first 13 records"
expect_exit 2 A prove 7 --size 13 --checkpoint "$T/cp42.txt"
expect_exit 1 A prove 7 --checkpoint "$T/othercp.txt"
# A recorder proves against an existing checkpoint, with no key.
expect_exit 0 "$AVOW" --log "$L" --key "$AK" prove 3 --checkpoint "$T/cp42.txt" -o "$T/p3.json"
# Tampered proofs: the record, one proof hash, the index.
sed 's/"record":"{\\"entry\\":{\\"body\\":{/&\\"x\\":1,/' "$T/p7.json" >"$T/p7rec.json"
expect_exit 1 "$AVOW_VERIFY" inclusion "$T/p7rec.json" --verifier-key "$VK" --origin "$ORIGIN"
expect_stderr "the record was altered"
sed 's/"proof":\["./"proof":["A/; s/"proof":\["AA/"proof":["BA/' "$T/p7.json" >"$T/p7hash.json"
expect_exit 1 "$AVOW_VERIFY" inclusion "$T/p7hash.json" --verifier-key "$VK" --origin "$ORIGIN"
expect_stderr "leads to a tree hash other than the checkpoint's"
sed 's/"index":7/"index":6/' "$T/p7.json" >"$T/p7idx.json"
expect_exit 1 "$AVOW_VERIFY" inclusion "$T/p7idx.json" --verifier-key "$VK" --origin "$ORIGIN"
# A proof with one hash too many is not fully consumed.
sed 's/"proof":\[/&"47DEQpj8HBSa+\/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",/' "$T/p7.json" >"$T/p7long.json"
expect_exit 1 "$AVOW_VERIFY" inclusion "$T/p7long.json" --verifier-key "$VK" --origin "$ORIGIN"
expect_stderr "more than a tree of 42 needs"

# ---------------------------------------------------------- consistency proofs
expect_exit 0 A consistency 13 42 -o "$T/c13.json"
expect_exit 0 "$AVOW_VERIFY" consistency "$T/c13.json" --old "$T/cp13.txt" --new "$T/cp42.txt" --verifier-key "$VK" --origin "$ORIGIN"
expect_stdout "the tree of 13 records (${T}/cp13.txt) is a prefix of the tree of 42 records"
run A consistency 13
same_file "$OUT" "$T/c13.json" "consistency NEW_SIZE defaults to the log's size"
expect_exit 0 A consistency 42 42
check "equal sizes: empty proof" grep -qF '"proof":[]' "$OUT"
expect_exit 2 A consistency 0 5
expect_exit 2 A consistency 13 43
expect_stderr "tree size 43 is not between 1 and the log's 42 records"
sed 's/"proof":\["./"proof":["A/; s/"proof":\["AA/"proof":["BA/' "$T/c13.json" >"$T/c13bad.json"
expect_exit 1 "$AVOW_VERIFY" consistency "$T/c13bad.json" --old "$T/cp13.txt" --new "$T/cp42.txt" --verifier-key "$VK" --origin "$ORIGIN"
expect_exit 1 "$AVOW_VERIFY" consistency "$T/c13.json" --old "$T/cp42.txt" --new "$T/cp42.txt" --verifier-key "$VK" --origin "$ORIGIN"
expect_stderr "the proof is from 13 to 42 records, the checkpoints are of 42 and 42"

# -------------------------------------------------------- misbehaviour evidence
# The fork's own checkpoint at 42, against the true one: equal sizes.
"$AVOW" --log "$F" --key "$NK" checkpoint -o "$T/fork42.txt" 2>/dev/null
expect_exit 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/cp42.txt" --verifier-key "$VK" --checkpoint "$T/fork42.txt" --evidence "$T/ev-same.json"
expect_stderr "misbehaviour: checkpoints"
expect_stderr "both signed a tree of 42 records"
expect_exit 0 "$AVOW_VERIFY" evidence "$T/ev-same.json"
expect_stdout "PROVEN: newsdesk+0223fce6 and newsdesk+0223fce6 both signed a tree of 42 records"
# The fork at 42 against the true log grown to 43: a consistency proof.
G=$(fresh grown)
expect_exit 0 "$AVOW" --log "$G" --key "$AK" claim --by ru-mfa --text "Later." --paraphrase --said-at 2023-09-18 --title "Later record"
"$AVOW" --log "$G" --key "$NK" checkpoint -o "$T/cp43.txt" 2>/dev/null
expect_exit 1 "$AVOW_VERIFY" --log "$G" --checkpoint "$T/fork42.txt" --verifier-key "$VK" --checkpoint "$T/cp43.txt" --evidence "$T/ev-cons.json"
expect_stderr "the tree of 42 records that newsdesk+0223fce6 signed is not a prefix of the tree of 43 records"
expect_exit 0 "$AVOW_VERIFY" evidence "$T/ev-cons.json"
"$AVOW" --log "$G" export -o "$T/grown.bundle"
expect_exit 1 "$AVOW_VERIFY" --bundle "$T/grown.bundle" --checkpoint "$T/fork42.txt" --verifier-key "$VK" --checkpoint "$T/cp43.txt" --evidence "$T/ev-cons2.json"
same_file "$T/ev-cons.json" "$T/ev-cons2.json" "evidence from the bundle equals evidence from the log"
# The standalone consistency mode finds it too (42 is not a power of two).
"$AVOW" --log "$G" consistency 42 -o "$T/c42.json"
expect_exit 1 "$AVOW_VERIFY" consistency "$T/c42.json" --old "$T/fork42.txt" --new "$T/cp43.txt" --verifier-key "$VK" --origin "$ORIGIN" --evidence "$T/ev-cons3.json"
expect_stderr "cannot both be true"
expect_exit 0 "$AVOW_VERIFY" evidence "$T/ev-cons3.json"
# Consistent checkpoints are no evidence; a tampered file proves nothing.
expect_exit 0 "$AVOW_VERIFY" --log "$G" --checkpoint "$T/cp42.txt" --verifier-key "$VK" --checkpoint "$T/cp43.txt" --evidence "$T/ev-none.json"
expect_stderr "no two checkpoints contradict each other"
check "no evidence file for consistent checkpoints" test ! -e "$T/ev-none.json"
sed 's/"old_root":"./"old_root":"A/; s/"old_root":"AA/"old_root":"BA/' "$T/ev-cons.json" >"$T/ev-bad.json"
expect_exit 1 "$AVOW_VERIFY" evidence "$T/ev-bad.json"
expect_stderr "the evidence does not hold"
expect_exit 2 "$AVOW_VERIFY" evidence "$T/c13.json"

# ------------------------------------------------------------- the stored tree
S=$(fresh tree)
sqlite3 "$S" "UPDATE tree SET hash = zeroblob(32) WHERE size = 8 AND level = 3;"
expect_exit 0 "$AVOW_VERIFY" --log "$S"
expect_stderr "table tree disagrees with the records at size 8 level 3"
expect_exit 1 "$AVOW" --log "$S" --key "$NK" checkpoint
expect_stderr "run \`avow reindex\`"
expect_exit 1 "$AVOW" --log "$S" consistency 5 13
S2=$(fresh tree2)
sqlite3 "$S2" "DELETE FROM tree WHERE size = 40;"
expect_exit 0 "$AVOW_VERIFY" --log "$S2"
expect_stderr "table tree has no row for the level 3 node complete at size 40"
S3=$(fresh tree3)
sqlite3 "$S3" "INSERT INTO tree VALUES(48, 3, zeroblob(32));"
expect_exit 0 "$AVOW_VERIFY" --log "$S3"
expect_stderr "table tree has rows beyond the 42 records"
expect_exit 0 "$AVOW" --log "$S" reindex
expect_exit 0 "$AVOW_VERIFY" --log "$S" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
check "reindex leaves no derived-data warning" sh -c "! grep -q 'derived data' '$ERR'"
# Nodes of 8 records or more: 42 records make 5 + 2 + 1 of them.
check "the tree table holds the nodes of 8 records or more" test "$(sqlite3 "$L" 'SELECT count(*) FROM tree')" = 8
check "... and none below level 3" test "$(sqlite3 "$L" 'SELECT count(*) FROM tree WHERE level < 3')" = 0

# ------------------------------------------------------------------- import
M=$T/mirror.db
head -n 30 "$T/full.bundle" >"$T/b30.bundle"
expect_exit 0 "$AVOW" --log "$M" import "$T/b30.bundle"
expect_stdout "imported 30 records"
expect_exit 0 "$AVOW" --log "$M" import "$T/full.bundle" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
expect_stdout "now holds 42 records"
"$AVOW" --log "$M" export -o "$T/mirror.bundle"
same_file "$T/mirror.bundle" "$T/full.bundle" "the mirror holds the bundle's records byte for byte"
expect_exit 0 "$AVOW_VERIFY" --log "$M" --checkpoint "$T/cp42.txt" --verifier-key "$VK" -q
before=$(sqlite3 "$M" 'SELECT count(*) FROM records; SELECT count(*) FROM tree;')
expect_exit 1 "$AVOW" --log "$M" import "$T/cut.bundle"
expect_stderr "the mirror holds 42 records, the bundle only 40"
"$AVOW" --log "$F" export -o "$T/fork.bundle"
expect_exit 1 "$AVOW" --log "$M" import "$T/fork.bundle"
expect_stderr "record 41 of the bundle differs from the mirror's"
expect_exit 1 "$AVOW" --log "$M" import "$T/grown.bundle" --checkpoint "$T/fork42.txt" --verifier-key "$VK"
check "refused imports leave the mirror as it was" test "$(sqlite3 "$M" 'SELECT count(*) FROM records; SELECT count(*) FROM tree;')" = "$before"
expect_exit 1 "$AVOW" --log "$T/new.db" import "$T/cut.bundle" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
check "a failed first import leaves no file" test ! -e "$T/new.db"
expect_exit 0 "$AVOW" --log "$M" import "$T/grown.bundle"
expect_stdout "imported 1 record"

# ------------------------------------------------------------------- monitor
W=$T/watch
expect_exit 0 "$AVOW" monitor "$T/b30.bundle" --state "$W"
expect_stdout "first look"
check "monitor state dir is 0700" test "$(stat -c %a "$W")" = 700
check "monitor state file is 0600" test "$(stat -c %a "$W/state.json")" = 600
expect_exit 0 "$AVOW" monitor "$L" --state "$W" --checkpoint "$T/cp42.txt" --verifier-key "$VK"
expect_stdout "extends the tree of 30"
expect_stdout "now trusting the tree of 42 records (a signed checkpoint)"
cp "$W/state.json" "$T/state.before"
expect_exit 1 "$AVOW" monitor "$T/cut.bundle" --state "$W"
expect_stderr "holds 40 records, fewer than the 42 trusted"
"$AVOW" --log "$F" --key "$AK" claim --by ru-mfa --text "Fork grows." --paraphrase --said-at 2023-09-18 --title "Fork" >/dev/null 2>&1
"$AVOW" --log "$F" export -o "$T/fork43.bundle"
expect_exit 1 "$AVOW" monitor "$T/fork43.bundle" --state "$W"
expect_stderr "does not extend the tree of 42 records trusted"
same_file "$W/state.json" "$T/state.before" "a failed monitor run keeps the state"
expect_exit 0 "$AVOW" monitor "$T/grown.bundle" --state "$W"
expect_stdout "43 records; extends the tree of 42"
expect_exit 2 "$AVOW" monitor "$T/grown.bundle"
expect_stderr "--state DIR is required"

finish
