/* cgroup.c: which cgroup manager a container gets, and what every manager
 * shares once the cgroup exists (stats, freeze, kill, remove).
 *
 * Detection reads the kernel's own files, never the distribution: the
 * layout from /proc/self/mountinfo (cgroup2 at /sys/fs/cgroup is v2; v1
 * hierarchies with a cgroup2 mount beside them are the hybrid layout, where
 * every controller is bound to v1 and the v2 tree has none to give), our
 * own cgroup from /proc/self/cgroup, and the controllers delegated to us
 * from cgroup.controllers.  The managers themselves are in cgroup-systemd.c
 * and cgroup-fs.c. */
#include "cgroup.h"

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

#include "cleanup.h"
#include "dir.h"

/* ------------------------------------------------------------ parsers */

enum engine_cgroup_layout engine_cgroup_parse_mountinfo(const char *mountinfo, char *mountpoint,
							 size_t size)
{
	bool v1 = false, v2_root = false;
	char v2_at[256] = "";
	const char *line = mountinfo;
	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[4096];
		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			/* id parent major:minor root mountpoint options [optional...] - fstype source superopts */
			char *save = NULL, *f[5] = { 0 };
			char *t = strtok_r(buf, " ", &save);
			for (int i = 0; i < 5 && t; i++, t = strtok_r(NULL, " ", &save))
				f[i] = t;
			/* The separator is its own token: walk on to it. */
			while (t != NULL && strcmp(t, "-") != 0)
				t = strtok_r(NULL, " ", &save);
			char *fstype = t ? strtok_r(NULL, " ", &save) : NULL;
			if (fstype != NULL && f[4] != NULL) {
				if (strcmp(fstype, "cgroup") == 0) {
					v1 = true;
				} else if (strcmp(fstype, "cgroup2") == 0 && !v2_root) {
					/* /sys/fs/cgroup itself wins, then one below
					 * it (hybrid: unified/), then any other. */
					v2_root = strcmp(f[4], "/sys/fs/cgroup") == 0;
					if (v2_root || v2_at[0] == '\0' ||
					    strncmp(f[4], "/sys/fs/cgroup/", 15) == 0)
						snprintf(v2_at, sizeof(v2_at), "%s", f[4]);
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (mountpoint != NULL && size > 0)
		snprintf(mountpoint, size, "%s", v2_at);
	if (v2_root)
		return ENGINE_CGROUP_LAYOUT_V2;
	if (v1)
		return v2_at[0] ? ENGINE_CGROUP_LAYOUT_HYBRID : ENGINE_CGROUP_LAYOUT_V1;
	return v2_at[0] ? ENGINE_CGROUP_LAYOUT_V2 : ENGINE_CGROUP_LAYOUT_UNKNOWN;
}

int engine_cgroup_parse_proc_cgroup(const char *text, char *path, size_t size)
{
	const char *line = text;
	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len >= 3 && strncmp(line, "0::", 3) == 0) {
			if (len - 3 >= size)
				return -1;
			memcpy(path, line + 3, len - 3);
			path[len - 3] = '\0';
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned bit;
} controller_names[] = {
	{ "cpu", ENGINE_CGROUP_CPU },       { "cpuset", ENGINE_CGROUP_CPUSET },
	{ "io", ENGINE_CGROUP_IO },         { "memory", ENGINE_CGROUP_MEMORY },
	{ "pids", ENGINE_CGROUP_PIDS },
};

unsigned engine_cgroup_parse_controllers(const char *text)
{
	unsigned mask = 0;
	const char *p = text;
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		size_t n = strcspn(p, " \n\t");
		if (n == 0)
			break;
		for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
			if (strlen(controller_names[i].name) == n &&
			    strncmp(p, controller_names[i].name, n) == 0)
				mask |= controller_names[i].bit;
		p += n;
	}
	return mask;
}

static void controllers_to_text(unsigned mask, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
		if ((mask & controller_names[i].bit) && off < size)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? " " : "",
						controller_names[i].name);
}

int engine_cgroup_cpus_to_quota(double cpus, uint64_t period, uint64_t *quota)
{
	if (period == 0)
		period = 100000;
	/* The kernel takes quotas of 1 ms and up; more CPUs than 2^20 is a typo. */
	if (!(cpus > 0) || cpus > 1048576.0 || !isfinite(cpus))
		return -1;
	double q = cpus * (double)period;
	uint64_t v = (uint64_t)(q + 0.5); /* no libm for llround */
	if (v < 1000)
		v = 1000;
	*quota = v;
	return 0;
}

