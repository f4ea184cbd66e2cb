#!/usr/bin/env bash
# bench/run-record.sh: what recording a foreground run costs, side by side
# in one hyperfine run.
#
#   sudo bench/run-record.sh [NEW_BIN_DIR]     (after host-setup.sh)
#
# As the rootless test user, one store with busybox pulled, hyperfine -N:
#   main        main's `run IMAGE true` (not recorded: nothing kept)
#   new         this build's `run IMAGE true` (recorded, its output teed
#               into ctr.log: the CLI stays the monitor)
#   create      this build's `create IMAGE true`
#   start-a     this build's `start -a` of a created container: the monitor
#               and attach path (the other design; create + start-a is what
#               a run through it would cost)
# CPU is the user and system time of the CLI and its children (the mean):
# on a loaded machine it moves less than the wall time.
# Every container is removed before each timed run (hyperfine --prepare),
# outside the timing.  --network none: slirp4netns's start-up would only
# add noise to what is compared.
# Then bench/first-output.py times main's and the new run to their first
# byte of output (start-up) and to their exit, interleaved.
# Knobs: BENCH_RUNS (default 40), BENCH_USER (default tester), MAIN_BIN
# (default /var/lib/engine-test/bin-main).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-40}
main_bin=${MAIN_BIN:-/var/lib/engine-test/bin-main}
new_bin=${1:-$top/build/dev/cmd}
img=$reg/busybox:latest
command -v hyperfine >/dev/null

work=$(bench_workdir engine-bench)
trap 'rm -rf "$work"' EXIT
install -d -o "$user" "$work/main" "$work/new"
for f in engine engine-image engine-init engine-monitor; do
	[ ! -x "$main_bin/$f" ] || install -m 0755 "$main_bin/$f" "$work/main/"
	[ ! -x "$new_bin/$f" ] || install -m 0755 "$new_bin/$f" "$work/new/"
done

cat >"$work/run-bench.sh" <<EOS
set -e
S=$work/store
N="$work/new/engine --root \$S"
M="$work/main/engine --root \$S"
\$N pull -q $img >/dev/null
clean="sh -c '\$N ps -aq --no-trunc | xargs -r \$N rm -f >/dev/null'"
hyperfine -N --warmup 3 --runs $runs --export-json "$work/result.json" \\
	--prepare "\$clean" -n main "\$M run --network none $img true" \\
	--prepare "\$clean" -n new "\$N run --network none $img true" \\
	--prepare "\$clean" -n create "\$N create --network none $img true" \\
	--prepare "sh -c '\$N ps -aq --no-trunc | xargs -r \$N rm -f >/dev/null; \$N create --name c --network none $img true >/dev/null'" \\
	-n start-a "\$N start -a c"
# Start-up alone: the time to the container's first byte of output, apart
# from the teardown after it (the recorded exit's fsync, main's layer
# removal).
python3 $top/bench/first-output.py $runs "\$clean" -- \
	"main=\$M run --network none $img echo x" "new=\$N run --network none $img echo x" \
	>"$work/first-output.txt"
EOS
run_bench_script "$work/run-bench.sh" "$work/hyperfine.log"

echo "# run recorded vs main, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
jq -r '
	(.results[] | select(.command == "main") | .median) as $main |
	.results[] | "\(.command)\t\(.median * 1000 * 100 | round / 100) ms median\t\(.mean * 1000 * 10 | round / 10) ± \(.stddev * 1000 * 10 | round / 10) ms\tmin \(.min * 1000 * 10 | round / 10) ms\tCPU (user+sys) \((.user + .system) * 1000 * 10 | round / 10) ms\t\((.median - $main) * 1000 * 100 | round / 100) ms vs main"
' "$work/result.json" | column -t -s $'\t'
echo "# time to the first byte of output (start-up) and to the exit, interleaved, $runs runs each"
column -t -s $'\t' "$work/first-output.txt"
