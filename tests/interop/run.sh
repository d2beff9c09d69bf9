#!/bin/bash
# run.sh - interoperability with the Go team's transparency-log code
# (golang.org/x/mod/sumdb/tlog and sumdb/note, in tlogcheck.go): tree
# hashes, checkpoints, inclusion and consistency proofs, both ways, and a key
# made by Go's note.GenerateKey enrolled in an avow log. See README.md.
#
#   bash run.sh AVOW AVOW_VERIFY SRCDIR
#
# Needs go (1.19 or newer) and golang.org/x/mod under /usr/share/gocode
# (Debian: golang-go, golang-golang-x-mod-dev); builds offline. Checks that
# need an avow command that does not exist yet (avow checkpoint, prove,
# consistency; avow-verify inclusion, consistency) are skipped, with a SKIP
# line, unless AVOW_INTEROP_STRICT=1, which makes a missing command a failure.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

# lib.sh's helpers are plain sh without -e: its run would stop this script at
# the first command that fails. Here a command's failure is only recorded.
run() {
	RC=0
	"$@" >"$OUT" 2>"$ERR" || RC=$?
}
# expect CODE CMD...: lib.sh's expect_exit, without stopping the script on
# a failed check.
expect() {
	expect_exit "$@" || true
}

GOSRC=/usr/share/gocode
command -v go >/dev/null || { echo "run.sh: go is needed (apt-get install golang-go)" >&2; exit 2; }
[ -d "$GOSRC/src/golang.org/x/mod/sumdb/tlog" ] ||
	{ echo "run.sh: no $GOSRC/src/golang.org/x/mod (apt-get install golang-golang-x-mod-dev)" >&2; exit 2; }
G=$T/tlogcheck
if ! env GO111MODULE=off GOPATH="$GOSRC" GOCACHE="$T/gocache" GOFLAGS= \
	go build -o "$G" "$SRC/tests/interop/tlogcheck.go" 2>"$ERR"; then
	echo "run.sh: building tlogcheck failed:" >&2
	cat "$ERR" >&2
	exit 2
fi

# --- skipping what avow does not have yet ---------------------------------
SKIPPED=0
STRICT=${AVOW_INTEROP_STRICT:-0}
# have WHAT CMD...: true when CMD --help exits 0 and mentions WHAT (avow-verify
# answers --help whatever comes before it). Otherwise print a SKIP line (or a
# failure with AVOW_INTEROP_STRICT=1) and return false.
have() {
	what=$1
	shift
	h=$("$@" --help 2>/dev/null || true)
	case $h in *"$what"*) return 0 ;; esac
	if [ "$STRICT" = 1 ]; then
		not_ok "\`$(basename "$1") $what\` does not exist (AVOW_INTEROP_STRICT=1)"
	else
		SKIPPED=$((SKIPPED + 1))
		echo "SKIP - \`$(basename "$1") $what\` does not exist yet: ${SKIP_WHAT:-its checks} not run"
	fi
	return 1
}

