#!/usr/bin/env bash
# bench/startup.sh: container start-up latency, side by side in one run.
#
#   sudo bench/startup.sh            (after tests/run.sh or host-setup.sh)
#
# As the rootless test user, with hyperfine -N (no shell in between), on the
# same busybox rootfs:
#   engine     engine run --rootfs B --network none true
#   crun       crun run on an OCI bundle of B (crun spec --rootless; crun maps
#              the subuid range itself through newuidmap)
#   unshare    unshare -Urmpf --mount-proc true         (the floor)
#   unshare-subid  unshare with the full subuid mapping  (two setuid helpers)
# Prints each median and its ratio to crun's.  Machines here drift ~30% in
# an hour, so only figures from one run are compared with each other.
# Knobs: BENCH_RUNS (default 60), BENCH_USER (default tester).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-60}
engine=${ENGINE:-/var/lib/engine-test/bin/engine}
[ -x "$engine" ] || { echo "bench: no engine at $engine (run tests/run.sh first, or set ENGINE)" >&2; exit 2; }
command -v hyperfine crun >/dev/null

work=$(bench_workdir engine-bench)
trap 'rm -rf "$work"' EXIT
read -r substart subcount <<<"$ENGINE_TEST_SUBUID"
read -r gsubstart gsubcount <<<"$ENGINE_TEST_SUBGID"

runuser -u "$user" -- sh -euc '
	w=$1
	cp -a "$2" "$w/rootfs"
	mkdir "$w/bundle"
	cd "$w/bundle"
	crun spec --rootless
	# the same command, no terminal, our rootfs
	jq ".process.args = [\"/bin/true\"] | .process.terminal = false | .root.path = \"$w/rootfs\" | .root.readonly = false" \
		config.json > c.new && mv c.new config.json
' sh "$work" "$ENGINE_TEST_ROOTFS_BUSYBOX"

cat >"$work/run-bench.sh" <<EOS
set -e
hyperfine -N --warmup 5 --runs $runs --export-json "$work/result.json" \\
	-n engine "$engine run --rootfs $work/rootfs --network none true" \\
	-n crun "crun --root $work/crun-state run --bundle $work/bundle bench-\$\$" \\
	-n unshare "unshare -Urmpf --mount-proc true" \\
	-n unshare-subid "unshare --map-users=$substart,1,$subcount --map-groups=$gsubstart,1,$gsubcount -r true"
EOS
run_bench_script "$work/run-bench.sh" "$work/hyperfine.log"

echo "# startup latency, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), $runs runs each"
jq -r '
	(.results[] | select(.command == "crun") | .median) as $crun |
	.results[] | "\(.command)\t\(.median * 1000 * 100 | round / 100) ms\t\(.median / $crun * 100 | round / 100)x crun"
' "$work/result.json" | column -t -s $'\t'
