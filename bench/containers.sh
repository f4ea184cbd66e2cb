#!/usr/bin/env bash
# bench/containers.sh: the detached-container commands, engine vs Podman,
# side by side in one run, same user, same local registry (127.0.0.1:5000).
#
#   sudo bench/containers.sh        (after tests/run.sh or host-setup.sh)
#
#   run -d  engine run -d --network none REG/busybox sleep 1000
#           podman run -d --network none REG/busybox sleep 1000
#           (time to the CLI's return; every container is removed after
#           each command's runs; --network none on both: Podman's default
#           would add slirp4netns/pasta, which the engine does not start)
#   ps -a   with BENCH_PS_N (default 1000) containers recorded by `create`
#           for the engine, BENCH_PODMAN_PS_N (default 200) for Podman,
#           whose create takes ~0.3 s each here
# Prints medians; the user+sys column (hyperfine's mean CPU time of the
# measured process, children included) moves less with the machine's load
# than the wall time does.
# Knobs: BENCH_RUNS (default 20), BENCH_PS_N, BENCH_PODMAN_PS_N, ENGINE.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-20}
ps_n=${BENCH_PS_N:-1000}
podman_ps_n=${BENCH_PODMAN_PS_N:-200}
engine=${ENGINE:-/var/lib/engine-test/bin/engine}
command -v hyperfine podman jq >/dev/null

work=$(bench_workdir engine-bench)
trap bench_cleanup EXIT
{
	bench_script_start "$reg/busybox"
	cat <<EOS
# hyperfine 1.15 takes one --cleanup for all commands: it removes both
# engines' containers after each command's runs.
hyperfine -N --warmup 2 --runs $runs --export-json "$work/run-d.json" \\
	--cleanup "bash -c '\$E rm -af >/dev/null; \$P rm -af -t 0 >/dev/null'" \\
	-n engine "\$E run -d --network none $reg/busybox sleep 1000" \\
	-n podman "\$P run -d --network none $reg/busybox sleep 1000"
for i in \$(seq $ps_n); do \$E create --network none $reg/busybox true; done >/dev/null
for i in \$(seq $podman_ps_n); do \$P create --network none $reg/busybox true; done >/dev/null
[ "\$(\$E ps -aq | wc -l)" = $ps_n ]
hyperfine -N --warmup 3 --runs $runs --export-json "$work/ps.json" \\
	-n engine "\$E ps -a" -n podman "\$P ps -a"
EOS
} >"$work/bench.sh"
run_bench_script "$work/bench.sh" "$work/log"

echo "# containers, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
jq -r '
	(.results[] | select(.command == "podman") | .median) as $p |
	.results[] | "run -d\t\(.command)\t\(.median * 1000 * 10 | round / 10) ms\t\(.median / $p * 100 | round / 100)x podman\tCLI user+sys \((.user + .system) * 1000 * 10 | round / 10) ms"
' "$work/run-d.json"
jq -r --arg en "$ps_n" --arg pn "$podman_ps_n" '
	.results[] | "ps -a\t\(.command) (\(if .command == "engine" then $en else $pn end) containers)\t\(.median * 1000 * 10 | round / 10) ms\t\tuser+sys \((.user + .system) * 1000 * 10 | round / 10) ms"
' "$work/ps.json"
