#!/bin/bash
# secrets.sh - no secret key reaches a log, a bundle, a report, a proof or a
# checkpoint, standard output or standard error; key files are 0600 and are
# refused when group or others may read them; a wrong or missing passphrase,
# or an altered key file, fails cleanly. (basic.sh already checks the
# fixture keys' seeds, mode 0600 of `key generate`, and 0644 refusals;
# bad_input.sh a wrong passphrase in AVOW_PASSPHRASE. This extends them.)
#
#   bash secrets.sh AVOW AVOW_VERIFY SRCDIR [KEYSEED]
#
# KEYSEED is tests/stress/keyseed (built with the tests): it prints the seed
# of an avow key file, decrypting it with the passphrase when needed, so that
# the seed of a key made by `avow key generate` with a passphrase is known
# too. Without it, that key is still used, but its seed is not searched for.
#
# Keys of the session:
#   gplain  `key generate --no-passphrase`: the genesis admin
#   genc    `key generate`, passphrase from --passphrase-file: a second admin
#   bob     `key import` of fixtures/keys/bob.c2sp with a passphrase: recorder
#   carol   `key import --no-passphrase` of a new C2SP key: recorder
# The full session runs every command that signs or prints (init, key add,
# possession, append, claim, respond, deny, amend, actor, checkpoint, prove,
# consistency, export, log, show, report in every format, verify, import,
# monitor, revoke, the avow-verify modes, error paths); everything it writes
# and prints is searched for each seed as hex (either case), as base64 at
# each of the three alignments of a base64 stream, as base64url, as C2SP's
# base64(0x01 || seed), and as raw bytes (in a hex dump of each file); and
# for the passphrase.
. "$(dirname "$0")/../lib.sh"
KEYSEED=${4:-}

export AVOW_KDF_LIMITS=interactive
K=$T/keys
mkdir -p "$K"
PASS='stress passphrase 7f3e91 correct-horse'
PF=$K/pass
printf '%s\n' "$PASS" >"$PF"
chmod 600 "$PF"
S=$T/session # everything the session writes, except key files
mkdir -p "$S"
SOUT=$S/stdout
SERR=$S/stderr
: >"$SOUT"
: >"$SERR"
L=$S/log.db
A="$AVOW --log $L"

# s CMD...: one session step; its output is kept (appended) and checked.
s() {
	"$@" >"$OUT" 2>"$ERR"
	RC=$?
	cat "$OUT" >>"$SOUT"
	cat "$ERR" >>"$SERR"
	return 0
}
# s_ok CMD...: a step that must exit 0.
s_ok() {
	s "$@"
	if [ "$RC" -eq 0 ]; then ok "exit 0: ${*#"$AVOW" }"; else not_ok "exit $RC: $*" "$(head -c 400 "$ERR")"; fi
}
mode() { stat -c %a "$1"; }

# --- making keys: 0600, whatever the umask ----------------------------------
for um in 000 022 077; do
	(umask "$um" && "$AVOW" key generate "um$um" -o "$K/um$um.key" --no-passphrase >/dev/null 2>&1)
	check "key generate --no-passphrase under umask $um: mode 600" test "$(mode "$K/um$um.key")" = 600
	(umask "$um" && "$AVOW" --passphrase-file "$PF" key import "$KEYS/alice.c2sp" -o "$K/ai$um.key" >/dev/null 2>&1)
	check "key import with a passphrase under umask $um: mode 600" test "$(mode "$K/ai$um.key")" = 600
