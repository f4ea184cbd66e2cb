#!/usr/bin/env python3
"""first-output.py RUNS PREPARE -- NAME=CMD...: start-up as a user sees it.

For each command, RUNS times (interleaved, so load drifts hit all alike):
run PREPARE (a shell line, untimed), start CMD with stdout on a pipe, and
take the time to its first byte of output (the container's command has
run) and to its exit (teardown included).  Prints the median and minimum
of both per command."""
import os, shlex, statistics, subprocess, sys, time

runs = int(sys.argv[1])
prepare = sys.argv[2]
assert sys.argv[3] == '--'
cmds = [a.split('=', 1) for a in sys.argv[4:]]
res = {name: ([], []) for name, _ in cmds}
for _ in range(runs):
    for name, cmd in cmds:
        subprocess.run(prepare, shell=True, check=True)
        t0 = time.monotonic()
        p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.PIPE)
        os.read(p.stdout.fileno(), 1)
        t1 = time.monotonic()
        p.stdout.read()
        p.wait()
        t2 = time.monotonic()
        if p.returncode != 0:
            sys.exit(f'{name}: exit {p.returncode}')
        res[name][0].append((t1 - t0) * 1000)
        res[name][1].append((t2 - t0) * 1000)
for name, (first, total) in res.items():
    print(f'{name}\tfirst output {statistics.median(first):.1f} ms median, min {min(first):.1f}'
          f'\texit {statistics.median(total):.1f} ms median, min {min(total):.1f}')
