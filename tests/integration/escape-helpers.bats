#!/usr/bin/env bats
# escape-helpers.bats: no process of ours that serves a container (the
# fuse-overlayfs daemon, slirp4netns, the port relay, the monitor and
# engine-monitor, the cp and exec helpers) is in the container's PID
# namespace: the container cannot list it, signal it, or walk its
# /proc/PID/root or /proc/PID/cwd into the host.  Run once per storage
# driver (fuse-overlayfs is the one whose daemon used to be inside), in
# each mode.

load helpers

setup_file() {
	store_setup --runroot "$IMG"
}

teardown_file() {
	store_teardown
}

teardown() {
	[ -z "${GO:-}" ] || touch "$GO"
	remove_containers eng
}

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# "PID COMM PIDNS MNTNS" for every host process we may look at (ours and
# the container's subordinate ids, not those that are not dumpable), PIDNS
# and MNTNS saying whether it shares process $1's PID and mount namespaces
# ("same"/"other").
ns_scan() {
	python3 - "$1" <<'EOF'
import os, sys
def ns(pid, kind):
    try:
        return os.readlink("/proc/%s/ns/%s" % (pid, kind))
    except OSError:
        return None
ref = {k: ns(sys.argv[1], k) for k in ("pid", "mnt")}
for pid in filter(str.isdigit, os.listdir("/proc")):
    mine = {k: ns(pid, k) for k in ("pid", "mnt")}
    if None in mine.values():
        continue
    try:
        comm = open("/proc/%s/comm" % pid).read().strip()
    except OSError:
        continue
    print(pid, comm, *("same" if mine[k] == ref[k] else "other" for k in ("pid", "mnt")))
EOF
}

# "PID COMM" for every host process in the PID namespace of process $1.
in_pidns() {
	ns_scan "$1" | awk '$3 == "same" { print $1, $2 }'
}

# The cp into container $1 has forked its helper (the process that joins
# the container's user and mount namespaces, never its PID namespace; it
# is not dumpable, so only its command line tells it from the others).
cp_helper_up() {
	[ "$(pgrep -fc "[c]p - $1:/tmp")" -ge 2 ]
}

our_fuse() {
	pgrep -f "[f]use-overlayfs .*$ENGINE_ROOT/" || true
}

# The attack as reported: with CAP_SYS_PTRACE the container opened the
# host's file system through /proc/PID/root of its fuse-overlayfs daemon,
# which lived in its PID namespace with the host's mount namespace.
@test "CAP_SYS_PTRACE: no write to the host through /proc/PID/root of fuse-overlayfs or any process the container sees" {
	target="$BATS_TEST_TMPDIR/PWNED"
	run eng run --rm --network none --cap-add SYS_PTRACE "$IMG" sh -c "
		echo x > /proc/\$(pidof fuse-overlayfs)/root$target
		for p in /proc/[0-9]*; do echo x > \$p/root$target; echo x > \$p/cwd$target; done
		true" 2>/dev/null
	assert_eq "$status" 0
	[ ! -e "$target" ] || { echo "the container wrote $target on the host"; false; }
}

@test "--privileged reads no host file through /proc/PID/root or cwd of any process it sees (default network, -p)" {
	secret="$BATS_TEST_TMPDIR/secret"
	echo "host-secret-$$" >"$secret"
	port=$(free_port)
	# The CLI's cwd is the secret's directory: a helper that kept it
	# would show it through /proc/PID/cwd.
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr eng run --rm --privileged -p "127.0.0.1:$port:8080" "$IMG" sh -c "
		for p in /proc/[0-9]*; do
			cat \$p/root$secret \$p/cwd$secret \$p/cwd/secret 2>/dev/null
		done
		echo done"
	assert_eq "$status" 0
	assert_eq "$output" "done"
}

