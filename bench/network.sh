#!/usr/bin/env bash
# bench/network.sh: networking, engine vs Podman 4.3.1, side by
# side in one run, as the rootless test user, images from the local
# registry (127.0.0.1:5000).
#
#   sudo bench/network.sh        (after tests/run.sh or host-setup.sh; needs
#                                 hyperfine, jq, podman, iperf3 on the host)
#
#   run --rm   engine run --rm REG/busybox true      (the DEFAULT network:
#              podman run --rm REG/busybox true        slirp4netns for both)
#   iperf3     the server in REG/debian:bookworm (the host's /usr/bin/iperf3
#              and the libraries ldd names that the image lacks, bind-mounted
#              read-only), published with -p HOSTPORT:5201 on the default
#              network; the client on the host: iperf3 -c 127.0.0.1 -p
#              HOSTPORT -t $BENCH_IPERF_SECONDS, the receiver's bits/s;
#              best of $BENCH_IPERF_ROUNDS rounds, engine and Podman in turn.
# Knobs: BENCH_RUNS (default 20), BENCH_IPERF_SECONDS (5),
# BENCH_IPERF_ROUNDS (3), ENGINE.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-20}
secs=${BENCH_IPERF_SECONDS:-5}
rounds=${BENCH_IPERF_ROUNDS:-3}
engine=${ENGINE:-/var/lib/engine-test/bin/engine}
command -v hyperfine podman jq iperf3 python3 >/dev/null

# iperf3 and what the Debian image lacks of its libraries.
mounts=""
for lib in $(ldd /usr/bin/iperf3 | awk '/=> \// { print $3 }'); do
	case $(basename "$lib") in
	libc.so.* | libm.so.*) ;;
	*) mounts="$mounts -v $lib:/opt/iperf3/$(basename "$lib"):ro" ;;
	esac
done
mounts="$mounts -v /usr/bin/iperf3:/opt/iperf3/iperf3:ro -e LD_LIBRARY_PATH=/opt/iperf3"

work=$(bench_workdir engine-bench)
trap bench_cleanup EXIT
{
	bench_script_start "$reg/busybox" "$reg/debian:bookworm"
	cat <<EOS
hyperfine -N --warmup 2 --runs $runs --export-json "$work/run-rm.json" \\
	-n engine "\$E run --rm $reg/busybox true" \\
	-n podman "\$P run --rm $reg/busybox true"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# iperf ENGINE-CMD NAME: the best receiver bits/s of $rounds rounds (a
# fresh server container each, reached once with a 1 s run first).
iperf() {
	best=0
	for r in \$(seq $rounds); do
		port=\$(free_port)
		\$1 run -d --name iperf-\$2 -p \$port:5201 $mounts $reg/debian:bookworm /opt/iperf3/iperf3 -s >/dev/null
		for i in \$(seq 100); do
			iperf3 -c 127.0.0.1 -p \$port -t 1 >/dev/null 2>&1 && break
			sleep 0.1
		done
		bps=\$(iperf3 -c 127.0.0.1 -p \$port -t $secs -J | jq '.end.sum_received.bits_per_second // 0')
		\$1 rm -f iperf-\$2 >/dev/null 2>&1 || \$1 rm -f -t 0 iperf-\$2 >/dev/null
		best=\$(python3 -c "print(max(\$best, \${bps:-0}))")
	done
	echo "\$2 \$best"
}
{ iperf "\$E" engine; iperf "\$P" podman; } >"$work/iperf.txt"
EOS
} >"$work/bench.sh"
run_bench_script "$work/bench.sh" "$work/log"

echo "# network, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $(slirp4netns --version | head -1), $(podman --version)"
jq -r '
	(.results[] | select(.command == "podman") | .median) as $p |
	.results[] | "run --rm true\t\(.command)\t\(.median * 1000 * 10 | round / 10) ms\t\(.median / $p * 100 | round / 100)x podman\tCLI user+sys \((.user + .system) * 1000 * 10 | round / 10) ms"
' "$work/run-rm.json"
podman_bps=$(awk '$1 == "podman" { print $2 }' "$work/iperf.txt")
while read -r who bps; do
	python3 -c "import sys; b = float(sys.argv[2]); p = float(sys.argv[3]); print('iperf3 -p\t%s\t%.2f Gbit/s\t%.2fx podman' % (sys.argv[1], b / 1e9, b / p if p else 0))" "$who" "$bps" "$podman_bps"
done <"$work/iperf.txt"
