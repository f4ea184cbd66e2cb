/* cgroup.h: the cgroup manager behind one ops table.
 *
 * Where the limits of a container (--memory, --cpus, --pids-limit...) can
 * come from depends on the host, and a rootless engine owns no cgroup of
 * its own unless something delegated one to it:
 *   systemd   the user's systemd manager (its D-Bus session bus in
 *             $XDG_RUNTIME_DIR/bus) creates a transient scope
 *             engine-ID.scope with Delegate=yes and the limits as unit
 *             properties: the way Podman and crun do it;
 *   cgroupfs  the process already sits in a cgroup v2 subtree its user
 *             owns (inside a Delegate=yes unit): a child cgroup per
 *             container, limits written to its files;
 *   disabled  cgroup v1, hybrid, or nothing delegated: containers still
 *             run, limits are not applied, and `reason` says why in one
 *             line the CLI prints as a warning.
 * engine_cgroup_detect() picks one (overridable, as --cgroup-manager), the
 * others use the struct engine_cgroup it returns, or one reopened from the
 * path the container's state recorded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum engine_cgroup_layout {
	ENGINE_CGROUP_LAYOUT_UNKNOWN = 0,
	ENGINE_CGROUP_LAYOUT_V1,     /* only v1 hierarchies */
	ENGINE_CGROUP_LAYOUT_HYBRID, /* v1 hierarchies plus a cgroup2 mount (unified/) */
	ENGINE_CGROUP_LAYOUT_V2,     /* cgroup2 at /sys/fs/cgroup */
};

enum engine_cgroup_manager {
	ENGINE_CGROUP_MANAGER_DISABLED = 0,
	ENGINE_CGROUP_MANAGER_SYSTEMD,
	ENGINE_CGROUP_MANAGER_CGROUPFS,
};

/* The controllers the engine knows how to use, as a bit mask. */
enum {
	ENGINE_CGROUP_CPU = 1 << 0,
	ENGINE_CGROUP_CPUSET = 1 << 1,
	ENGINE_CGROUP_IO = 1 << 2,
	ENGINE_CGROUP_MEMORY = 1 << 3,
	ENGINE_CGROUP_PIDS = 1 << 4,
};

struct engine_cgroup_detection {
	enum engine_cgroup_layout layout;
	enum engine_cgroup_manager manager; /* the one chosen */
	char mountpoint[256];  /* the cgroup2 mount ("" when none) */
	char own_path[1024];   /* this process's cgroup v2 path, e.g. /user.slice/... */
	/* Controllers available to the user: in user@UID.service's cgroup
	 * (systemd) or in the process's own delegated cgroup (cgroupfs). */
	unsigned controllers;
	char controllers_text[128]; /* the same, as the kernel lists them */
	bool systemd_bus;     /* the user's (root: the system's) systemd is reachable */
	bool own_delegated;   /* own_path is a v2 cgroup this uid may write */
	char reason[512];     /* when disabled: why, in one line */
	char hint[512];       /* when disabled: how to get delegation ("" when none) */
	/* --cgroup-parent, checked by engine_cgroup_check_parent() for the
	 * manager chosen: systemd, the slice the scope goes into; cgroupfs,
	 * the path below the delegated cgroup, relative; "" the default. */
	char parent[256];
};

/* Limits as the run flags give them; a field left at its "unset" value is
 * not applied.  engine_cgroup_limits_init() sets them all to unset. */
struct engine_cgroup_limits {
	int64_t memory_max;       /* bytes, -1 unset (--memory) */
	int64_t memory_swap_max;  /* bytes of swap on top of memory_max, -1 unset, -2 unlimited */
	int64_t memory_low;       /* bytes, -1 unset (--memory-reservation) */
	uint64_t cpu_quota_us;    /* 0 unset (--cpus, --cpu-quota) */
	uint64_t cpu_period_us;   /* 0: 100000 */
	uint64_t cpu_weight;      /* 1..10000, 0 unset (--cpu-shares converted) */
	const char *cpuset_cpus;  /* "0-1,3", NULL unset (--cpuset-cpus) */
	int64_t pids_max;         /* -1 unset, 0 unlimited (--pids-limit) */
};

