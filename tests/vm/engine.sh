#!/bin/bash
# tests/vm/engine.sh: the engine's own cgroup v2 tests, run in
# the guest after tests/vm/cgroup.sh's library tests and sourced by it, so
# that both print one TAP stream (emit, T and S come from cgroup.sh).
# engine, engine-monitor and engine-init are in the share beside it; the
# containers run a --rootfs made from the guest's busybox-static (the
# guest cannot reach a registry).  As the lingering user tester (the
# systemd manager of the user's session) and as root (machine.slice).
RF=/tmp/engine-rootfs
rm -rf "$RF"
mkdir -p "$RF"/{bin,dev,proc,sys,tmp,etc,root,var}
cp /bin/busybox "$RF/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$RF/bin/$a"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$RF/etc/passwd"
echo 'root:x:0:' >"$RF/etc/group"
chmod -R a+rX "$RF"

# The binaries where engine looks for its helpers (next to itself).
B=/tmp/engine-bin
rm -rf "$B"
mkdir -p "$B"
for f in engine engine-monitor engine-init engine-image; do
	[ -f "$S/$f" ] && install -m 0755 "$S/$f" "$B/$f"
done

# check DESCRIPTION COMMAND...: one TAP line; the command's output is
# shown as comments when it fails.
check() {
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then
		emit ok "$d"
	else
		emit not "$d"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -20
	fi
}

