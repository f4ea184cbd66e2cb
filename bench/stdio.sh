#!/usr/bin/env bash
# bench/stdio.sh: what relaying a container's stdio through pipes costs
# (without -t the CLI no longer hands the container its own fds): start-up
# and throughput of two engine builds, side by side in one run, as the
# rootless test user, with hyperfine.
#
#   sudo BASE=/path/to/old/engine ENGINE=/path/to/new/engine bench/stdio.sh
#
#   run      engine run --rm --network none busybox true
#   exec     engine exec C true          (C: run -d busybox sleep)
#   500 MiB  engine run --rm --network none busybox dd if=/dev/zero bs=1M count=500 | wc -c
#
# BASE defaults to the main build the CI leaves in
# /var/lib/engine-test/bin-main, ENGINE to this checkout's build/dev; compare
# builds of one type (both debug, or both release).  Knobs: BENCH_RUNS
# (default 20), BENCH_WARMUP (default 3).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-20}
warmup=${BENCH_WARMUP:-3}
command -v hyperfine >/dev/null

# Under /var/tmp: a file created under /tmp costs ~0.6 ms of kernel time
# on these machines.
work=$(mktemp -d /var/tmp/engine-bench-stdio.XXXXXX)
chmod 0755 "$work"
for which in base new; do
	bin=${BASE:-/var/lib/engine-test/bin-main/engine}
	[ "$which" = base ] || bin=${ENGINE:-$top/build/dev/cmd/engine}
	install -d "$work/$which"
	for f in engine engine-image engine-init engine-monitor; do
		[ ! -x "$(dirname "$bin")/$f" ] || install -m 0755 "$(dirname "$bin")/$f" "$work/$which/$f"
	done
done
install -d -o "$user" "$work/u"
cleanup() {
	"$top/tests/setup/as-user" -u "$user" bash -c "
		for w in base new; do
			$work/\$w/engine --root $work/u/store rm -f bench-stdio-\$w >/dev/null 2>&1
		done
		$work/new/engine --root $work/u/store rmi -f $reg/busybox:latest >/dev/null 2>&1" || true
	rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/bench.sh" <<EOS
set -e
cd "$work/u"
B="$work/base/engine --root $work/u/store"
N="$work/new/engine --root $work/u/store"
\$N pull -q $reg/busybox:latest >/dev/null
\$B run -d --name bench-stdio-base $reg/busybox:latest sleep 100000 >/dev/null
\$N run -d --name bench-stdio-new $reg/busybox:latest sleep 100000 >/dev/null
h="hyperfine -N --style basic --runs $runs --warmup $warmup"
\$h -n base -n new "\$B run --rm --network none $reg/busybox true" \
	"\$N run --rm --network none $reg/busybox true"
\$h -n base -n new "\$B exec bench-stdio-base true" "\$N exec bench-stdio-new true"
dd="run --rm --network none $reg/busybox dd if=/dev/zero bs=1M count=500"
hyperfine --style basic --runs $runs --warmup 1 -n base -n new \
	"\$B \$dd 2>/dev/null | wc -c" "\$N \$dd 2>/dev/null | wc -c"
EOS
chmod a+r "$work/bench.sh"
echo "# stdio, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$top/tests/setup/as-user" -u "$user" bash "$work/bench.sh"