void engine_cgroup_format_cpu_max(uint64_t quota, uint64_t period, char *buf, size_t size)
{
	if (period == 0)
		period = 100000;
	if (quota == 0)
		snprintf(buf, size, "max %" PRIu64, period);
	else
		snprintf(buf, size, "%" PRIu64 " %" PRIu64, quota, period);
}

int engine_parse_memory_size(const char *text, int64_t *bytes)
{
	/* go-units RAMInBytes: a number, an optional space, an optional unit
	 * letter, an optional "i", an optional "b"; units are powers of 1024. */
	const char *p = text;
	if (p == NULL || !isdigit((unsigned char)*p))
		return -1;
	char *end = NULL;
	errno = 0;
	double v = strtod(p, &end);
	if (errno != 0 || end == p || !isfinite(v) || v < 0)
		return -1;
	/* strtod takes hex, exponents and "inf": allow digits and one '.' only. */
	for (const char *q = p; q < end; q++)
		if (!isdigit((unsigned char)*q) && *q != '.')
			return -1;
	p = end;
	if (*p == ' ')
		p++;
	double mult = 1;
	switch (tolower((unsigned char)*p)) {
	case 'k': mult = 1024.0; p++; break;
	case 'm': mult = 1024.0 * 1024; p++; break;
	case 'g': mult = 1024.0 * 1024 * 1024; p++; break;
	case 't': mult = 1024.0 * 1024 * 1024 * 1024; p++; break;
	case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; p++; break;
	default: break;
	}
	if (mult > 1 && tolower((unsigned char)*p) == 'i')
		p++;
	if (tolower((unsigned char)*p) == 'b')
		p++;
	if (*p != '\0')
		return -1;
	double r = v * mult;
	if (r >= 9.2e18)
		return -1;
	*bytes = (int64_t)r;
	return 0;
}

uint64_t engine_cgroup_shares_to_weight(uint64_t shares)
{
	/* crun's and runc's mapping of [2, 262144] onto [1, 10000]. */
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

int engine_cgroup_parse_cpuset(const char *text, uint8_t *mask, size_t size)
{
	memset(mask, 0, size);
	int used = 0;
	const char *p = text;
	if (p == NULL || *p == '\0')
		return -1;
	while (*p != '\0') {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned long a = strtoul(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (b < a || b / 8 >= size)
			return -1;
		for (unsigned long c = a; c <= b; c++)
			mask[c / 8] |= (uint8_t)(1u << (c % 8));
		if ((int)(b / 8) + 1 > used)
			used = (int)(b / 8) + 1;
		if (*p == ',')
			p++;
		else if (*p != '\0' && *p != '\n')
			return -1;
		else if (*p == '\n')
			break;
	}
	return used;
}

void engine_cgroup_parse_io_stat(const char *text, uint64_t *read_bytes, uint64_t *write_bytes)
{
	*read_bytes = *write_bytes = 0;
	for (const char *p = text; p != NULL && *p; p = strpbrk(p, " \n")) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (strncmp(p, "rbytes=", 7) == 0)
			*read_bytes += strtoull(p + 7, NULL, 10);
		else if (strncmp(p, "wbytes=", 7) == 0)
			*write_bytes += strtoull(p + 7, NULL, 10);
		if (*p == '\0')
			break;
	}
}

int engine_cgroup_parse_keyed(const char *text, const char *key, uint64_t *value)
{
	size_t kl = strlen(key);
	for (const char *line = text; line != NULL && *line; ) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*value = strtoull(line + kl + 1, NULL, 10);
			return 0;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return -1;
}

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

/* ------------------------------------------------------------ detection */

const char *engine_cgroup_layout_name(enum engine_cgroup_layout layout)
{
	switch (layout) {
	case ENGINE_CGROUP_LAYOUT_V1: return "v1";
	case ENGINE_CGROUP_LAYOUT_HYBRID: return "hybrid";
	case ENGINE_CGROUP_LAYOUT_V2: return "v2";
	default: return "unknown";
	}
}

const char *engine_cgroup_manager_name(enum engine_cgroup_manager manager)
{
	return engine_cgroup_manager_ops(manager)->name;
}

const struct engine_cgroup_ops *engine_cgroup_manager_ops(enum engine_cgroup_manager manager)
{
	switch (manager) {
	case ENGINE_CGROUP_MANAGER_SYSTEMD: return &engine_cgroup_systemd_ops;
	case ENGINE_CGROUP_MANAGER_CGROUPFS: return &engine_cgroup_fs_ops;
	default: return &engine_cgroup_disabled_ops;
	}
}

static int read_small(const char *path, char *buf, size_t size)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	ssize_t n;
	while (off + 1 < size && (n = read(fd, buf + off, size - 1 - off)) > 0)
		off += (size_t)n;
	buf[off] = '\0';
	return 0;
}