struct engine_cgroup_ops;

/* One container's cgroup.  `path` is absolute (/sys/fs/cgroup/...): what
 * the state records and engine_cgroup_open() takes back. */
struct engine_cgroup {
	const struct engine_cgroup_ops *ops;
	char *path;
	char *unit; /* systemd: the scope's name, else NULL */
};

struct engine_cgroup_ops {
	const char *name; /* "systemd", "cgroupfs", "disabled" */
	/* Put PID (already started, not yet exec'ing the user's command) in a
	 * new cgroup for container ID with LIMITS, then check the limits in
	 * the cgroup's files. */
	int (*create)(const struct engine_cgroup_detection *det, const char *id, pid_t pid,
		      const struct engine_cgroup_limits *limits, struct engine_cgroup *ret,
		      struct engine_error **err);
	/* Release what create made; the cgroup must be empty. */
	int (*destroy)(struct engine_cgroup *cg, struct engine_error **err);
};

extern const struct engine_cgroup_ops engine_cgroup_systemd_ops;
extern const struct engine_cgroup_ops engine_cgroup_fs_ops;
extern const struct engine_cgroup_ops engine_cgroup_disabled_ops;

const char *engine_cgroup_layout_name(enum engine_cgroup_layout layout);
const char *engine_cgroup_manager_name(enum engine_cgroup_manager manager);
const struct engine_cgroup_ops *engine_cgroup_manager_ops(enum engine_cgroup_manager manager);

/* Detect the layout and delegation and choose a manager.  OVERRIDE is
 * NULL (detect), "systemd", "cgroupfs" or "disabled"; asking for one that
 * cannot work here is an error naming why.  Never fails for "disabled". */
int engine_cgroup_detect(const char *override, struct engine_cgroup_detection *ret,
			 struct engine_error **err);

void engine_cgroup_limits_init(struct engine_cgroup_limits *limits);
bool engine_cgroup_limits_any(const struct engine_cgroup_limits *limits);

/* Create the container's cgroup with the chosen manager (det->manager).
 * With "disabled" it succeeds, leaves ret->path NULL and applies nothing. */
int engine_cgroup_create(const struct engine_cgroup_detection *det, const char *id, pid_t pid,
			 const struct engine_cgroup_limits *limits, struct engine_cgroup *ret,
			 struct engine_error **err);
/* Reopen a container's cgroup from its recorded manager name and path. */
int engine_cgroup_open(const char *manager, const char *path, const char *unit,
		       struct engine_cgroup *ret, struct engine_error **err);
/* Free the strings (not the cgroup itself: see engine_cgroup_remove). */
void engine_cgroup_release(struct engine_cgroup *cg);

/* Read back memory.max, memory.swap.max, memory.low, cpu.max, cpu.weight,
 * cpuset.cpus and pids.max and fail naming the first that differs. */
int engine_cgroup_verify_limits(const struct engine_cgroup *cg,
				const struct engine_cgroup_limits *limits, struct engine_error **err);

struct engine_cgroup_stats {
	uint64_t memory_current;
	int64_t memory_max;   /* -1: "max" */
	uint64_t memory_oom_kills; /* memory.events oom_kill */
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t pids_current;
	int64_t pids_max;     /* -1: "max" */
	uint64_t io_read_bytes, io_write_bytes;
	unsigned have;        /* ENGINE_CGROUP_* bits whose files were there */
};
int engine_cgroup_stats(const struct engine_cgroup *cg, struct engine_cgroup_stats *ret,
			struct engine_error **err);

/* Freeze (cgroup.freeze 1) or thaw, then wait until cgroup.events says
 * "frozen 1"/"frozen 0", at most TIMEOUT_MS. */
int engine_cgroup_freeze(const struct engine_cgroup *cg, bool freeze, int timeout_ms,
			 struct engine_error **err);
/* Send SIGNAL to every process in the cgroup and its children: SIGKILL
 * through cgroup.kill when the kernel has it (nothing can fork away),
 * else by walking cgroup.procs until it is empty. */
