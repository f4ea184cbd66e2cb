#!/usr/bin/env python3
"""pty-drive.py: drive a command through a real pseudo-terminal, as a user
at a keyboard would (for `run -it`, `exec -it`, `attach`).

    pty-drive.py [-t SECONDS] CMD [ARG...] < SCRIPT

SCRIPT has one step per line:
    send TEXT      type TEXT and Enter
    raw HEX        type these bytes (e.g. "raw 1011" is ctrl-p ctrl-q)
    expect REGEX   wait until the output so far (since the last expect)
                   matches REGEX
    eof            type ctrl-d
    exit           wait for the command to end; exit with its exit code
Everything the command printed goes to stdout.  A step that times out
exits 124 after printing what was seen; so does a command that never ends.
"""
import os
import pty
import re
import select
import sys
import time

args = sys.argv[1:]
timeout = 20.0
if len(args) >= 2 and args[0] == "-t":
    timeout = float(args[1])
    args = args[2:]
if not args:
    sys.exit("usage: pty-drive.py [-t SECONDS] CMD [ARG...] < SCRIPT")

steps = [line.rstrip("\n") for line in sys.stdin if line.strip()]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)

seen = b""
mark = 0  # expect looks at what came after the previous match
done = False


def pump(deadline):
    global seen, done
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], min(left, 0.2))
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            done = True
            return True
        if not data:
            done = True
            return True
        seen += data
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return True


def fail(what):
    sys.stdout.write("\npty-drive: timed out at: %s\n" % what)
    os.kill(pid, 9)
    sys.exit(124)


for step in steps:
    cmd, _, arg = step.partition(" ")
    if cmd == "send":
        os.write(fd, arg.encode() + b"\r")
    elif cmd == "raw":
        os.write(fd, bytes.fromhex(arg))
    elif cmd == "eof":
        os.write(fd, b"\x04")
    elif cmd == "expect":
        deadline = time.monotonic() + timeout
        rx = re.compile(arg.encode())
        while True:
            m = rx.search(seen, mark)
            if m:
                mark = m.end()
                break
            if done or not pump(deadline):
                fail(step)
    elif cmd == "exit":
        deadline = time.monotonic() + timeout
        while not done:
            if not pump(deadline):
                fail(step)
        deadline = time.monotonic() + timeout
        while True:
            wpid, status = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                sys.exit(os.waitstatus_to_exitcode(status) % 256)
            if time.monotonic() > deadline:
                fail(step)
            time.sleep(0.05)
    else:
        sys.exit("pty-drive: unknown step: " + step)