static const char delegation_hint[] =
	"give the user's systemd manager the controllers: mkdir -p "
	"/etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory "
	"pids\\n' > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload, "
	"then log in again (or loginctl enable-linger USER)";

int engine_cgroup_detect(const char *override, struct engine_cgroup_detection *d,
			 struct engine_error **err)
{
	memset(d, 0, sizeof(*d));
	if (override != NULL && strcmp(override, "systemd") != 0 &&
	    strcmp(override, "cgroupfs") != 0 && strcmp(override, "disabled") != 0)
		return engine_error_set(err, EINVAL,
					"cgroup manager '%s': expected systemd, cgroupfs or disabled",
					override);

	/* mountinfo is the size of the mount table: read it whole. */
	cleanup_free char *mi = NULL;
	size_t cap = 0, len = 0;
	{
		cleanup_close int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
		ssize_t n = 0;
		if (fd >= 0) {
			do {
				if (len + 4096 + 1 > cap) {
					char *p = realloc(mi, cap = cap ? cap * 2 : 16384);
					if (p == NULL)
						return engine_error_set(err, ENOMEM, "read mountinfo");
					mi = p;
				}
				n = read(fd, mi + len, cap - len - 1);
				if (n > 0)
					len += (size_t)n;
			} while (n > 0);
			mi[len] = '\0';
		}
	}
	d->layout = mi ? engine_cgroup_parse_mountinfo(mi, d->mountpoint, sizeof(d->mountpoint))
		       : ENGINE_CGROUP_LAYOUT_UNKNOWN;

	char buf[4096];
	uid_t uid = geteuid();
	if (d->mountpoint[0] && read_small("/proc/self/cgroup", buf, sizeof(buf)) == 0)
		engine_cgroup_parse_proc_cgroup(buf, d->own_path, sizeof(d->own_path));

	/* The systemd manager: the user's session bus, or the system's for root. */
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char bus[PATH_MAX];
	if (uid == 0) /* sd_bus_open_system()'s default address */
		snprintf(bus, sizeof(bus), "/run/dbus/system_bus_socket");
	else
		snprintf(bus, sizeof(bus), "%s/bus", xdg && *xdg ? xdg : "/nonexistent");
	struct stat st;
	d->systemd_bus = stat(bus, &st) == 0 && S_ISSOCK(st.st_mode) &&
			 access("/run/systemd/system", F_OK) == 0;

	unsigned systemd_ctl = 0, own_ctl = 0;
	if (d->layout == ENGINE_CGROUP_LAYOUT_V2) {
		char dir[PATH_MAX];
		/* What the user's manager got: user@UID.service's cgroup.controllers
		 * (root: the root cgroup's). */
		if (uid == 0)
			snprintf(dir, sizeof(dir), "%s", d->mountpoint);
		else
			snprintf(dir, sizeof(dir), "%s/user.slice/user-%u.slice/user@%u.service",
				 d->mountpoint, (unsigned)uid, (unsigned)uid);
		if (engine_cgroup_read(dir, "cgroup.controllers", buf, sizeof(buf)) == 0)
			systemd_ctl = engine_cgroup_parse_controllers(buf);
		/* Our own cgroup: delegated when we may create children and move
		 * processes in it (owned by us, or root). */
		if (d->own_path[0]) {
			snprintf(dir, sizeof(dir), "%s%s", d->mountpoint,
				 strcmp(d->own_path, "/") == 0 ? "" : d->own_path);
			if (stat(dir, &st) == 0 && (uid == 0 || st.st_uid == uid) &&
			    access(dir, W_OK) == 0) {
				char procs[PATH_MAX + 16];
				snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
				d->own_delegated = access(procs, W_OK) == 0;
			}
			if (d->own_delegated &&
			    engine_cgroup_read(dir, "cgroup.controllers", buf, sizeof(buf)) == 0)
				own_ctl = engine_cgroup_parse_controllers(buf);
		}
	}

	bool systemd_ok = d->layout == ENGINE_CGROUP_LAYOUT_V2 && d->systemd_bus;
	bool fs_ok = d->layout == ENGINE_CGROUP_LAYOUT_V2 && d->own_delegated;
	const char *want = override;
	if (want == NULL) {
		/* systemd first, as Podman does: the scope survives us and systemd
		 * knows about it; cgroupfs only where we already own a subtree;
		 * and a manager without any controller is no better than none. */
		if (systemd_ok && systemd_ctl != 0)
			want = "systemd";
		else if (fs_ok && own_ctl != 0)
			want = "cgroupfs";
		else
			want = "disabled";
	}

