/* passwd.c: parse passwd(5) and group(5) from the image.
 *
 * glibc's getpwnam() would consult the host's NSS (and could load NSS
 * modules into a process that is half inside the container), so we parse the
 * container's files ourselves, as runc's libcontainer/user does.  The files
 * are opened with RESOLVE_IN_ROOT so a symlink in the image cannot point us at
 * a host file, and their size is bounded. */
#include "libengine/runtime/passwd.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"

#define MAX_FILE (4u << 20)

/* Split one line into at most max fields on ':'; returns the field count. */
static size_t split_fields(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0;
	const char *start = line;
	for (size_t i = 0; i <= len && n < max; i++) {
		if (i == len || line[i] == ':') {
			f[n] = start;
			fl[n] = (size_t)(line + i - start);
			n++;
			start = line + i + 1;
		}
	}
	return n;
}

static bool parse_id(const char *s, size_t len, uint32_t *ret)
{
	if (len == 0 || len > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*ret = (uint32_t)v;
	return true;
}

static bool field_is(const char *f, size_t fl, const char *name)
{
	return strlen(name) == fl && memcmp(f, name, fl) == 0;
}

static void copy_field(char *dst, size_t size, const char *f, size_t fl)
{
	if (fl >= size)
		fl = size - 1;
	memcpy(dst, f, fl);
	dst[fl] = '\0';
}

/* Calls fn for each line; stops when fn returns non-zero and returns that. */
static int each_line(const char *buf, size_t len,
		     int (*fn)(const char *line, size_t l, void *data), void *data)
{
	const char *end = buf + len;
	while (buf != NULL && buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		size_t l = (size_t)((nl ? nl : end) - buf);
		if (l > 0 && buf[0] != '#' && buf[0] != '+' && buf[0] != '-') {
			int r = fn(buf, l, data);
			if (r != 0)
				return r;
		}
		buf = nl ? nl + 1 : end;
	}
	return 0;
}

struct pw_query {
	const char *name;
	uid_t uid;
	struct engine_passwd_entry *ret;
};

static int pw_line(const char *line, size_t l, void *data)
{
	struct pw_query *q = data;
	const char *f[7];
	size_t fl[7];
	/* The shell field may be missing entirely: glibc accepts that too. */
	if (split_fields(line, l, f, fl, 7) < 6)
		return 0;
	uint32_t uid, gid;
	if (!parse_id(f[2], fl[2], &uid) || !parse_id(f[3], fl[3], &gid) || fl[0] == 0)
		return 0;
	if (q->name != NULL ? !field_is(f[0], fl[0], q->name) : uid != q->uid)
		return 0;
	copy_field(q->ret->name, sizeof(q->ret->name), f[0], fl[0]);
	q->ret->uid = uid;
	q->ret->gid = gid;
	copy_field(q->ret->home, sizeof(q->ret->home), f[5], fl[5]);
	return 1;
}

int engine_passwd_lookup(const char *buf, size_t len, const char *name, uid_t uid,
			 struct engine_passwd_entry *ret)
{
	struct pw_query q = { name, uid, ret };
	return each_line(buf, len, pw_line, &q);
}

struct gr_query {
	const char *name;
	gid_t gid;
	gid_t *ret_gid;
	char *ret_name;
	size_t name_size;
};

static int gr_line(const char *line, size_t l, void *data)
{
	struct gr_query *q = data;
	const char *f[4];
	size_t fl[4];
	if (split_fields(line, l, f, fl, 4) < 3)
		return 0;
	uint32_t gid;
	if (!parse_id(f[2], fl[2], &gid) || fl[0] == 0)
		return 0;
	if (q->name != NULL ? !field_is(f[0], fl[0], q->name) : gid != q->gid)
		return 0;
	*q->ret_gid = gid;
	if (q->ret_name != NULL && q->name_size > 0)
		copy_field(q->ret_name, q->name_size, f[0], fl[0]);
	return 1;
}

int engine_group_lookup(const char *buf, size_t len, const char *name, gid_t gid, gid_t *ret_gid,
			char *ret_name, size_t name_size)
{
	struct gr_query q = { name, gid, ret_gid, ret_name, name_size };
	return each_line(buf, len, gr_line, &q);
}

struct member_query {
	const char *user;
	gid_t *groups;
	size_t *n;
	size_t max;
};

static void add_group(gid_t *groups, size_t *n, size_t max, gid_t g)
{
	for (size_t i = 0; i < *n; i++)
		if (groups[i] == g)
			return;
	if (*n < max)
		groups[(*n)++] = g;
}

static int member_line(const char *line, size_t l, void *data)
{
	struct member_query *q = data;
	const char *f[4];
	size_t fl[4];
	uint32_t gid;
	if (split_fields(line, l, f, fl, 4) < 4 || !parse_id(f[2], fl[2], &gid))
		return 0;
	const char *m = f[3], *end = f[3] + fl[3];
	while (m < end) {
		const char *comma = memchr(m, ',', (size_t)(end - m));
		const char *stop = comma ? comma : end;
		const char *s = m, *e = stop;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (field_is(s, (size_t)(e - s), q->user))
			add_group(q->groups, q->n, q->max, gid);
		m = comma ? comma + 1 : end;
	}
	return 0;
}

void engine_group_members(const char *buf, size_t len, const char *user, gid_t *groups,
			  size_t *n_groups, size_t max_groups)
{
	struct member_query q = { user, groups, n_groups, max_groups };
	each_line(buf, len, member_line, &q);
}

static bool is_number(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int engine_creds_resolve(const char *spec, const char *passwd, size_t passwd_len,
			 const char *group, size_t group_len, struct engine_creds *ret,
			 struct engine_error **err)
{
	memset(ret, 0, sizeof(*ret));
	strcpy(ret->home, "/");
	const char *user_part = spec != NULL && *spec ? spec : "0";
	char user_buf[257];
	const char *group_part = NULL;
	const char *colon = strchr(user_part, ':');
	if (colon != NULL) {
		size_t ul = (size_t)(colon - user_part);
		if (ul >= sizeof(user_buf))
			return engine_error_set(err, EINVAL, "invalid user \"%s\"", spec);
		memcpy(user_buf, user_part, ul);
		user_buf[ul] = '\0';
		user_part = user_buf;
		group_part = colon + 1;
	}

	struct engine_passwd_entry pw;
	bool have_pw = false;
	if (is_number(user_part)) {
		uint32_t uid;
		if (!parse_id(user_part, strlen(user_part), &uid))
			return engine_error_set(err, EINVAL, "invalid user \"%s\"", user_part);
		ret->uid = uid;
		have_pw = passwd != NULL && engine_passwd_lookup(passwd, passwd_len, NULL, uid, &pw);
	} else {
		if (passwd == NULL ||
		    !engine_passwd_lookup(passwd, passwd_len, user_part, 0, &pw))
			return engine_error_set(err, ENOENT,
						"unable to find user %s: no matching entries in passwd file",
						user_part);
		have_pw = true;
		ret->uid = pw.uid;
	}
	if (have_pw) {
		ret->gid = pw.gid;
		if (pw.home[0] != '\0')
			snprintf(ret->home, sizeof(ret->home), "%s", pw.home);
	}

	if (group_part != NULL) {
		if (is_number(group_part)) {
			uint32_t gid;
			if (!parse_id(group_part, strlen(group_part), &gid))
				return engine_error_set(err, EINVAL, "invalid group \"%s\"", group_part);
			ret->gid = gid;
		} else if (group == NULL ||
			   !engine_group_lookup(group, group_len, group_part, 0, &ret->gid, NULL, 0)) {
			return engine_error_set(err, ENOENT,
						"unable to find group %s: no matching entries in group file",
						group_part);
		}
	}

	ret->groups[ret->n_groups++] = ret->gid;
	/* Docker adds the groups listing the user only when no group was given
	 * explicitly: "-u 1000:1000" means exactly that group. */
	if (group_part == NULL && have_pw && group != NULL)
		engine_group_members(group, group_len, pw.name, ret->groups, &ret->n_groups,
				     ENGINE_MAX_GROUPS);
	return 0;
}

static int read_optional(int rootfd, const char *path, char **buf, size_t *len,
			 struct engine_error **err)
{
	struct engine_error *local = NULL;
	if (engine_read_file(rootfd, path, ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS,
			     MAX_FILE, buf, len, &local) == 0)
		return 0;
	if (local->status == ENOENT) {
		engine_error_free(&local);
		*buf = NULL;
		*len = 0;
		return 0;
	}
	*err = local;
	return -1;
}

int engine_creds_from_root(int rootfd, const char *spec, struct engine_creds *ret,
			   struct engine_error **err)
{
	cleanup_free char *pw = NULL;
	cleanup_free char *gr = NULL;
	size_t pwl = 0, grl = 0;
	if (read_optional(rootfd, "etc/passwd", &pw, &pwl, err) < 0)
		return engine_error_prefix(err, "container /etc/passwd");
	if (read_optional(rootfd, "etc/group", &gr, &grl, err) < 0)
		return engine_error_prefix(err, "container /etc/group");
	return engine_creds_resolve(spec, pw, pwl, gr, grl, ret, err);
}

int engine_creds_add_groups_from(const char *group, size_t group_len, char *const *names, size_t n,
				 struct engine_creds *creds, struct engine_error **err)
{
	size_t before = creds->n_groups;
	for (size_t i = 0; i < n; i++) {
		uint32_t gid;
		if (strcmp(names[i], ENGINE_KEEP_GROUPS) == 0) {
			if (n > 1)
				return engine_error_set(err, EINVAL,
							"%s cannot be combined with other groups",
							ENGINE_KEEP_GROUPS);
			creds->keep_groups = true;
			return 0;
		}
		if (is_number(names[i])) {
			if (!parse_id(names[i], strlen(names[i]), &gid))
				return engine_error_set(err, EINVAL, "invalid group \"%s\"", names[i]);
		} else if (group == NULL ||
			   !engine_group_lookup(group, group_len, names[i], 0, &gid, NULL, 0)) {
			return engine_error_set(err, ENOENT,
						"Unable to find group %s: no matching entries in group file",
						names[i]);
		}
		if (creds->n_groups == ENGINE_MAX_GROUPS)
			return engine_error_set(err, E2BIG, "more than %d groups", ENGINE_MAX_GROUPS);
		add_group(creds->groups, &creds->n_groups, ENGINE_MAX_GROUPS, gid);
	}
	creds->n_required = creds->n_groups - before;
	return 0;
}

int engine_creds_add_groups(int rootfd, char *const *names, size_t n, struct engine_creds *creds,
			    struct engine_error **err)
{
	if (n == 0)
		return 0;
	cleanup_free char *gr = NULL;
	size_t grl = 0;
	if (read_optional(rootfd, "etc/group", &gr, &grl, err) < 0)
		return engine_error_prefix(err, "container /etc/group");
	return engine_creds_add_groups_from(gr, grl, names, n, creds, err);
}
