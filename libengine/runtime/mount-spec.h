/* mount-spec.h: what -v/--volume, --mount, --tmpfs and --device ask for,
 * parsed and checked before any process exists (mount-spec.c).  The
 * container process applies the list (mounts.c); config.json keeps it
 * (containers.c) so that start, inspect and rm -v see the same mounts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"

enum engine_mount_type {
	ENGINE_MOUNT_BIND,
	ENGINE_MOUNT_VOLUME,
	ENGINE_MOUNT_TMPFS,
	ENGINE_MOUNT_DEVICE,
};

struct engine_mount {
	enum engine_mount_type type;
	/* bind, device: the host path; volume: the volume's name (NULL for an
	 * anonymous volume until run gives it one); tmpfs: NULL. */
	char *source;
	/* Absolute, normalised ("//" and "/./" folded, no trailing "/"),
	 * never "/" and without ".." components. */
	char *target;
	bool readonly;
	bool anonymous;  /* -v /dst, --mount type=volume without source */
	bool nocopy;     /* no copy-up of the image's content */
	bool chown;      /* U: chown the source to the container's user */
	bool relabel;    /* z or Z: accepted, nothing to do without SELinux */
	unsigned long propagation; /* MS_(R)PRIVATE/SHARED/SLAVE, 0 = rprivate */
	unsigned long flags;       /* tmpfs: MS_NOEXEC/NOSUID/NODEV/RDONLY */
	uint64_t tmpfs_size;       /* bytes, 0 = the kernel's default */
	unsigned tmpfs_mode;       /* 0 = 1777 */
	char perms[4];             /* device: a subset of "rwm" */
};

void engine_mount_clear(struct engine_mount *m);

/* Docker's volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 bytes. */
int engine_volume_name_check(const char *name, struct engine_error **err);

/* "64m", "1g", "512k", "1024" (bytes), "1.5g" refused: Docker's
 * RAMInBytes units b, k, m, g, t (case-insensitive, optional "b" suffix). */
int engine_size_parse(const char *s, uint64_t *ret);

/* One spec each; errors name the flag and the spec. */
int engine_mount_parse_volume(const char *spec, struct engine_mount *ret,
			      struct engine_error **err);
int engine_mount_parse_mount(const char *spec, struct engine_mount *ret,
			     struct engine_error **err);
int engine_mount_parse_tmpfs(const char *spec, struct engine_mount *ret,
			     struct engine_error **err);
/* HOST[:CONTAINER][:PERMS]; the host node is checked by the caller. */
int engine_mount_parse_device(const char *spec, struct engine_mount *ret,
			      struct engine_error **err);

/* Append M (taken over: *M is cleared) to *LIST, refusing a target that is
 * there already ("Duplicate mount point: /x", as Docker). */
int engine_mount_list_add(struct engine_mount **list, size_t *n, struct engine_mount *m,
			  struct engine_error **err);
void engine_mount_list_free(struct engine_mount *list, size_t n);

/* The recorded form (config.json "mounts") and back. */
json_t *engine_mount_to_json(const struct engine_mount *m);
int engine_mount_from_json(json_t *j, struct engine_mount *ret, struct engine_error **err);

/* "rprivate", "shared", ... for inspect; "" for tmpfs. */
const char *engine_mount_propagation_name(const struct engine_mount *m);
const char *engine_mount_type_name(enum engine_mount_type t);
