#!/usr/bin/env bats
# exec.bats: `engine exec` (a process joining a running container's
# namespaces, with its security) and `engine top`.

load helpers

setup_file() {
	store_setup "$IMG"
}

teardown_file() {
	store_teardown
}

# start NAME [RUN FLAGS...]: a running busybox container whose init is
# `sleep 1000` and which wrote /tmp/mark.
start() {
	local name=$1
	shift
	eng run -d --name "$name" "$@" "$IMG" sh -c 'echo marked >/tmp/mark; exec sleep 1000' >/dev/null
	wait_for eng exec "$name" test -e /tmp/mark
}

# status_line NAME FIELD: FIELD's line of /proc/1/status and of an exec'd
# process's own, side by side.
status_pair() {
	local init self
	init=$(eng exec "$1" grep "^$2:" /proc/1/status)
	self=$(eng exec "$1" grep "^$2:" /proc/self/status)
	echo "$init|$self"
}

top_has() {
	eng top "$1" | grep -q -- "$2"
}

@test "exec runs the command in the container: output, exit code 0" {
	start e1
	run -0 eng exec e1 echo hello
	assert_eq "$output" "hello"
	eng rm -f e1
}

@test "exec passes the command's exit code through; 127 not found, 126 cannot invoke" {
	start e2
	run -7 eng exec e2 sh -c 'exit 7'
	run -127 --separate-stderr eng exec e2 no-such-command
	assert_eq "${#stderr_lines[@]}" 1
	assert_contains "$stderr" "no-such-command"
	run -126 --separate-stderr eng exec e2 /etc/passwd
	assert_eq "${#stderr_lines[@]}" 1
	run -126 eng exec e2 /tmp
	eng rm -f e2
}

@test "exec -e, --env-file and the container's own env; -w and the container's workdir" {
	start e3 -e FROM_RUN=r -w /etc
	printf 'FROM_FILE=f\n# comment\n' >"$BATS_TEST_TMPDIR/env"
	run -0 eng exec -e FOO=bar --env-file "$BATS_TEST_TMPDIR/env" e3 sh -c 'echo "$FOO $FROM_FILE $FROM_RUN $HOME $PWD"'
	assert_eq "$output" "bar f r /root /etc"
	run -0 eng exec -e FROM_RUN=over e3 sh -c 'echo $FROM_RUN'
	assert_eq "$output" "over"
	run -0 eng exec -w /tmp e3 pwd
	assert_eq "$output" "/tmp"
	run -125 --separate-stderr eng exec -w /no/such/dir e3 pwd
	assert_eq "$stderr" "Error: workdir /no/such/dir: No such file or directory"
	# A workdir the container points at one of our fds is refused.
	eng exec e3 ln -s /proc/self/fd/4 /tmp/fdlink
	run -125 --separate-stderr eng exec -w /tmp/fdlink e3 pwd
	assert_eq "${#stderr_lines[@]}" 1
	assert_contains "$stderr" "workdir /tmp/fdlink"
	run -0 eng exec e3 sh -c 'echo "${TERM-unset}"'
	assert_eq "$output" "unset"
	eng rm -f e3
}

@test "exec -u: a name from the container's /etc/passwd, a uid:gid, the container's user" {
	start e4
	run -0 eng exec -u nobody e4 id -u
	assert_eq "$output" "65534"
	run -0 eng exec -u 1000:1000 e4 sh -c 'echo $(id -u) $(id -g)'
	assert_eq "$output" "1000 1000"
	run -0 eng exec e4 id -u
	assert_eq "$output" "0"
	run -125 --separate-stderr eng exec -u no-such-user e4 true
	assert_eq "${#stderr_lines[@]}" 1
	assert_contains "$stderr" "no-such-user"
	eng rm -f e4
	eng run -d --name e4u -u nobody "$IMG" sleep 1000 >/dev/null
	run -0 eng exec e4u id -u
	assert_eq "$output" "65534"
	eng rm -f e4u
}