int engine_cgroup_kill(const struct engine_cgroup *cg, int signal, struct engine_error **err);
/* Is any process left in the cgroup or below ("populated" in cgroup.events)? */
int engine_cgroup_populated(const struct engine_cgroup *cg, bool *ret, struct engine_error **err);
/* Kill what is left, remove child cgroups and the cgroup (through the
 * manager's destroy), and release CG.  Missing cgroups are not an error. */
int engine_cgroup_remove(struct engine_cgroup *cg, struct engine_error **err);

/* --- parsers, exposed for the unit tests and for run-args --- */

/* --cgroup-parent PARENT for MANAGER, made into what DET->parent holds.
 * systemd: a slice name ("my.slice", "a-b.slice": systemd makes the
 * parents), unit-name characters only; cgroupfs: a path below the
 * delegated cgroup DET describes, relative or absolute within it, with no
 * "." or ".." component; disabled: taken and ignored.  Fails with one line
 * naming PARENT and what is wrong with it. */
int engine_cgroup_check_parent(struct engine_cgroup_detection *det, const char *parent,
			       struct engine_error **err);
/* Where the cgroupfs manager makes container cgroups: the delegated cgroup
 * (our own, or its parent when we already sit in its engine-init leaf). */
void engine_cgroup_fs_base(const struct engine_cgroup_detection *det, char *buf, size_t size);

/* Layout from the text of /proc/self/mountinfo; MOUNTPOINT (may be NULL)
 * gets the cgroup2 mount point. */
enum engine_cgroup_layout engine_cgroup_parse_mountinfo(const char *mountinfo, char *mountpoint,
							 size_t size);
/* The "0::PATH" line of /proc/PID/cgroup; -1 when there is none (v1 only). */
int engine_cgroup_parse_proc_cgroup(const char *text, char *path, size_t size);
/* A cgroup.controllers (or subtree_control) line into ENGINE_CGROUP_* bits. */
unsigned engine_cgroup_parse_controllers(const char *text);
/* --cpus 0.5 -> quota 50000 with PERIOD 100000 (0 = default); -1 on a
 * value out of range (<= 0, or more than the machine could hold). */
int engine_cgroup_cpus_to_quota(double cpus, uint64_t period, uint64_t *quota);
/* The cpu.max line: "50000 100000", or "max 100000" for quota 0. */
void engine_cgroup_format_cpu_max(uint64_t quota, uint64_t period, char *buf, size_t size);
/* Docker's memory sizes: "32m", "1g", "512k", "1.5g", "100", "64MiB",
 * units of 1024; -1 on anything else or on overflow. */
int engine_parse_memory_size(const char *text, int64_t *bytes);
/* Docker's --cpu-shares (2..262144, 1024 default) to cgroup v2 cpu.weight
 * (1..10000), the conversion crun and runc use. */
uint64_t engine_cgroup_shares_to_weight(uint64_t shares);
/* "0-2,5" into a little-endian CPU bit mask (systemd's AllowedCPUs);
 * returns the number of bytes used, -1 on bad syntax. */
int engine_cgroup_parse_cpuset(const char *text, uint8_t *mask, size_t size);
/* Sum of rbytes= / wbytes= over the lines of io.stat. */
void engine_cgroup_parse_io_stat(const char *text, uint64_t *read_bytes, uint64_t *write_bytes);
/* The value of KEY in a flat-keyed file (cpu.stat, memory.events); -1 when absent. */
int engine_cgroup_parse_keyed(const char *text, const char *key, uint64_t *value);

/* --- shared by cgroup.c, cgroup-fs.c and cgroup-systemd.c --- */

/* Read cgroup file NAME under DIR (absolute) into BUF (NUL-terminated,
 * trailing newline kept); -errno on failure, no error set. */
int engine_cgroup_read(const char *dir, const char *name, char *buf, size_t size);
/* Write VALUE to NAME under DIR; on failure sets an error naming the file. */
int engine_cgroup_write(const char *dir, const char *name, const char *value,
			struct engine_error **err);
/* Write LIMITS into the cgroup files of DIR (the cgroupfs manager). */
int engine_cgroup_write_limits(const char *dir, const struct engine_cgroup_limits *limits,
			       struct engine_error **err);
