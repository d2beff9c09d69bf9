#!/bin/sh
# Install what avow needs to build and test on Debian 12, skipping what is
# already there. Run as root (or with sudo available).
set -eu

need=""
# golang-go and golang-golang-x-mod-dev: the Go team's sumdb/tlog and
# sumdb/note, which tests/interop builds against, offline. chromium and
# graphviz: tests/report renders HTML reports in headless Chromium and
# draws the dot reports. clang and libclang-rt-dev (libFuzzer and the
# sanitizer runtimes, only recommended by clang): fuzz/run.sh.
# clang-format and clang-tidy: scripts/lint.sh. valgrind:
# tests/stress/valgrind.sh (run by .ci/run).
for p in build-essential cmake pkg-config libsodium-dev libsqlite3-dev \
         libcjson-dev sqlite3 golang-go golang-golang-x-mod-dev \
         chromium graphviz clang libclang-rt-dev clang-format clang-tidy \
         valgrind; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		need="$need $p"
done
# The independent cross-checker (tests/xcheck) runs on Node.js.
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"

if [ -n "$need" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "deps.sh: installing:$need" >&2
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi

# Node packages of the cross-checker, from its lock file.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -d "$here/tests/xcheck/node_modules" ]; then
	(cd "$here/tests/xcheck" && npm ci --no-audit --no-fund --loglevel=error)
fi
