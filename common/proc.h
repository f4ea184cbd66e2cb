/* proc.h: facts about other processes from /proc. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* PID exists and is not a zombie.  A zombie counts as gone: on machines
 * whose PID 1 reaps late, a killed process lingers as one, and whatever it
 * left behind (a staging directory, a claim) is already abandoned. */
bool engine_pid_alive(pid_t pid);
