/* caps.c: capability names and sets.
 *
 * Names are ours (not libcap's cap_from_name) so that parsing a name needs no
 * extra library at start-up and so that unknown names give our own error. */
#include "libengine/runtime/caps.h"

#include <ctype.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

#define BIT(c) (UINT64_C(1) << (c))

uint64_t engine_caps_default(void)
{
	return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) | BIT(CAP_FSETID) |
	       BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SETFCAP) | BIT(CAP_SETGID) |
	       BIT(CAP_SETPCAP) | BIT(CAP_SETUID) | BIT(CAP_SYS_CHROOT);
}

/* The kernel may know fewer (or more) capabilities than our table; ask it,
 * because PR_CAPBSET_DROP of an unknown bit fails with EINVAL. */
static int last_cap(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	int last = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f != NULL) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	cached = last;
	return last;
}

uint64_t engine_caps_all(void)
{
	int last = last_cap();
	return last >= 63 ? UINT64_MAX : (BIT(last + 1) - 1);
}

int engine_cap_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcasecmp(name, "ALL") == 0)
		return -2;
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcasecmp(cap_names[i] + 4, bare) == 0)
			return (int)i;
	return -1;
}

const char *engine_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

/* Docker applies drops first and adds after, except that "ALL" in --cap-drop
 * clears everything and later adds still apply: that is the order here. */
static int apply_list(uint64_t *caps, char *const *list, int n, int add, struct engine_error **err)
{
	for (int i = 0; i < n; i++) {
		cleanup_free char *copy = strdup(list[i]);
		if (copy == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		char *save = NULL;
		for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			while (isspace((unsigned char)*tok))
				tok++;
			if (*tok == '\0')
				continue;
			int c = engine_cap_from_name(tok);
			if (c == -1 || (c >= 0 && c > last_cap()))
				return add ? engine_error_setting(err, "capabilities to add", EINVAL,
								  "capabilities to add: unknown capability \"%s\"", tok)
					   : engine_error_setting(err, "capabilities to drop", EINVAL,
								  "capabilities to drop: unknown capability \"%s\"", tok);
			uint64_t bits = c == -2 ? engine_caps_all() : BIT(c);
			if (add)
				*caps |= bits;
			else
				*caps &= ~bits;
		}
	}
	return 0;
}

int engine_caps_apply_changes(uint64_t *caps, char *const *add, int n_add, char *const *drop,
			      int n_drop, struct engine_error **err)
{
	if (apply_list(caps, drop, n_drop, 0, err) < 0)
		return -1;
	return apply_list(caps, add, n_add, 1, err);
}
