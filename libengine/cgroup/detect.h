/* detect.h: the host's cgroup layout, the manager chosen for it,
 * and --cgroup-parent checked against it (detect.c). */
#pragma once

#include <stddef.h>

#include "libengine/cgroup/cgroup.h"

const char *engine_cgroup_layout_name(enum engine_cgroup_layout layout);
const char *engine_cgroup_manager_name(enum engine_cgroup_manager manager);
const struct engine_cgroup_ops *engine_cgroup_manager_ops(enum engine_cgroup_manager manager);

/* Detect the layout and delegation and choose a manager.  OVERRIDE is
 * NULL (detect), "systemd", "cgroupfs" or "disabled"; asking for one that
 * cannot work here is an error naming why.  Never fails for "disabled". */
int engine_cgroup_detect(const char *override, struct engine_cgroup_detection *ret,
			 struct engine_error **err);

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
