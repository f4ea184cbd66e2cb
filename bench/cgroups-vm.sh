#!/bin/bash
# bench/cgroups-vm.sh: what the cgroup costs `run --rm` (issue #6).  Where
# systemd delegates controllers every container gets a transient scope
# (StartTransientUnit over D-Bus, waiting for the job; pids.max 2048 by
# default, as Podman), so `--memory 32m` costs about what the default run
# does; `--cgroups disabled` is the run without any cgroup, the baseline.
# Side by side with Podman's systemd cgroup manager on the same machine.  Runs inside the test VM (tests/vm/engine.sh calls it
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
		if ! as_tester "$@" >/dev/null 2>"/tmp/bench-err"; then
			echo "failed: $*: $(head -3 /tmp/bench-err)" >&2
			return 1
		fi
		b=$(date +%s%N)
		t+=($(((b - a) / 1000000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((N + 1) / 2))p"
}
# One line per command: the median, and the difference to the baseline.
bench() { # bench NAME BASELINE_MS CMD...
	local name=$1 base=$2 ms
	shift 2
	if ms=$(median_ms "$@"); then
		if [ -n "$base" ]; then
			printf '%-48s %6s ms (%+d ms)\n' "$name" "$ms" "$((ms - base))"
		else
			printf '%-48s %6s ms\n' "$name" "$ms"
		fi
		echo "$ms" >/tmp/bench-last
	else
		printf '%-48s failed\n' "$name"
		echo "" >/tmp/bench-last
	fi
}
store=/tmp/bench-engine-store
bench "engine run --rm --cgroups disabled true" "" "$ENGINE" --root "$store" run --rm --cgroups disabled --rootfs "$ROOTFS" true
e0=$(cat /tmp/bench-last)
bench "engine run --rm true (a scope, pids.max 2048)" "$e0" "$ENGINE" --root "$store" run --rm --rootfs "$ROOTFS" true
bench "engine run --rm --memory 32m true" "$e0" "$ENGINE" --root "$store" run --rm --memory 32m --rootfs "$ROOTFS" true
if command -v podman >/dev/null; then
	# Podman's --rootfs wants a directory the user may write (it adds
	# /etc files); a copy of the rootfs owned by tester.
	prf=/tmp/bench-podman-rootfs
	rm -rf "$prf"
	cp -a "$ROOTFS" "$prf"
	chown -R tester: "$prf"
	bench "podman run --rm --cgroups disabled true" "" podman run --rm --network none --cgroups disabled --rootfs "$prf" true
	p0=$(cat /tmp/bench-last)
	bench "podman run --rm true (systemd manager)" "$p0" podman --cgroup-manager systemd run --rm --network none --rootfs "$prf" true
	bench "podman run --rm --memory 32m true" "$p0" podman --cgroup-manager systemd run --rm --network none --memory 32m --rootfs "$prf" true
fi
echo "(median of $N, $(nproc) vCPUs, $(uname -r))"
