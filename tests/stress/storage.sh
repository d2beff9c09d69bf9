#!/bin/bash
# storage.sh - storage faults: a full filesystem, a read-only log (a read-only
# bind mount, an immutable file, and mode 0444 in a 0555 directory for a user
# who is not root), a missing log, a file that is not SQLite, an SQLite
# database that is not an avow log, and a log of a newer format version.
# Each must give its one-line message and exit status 2 (README, "Exit
# status"), and leave the file as it was; a log that refused a write still
# audits.
#
#   bash storage.sh AVOW AVOW_VERIFY SRCDIR
#
# The full filesystem is a small tmpfs mounted for the test, and the read-only
# log a read-only bind mount, so this needs root (it is run as root in CI).
# Without root or the mount, those parts are skipped with a note. The
# immutable-file case needs chattr and a filesystem that supports it (ext4);
# the mode-0444 case needs setpriv (util-linux) to drop to user nobody.
#
# Size (environment): AVOW_STORAGE_BATCH lines in the batch appended to the
# full filesystem (default 3000).
. "$(dirname "$0")/../lib.sh"

BATCH=${AVOW_STORAGE_BATCH:-3000}
case $BATCH in '' | *[!0-9]*) echo "$0: AVOW_STORAGE_BATCH must be a number" >&2; exit 2 ;; esac

MOUNTS=
IMMUTABLE=
cleanup() {
	for f in $IMMUTABLE; do chattr -i "$f" 2>/dev/null; done
	for m in $MOUNTS; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# exits CODE CMD...: CMD exits with CODE (output discarded).
exits() {
	_want=$1
	shift
	# The subshell keeps the shell's "Segmentation fault" note off the output.
	( "$@" >/dev/null 2>&1; echo $? >"$T/.exits" ) 2>/dev/null
	[ "$(cat "$T/.exits")" -eq "$_want" ]
}

# sums FILE...: the checksums of the files that exist.
sums() {
	for f in "$@"; do [ -e "$f" ] && sha256sum "$f"; done
}

D=$T/base
make_demo "$D" || { echo "make_demo failed" >&2; exit 1; }
BASE=$D/demo.db
"$AVOW" --log "$BASE" export -o "$T/base.bundle"
awk -v n="$BATCH" 'BEGIN {
	for (i = 1; i <= n; i++)
		printf "{\"type\":\"claim\",\"body\":{\"by\":\"us-gov\",\"text\":\"storage %d: a claim in a large batch, padded so that the batch needs some space on disk.\",\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"Storage\"}}}\n", i
}' >"$T/big.jsonl"
good='{"type":"claim","body":{"by":"us-gov","text":"One claim.","quote":false,"said_at":"2023","source":{"title":"Storage"}}}'
printf '%s\n' "$good" >"$T/one.jsonl"
CLAIM="claim --by us-gov --text x --paraphrase --said-at 2023 --title T"

# refused NAME LOG SUBSTRING: after a refused write, the last command exited
# 2 with SUBSTRING in a one-line stderr, printed nothing, and LOG's records
# are as in $T/before.bundle.
refused() {
	check "$1: exit 2 (got $RC)" test "$RC" -eq 2
	expect_stderr "$3" "$1"
	check "$1: one line on stderr" test "$(wc -l <"$ERR")" -eq 1
	check "$1: nothing on stdout" test ! -s "$OUT"
}

# --- a full filesystem ---------------------------------------------------------
FULL=$T/full
mkdir -p "$FULL"
can_mount=0
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=16m,mode=0700 avow-stress "$FULL" 2>/dev/null; then
	can_mount=1
	MOUNTS="$FULL $MOUNTS"
else
	echo "# SKIP: cannot mount a tmpfs (not root, or no CAP_SYS_ADMIN): the full-filesystem checks did not run"
