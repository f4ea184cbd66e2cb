#!/usr/bin/env bats
# attach.bats: the monitor's attach socket: engine attach through a real
# pty (python3's pty module), detach keys, the container's exit code,
# start -a, stdin with -i, several clients at once.

load helpers

setup_file() {
	store_setup "$IMG"
	# ptyrun.py SEND... -- CMD...: run CMD on a new pty (30 rows, 100
	# columns); for each SEND "expect:TEXT" waits (10 s at most) until
	# TEXT has been output, anything else is typed (Python escapes
	# allowed).  Prints the output, exits with CMD's status.
	cat >"$BATS_FILE_TMPDIR/ptyrun.py" <<'PY'
import fcntl, os, pty, select, struct, sys, termios, time
args = sys.argv[1:]
sep = args.index("--")
steps, cmd = args[:sep], args[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
out = b""
def read_some(timeout):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        out += data
    return True
for s in steps:
    if s.startswith("expect:"):
        want = s[7:].encode()
        end = time.time() + 10
        while want not in out and time.time() < end:
            if not read_some(0.1):
                break
        if want not in out:
            sys.stdout.write(out.decode(errors="replace"))
            sys.stdout.write("\n[ptyrun: no %r in the output]\n" % want)
            os.kill(pid, 9)
            sys.exit(99)
    else:
        os.write(fd, s.encode().decode("unicode_escape").encode("latin-1"))
end = time.time() + 10
while time.time() < end:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    read_some(0.1)
else:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
while read_some(0):
    if not select.select([fd], [], [], 0)[0]:
        break
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

teardown_file() {
	store_teardown
}

ptyrun() {
	python3 "$BATS_FILE_TMPDIR/ptyrun.py" "$@"
}

running() {
	[ "$(eng inspect --format '{{.State.Running}}' "$1")" = true ]
}

@test "run -d -it sh, attach: type a command, read its output, resize, detach with ctrl-p ctrl-q" {
	eng run -d -it --name sh1 "$IMG" sh
	# "hel''lo" is typed, "hello" only comes back as output.
	run ptyrun 'echo hel""lo\r' "expect:hello" 'stty size\r' "expect:30 100" '\x10\x11' -- \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" attach sh1
	echo "$output"
	assert_eq "$status" 0
	assert_contains "$output" "hello"
	assert_contains "$output" "30 100"
	running sh1
	# and again: the same shell, which remembers what it was told
	run ptyrun 'x=$((6*7)); echo "<$((x+1))>"\r' "expect:<43>" '\x10\x11' -- \
		"$ENGINE" --root "$ENGINE_ROOT" attach sh1
	assert_eq "$status" 0
	run ptyrun 'echo "[$x]"\r' "expect:[42]" '\x10\x11' -- "$ENGINE" --root "$ENGINE_ROOT" attach sh1
	assert_eq "$status" 0
	running sh1
}

@test "attach exits with the container's exit code; --detach-keys in Docker's syntax" {
	eng run -d -it --name sh2 "$IMG" sh
	run ptyrun '\x01x' -- "$ENGINE" --root "$ENGINE_ROOT" attach --detach-keys ctrl-a,x sh2
	assert_eq "$status" 0
	running sh2
	run ptyrun 'exit 5\r' -- "$ENGINE" --root "$ENGINE_ROOT" attach sh2
	assert_eq "$status" 5
	wait_for sh -c "[ \"\$('$ENGINE' --root '$ENGINE_ROOT' inspect --format '{{.State.Status}}' sh2)\" = exited ]"
	run eng attach --detach-keys ctrl-1 sh2
	assert_eq "$status" 125
	assert_contains "$output" "Invalid detach keys (ctrl-1) provided"
}

@test "attach to a stopped container: Docker's error, exit 1" {
	eng create --name stopped "$IMG" true
	run eng attach stopped
	assert_eq "$status" 1
	assert_eq "$output" "Error: You cannot attach to a stopped container, start it first"
	run eng attach nosuch
	assert_eq "$status" 1
}

@test "start -a: the output from the first byte, and the exit code" {
	eng create --name sa "$IMG" sh -c 'echo started; echo to-err >&2; exit 4'
	run --separate-stderr eng start -a sa
	assert_eq "$status" 4
	assert_eq "$output" "started"
	assert_eq "$stderr" "to-err"
	# start -a -i: our stdin is its stdin, our EOF its EOF
	eng create -i --name sai "$IMG" sh -c 'cat; echo done'
	run sh -c "printf 'one\ntwo\n' | '$ENGINE' --root '$ENGINE_ROOT' start -a -i sai"
	assert_eq "$status" 0
	assert_eq "$output" "one
two
done"
}

@test "run -d -i: stdin through attach" {
	eng run -d -i --name in1 "$IMG" sh -c 'read x; echo "got $x"; exit 3'
	run sh -c "echo hi | '$ENGINE' --root '$ENGINE_ROOT' attach in1"
	assert_eq "$status" 3
	assert_eq "$output" "got hi"
}

@test "two attaches at once both see the output; a third gives input" {
	eng run -d -i --name multi "$IMG" sh -c 'while read x; do echo "got $x"; done'
	d=$BATS_TEST_TMPDIR
	eng attach --no-stdin multi >"$d/a" 2>&1 &
	pa=$!
	eng attach --no-stdin multi >"$d/b" 2>&1 &
	pb=$!
	# The writer repeats its line until both readers have it (they may
	# connect after the first one).
	python3 - "$ENGINE" "$ENGINE_ROOT" "$d" <<'PY'
import os, subprocess, sys, time
engine, root, d = sys.argv[1:]
w = subprocess.Popen([engine, "--root", root, "attach", "multi"], stdin=subprocess.PIPE,
                     stdout=subprocess.DEVNULL)
end = time.time() + 10
def has(f):
    try:
        return "got ping" in open(os.path.join(d, f)).read()
    except OSError:
        return False
while time.time() < end and not (has("a") and has("b")):
    w.stdin.write(b"ping\n")
    w.stdin.flush()
    time.sleep(0.2)
w.kill()
sys.exit(0 if has("a") and has("b") else 1)
PY
	eng kill multi
	wait "$pa" || true
	wait "$pb" || true
	grep -q "got ping" "$d/a"
	grep -q "got ping" "$d/b"
}

@test "a client that does not read blocks neither the monitor nor the container" {
	eng create --name flood "$IMG" seq 1 100000
	# start -a is attached before the command runs; its stdout is a pipe
	# nobody reads, so it soon stops reading the socket.
	python3 - "$ENGINE" "$ENGINE_ROOT" <<'PY'
import subprocess, sys, time
engine, root = sys.argv[1:]
p = subprocess.Popen([engine, "--root", root, "start", "-a", "flood"], stdout=subprocess.PIPE)
end = time.time() + 20
state = ""
while time.time() < end:
    state = subprocess.run([engine, "--root", root, "inspect", "--format", "{{.State.Status}}", "flood"],
                           capture_output=True, text=True).stdout.strip()
    if state == "exited":
        break
    time.sleep(0.1)
p.kill()
p.wait()
sys.exit(0 if state == "exited" else 1)
PY
	# and the log has every line
	assert_eq "$(eng logs flood | wc -l)" 100000
	assert_eq "$(eng logs --tail 1 flood)" 100000
}
