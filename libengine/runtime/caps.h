/* caps.h: capability names and the default set (Podman's 11). */
#pragma once

#include <stdint.h>

#include "common/error.h"

/* CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP,
 * SETGID, SETPCAP, SETUID, SYS_CHROOT, as Podman's containers.conf. */
uint64_t engine_caps_default(void);
/* Every capability this kernel knows (bits 0..cap_last_cap). */
uint64_t engine_caps_all(void);
/* "NET_ADMIN", "CAP_NET_ADMIN" and "net_admin" are the same; "ALL" gives -2.
 * Returns the capability number, or -1 when the name is unknown. */
int engine_cap_from_name(const char *name);
/* "CAP_NET_ADMIN" for 12, NULL when out of range. */
const char *engine_cap_name(int cap);
/* Apply --cap-add/--cap-drop lists (comma-separated entries allowed) to *caps.
 * Unknown names fail, naming the flag and the name. */
int engine_caps_apply_changes(uint64_t *caps, char *const *add, int n_add, char *const *drop,
			      int n_drop, struct engine_error **err);
