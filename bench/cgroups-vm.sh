#!/bin/bash
# bench/cgroups-vm.sh: what the cgroup costs `run --rm`.  Where
# systemd delegates controllers every container gets a transient scope
# (StartTransientUnit over D-Bus, waiting for the job; pids.max 2048 by
# default, as Podman), so `--memory 32m` costs about what the default run
# does; `--cgroups disabled` is the run without any cgroup, the baseline.
# Side by side with Podman's systemd cgroup manager on the same machine.
# Runs inside the test VM (tests/vm/engine.sh calls it as root with ENGINE
# and ROOTFS set); the runs are the lingering user tester's, in its
# systemd session.  Prints the median wall time of N runs (default 11) of
# each command, in ms, and its difference to the run without a cgroup.
set -u
ENGINE=${ENGINE:?ENGINE=path of engine}
ROOTFS=${ROOTFS:?ROOTFS=a busybox root filesystem}
N=${N:-11}
as_tester() {
	runuser -u tester -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/tester \
		XDG_RUNTIME_DIR=/run/user/1001 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1001/bus "$@"
}
# The variants run interleaved (round-robin, N rounds after one untimed
# warm-up round), so that a slow patch of the emulated machine hits them
# all alike; each line is the variant's median.
names=() cmds=()
variant() { # variant NAME CMD...
	names+=("$1")
	shift
	cmds+=("$(printf '%q ' "$@")")
}
store=/tmp/bench-engine-store
variant "engine run --rm --cgroups disabled true" "$ENGINE" --root "$store" run --rm --cgroups disabled --rootfs "$ROOTFS" true
variant "engine run --rm true (a scope, pids.max 2048)" "$ENGINE" --root "$store" run --rm --rootfs "$ROOTFS" true
variant "engine run --rm --memory 32m true" "$ENGINE" --root "$store" run --rm --memory 32m --rootfs "$ROOTFS" true
if command -v podman >/dev/null; then
	# Podman's --rootfs wants a directory the user may write (it adds
	# /etc files): a copy owned by tester.
	prf=/tmp/bench-podman-rootfs
	rm -rf "$prf"
	cp -a "$ROOTFS" "$prf"
	chown -R tester: "$prf"
	variant "podman run --rm --cgroups disabled true" podman run --rm --network none --cgroups disabled --rootfs "$prf" true
	variant "podman run --rm true (systemd manager)" podman --cgroup-manager systemd run --rm --network none --rootfs "$prf" true
	variant "podman run --rm --memory 32m true" podman --cgroup-manager systemd run --rm --network none --memory 32m --rootfs "$prf" true
fi
declare -A times
failed=()
for round in $(seq 0 "$N"); do
	for v in "${!cmds[@]}"; do
		a=$(date +%s%N)
		if ! eval "as_tester ${cmds[$v]}" >/dev/null 2>/tmp/bench-err; then
			failed[v]="$(head -2 /tmp/bench-err)"
		fi
		b=$(date +%s%N)
		[ "$round" = 0 ] || times[$v]+="$(((b - a) / 1000000)) "
	done
done
median() { tr ' ' '\n' | grep . | sort -n | sed -n "$(((N + 1) / 2))p"; }
base=
for v in "${!cmds[@]}"; do
	ms=$(echo "${times[$v]}" | median)
	case ${names[$v]} in *"--cgroups disabled"*) base=$ms ;; esac
	if [ -n "${failed[$v]:-}" ]; then
		printf '%-48s failed: %s\n' "${names[$v]}" "${failed[$v]}"
	elif [ "$ms" = "$base" ]; then
		printf '%-48s %6s ms\n' "${names[$v]}" "$ms"
	else
		printf '%-48s %6s ms (%+d ms)\n' "${names[$v]}" "$ms" "$((ms - base))"
	fi
done
echo "(median of $N, $(nproc) vCPUs, $(uname -r))"
