/* driver.h: which mount driver the layer store can use here. */
#pragma once

#include "error.h"

/* Try a kernel overlay mount (with userxattr, as rootless needs) of fresh
 * directories below DIR, then undo it.  Must run where the mount would be
 * made: for a rootless user, inside its user and mount namespace.  0 when
 * it works, -1 with *err saying why not. */
int storage_probe_overlay(const char *dir, int userxattr, struct engine_error **err);
