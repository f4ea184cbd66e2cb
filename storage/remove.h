/* remove.h: rm -rf of a tree below a directory fd (see remove.c). */
#pragma once

#include "common/error.h"

/* rm -rf of NAME below DIRFD without following symlinks.  Directories that
 * are not u+rwx (an overlay workdir leaves mode 000 ones) are chmod'ed as it
 * goes; it does not descend into another mount.  ENOENT is success. */
int storage_remove_tree(int dirfd, const char *name, struct engine_error **err);
