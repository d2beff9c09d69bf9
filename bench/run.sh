#!/bin/sh
# avow's benchmark (issue 6, docs/PERFORMANCE.md). Not part of ctest.
#
#   bench/run.sh [quick|full]
#
# Configures a Release build with -DAVOW_BENCH=ON in build-bench, runs the
# harness (bench/bench.c: baselines and the library, in one process), then
# times the command-line tools on the same logs, and writes
#   bench/results/DATE-MODE.txt   the tables
#   bench/results/DATE-MODE.tsv   every figure, "N<TAB>metric<TAB>value"
#   bench/results/DATE-MODE.svg   rate and latency against log size
#
# quick: logs of 10,000 and 100,000 records (a few minutes on 2 cores).
# full:  10,000, 100,000 and 1,000,000 records (about an hour on 2 cores).
# AVOW_BENCH_SIZES=10000,50000 overrides the sizes; AVOW_BENCH_RUNS the
# number of runs of the harness's figures (default 3; 1 at 1,000,000);
# AVOW_BENCH_CLI_LIMIT the seconds after which a command-line tool is
# stopped and reported as "> LIMIT s" (default 30 quick, 900 full);
# AVOW_BENCH_CLI_RUNS the runs of each command-line figure, the median
# reported (default 3; 1 for the first command on a log, and for the
# whole-log commands, avow-verify and --no-saved-state, from 1,000,000);
# AVOW_BENCH_SIGNER=genesis makes logs whose genesis key signs every
# record (default recorder: an enrolled recorder key signs the statements,
# as in the README).
# BUILD_DIR (default build-bench) and RESULTS_DIR (default bench/results)
# move what the script writes. The logs stay in BUILD_DIR/bench-work.
set -eu

mode=${1:-quick}
case $mode in
quick)
	sizes=${AVOW_BENCH_SIZES:-10000,100000}
	limit=${AVOW_BENCH_CLI_LIMIT:-30}
	single=5
	;;
full)
	sizes=${AVOW_BENCH_SIZES:-10000,100000,1000000}
	limit=${AVOW_BENCH_CLI_LIMIT:-900}
	single=10
	;;
*)
	echo "usage: bench/run.sh [quick|full]" >&2
	exit 2
	;;
esac
runs=${AVOW_BENCH_RUNS:-3}
cli_runs=${AVOW_BENCH_CLI_RUNS:-3}
case $cli_runs in
'' | *[!0-9]* | 0) echo "bench: AVOW_BENCH_CLI_RUNS must be a positive number" >&2; exit 2 ;;
esac
signer_mode=${AVOW_BENCH_SIGNER:-recorder}

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-bench}
results=${RESULTS_DIR:-$top/bench/results}
work=$build/bench-work
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
stamp=$(date -u +%Y-%m-%d)
name=$stamp-$mode
[ "${AVOW_BENCH_SIGNER:-recorder}" = recorder ] || name=$name-${AVOW_BENCH_SIGNER}
# A second run on the same day keeps the first: it is named by commit.
[ -e "$results/$name.txt" ] &&
	name=$name-$(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo again)
out=$results/$name.txt
tsv=$results/$name.tsv
svg=$results/$name.svg
start=$(date +%s)

echo "bench: Release build in $build" >&2
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DAVOW_BENCH=ON \
	-DAVOW_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target avow-bench avow-cli avow-verify \
	>"$build/bench-build.log" 2>&1 || {
	tail -30 "$build/bench-build.log" >&2
	exit 2
}
bench=$build/bench/avow-bench
avow=$build/avow
verify=$build/avow-verify

