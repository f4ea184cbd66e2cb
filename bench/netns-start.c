/* bench/netns-start.c: what the default network adds to a container's start
 * and end, measured at the library level (netns/) until run is wired:
 * slirp4netns from fork to "tap0 configured", the UDP relay's start, and
 * the teardown (slirp4netns exits ~30 ms after its exit fd closes: the
 * kernel unregistering tap0).  Medians of N rounds, each against a fresh
 * user+network namespace.
 *
 *   ninja -C build/dev && cc -O2 -D_GNU_SOURCE -Inetns -Icommon -Ibuild/dev \
 *       bench/netns-start.c build/dev/netns/libnetns.a build/dev/common/libcommon.a \
 *       -ljansson -o /var/tmp/netns-start && /var/tmp/netns-start 50
 *
 * Run it as the rootless test user (or root). */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns/slirp4netns.h"
#include "netns/udp-relay.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void write_map(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, text, strlen(text));
		close(fd);
	}
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30;
	if (n < 1)
		n = 1;
	double *start = calloc((size_t)n, sizeof(double)), *relay = calloc((size_t)n, sizeof(double)),
	       *teardown = calloc((size_t)n, sizeof(double));
	char sock[64];
	snprintf(sock, sizeof(sock), "/var/tmp/netns-start-%d.sock", (int)getpid());
	for (int i = 0; i < n; i++) {
		int p[2];
		char b;
		if (pipe(p) < 0)
			return 1;
		uid_t uid = getuid();
		gid_t gid = getgid();
		pid_t ns = fork();
		if (ns == 0) {
			char map[64];
			if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
				_exit(1);
			/* Mapped as a container's init would be (one id here). */
			snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
			write_map("/proc/self/uid_map", map);
			write_map("/proc/self/setgroups", "deny");
			snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
			write_map("/proc/self/gid_map", map);
			(void)!write(p[1], "x", 1);
			pause();
			_exit(0);
		}
		if (read(p[0], &b, 1) != 1)
			return 1;
		close(p[0]);
		close(p[1]);
		struct netns_slirp_options opts;
		netns_slirp_options_init(&opts);
		struct engine_error *err = NULL;
		struct netns_port_list ports = { 0 };
		netns_ports_parse(&ports, "127.0.0.1::80/udp", &err);
		netns_ports_allocate(&ports, &err);
		struct netns_slirp *s = NULL;
		struct netns_udp_relay *r = NULL;
		double t0 = now_ms();
		if (netns_slirp_start(ns, sock, &opts, 10000, &s, &err) < 0) {
			fprintf(stderr, "%s\n", err->msg);
			kill(ns, SIGKILL);
			return 1;
		}
		double t1 = now_ms();
		if (netns_udp_relay_start(ns, &ports, 10000, &r, &err) < 0) {
			fprintf(stderr, "%s\n", err->msg);
			netns_slirp_stop(s, 5000, &err);
			kill(ns, SIGKILL);
			return 1;
		}
		double t2 = now_ms();
		netns_udp_relay_stop(r, 5000, &err);
		netns_slirp_stop(s, 5000, &err);
		double t3 = now_ms();
		kill(ns, SIGKILL);
		waitpid(ns, NULL, 0);
		netns_port_list_clear(&ports);
		start[i] = t1 - t0;
		relay[i] = t2 - t1;
		teardown[i] = t3 - t2;
	}
	qsort(start, (size_t)n, sizeof(double), compare);
	qsort(relay, (size_t)n, sizeof(double), compare);
	qsort(teardown, (size_t)n, sizeof(double), compare);
	printf("n=%d medians: slirp4netns start to ready %.2f ms, udp relay start %.2f ms, "
	       "teardown (relay stop + slirp4netns exit) %.2f ms\n",
	       n, start[n / 2], relay[n / 2], teardown[n / 2]);
	return 0;
}