@test "exec sees the container's hostname, PID namespace and mount namespace" {
	start e5 --hostname exec-host
	run -0 eng exec e5 hostname
	assert_eq "$output" "exec-host"
	run -0 eng exec e5 sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_eq "$output" "sleep 1000 "
	run -0 eng exec e5 cat /tmp/mark
	assert_eq "$output" "marked"
	# A file written by one exec is seen by the container's init.
	eng exec e5 sh -c 'echo again >/tmp/second'
	run -0 eng exec e5 cat /proc/1/root/tmp/second
	assert_eq "$output" "again"
	eng rm -f e5
}

@test "exec into a --network host container joins the namespaces it has, not a network one" {
	start e5h --network host
	run -0 eng exec e5h readlink /proc/self/ns/net
	assert_eq "$output" "$(readlink /proc/self/ns/net)"
	run -0 eng exec e5h readlink /proc/self/ns/mnt
	[ "$output" != "$(readlink /proc/self/ns/mnt)" ]
	eng rm -f e5h
}

@test "exec gets the init's capabilities, seccomp and no_new_privs; --privileged gets every capability" {
	start e6
	for f in CapEff CapPrm CapBnd CapInh CapAmb Seccomp NoNewPrivs; do
		run -0 status_pair e6 "$f"
		[[ "$output" =~ ^([^|]+)\|([^|]+)$ ]] || { echo "$output"; false; }
		assert_eq "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}" "$f"
	done
	run -0 eng exec e6 grep ^Seccomp: /proc/self/status
	assert_eq "$output" "Seccomp:	2"
	# Every capability there is: all the kernel knows in a user namespace
	# of our own, all that root's bounding set holds as root.
	last=$(cat /proc/sys/kernel/cap_last_cap)
	full=$(printf '%016x' $(((1 << (last + 1)) - 1)))
	if [ "$ENGINE_TEST_MODE" = root ]; then
		full=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
	fi
	run -0 eng exec --privileged e6 grep ^CapEff: /proc/self/status
	assert_eq "$output" "CapEff:	$full"
	run -0 eng exec e6 grep ^CapEff: /proc/self/status
	[ "$output" != "CapEff:	$full" ]
	eng rm -f e6
	start e6n --security-opt no-new-privileges --cap-drop ALL
	run -0 status_pair e6n NoNewPrivs
	assert_eq "$output" "NoNewPrivs:	1|NoNewPrivs:	1"
	run -0 status_pair e6n CapEff
	assert_eq "$output" "CapEff:	0000000000000000|CapEff:	0000000000000000"
	eng rm -f e6n
}

@test "exec -it drives a shell through a real pty" {
	start e7
	run -0 python3 - "$ENGINE" "$ENGINE_ROOT" "${engine_args[@]}" <<'EOF'
import os, pty, select, sys
engine, root, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(engine, [engine] + extra + ["--root", root, "exec", "-it", "e7", "sh"])
def read_until(needle, limit=10.0):
    buf = b""
    while needle not in buf:
        r, _, _ = select.select([fd], [], [], limit)
        if not r:
            sys.exit("timed out waiting for %r, got %r" % (needle, buf))
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        buf += d
    return buf
os.write(fd, b"echo $((6*7))-$(tty)\n")
out = read_until(b"42-/dev/pts/")
os.write(fd, b"exit 3\n")
try:
    while os.read(fd, 4096):
        pass
except OSError:
    pass
_, st = os.waitpid(pid, 0)
print("answer" if b"42-/dev/pts/" in out else "no answer", os.waitstatus_to_exitcode(st))
EOF
	assert_eq "$output" "answer 3"
	eng rm -f e7
}

@test "exec -i relays stdin; without -i stdin is empty" {
	start e8
	run -0 sh -c "echo piped | '$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' exec -i e8 cat"
	assert_eq "$output" "piped"
	run -0 sh -c "echo piped | '$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' exec e8 cat"
	assert_eq "$output" ""
	eng rm -f e8
}

