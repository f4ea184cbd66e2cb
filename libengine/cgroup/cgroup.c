/* cgroup.c: what every cgroup manager shares once the cgroup exists: its
 * files (reading, writing and checking the limits), stats, freeze, kill,
 * remove, and the "disabled" manager.  Which manager a container gets is
 * detect.c's business, the text the kernel and the flags give is
 * parse.c's; the managers themselves are in systemd.c and
 * fs.c. */
#include "libengine/cgroup/cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "common/proc.h"

/* ------------------------------------------------------------ files */

int engine_cgroup_read(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	size_t off = 0;
	while (off + 1 < size) {
		ssize_t n = read(fd, buf + off, size - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	return 0;
}

int engine_cgroup_write(const char *dir, const char *name, const char *value,
			struct engine_error **err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s", path);
	/* A cgroup file takes one value per write(2): no partial writes. */
	ssize_t n = write(fd, value, strlen(value));
	if (n < 0)
		return engine_error_errno(err, errno, "write '%s' to %s", value, path);
	return 0;
}

static void format_limit(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRId64, v);
}

int engine_cgroup_write_limits(const char *dir, const struct engine_cgroup_limits *l,
			       struct engine_error **err)
{
	char v[64];
	if (l->memory_low >= 0) {
		format_limit(l->memory_low, v, sizeof(v));
		if (engine_cgroup_write(dir, "memory.low", v, err) < 0)
			return -1;
	}
	if (l->memory_max >= 0) {
		format_limit(l->memory_max, v, sizeof(v));
		if (engine_cgroup_write(dir, "memory.max", v, err) < 0)
			return -1;
	}
	if (l->memory_swap_max != -1) {
		format_limit(l->memory_swap_max == -2 ? -1 : l->memory_swap_max, v, sizeof(v));
		if (engine_cgroup_write(dir, "memory.swap.max", v, err) < 0)
			return -1;
	}
	if (l->cpu_quota_us > 0) {
		engine_cgroup_format_cpu_max(l->cpu_quota_us, l->cpu_period_us, v, sizeof(v));
		if (engine_cgroup_write(dir, "cpu.max", v, err) < 0)
			return -1;
	}
	if (l->cpu_weight > 0) {
		snprintf(v, sizeof(v), "%" PRIu64, l->cpu_weight);
		if (engine_cgroup_write(dir, "cpu.weight", v, err) < 0)
			return -1;
	}
	if (l->cpuset_cpus != NULL &&
	    engine_cgroup_write(dir, "cpuset.cpus", l->cpuset_cpus, err) < 0)
		return -1;
	if (l->pids_max >= 0) {
		format_limit(l->pids_max == 0 ? -1 : l->pids_max, v, sizeof(v));
		if (engine_cgroup_write(dir, "pids.max", v, err) < 0)
			return -1;
	}
	return 0;
}

static int expect_file(const char *dir, const char *name, const char *want,
		       struct engine_error **err)
{
	char got[256];
	int r = engine_cgroup_read(dir, name, got, sizeof(got));
	if (r < 0)
		return engine_error_errno(err, -r, "%s/%s", dir, name);
	got[strcspn(got, "\n")] = '\0';
	if (strcmp(got, want) != 0)
		return engine_error_set(err, EIO, "%s/%s reads '%s', expected '%s'", dir, name, got,
					want);
	return 0;
}

int engine_cgroup_verify_limits(const struct engine_cgroup *cg,
				const struct engine_cgroup_limits *l, struct engine_error **err)
{
	char v[64];
	if (cg->path == NULL)
		return 0;
	if (l->memory_max >= 0) {
		/* The kernel rounds down to whole pages. */
		int64_t page = sysconf(_SC_PAGESIZE);
		format_limit(l->memory_max / page * page, v, sizeof(v));
		if (expect_file(cg->path, "memory.max", v, err) < 0)
			return -1;
	}
	if (l->memory_swap_max != -1) {
		int64_t page = sysconf(_SC_PAGESIZE);
		format_limit(l->memory_swap_max == -2 ? -1 : l->memory_swap_max / page * page, v,
			     sizeof(v));
		if (expect_file(cg->path, "memory.swap.max", v, err) < 0)
			return -1;
	}
	if (l->cpu_quota_us > 0) {
		engine_cgroup_format_cpu_max(l->cpu_quota_us, l->cpu_period_us, v, sizeof(v));
		if (expect_file(cg->path, "cpu.max", v, err) < 0)
			return -1;
	}
	if (l->cpu_weight > 0) {
		snprintf(v, sizeof(v), "%" PRIu64, l->cpu_weight);
		if (expect_file(cg->path, "cpu.weight", v, err) < 0)
			return -1;
	}
	if (l->pids_max >= 0) {
		format_limit(l->pids_max == 0 ? -1 : l->pids_max, v, sizeof(v));
		if (expect_file(cg->path, "pids.max", v, err) < 0)
			return -1;
	}
	if (l->memory_low >= 0) {
		int64_t page = sysconf(_SC_PAGESIZE);
		format_limit(l->memory_low / page * page, v, sizeof(v));
		if (expect_file(cg->path, "memory.low", v, err) < 0)
			return -1;
	}
	/* cpuset.cpus is not compared: the kernel rewrites "0,1" as "0-1". */
	return 0;
}

void engine_cgroup_limits_init(struct engine_cgroup_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->memory_max = -1;
	l->memory_swap_max = -1;
	l->memory_low = -1;
	l->pids_max = -1;
}

bool engine_cgroup_limits_any(const struct engine_cgroup_limits *l)
{
	return l->memory_max >= 0 || l->memory_swap_max != -1 || l->memory_low >= 0 ||
	       l->cpu_quota_us > 0 || l->cpu_weight > 0 || l->cpuset_cpus != NULL ||
	       l->pids_max >= 0;
}


/* ------------------------------------------------------------ using a cgroup */

int engine_cgroup_create(const struct engine_cgroup_detection *det, const char *id, pid_t pid,
			 const struct engine_cgroup_limits *limits, struct engine_cgroup *ret,
			 struct engine_error **err)
{
	memset(ret, 0, sizeof(*ret));
	const struct engine_cgroup_ops *ops = engine_cgroup_manager_ops(det->manager);
	if (ops->create(det, id, pid, limits, ret, err) < 0)
		return engine_error_prefix(err, "cgroup (%s)", ops->name);
	ret->ops = ops;
	return 0;
}

int engine_cgroup_open(const char *manager, const char *path, const char *unit,
		       struct engine_cgroup *ret, struct engine_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (manager == NULL || strcmp(manager, "disabled") == 0) {
		ret->ops = &engine_cgroup_disabled_ops;
		return 0;
	}
	if (strcmp(manager, "systemd") == 0)
		ret->ops = &engine_cgroup_systemd_ops;
	else if (strcmp(manager, "cgroupfs") == 0)
		ret->ops = &engine_cgroup_fs_ops;
	else
		return engine_error_set(err, EINVAL, "unknown cgroup manager '%s'", manager);
	if (path == NULL || strncmp(path, "/sys/fs/cgroup", 14) != 0 || strstr(path, "/../"))
		return engine_error_set(err, EINVAL, "bad cgroup path '%s'", path ? path : "");
	ret->path = strdup(path);
	ret->unit = unit ? strdup(unit) : NULL;
	if (ret->path == NULL || (unit && ret->unit == NULL)) {
		engine_cgroup_release(ret);
		return engine_error_set(err, ENOMEM, "cgroup");
	}
	return 0;
}

void engine_cgroup_release(struct engine_cgroup *cg)
{
	free(cg->path);
	free(cg->unit);
	cg->path = cg->unit = NULL;
}

static int no_cgroup(const struct engine_cgroup *cg, struct engine_error **err)
{
	return engine_error_set(err, ENOTSUP, "the container has no cgroup (cgroup manager %s)",
				cg->ops ? cg->ops->name : "disabled");
}

/* CONTROLLER.current, and CONTROLLER.max unless it says "max" (*RET_MAX
 * is then left as it is); false when the controller has no .current. */
static bool read_current_max(const char *path, const char *controller, uint64_t *ret_current,
			     int64_t *ret_max)
{
	char file[64], buf[64];
	snprintf(file, sizeof(file), "%s.current", controller);
	if (engine_cgroup_read(path, file, buf, sizeof(buf)) != 0)
		return false;
	*ret_current = strtoull(buf, NULL, 10);
	snprintf(file, sizeof(file), "%s.max", controller);
	if (engine_cgroup_read(path, file, buf, sizeof(buf)) == 0 && strncmp(buf, "max", 3) != 0)
		*ret_max = strtoll(buf, NULL, 10);
	return true;
}

int engine_cgroup_stats(const struct engine_cgroup *cg, struct engine_cgroup_stats *s,
			struct engine_error **err)
{
	memset(s, 0, sizeof(*s));
	s->memory_max = s->pids_max = -1;
	if (cg->path == NULL)
		return no_cgroup(cg, err);
	char buf[4096];
	int r = engine_cgroup_read(cg->path, "cgroup.procs", buf, 2);
	if (r < 0)
		return engine_error_errno(err, -r, "cgroup %s", cg->path);
	if (read_current_max(cg->path, "memory", &s->memory_current, &s->memory_max)) {
		s->have |= ENGINE_CGROUP_MEMORY;
		if (engine_cgroup_read(cg->path, "memory.events", buf, sizeof(buf)) == 0)
			engine_cgroup_parse_keyed(buf, "oom_kill", &s->memory_oom_kills);
	}
	/* cpu.stat is there even without the cpu controller (usage only). */
	if (engine_cgroup_read(cg->path, "cpu.stat", buf, sizeof(buf)) == 0) {
		s->have |= ENGINE_CGROUP_CPU;
		engine_cgroup_parse_keyed(buf, "usage_usec", &s->cpu_usage_usec);
		engine_cgroup_parse_keyed(buf, "user_usec", &s->cpu_user_usec);
		engine_cgroup_parse_keyed(buf, "system_usec", &s->cpu_system_usec);
	}
	if (read_current_max(cg->path, "pids", &s->pids_current, &s->pids_max))
		s->have |= ENGINE_CGROUP_PIDS;
	if (engine_cgroup_read(cg->path, "io.stat", buf, sizeof(buf)) == 0) {
		s->have |= ENGINE_CGROUP_IO;
		engine_cgroup_parse_io_stat(buf, &s->io_read_bytes, &s->io_write_bytes);
	}
	return 0;
}

/* Wait until cgroup.events has "KEY VALUE": the kernel signals a change of
 * the file with POLLPRI, so this sleeps rather than spins. */
static int wait_event(const char *dir, const char *key, uint64_t want, int timeout_ms,
		      struct engine_error **err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s", path);
	int64_t deadline = engine_monotonic_ms() + timeout_ms;
	for (;;) {
		char buf[512];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return engine_error_errno(err, errno, "read %s", path);
		buf[n] = '\0';
		uint64_t v;
		if (engine_cgroup_parse_keyed(buf, key, &v) < 0)
			return engine_error_set(err, ENOTSUP, "%s has no '%s'", path, key);
		if (v == want)
			return 0;
		int64_t left = deadline - engine_monotonic_ms();
		if (left <= 0)
			return engine_error_set(err, ETIMEDOUT, "%s: '%s' still %" PRIu64
						" after %d ms", path, key, v, timeout_ms);
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		/* Short slices too: a missed notification costs 50 ms, not the timeout. */
		poll(&p, 1, left < 50 ? (int)left : 50);
	}
}

int engine_cgroup_freeze(const struct engine_cgroup *cg, bool freeze, int timeout_ms,
			 struct engine_error **err)
{
	if (cg->path == NULL)
		return no_cgroup(cg, err);
	if (engine_cgroup_write(cg->path, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
		return -1;
	return wait_event(cg->path, "frozen", freeze ? 1 : 0, timeout_ms, err);
}

int engine_cgroup_populated(const struct engine_cgroup *cg, bool *ret, struct engine_error **err)
{
	if (cg->path == NULL)
		return no_cgroup(cg, err);
	char buf[512];
	uint64_t v = 0;
	int r = engine_cgroup_read(cg->path, "cgroup.events", buf, sizeof(buf));
	/* Gone, or removed between open and read (systemd drops an empty
	 * scope at once): nothing is left in it either way. */
	if (r == -ENOENT || r == -ENODEV) {
		*ret = false;
		return 0;
	}
	if (r < 0)
		return engine_error_errno(err, -r, "%s/cgroup.events", cg->path);
	engine_cgroup_parse_keyed(buf, "populated", &v);
	*ret = v != 0;
	return 0;
}

/* Signal every pid of DIR and of its children, depth first; returns how
 * many were signalled. */
static int kill_walk(const char *dir, int signal, int depth)
{
	int count = 0;
	/* On the heap: this recurses, and a cgroup may list many pids. */
	const size_t size = 65536;
	cleanup_free char *buf = malloc(size);
	if (depth > 32 || buf == NULL)
		return 0;
	if (engine_cgroup_read(dir, "cgroup.procs", buf, size) == 0) {
		for (char *p = buf; *p; ) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && kill((pid_t)pid, signal) == 0)
				count++;
			p = end;
			while (*p == '\n')
				p++;
		}
	}
	cleanup_dir DIR *d = engine_opendir_at(AT_FDCWD, dir);
	if (d == NULL)
		return count;
	struct dirent *e;
	while ((e = engine_readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char sub[PATH_MAX];
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < (int)sizeof(sub))
			count += kill_walk(sub, signal, depth + 1);
	}
	return count;
}

int engine_cgroup_kill(const struct engine_cgroup *cg, int signal, struct engine_error **err)
{
	if (cg->path == NULL)
		return no_cgroup(cg, err);
	if (signal == SIGKILL) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/cgroup.kill", cg->path);
		cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "1", 1) == 1)
			return 0;
		if (fd < 0 && errno == ENOENT && access(cg->path, F_OK) != 0)
			return 0; /* already gone */
		/* Before 5.14: a process may fork while we walk, so walk until
		 * nothing was left to signal (a frozen cgroup would stop that
		 * race, but SIGKILL reaches frozen tasks anyway). */
		for (int round = 0; round < 100; round++)
			if (kill_walk(cg->path, SIGKILL, 0) == 0)
				return 0;
		return engine_error_set(err, EBUSY, "%s: processes keep appearing", cg->path);
	}
	kill_walk(cg->path, signal, 0);
	return 0;
}

