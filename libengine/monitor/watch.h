/* watch.h: the monitor's watch loop once the container's command runs
 * (watch.c), what the engine-monitor program runs. */
#pragma once

/* ARGV holds KEY=VALUE arguments (monitor.c's exec_watch()); returns the
 * program's exit status. */
int engine_monitor_watch(int argc, char **argv);
