/* proc-checks.h: what the tests of the pid helpers (common/proc.c) and of
 * container reconciliation, which rests on them, both check first. */
#pragma once

#include <stdint.h>
#include <unistd.h>

#include "common/proc.h"
#include "tap.h"

/* This process's start time, once checked that it is known and that
 * engine_pid_alive_since tells this process from a reused pid. */
static inline uint64_t checked_own_start_time(void)
{
	pid_t self = getpid();
	uint64_t start = engine_pid_start_time(self);
	ok(start > 0, "start time of this process");
	ok(engine_pid_alive_since(self, start), "alive with its start time");
	ok(engine_pid_alive_since(self, 0), "alive without a start time");
	ok(!engine_pid_alive_since(self, start + 1), "a different start time: a reused pid");
	return start;
}
