#!/usr/bin/env bash
# bench/images.sh: image start-up and pull, engine vs Podman, side by side
# in one run, same user, same local registry (127.0.0.1:5000).
#
#   sudo bench/images.sh            (after tests/run.sh or host-setup.sh)
#
#   run     engine run --rm --network none REG/busybox true
#           podman run --rm --network none REG/busybox true   (overlay, crun)
#   pull    pull of REG/debian:bookworm (48.8 MB gz) into an emptied store,
#           engine vs podman (the image removed before each run)
# Knobs: BENCH_RUNS (default 30), BENCH_PULL_RUNS (default 5).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-30}
pull_runs=${BENCH_PULL_RUNS:-5}
engine=${ENGINE:-/var/lib/engine-test/bin/engine}
command -v hyperfine podman >/dev/null

work=$(bench_workdir engine-bench)
trap 'rm -rf "$work"' EXIT
cat >"$work/bench.sh" <<EOS
set -e
P="podman --storage-driver overlay"
E="$engine --root $work/engine-store"
\$P pull -q --tls-verify=false $reg/busybox >/dev/null
\$E pull -q $reg/busybox >/dev/null
hyperfine -N --warmup 3 --runs $runs --export-json "$work/run.json" \\
	-n engine "\$E run --rm --network none $reg/busybox true" \\
	-n podman "\$P run --rm --network none $reg/busybox true"
hyperfine --warmup 1 --runs $pull_runs --export-json "$work/pull.json" \\
	-n engine --prepare "\$E rmi -f $reg/debian:bookworm >/dev/null 2>&1 || true" "\$E pull -q $reg/debian:bookworm" \\
	-n podman --prepare "\$P rmi -f $reg/debian:bookworm >/dev/null 2>&1 || true" "\$P pull -q --tls-verify=false $reg/debian:bookworm"
EOS
run_bench_script "$work/bench.sh" "$work/log"

echo "# images, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r)"
for f in run pull; do
	jq -r --arg what "$f" '
		(.results[] | select(.command == "podman") | .median) as $p |
		.results[] | "\($what)\t\(.command)\t\(.median * 1000 | round) ms\t\(.median / $p * 100 | round / 100)x podman"
	' "$work/$f.json"
done | column -t -s $'\t'
