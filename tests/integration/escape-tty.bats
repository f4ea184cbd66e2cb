#!/usr/bin/env bats
# escape-tty.bats: a container gets no terminal it did not ask for.
#
# Without -t, a container's stdio used to be the CLI's own fds: at a
# terminal, the user's terminal, and their controlling one, so that TIOCSTI
# typed commands into the user's shell once the container had exited.
# Each test drives the engine through a real pty (pty-drive.py), in an
# interactive shell where the attack needs one, and checks that nothing of
# the terminal reaches the container: fds 0-2 are no terminals, /dev/tty
# cannot be opened, the process leads a session of its own, TIOCSTI types
# nothing, the terminal's modes stay as the user set them.

load helpers

DEB="$REG/debian:bookworm"
PTY="$BATS_TEST_DIRNAME/pty-drive.py"

# The attack as reported: perl in the container pushes "touch ~/x" and a
# newline into its stdout's terminal input queue.
ATTACK="perl -e 'ioctl(STDOUT,0x5412,\$_) for split //,qq(touch ~/x\\n)'"

# What the process finds about its stdio, its session and /dev/tty; sid is
# its own pid when it leads a session of its own (0 when the session's
# leader is outside its PID namespace).
FACTS='for f in 0 1 2; do [ -t $f ] && echo "fd$f-is-a-tty"; done
(: </dev/tty) 2>/dev/null && echo "dev-tty-opened"
read -r pid comm state ppid pgrp sid tty rest </proc/$$/stat
echo "facts pid=$pid sid=$sid tty=$tty"'

setup_file() {
	store_setup "$DEB"
	# `eng` for the interactive shell in the pty.
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	{
		echo '#!/bin/sh'
		printf 'exec %q' "$ENGINE"
		printf ' %q' "${engine_args[@]}" --root "$ENGINE_ROOT"
		echo ' "$@"'
	} >"$BATS_FILE_TMPDIR/bin/eng"
	chmod +x "$BATS_FILE_TMPDIR/bin/eng"
}

teardown_file() {
	store_teardown
}

# An interactive shell in a pty, with a HOME of the test's own: the user's
# shell the injected line would run in.  Reads pty-drive steps on stdin.
user_shell() {
	mkdir -p "$BATS_TEST_TMPDIR/home"
	run "$PTY" env -i HOME="$BATS_TEST_TMPDIR/home" PATH="$BATS_FILE_TMPDIR/bin:$PATH" \
		TERM=dumb PS1='prompt> ' bash --norc --noprofile --noediting -i
	echo "$output"
}

# assert_facts OUTPUT: no terminal reached the process.
assert_facts() {
	assert_contains "$1" "facts pid="
	if grep -q -e '-is-a-tty' -e 'dev-tty-opened' <<<"$1"; then
		echo "a terminal reached the container" >&2
		return 1
	fi
	local pid sid tty
	pid=$(sed -n 's/.*facts pid=\([0-9]*\) .*/\1/p' <<<"$1")
	sid=$(sed -n 's/.*facts pid=.* sid=\([0-9]*\) .*/\1/p' <<<"$1")
	tty=$(sed -n 's/.*facts pid=.* tty=\([0-9]*\).*/\1/p' <<<"$1")
	assert_eq "$sid" "$pid" "the process's session (its own)"
	assert_eq "$tty" 0 "its controlling terminal (none)"
}

@test "run without -t: TIOCSTI from the container types nothing into the user's shell" {
	user_shell <<-EOS
		expect prompt>
		send eng run --rm --network none $DEB $ATTACK; echo ran-\$?
		expect ran-[0-9]+
		send echo after-\$((6*7))
		expect after-42
		send exit 0
		exit
	EOS
	[ "$status" = 0 ]
	if [ -e "$BATS_TEST_TMPDIR/home/x" ]; then
		echo "the container typed 'touch ~/x' into the user's shell" >&2
		return 1
	fi
}

# no_terminal SCRIPT ENGINE-ARGS...: `eng ENGINE-ARGS... sh -c SCRIPT` in
# the pty, driven by the pty-drive.py steps on stdin: it exits 0, and its
# process holds no terminal, in a session of its own (assert_facts).
no_terminal() {
	local script=$1
	shift
	run "$PTY" "$BATS_FILE_TMPDIR/bin/eng" "$@" sh -c "$script"
	echo "$output"
	[ "$status" = 0 ]
	assert_facts "$output"
}

@test "run without -t: stdio is no terminal, /dev/tty is ENXIO, a session of its own" {
	no_terminal "$FACTS" run --rm --network none "$DEB" <<-EOS
		expect facts
		exit
	EOS
	# The real device says why: no controlling terminal.
	run "$PTY" "$BATS_FILE_TMPDIR/bin/eng" run --rm --network none "$DEB" \
		perl -e 'open(my $t, "<", "/dev/tty") or print "open: ", $!+0, "\n"' <<-EOS
		expect open:
		exit
	EOS
	echo "$output"
	assert_contains "$output" "open: 6" # ENXIO
}