fi
if [ "$can_mount" -eq 1 ]; then
	# fill FREE_KB: fill the tmpfs, leaving about FREE_KB kibibytes.
	fill() {
		rm -f "$FULL/filler" "$FULL/filler2"
		avail=$(df -k --output=avail "$FULL" | tail -1 | tr -d ' ')
		if [ "$avail" -gt "$1" ]; then
			dd if=/dev/zero of="$FULL/filler" bs=1k count=$((avail - $1)) 2>/dev/null
		fi
		# tmpfs allocates whole pages: top up to the exact amount.
		[ "$1" -eq 0 ] && dd if=/dev/zero of="$FULL/filler2" bs=1k 2>/dev/null
		return 0
	}
	# From no room at all, through room for the -shm but not the batch, to
	# room for the commit in the WAL but not for copying it into the log
	# file when the last connection closes (the append succeeds; the
	# records are read from the WAL), to room for everything.
	n_full=0 n_io=0 n_fit=0
	for free in 0 16 64 256 1024 2048 2560 3072 4096 8192; do
		rm -f "$FULL"/log.db*
		cp "$BASE" "$FULL/log.db"
		fill "$free"
		left=$(df -k --output=avail "$FULL" | tail -1 | tr -d ' ')
		before=$(sums "$FULL/log.db")
		run "$AVOW" --log "$FULL/log.db" --key "$D/alice.key" append "$T/big.jsonl"
		if [ "$RC" -eq 0 ]; then
			# Enough room after all: then the whole batch is there.
			n_fit=$((n_fit + 1))
			check "full fs, ${left} KiB free: the append fit, and it is whole" \
				test "$(count_records "$FULL/log.db")" -eq $(($(wc -l <"$T/base.bundle") + BATCH))
			[ -s "$FULL/log.db-wal" ] && echo "# full fs, ${left} KiB free: the commit stayed in the WAL ($(du -k "$FULL/log.db-wal" | cut -f1) KiB): no room to copy it into the log file"
		elif grep -q "opening: " "$ERR"; then
			# Too full for SQLite to make the log's -shm file (32 KiB):
			# the log cannot be opened to write, and is read as a file
			# that cannot change.
			n_io=$((n_io + 1))
			refused "full fs, ${left} KiB free (no room for the -shm)" "$FULL/log.db" "opening: the disk is full; nothing was written"
			check "full fs, ${left} KiB free: the log file is unchanged" test "$(sums "$FULL/log.db")" = "$before"
			expect_exit 0 "$AVOW_VERIFY" --log "$FULL/log.db"
			expect_stdout "PASS"
			check "full fs, ${left} KiB free: unchanged by avow-verify" test "$(sums "$FULL/log.db")" = "$before"
			rm -f "$FULL/filler" "$FULL/filler2"
		else
			n_full=$((n_full + 1))
			refused "full fs, ${left} KiB free" "$FULL/log.db" "the disk or database is full; nothing was written"
			check "full fs, ${left} KiB free: the log file is unchanged" test "$(sums "$FULL/log.db")" = "$before"
		fi
		"$AVOW" --log "$FULL/log.db" export -o "$T/after.bundle"
		if [ "$RC" -ne 0 ]; then
			same_file "$T/base.bundle" "$T/after.bundle" "full fs, ${left} KiB free: records unchanged (export)"
		fi
		expect_exit 0 "$AVOW_VERIFY" --log "$FULL/log.db"
		expect_stdout "PASS"
		fill "$free"
		# A single claim on the still-full filesystem: refused the same way,
		# or appended whole.
		run "$AVOW" --log "$FULL/log.db" --key "$D/alice.key" $CLAIM
		if [ "$RC" -ne 0 ]; then
			check "full fs, ${left} KiB free, one claim: exit 2, one line" test "$RC" -eq 2 -a "$(wc -l <"$ERR")" -eq 1
			check "full fs, ${left} KiB free, one claim: says the disk is full" grep -qE "the disk (or database )?is full; nothing was written" "$ERR"
		fi
		# With room again, the log takes the batch.
		rm -f "$FULL/filler" "$FULL/filler2"
		n2=$(count_records "$FULL/log.db")
		expect_exit 0 "$AVOW" --log "$FULL/log.db" --key "$D/alice.key" append "$T/big.jsonl"
		check "full fs, ${left} KiB free: with room again, the batch appends" test "$(count_records "$FULL/log.db")" -eq $((n2 + BATCH))
		expect_exit 0 "$AVOW_VERIFY" --log "$FULL/log.db"
	done
	echo "# full fs: $n_full appends of $BATCH lines refused as full, $n_io refused at the open (no room for the -shm), $n_fit fit"
	check "full fs: at least one append was refused as full" test "$n_full" -ge 1
	# init on a full filesystem (room for the -shm, not for the log):
	# refused, and no log is left behind.
	for free in 0 40; do
		rm -f "$FULL"/*
		fill "$free"
		run "$AVOW" --log "$FULL/new.db" --key "$D/newsdesk.key" init --origin "$ORIGIN" --holder H
		# (SQLite says FULL, or an I/O error with ENOSPC: "the disk is
		# full", depending on where the first page fails to fit)
		refused "init on a full fs (${free} KiB free)" "" "is full; nothing was written"
		check "init on a full fs (${free} KiB free): no log file is left" test ! -e "$FULL/new.db"
	done
	# export to a full filesystem: an error, not a silently short bundle.
	rm -f "$FULL"/*
	fill 0
	run "$AVOW" --log "$BASE" export -o "$FULL/out.bundle"
	check "export to a full fs: exit 2 (got $RC)" test "$RC" -eq 2
	check "export to a full fs: one line on stderr" test "$(wc -l <"$ERR")" -eq 1
	check "export to a full fs: no partial bundle is left" test ! -e "$FULL/out.bundle"
	echo "# export to a full fs: $(head -c 300 "$ERR")"
	rm -f "$FULL"/*
fi

# --- a read-only log -------------------------------------------------------------
# ro_case NAME LOG: writes are refused, the file is unchanged, and reading works.
ro_case() {
	name=$1
	log=$2
	before=$(sums "$log")
	for w in "--key $D/alice.key $CLAIM" "--key $D/alice.key append $T/one.jsonl"; do
		# shellcheck disable=SC2086
		run "$AVOW" --log "$log" $w
		refused "$name: ${w#--key * }" "$log" "cannot write the log"
	done
	check "$name: the log file is unchanged" test "$(sums "$log")" = "$before"
	# Read as a file that cannot change (no -shm can be made beside it).
	expect_exit 0 "$AVOW_VERIFY" --log "$log"
	expect_stdout "PASS"
	expect_exit 0 "$AVOW" --log "$log" report --claim 21
	expect_stdout "claim #21"
	expect_exit 0 "$AVOW" --log "$log" export -o "$T/ro-export.bundle"
	expect_exit 0 "$AVOW_VERIFY" --bundle "$T/ro-export.bundle"
	check "$name: the log file is unchanged by the readers" test "$(sums "$log")" = "$before"
}
# ro_wal NAME LOG: LOG has a -wal file with something in it that a reader on
# read-only storage cannot fold in: refused, naming the file, not misread.
ro_wal() {
	run "$AVOW_VERIFY" --log "$2"
	refused "$1: avow-verify" "$2" "$2-wal has records not yet in the log file; copy both to writable storage"
	run "$AVOW" --log "$2" report
	refused "$1: avow report" "$2" "copy both to writable storage"
}
RO_SRC=$T/ro-src
RO=$T/ro
mkdir -p "$RO_SRC" "$RO"
cp "$BASE" "$RO_SRC/log.db"
cp "$BASE" "$RO_SRC/walled.db"
printf 'frames not folded in\n' >"$RO_SRC/walled.db-wal"
if [ "$(id -u)" -eq 0 ] && mount --bind "$RO_SRC" "$RO" 2>/dev/null; then
	MOUNTS="$RO $MOUNTS"
	if mount -o remount,ro,bind "$RO" 2>/dev/null; then
		ro_case "read-only bind mount" "$RO/log.db"
		ro_wal "read-only bind mount, a -wal beside the log" "$RO/walled.db"
		# The same file written through its writable path while it is
		# read through the read-only one: the read gives no verdict.
		cp "$BASE" "$RO_SRC/busy.db"
		"$AVOW" --log "$RO_SRC/busy.db" --key "$D/alice.key" append "$T/big.jsonl" >/dev/null 2>&1
		rm -f "$RO_SRC/busy.db-wal" "$RO_SRC/busy.db-shm"
		( while :; do touch "$RO_SRC/busy.db"; sleep 0.01; done ) &
		toucher=$!
		run "$AVOW_VERIFY" --log "$RO/busy.db"
		kill "$toucher"
		wait "$toucher" 2>/dev/null
		refused "read-only bind mount, written elsewhere meanwhile" "$RO/busy.db" "the log changed while it was read"
	else
		echo "# SKIP: cannot remount the bind mount read-only"
	fi
else
	echo "# SKIP: cannot bind-mount (not root): the read-only mount checks did not run"
fi
# An immutable file (chattr +i), which stops root too; the directory stays
# writable, so readers can make the -shm file and do read it.
IMM=$T/imm
mkdir -p "$IMM"
cp "$BASE" "$IMM/log.db"
if chattr +i "$IMM/log.db" 2>/dev/null; then
	IMMUTABLE="$IMM/log.db"
	before=$(sums "$IMM/log.db")
	for w in "$CLAIM" "append $T/one.jsonl"; do
		# shellcheck disable=SC2086
		run "$AVOW" --log "$IMM/log.db" --key "$D/alice.key" $w
		refused "immutable file: $w" "$IMM/log.db" "cannot write the log"
	done
	check "immutable file: unchanged" test "$(sums "$IMM/log.db")" = "$before"
	expect_exit 0 "$AVOW_VERIFY" --log "$IMM/log.db"
	expect_exit 0 "$AVOW" --log "$IMM/log.db" report --claim 21
	chattr -i "$IMM/log.db"
	IMMUTABLE=
else
	echo "# SKIP: chattr +i is not possible here (no chattr, not root, or the filesystem lacks it)"
fi
# Mode 0444 in a 0555 directory, for a user who is not root (root ignores
# permission bits). nobody needs to reach the binaries and $T.
NB=$T/nobody
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$AVOW" --version >/dev/null 2>&1; then
	chmod 0711 "$T"
	mkdir -p "$NB/dir"
	cp "$BASE" "$NB/dir/log.db"
	cp "$D/alice.key" "$NB/alice.key"
	chown -R 65534:65534 "$NB"
	chmod 0600 "$NB/alice.key"
	# nobody keeps its saved audited states in a directory of its own
	AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups env AVOW_STATE_DIR=$NB/state"
	# 0444 in a writable directory: refused; readers work.
	chmod 0444 "$NB/dir/log.db"
	before=$(sums "$NB/dir/log.db")
	run $AS_NOBODY "$AVOW" --log "$NB/dir/log.db" --key "$NB/alice.key" append "$T/one.jsonl"
	refused "mode 0444 (user nobody)" "$NB/dir/log.db" "cannot write the log"
	check "mode 0444 (user nobody): unchanged" test "$(sums "$NB/dir/log.db")" = "$before"
	expect_exit 0 $AS_NOBODY "$AVOW_VERIFY" --log "$NB/dir/log.db"
	# 0444 in a 0555 directory: the same, and readers cannot make -shm.
	rm -f "$NB/dir/log.db-wal" "$NB/dir/log.db-shm"
	chmod 0555 "$NB/dir"
	run $AS_NOBODY "$AVOW" --log "$NB/dir/log.db" --key "$NB/alice.key" append "$T/one.jsonl"
	refused "mode 0444 in a 0555 dir (user nobody)" "$NB/dir/log.db" "cannot write the log"
	check "mode 0444 in a 0555 dir (user nobody): unchanged" test "$(sums "$NB/dir/log.db")" = "$before"
	expect_exit 0 $AS_NOBODY "$AVOW_VERIFY" --log "$NB/dir/log.db"
	expect_exit 0 $AS_NOBODY "$AVOW" --log "$NB/dir/log.db" report --claim 21
	check "mode 0444 in a 0555 dir (user nobody): unchanged by the readers" test "$(sums "$NB/dir/log.db")" = "$before"
	# Another user's wal-index beside it (root's, mode 0600): the log may
	# be in use, so it is not read as a file that cannot change.
	head -c 32768 /dev/zero >"$NB/dir/log.db-shm"
	chmod 0600 "$NB/dir/log.db-shm"
	run $AS_NOBODY "$AVOW_VERIFY" --log "$NB/dir/log.db"
	refused "another user's -shm beside it (user nobody)" "$NB/dir/log.db" "log.db-shm cannot be used by this user, and the log may be in use"
	rm -f "$NB/dir/log.db-shm"
	chmod 0755 "$NB/dir"
	chmod 0700 "$T"
else
	echo "# SKIP: cannot run as user nobody (no setpriv, or not root): the mode 0444 checks did not run"
fi

# --- a missing log ---------------------------------------------------------------
for c in "log" "report" "--key $D/alice.key append $T/one.jsonl" "--key $D/alice.key $CLAIM"; do
	# shellcheck disable=SC2086
	run "$AVOW" --log "$T/missing.db" $c
	refused "missing log: avow ${c#--key * }" "" "No such file or directory (create a log with \`avow init\`)"
	check "missing log: avow ${c#--key * } did not create it" test ! -e "$T/missing.db"
done
run "$AVOW_VERIFY" --log "$T/missing.db"
refused "missing log: avow-verify" "" "$T/missing.db: No such file or directory"
for c in "--key $D/newsdesk.key checkpoint" "--key $D/newsdesk.key prove 1"; do
	# shellcheck disable=SC2086
	check "missing log: avow ${c#--key * } exits 2, not a crash" exits 2 "$AVOW" --log "$T/missing.db" $c
done

# --- not an avow log -------------------------------------------------------------
# foreign NAME FILE SUBSTRING: every command refuses FILE with SUBSTRING.
foreign() {
	name=$1
	f=$2
	before=$(sums "$f")
	for c in "log" "report" "export" "key list" "consistency 1" "--key $D/alice.key append $T/one.jsonl" "--key $D/alice.key $CLAIM" "--key $D/newsdesk.key reindex"; do
		# shellcheck disable=SC2086
		run "$AVOW" --log "$f" $c
		refused "$name: avow ${c#--key * }" "$f" "$3"
	done
	run "$AVOW_VERIFY" --log "$f"
	refused "$name: avow-verify" "$f" "$3"
	check "$name: the file is unchanged" test "$(sums "$f")" = "$before"
	# A read-only open of a WAL-mode file leaves an empty -wal and a -shm
	# beside it (SQLite does); nothing may be written to them.
	check "$name: nothing written to a -wal beside it" test ! -s "$f-wal"
	# checkpoint and prove once crashed (SIGSEGV) after the open failed.
	for c in "--key $D/newsdesk.key checkpoint" "--key $D/newsdesk.key prove 1"; do
		# shellcheck disable=SC2086
		check "$name: avow ${c#--key * } exits 2, not a crash" exits 2 "$AVOW" --log "$f" $c
	done
	rm -f "$f-wal" "$f-shm"
	check "$name: the file is unchanged after checkpoint and prove" test "$(sums "$f")" = "$before"
}
head -c 8192 "$ARTICLE" >"$T/text.db"
foreign "a text file" "$T/text.db" "not an avow log (not an SQLite database)"
head -c 100 /dev/urandom >"$T/random.db"
foreign "random bytes" "$T/random.db" "not an avow log (not an SQLite database)"
sqlite3 "$T/other.db" 'CREATE TABLE notes(a, b); INSERT INTO notes VALUES(1, 2);'
foreign "an SQLite database that is not a log" "$T/other.db" "not an avow log (an SQLite database without avow's tables)"
sqlite3 "$T/wal.db" 'PRAGMA journal_mode=WAL; CREATE TABLE records(seq INTEGER PRIMARY KEY, data BLOB);' >/dev/null
foreign "an SQLite database with a records table, no header" "$T/wal.db" "not an avow log"
: >"$T/empty.db"
foreign "an empty file" "$T/empty.db" "not an avow log"

# --- a log of a newer format --------------------------------------------------------
cp "$BASE" "$T/v2.db"
sqlite3 "$T/v2.db" "DROP TRIGGER meta_no_update; UPDATE avow_meta SET value = '2' WHERE name = 'version';"
foreign "a version-2 log" "$T/v2.db" "log format version 2 is newer than this avow understands (1); upgrade avow"
cp "$BASE" "$T/v9.db"
sqlite3 "$T/v9.db" "DROP TRIGGER meta_no_update; UPDATE avow_meta SET value = '99' WHERE name = 'version';"
foreign "a version-99 log" "$T/v9.db" "log format version 99 is newer"

finish