@test "exec -d returns at once, prints nothing, and the process runs (top shows it)" {
	start e9
	run -0 eng exec -d e9 sleep 4711
	assert_eq "$output" ""
	wait_for top_has e9 "sleep 4711"
	# Reparented to the container's init, not left to the CLI.
	run -0 eng exec e9 sh -c 'for p in /proc/[0-9]*; do
		if [ "$(tr "\0" " " <$p/cmdline)" = "sleep 4711 " ]; then cut -d" " -f4 $p/stat; fi
	done 2>/dev/null'
	assert_eq "$output" "1"
	eng rm -f e9
}

@test "top lists the container's processes with ps -ef's columns and host pids" {
	start e10
	eng exec -d e10 sleep 4712
	wait_for top_has e10 "sleep 4712"
	run -0 eng top e10
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]] || { echo "${lines[0]}"; false; }
	# The init first (lowest pid), then the exec'd sleep, whose parent it
	# is.  (fuse-overlayfs's daemon runs outside the container's PID
	# namespace: it is never listed.)
	run -0 sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' top e10 | grep sleep"
	assert_eq "${#lines[@]}" 2
	pid=$(eng inspect --format '{{.State.Pid}}' e10)
	[[ "${lines[0]}" =~ ^[^\ ]+\ +$pid\ +[0-9]+\ +[0-9]+\ +[0-9:A-Za-z]+\ +\?\ +[0-9:]+\ +sleep\ 1000$ ]] || { echo "${lines[0]}"; false; }
	[[ "${lines[1]}" =~ \ $pid\ .*sleep\ 4712$ ]] || { echo "${lines[1]}"; false; }
	# ps options after the name are accepted (and ignored).
	run -0 eng top e10 aux
	assert_contains "$output" "sleep 1000"
	eng rm -f e10
}

@test "exec and top on a container that is not running, or does not exist: one line" {
	eng create --name e11 "$IMG" sleep 1000 >/dev/null
	run -125 --separate-stderr eng exec e11 true
	assert_eq "$stderr" "Error: container e11 is not running"
	run -125 --separate-stderr eng top e11
	assert_eq "$stderr" "Error: container e11 is not running"
	eng rm -f e11
	run -1 --separate-stderr eng exec no-such-ctr true
	assert_eq "$stderr" "Error: No such container: no-such-ctr"
	run -1 --separate-stderr eng top no-such-ctr
	assert_eq "$stderr" "Error: No such container: no-such-ctr"
	run -125 --separate-stderr eng exec e11
	assert_eq "${#stderr_lines[@]}" 1
	run -125 --separate-stderr eng exec --bogus e11 true
	assert_eq "$stderr" "Error: unknown flag: --bogus"
	run -0 eng exec --help
	assert_contains "$output" "Usage: engine exec"
}

@test "signals to the CLI are forwarded to the exec'd process" {
	start e14
	# Not through eng(): $! must be the CLI, not a subshell running it.
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" exec e14 sh -c 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$BATS_TEST_TMPDIR/out" 3>&- &
	bg=$!
	wait_for grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$bg"
	rc=0
	wait "$bg" || rc=$?
	assert_eq "$rc" 9
	grep -q got-term "$BATS_TEST_TMPDIR/out"
	eng rm -f e14
}

@test "an exec'd process does not keep the container alive after stop" {
	start e12
	eng exec e12 sleep 4713 3>&- &
	bg=$!
	wait_for top_has e12 "sleep 4713"
	eng stop -t 1 e12
	run -0 eng inspect --format '{{.State.Status}}' e12
	assert_eq "$output" "exited"
	# The CLI returns with the process's death by SIGKILL.
	rc=0
	wait "$bg" || rc=$?
	assert_eq "$rc" 137
	! pgrep -f '^sleep 4713' >/dev/null
	eng rm -f e12
}

@test "no fd of the CLI reaches the exec'd process" {
	start e13
	exec 7</dev/null 8>"$BATS_TEST_TMPDIR/leak"
	run -0 eng exec e13 ls /proc/self/fd
	exec 7<&- 8>&-
	# 0-2, and the directory ls itself opened.
	assert_eq "$(echo $output)" "0 1 2 3"
	eng rm -f e13
}