/* Remove DIR's child cgroups, deepest first (a delegated container may
 * have made its own). */
static void rmdir_children(const char *dir, int depth)
{
	if (depth > 32)
		return;
	cleanup_dir DIR *d = engine_opendir_at(AT_FDCWD, dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = engine_readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char sub[PATH_MAX];
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub))
			continue;
		rmdir_children(sub, depth + 1);
		rmdir(sub);
	}
}

int engine_cgroup_remove(struct engine_cgroup *cg, struct engine_error **err)
{
	if (cg->path == NULL) {
		engine_cgroup_release(cg);
		return 0;
	}
	if (access(cg->path, F_OK) == 0) {
		if (engine_cgroup_kill(cg, SIGKILL, err) < 0)
			return -1;
		/* A killed process leaves the cgroup only once it is reaped by
		 * its parent, which may be us: wait a while, not forever. */
		int64_t deadline = engine_monotonic_ms() + 5000;
		bool populated = true;
		while (engine_cgroup_populated(cg, &populated, NULL) == 0 && populated &&
		       engine_monotonic_ms() < deadline) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		rmdir_children(cg->path, 0);
	}
	int r = cg->ops && cg->ops->destroy ? cg->ops->destroy(cg, err) : 0;
	engine_cgroup_release(cg);
	return r;
}

/* ------------------------------------------------------------ disabled */

static int disabled_create(const struct engine_cgroup_detection *det, const char *id, pid_t pid,
			   const struct engine_cgroup_limits *limits, struct engine_cgroup *ret,
			   struct engine_error **err)
{
	(void)det, (void)id, (void)pid, (void)limits, (void)err;
	ret->path = NULL;
	return 0;
}

static int disabled_destroy(struct engine_cgroup *cg, struct engine_error **err)
{
	(void)cg, (void)err;
	return 0;
}

const struct engine_cgroup_ops engine_cgroup_disabled_ops = {
	.name = "disabled",
	.create = disabled_create,
	.destroy = disabled_destroy,
};
