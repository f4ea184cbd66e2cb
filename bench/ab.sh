#!/usr/bin/env bash
# bench/ab.sh: two builds of the engine side by side in one run, on the
# figures a refactoring must not move: run --rm, run -d, exec, ps -a over
# 1,000 containers, and an idle monitor's Pss.
#
#   sudo bench/ab.sh OLD_BIN_DIR NEW_BIN_DIR     (after host-setup.sh)
#
# Each build gets its own store under /var/tmp (busybox pulled from the
# test registry), as the rootless test user.  hyperfine -N runs the two
# commands of each figure in one invocation, old then new, then again new
# then old, so that a drift of the machine during the run shows as a
# difference between the two passes rather than between the builds.
# Knobs: BENCH_RUNS (default 30), BENCH_PS (containers for ps, default
# 1000), BENCH_USER (default tester).
set -euo pipefail
[ $# = 2 ] || { echo "usage: bench/ab.sh OLD_BIN_DIR NEW_BIN_DIR" >&2; exit 2; }
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-30}
nps=${BENCH_PS:-1000}
img=$reg/busybox:latest
command -v hyperfine >/dev/null || { echo "bench/ab.sh: hyperfine is not installed" >&2; exit 2; }

work=$(bench_workdir engine-ab)
cleanup() {
	as_test_user sh -c "cd /; for b in old new; do $work/\$b/engine --root $work/store-\$b rm -af >/dev/null 2>&1; done" || true
	rm -rf "$work"
}
trap cleanup EXIT
for b in old new; do
	src=$1
	[ "$b" = old ] || src=$2
	install -d -o "$user" "$work/$b"
	for f in engine engine-image engine-init engine-monitor; do
		[ ! -x "$src/$f" ] || install -m 0755 "$src/$f" "$work/$b/"
	done
done

cat >"$work/ab-run.sh" <<EOS
set -e
O="$work/old/engine --root $work/store-old"
N="$work/new/engine --root $work/store-new"
for e in "\$O" "\$N"; do \$e pull -q $img >/dev/null; done
# hf NAME OLD NEW [hyperfine options]: both orders, one JSON each.
hf() {
	local name=\$1 old=\$2 new=\$3
	shift 3
	hyperfine -N --warmup 3 --runs $runs "\$@" --export-json "$work/\$name-1.json" \\
		-n old "\$old" -n new "\$new" >/dev/null
	hyperfine -N --warmup 3 --runs $runs "\$@" --export-json "$work/\$name-2.json" \\
		-n new "\$new" -n old "\$old" >/dev/null
}
hf run-rm "\$O run --rm --network none $img true" "\$N run --rm --network none $img true"
hf run-d "\$O run -d --network none --name d $img sleep 1000" "\$N run -d --network none --name d $img sleep 1000" \\
	--prepare "sh -c '\$O rm -f d >/dev/null 2>&1; \$N rm -f d >/dev/null 2>&1; true'"
for e in "\$O" "\$N"; do \$e rm -f d >/dev/null 2>&1 || true; \$e run -d --network none --name x $img sleep 1000 >/dev/null; done
hf exec "\$O exec x true" "\$N exec x true"
# An idle monitor's Pss: each build's monitor of its container x.
for b in old new; do
	pid=\$(pgrep -u "\$(id -u)" -f "engine-monitor.*store-\$b" | head -1)
	[ -n "\$pid" ] && echo "\$b \$(awk '/^Pss:/ { s += \$2 } END { print s }' /proc/\$pid/smaps_rollup)" >>"$work/pss.txt"
done
for e in "\$O" "\$N"; do \$e rm -f x >/dev/null; done
for e in "\$O" "\$N"; do
	for i in \$(seq 1 $nps); do echo "\$i"; done | xargs -P 2 -I{} \$e create --network none --name c{} $img true >/dev/null
done
hf ps "\$O ps -a" "\$N ps -a"
EOS
run_bench_script "$work/ab-run.sh" "$work/ab.log"

echo "# bench/ab.sh: old $1, new $2; $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each, two passes"
for name in run-rm run-d exec ps; do
	jq -rs --arg n "$name" '
		def ms: . * 1000 * 10 | round / 10;
		(map(.results[] | select(.command == "old") | .median) | map(ms) | join(" / ")) as $o |
		(map(.results[] | select(.command == "new") | .median) | map(ms) | join(" / ")) as $w |
		"\($n)\told \($o) ms\tnew \($w) ms\t(medians, pass 1 / pass 2)"
	' "$work/$name-1.json" "$work/$name-2.json"
done | column -t -s $'\t'
[ ! -s "$work/pss.txt" ] || awk '{ printf "monitor Pss\t%s %s kB\n", $1, $2 }' "$work/pss.txt" | column -t -s $'\t'
