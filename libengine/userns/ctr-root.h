/* ctr-root.h: run a function with a container's root filesystem (cp,
 * export): inside the container's user namespace, so that files of
 * subordinate ids read and write as the container sees them. */
#pragma once

#include "libengine/container/containers.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"

/* Runs in a child process; ROOTFD is a directory fd of the container's
 * root (engine_container_with_root: only the root file system, no
 * /proc, /sys, /dev or other mounts below it).  Paths in the container must be resolved from ROOTFD with
 * RESOLVE_IN_ROOT.  File descriptors the caller opened before are
 * inherited; host paths may not be visible. */
typedef int (*engine_ctr_root_fn)(void *data, int rootfd, struct engine_error **err);

/* A running container: the child joins its user and mount namespaces
 * (through its init) and takes a detached copy of its root mount.  A
 * stopped one: the child makes the root in a user, mount and PID
 * namespace of its own, as `start` would (the PID namespace takes a
 * fuse-overlayfs daemon with it at the end).  Waits for the child; its
 * error, when it fails. */
int engine_container_with_root(const struct engine_container *c, const struct engine_idmap *map,
			       engine_ctr_root_fn fn, void *data, struct engine_error **err);

/* The same, but ROOTFD shows the container's files as it sees them (cp,
 * as Docker's): its bind mounts, volumes, tmpfs and /etc files below
 * the root, not /proc, /sys or /dev.  A running container: a private
 * copy of its mount namespace, joined by a non-dumpable child.  A
 * stopped one: the mounts made on the fresh root as `start` would, its
 * tmpfs empty and read-only. */
int engine_container_with_view(const struct engine_container *c, const struct engine_idmap *map,
			       engine_ctr_root_fn fn, void *data, struct engine_error **err);

/* openat2(ROOTFD, PATH, FLAGS, RESOLVE_IN_ROOT | EXTRA): PATH resolved
 * inside the container's root.  The kernel fails a lookup with ".." in
 * it with EAGAIN when a rename or mount happened meanwhile anywhere on
 * the machine (it cannot vouch for the walk): retried here.  An fd or
 * -errno. */
int engine_open_in_root(int rootfd, const char *path, int flags, unsigned long long extra);