	if (strcmp(want, "systemd") == 0) {
		if (!systemd_ok)
			return engine_error_set(
				err, ENOTSUP, "cgroup manager systemd: %s",
				d->layout != ENGINE_CGROUP_LAYOUT_V2
					? "needs cgroup v2"
					: "no systemd manager reachable (no $XDG_RUNTIME_DIR/bus)");
		d->manager = ENGINE_CGROUP_MANAGER_SYSTEMD;
		d->controllers = systemd_ctl;
	} else if (strcmp(want, "cgroupfs") == 0) {
		if (!fs_ok)
			return engine_error_set(
				err, ENOTSUP, "cgroup manager cgroupfs: %s",
				d->layout != ENGINE_CGROUP_LAYOUT_V2
					? "needs cgroup v2"
					: "the current cgroup is not delegated to this user");
		d->manager = ENGINE_CGROUP_MANAGER_CGROUPFS;
		d->controllers = own_ctl;
	} else {
		d->manager = ENGINE_CGROUP_MANAGER_DISABLED;
	}
	controllers_to_text(d->controllers, d->controllers_text, sizeof(d->controllers_text));

	if (d->manager == ENGINE_CGROUP_MANAGER_DISABLED) {
		switch (d->layout) {
		case ENGINE_CGROUP_LAYOUT_HYBRID:
			snprintf(d->reason, sizeof(d->reason),
				 "cgroup v1 hybrid hierarchy: no cgroup v2 controllers; limits need a "
				 "cgroup v2 host with systemd user delegation");
			snprintf(d->hint, sizeof(d->hint),
				 "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2 only), then %s",
				 delegation_hint);
			break;
		case ENGINE_CGROUP_LAYOUT_V1:
		case ENGINE_CGROUP_LAYOUT_UNKNOWN:
			snprintf(d->reason, sizeof(d->reason),
				 "cgroup %s hierarchy: limits need a cgroup v2 host with systemd user "
				 "delegation",
				 d->layout == ENGINE_CGROUP_LAYOUT_V1 ? "v1" : "(no cgroup mount)");
			snprintf(d->hint, sizeof(d->hint),
				 "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2 only), then %s",
				 delegation_hint);
			break;
		case ENGINE_CGROUP_LAYOUT_V2:
			if (override != NULL)
				snprintf(d->reason, sizeof(d->reason), "cgroups disabled on request");
			else if (d->systemd_bus)
				snprintf(d->reason, sizeof(d->reason),
					 "cgroup v2: no controllers delegated to user@%u.service",
					 (unsigned)uid);
			else
				snprintf(d->reason, sizeof(d->reason),
					 "cgroup v2: no systemd user manager (%.160s missing) and cgroup "
					 "%.160s is not delegated to uid %u",
					 bus, d->own_path[0] ? d->own_path : "?", (unsigned)uid);
			if (override == NULL)
				snprintf(d->hint, sizeof(d->hint), "%s", delegation_hint);
			break;
		}
	}
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

/* ------------------------------------------------------------ --cgroup-parent */

/* systemd's rules for a slice's name (unit_name_is_valid and
 * slice_name_is_valid): unit-name characters, ".slice" at the end, and
 * dashes that only separate the levels ("a-b.slice" is in "a.slice"). */
static const char *slice_name_problem(const char *name)
{
	size_t n = strlen(name);
	if (n >= 256)
		return "longer than systemd's 255 characters";
	if (n <= 6 || strcmp(name + n - 6, ".slice") != 0)
		return "the systemd cgroup manager takes a slice name ending in .slice (like my.slice)";
	for (size_t i = 0; i < n - 6; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ':' || c == '-' || c == '_' || c == '.' || c == '\\'))
			return "a slice name has only letters, digits and : - _ . \\";
	}
	if (name[0] == '-' || name[n - 7] == '-' || strstr(name, "--") != NULL)
		return "a dash in a slice name separates two levels (a-b.slice), it cannot lead, "
		       "trail or repeat";
	return NULL;
}

void engine_cgroup_fs_base(const struct engine_cgroup_detection *det, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", det->mountpoint,
		 strcmp(det->own_path, "/") == 0 ? "" : det->own_path);
	/* Our own cgroup may be engine-init already (a second container from
	 * the same process): the containers are its siblings. */
	size_t bl = strlen(buf);
	if (bl > 12 && strcmp(buf + bl - 12, "/engine-init") == 0)
		buf[bl - 12] = '\0';
}

