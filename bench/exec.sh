#!/usr/bin/env bash
# bench/exec.sh: `exec C true` latency, engine vs Podman, side by side in
# one run, as the same rootless user, on the same busybox image from the
# local registry.
#
#   sudo bench/exec.sh            (after tests/run.sh or host-setup.sh)
#
#   engine   engine exec C true    (C: engine run -d REG/busybox sleep)
#   podman   podman exec C true    (C: podman run -d REG/busybox sleep; conmon, crun/runc)
#
# hyperfine is not installed here: python3 times each run (fork+exec of the
# CLI to its exit, stdout to /dev/null), after BENCH_WARMUP unmeasured runs,
# alternating the two so that machine noise hits both alike.
# Knobs: BENCH_RUNS (default 30), BENCH_WARMUP (default 3),
# ENGINE (default: this checkout's build/dev/cmd/engine).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
command -v podman python3 >/dev/null

# Work dirs live under /var/tmp: on these machines a file created under /tmp
# costs ~0.6 ms of kernel time, which would swamp what is measured.
work=$(mktemp -d /var/tmp/engine-bench-exec.XXXXXX)
chmod 0755 "$work"
install -m 0755 "${ENGINE:-$top/build/dev/cmd/engine}" "$work/engine"
[ ! -x "$(dirname "${ENGINE:-$top/build/dev/cmd/engine}")/engine-image" ] ||
	install -m 0755 "$(dirname "${ENGINE:-$top/build/dev/cmd/engine}")/engine-image" "$work/engine-image"
install -d -o "$user" "$work/u"
cleanup() {
	"$top/tests/setup/as-user" -u "$user" bash -c "
		$work/engine --root $work/u/store rm -f bench-exec >/dev/null 2>&1
		$work/engine --root $work/u/store rmi -f $reg/busybox:latest >/dev/null 2>&1
		podman --storage-driver overlay rm -f -t 0 bench-exec >/dev/null 2>&1" || true
	rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/bench.py" <<'EOF'
import statistics, subprocess, sys, time
runs, warmup = int(sys.argv[1]), int(sys.argv[2])
cmds = {"engine": sys.argv[3].split(), "podman": sys.argv[4].split()}
times = {k: [] for k in cmds}
def once(argv):
    t = time.perf_counter_ns()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter_ns() - t
for _ in range(warmup):
    for argv in cmds.values():
        once(argv)
for _ in range(runs):
    for name, argv in cmds.items():
        times[name].append(once(argv))
pm = statistics.median(times["podman"])
for name, t in times.items():
    med, mean = statistics.median(t), statistics.mean(t)
    print("%s\t%.1f ms median\t%.1f ms mean\t%.3fx podman (median)" %
          (name, med / 1e6, mean / 1e6, med / pm))
EOF
cat >"$work/bench.sh" <<EOS
set -e
cd "$work/u"
E="$work/engine --root $work/u/store"
P="podman --storage-driver overlay"
\$E pull -q $reg/busybox:latest >/dev/null
\$P pull -q --tls-verify=false $reg/busybox:latest >/dev/null
\$E rm -f bench-exec >/dev/null 2>&1 || true
\$P rm -f -t 0 bench-exec >/dev/null 2>&1 || true
\$E run -d --name bench-exec $reg/busybox:latest sleep 100000 >/dev/null
\$P run -d --name bench-exec $reg/busybox:latest sleep 100000 >/dev/null
python3 "$work/bench.py" $runs $warmup "\$E exec bench-exec true" "\$P exec bench-exec true"
EOS
chmod a+r "$work/bench.sh" "$work/bench.py"
echo "# exec, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), $runs runs each"
"$top/tests/setup/as-user" -u "$user" bash "$work/bench.sh" | column -t -s $'\t'
