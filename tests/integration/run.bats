#!/usr/bin/env bats
# run.bats: `engine run --rootfs`: exit codes, environment, user, workdir,
# hostname, stdin, network modes, the terminal, signals and bad input.

load helpers

rootfs_suite

@test "exit codes are the container's: 0, 1, 42" {
	run erun true
	assert_eq "$status" 0
	run erun false
	assert_eq "$status" 1
	run erun sh -c 'exit 42'
	assert_eq "$status" 42
}

@test "a command that is not found exits 127" {
	run -127 erun no-such-command
	assert_eq "$status" 127
	assert_contains "$output" "no-such-command"
	run -127 erun /bin/no-such-file
	assert_eq "$status" 127
}

@test "a command that cannot be invoked exits 126" {
	run erun /etc
	assert_eq "$status" 126
	run erun /etc/passwd
	assert_eq "$status" 126
	assert_contains "$output" "/etc/passwd"
}

@test "a container init killed by a signal exits 128+N" {
	# The init of a PID namespace cannot be killed from inside it (as in
	# Docker): the signal comes from the host.
	# --network none: the init is the CLI's only child (no slirp4netns).
	"$ENGINE" run --network none --rootfs "$ROOTFS" sleep 60 &
	pid=$!
	for _ in $(seq 50); do
		init=$(pgrep -P "$pid" || true)
		[ -n "$init" ] && break
		sleep 0.1
	done
	kill -KILL "$init"
	set +e
	wait "$pid"
	rc=$?
	set -e
	assert_eq "$rc" 137
}

@test "environment: -e, --env-file, defaults" {
	printf '# comment\nFROM_FILE=yes\nBOTH=file\n' >"$BATS_TEST_TMPDIR/env"
	run erun -e A=1 --env-file "$BATS_TEST_TMPDIR/env" -e BOTH=flag sh -c 'echo "$A $FROM_FILE $BOTH $HOME $PATH $HOSTNAME"'
	assert_eq "$status" 0
	set -- $output
	assert_eq "$1" 1
	assert_eq "$2" yes
	assert_eq "$3" flag "later flag wins"
	assert_eq "$4" /root "HOME from passwd"
	assert_eq "$5" /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	assert_eq "${#6}" 12 "HOSTNAME is the short id"
}

@test "-e NAME takes the host's value" {
	FROM_HOST=hostvalue run erun -e FROM_HOST sh -c 'echo "$FROM_HOST"'
	assert_eq "$output" hostvalue
}

@test "hostname: -h sets it, default is the short id" {
	run erun -h box.example hostname
	assert_eq "$output" box.example
	run erun hostname
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
}

@test "workdir: -w, created when missing" {
	run erun -w /tmp pwd
	assert_eq "$output" /tmp
	run erun -w /tmp/new/dir pwd
	assert_eq "$output" /tmp/new/dir
	run erun pwd
	assert_eq "$output" /
}

@test "--user: numeric, names from the image, groups" {
	run erun -u 1000 id -u
	assert_eq "$output" 1000
	run erun -u tester sh -c 'id -u; id -g; id -G; echo $HOME'
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | sed -n 1p)" 1000
	assert_eq "$(echo "$output" | sed -n 2p)" 1000
	assert_eq "$(echo "$output" | sed -n 3p)" "1000 2000" "primary and supplementary groups"
	assert_eq "$(echo "$output" | sed -n 4p)" /home/tester
	run erun -u 1000:2000 sh -c 'id -u; id -g; id -G'
	assert_eq "$(echo $output)" "1000 2000 2000"
	run erun -u nobody:nogroup id -u
	assert_eq "$output" 65534
}

@test "stdin: closed without -i, passed with -i" {
	run sh -c "echo piped | $ENGINE run --rootfs $ROOTFS cat"
	assert_eq "$status" 0
	assert_eq "$output" ""
	run sh -c "echo piped | $ENGINE run --rootfs $ROOTFS -i cat"
	assert_eq "$output" piped
}

@test "stdout and stderr are the container's" {
	run sh -c "$ENGINE run --rootfs $ROOTFS sh -c 'echo out; echo err >&2' 2>/dev/null"
	assert_eq "$output" out
	run sh -c "$ENGINE run --rootfs $ROOTFS sh -c 'echo out; echo err >&2' 2>&1 >/dev/null"
	assert_eq "$output" err
}

@test "--network none: only lo, and it is up" {
	run erun --network none ls /sys/class/net
	assert_eq "$output" lo
	run erun --network none sh -c 'ip link show lo | grep -o ",UP"'
	assert_eq "$output" ",UP"
	# The client retries until the listener is up; wait lets the listener
	# finish writing (no fixed sleeps: a loaded machine is slower).
	run erun --network none sh -c 'nc -l -p 1234 >/tmp/got & for i in $(seq 100); do echo over-loopback | nc -w1 127.0.0.1 1234 2>/dev/null && break; sleep 0.1; done; wait; cat /tmp/got; rm -f /tmp/got'
	assert_eq "$output" over-loopback
	# ICMP echo without CAP_NET_RAW, as Podman's default sysctl allows
	run erun --network none cat /proc/sys/net/ipv4/ping_group_range
	assert_eq "$(echo $output)" "0 0"
}

