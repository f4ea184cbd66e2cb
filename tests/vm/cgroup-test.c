/* cgroup-test.c: the cgroup managers against a real systemd and real
 * cgroup v2 controllers, which only the test VM has (tests/vm/image.sh;
 * this machine is a v1 hybrid).  Run as the lingering user "tester":
 *
 *   cgroup-test systemd     a transient scope from the user's manager
 *   cgroup-test cgroupfs    from inside `systemd-run --user -p Delegate=yes --scope`
 *
 * A forked "container" child obeys one-letter commands on a pipe, so that
 * what it does (fork until refused, allocate past the limit, spin) happens
 * inside the cgroup while this process checks the cgroup's files from
 * outside.  Output is TAP. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libengine/cgroup/cgroup.h"
#include "common/cleanup.h"
#include "tap.h"

static volatile uint64_t *counter; /* shared with the spinning grandchild */

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The container: reads a command, writes one line of result. */
static void child_main(int cmd, int res)
{
	char c;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (read(cmd, &c, 1) == 1) {
		char out[128];
		if (c == 'f') {
			/* Fork until the pids controller refuses. */
			pid_t kids[256];
			int n = 0, e = 0;
			while (n < 256) {
				pid_t p = fork();
				if (p == 0) {
					pause();
					_exit(0);
				}
				if (p < 0) {
					e = errno;
					break;
				}
				kids[n++] = p;
			}
			for (int i = 0; i < n; i++)
				kill(kids[i], SIGKILL);
			for (int i = 0; i < n; i++)
				waitpid(kids[i], NULL, 0);
			snprintf(out, sizeof(out), "%d %d\n", n, e);
		} else if (c == 'm') {
			/* 64 MiB, touched, in a grandchild: the OOM killer's victim. */
			pid_t p = fork();
			if (p == 0) {
				size_t size = 64u << 20;
				char *m = malloc(size);
				if (m != NULL)
					for (size_t i = 0; i < size; i += 4096)
						m[i] = 1;
				_exit(m ? 0 : 3);
			}
			int st = 0;
			waitpid(p, &st, 0);
			snprintf(out, sizeof(out), "%d %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0,
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		} else if (c == 's') {
			/* A counter that spins until killed. */
			if (fork() == 0)
				for (;;)
					(*counter)++;
			snprintf(out, sizeof(out), "spinning\n");
		} else {
			snprintf(out, sizeof(out), "?\n");
		}
		if (write(res, out, strlen(out)) < 0)
			_exit(1);
	}
	_exit(0);
}

static int ask(int cmd, int res, char c, char *out, size_t size)
{
	if (write(cmd, &c, 1) != 1)
		return -1;
	ssize_t n = read(res, out, size - 1);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

static void file_is(const char *dir, const char *name, const char *want)
{
	char buf[256];
	int r = engine_cgroup_read(dir, name, buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	is_str(r == 0 ? buf : strerror(-r), want, "%s reads %s", name, want);
}

static int run(const char *manager)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine_cgroup_detection det;
	int r = engine_cgroup_detect(strcmp(manager, "auto") == 0 ? NULL : manager, &det, &err);
	ok(r == 0, "detect (%s)%s%s", manager, err ? ": " : "", err ? err->msg : "");
	if (r < 0)
		return done_testing();
	printf("# layout %s, manager %s, own cgroup %s, controllers '%s'%s%s\n",
	       engine_cgroup_layout_name(det.layout), engine_cgroup_manager_name(det.manager),
	       det.own_path, det.controllers_text, det.reason[0] ? ", reason: " : "", det.reason);
	is_str(engine_cgroup_layout_name(det.layout), "v2", "cgroup v2 layout");
	unsigned want = ENGINE_CGROUP_CPU | ENGINE_CGROUP_MEMORY | ENGINE_CGROUP_PIDS;
	ok((det.controllers & want) == want, "cpu, memory and pids delegated ('%s')",
	   det.controllers_text);
	if (strcmp(manager, "auto") == 0) {
		is_str(engine_cgroup_manager_name(det.manager), "systemd",
		       "auto-detection picks systemd with a user manager");
		det.manager = ENGINE_CGROUP_MANAGER_SYSTEMD;
	}

	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int cmdp[2], resp[2];
	if (counter == MAP_FAILED || pipe2(cmdp, O_CLOEXEC) < 0 || pipe2(resp, O_CLOEXEC) < 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		close(cmdp[1]);
		close(resp[0]);
		child_main(cmdp[0], resp[1]);
	}
	close(cmdp[0]);
	close(resp[1]);

	struct engine_cgroup_limits l;
	engine_cgroup_limits_init(&l);
	l.memory_max = 32 << 20;
	l.memory_swap_max = 0;
	l.pids_max = 20;
	engine_cgroup_cpus_to_quota(0.5, 0, &l.cpu_quota_us);
	l.memory_low = 16 << 20;
	l.cpu_weight = engine_cgroup_shares_to_weight(512);
	l.cpuset_cpus = "0";
	char id[64];
	snprintf(id, sizeof(id), "vmtest-%s-%d", manager, (int)getpid());
	struct engine_cgroup cg;
	double t0 = now_s();
	r = engine_cgroup_create(&det, id, child, &l, &cg, &err);
	double created = now_s() - t0;
	ok(r == 0, "create the cgroup with the limits%s%s", err ? ": " : "", err ? err->msg : "");
	if (r < 0) {
		kill(child, SIGKILL);
		return done_testing();
	}
	printf("# %s: %s in %.1f ms\n", cg.ops->name, cg.path, created * 1000);
	if (strcmp(cg.ops->name, "systemd") == 0) {
		char unit[128];
		snprintf(unit, sizeof(unit), "engine-%s.scope", id);
		is_str(cg.unit, unit, "the scope is %s", unit);
	}
	file_is(cg.path, "memory.max", "33554432");
	file_is(cg.path, "memory.swap.max", "0");
	file_is(cg.path, "pids.max", "20");
	file_is(cg.path, "cpu.max", "50000 100000");
	file_is(cg.path, "memory.low", "16777216");
	file_is(cg.path, "cpu.weight", "20");
	file_is(cg.path, "cpuset.cpus", "0");
	char buf[4096], path[1024];
	snprintf(buf, sizeof(buf), "/proc/%d", (int)child);
	engine_cgroup_read(buf, "cgroup", buf, sizeof(buf));
	engine_cgroup_parse_proc_cgroup(buf, path, sizeof(path));
	ok(strstr(cg.path, path) != NULL && path[1] != '\0', "the child is in it (%s)", path);

	char out[128];
	int n = -1, e = -1;
	if (ask(cmdp[1], resp[0], 'f', out, sizeof(out)) == 0)
		sscanf(out, "%d %d", &n, &e);
	is_int(n + 1, 20, "a fork loop stops at pids.max 20 (the child and %d forks)", n);
	is_int(e, EAGAIN, "fork fails with EAGAIN");

	int sig = -1, code = -1;
	if (ask(cmdp[1], resp[0], 'm', out, sizeof(out)) == 0)
		sscanf(out, "%d %d", &sig, &code);
	is_int(sig, SIGKILL, "a 64 MiB allocation under memory.max 32M is killed (signal %d, exit %d)",
	       sig, code);
	engine_cgroup_read(cg.path, "memory.events", buf, sizeof(buf));
	uint64_t kills = 0;
	engine_cgroup_parse_keyed(buf, "oom_kill", &kills);
	ok(kills >= 1, "memory.events oom_kill = %" PRIu64, kills);

	ask(cmdp[1], resp[0], 's', out, sizeof(out));
	for (int i = 0; i < 200 && *counter == 0; i++)
		msleep(10);
	ok(*counter > 0, "the counter runs");
	struct engine_cgroup_stats s0, s1;
	engine_cgroup_stats(&cg, &s0, NULL);
	double w0 = now_s();
	msleep(2000);
	engine_cgroup_stats(&cg, &s1, NULL);
	double share = (double)(s1.cpu_usage_usec - s0.cpu_usage_usec) / 1e6 / (now_s() - w0);
	ok(share > 0.01 && share < 0.75, "a busy loop under --cpus 0.5 uses %.2f of a CPU", share);

	r = engine_cgroup_freeze(&cg, true, 5000, &err);
	ok(r == 0, "freeze%s%s", err ? ": " : "", err ? err->msg : "");
	engine_error_free(&err);
	uint64_t a = *counter;
	msleep(500);
	uint64_t b = *counter;
	is_int(b - a, 0, "frozen: the counter stops (%" PRIu64 ")", b);
	file_is(cg.path, "cgroup.freeze", "1");
	r = engine_cgroup_freeze(&cg, false, 5000, &err);
	ok(r == 0, "thaw%s%s", err ? ": " : "", err ? err->msg : "");
	engine_error_free(&err);
	msleep(500);
	ok(*counter > b, "thawed: the counter resumes (%" PRIu64 ")", *counter);

	/* Other signals go to each pid of cgroup.procs (the walk). */
	r = engine_cgroup_kill(&cg, SIGSTOP, &err);
	ok(r == 0, "SIGSTOP to every process");
	char state = '?';
	for (int i = 0; i < 200 && state != 'T'; i++) {
		char stat[512];
		snprintf(buf, sizeof(buf), "/proc/%d", (int)child);
		if (engine_cgroup_read(buf, "stat", stat, sizeof(stat)) == 0 && strrchr(stat, ')'))
			state = strrchr(stat, ')')[2];
		if (state != 'T')
			msleep(10);
	}
	is_int(state, 'T', "the child is stopped");
	engine_cgroup_kill(&cg, SIGCONT, NULL);

	struct engine_cgroup_stats st;
	r = engine_cgroup_stats(&cg, &st, &err);
	ok(r == 0, "stats");
	is_int(st.memory_max, 33554432, "stats: memory limit");
	is_int(st.pids_max, 20, "stats: pids limit");
	ok(st.pids_current >= 2, "stats: %" PRIu64 " pids", st.pids_current);
	ok(st.memory_current > 0, "stats: memory usage %" PRIu64, st.memory_current);
	ok(st.cpu_usage_usec > 0, "stats: cpu usage %" PRIu64 " us", st.cpu_usage_usec);
	ok(st.memory_oom_kills >= 1, "stats: oom kills %" PRIu64, st.memory_oom_kills);

	r = engine_cgroup_kill(&cg, SIGKILL, &err);
	ok(r == 0, "kill all%s%s", err ? ": " : "", err ? err->msg : "");
	engine_error_free(&err);
	int status = 0;
	waitpid(child, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child was killed");
	bool populated = true;
	for (int i = 0; i < 500 && populated; i++) {
		if (engine_cgroup_populated(&cg, &populated, NULL) < 0)
			break;
		if (populated)
			msleep(10);
	}
	ok(!populated, "kill all empties the cgroup");
	char gone[1024];
	snprintf(gone, sizeof(gone), "%s", cg.path);
	r = engine_cgroup_remove(&cg, &err);
	ok(r == 0, "remove%s%s", err ? ": " : "", err ? err->msg : "");
	struct stat sb;
	for (int i = 0; i < 500 && stat(gone, &sb) == 0; i++)
		msleep(10);
	ok(stat(gone, &sb) < 0, "the cgroup is gone");
	return done_testing();
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "systemd") != 0 && strcmp(argv[1], "cgroupfs") != 0 &&
			  strcmp(argv[1], "auto") != 0)) {
		fprintf(stderr, "usage: %s systemd|cgroupfs|auto\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run(argv[1]);
}
