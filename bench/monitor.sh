#!/usr/bin/env bash
# bench/monitor.sh: what a detached container's monitor costs in memory,
# next to Podman's conmon, as the same rootless user on the same image.
#
#   sudo bench/monitor.sh            (after tests/run.sh or host-setup.sh)
#
# Starts `run -d busybox sleep 1000` with engine, and `podman run -d` of the
# same image, waits for both to be idle, and prints the proportional set
# size (the Pss lines of /proc/PID/smaps_rollup: shared pages divided among
# their users) of engine's monitor and of conmon, then the ratio.  The
# engine's figure is the median of BENCH_RUNS containers (default 5), each
# measured alone.  A second figure is for `run -d --restart always`, whose
# monitor stays a fork of the CLI (it needs all of engine to restart).
# Alone on a quiet machine a monitor is charged most of the libc pages it
# touched (few other processes share them); with several containers up
# the code is shared among their monitors, as conmon's is among conmons:
# the last lines are the medians with BENCH_TOGETHER (default 10) of each
# running at once, the per-container cost on a host that runs several.
# Knobs: ENGINE (default the installed engine; engine-image and
# engine-monitor are taken from its directory), BENCH_USER.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
runs=${BENCH_RUNS:-5}
engine=${ENGINE:-/var/lib/engine-test/bin/engine}
[ -x "$engine" ] || { echo "bench: no engine at $engine (run tests/run.sh first, or set ENGINE)" >&2; exit 2; }
img="$reg/busybox:latest"

work=$(bench_workdir engine-bench-mon)
install -m 0755 "$engine" "$(dirname "$engine")/engine-image" "$work/"
if [ -x "$(dirname "$engine")/engine-monitor" ]; then
	install -m 0755 "$(dirname "$engine")/engine-monitor" "$work/"
fi
as() { AS_USER_KEEP= "$top/tests/setup/as-user" -u "$user" "$@"; }
eng() { as "$work/engine" --root "$work/store" --runroot "$work/run" "$@"; }
pod() { as podman --root "$work/podman" --runroot "$work/podman-run" "$@"; }
cleanup() {
	for c in $(eng ps -aq 2>/dev/null); do eng rm -f "$c" >/dev/null 2>&1 || true; done
	pod rm -f -a >/dev/null 2>&1 || true
	as podman unshare rm -rf "$work/podman" "$work/podman-run" >/dev/null 2>&1 || true
	as "$work/engine" --root "$work/store" system reset -f >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# pss PID: kB, the sum of the Pss lines of smaps_rollup.
pss() {
	awk '/^Pss:/ { s += $2 } END { print s }' "/proc/$1/smaps_rollup"
}

# measure ARGS...: the median Pss of BENCH_RUNS monitors of `run -d ARGS`.
measure() {
	local kbs=() id mon kb
	for _ in $(seq "$runs"); do
		id=$(eng run -d "$@")
		sleep 2 # idle: whatever start-up touched is done
		mon=$(jq -r .MonitorPid "$work/store/containers/$id/state.json")
		kb=$(pss "$mon")
		echo "  engine monitor (pid $mon, $(tr '\0' ' ' <"/proc/$mon/cmdline" | cut -c1-40)...): $kb kB Pss" >&2
		kbs+=("$kb")
		eng rm -f "$id" >/dev/null
	done
	printf '%s\n' "${kbs[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

eng pull -q "$img" >/dev/null
engine_kb=$(measure "$img" sleep 1000)
restart_kb=$(measure --restart always "$img" sleep 1000)
echo "engine monitor, run -d: $engine_kb kB; with --restart always: $restart_kb kB (medians of $runs)"
conmon_kb=
if command -v podman >/dev/null; then
	pod pull -q --tls-verify=false "$img" >/dev/null
	pod run -d --tls-verify=false "$img" sleep 1000 >/dev/null
	sleep 2
	cpid=$(pod inspect --format '{{.State.ConmonPid}}' -l)
	conmon_kb=$(pss "$cpid")
	echo "conmon (pid $cpid): $conmon_kb kB Pss (Rss $(awk '/^Rss:/ {print $2}' "/proc/$cpid/smaps_rollup") kB)"
fi
[ -z "$conmon_kb" ] || echo "engine monitor / conmon: $(awk -v a="$engine_kb" -v b="$conmon_kb" 'BEGIN { printf "%.2f", a / b }')"

# together N: start N of each, measure every monitor and conmon, median.
together=${BENCH_TOGETHER:-10}
ids=()
for _ in $(seq "$together"); do ids+=("$(eng run -d "$img" sleep 1000)"); done
for _ in $(seq "$together"); do pod run -d --tls-verify=false "$img" sleep 1000 >/dev/null; done
sleep 2
eng_all=$(for id in "${ids[@]}"; do pss "$(jq -r .MonitorPid "$work/store/containers/$id/state.json")"; done |
	sort -n | sed -n "$(((together + 1) / 2))p")
con_all=$(for c in $(pod ps -q); do pss "$(pod inspect --format '{{.State.ConmonPid}}' "$c")"; done |
	sort -n | sed -n "$(((together + 1) / 2))p")
echo "with $together containers of each running: engine monitor $eng_all kB, conmon $con_all kB (medians)," \
	"$(awk -v a="$eng_all" -v b="$con_all" 'BEGIN { printf "%.2f", a / b }')"
