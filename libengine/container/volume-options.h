/* volume-options.h: Docker's local volume driver options (type, device,
 * o): checked when a volume is created, honoured each time a container
 * mounts it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/error.h"
#include "libengine/runtime/mount-spec.h"

/* KV: "KEY=VALUE" entries as given.  Docker's rules: only type, device
 * and o; type and device come together, o needs both.  ROOTLESS: only
 * what a user namespace may mount (tmpfs, a bind of a host directory);
 * anything else is refused now rather than at every start.  *RET: an
 * object of strings (empty when KV is), the volume record's Options. */
int engine_volume_options_parse(char *const *kv, size_t n, bool rootless, json_t **ret,
				struct engine_error **err);

/* What a container mounts for volume M (its record under STORE_ROOT):
 * a directory to bind (FD: the volume's _data, or a bind's host
 * directory; Docker's copy-up applies) or a file system of its own
 * (FSTYPE set, FD -1; a new tmpfs has nothing of the image). */
struct engine_volume_source {
	int fd;
	char *fstype;
	char *device;
	char *data;          /* the o= entries that are no mount flags */
	unsigned long flags; /* MS_* from o= (ro, nosuid, nodev, noexec, ...) */
};
int engine_volume_source_open(const char *store_root, const struct engine_mount *m,
			      struct engine_volume_source *ret, struct engine_error **err);
void engine_volume_source_clear(struct engine_volume_source *s);
/* Mount S's file system on the directory FD (a mount target in the
 * container), read-only as well when READONLY. */
int engine_volume_mount_fs(const struct engine_volume_source *s, const struct engine_mount *m,
			   int fd, struct engine_error **err);
