/* passwd.h: --user resolution from the container's own /etc/passwd and
 * /etc/group (never the host's NSS: the image's names are what count). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

#define ENGINE_MAX_GROUPS 256

struct engine_creds {
	uid_t uid;
	gid_t gid;
	char home[512];
	gid_t groups[ENGINE_MAX_GROUPS]; /* supplementary, primary gid first */
	size_t n_groups;
	/* The last n_required groups were asked for by name or gid (group
	 * add): one that cannot be set fails the start instead of being left
	 * out quietly as an image's group beyond the mapping is. */
	size_t n_required;
	bool keep_groups; /* keep the caller's own supplementary groups: no setgroups */
};

struct engine_passwd_entry {
	char name[256];
	uid_t uid;
	gid_t gid;
	char home[512];
};

/* Pure parsers over a file's bytes (fuzzed).  Lookup by name when name is
 * non-NULL, else by id.  Return 1 when found, 0 when not, never fail:
 * malformed lines are skipped as glibc's files backend skips them. */
int engine_passwd_lookup(const char *buf, size_t len, const char *name, uid_t uid,
			 struct engine_passwd_entry *ret);
int engine_group_lookup(const char *buf, size_t len, const char *name, gid_t gid, gid_t *ret_gid,
			char *ret_name, size_t name_size);
/* Append the gids of groups that list USER as a member (deduplicated). */
void engine_group_members(const char *buf, size_t len, const char *user, gid_t *groups,
			  size_t *n_groups, size_t max_groups);

/* Resolve a --user spec against the files (either buffer may be NULL when the
 * file does not exist), Docker's rules: a name must exist; a number need
 * not; the gid defaults to the user's entry or 0; HOME from the entry or "/". */
int engine_creds_resolve(const char *spec, const char *passwd, size_t passwd_len,
			 const char *group, size_t group_len, struct engine_creds *ret,
			 struct engine_error **err);

/* Read /etc/passwd and /etc/group below ROOTFD (RESOLVE_IN_ROOT, regular
 * files, 4 MiB at most) and resolve SPEC. */
int engine_creds_from_root(int rootfd, const char *spec, struct engine_creds *ret,
			   struct engine_error **err);

/* Docker's group add: each of NAMES is a gid or a group name of the
 * container's /etc/group (below ROOTFD, read as engine_creds_from_root
 * reads it; an unknown name is an error naming it), appended to CREDS'
 * supplementary groups as required ones.  ENGINE_KEEP_GROUPS alone
 * (Podman's) keeps the caller's supplementary groups instead. */
#define ENGINE_KEEP_GROUPS "keep-groups"
int engine_creds_add_groups(int rootfd, char *const *names, size_t n, struct engine_creds *creds,
			    struct engine_error **err);
/* The same over a group file already in memory (GROUP may be NULL). */
int engine_creds_add_groups_from(const char *group, size_t group_len, char *const *names, size_t n,
				 struct engine_creds *creds, struct engine_error **err);
