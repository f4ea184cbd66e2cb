/* sysctl.c: --sysctl.  Only sysctls that belong to a namespace of the
 * container are accepted, as runc's allow-list has it: the IPC ones
 * (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*), the UTS ones
 * (kernel.domainname, kernel.hostname) and net.* when the network
 * namespace is the container's own.  Anything else would change the host
 * for everyone (or be refused by the kernel halfway through a start), so
 * it is refused with one line before any process exists.
 *
 * The values are written by the container process after its /proc is
 * mounted (so /proc/sys is its namespaces' view) and before /proc/sys is
 * made read-only. */
#include "libengine/runtime/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",         "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni",         "kernel.shm_rmid_forced",
	"kernel.domainname", "kernel.hostname",
};

/* Components of [A-Za-z0-9_-] separated by single dots (or slashes, as
 * sysctl(8) also reads them): nothing that could walk out of /proc/sys. */
static bool key_ok(const char *key, size_t len)
{
	if (len == 0 || len > 200)
		return false;
	bool component = false;
	for (size_t i = 0; i < len; i++) {
		char c = key[i];
		if (c == '.' || c == '/') {
			if (!component)
				return false;
			component = false;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '_' || c == '-') {
			component = true;
		} else {
			return false;
		}
	}
	return component;
}

int engine_sysctl_check(const char *kv, bool private_netns, struct engine_error **err)
{
	const char *eq = strchr(kv, '=');
	if (eq == NULL)
		return engine_error_set(err, EINVAL, "sysctl %s: expected KEY=VALUE", kv);
	size_t kl = (size_t)(eq - kv);
	if (!key_ok(kv, kl))
		return engine_error_set(err, EINVAL, "sysctl %s: invalid key", kv);
	char key[256];
	snprintf(key, sizeof(key), "%.*s", (int)kl, kv);
	for (char *p = key; *p; p++)
		if (*p == '/')
			*p = '.';
	for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
		if (strcmp(key, ipc_sysctls[i]) == 0)
			return 0;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return 0;
	if (strncmp(key, "net.", 4) == 0) {
		if (private_netns)
			return 0;
		return engine_error_set(err, EINVAL,
					"sysctl %s is not allowed with the host's network namespace", key);
	}
	return engine_error_set(err, EINVAL, "sysctl %s is not allowed: it is not namespaced", key);
}

int engine_sysctls_apply(char *const *list, size_t n, struct engine_error **err)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(list[i], '=');
		if (eq == NULL)
			return engine_error_set(err, EINVAL, "sysctl %s: expected KEY=VALUE", list[i]);
		/* The UTS names' files belong to the initial namespace's root
		 * whatever namespace they show: set them with the syscalls,
		 * which act on the container's UTS namespace. */
		size_t kl = (size_t)(eq - list[i]);
		const char *value = eq + 1;
		if ((kl == 17 && strncmp(list[i], "kernel.domainname", 17) == 0) ||
		    (kl == 15 && strncmp(list[i], "kernel.hostname", 15) == 0)) {
			int r = kl == 17 ? setdomainname(value, strlen(value))
					 : sethostname(value, strlen(value));
			if (r < 0)
				return engine_error_errno(err, errno, "sysctl %.*s", (int)kl, list[i]);
			continue;
		}
		char path[300];
		snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)(eq - list[i]), list[i]);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		cleanup_close int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return engine_error_errno(err, errno, "sysctl %.*s: open %s", (int)(eq - list[i]),
						  list[i], path);
		size_t len = strlen(eq + 1);
		if (write(fd, eq + 1, len) != (ssize_t)len)
			return engine_error_errno(err, errno, "sysctl %.*s: write %s", (int)(eq - list[i]),
						  list[i], path);
	}
	return 0;
}