done
s_ok "$AVOW" key generate gplain -o "$K/gplain.key" --no-passphrase
GPLAIN=$(head -1 "$OUT")
expect_stderr "NOT encrypted" "an unencrypted key file is announced"
s_ok "$AVOW" --passphrase-file "$PF" key generate genc -o "$K/genc.key"
GENC=$(head -1 "$OUT")
check "an encrypted key file says argon2id" grep -q '^kdf argon2id ' "$K/genc.key"
s_ok "$AVOW" --passphrase-file "$PF" key import "$KEYS/bob.c2sp" -o "$K/bob.key"
BOB=$(cat "$KEYS/bob.vkey")
# carol: a C2SP key made here (PRIVATE+KEY+carol+HASH+base64(0x01 || seed),
# HASH the first 4 bytes of SHA-256("carol" LF 0x01 public-key)), imported
# without a passphrase. Its seed and public key come from a key generated
# for the purpose, whose file is then removed.
"$AVOW" key generate carol -o "$K/carol.gen" --no-passphrase >/dev/null 2>&1
carol_seed=$(sed -n 's/^seed //p' "$K/carol.gen" | base64 -d | od -An -v -tx1 | tr -d ' \n')
carol_hash=$( (printf 'carol\n\001'; sed -n 's/^public //p' "$K/carol.gen" | base64 -d) | sha256sum | cut -c1-8)
rm -f "$K/carol.gen"
printf 'PRIVATE+KEY+carol+%s+%s\n' "$carol_hash" "$( (printf '\001'; printf '%s' "$carol_seed" | sed 's/../\\x&/g' | xargs -0 printf) | base64 -w0)" >"$K/carol.c2sp"
CAROL=$("$AVOW" key import "$K/carol.c2sp" -o "$K/carol.key" --no-passphrase 2>/dev/null)
check "carol's C2SP key imports" test -n "$CAROL" -a -e "$K/carol.key"
for f in gplain genc bob carol; do
	check "$f.key: mode 600" test "$(mode "$K/$f.key")" = 600
done

# The seeds, as hex.
seed_hex() { # KEYFILE: the seed of an unencrypted file's "seed" line
	sed -n 's/^seed //p' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'
}
SEEDS="gplain:$(seed_hex "$K/gplain.key")"
SEEDS="$SEEDS bob:$(sed -n 's/^PRIVATE+KEY+[^+]*+[0-9a-f]*+//p' "$KEYS/bob.c2sp" | base64 -d | tail -c 32 | od -An -v -tx1 | tr -d ' \n')"
SEEDS="$SEEDS carol:$carol_seed"
if [ -n "$KEYSEED" ] && [ -x "$KEYSEED" ]; then
	g=$("$KEYSEED" "$K/genc.key" "$PF")
	check "keyseed opens genc.key with the passphrase" test -n "$g"
	SEEDS="$SEEDS genc:$g"
	check "keyseed: the unencrypted file's seed agrees" test "$("$KEYSEED" "$K/gplain.key")" = "$(seed_hex "$K/gplain.key")"
	b=$("$KEYSEED" "$K/bob.key" "$PF")
	check "keyseed: bob.key (encrypted) holds bob.c2sp's seed" test "$b" = "$(echo "$SEEDS" | tr ' ' '\n' | sed -n 's/^bob://p')"
	printf 'not the passphrase\n' >"$K/wrong"
	check "keyseed: a wrong passphrase does not open genc.key" sh -c '! "$1" "$2" "$3" >/dev/null 2>&1' sh "$KEYSEED" "$K/genc.key" "$K/wrong"
else
	echo "# NOTE: no keyseed helper: the seed of genc (generated with a passphrase) is not searched for"