# piped_stdin ENGINE-ARGS...: no_terminal with stdin: a typed line reaches
# the container's cat and comes back, and the terminal's EOF ends it.
piped_stdin() {
	no_terminal "$FACTS"'; echo go; cat; echo cat-done' "$@" <<-EOS
		expect go
		send typed-line
		expect typed-line[\r\n]+typed-line
		eof
		expect cat-done
		exit
	EOS
}

@test "run -i without -t: stdin is a pipe fed from the terminal, its EOF passed on" {
	piped_stdin run -i --rm --network none "$DEB"
}

@test "exec without -t: TIOCSTI types nothing, the terminal's modes stay the user's" {
	eng run -d --name victim --network none "$DEB" sleep infinity >/dev/null
	# --privileged too: as root, CAP_SYS_ADMIN lets TIOCSTI reach any
	# terminal the process holds, controlling or not.
	user_shell <<-EOS
		expect prompt>
		send eng exec victim $ATTACK; eng exec --privileged victim $ATTACK; echo ran-\$?
		expect ran-[0-9]+
		send eng exec victim sh -c 'stty -echo <&1; stty -echo <&2'; echo ran2-\$?
		expect ran2-[0-9]+
		send stty -a | tr ' ;' '\n\n' | grep -x -e echo -e -echo | sed s/^/mode=/
		expect mode=-?echo
		send exit 0
		exit
	EOS
	[ "$status" = 0 ]
	if [ -e "$BATS_TEST_TMPDIR/home/x" ]; then
		echo "the exec'd process typed 'touch ~/x' into the user's shell" >&2
		return 1
	fi
	assert_contains "$output" "mode=echo"
	eng rm -f victim >/dev/null
}

@test "exec without -t: stdio is no terminal, /dev/tty is ENXIO, a session of its own" {
	eng run -d --name victim2 --network none "$DEB" sleep infinity >/dev/null
	no_terminal "$FACTS" exec victim2 <<-EOS
		expect facts
		exit
	EOS
	piped_stdin exec -i victim2
	eng rm -f victim2 >/dev/null
}

# ---- what the pipes must keep of the old behaviour ----------------------
# (these pass on main too: the container wrote to the CLI's fds itself)

@test "pipes keep: large output complete and in order, stdout and stderr apart, the exit code" {
	local want
	want=$(seq 1 300000 | md5sum)
	run --separate-stderr sh -c "'$BATS_FILE_TMPDIR/bin/eng' run --rm --network none $DEB sh -c 'seq 1 300000; seq 1 1000 >&2; exit 3' | md5sum"
	assert_eq "$output" "$want" "stdout"
	# (without subordinate ids the engine's own warning comes first)
	local err
	err=$(grep -v '^WARN: ' <<<"$stderr")
	assert_eq "$(tail -n 1 <<<"$err")" 1000 "stderr's last line"
	assert_eq "$(wc -l <<<"$err")" 1000 "stderr's lines"
	run "$BATS_FILE_TMPDIR/bin/eng" run --rm --network none "$DEB" sh -c 'exit 3'
	[ "$status" = 3 ]
	# 20 MiB in while 20 MiB come out: a process that does not read its
	# stdin while it writes must not stall the relay of its output.
	run sh -c "head -c 20971520 /dev/zero | timeout 60 '$BATS_FILE_TMPDIR/bin/eng' run -i --rm --network none $DEB sh -c 'head -c 20971520 /dev/zero; cat' 2>/dev/null | wc -c"
	assert_eq "$output" 41943040
}

@test "pipes keep: -i's EOF reaches the container; a reader gone ends the writer" {
	run sh -c "echo hi | '$BATS_FILE_TMPDIR/bin/eng' run -i --rm --network none $DEB cat 2>/dev/null"
	[ "$status" = 0 ]
	assert_eq "$output" hi
	run sh -c "echo hi | '$BATS_FILE_TMPDIR/bin/eng' run --rm --network none $DEB cat 2>/dev/null"
	assert_eq "$output" ""
	# head exits after one line: the container's next write fails (EPIPE)
	# and it ends, as it did writing to head's pipe itself.
	run timeout 60 sh -c "'$BATS_FILE_TMPDIR/bin/eng' run --rm --network none $DEB sh -c 'while echo y; do :; done; exit 9' 2>/dev/null | head -n 1"
	[ "$status" = 0 ]
	assert_eq "$output" y
}

@test "pipes keep: exec's output, exit code and -i; a background process does not hold exec" {
	eng run -d --name keep --network none "$DEB" sleep infinity >/dev/null
	run --separate-stderr "$BATS_FILE_TMPDIR/bin/eng" exec keep sh -c 'echo out; echo err >&2; exit 4'
	[ "$status" = 4 ]
	assert_eq "$output" out
	assert_eq "$stderr" err
	run sh -c "seq 1 100000 | '$BATS_FILE_TMPDIR/bin/eng' exec -i keep cat | md5sum"
	assert_eq "$output" "$(seq 1 100000 | md5sum)"
	run timeout 20 "$BATS_FILE_TMPDIR/bin/eng" exec keep sh -c 'sleep 60 & echo started'
	[ "$status" = 0 ]
	assert_eq "$output" started
	eng rm -f keep >/dev/null
}