mkdir -p "$results" "$work"
rm -f "$work"/*.db "$work"/*.db-* "$work"/*.jsonl "$work"/*.txt "$work"/*.json
tmp=$work/tmp
mkdir -p "$tmp"

{
	echo "== avow benchmark, mode $mode, sizes $sizes"
	echo "== git: $(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$top" && git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
	echo "== load before: $(uptime)"
	echo
} >"$out"

# 1. the harness: baselines and the library, one process
echo "bench: harness, sizes $sizes, $runs runs (progress below)" >&2
"$bench" --sizes "$sizes" --runs "$runs" --single-budget "$single" \
	--signer "$signer_mode" --workdir "$work" --data "$tsv" >>"$out"
harness_end=$(date +%s)

# 2. the command-line tools on the same logs: wall time and peak RSS
# (avow-bench exec is the stopwatch), cli_runs runs of each, every run a
# row of $cli; the table gives the median run
export SOURCE_DATE_EPOCH=1695081600
unset AVOW_KEY AVOW_PASSPHRASE
key=$work/bench.key       # the admin (genesis) key: checkpoints
signer=$work/signer.key   # the key that signs the statements
seq0=$(cat "$work/first-draft-seq")
vk=$(cat "$work/bench.vkey")
origin=bench.example.org/avow-bench
cli=$tmp/cli.tsv
: >"$cli"
# The saved audited states of the read commands (docs/PERFORMANCE.md):
# the first command on a log builds one; the ones after read through it.
export AVOW_STATE_DIR=$work/state
rm -rf "$AVOW_STATE_DIR"
# state_of FILE: the saved-state file avow keeps for the log at FILE.
state_of() {
	printf '%s/%s.db' "$AVOW_STATE_DIR" \
		"$(printf '%s' "$(realpath "$1")" | sha256sum | cut -c1-32)"
}

# t N METRIC COMMAND...: run COMMAND (its output to $tmp/stdout), record
# "N METRIC wall_s rss_kib status cpu_s spot"; for appends and audits,
# spot is the baseline's rate (single-core signing, verifying on all
# cores) measured just before
# trun R N METRIC COMMAND...: the same, R times
t() {
	n=$1 metric=$2
	shift 2
	echo "bench:   N=$n $metric" >&2
	case $metric in
	append_*) spot="--spot sign" ;;
	verify_*) spot="--spot verify" ;;
	*) spot= ;;
	esac
	# shellcheck disable=SC2086 # $spot is two words or none
	if "$bench" exec "$tmp/exec" --timeout "$limit" $spot -- "$@" \
		>"$tmp/stdout" 2>"$tmp/stderr"; then :
	elif [ "$(cut -d' ' -f3 "$tmp/exec")" = 124 ]; then
		echo "bench: $metric at N=$n stopped after $limit s" >&2
	else
		echo "bench: $metric at N=$n failed:" >&2
		tail -3 "$tmp/stderr" >&2
	fi
	printf '%s\t%s\t%s\n' "$n" "$metric" "$(cat "$tmp/exec")" >>"$cli"
}
trun() {
	r=$1
	shift
	while [ "$r" -gt 0 ]; do
		t "$@"
		r=$((r - 1))
	done
}

for n in $(echo "$sizes" | tr ',' ' '); do
	log=$work/log-$n.db
	echo "bench: command-line tools, N=$n" >&2
	# draft g = half + 10 is a claim that the next draft answers (see
	# make_draft in bench.c); it is record g + seq0
	# shellcheck disable=SC2017 # a multiple of 10 on purpose
	half=$((n / 20 * 10))
	claim=$((half + 10 + seq0))
	word=$(printf 's%07d' $((half + 10)))
	# whole-log commands: once at a million records (about 40 s each)
	big=$cli_runs
	[ "$n" -ge 1000000 ] && big=1
	t "$n" state_build "$avow" --log "$log" report --claim "$claim"
	trun "$big" "$n" verify_log "$verify" --log "$log" --quiet
	trun "$big" "$n" verify_bundle "$verify" --bundle "$work/bundle-$n.txt" --quiet
	trun "$cli_runs" "$n" checkpoint "$avow" --log "$log" --key "$key" checkpoint -o "$tmp/cp.txt"
	trun "$cli_runs" "$n" prove "$avow" --log "$log" prove "$half" --checkpoint "$tmp/cp.txt" -o "$tmp/proof.json"
	trun "$cli_runs" "$n" inclusion_check "$verify" inclusion "$tmp/proof.json" --verifier-key "$vk" --origin "$origin"
	trun "$cli_runs" "$n" report_claim "$avow" --log "$log" report --claim "$claim"
	trun "$cli_runs" "$n" search "$avow" --log "$log" search "$word"
	trun "$cli_runs" "$n" actor_page "$avow" --log "$log" report --actor actor-a --limit 100 --offset $((n / 4))
	# the same page by --after: the statement before it names it
	after=$("$avow" --log "$log" report --actor actor-a --limit 1 \
		--offset $((n / 4 - 1)) --format json 2>/dev/null |
		grep -o '"next_after":[0-9]*' | cut -d: -f2)
	trun "$cli_runs" "$n" actor_after "$avow" --log "$log" report --actor actor-a --limit 100 --after "${after:-0}"
	trun "$big" "$n" report_claim_full "$avow" --log "$log" --no-saved-state report --claim "$claim"
	rm -f "$tmp"/cp.txt "$tmp"/proof.json
	r=0
	while [ "$r" -lt "$cli_runs" ]; do
		r=$((r + 1))
		# appends go to a fresh copy: the logs stay N records long
		cp "$log" "$tmp/copy.db"
		cp "$(state_of "$log")" "$(state_of "$tmp/copy.db")"
		# (else the append's first fsync writes out the whole copy)
		sync
		t "$n" append_extra "$avow" --log "$tmp/copy.db" --key "$signer" append "$work/extra-10000.jsonl"
		t "$n" claim "$avow" --log "$tmp/copy.db" --key "$signer" claim --by actor-a \
			--text "One more statement." --paraphrase --said-at 2023-09 --title "Benchmark source"
		rm -f "$tmp"/copy.db* "$(state_of "$tmp/copy.db")"
		if [ -f "$work/drafts-$n.jsonl" ]; then
			cp "$work/base.db" "$tmp/fresh.db"
			sync
			t "$n" append_fresh "$avow" --log "$tmp/fresh.db" --key "$signer" append "$work/drafts-$n.jsonl"
			rm -f "$tmp"/fresh.db* "$(state_of "$tmp/fresh.db")"
		fi
	done
done
end=$(date +%s)

# 3. the table of the command-line figures, and their data
awk -F'\t' -v tsv="$tsv" -v seq0="$seq0" -v runs="$cli_runs" '
FNR == NR { base[$2] = $3; next }         # the harness data: baselines at N=0
{
	split($3, f, " ")
	n = $1 + 0; m = $2
	# every run of (m, n), in order of wall time: the median is the
	# middle one (the lower of two); a failed or stopped run is shown
	k = cnt[m, n]++
	while (k > 0 && W[m, n, k - 1] > f[1] + 0) {
		W[m, n, k] = W[m, n, k - 1]; R[m, n, k] = R[m, n, k - 1]
		S[m, n, k] = S[m, n, k - 1]; C[m, n, k] = C[m, n, k - 1]
		k--
	}
	W[m, n, k] = f[1] + 0; R[m, n, k] = f[2] / 1024; S[m, n, k] = f[3]; C[m, n, k] = f[4]
	# the ratio of this run to its spot check, kept in order for a median
	if (f[5] > 0 && f[1] > 0 && f[3] == 0) {
		q = items(m, n) / f[1] / f[5]
		k = nq[m, n]++
		while (k > 0 && Q[m, n, k - 1] > q) { Q[m, n, k] = Q[m, n, k - 1]; k-- }
		Q[m, n, k] = q
	}
	if (f[3] != 0) bad[m, n] = f[3] " " f[1]
	if (!(n in seen)) { seen[n] = 1; ns++; N[ns] = n }
	if (!(m in mseen)) { mseen[m] = 1; nm++; M[nm] = m }
}
# the records a run of metric m on the log of n handles: appends make
# their drafts, audits read the whole log
function items(m, n) {
	return m == "append_extra" ? 10000 : (m == "append_fresh" ? n - seq0 : n)
}
function pick(m, n,   k, b) {
	k = int((cnt[m, n] - 1) / 2)
	wall[m, n] = W[m, n, k]; rss[m, n] = R[m, n, k]; st[m, n] = S[m, n, k]; cpu[m, n] = C[m, n, k]
	if ((m, n) in bad) { split(bad[m, n], b, " "); st[m, n] = b[1]; wall[m, n] = b[2] }
}
function num(v,   s, r) {
	if (v >= 1000) {
		s = sprintf("%.0f", v); r = ""
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		return s r
	}
	return v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v)
}
END {
	for (j = 1; j <= nm; j++)
		for (i = 1; i <= ns; i++)
			if (cnt[M[j], N[i]] > 0) pick(M[j], N[i])
	label["state_build"] = "first command: audit, save state + index"
	label["report_claim_full"] = "avow report --claim (--no-saved-state)"
	label["actor_page"] = "avow report --actor A (100 at offset N/4)"
	label["actor_after"] = "... the same page by --after SEQ"
	label["verify_log"] = "avow-verify --log"
	label["verify_bundle"] = "avow-verify --bundle"
	label["checkpoint"] = "avow checkpoint"
	label["prove"] = "avow prove SEQ --checkpoint"
	label["inclusion_check"] = "avow-verify inclusion"
	label["report_claim"] = "avow report --claim SEQ"
	label["search"] = "avow search WORD"
	label["append_extra"] = "avow append (10,000 lines onto the log)"
	label["claim"] = "avow claim (one record)"
	label["append_fresh"] = "avow append (all N lines, new log)"
	printf "\nCommand-line tools on the same logs (wall time and peak RSS of the median of\n"
	printf "%d runs; one run of the first command, and of the whole-log commands at\n", runs
	printf "1,000,000 records; \"> T s\": stopped after T seconds)\n"
	printf "  %-40s", ""
	for (i = 1; i <= ns; i++) printf " %16s", num(N[i])
	printf "\n"
	for (j = 1; j <= nm; j++) {
		m = M[j]
		printf "  %-40s", label[m]
		for (i = 1; i <= ns; i++) {
			n = N[i]
			if (!((m, n) in wall)) { printf " %16s", "-"; continue }
			if (st[m, n] == 124) { printf " %16s", "> " num(wall[m, n]) " s"; continue }
			if (st[m, n] != 0) { printf " %16s", "FAILED(" st[m, n] ")"; continue }
			w = wall[m, n]
			printf " %16s", (w < 1 ? num(w * 1000) " ms" : num(w) " s")
		}
		printf "\n"
		# rates and ratios where a rate means something
		r = ""
		if (m == "verify_log" || m == "verify_bundle") r = "records/s"
		if (m == "append_extra" || m == "append_fresh") r = "drafts/s"
		if (r != "") {
			printf "  %-40s", "  " r
			for (i = 1; i <= ns; i++) {
				n = N[i]
				if (!((m, n) in wall) || st[m, n] != 0) { printf " %16s", "-"; continue }
				rate[m, n] = items(m, n) / wall[m, n]
				printf " %16s", num(rate[m, n])
			}
			printf "\n"
			b = (r == "records/s") ? "verifyall" : "sign1"
			printf "  %-40s", "  x " (b == "verifyall" ? "verify, all cores" : "sign, 1 thread") " (start of run)"
			for (i = 1; i <= ns; i++) {
				n = N[i]
				printf " %16s", ((m, n) in rate && base[b] > 0) ? sprintf("%.2f", rate[m, n] / base[b]) : "-"
			}
			printf "\n"
			printf "  %-40s", "  x the same just before (spot, median)"
			for (i = 1; i <= ns; i++) {
				n = N[i]
				printf " %16s", (nq[m, n] > 0) ? sprintf("%.2f", Q[m, n, int((nq[m, n] - 1) / 2)]) : "-"
			}
			printf "\n"
			printf "  %-40s", "  cores busy (CPU time / wall)"
			for (i = 1; i <= ns; i++) {
				n = N[i]
				printf " %16s", ((m, n) in rate && wall[m, n] > 0) ? sprintf("%.2f", cpu[m, n] / wall[m, n]) : "-"
			}
			printf "\n"
		}
		printf "  %-40s", "  peak RSS MiB"
		for (i = 1; i <= ns; i++) {
			n = N[i]
			printf " %16s", ((m, n) in rss) ? num(rss[m, n]) : "-"
		}
		printf "\n"
	}
	# the data for the plot and for anyone who wants the numbers
	for (j = 1; j <= nm; j++)
		for (i = 1; i <= ns; i++) {
			m = M[j]; n = N[i]
			if (!((m, n) in wall) || st[m, n] != 0) continue
			printf "%d\tcli_%s_ms\t%.6g\n", n, m, wall[m, n] * 1000 >> tsv
			printf "%d\tcli_%s_rss_mib\t%.6g\n", n, m, rss[m, n] >> tsv
			if ((m, n) in rate)
				printf "%d\tcli_%s\t%.6g\n", n, m, rate[m, n] >> tsv
			if (nq[m, n] > 0)
				printf "%d\tcli_%s_x_spot\t%.6g\n", n, m, Q[m, n, int((nq[m, n] - 1) / 2)] >> tsv
		}
}' "$tsv" "$cli" >>"$out"

{
	echo
	echo "== load after: $(uptime)"
	echo "== time: $((end - start)) s in all (harness $((harness_end - start)) s including the build, command-line tools $((end - harness_end)) s)"
} >>"$out"

awk -f "$top/bench/plot.awk" \
	-v title="avow bench/run.sh $mode, $(date -u '+%Y-%m-%d'), $jobs cores; log scales" \
	"$tsv" >"$svg"
rm -rf "$tmp"

cat "$out"
echo
echo "bench: results in $out"
echo "bench: data in $tsv, plot in $svg"
echo "bench: the logs are in $work"