fi
for e in $SEEDS; do
	h=${e#*:}
	check "seed of ${e%%:*} is 32 bytes" test "${#h}" -eq 64
done

# --- a full session ----------------------------------------------------------
O=claims.example.org/secrets
s_ok $A --key "$K/gplain.key" init --origin "$O" --holder "Genesis holder" --description "secrets test"
s_ok "$AVOW" --key "$K/genc.key" --passphrase-file "$PF" key possession --origin "$O"
P=$(cat "$OUT")
s_ok $A --key "$K/gplain.key" key add "$GENC" --possession "$P" --role admin --holder "Second admin"
s_ok "$AVOW" --key "$K/bob.key" --passphrase-file "$PF" key possession --origin "$O"
P=$(cat "$OUT")
s_ok $A --key "$K/genc.key" --passphrase-file "$PF" key add "$BOB" --possession "$P" --role recorder --holder "Bob"
s_ok "$AVOW" --key "$K/carol.key" key possession --origin "$O"
P=$(cat "$OUT")
s_ok $A --key "$K/gplain.key" key add "$CAROL" --possession "$P" --role recorder --holder "Carol" --note "imported"
# The seed's line k becomes seq k + 3: its claim #21 of the demo is 23 here.
s_ok $A --key "$K/bob.key" --passphrase-file "$PF" append "$SEED"
n=$(count_records "$L")
s_ok $A --key "$K/carol.key" claim --by us-gov --text "A claim by carol." --paraphrase --said-at 2023-09 --url https://example.org/c --archive "$ARTICLE" --topic secrets
c=$(cat "$OUT")
s_ok $A --key "$K/bob.key" --passphrase-file "$PF" deny "$c" --by cn-gov --text "Denied." --quote --said-at 2023-09-02 --title "Denial"
s_ok $A --key "$K/carol.key" respond "$c" --stance supports --by ru-gov --text "Supported." --paraphrase --said-at 2023 --title "Support"
s_ok $A --key "$K/genc.key" --passphrase-file "$PF" amend "$c" --reason "typo" --set 'text="A claim by carol, corrected."'
s_ok $A --key "$K/carol.key" actor add stress-actor --name "Stress Actor" --kind person
s_ok $A --key "$K/carol.key" actor update stress-actor --name "Stress Actor" --kind person --description "updated"
s_ok $A --key "$K/genc.key" --passphrase-file "$PF" checkpoint -o "$S/cp-old.txt" --size 10
s_ok $A --key "$K/genc.key" --passphrase-file "$PF" checkpoint -o "$S/cp.txt"
s_ok $A --key "$K/gplain.key" checkpoint
s_ok $A prove 21 --checkpoint "$S/cp.txt" -o "$S/p21.json"
s_ok $A --key "$K/gplain.key" prove 22
s_ok $A --key "$K/genc.key" --passphrase-file "$PF" prove 23 -o "$S/p23.json"
s_ok $A consistency 10 -o "$S/c10.json"
s_ok $A consistency 10
s_ok $A export -o "$S/bundle"
s_ok $A export
for c in "log" "log --json" "show 0" "show 3 --json" "show $c" "key list" "actor list" "actor list --json" \
	"report" "report --format json" "report --format text" "report --claim 23" "report --claim 23 --format json" \
	"report --actor cn-gov" "report --topic secrets --format json" "verify" "verify --json" "verify --all --json" \
	"source check 23 $ARTICLE"; do
	# shellcheck disable=SC2086
	s_ok $A $c
done
s_ok "$AVOW_VERIFY" --log "$L"
s_ok "$AVOW_VERIFY" --log "$L" --json --all
s_ok "$AVOW_VERIFY" --bundle "$S/bundle" --json
s_ok "$AVOW_VERIFY" --log "$L" --checkpoint "$S/cp.txt" --verifier-key "$GENC"
s_ok "$AVOW_VERIFY" inclusion "$S/p21.json" --verifier-key "$GENC" --origin "$O"
s_ok "$AVOW_VERIFY" consistency "$S/c10.json" --old "$S/cp-old.txt" --new "$S/cp.txt" --verifier-key "$GENC" --origin "$O"
s_ok "$AVOW" --log "$S/mirror.db" import "$S/bundle" --checkpoint "$S/cp.txt" --verifier-key "$GENC"
s_ok "$AVOW" monitor "$S/bundle" --state "$S/monitor" --checkpoint "$S/cp.txt" --verifier-key "$GENC"
s_ok $A --key "$K/bob.key" --passphrase-file "$PF" key revoke "$(echo "$BOB" | cut -d+ -f1,2)" --reason "leaving"
s_ok "$AVOW_VERIFY" --log "$L" --quiet
# Failures print errors, never a secret.
s $A --key "$K/genc.key" --passphrase-file "$K/wrong" claim --by us-gov --text x --paraphrase --said-at 2023 --title T
check "session: a wrong passphrase fails" test "$RC" -ne 0
s $A --key "$K/carol.key" append "$T/nonexistent.jsonl"
printf '{"type":"claim","body":{"by":"nobody","text":"x","quote":false,"said_at":"2023","source":{"title":"T"}}}\n' >"$T/bad.jsonl"
s $A --key "$K/carol.key" append "$T/bad.jsonl"
check "session: a bad line is refused" test "$RC" -ne 0
s $A --key "$K/carol.key" key revoke "$(echo "$GENC" | cut -d+ -f1,2)" --reason "a recorder may not"
check "session: a recorder cannot revoke an admin" test "$RC" -ne 0
s "$AVOW" --help
s "$AVOW" key --help
s "$AVOW_VERIFY" --bundle "$S/bundle" --quiet
check "session: the bundle audits" test "$RC" -eq 0
echo "# session: $(count_records "$L") records, $(wc -l <"$SOUT") lines on stdout, $(wc -l <"$SERR") on stderr, $(find "$S" -type f | wc -l) files"

# --- look for every secret everywhere -----------------------------------------
# b64 HEX: base64 of the bytes whose hex is HEX.
b64() { printf '%s' "$1" | sed 's/../\\x&/g' | xargs -0 printf | base64 -w0; }
# needles HEX: each form of a 32-byte secret, one per line.
needles() {
	h=$1
	echo "$h"
	echo "$h" | tr a-f A-F
	a0=$(b64 "$h")
	a1=$(b64 "00$h")
	a2=$(b64 "0000$h")
	echo "$a0"
	echo "$a0" | cut -c1-42            # inside a longer stream, aligned
	echo "$a1" | cut -c3-44            # after 1 byte
	echo "$a2" | cut -c4-44            # after 2 bytes
	echo "$a0" | cut -c1-42 | tr '+/' '-_' # base64url
	b64 "01$h"                         # C2SP: 0x01 || seed
	echo
}
find "$S" -type f | sort >"$T/files"
# Hex dumps find raw bytes (the SQLite files are binary).
while read -r f; do
	od -An -v -tx1 "$f" | tr -d ' \n' >"$T/hex.$(echo "$f" | md5sum | cut -c1-8)"
done <"$T/files"
# search NAME NEEDLE-FILE FILE...: NEEDLE-FILE's lines appear in no FILE.
nfiles=$(wc -l <"$T/files")
for e in $SEEDS; do
	name=${e%%:*}
	h=${e#*:}
	needles "$h" >"$T/needles.$name"
	hits=$(grep -l -F -f "$T/needles.$name" $(cat "$T/files") 2>/dev/null)
	hexhits=$(grep -l -F "$h" "$T"/hex.* 2>/dev/null)
	check "seed of $name ($(wc -l <"$T/needles.$name") text forms, raw bytes) is in none of $nfiles files" test -z "$hits$hexhits"
	[ -z "$hits$hexhits" ] || echo "    found in: $hits $hexhits"
done
hits=$(grep -l -F -- "$PASS" $(cat "$T/files") 2>/dev/null)
check "the passphrase is in none of $nfiles files" test -z "$hits"
phex=$(printf '%s' "$PASS" | od -An -v -tx1 | tr -d ' \n')
check "the passphrase's bytes are in no file" test -z "$(grep -l -F "$phex" "$T"/hex.* 2>/dev/null)"

# The search can find what it looks for: a positive control for each form.
for e in $SEEDS; do
	name=${e%%:*}
	h=${e#*:}
	i=0
	while read -r nd; do
		i=$((i + 1))
		printf 'prefix %s suffix\n' "$nd" >"$T/control"
		check "control: form $i of $name's seed is found" grep -q -F -f "$T/needles.$name" "$T/control"
	done <"$T/needles.$name"
	# Raw bytes inside a binary file.
	(head -c 7 /dev/urandom; printf '%s' "$h" | sed 's/../\\x&/g' | xargs -0 printf; head -c 5 /dev/urandom) >"$T/control.bin"
	check "control: $name's raw seed is found in a binary file" sh -c 'od -An -v -tx1 "$1" | tr -d " \n" | grep -q -F "$2"' sh "$T/control.bin" "$h"
	# Base64 of the raw seed embedded at each offset of a longer blob.
	for pre in 1 2 3; do
		(head -c "$pre" /dev/urandom; printf '%s' "$h" | sed 's/../\\x&/g' | xargs -0 printf; head -c 4 /dev/urandom) | base64 -w0 >"$T/control.b64"
		check "control: $name's seed in base64 after $pre bytes is found" grep -q -F -f "$T/needles.$name" "$T/control.b64"
	done
done
check "control: the unencrypted key file holds gplain's seed" grep -q -F -f "$T/needles.gplain" "$K/gplain.key"
# An encrypted key file holds no form of its seed.
seed_of() { echo "$SEEDS" | tr ' ' '\n' | sed -n "s/^$1://p"; }
for f in genc bob; do
	[ -e "$T/needles.$f" ] || continue
	od -An -v -tx1 "$K/$f.key" | tr -d ' \n' >"$T/keyhex"
	check "$f.key (encrypted) holds no form of its seed" \
		sh -c '! grep -q -F -f "$1" "$2" && ! grep -q -F "$3" "$4"' sh "$T/needles.$f" "$K/$f.key" "$(seed_of "$f")" "$T/keyhex"
done

# --- key file permissions ---------------------------------------------------------
cp "$K/gplain.key" "$K/m.key"
for m in 640 604 660 606 644 610 601 620 602 666 777; do
	chmod "$m" "$K/m.key"
	expect_exit 2 "$AVOW" --key "$K/m.key" key possession --origin "$O"
	expect_stderr "gives group or others access" "mode $m"
	expect_stderr "chmod 600 $K/m.key" "mode $m: says how to fix it"
	check "mode $m: nothing on stdout" test ! -s "$OUT"
done
cp "$K/genc.key" "$K/me.key"
chmod 640 "$K/me.key"
expect_exit 2 "$AVOW" --key "$K/me.key" --passphrase-file "$PF" key possession --origin "$O"
expect_stderr "gives group or others access" "an encrypted key file, mode 640"
# Refused before any write: the log is unchanged.
"$AVOW" --log "$L" export -o "$T/before.bundle"
chmod 644 "$K/m.key"
expect_exit 2 $A --key "$K/m.key" claim --by us-gov --text x --paraphrase --said-at 2023 --title T
"$AVOW" --log "$L" export -o "$T/after.bundle"
same_file "$T/before.bundle" "$T/after.bundle" "a refused key file writes nothing to the log"
for m in 600 400 700 500; do
	chmod "$m" "$K/m.key"
	expect_exit 0 "$AVOW" --key "$K/m.key" key possession --origin "$O"
done
# Never overwritten, never through a symlink.
cp "$K/gplain.key" "$T/gplain.copy"
expect_exit 2 "$AVOW" key generate x -o "$K/gplain.key" --no-passphrase
expect_stderr "never overwritten"
same_file "$K/gplain.key" "$T/gplain.copy" "key generate -o an existing key file leaves it alone"
expect_exit 2 "$AVOW" key import "$KEYS/alice.c2sp" -o "$K/gplain.key" --no-passphrase
same_file "$K/gplain.key" "$T/gplain.copy" "key import -o an existing key file leaves it alone"
ln -s "$T/link-target" "$K/link.key"
expect_exit 2 "$AVOW" key generate x -o "$K/link.key" --no-passphrase
check "key generate -o a dangling symlink creates nothing through it" test ! -e "$T/link-target"
: >"$T/link-target2"
ln -s "$T/link-target2" "$K/link2.key"
expect_exit 2 "$AVOW" --passphrase-file "$PF" key import "$KEYS/alice.c2sp" -o "$K/link2.key"
check "key import -o a symlink to a file leaves the file empty" test ! -s "$T/link-target2"

# --- passphrases ------------------------------------------------------------------------
"$AVOW" --log "$L" export -o "$T/before.bundle"
expect_exit 2 $A --key "$K/genc.key" --passphrase-file "$K/wrong" claim --by us-gov --text x --paraphrase --said-at 2023 --title T
expect_stderr "wrong passphrase, or the key file was altered"
check "wrong passphrase (file): one line on stderr" test "$(wc -l <"$ERR")" -eq 1
check "wrong passphrase (file): nothing on stdout" test ! -s "$OUT"
expect_exit 2 $A --key "$K/genc.key" --passphrase-file "$K/wrong" checkpoint -o "$T/cp-wrong.txt"
check "wrong passphrase: no checkpoint file" test ! -e "$T/cp-wrong.txt"
"$AVOW" --log "$L" export -o "$T/after.bundle"
same_file "$T/before.bundle" "$T/after.bundle" "wrong passphrase: the log is unchanged"
: >"$K/empty-pass"
expect_exit 2 "$AVOW" --key "$K/genc.key" --passphrase-file "$K/empty-pass" key possession --origin "$O"
expect_stderr "no passphrase in the file"
expect_exit 2 "$AVOW" --key "$K/genc.key" --passphrase-file "$K/missing-pass" key possession --origin "$O"
expect_stderr "$K/missing-pass"
# No passphrase from anywhere, and no terminal.
run setsid -w "$AVOW" --key "$K/genc.key" key possession --origin "$O" </dev/null
check "no passphrase and no terminal: exit 2 (got $RC)" test "$RC" -eq 2
expect_stderr "a passphrase is needed"
# The passphrase file's line end: "PASS\r\n" is the same passphrase.
printf '%s\r\n' "$PASS" >"$K/crlf-pass"
expect_exit 0 "$AVOW" --key "$K/genc.key" --passphrase-file "$K/crlf-pass" key possession --origin "$O"
# key generate: the passphrase file is read once, no confirmation needed.
expect_exit 0 "$AVOW" --passphrase-file "$PF" key generate g2 -o "$K/g2.key"
check "key generate with --passphrase-file: encrypted" grep -q '^kdf argon2id ' "$K/g2.key"

# --- an altered key file ----------------------------------------------------------
# alter NAME SED: a copy of genc.key edited by SED must be refused.
alter() {
	sed "$2" "$K/genc.key" >"$K/alt.key"
	chmod 600 "$K/alt.key"
	if cmp -s "$K/genc.key" "$K/alt.key"; then
		not_ok "altered key file: $1: the edit changed nothing"
		return
	fi
	run "$AVOW" --key "$K/alt.key" --passphrase-file "$PF" key possession --origin "$O"
	check "altered key file: $1: refused with exit 2 (got $RC)" test "$RC" -eq 2
	check "altered key file: $1: one line on stderr, nothing on stdout" test "$(wc -l <"$ERR")" -eq 1 -a ! -s "$OUT"
	echo "#     $1: $(cat "$ERR")"
}
alter "name changed" 's/^name genc$/name gena/'
alter "public key swapped" "s|^public .*|public $(sed -n 's/^public //p' "$K/gplain.key")|"
alter "opslimit lowered below interactive" 's/^kdf argon2id [0-9]* /kdf argon2id 1 /'
alter "memlimit lowered" 's/^kdf argon2id \([0-9]*\) [0-9]* /kdf argon2id \1 8192 /'
alter "opslimit raised within limits" 's/^kdf argon2id [0-9]* /kdf argon2id 3 /'
alter "salt changed" 's/^\(kdf argon2id [0-9]* [0-9]* \)A/\1B/; t; s/^\(kdf argon2id [0-9]* [0-9]* \)./\1A/'
alter "nonce changed" 's/^nonce A/nonce B/; t; s/^nonce ./nonce A/'
alter "sealed seed changed" 's/^secret A/secret B/; t; s/^secret ./secret A/'
alter "truncated" '$d'
alter "kdf none with the sealed seed" 's/^kdf argon2id .*/kdf none/'

# --- what the environment leaks ----------------------------------------------------
# AVOW_PASSPHRASE works, and is not echoed.
run env AVOW_PASSPHRASE="$PASS" "$AVOW" --key "$K/genc.key" key possession --origin "$O"
check "AVOW_PASSPHRASE unlocks the key" test "$RC" -eq 0
check "AVOW_PASSPHRASE is not printed" sh -c '! grep -q -F -- "$1" "$2" "$3"' sh "$PASS" "$OUT" "$ERR"

finish
