/* mounts.h: the container's filesystem view, built in its mount namespace. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include "storage/driver.h"
#include "common/error.h"
#include "libengine/runtime/mount-spec.h"

/* The files a container gets bound from its directory, by index: the
 * name there (engine_bound_file_names) and the target inside
 * (engine_bound_file_targets).  The first ENGINE_ETC_FILES are
 *'s /etc files, the rest the container markers Docker and
 * Podman provide, which tools read to know they run in a container. */
enum { ENGINE_ETC_FILES = 3, ENGINE_BOUND_FILES = 5 };
extern const char *const engine_bound_file_names[ENGINE_BOUND_FILES];
extern const char *const engine_bound_file_targets[ENGINE_BOUND_FILES];

struct engine_mounts_config {
	const char *rootfs;       /* a directory, or NULL with layers */
	const char *store_root;   /* with layers: the store */
	char *const *layers;      /* diff_ids, bottom first */
	size_t n_layers;
	const char *container_id; /* the writable layer's directory name */
	enum storage_driver driver; /* with layers: how they become the root */
	bool private_netns; /* a fresh sysfs needs a network namespace we own */
	bool rootless;      /* device nodes are bind-mounted, devpts has no gid=5 */
	bool map_tty_gid;   /* gid 5 is mapped: give devpts gid=5 */
	bool privileged;    /* no masked or read-only paths */
	bool read_only;     /* the root itself read-only */
	/* run options */
	char *const *sysctls;     /* "KEY=VALUE", written once /proc is the container's */
	size_t n_sysctls;
	const char *init_path;    /* --init: engine-init on the host */
	int init_fd;              /* --init: its sealed copy, copied to ENGINE_INIT_PATH */
	const char *keep_id_name; /* --userns=keep-id: add this user to /etc/passwd... */
	const char *keep_id_home;
	uid_t keep_id_uid;        /* ...under these ids when missing */
	gid_t keep_id_gid;
	bool auto_root;           /* --userns=auto: the process's own uid is not mapped */
	/* --userns=keep-id: fuse-overlayfs's "uidmapping=...,gidmapping=..."
	 * showing the layers' owners as the image has them (NULL: none) */
	const char *fuse_overlayfs_idmap;
	/* volumes */
	const struct engine_mount *mounts; /* -v, --mount, --tmpfs, --device */
	size_t n_mounts;
	const char *volumes_root; /* a volume NAME is VOLUMES_ROOT/volumes/NAME/_data */
	const char *user;         /* --user, for the U option's chown */
	uint64_t shm_size;        /* /dev/shm's size in bytes, 0 = 64m */
	bool read_only_tmpfs;     /* with read_only: tmpfs on /tmp, /var/tmp, /run */
	bool tmpfs_read_only;     /* cp of a stopped container: its tmpfs are empty, not for writing */
	/* The sources to bind on engine_bound_file_targets (NULL: none):
	 *'s /etc/hosts, /etc/resolv.conf and /etc/hostname,
	 * and the container markers /.dockerenv and /run/.containerenv. */
	const char *etc_files[ENGINE_BOUND_FILES];
	/* fuse-overlayfs: where the mount's /dev/fuse fd goes (the
	 * container's parent, which starts the daemon outside the
	 * container's PID namespace); NULL: a daemon is started here. */
	int (*fuse_handoff)(void *data, int fuse_fd, struct engine_error **err);
	void *fuse_handoff_data;
};

/* Where --init's engine-init appears in the container: a copy in our own
 * /dev tmpfs, so neither the image nor a --rootfs directory is touched, and
 * no host file is in the container's reach (PID 1 runs a sealed memfd of
 * it, sealed-exec.c). */
#define ENGINE_INIT_PATH "/dev/init"

/* Make the namespace private, bind the rootfs, mount /proc, /sys, /dev and
 * friends below it, pivot_root into it and mask the usual paths.  Called in
 * the container process, in its own mount (and user) namespace.  On return
 * "/" is the container's root and the cwd is "/". */
int engine_mounts_setup(const struct engine_mounts_config *cfg, struct engine_error **err);

/* The user's mounts (-v, --mount, --tmpfs, --read-only's tmpfs) and the
 * /etc files (a missing source is skipped) on ROOTFS, as
 * engine_mounts_setup places them, without /proc, /sys, /dev or the
 * pivot: cp of a stopped container sees what the container would. */
int engine_mounts_user(const struct engine_mounts_config *cfg, const char *rootfs,
		       struct engine_error **err);

/* Bind the terminal PTS_PATH (inside the container) onto /dev/console. */
int engine_mounts_bind_console(const char *pts_path, struct engine_error **err);