# wait_until SECONDS COMMAND...: poll until COMMAND succeeds.
wait_until() {
	local t=$1
	shift
	for _ in $(seq 1 $((t * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

grep_q() { # grep_q PATTERN TEXT
	printf '%s\n' "$2" | grep -q -- "$1" || { printf '%s\n' "$2"; false; }
}

in_own_scope() { # in_own_scope DIR PID
	case $1 in */engine-*.scope) grep -qx "$2" "$1/cgroup.procs" ;; *) false ;; esac
}

suite() { # suite WHO (tester | root)
	local who=$1
	if [ "$who" = root ]; then
		E() { "$B/engine" --root /tmp/engine-store-root "$@"; }
	else
		E() { T "$B/engine" --root /tmp/engine-store-tester "$@"; }
	fi
	cgpath() { # the cgroup directory of container $1's init
		local pid
		pid=$(E inspect --format '{{.State.Pid}}' "$1") || return 1
		echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
	}

	# --memory 32m: memory.max, stats, update, then an OOM kill.
	E run -d --name mem --memory 32m --rootfs "$RF" sleep 600 >/dev/null 2>&1
	local p
	p=$(cgpath mem)
	check "$who: --memory 32m: memory.max 33554432 in $p" \
		test "$(cat "$p/memory.max" 2>&1)" = 33554432
	check "$who: the cgroup is the container's own ($p), the init is in it" \
		in_own_scope "$p" "$(E inspect --format '{{.State.Pid}}' mem 2>&1)"
	check "$who: the container sees 0::/ in /proc/self/cgroup (a cgroup namespace made in its cgroup)" \
		test "$(E run --rm --memory 32m --rootfs "$RF" cat /proc/self/cgroup 2>&1)" = "0::/"
	check "$who: pids.max is the default 2048" test "$(cat "$p/pids.max" 2>&1)" = 2048
	local st
	st=$(E stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' mem 2>&1)
	check "$who: stats --no-stream shows the 32MiB limit ($st)" grep_q '^mem .* / 32MiB [0-9]' "$st"
	check "$who: update --memory 64m" E update --memory 64m mem
	check "$who: update: memory.max 67108864" test "$(cat "$p/memory.max" 2>&1)" = 67108864
	check "$who: inspect HostConfig.Memory 67108864 after update" \
		test "$(E inspect --format '{{.HostConfig.Memory}}' mem 2>&1)" = 67108864
	E rm -f mem >/dev/null 2>&1
	check "$who: rm -f: the cgroup is gone" wait_until 10 test ! -d "$p"

	# Inside: the cgroup2 mount is the container's own cgroup.
	check "$who: inside, /sys/fs/cgroup/memory.max is the container's 33554432" \
		test "$(E run --rm --memory 32m --rootfs "$RF" cat /sys/fs/cgroup/memory.max 2>&1)" = 33554432
	# --cgroup-manager cgroupfs, inside a Delegate=yes scope of the user's.
	local sr=(systemd-run --quiet --scope -p Delegate=yes)
	[ "$who" = root ] || sr=(systemd-run --user --quiet --scope -p Delegate=yes)
	if [ "$who" = root ]; then
		out=$("${sr[@]}" "$B/engine" --root /tmp/engine-store-root --cgroup-manager cgroupfs run --rm --memory 48m --rootfs "$RF" sh -c 'cat /sys/fs/cgroup/memory.max /proc/self/cgroup' 2>&1)
	else
		out=$(T "${sr[@]}" "$B/engine" --root /tmp/engine-store-tester --cgroup-manager cgroupfs run --rm --memory 48m --rootfs "$RF" sh -c 'cat /sys/fs/cgroup/memory.max /proc/self/cgroup' 2>&1)
	fi
	check "$who: --cgroup-manager cgroupfs in a delegated scope: memory.max 50331648, 0::/" \
		test "$out" = "$(printf '50331648\n0::/')"
	[ "$out" = "$(printf '50331648\n0::/')" ] || printf '%s\n' "$out" | sed 's/^/#   /'

	# --cgroup-parent, systemd: the scope goes into the slice
	# (the user's manager rootless, the system's as root), which systemd
	# makes, and the limits still hold there.  A dash in a slice's name is
	# systemd's level separator: test-engine.slice is in test.slice.
	local top=/sys/fs/cgroup id
	[ "$who" = root ] || top=/sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service
	E run -d --name cgp --cgroup-parent test-engine.slice --memory 32m --rootfs "$RF" sleep 600 >/dev/null 2>&1
	id=$(E inspect --format '{{.Id}}' cgp 2>&1)
	p=$(cgpath cgp)
	check "$who: --cgroup-parent test-engine.slice: the init is in $top/test.slice/test-engine.slice/engine-ID.scope ($p)" \
		test "$p" = "$top/test.slice/test-engine.slice/engine-$id.scope"
	check "$who: --cgroup-parent test-engine.slice: memory.max 33554432" \
		test "$(cat "$p/memory.max" 2>&1)" = 33554432
	check "$who: --cgroup-parent: inspect HostConfig.CgroupParent" \
		test "$(E inspect --format '{{.HostConfig.CgroupParent}}' cgp 2>&1)" = test-engine.slice
	E rm -f cgp >/dev/null 2>&1
	check "$who: --cgroup-parent: rm -f, the scope is gone" wait_until 10 test ! -d "$p"
	# A nested slice: systemd makes test-engine.slice/test-engine-sub.slice.
	E run -d --name cgpn --cgroup-parent test-engine-sub.slice --rootfs "$RF" sleep 600 >/dev/null 2>&1
	id=$(E inspect --format '{{.Id}}' cgpn 2>&1)
	p=$(cgpath cgpn)
	check "$who: --cgroup-parent test-engine-sub.slice: nested in test-engine.slice ($p)" \
		test "$p" = "$top/test.slice/test-engine.slice/test-engine-sub.slice/engine-$id.scope"
	E rm -f cgpn >/dev/null 2>&1
	local rc
	out=$(E run --rm --cgroup-parent my.scope --rootfs "$RF" true 2>&1)
	rc=$?
	check "$who: --cgroup-parent my.scope with systemd: exit 125 ($rc), one line ($out)" \
		test "$rc" = 125 -a "$(printf '%s\n' "$out" | wc -l)" = 1 -a "${out#*my.scope*.slice}" != "$out"

	# cgroupfs inside a Delegate=yes scope: the parent is a path below
	# the delegated cgroup, made with its controllers enabled on the way.
	# run -d: the monitor keeps the scope while the container runs.
	if [ "$who" = root ]; then
		"${sr[@]}" "$B/engine" --root /tmp/engine-store-root --cgroup-manager cgroupfs run -d --name cgpfs --memory 48m --cgroup-parent sub/dir --rootfs "$RF" sleep 600 >/dev/null 2>&1
		out=$("${sr[@]}" "$B/engine" --root /tmp/engine-store-root --cgroup-manager cgroupfs run --rm --cgroup-parent ../x --rootfs "$RF" true 2>&1)
		rc=$?
	else
		T "${sr[@]}" "$B/engine" --root /tmp/engine-store-tester --cgroup-manager cgroupfs run -d --name cgpfs --memory 48m --cgroup-parent sub/dir --rootfs "$RF" sleep 600 >/dev/null 2>&1
		out=$(T "${sr[@]}" "$B/engine" --root /tmp/engine-store-tester --cgroup-manager cgroupfs run --rm --cgroup-parent ../x --rootfs "$RF" true 2>&1)
		rc=$?
	fi
	id=$(E inspect --format '{{.Id}}' cgpfs 2>&1)
	p=$(cgpath cgpfs)
	check "$who: cgroupfs --cgroup-parent sub/dir: the container's cgroup is <scope>/sub/dir/engine-ID ($p)" \
		grep_q "/run-[^/]*\.scope/sub/dir/engine-$id\$" "$p"
	check "$who: cgroupfs --cgroup-parent sub/dir: memory.max 50331648" \
		test "$(cat "$p/memory.max" 2>&1)" = 50331648
	check "$who: cgroupfs --cgroup-parent sub/dir: memory enabled in sub/ and sub/dir/" \
		grep_q 'memory.*memory' "$(cat "${p%/dir/*}/cgroup.subtree_control" "${p%/*}/cgroup.subtree_control" 2>&1 | tr '\n' ' ')"
	E rm -f cgpfs >/dev/null 2>&1
	check "$who: cgroupfs --cgroup-parent: rm -f, the container's cgroup is gone" wait_until 10 test ! -d "$p"
	check "$who: cgroupfs --cgroup-parent ../x: exit 125 ($rc), one line naming it ($out)" \
		test "$rc" = 125 -a "$(printf '%s\n' "$out" | wc -l)" = 1 -a "${out#*../x}" != "$out"

	# A restart policy starts the command again in a new cgroup (the
	# old scope must be gone or collected by then).
	E run -d --name rs --restart on-failure:2 --memory 32m --rootfs "$RF" sh -c 'exit 3' >/dev/null 2>&1
	for _ in $(seq 1 300); do
		[ "$(E inspect --format '{{.State.Status}} {{.RestartCount}}' rs 2>/dev/null)" = "exited 2" ] && break
		sleep 0.1
	done
	check "$who: --restart on-failure:2 with --memory: restarted twice, exit 3" \
		test "$(E inspect --format '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' rs 2>&1)" = "exited 2 3"
	E rm -f rs >/dev/null 2>&1

	E run -d --name oom --memory 32m --rootfs "$RF" dd if=/dev/zero of=/dev/null bs=64M count=1 >/dev/null 2>&1
	for _ in $(seq 1 600); do
		[ "$(E inspect --format '{{.State.Status}}' oom 2>/dev/null)" = exited ] && break
		sleep 0.1
	done
	check "$who: 64 MiB under --memory 32m: exit 137" \
		test "$(E inspect --format '{{.State.ExitCode}}' oom 2>&1)" = 137
	check "$who: OOMKilled true" test "$(E inspect --format '{{.State.OOMKilled}}' oom 2>&1)" = true
	E rm -f oom >/dev/null 2>&1

	# --pids-limit 20: forks fail inside, the host is fine.
	local out
	# shellcheck disable=SC2016 # the container's shell expands it
	out=$(E run --rm --pids-limit 20 --rootfs "$RF" sh -c 'for i in $(seq 1 40); do sleep 2 & done; wait' 2>&1)
	check "$who: --pids-limit 20: a fork loop fails inside" \
		grep_q "can't fork\|[Rr]esource temporarily unavailable" "$out"
	check "$who: --pids-limit 20: the host still forks" /bin/true

	# --cpus 0.5: cpu.max, and about half a CPU over 5 s.
	E run -d --name cpu --cpus 0.5 --rootfs "$RF" sh -c 'while :; do :; done' >/dev/null 2>&1
	p=$(cgpath cpu)
	check "$who: --cpus 0.5: cpu.max '50000 100000'" test "$(cat "$p/cpu.max" 2>&1)" = "50000 100000"
	local u1 u2
	u1=$(sed -n 's/^usage_usec //p' "$p/cpu.stat")
	sleep 5
	u2=$(sed -n 's/^usage_usec //p' "$p/cpu.stat")
	local used=$(( (u2 - u1) / 50000 )) # percent of one CPU over 5 s
	echo "# $who: --cpus 0.5: the busy loop used ${used}% of a CPU over 5 s"
	check "$who: --cpus 0.5: a busy loop uses about half a CPU (20..80%: ${used}%)" \
		test "$used" -ge 20 -a "$used" -le 80
	E rm -f cpu >/dev/null 2>&1

	# pause freezes (the counter in the log stops), unpause resumes.
	# shellcheck disable=SC2016 # the container's shell expands it
	E run -d --name pz --rootfs "$RF" sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.2; done' >/dev/null 2>&1
	sleep 1
	check "$who: pause" E pause pz
	check "$who: inspect State.Paused true, Status paused" \
		test "$(E inspect --format '{{.State.Paused}} {{.State.Status}}' pz 2>&1)" = "true paused"
	check "$who: ps shows (Paused)" grep_q '^pz Up.*(Paused)' "$(E ps --format '{{.Names}} {{.Status}}' 2>&1)"
	local n1 n2 n3
	n1=$(E logs pz 2>/dev/null | wc -l)
	sleep 2
	n2=$(E logs pz 2>/dev/null | wc -l)
	check "$who: paused: the counter stops ($n1, $n2)" test "$n1" = "$n2"
	check "$who: unpause" E unpause pz
	sleep 2
	n3=$(E logs pz 2>/dev/null | wc -l)
	check "$who: unpaused: the counter goes on ($n2, $n3)" test "$n3" -gt "$n2"
	p=$(cgpath pz)
	check "$who: stop" E stop -t 2 pz
	check "$who: stop: the cgroup is gone" wait_until 10 test ! -d "$p"
	E rm -f pz >/dev/null 2>&1
}

suite tester
suite root

if [ -x "$S/cgroups-vm.sh" ]; then
	echo "# bench/cgroups-vm.sh"
	ENGINE="$B/engine" ROOTFS="$RF" T_USER=1 "$S/cgroups-vm.sh" 2>&1 | sed 's/^/# /'
fi