# Detached, with a published port and the default network, so that the
# monitor (engine-monitor), slirp4netns, the port relay and, with that
# driver, fuse-overlayfs all serve it; an exec and a cp into it in flight.
@test "default caps: /proc and ps in the container show only its own processes while every helper runs" {
	port=$(free_port)
	id=$(eng run -d -p "127.0.0.1:$port:8080" "$IMG" sleep 4821)
	init=$(eng inspect --format '{{.State.Pid}}' "$id")
	monitor=$(jq -r .MonitorPid "$ENGINE_ROOT/containers/$id/state.json")
	# The helpers are up on the host, so what follows covers them: the
	# container, slirp4netns and the relay are the monitor's children.
	kill -0 "$monitor"
	wait_for pgrep -f "[s]lirp4netns .*$ENGINE_RUNROOT/"
	[ "$(pgrep -P "$monitor" | wc -l)" -ge 3 ] || { ps -o pid,comm --ppid "$monitor"; false; }
	[ "${ENGINE_STORAGE_DRIVER:-}" != fuse-overlayfs ] || [ -n "$(our_fuse)" ]
	eng exec "$id" sleep 4822 &
	exec_cli=$!
	wait_for sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' --runroot '$ENGINE_RUNROOT' top $id | grep -q 'sleep 4822'"
	mkdir "$BATS_TEST_TMPDIR/in"
	echo copied >"$BATS_TEST_TMPDIR/in/file"
	GO="$BATS_TEST_TMPDIR/go"
	(while [ ! -e "$GO" ]; do sleep 0.1; done; tar -C "$BATS_TEST_TMPDIR/in" -cf - file) |
		eng cp - "$id:/tmp" &
	cp_cli=$!
	# The cp helper has joined the container (and waits for the tar): it
	# is up.
	wait_for cp_helper_up "$id"
	helper=$(pgrep -nf "[c]p - $id:/tmp")

	# Inside: the init, the exec'd sleep, and the listing shell.
	run -0 eng exec "$id" sh -c 'for p in /proc/[0-9]*; do echo "${p#/proc/} $(cat $p/comm)"; done'
	comms=$(echo "$output" | cut -d' ' -f2 | sort -u | tr '\n' ' ')
	assert_eq "$comms" "sh sleep " "what the container sees in /proc"
	assert_contains "$output" "1 sleep"
	assert_eq "${#lines[@]}" 3 "processes listed in /proc"
	run -0 eng exec "$id" ps
	for name in fuse-overlayfs slirp4netns engine engine-monitor engine-image; do
		if echo "$output" | grep -Eq " $name( |$)"; then
			echo "the container sees $name: $output"
			false
		fi
	done
	# The host's view agrees: in the container's PID namespace there
	# are the two sleeps only (and the listing's shell while it ran).
	run in_pidns "$init"
	assert_eq "$(echo "$output" | cut -d' ' -f2 | sort | tr '\n' ' ')" "sleep sleep " "the container's PID namespace"
	kill -0 "$helper" "$exec_cli"

	touch "$GO"
	wait "$cp_cli"
	assert_eq "$(eng exec "$id" cat /tmp/file)" copied
	eng rm -f "$id" >/dev/null
	wait "$exec_cli" || true
}

# Whatever pid the container can see, killing it does not take its file
# system away (with fuse-overlayfs the daemon used to be one of them).
@test "kill -9 of every pid the container sees leaves its file system served" {
	port=$(free_port)
	run --separate-stderr eng run --rm -p "127.0.0.1:$port:8080" "$IMG" sh -c '
		for p in /proc/[0-9]*; do
			p=${p#/proc/}
			[ "$p" = 1 ] || kill -9 "$p"
		done 2>/dev/null
		sleep 0.2
		cat /etc/passwd >/dev/null && ls /bin >/dev/null && echo served'
	assert_eq "$status" 0
	assert_eq "$output" "served"
}

# The daemon outside the container's PID namespace must still end with the
# container, however the container ends.
@test "fuse-overlayfs runs outside the container's PID and mount namespaces and ends with it: rm -f, kill -9 of the monitor or the CLI" {
	id=$(eng run -d "$IMG" sleep 4823)
	init=$(eng inspect --format '{{.State.Pid}}' "$id")
	if [ "${ENGINE_STORAGE_DRIVER:-}" = fuse-overlayfs ]; then
		daemon=$(our_fuse)
		[ -n "$daemon" ]
		[ "$(readlink "/proc/$daemon/ns/pid")" != "$(readlink "/proc/$init/ns/pid")" ]
		[ "$(readlink "/proc/$daemon/ns/mnt")" != "$(readlink "/proc/$init/ns/mnt")" ]
		# It creates files as the container's ids.
		assert_eq "$(readlink "/proc/$daemon/ns/user")" "$(readlink "/proc/$init/ns/user")"
		ids=1000:1000
		[ "$ENGINE_TEST_MODE" != nosub ] || ids=0:0
		eng exec "$id" sh -c "echo hello >/tmp/f && chown $ids /tmp/f"
		run -0 eng exec "$id" stat -c '%u:%g %s' /tmp/f
		assert_eq "$output" "$ids 6"
	fi
	eng rm -f "$id" >/dev/null
	wait_for sh -c "[ -z \"\$(pgrep -f '[f]use-overlayfs .*$ENGINE_ROOT/')\" ]"

	id=$(eng run -d "$IMG" sleep 4824)
	monitor=$(jq -r .MonitorPid "$ENGINE_ROOT/containers/$id/state.json")
	kill -9 "$monitor"
	wait_for sh -c "! pgrep -f '^sleep 4824' >/dev/null"
	wait_for sh -c "[ -z \"\$(pgrep -f '[f]use-overlayfs .*$ENGINE_ROOT/')\" ]"
	eng rm -f "$id" >/dev/null

	eng run --rm --network none "$IMG" sleep 4825 &
	cli=$!
	wait_for pgrep -f '^sleep 4825'
	kill -9 "$cli"
	wait "$cli" || true
	# The container outlives its CLI (as before); its file system goes
	# with it.
	[ "${ENGINE_STORAGE_DRIVER:-}" != fuse-overlayfs ] || [ -n "$(our_fuse)" ]
	pkill -9 -f '^sleep 4825'
	wait_for sh -c "! pgrep -f '^sleep 4825' >/dev/null"
	wait_for sh -c "[ -z \"\$(pgrep -f '[f]use-overlayfs .*$ENGINE_ROOT/')\" ]"
	! grep -q "$ENGINE_ROOT/containers" /proc/self/mountinfo
}
