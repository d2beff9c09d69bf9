#!/bin/sh
# Run audit.js over every case directory in DIR and compare its verdict
# with the case's `expect` file (pass / fail N / fail checkpoint).
# Prints one line per disagreement, then "N passed, M failed"; exits 1 on
# any disagreement, 2 on a usage error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
passed=0
failed=0
for case in "$dir"/*/; do
    case=${case%/}
    [ -f "$case/log.bundle" ] || continue
    expect=$(head -n 1 "$case/expect" | tr -d '\r')
    if [ -f "$case/checkpoint" ]; then
        out=$(node "$here/audit.js" "$case/log.bundle" \
            --checkpoint "$case/checkpoint" --verifier-key "$case/verifier-key" 2>/dev/null)
    else
        out=$(node "$here/audit.js" "$case/log.bundle" 2>/dev/null)
    fi
    rc=$?
    # the verdict is "pass", or "fail" and the seq (or "checkpoint")
    verdict=$(printf '%s\n' "$out" | head -n 1 | awk '{ if ($1 == "pass") print "pass"; else print $1 " " $2 }')
    want_rc=1
    [ "$expect" = pass ] && want_rc=0
    if [ "$verdict" = "$expect" ] && [ "$rc" -eq "$want_rc" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "DISAGREE $(basename "$case"): expected '$expect', got '$out' (exit $rc)"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
