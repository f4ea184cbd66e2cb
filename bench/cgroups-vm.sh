#!/bin/bash
# bench/cgroups-vm.sh: what --memory costs `run --rm` (issue #6): with a
# limit the engine asks the user's systemd for a transient scope
# (StartTransientUnit over D-Bus, waiting for the job), without one it
# makes no cgroup.  Side by side with Podman's systemd cgroup manager on
# the same machine.  Runs inside the test VM (tests/vm/engine.sh calls it
# as root with ENGINE and ROOTFS set); the runs are the lingering user
# tester's, in its systemd session.  Prints the median wall time of N runs
# (default 7) of each command, in ms.
set -u
ENGINE=${ENGINE:?ENGINE=path of engine}
ROOTFS=${ROOTFS:?ROOTFS=a busybox root filesystem}
N=${N:-7}
as_tester() {
	runuser -u tester -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/tester \
		XDG_RUNTIME_DIR=/run/user/1001 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1001/bus "$@"
}
# median_ms CMD...: N timed runs (one untimed first, to warm the caches).
median_ms() {
	as_tester "$@" >/dev/null 2>&1
	local t=()
	for _ in $(seq 1 "$N"); do
		local a b
		a=$(date +%s%N)
		as_tester "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; }
		b=$(date +%s%N)
		t+=($(((b - a) / 1000000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((N + 1) / 2))p"
}
store=/tmp/bench-engine-store
e0=$(median_ms "$ENGINE" --root "$store" run --rm --rootfs "$ROOTFS" true)
e1=$(median_ms "$ENGINE" --root "$store" run --rm --memory 32m --rootfs "$ROOTFS" true)
echo "engine run --rm --rootfs R true:             ${e0} ms"
echo "engine run --rm --rootfs R --memory 32m true: ${e1} ms (+$((e1 - e0)) ms)"
if command -v podman >/dev/null; then
	p0=$(median_ms podman --cgroup-manager systemd run --rm --rootfs "$ROOTFS" true)
	p1=$(median_ms podman --cgroup-manager systemd run --rm --memory 32m --rootfs "$ROOTFS" true)
	echo "podman run --rm --rootfs R true:             ${p0} ms"
	echo "podman run --rm --rootfs R --memory 32m true: ${p1} ms (+$((p1 - p0)) ms)"
fi
echo "(median of $N, $(nproc) vCPUs, $(uname -r))"