# --- groups: a loop of cases reported as one check ------------------------
GROUP=
GROUP_N=0
GROUP_BAD=()
group() {
	GROUP=$1
	GROUP_N=0
	GROUP_BAD=()
}
# case_fail DETAIL: one failed case of the group.
case_fail() {
	GROUP_BAD+=("$1")
}
# try CODE CMD...: one case of the group: CMD must exit CODE.
try() {
	want=$1
	shift
	GROUP_N=$((GROUP_N + 1))
	run "$@"
	if [ "$RC" -ne "$want" ]; then
		c="$*"
		[ ${#c} -le 300 ] || c="${c:0:300}..."
		case_fail "exit $RC, expected $want: $c -- $(head -c 300 "$ERR")"
	fi
}
# try_eq WHAT GOT WANT: one case of the group: two strings are equal.
try_eq() {
	GROUP_N=$((GROUP_N + 1))
	if [ "$2" != "$3" ]; then
		case_fail "$1: got [$2], expected [$3]"
	fi
}
# try_same WHAT FILE1 FILE2: one case: two files are byte-identical.
try_same() {
	GROUP_N=$((GROUP_N + 1))
	if ! cmp -s "$2" "$3"; then
		case_fail "$1: $2 and $3 differ: $(diff "$3" "$2" | head -c 400 | tr '\n' '|')"
	fi
}
end_group() {
	if [ ${#GROUP_BAD[@]} -eq 0 ]; then
		ok "$GROUP ($GROUP_N cases)"
	else
		not_ok "$GROUP: ${#GROUP_BAD[@]} of $GROUP_N cases failed (the first 5 below)" "${GROUP_BAD[@]:0:5}"
	fi
}
# same_lines NAME GOT WANT: two files of proof lines are identical; on a
# difference the first lines of the diff (- Go, + avow) are shown.
same_lines() {
	if cmp -s "$2" "$3"; then
		ok "$1 ($(wc -l <"$3") lines)"
	else
		not_ok "$1" "$(diff "$3" "$2" | head -12)"
	fi
}

# edit_char IN LINE COL OUT: IN with the character at column COL of line LINE
# replaced by another base64 character (A, or B where it was A).
edit_char() {
	l=$(sed -n "$2p" "$1")
	c=${l:$(($3 - 1)):1}
	r=A
	[ "$c" != A ] || r=B
	{
		head -n "$(($2 - 1))" "$1"
		printf '%s\n' "${l:0:$(($3 - 1))}$r${l:$3}"
		tail -n "+$(($2 + 1))" "$1"
	} >"$4"
}
# edit_sig IN OUT: one byte of the Ed25519 signature in IN's first signature
# line (line 5, after origin, size, root and the blank line) changed.
edit_sig() {
	l=$(sed -n 5p "$1")
	p=${l% *}
	edit_char "$1" 5 $((${#p} + 1 + 40)) "$2"
}
# tree_hash: the tree_hash of the last run's avow-verify --json output.
tree_hash() {
	strip_escapes <"$OUT" | member tree_hash
}
# go_root BUNDLE N: Go's tree hash, or FAILED.
go_root() {
	"$G" root "$1" "$2" 2>/dev/null || echo FAILED
}

# --- a. the log -------------------------------------------------------------
D=$T/log
L=$D/demo.db
B=$T/log.bundle
make_demo "$D" || { echo "run.sh: could not make the demo log" >&2; exit 2; }
"$AVOW" --log "$L" export -o "$B"
SIZE=$(wc -l <"$B")
check "the demo log has 42 records" test "$SIZE" = 42
VK=$(cat "$KEYS/newsdesk.vkey")
SK=$KEYS/newsdesk.c2sp # Go signs with the fixture key itself
NK=$D/newsdesk.key     # avow with its import
# The sizes at which whole sets of proofs are compared.
SIZES=$(printf '%s\n' 1 2 3 7 8 9 16 17 $((SIZE - 1)) "$SIZE" | sort -nu | paste -sd ' ')
# The sizes used for pairs of checkpoints.
PAIR_SIZES=$(printf '%s\n' 1 2 3 7 8 9 $((SIZE - 1)) "$SIZE" | sort -nu | paste -sd ' ')

# --- b. known answers: tree hashes (avow-verify) ----------------------------
expect 0 "$AVOW_VERIFY" --log "$L" --json
check "avow-verify's tree hash of the log is Go's TreeHash($SIZE)" \
	test "$(tree_hash)" = "$(go_root "$B" "$SIZE")"
group "avow-verify --bundle on the first N records: its tree hash is Go's TreeHash(N), N = 1..$SIZE"
for ((n = 1; n <= SIZE; n++)); do
	head -n "$n" "$B" >"$T/prefix.bundle"
	try 0 "$AVOW_VERIFY" --bundle "$T/prefix.bundle" --json
	try_eq "tree hash of $n records" "$(tree_hash)" "$(go_root "$B" "$n")"
done
end_group

# Go signs checkpoints with the fixture admin key; avow-verify checks them.
mkdir "$T/gocp"
group "a checkpoint made and signed by Go (note.Sign, newsdesk) at each size 1..$SIZE: avow-verify accepts it"
for ((n = 1; n <= SIZE; n++)); do
	"$G" checkpoint-body "$B" "$n" "$ORIGIN" >"$T/gocp/$n.body"
	"$G" sign "$SK" "$T/gocp/$n.body" >"$T/gocp/$n"
	try 0 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/gocp/$n" --verifier-key "$VK" --quiet
done
end_group
group "a Go-signed checkpoint of size N holding the root of N-1 records: avow-verify rejects it"
for ((n = 2; n <= SIZE; n++)); do
	printf '%s\n%s\n%s\n' "$ORIGIN" "$n" "$(go_root "$B" $((n - 1)))" >"$T/wrong.body"
	"$G" sign "$SK" "$T/wrong.body" >"$T/wrong.cp"
	try 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/wrong.cp" --verifier-key "$VK" --quiet
done
end_group

# --- b. odd notes: avow-verify's verdict beside Go's note.Open --------------
# Each case is the Go-signed checkpoint of size $SIZE with a changed
# signature block (or extension line). note_case NAME GO AVOW: tlogcheck's
# open-checkpoint (Go's note.Open, then the C2SP checkpoint text) must exit
# GO and avow-verify AVOW (0 accepts, 1 rejects). AVOW
# is Go's verdict, except for the two divergences at the end, where avow and
# tests/xcheck/audit.js agree with each other against Go (README.md).
NB=$(cat "$T/gocp/$SIZE.body")
NS=$(sed -n 5p "$T/gocp/$SIZE") # newsdesk's signature line
NE=$("$G" sign "$KEYS/editor.c2sp" "$T/gocp/$SIZE.body" | sed -n 5p)
note_case() {
	run "$G" open-checkpoint "$T/note.case" "$VK" "$ORIGIN"
	g=$RC
	run "$AVOW_VERIFY" --log "$L" --checkpoint "$T/note.case" --verifier-key "$VK"
	a=$RC
	why=
	[ "$2" = "$3" ] || why=" (a divergence from Go, see README.md)"
	if [ "$g" = "$2" ] && [ "$a" = "$3" ]; then
		ok "note $1: Go exits $g, avow-verify $a$why"
	else
		not_ok "note $1: Go exits $g (expected $2), avow-verify $a (expected $3)$why" \
			"avow-verify: $(grep -h 'FAIL checkpoint' "$OUT" "$ERR" | head -c 300 | tr '\n' ' ')"
	fi
}
# sigs LINE...: the checkpoint text, the blank line, then LINE... as the
# signature block.
sigs() {
	printf '%s\n\n' "$NB" >"$T/note.case"
	printf '%s\n' "$@" >>"$T/note.case"
}
# ext LINE: the checkpoint text with the extension line LINE, signed by Go.
ext() {
	printf '%s\n%s\n' "$NB" "$1" >"$T/ext.body"
	"$G" sign "$SK" "$T/ext.body" >"$T/note.case"
}
sigs "$NS" "— other AAAAAAAA"
note_case "with a line by a key that is not trusted" 0 0
sigs "$NE" "$NS"
note_case "with the editor's valid line first" 0 0
sigs "$NS" "$NS"
note_case "with the trusted line twice" 0 0
sigs "$NS" "— newsdesk AAAAAAAAAAAA"
note_case "with a line by another key named newsdesk (key hash 0)" 0 0
sigs "$NS" "— other AAAAAAA="
note_case "with a foreign line of 5 bytes" 0 0
sigs "$NS" "— тест AAAAAAAA"
note_case "with a foreign key name in Cyrillic" 0 0
many=("$NS")
for ((i = 1; i <= 99; i++)); do many+=("— other$i AAAAAAAA"); done
sigs "${many[@]}"
note_case "with 100 signature lines" 0 0
ext "an extension line"
note_case "with an extension line" 0 0
sigs "$NS" "— other "
note_case "with a foreign line without base64" 1 1
sigs "$NS" "— other"
note_case "with a foreign line without a space" 1 1
sigs "$NS" "— other AAAAAA=="
note_case "with a foreign line of only 4 bytes" 1 1
sigs "$NS" "— ot+her AAAAAAAA"
note_case "with a foreign key name holding +" 1 1
sigs "$NS" "—  other AAAAAAAA"
note_case "with two spaces after the dash" 1 1
sigs "$NS" "$(printf '— other\tAAAAAAAA')"
note_case "with a tab in a foreign line" 1 1
sigs "$NS" "$(printf '— other AAAAAAAA\r')"
note_case "with a CR in a foreign line" 1 1
sigs "$NS "
note_case "with a space after the signature" 1 1
sigs "$NS" ""
note_case "with an empty line in the signature block" 1 1
printf '%s\n\n%s' "$NB" "$NS" >"$T/note.case"
note_case "without its final line feed" 1 1
ext ""
note_case "with an empty extension line" 1 1
# Go allows U+007F (only bytes below 0x20 but LF are refused), refuses a key
# name holding a Unicode space, and ignores a foreign line whatever its
# length, given base64 that Go's decoder accepts (padding bits not checked).
ext "$(printf 'an extension\177line')"
note_case "with U+007F in an extension line" 0 0
sigs "$NS" "$(printf '— oth\177er AAAAAAAA')"
note_case "with a foreign key name holding U+007F" 0 0
sigs "$NS" "$(printf '— oth\302\240er AAAAAAAA')"
note_case "with a foreign key name holding U+00A0 (no-break space)" 1 1
sigs "$NS" "$(printf '— oth\342\200\203er AAAAAAAA')"
note_case "with a foreign key name holding U+2003 (em space)" 1 1
sigs "$NS" "— other AAAAAAB="
note_case "with a foreign line in non-canonical base64 (padding bits)" 0 0
sigs "$NS" "— other $(head -c 1023 /dev/zero | base64 -w0)"
note_case "with a foreign line of 1023 bytes" 0 0
# The divergences: avow (and audit.js) check every line by the trusted key,
# where Go checks only the first; Go refuses more than 100 signature lines.
c=${NS:39:1}
r=A
[ "$c" != A ] || r=B
sigs "$NS" "${NS:0:39}$r${NS:40}"
note_case "with a second line by the trusted key that does not verify" 0 1
many+=("— other100 AAAAAAAA")
sigs "${many[@]}"
note_case "with 101 signature lines" 1 0

# --- b. avow checkpoint -----------------------------------------------------
HAVE_CP=0
mkdir "$T/cp"
if SKIP_WHAT="checkpoints made by avow, compared with Go" have checkpoint "$AVOW" checkpoint; then
	HAVE_CP=1
	group "avow checkpoint --size N, N = 1..$SIZE: note.Open verifies it, its text is origin, N and Go's TreeHash(N)"
	for ((n = 1; n <= SIZE; n++)); do
		try 0 "$AVOW" --log "$L" --key "$NK" checkpoint --size "$n" -o "$T/cp/$n"
		try 0 "$G" open-note "$T/cp/$n" "$VK"
		try_same "the checkpoint text at size $n" "$OUT" "$T/gocp/$n.body"
	done
	end_group
	group "avow checkpoint --size N is byte for byte the note Go signs with the same key"
	for ((n = 1; n <= SIZE; n++)); do
		try_same "checkpoint $n" "$T/cp/$n" "$T/gocp/$n"
	done
	end_group
	for n in $PAIR_SIZES; do
		check "the root of avow's checkpoint at size $n is Go's root" \
			test "$(sed -n 3p "$T/cp/$n")" = "$(go_root "$B" "$n")"
	done
	expect 0 "$AVOW" --log "$L" --key "$NK" checkpoint -o "$T/cp/default"
	same_file "$T/cp/default" "$T/cp/$SIZE" "avow checkpoint without --size is the checkpoint at size $SIZE"
	expect 0 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/cp/default" --verifier-key "$VK"
	expect 0 "$AVOW" --log "$L" --key "$NK" checkpoint --size 5
	same_file "$OUT" "$T/cp/5" "avow checkpoint without -o writes the same note to stdout"
fi
# The checkpoints the proofs below are checked against: avow's when avow
# makes them (they must equal Go's anyway), else Go's.
cpfile() {
	if [ "$HAVE_CP" = 1 ]; then echo "$T/cp/$1"; else echo "$T/gocp/$1"; fi
}

# --- b. inclusion proofs ----------------------------------------------------
HAVE_VINC=0
if SKIP_WHAT="avow-verify of inclusion proofs (avow's and Go's)" have inclusion "$AVOW_VERIFY" inclusion; then
	HAVE_VINC=1
fi
mkdir "$T/prove"
if SKIP_WHAT="inclusion proofs made by avow, compared with Go and checked by Go" have prove "$AVOW" prove; then
	for n in $SIZES; do
		group "avow prove SEQ --size $n for every seq < $n: the inclusion object is Go's ProveRecord"
		for ((i = 0; i < n; i++)); do
			try 0 "$AVOW" --log "$L" --key "$NK" prove "$i" --size "$n" -o "$T/prove/$n-$i.json"
		done
		if [ ${#GROUP_BAD[@]} -eq 0 ]; then
			files=()
			for ((i = 0; i < n; i++)); do files+=("$T/prove/$n-$i.json"); done
			try 0 "$G" canon "${files[@]}"
			cp "$OUT" "$T/prove/$n.avow"
			"$G" inclusion-all "$B" "$n" >"$T/prove/$n.go"
			try_same "inclusion objects at size $n (- Go, + avow)" "$T/prove/$n.avow" "$T/prove/$n.go"
		fi
		end_group
		group "Go check-prove (note.Open, tlog.CheckRecord) accepts avow prove's output at size $n"
		for ((i = 0; i < n; i++)); do
			try 0 "$G" check-prove "$T/prove/$n-$i.json" "$VK" "$ORIGIN"
			run "$G" member "$T/prove/$n-$i.json" record
			printf '\n' >>"$OUT"
			sed -n "$((i + 1))p" "$B" >"$T/want.rec"
			try_same "the record member of $n-$i.json is record $i of the bundle" "$OUT" "$T/want.rec"
			run "$G" member "$T/prove/$n-$i.json" checkpoint
			cp "$OUT" "$T/prove/$n-$i.cp"
			try_same "the checkpoint in $n-$i.json is the one Go signs" "$T/prove/$n-$i.cp" "$T/gocp/$n"
		done
		end_group
		if [ "$HAVE_VINC" = 1 ]; then
			group "avow-verify inclusion accepts avow prove's output at size $n"
			for ((i = 0; i < n; i++)); do
				try 0 "$AVOW_VERIFY" inclusion "$T/prove/$n-$i.json" --checkpoint "$T/prove/$n-$i.cp" \
					--verifier-key "$VK" --origin "$ORIGIN"
			done
			end_group
		fi
	done
	# Without --size, and with a checkpoint given instead of a key.
	expect 0 "$AVOW" --log "$L" --key "$NK" prove 7 -o "$T/prove/default.json"
	same_file "$T/prove/default.json" "$T/prove/$SIZE-7.json" "avow prove 7 is avow prove 7 --size $SIZE"
	c=$(cpfile 9)
	expect 0 "$AVOW" --log "$L" prove 4 --checkpoint "$c" -o "$T/prove/given.json"
	expect 0 "$G" canon "$T/prove/given.json"
	cp "$OUT" "$T/given.avow"
	"$G" inclusion "$B" 4 9 >"$T/given.go"
	same_file "$T/given.avow" "$T/given.go" "avow prove 4 --checkpoint (size 9, no key): Go's ProveRecord(9, 4)"
	expect 0 "$G" member "$T/prove/given.json" checkpoint
	same_file "$OUT" "$c" "avow prove --checkpoint FILE carries FILE's note"
	expect 0 "$G" check-prove "$T/prove/given.json" "$VK" "$ORIGIN"

	# Tampered proofs: Go rejects them (and avow-verify, when it can).
	for si in "$SIZE 0" "$SIZE 5" "$SIZE $((SIZE - 1))" "8 3" "7 6" "2 1"; do
		read -r n i <<<"$si"
		f=$T/prove/$n-$i.json
		for k in flip extra drop index leaf; do
			"$G" tamper "$k" "$f" "$T/tampered.json"
			expect 1 "$G" check-prove "$T/tampered.json" "$VK" "$ORIGIN"
			if [ "$HAVE_VINC" = 1 ]; then
				expect 1 "$AVOW_VERIFY" inclusion "$T/tampered.json" --checkpoint "$T/prove/$n-$i.cp" \
					--verifier-key "$VK" --origin "$ORIGIN"
			fi
		done
	done
	# Another origin than the log's; a checkpoint of another size than the
	# proof's tree; a checkpoint by a key that did not sign it.
	expect 1 "$G" check-prove "$T/prove/given.json" "$VK" "not/$ORIGIN"
	if [ "$HAVE_VINC" = 1 ]; then
		expect 1 "$AVOW_VERIFY" inclusion "$T/prove/given.json" --checkpoint "$c" \
			--verifier-key "$VK" --origin "not/$ORIGIN"
		expect 1 "$AVOW_VERIFY" inclusion "$T/prove/$SIZE-5.json" --checkpoint "$(cpfile $((SIZE - 1)))" \
			--verifier-key "$VK" --origin "$ORIGIN"
		expect 1 "$AVOW_VERIFY" inclusion "$T/prove/$SIZE-5.json" --checkpoint "$(cpfile "$SIZE")" \
			--verifier-key "$(cat "$KEYS/editor.vkey")" --origin "$ORIGIN"
	fi
fi
# Go makes the proof and its checkpoint; avow-verify checks them.
if [ "$HAVE_VINC" = 1 ]; then
	group "avow-verify inclusion accepts Go's proof (the prove wrapper, made by Go) for every seq at sizes $SIZES"
	for n in $SIZES; do
		for ((i = 0; i < n; i++)); do
			"$G" prove "$B" "$i" "$n" "$ORIGIN" "$SK" >"$T/goprove.json"
			try 0 "$AVOW_VERIFY" inclusion "$T/goprove.json" --checkpoint "$T/gocp/$n" \
				--verifier-key "$VK" --origin "$ORIGIN"
		done
	done
	end_group
	"$G" prove "$B" 5 "$SIZE" "$ORIGIN" "$SK" >"$T/goprove.json"
	for k in flip extra drop index leaf; do
		"$G" tamper "$k" "$T/goprove.json" "$T/tampered.json"
		expect 1 "$AVOW_VERIFY" inclusion "$T/tampered.json" --checkpoint "$T/gocp/$SIZE" \
			--verifier-key "$VK" --origin "$ORIGIN"
	done
	expect 1 "$AVOW_VERIFY" inclusion "$T/goprove.json" --checkpoint "$T/gocp/$SIZE" \
		--verifier-key "$VK" --origin "not/$ORIGIN"
fi

# --- b. consistency proofs --------------------------------------------------
HAVE_VCON=0
if SKIP_WHAT="avow-verify of consistency proofs (avow's and Go's)" have consistency "$AVOW_VERIFY" consistency; then
	HAVE_VCON=1
fi
mkdir "$T/cons"
"$G" consistency-all "$B" >"$T/cons/all.go"
if SKIP_WHAT="consistency proofs made by avow, compared with Go and checked by Go" have consistency "$AVOW" consistency; then
	group "avow consistency M N for all 1 <= M <= N <= $SIZE"
	files=()
	start=$SECONDS
	for ((m = 1; m <= SIZE; m++)); do
		for ((n = m; n <= SIZE; n++)); do
			try 0 "$AVOW" --log "$L" consistency "$m" "$n" -o "$T/cons/$m-$n.json"
			files+=("$T/cons/$m-$n.json")
		done
	done
	end_group
	echo "# ${#files[@]} avow consistency runs took $((SECONDS - start)) s"
	if [ ${#GROUP_BAD[@]} -eq 0 ]; then
		expect 0 "$G" canon "${files[@]}"
		cp "$OUT" "$T/cons/all.avow"
		same_lines "avow consistency M N is Go's ProveTree(N, M) for all 1 <= M <= N <= $SIZE (- Go, + avow)" \
			"$T/cons/all.avow" "$T/cons/all.go"
	fi
	for m in 1 5 $((SIZE - 1)) "$SIZE"; do
		expect 0 "$AVOW" --log "$L" consistency "$m" -o "$T/cons/$m.json"
		same_file "$T/cons/$m.json" "$T/cons/$m-$SIZE.json" "avow consistency $m is avow consistency $m $SIZE"
	done
	group "Go check-consistency (note.Open, tlog.CheckTree) accepts avow's proof between avow's checkpoints, sizes $PAIR_SIZES"
	for m in $PAIR_SIZES; do
		for n in $PAIR_SIZES; do
			[ "$m" -le "$n" ] || continue
			try 0 "$G" check-consistency "$T/cons/$m-$n.json" "$(cpfile "$m")" "$(cpfile "$n")" "$VK" "$ORIGIN"
		done
	done
	end_group
	if [ "$HAVE_VCON" = 1 ]; then
		group "avow-verify consistency accepts avow's proof between avow's checkpoints, sizes $PAIR_SIZES"
		for m in $PAIR_SIZES; do
			for n in $PAIR_SIZES; do
				[ "$m" -le "$n" ] || continue
				try 0 "$AVOW_VERIFY" consistency "$T/cons/$m-$n.json" --old "$(cpfile "$m")" \
					--new "$(cpfile "$n")" --verifier-key "$VK" --origin "$ORIGIN"
			done
		done
		end_group
	fi
	# Tampered proofs. "index" changes old_size: checked against the
	# checkpoint of that size (a real proof check) and of the old one.
	for mn in "1 2" "3 7" "5 $SIZE" "8 $SIZE" "10 $SIZE" "$((SIZE - 1)) $SIZE"; do
		read -r m n <<<"$mn"
		f=$T/cons/$m-$n.json
		for k in flip extra drop index; do
			"$G" tamper "$k" "$f" "$T/tampered.json"
			olds=$m
			[ "$k" != index ] || olds="$m $(sed -n 's/.*"old_size":\([0-9]*\).*/\1/p' "$T/tampered.json")"
			for o in $olds; do
				expect 1 "$G" check-consistency "$T/tampered.json" "$(cpfile "$o")" "$(cpfile "$n")" "$VK" "$ORIGIN"
				if [ "$HAVE_VCON" = 1 ]; then
					expect 1 "$AVOW_VERIFY" consistency "$T/tampered.json" --old "$(cpfile "$o")" \
						--new "$(cpfile "$n")" --verifier-key "$VK" --origin "$ORIGIN"
				fi
			done
		done
	done
fi
# Go makes the proofs, Go signs the checkpoints; avow-verify checks them.
if [ "$HAVE_VCON" = 1 ]; then
	group "avow-verify consistency accepts Go's proofs between Go-signed checkpoints, sizes $PAIR_SIZES"
	for m in $PAIR_SIZES; do
		for n in $PAIR_SIZES; do
			[ "$m" -le "$n" ] || continue
			"$G" consistency "$B" "$m" "$n" >"$T/gocons.json"
			try 0 "$AVOW_VERIFY" consistency "$T/gocons.json" --old "$T/gocp/$m" --new "$T/gocp/$n" \
				--verifier-key "$VK" --origin "$ORIGIN"
		done
	done
	end_group
	"$G" consistency "$B" 10 "$SIZE" >"$T/gocons.json"
	for k in flip extra drop index; do
		"$G" tamper "$k" "$T/gocons.json" "$T/tampered.json"
		for o in 9 10; do
			expect 1 "$AVOW_VERIFY" consistency "$T/tampered.json" --old "$T/gocp/$o" --new "$T/gocp/$SIZE" \
				--verifier-key "$VK" --origin "$ORIGIN"
		done
	done
	# The checkpoints swapped.
	expect 1 "$AVOW_VERIFY" consistency "$T/gocons.json" --old "$T/gocp/$SIZE" --new "$T/gocp/10" \
		--verifier-key "$VK" --origin "$ORIGIN"
fi

# --- c. a key made by Go, enrolled in the log, signs a checkpoint -----------
GK=$T/gopher.c2sp
expect 0 "$G" genkey gopher "$GK"
GVK=$(cat "$OUT")
check "Go's signer key file has mode 600" test "$(stat -c %a "$GK")" = 600
expect 0 "$AVOW" key import "$GK" -o "$T/gopher.key" --no-passphrase
check "avow key import prints the verifier key Go printed" test "$(cat "$OUT")" = "$GVK"
run "$AVOW" --key "$T/gopher.key" key possession --origin "$ORIGIN"
P=$(cat "$OUT")
check "a possession proof by the Go key" test "$RC" = 0 -a -n "$P"
expect 0 "$AVOW" --log "$L" --key "$NK" key add "$GVK" --possession "$P" --role admin --holder "A key made by Go"
check "the key add is seq $SIZE" test "$(cat "$OUT")" = "$SIZE"
# One more record, signed in avow by the Go key (an admin may record claims),
# so that a checkpoint can cover a record after the key's enrolment.
expect 0 "$AVOW" --log "$L" --key "$T/gopher.key" claim --by us-gov --text "A claim recorded with a key made by Go." \
	--paraphrase --said-at 2023-09 --title "Interop test"
check "the claim is seq $((SIZE + 1))" test "$(cat "$OUT")" = $((SIZE + 1))
B2=$T/log2.bundle
"$AVOW" --log "$L" export -o "$B2"
S2=$((SIZE + 2))
check "the log now has $S2 records" test "$(wc -l <"$B2")" = "$S2"
expect 0 "$AVOW_VERIFY" --log "$L" --json
check "avow-verify's tree hash of the $S2 records is Go's TreeHash($S2)" \
	test "$(tree_hash)" = "$(go_root "$B2" "$S2")"

"$G" checkpoint-body "$B2" "$S2" "$ORIGIN" >"$T/go2.body"
expect 0 "$G" sign "$GK" "$T/go2.body"
cp "$OUT" "$T/go2.cp"
expect 0 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/go2.cp" --verifier-key "$GVK" --json
expect_stdout '"verdict":"pass"'
expect_stdout '"checkpoints":{"given":1,"verified":1}'
edit_sig "$T/go2.cp" "$T/badsig.cp"
check "edit_sig changed the note" sh -c "! cmp -s '$T/go2.cp' '$T/badsig.cp'"
expect 1 "$G" open-note "$T/badsig.cp" "$GVK"
expect 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/badsig.cp" --verifier-key "$GVK"
edit_char "$T/go2.cp" 3 10 "$T/badroot.cp"
check "edit_char changed the note" sh -c "! cmp -s '$T/go2.cp' '$T/badroot.cp'"
expect 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/badroot.cp" --verifier-key "$GVK"
# The note is signed by the Go key only: the newsdesk key is not trusted
# with it, even though the newsdesk key is an admin key of the log.
expect 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/go2.cp" --verifier-key "$VK"
# At size S2-1 the last entry is the key's own enrolment: the key is not yet
# authorised for it (SPEC sections 3 and 6).
"$G" checkpoint-body "$B2" $((S2 - 1)) "$ORIGIN" >"$T/go1.body"
"$G" sign "$GK" "$T/go1.body" >"$T/go1.cp"
expect 1 "$AVOW_VERIFY" --log "$L" --checkpoint "$T/go1.cp" --verifier-key "$GVK"
if SKIP_WHAT="a checkpoint signed by avow with the Go key" have checkpoint "$AVOW" checkpoint; then
	expect 0 "$AVOW" --log "$L" --key "$T/gopher.key" checkpoint -o "$T/avow2.cp"
	same_file "$T/avow2.cp" "$T/go2.cp" "avow checkpoint with the imported Go key is the note Go signs"
	expect 0 "$G" open-note "$T/avow2.cp" "$GVK"
fi

if [ "$SKIPPED" -gt 0 ]; then
	echo "# $SKIPPED parts skipped: avow lacks the commands named on the SKIP lines"
fi
finish
