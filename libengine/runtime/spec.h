/* spec.h: what a container should be, as the CLI parsed it.  The library
 * validates and runs it; nothing in here prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "storage/driver.h"
#include "common/error.h"
#include "netns/mode.h"
#include "libengine/runtime/mount-spec.h"
#include "netns/slirp4netns.h"

struct engine_cgroup_detection;

struct engine_run_spec {
	char *rootfs;     /* absolute path of the root filesystem */
	char **argv;      /* the command, NULL-terminated, at least one entry */
	char **env;       /* "KEY=VALUE", NULL-terminated (defaults added at run) */
	size_t n_env;
	/* Where "KEY" alone (engine_env_add) takes its value: the face's
	 * environment (cmd/ gives getenv); NULL: "KEY" alone is skipped. */
	char *(*env_lookup)(const char *key);
	char *workdir;    /* absolute path inside the container, NULL = "/" */
	char *user;       /* --user as given, NULL = root */
	char **group_add; /* supplementary groups to add: names or gids, or "keep-groups" */
	size_t n_group_add;
	char *hostname;   /* NULL = the short ID */
	char id[65];      /* 64 hex digits */
	bool interactive; /* -i */
	bool tty;         /* -t */
	bool remove;      /* --rm */
	bool privileged;
	bool no_new_privileges;
	bool read_only;
	enum netns_mode network;
	uint64_t caps;        /* bounding/permitted/effective for uid 0 */
	char *seccomp_profile; /* NULL: the default; "unconfined"; or a file path */
	char *run_root;        /* run state directory (seccomp cache); NULL: the default */

	/* An image instead of --rootfs: the root is an overlay of its layers
	 * (or, with vfs, a copy of them) with a writable layer in
	 * STORE_ROOT/containers/ID. */
	char *image;        /* as the user named it */
	char *store_root;
	enum storage_driver storage_driver;
	char **layers;      /* diff_ids, bottom layer first */
	size_t n_layers;
	char *entrypoint;   /* --entrypoint (may be "") */
	bool entrypoint_set;
	char *pull_policy;  /* --pull always|missing|never (NULL = missing) */
	char *platform;     /* --platform os/arch[/variant] */
	bool tls_verify_off; /* --tls-verify=false */
	bool detach;        /* -d: run under a monitor, recorded in the store */
	/* A foreground run's own stdio, not recorded: output of a stream not
	 * relayed to the caller still reaches the log (Docker's run -a), and
	 * the caller's signals may stay its own (--sig-proxy=false). */
	bool quiet_stdout, quiet_stderr;
	bool no_signal_forward;
	/* --detach-keys (n_detach_keys 0: ctrl-p,ctrl-q), for a run with
	 * stdin attached, which can leave its container running. */
	unsigned char detach_keys[16];
	size_t n_detach_keys;
	/* -t under a monitor: the caller's terminal size (0: unknown), put
	 * on the pty before the command runs (Docker's ConsoleSize). */
	unsigned short console_rows, console_cols;
	/* run -it: the monitor's first attach client is the CLI, whose
	 * output is never dropped (monitor/attach.c). */
	bool attach_wait;
	char *name;         /* --name (NULL: generated when recorded) */
	char *recorded_name; /* the name in the store (generated, renamed): /run/.containerenv's */
	char *image_id;     /* the image's config digest hex, set by run */

	/* The monitor: --restart, --log-driver, --log-opt. */
	char *restart_policy; /* no (NULL) | on-failure | always | unless-stopped */
	int restart_max;      /* on-failure:N; 0: no limit */
	char *log_driver;     /* k8s-file (NULL) | json-file | none */
	int64_t log_max_size; /* --log-opt max-size in bytes; 0: no rotation */
	int log_max_file;     /* --log-opt max-file: files kept, the current one included */
	/* Run options of (--userns, --init, --ulimit, --sysctl,
	 * --stop-signal, --stop-timeout, --cidfile). */
	char *userns;       /* NULL or "host": the default mapping; "keep-id"; "auto" */
	bool init;          /* --init: engine-init runs as PID 1, the command as its child */
	char *init_path;    /* engine-init on the host (found by the CLI) */
	char **ulimits;     /* "TYPE=SOFT[:HARD]" as given, checked */
	size_t n_ulimits;
	char **sysctls;     /* "KEY=VALUE", checked against the allow-list */
	size_t n_sysctls;
	int stop_signal;    /* 0: the image's StopSignal, else SIGTERM */
	int stop_timeout;   /* seconds, when stop_timeout_set (else 10) */
	bool stop_timeout_set;
	char *cidfile;      /* --cidfile (not recorded) */
	uint32_t userns_auto_start; /* --userns=auto: the slice, in the default */
	uint32_t userns_auto_size;  /* mapping's ids (size: auto:size=N, 0 = default) */
	/* Volumes, bind mounts, tmpfs, devices (mount-spec.h). */
	struct engine_mount *mounts;
	size_t n_mounts;
	uint64_t shm_size;       /* --shm-size in bytes, 0 = 64m */
	bool no_read_only_tmpfs; /* --read-only-tmpfs=false */
	/* labels: "KEY=VALUE", one per key; -l and --label-file over
	 * the image config's Labels, as Docker merges them. */
	char **labels;
	size_t n_labels;
	/* the limits as the run flags give them (0 / NULL:
	 * not set), made into struct engine_cgroup_limits at start
	 * (cgroup/run.c); the detection the CLI made, for the monitor it
	 * forks (not recorded; NULL: detect again). */
	int64_t cg_memory;             /* --memory, bytes */
	int64_t cg_memory_swap;        /* --memory-swap (memory + swap), -1 unlimited */
	int64_t cg_memory_reservation; /* --memory-reservation, bytes */
	double cg_cpus;                /* --cpus */
	uint64_t cg_cpu_quota;         /* --cpu-quota, us */
	uint64_t cg_cpu_period;        /* --cpu-period, us */
	uint64_t cg_cpu_shares;        /* --cpu-shares */
	char *cg_cpuset_cpus;          /* --cpuset-cpus */
	int64_t cg_pids_limit;         /* --pids-limit, -1 unlimited */
	char *cgroups_mode;            /* --cgroups: NULL enabled | disabled | split */
	char *cgroup_parent;           /* --cgroup-parent: a slice (systemd) or a path, NULL default */
	const struct engine_cgroup_detection *cgroup_det;
	/* The manager the caller asks for (systemd, cgroupfs), NULL:
	 * detect; a setting of the invocation, not recorded. */
	const char *cgroup_manager;
	/* --network slirp4netns:OPTS, -p/-P (host ports
	 * allocated by the CLI), /etc/hosts and resolv.conf options, the
	 * image's EXPOSE (for -P). */
	struct netns_slirp_options slirp;
	struct netns_port_list ports;
	bool publish_all;
	char **add_hosts;
	size_t n_add_hosts;
	char **dns;
	size_t n_dns;
	char **dns_search;
	size_t n_dns_search;
	char **dns_options;
	size_t n_dns_options;
	char **exposed;
	size_t n_exposed;
	/* container:NAME (the container's ID once run resolved it), or
	 * ns:PATH: whose network namespace to join */
	char *network_join;
};

