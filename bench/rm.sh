#!/usr/bin/env bash
# bench/rm.sh: `rm -af` of many created containers, engine vs Podman, side
# by side in one run, as the same unprivileged test user (subordinate id
# ranges), each with a private store under one work directory.
#
#   sudo bench/rm.sh        (after tests/run.sh or host-setup.sh)
#
# For each of BENCH_RUNS rounds: BENCH_RM_N (default 1000) containers made
# by `create --network none REG/busybox true`, then the wall, user and
# system time of one `rm -af` (no -t: nothing runs), for the engine, for
# Podman (`--storage-driver overlay`, its rootless default here), and for
# ENGINE_BASE when set (an older engine binary to compare with, e.g.
# /var/lib/engine-test/bin-main/engine).  Before the engine's rm, `ps -a`
# with the N containers is timed too (hyperfine, median; ENGINE_BASE's as
# well), so a change to removal is seen not to cost listing.  Creating is not measured, and is
# done 4 at a time (Podman's create takes ~0.3 s each).
# Knobs: BENCH_RUNS (default 3), BENCH_RM_N, ENGINE, ENGINE_BASE, BENCH_USER.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-3}
n=${BENCH_RM_N:-1000}
engine=${ENGINE:-/var/lib/engine-test/bin/engine}
base=${ENGINE_BASE:-}
command -v hyperfine podman >/dev/null

work=$(bench_workdir engine-bench-rm)
chmod 0755 "$work"
cleanup() {
	as_test_user sh -c "cd /; $engine --root $work/e-store --runroot $work/e-run system reset -f >/dev/null 2>&1;
		       ${base:-$engine} --root $work/b-store --runroot $work/b-run system reset -f >/dev/null 2>&1;
		       podman --root $work/p-store --runroot $work/p-run system reset -f >/dev/null 2>&1" || true
	rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/bench.sh" <<EOS
set -e
export XDG_RUNTIME_DIR=/run/user/\$(id -u) HOME=$ENGINE_TEST_HOME
cd "$work"
E="$engine --root $work/e-store --runroot $work/e-run"
B="${base:-} --root $work/b-store --runroot $work/b-run"
P="podman --root $work/p-store --runroot $work/p-run --storage-driver overlay"
\$E pull -q $reg/busybox >/dev/null
[ -z "$base" ] || \$B pull -q $reg/busybox >/dev/null
\$P pull -q --tls-verify=false $reg/busybox >/dev/null
make() { seq $n | xargs -P 4 -I{} sh -c "\$1 create --network none $reg/busybox true >/dev/null"; }
timed() { # NAME CMD...: one run, its wall/user/sys seconds on stdout
	local name=\$1 out; shift
	/usr/bin/time -o "$work/\$name.time" -f '%e %U %S' "\$@" >"$work/\$name.out" 2>"$work/\$name.err"
	out=\$(tail -1 "$work/\$name.time")
	local removed; removed=\$(wc -l <"$work/\$name.out")
	[ "\$removed" = $n ] || { echo "\$name removed \$removed of $n:" >&2; tail -3 "$work/\$name.err" >&2; exit 1; }
	echo "\$name \$out"
}
for r in \$(seq $runs); do
	echo "round \$r, load \$(cut -d' ' -f1-3 /proc/loadavg)"
	make "\$E"
	[ "\$(\$E ps -aq | wc -l)" = $n ]
	hyperfine -N --warmup 2 --runs 10 --export-json "$work/ps-\$r.json" "\$E ps -a" >/dev/null
	echo "engine-ps-a \$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$work/ps-\$r.json")"
	timed engine \$E rm -af
	make "\$P"
	timed podman \$P rm -af
	if [ -n "$base" ]; then
		make "\$B"
		hyperfine -N --warmup 2 --runs 10 --export-json "$work/ps-base-\$r.json" "\$B ps -a" >/dev/null
		echo "base-ps-a \$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$work/ps-base-\$r.json")"
		timed base \$B rm -af
	fi
done
EOS
chmod a+r "$work/bench.sh"
runuser -u "$user" -- env -C "$work" bash "$work/bench.sh" | tee "$work/results"
echo
echo "medians over $runs rounds of $n containers (wall s, user s, sys s):"
for who in engine podman base engine-ps-a base-ps-a; do
	grep "^$who " "$work/results" | sort -k2 -n | awk -v w="$who" '
		{ a[NR] = $0 } END { if (NR) { split(a[int((NR + 1) / 2)], f, " ");
		  printf "%-12s %s %s %s\n", w, f[2], f[3], f[4] } }'
done
