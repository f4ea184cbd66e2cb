/* engine-monitor.c: the program a detached container's monitor execs once
 * the command runs: libc only, so that an idle monitor costs little memory
 * (libengine/monitor/watch.c has the loop and says why). */
#include "libengine/monitor/watch.h"

int main(int argc, char **argv)
{
	return engine_monitor_watch(argc, argv);
}
