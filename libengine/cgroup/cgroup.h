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

#include "common/error.h"

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

/* --- shared by cgroup.c, fs.c and systemd.c --- */

/* Read cgroup file NAME under DIR (absolute) into BUF (NUL-terminated,
 * trailing newline kept); -errno on failure, no error set. */
int engine_cgroup_read(const char *dir, const char *name, char *buf, size_t size);
/* Write VALUE to NAME under DIR; on failure sets an error naming the file. */
int engine_cgroup_write(const char *dir, const char *name, const char *value,
			struct engine_error **err);
/* Write LIMITS into the cgroup files of DIR (the cgroupfs manager). */
int engine_cgroup_write_limits(const char *dir, const struct engine_cgroup_limits *limits,
			       struct engine_error **err);

/* The rest of the cgroup API, in the files of their concern; included here
 * so that one include gives a caller all of it. */
#include "libengine/cgroup/detect.h"
#include "libengine/cgroup/parse.h"
