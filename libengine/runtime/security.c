/* security.c: drop to the container's credentials and privileges.
 *
 * The order is forced by the kernel:
 *  1. PR_SET_KEEPCAPS, then setgroups/setresgid/setresuid: changing uid away
 *     from 0 would otherwise clear the permitted set before we are done.
 *  2. Raise the effective set again from permitted (keepcaps keeps only
 *     permitted), so CAP_SETPCAP and CAP_SYS_ADMIN are usable.
 *  3. Drop the bounding set to the container's caps (needs CAP_SETPCAP).
 *  4. no_new_privs if asked, then load seccomp: without no_new_privs the
 *     kernel wants CAP_SYS_ADMIN for that, which step 5 takes away.
 *  5. The final capset: the container's caps for uid 0, nothing for other
 *     users (as Docker and Podman), inheritable empty; ambient cleared.
 * After step 4 only capset, prctl, close_range/fcntl and execveat (of the
 * sealed exec stub, which then runs prctl, fcntl, execve and, when that
 * fails, sendto) run, and the default profile allows them. */
#include "libengine/runtime/security.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libengine/runtime/caps.h"

static int capset_masks(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	data[0].effective = (uint32_t)effective;
	data[1].effective = (uint32_t)(effective >> 32);
	data[0].permitted = (uint32_t)permitted;
	data[1].permitted = (uint32_t)(permitted >> 32);
	data[0].inheritable = (uint32_t)inheritable;
	data[1].inheritable = (uint32_t)(inheritable >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

static int capget_permitted(uint64_t *permitted)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	*permitted = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
	return 0;
}

static int set_credentials(const struct engine_security_config *cfg, const struct engine_creds *c,
			   struct engine_error **err)
{
	if ((uint64_t)c->uid >= cfg->mapped_uids)
		return engine_error_set(err, EINVAL,
					"user %u is not mapped in the user namespace (only 0-%llu are): "
					"add a subordinate range in /etc/subuid and /etc/subgid",
					(unsigned)c->uid, (unsigned long long)cfg->mapped_uids - 1);
	if ((uint64_t)c->gid >= cfg->mapped_gids)
		return engine_error_set(err, EINVAL,
					"group %u is not mapped in the user namespace (only 0-%llu are)",
					(unsigned)c->gid, (unsigned long long)cfg->mapped_gids - 1);
	if (c->keep_groups) {
		/* The caller's groups stay as they are (unmapped ones show as
		 * the overflow gid): what they give on the host still holds. */
	} else if (cfg->set_groups) {
		/* A group from the image's /etc/group beyond the mapped range
		 * cannot be given to the process: leave it out rather than fail;
		 * one asked for by name or gid must be there. */
		gid_t groups[ENGINE_MAX_GROUPS];
		size_t n = 0;
		for (size_t i = 0; i < c->n_groups; i++) {
			if ((uint64_t)c->groups[i] < cfg->mapped_gids)
				groups[n++] = c->groups[i];
			else if (i >= c->n_groups - c->n_required)
				return engine_error_set(err, EINVAL,
							"group %u is not mapped in the user namespace "
							"(only 0-%llu are)",
							(unsigned)c->groups[i],
							(unsigned long long)cfg->mapped_gids - 1);
		}
		if (setgroups(n, groups) < 0)
			return engine_error_errno(err, errno, "setgroups");
	} else if (c->n_required > 0) {
		return engine_error_set(err, EPERM,
					"supplementary group %u cannot be added: the user namespace "
					"maps a single gid, where the kernel denies setgroups (add a "
					"subordinate range in /etc/subgid)",
					(unsigned)c->groups[c->n_groups - c->n_required]);
	}
	if (setresgid(c->gid, c->gid, c->gid) < 0)
		return engine_error_errno(err, errno, "setgid %u", (unsigned)c->gid);
	if (setresuid(c->uid, c->uid, c->uid) < 0) {
		if (errno == EINVAL)
			return engine_error_set(err, EINVAL,
						"user %u is not mapped in the user namespace",
						(unsigned)c->uid);
		return engine_error_errno(err, errno, "setuid %u", (unsigned)c->uid);
	}
	return 0;
}

int engine_security_apply(const struct engine_security_config *cfg, const struct engine_creds *creds,
			  struct engine_error **err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return engine_error_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");
	if (set_credentials(cfg, creds, err) < 0)
		return -1;
	uint64_t permitted = 0;
	if (capget_permitted(&permitted) < 0)
		return engine_error_errno(err, errno, "capget");
	if (capset_masks(permitted, permitted, 0) < 0)
		return engine_error_errno(err, errno, "capset (raise)");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return engine_error_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");

	uint64_t all = engine_caps_all();
	for (int c = 0; c < 64; c++) {
		if (!(all & (UINT64_C(1) << c)) || (cfg->caps & (UINT64_C(1) << c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return engine_error_errno(err, errno, "drop %s from the bounding set",
						  engine_cap_name(c) ? engine_cap_name(c) : "cap");
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return engine_error_errno(err, errno, "clear ambient capabilities");

	if (cfg->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return engine_error_errno(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (cfg->seccomp != NULL && engine_seccomp_program_load(cfg->seccomp, err) < 0)
		return -1;

	uint64_t final = creds->uid == 0 ? (cfg->caps & permitted) : 0;
	if (capset_masks(final, final, 0) < 0)
		return engine_error_errno(err, errno, "capset");
	return 0;
}