/* A cgroupfs parent: the components below the delegated cgroup, joined
 * with single slashes into OUT.  An absolute path must name a cgroup
 * inside the delegated one (it is made relative); "." and ".." are
 * refused outright rather than resolved, as a path that climbs and comes
 * back down is more likely a mistake than a wish. */
static int fs_parent(const struct engine_cgroup_detection *det, const char *parent, char *out,
		     size_t size, struct engine_error **err)
{
	char base[1024];
	engine_cgroup_fs_base(det, base, sizeof(base));
	const char *own = base + strlen(det->mountpoint); /* "" for the root */
	const char *p = parent;
	if (*p == '/') {
		size_t ol = strlen(own);
		if (strncmp(p, own, ol) != 0 || (p[ol] != '/' && p[ol] != '\0'))
			return engine_error_setting(err, "cgroup parent", EINVAL,
						"cgroup parent %s: outside the delegated cgroup %s",
						parent, *own ? own : "/");
		p += ol;
	}
	size_t o = 0;
	out[0] = '\0';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return engine_error_setting(err, "cgroup parent", EINVAL,
						"cgroup parent %s: \"%.*s\" is not allowed: the parent is a "
						"path below the delegated cgroup %s",
						parent, (int)len, p, *own ? own : "/");
		/* engine-init holds the processes of the delegated cgroup:
		 * below it, no controller could be enabled. */
		if (o == 0 && len == 11 && strncmp(p, "engine-init", 11) == 0)
			return engine_error_setting(err, "cgroup parent", EINVAL,
						"cgroup parent %s: engine-init is the engine's own leaf cgroup",
						parent);
		if (o + len + 2 > size)
			return engine_error_setting(err, "cgroup parent", ENAMETOOLONG, "cgroup parent %s: too long",
						parent);
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, p, len);
		o += len;
		out[o] = '\0';
		p += len;
	}
	if (o == 0)
		return engine_error_setting(err, "cgroup parent", EINVAL,
					"cgroup parent %s: names the delegated cgroup itself, not a "
					"cgroup below it",
					parent);
	return 0;
}

int engine_cgroup_check_parent(struct engine_cgroup_detection *det, const char *parent,
			       struct engine_error **err)
{
	det->parent[0] = '\0';
	if (parent == NULL || *parent == '\0')
		return 0;
	if (strchr(parent, '\n') != NULL)
		return engine_error_setting(err, "cgroup parent", EINVAL, "cgroup parent: a newline in the name");
	switch (det->manager) {
	case ENGINE_CGROUP_MANAGER_SYSTEMD: {
		const char *why = slice_name_problem(parent);
		if (why != NULL)
			return engine_error_setting(err, "cgroup parent", EINVAL, "cgroup parent %s: %s", parent, why);
		snprintf(det->parent, sizeof(det->parent), "%s", parent);
		return 0;
	}
	case ENGINE_CGROUP_MANAGER_CGROUPFS:
		return fs_parent(det, parent, det->parent, sizeof(det->parent), err);
	case ENGINE_CGROUP_MANAGER_DISABLED:
		break;
	}
	return 0; /* disabled: ignored, the CLI says so */
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
	if (engine_cgroup_read(cg->path, "memory.current", buf, sizeof(buf)) == 0) {
		s->have |= ENGINE_CGROUP_MEMORY;
		s->memory_current = strtoull(buf, NULL, 10);
		if (engine_cgroup_read(cg->path, "memory.max", buf, sizeof(buf)) == 0 &&
		    strncmp(buf, "max", 3) != 0)
			s->memory_max = strtoll(buf, NULL, 10);
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
	if (engine_cgroup_read(cg->path, "pids.current", buf, sizeof(buf)) == 0) {
		s->have |= ENGINE_CGROUP_PIDS;
		s->pids_current = strtoull(buf, NULL, 10);
		if (engine_cgroup_read(cg->path, "pids.max", buf, sizeof(buf)) == 0 &&
		    strncmp(buf, "max", 3) != 0)
			s->pids_max = strtoll(buf, NULL, 10);
	}
	if (engine_cgroup_read(cg->path, "io.stat", buf, sizeof(buf)) == 0) {
		s->have |= ENGINE_CGROUP_IO;
		engine_cgroup_parse_io_stat(buf, &s->io_read_bytes, &s->io_write_bytes);
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	int64_t deadline = now_ms() + timeout_ms;
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
		int64_t left = deadline - now_ms();
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
		int64_t deadline = now_ms() + 5000;
		bool populated = true;
		while (engine_cgroup_populated(cg, &populated, NULL) == 0 && populated &&
		       now_ms() < deadline) {
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