@test "--network host: the host's interfaces" {
	want=$(ls /sys/class/net | sort | tr '\n' ' ')
	run erun --network host sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	assert_eq "$output" "$want"
}

@test "-t under a real pty gets a terminal, sized, restored after" {
	command -v tmux
	sock="$BATS_TEST_TMPDIR/tmux"
	tmux -S "$sock" new-session -d -x 97 -y 31 "$ENGINE run --rootfs $ROOTFS -it sh"
	# wait for the container's prompt
	for _ in $(seq 50); do
		tmux -S "$sock" capture-pane -p | grep -q '#' && break
		sleep 0.1
	done
	tmux -S "$sock" send-keys 'tty; stty size; test -t 0 && echo IS-A-TTY' Enter
	sleep 0.5
	out=$(tmux -S "$sock" capture-pane -p)
	tmux -S "$sock" send-keys 'exit 7' Enter
	sleep 0.3
	tmux -S "$sock" kill-server 2>/dev/null || true
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "31 97"
	assert_contains "$out" "IS-A-TTY"
}

@test "-t: exit code comes through and the terminal is restored" {
	out="$BATS_TEST_TMPDIR/out"
	# script(1) gives engine a pty; stty -a after engine exits shows the
	# outer terminal back in cooked mode.
	run script -qec "$ENGINE run --rootfs $ROOTFS -t sh -c 'test -t 1 && echo tty-yes; exit 5'; echo rc=\$?; stty -a | grep -o ' icanon' " /dev/null
	assert_contains "$output" "tty-yes"
	assert_contains "$output" "rc=5"
	assert_contains "$output" " icanon"
}

@test "SIGTERM to engine reaches the container's process" {
	"$ENGINE" run --rootfs "$ROOTFS" sh -c 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done' >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 50); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
	kill -TERM "$pid"
	set +e
	wait "$pid"
	rc=$?
	set -e
	assert_eq "$rc" 42
	assert_contains "$(cat "$BATS_TEST_TMPDIR/out")" got-term
}

@test "SIGINT and SIGHUP are forwarded too" {
	for sig in INT HUP; do
		"$ENGINE" run --rootfs "$ROOTFS" sh -c "trap 'exit 3' $sig; echo ready; while :; do sleep 0.1; done" >"$BATS_TEST_TMPDIR/out" 2>&1 &
		pid=$!
		for _ in $(seq 50); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
		kill -"$sig" "$pid"
		set +e
		wait "$pid"
		rc=$?
		set -e
		assert_eq "$rc" 3 "SIG$sig"
	done
}

@test "bad input: missing rootfs, one line, 125, nothing created" {
	expect_engine_error "/nonexistent/rootfs" "$ENGINE" run --rootfs /nonexistent/rootfs true
	[ ! -e /nonexistent/rootfs ]
}

@test "bad input: unknown flag" {
	before=$(rootfs_fingerprint "$ROOTFS")
	expect_engine_error "unknown flag: --no-such-flag" "$ENGINE" run --no-such-flag --rootfs "$ROOTFS" true
	expect_engine_error "unknown shorthand flag: 'Z'" "$ENGINE" run -Z --rootfs "$ROOTFS" true
	expect_engine_error "unknown flag: --bogus" "$ENGINE" --bogus run
	assert_eq "$(rootfs_fingerprint "$ROOTFS")" "$before" "rootfs untouched"
}

@test "bad input: --user syntax and names" {
	before=$(rootfs_fingerprint "$ROOTFS")
	expect_engine_error 'invalid --user "a:b:c"' erun -u a:b:c true
	expect_engine_error 'not a valid id' erun -u -5 true
	expect_engine_error "unable to find user ghost" erun -u ghost true
	expect_engine_error "unable to find group ghosts" erun -u 0:ghosts true
	assert_eq "$(rootfs_fingerprint "$ROOTFS")" "$before" "rootfs untouched"
}

@test "bad input: --cap-add NAME" {
	expect_engine_error '--cap-add: unknown capability "CAP_NOPE"' erun --cap-add CAP_NOPE true
	expect_engine_error '--cap-drop: unknown capability "bogus"' erun --cap-drop bogus true
}

@test "bad input: --workdir under /proc/self/fd is refused" {
	expect_engine_error "file descriptor paths" erun -w /proc/self/fd/3 true
	expect_engine_error "absolute path" erun -w relative true
}

@test "bad input: other flags and values" {
	expect_engine_error "no command" "$ENGINE" run --rootfs "$ROOTFS"
	expect_engine_error "unknown network mode" erun --network bogus true
	expect_engine_error "flag needs an argument" erun -e
	expect_engine_error "unknown command" "$ENGINE" frobnicate
	expect_engine_error "seccomp" erun --security-opt seccomp=/nonexistent.json true
}

@test "no engine process is left after a run" {
	erun true
	run pgrep -u "$(id -u)" -f "engine run --rootfs $ROOTFS"
	assert_eq "$output" ""
}
