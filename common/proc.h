/* proc.h: facts about other processes from /proc, and signals and waits
 * that cannot hit a reused pid. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* PID exists and is not a zombie.  A zombie counts as gone: on machines
 * whose PID 1 reaps late, a killed process lingers as one, and whatever it
 * left behind (a staging directory, a claim) is already abandoned. */
bool engine_pid_alive(pid_t pid);

/* The start time of PID (/proc/PID/stat field 22, in clock ticks since
 * boot), 0 when it cannot be read.  With the pid it names one process: a
 * pid the kernel reuses comes back with another start time. */
uint64_t engine_pid_start_time(pid_t pid);

/* engine_pid_alive(PID), and the same process that started at START (0:
 * not recorded, any start time matches). */
bool engine_pid_alive_since(pid_t pid, uint64_t start);

/* pidfd_open(2) with no flags: an fd that signals and polls PID even after
 * its number is reused; -1 with errno on failure (ENOSYS before Linux 5.3). */
int engine_pidfd_open(pid_t pid);

/* Send SIG to PID if it is still the process that started at START (0:
 * any), through a pidfd where the kernel has them, so that a pid reused
 * between the check and the signal is never hit.  0, or -errno (-ESRCH
 * when it is gone). */
int engine_pid_signal_since(pid_t pid, uint64_t start, int sig);

/* Wait up to TIMEOUT_MS (-1: forever) for PID, the process that started at
 * START, to exit (a zombie has); true when it has.  poll() on its pidfd
 * wakes at the exit; without pidfds the pid is sampled every 20 ms. */
bool engine_pid_wait_since(pid_t pid, uint64_t start, int timeout_ms);

/* CLOCK_MONOTONIC in milliseconds: deadlines for the waits here and in the
 * helpers' start and stop. */
int64_t engine_monotonic_ms(void);

/* Stop our child PID, a helper that exits when it reads EOF on the pipe
 * whose write end is EXIT_FD (closed here; -1: none): wait up to TIMEOUT_MS
 * for it, then SIGKILL it (its process group, where it leads one) and reap
 * it.  0 when it exited by itself (or is no child of ours), 1 when it had to
 * be killed, -errno when waitpid failed (it is then left as it is). */
int engine_child_stop(pid_t pid, int exit_fd, int timeout_ms);

/* In a child just forked to run a helper or a container's process: every
 * signal back to its default action, then none blocked (in that order, so
 * that a signal already pending never reaches a handler of the parent's).
 * Async-signal-safe. */
void engine_reset_signals(void);
