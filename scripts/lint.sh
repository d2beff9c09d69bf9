#!/bin/bash
# Lint the C sources: clang-format (the tree must already be formatted as
# .clang-format says) and clang-tidy (.clang-tidy; every finding is an
# error). Exits non-zero on any finding and ends with a one-line summary.
#
#   scripts/lint.sh [BUILD_DIR]      (default: build)
#
# BUILD_DIR must be configured by cmake, which writes the
# compile_commands.json that clang-tidy reads. The clang-format and
# clang-tidy used are $CLANG_FORMAT and $CLANG_TIDY (default: the ones on
# PATH; CI uses Debian 12's, version 14). clang-tidy runs one process per
# file, $LINT_JOBS (default: the number of CPUs) at a time.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

build=${1:-build}
format=${CLANG_FORMAT:-clang-format}
tidy=${CLANG_TIDY:-clang-tidy}
jobs=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}

for tool in "$format" "$tidy"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "lint: $tool not found (scripts/deps.sh installs it)" >&2
		exit 2
	fi
done
if [ ! -f "$build/compile_commands.json" ]; then
	echo "lint: $build/compile_commands.json not found; configure first:" \
		"cmake -S . -B $build" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# clang-format over every C file of the library, programs, public header
# and unit tests.
mapfile -t fmt_files < <(find lib cmd include tests/unit -type f \
	\( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
"$format" --dry-run --Werror "${fmt_files[@]}" >"$tmp/format.log" 2>&1
format_rc=$?
bad_format=$(grep -oE '^[^:]+:[0-9]+:[0-9]+: (warning|error):' \
	"$tmp/format.log" | cut -d: -f1 | LC_ALL=C sort -u | wc -l)
if [ "$format_rc" -ne 0 ]; then
	cat "$tmp/format.log"
	# A failure with no file named (a bad option, a crash) still fails.
	[ "$bad_format" -gt 0 ] || bad_format=1
fi

# clang-tidy, one process per file: a crash then loses one file's output,
# not all of it.
tidy_files=(lib/*.c cmd/*.c cmd/*/*.c)
mkdir "$tmp/tidy"
# shellcheck disable=SC2016 # $1... expand in the inner sh
printf '%s\n' "${tidy_files[@]}" |
	xargs -P "$jobs" -I{} sh -c '
		log="$1/$(printf %s "$2" | tr / _)"
		"$3" -p "$4" --quiet --extra-arg=-Wno-unknown-warning-option \
			"$2" >"$log.out" 2>"$log.err"
		echo $? >"$log.rc"' sh "$tmp/tidy" {} "$tidy" "$build"
failed_files=0
for f in "${tidy_files[@]}"; do
	log="$tmp/tidy/$(printf %s "$f" | tr / _)"
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	found=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' "$log.out")
	if [ "$rc" != 0 ] || [ "$found" -gt 0 ]; then
		failed_files=$((failed_files + 1))
		cat "$log.out"
		# clang-tidy exits 1 for findings (WarningsAsErrors). Otherwise,
		# or with none named, show its stderr: a crash, a bad compile
		# database (less its "N warnings generated." lines).
		if [ "$found" -eq 0 ] || { [ "$rc" != 0 ] && [ "$rc" != 1 ]; }; then
			echo "lint: clang-tidy $f exited $rc:"
			grep -v 'warnings\? generated\.$' "$log.err" | tail -20
		fi
	fi
	grep -hE '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' "$log.out" \
		>>"$tmp/findings"
done
# A finding in a header shows once per file that includes it: count once.
findings=$(LC_ALL=C sort -u "$tmp/findings" 2>/dev/null | wc -l)
if [ "$failed_files" -gt 0 ] && [ "$findings" -eq 0 ]; then
	findings=$failed_files # clang-tidy failed without naming a line
fi

summary="clang-format: ${#fmt_files[@]} files, $bad_format not formatted;"
summary="$summary clang-tidy: ${#tidy_files[@]} files, $findings findings"
if [ "$bad_format" -eq 0 ] && [ "$findings" -eq 0 ]; then
	echo "lint: OK ($summary)"
	exit 0
fi
echo "lint: FAILED ($summary)"
exit 1
