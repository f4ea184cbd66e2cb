/* fuse-overlayfs.h: the fuse-overlayfs storage driver's mount and the
 * daemon that serves it from outside the container (see fuse-overlayfs.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "libengine/userns/ns-join.h"

/* The tag of the message that carries the mount's /dev/fuse fd from the
 * container's setup to its parent, which starts the daemon. */
#define ENGINE_FUSE_OVERLAYFS_TAG "fuse-overlayfs"

struct engine_fuse_daemon {
	pid_t pid;  /* 0: none started */
	int log_fd; /* what it wrote to stderr (a memfd), -1 when none */
};

/* "lowerdir=...,upperdir=...,workdir=..." for the layers (diff_ids, bottom
 * first) of the store at STORE_ROOT and the container directory DIR, then
 * ",IDMAP" when given (--userns=keep-id's uidmapping=...,gidmapping=...).
 * A store path with ',' or ':' is refused: fuse-overlayfs cannot take it. */
char *engine_fuse_overlayfs_options(const char *store_root, const char *dir, char *const *layers,
				    size_t n_layers, const char *idmap, struct engine_error **err);

/* Mount an (unserved) fuse-overlayfs file system on MERGED in the calling
 * process's mount namespace, as fuse-overlayfs would mount itself; returns
 * the /dev/fuse fd that serves it (close-on-exec).  Nothing on MERGED
 * answers before a daemon serves the fd. */
int engine_fuse_overlayfs_mount(const char *merged, struct engine_error **err);

/* Start fuse-overlayfs -f -o OPTIONS on FUSE_FD, a child of the caller, in
 * the user namespace USERNS holds (NULL, or one that is ours: the
 * caller's) and the caller's PID and mount namespaces, in a session of
 * its own.  It ends by itself when the file system's last mount goes. */
int engine_fuse_daemon_start(int fuse_fd, const struct engine_ns_set *userns, const char *options,
			     struct engine_fuse_daemon *ret, struct engine_error **err);

/* Reap the daemon: wait up to TIMEOUT_MS for it to end (it does once the
 * mount is gone), then kill it.  When *ERR is set (the mount was not
 * served) and the daemon failed by itself, *ERR becomes its own reason,
 * naming MERGED.  Returns its wait status (-1: none was started). */
int engine_fuse_daemon_stop(struct engine_fuse_daemon *d, int timeout_ms, const char *merged,
			    struct engine_error **err);