void engine_run_spec_free(struct engine_run_spec *spec);

/* Add one "KEY=VALUE" (replacing an existing KEY).  "KEY" alone takes the
 * value SPEC's env_lookup gives and is skipped when it gives none, as
 * Docker does with the host's. */
int engine_env_add(struct engine_run_spec *spec, const char *entry, struct engine_error **err);
/* Read an --env-file: KEY=VALUE lines, '#' comments and blank lines
 * skipped, "KEY" alone as in engine_env_add. */
int engine_env_add_file(struct engine_run_spec *spec, const char *path, struct engine_error **err);
/* Parse the lines of an env file already in memory (unit-tested). */
int engine_env_add_buffer(struct engine_run_spec *spec, const char *buf, size_t len,
			  const char *what, struct engine_error **err);
const char *engine_env_get(const struct engine_run_spec *spec, const char *key);

/* -l/--label KEY[=VALUE] ("KEY" alone: an empty value), replacing an
 * existing KEY; --label-file: such lines, '#' comments and blank lines
 * skipped.  engine_label_get: the value, or NULL when KEY is not set. */
int engine_label_add(struct engine_run_spec *spec, const char *entry, struct engine_error **err);
int engine_label_add_file(struct engine_run_spec *spec, const char *path,
			  struct engine_error **err);
const char *engine_label_get(const struct engine_run_spec *spec, const char *key);

/* --user syntax: user[:group], each a name or a number < 2^32-1.  Names are
 * looked up later in the container's own files. */
int engine_user_spec_check(const char *spec, struct engine_error **err);
/* --workdir: absolute, and not through /proc/.../fd (where a leaked host fd
 * would give the process a cwd outside its root: CVE-2024-21626). */
int engine_workdir_check(const char *workdir, struct engine_error **err);
/* A hostname the kernel accepts: 1..64 bytes of [A-Za-z0-9.-]. */
int engine_hostname_check(const char *hostname, struct engine_error **err);
/* --restart no|on-failure[:N]|always|unless-stopped (Docker's syntax). */
int engine_restart_policy_parse(struct engine_run_spec *spec, const char *value,
				struct engine_error **err);
/* --log-driver k8s-file|json-file|none. */
int engine_log_driver_parse(struct engine_run_spec *spec, const char *value,
			    struct engine_error **err);
/* --log-opt max-size=SIZE (10k, 1m, 1g, bytes) | max-file=N. */
int engine_log_opt_parse(struct engine_run_spec *spec, const char *opt, struct engine_error **err);

/* 64 random hex digits from getrandom(). */
int engine_generate_id(char out[65], struct engine_error **err);
/* A signal by number or name, with or without "SIG" ("TERM", "SIGTERM",
 * "15"); -1 when there is no such signal. */
int engine_signal_parse(const char *s);
/* The name of SIG as Docker prints it ("SIGTERM"), or "" when unknown. */
const char *engine_signal_name(int sig, char *buf, size_t size);
