/* mount-spec.c: the syntax of -v/--volume, --mount, --tmpfs and --device.
 *
 * Everything a user may write is checked here, before any process is
 * created, against allow-lists: no option string from the command line is
 * ever handed to mount(2) as it was typed (so `-v /a:/b:rw,dev,exec,suid`
 * cannot smuggle mount flags in), a target must be absolute and free of
 * ".." (it is resolved inside the container's root later, but a spec that
 * reads as escaping is refused outright, as Docker refuses relative ones),
 * and a volume name must be a plain directory name. */
#include "libengine/runtime/mount-spec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "common/docker-name.h"

#define TARGET_MAX 4096

void engine_mount_clear(struct engine_mount *m)
{
	free(m->source);
	free(m->target);
	memset(m, 0, sizeof(*m));
}

void engine_mount_list_free(struct engine_mount *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		engine_mount_clear(&list[i]);
	free(list);
}

static int bad(struct engine_error **err, const char *setting, const char *spec, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(struct engine_error **err, const char *setting, const char *spec, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return engine_error_setting(err, setting, EINVAL, "%s %s: %s", setting, spec, why);
}

static int oom(struct engine_error **err)
{
	return engine_error_set(err, ENOMEM, "out of memory");
}

/* Specs are recorded in config.json (JSON strings are UTF-8) and shown
 * on one line: refuse invalid UTF-8 and control characters up front. */
static int check_text(const char *setting, const char *spec, struct engine_error **err)
{
	const unsigned char *p = (const unsigned char *)spec;
	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return engine_error_setting(err, setting, EINVAL,
						    "%s: the spec contains a control character", setting);
		size_t n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
				    : (*p & 0xf8) == 0xf0 ? 3 : 4;
		if (n == 4 || (n == 1 && *p < 0xc2))
			goto bad;
		for (size_t i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				goto bad;
		/* overlong 3- and 4-byte forms, surrogates, past U+10FFFF */
		if ((n == 2 && ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0))) ||
		    (n == 3 && ((*p == 0xf0 && p[1] < 0x90) || *p > 0xf4 || (*p == 0xf4 && p[1] >= 0x90))))
			goto bad;
		p += n + 1;
	}
	return 0;
bad:
	return engine_error_setting(err, setting, EINVAL, "%s: the spec is not valid UTF-8", setting);
}

/* -v and --device specs: SRC[:DST[:OPTIONS]], checked as text, then cut at
 * the colons into PARTS (at most three, pointing into *COPY, which the
 * caller frees). */
static int split_fields(const char *setting, const char *spec, char **copy, char *parts[3],
			size_t *n, struct engine_error **err)
{
	if (check_text(setting, spec, err) < 0)
		return -1;
	if ((*copy = strdup(spec)) == NULL)
		return oom(err);
	*n = 0;
	for (char *p = *copy;;) {
		if (*n == 3)
			return bad(err, setting, spec, "invalid %s specification: too many colons", setting);
		parts[(*n)++] = p;
		char *colon = strchr(p, ':');
		if (colon == NULL)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	return 0;
}

int engine_volume_name_check(const char *name, struct engine_error **err)
{
	if (!engine_docker_name_valid(name, 255))
		return engine_error_set(err, EINVAL,
					"\"%s\" includes invalid characters for a local volume name, only "
					"\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
					name);
	return 0;
}

int engine_size_parse(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	unsigned shift = 0;
	switch (*p) {
	case 'b': case 'B': p++; break;
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case 't': case 'T': shift = 40; p++; break;
	default: break;
	}
	if (shift != 0 && (*p == 'b' || *p == 'B'))
		p++;
	if (*p != '\0')
		return -EINVAL;
	if (shift != 0 && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = v << shift;
	return 0;
}

/* Absolute, "//" and "/./" folded, no trailing "/", no "..", not "/". */
static int normalize_target(const char *setting, const char *spec, const char *raw, char **ret,
			    struct engine_error **err)
{
	if (raw[0] == '\0')
		return bad(err, setting, spec, "empty destination");
	if (raw[0] != '/')
		return bad(err, setting, spec, "destination \"%s\" is not an absolute path", raw);
	size_t len = strlen(raw);
	if (len >= TARGET_MAX)
		return bad(err, setting, spec, "destination too long");
	char *out = malloc(len + 2);
	if (out == NULL)
		return oom(err);
	size_t o = 0;
	for (const char *p = raw; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t cl = (size_t)(end - p);
		if (cl == 0 || (cl == 1 && p[0] == '.')) {
			p = end;
			continue;
		}
		if (cl == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return bad(err, setting, spec, "destination \"%s\" contains \"..\"", raw);
		}
		out[o++] = '/';
		memcpy(out + o, p, cl);
		o += cl;
		p = end;
	}
	out[o] = '\0';
	if (o == 0) {
		free(out);
		return bad(err, setting, spec, "destination can't be '/'");
	}
	/* As runc: nothing goes over or into /proc, whose masked and
	 * read-only paths are applied after the user's mounts. */
	if (strcmp(out, "/proc") == 0 || strncmp(out, "/proc/", 6) == 0) {
		free(out);
		return bad(err, setting, spec, "destination \"%s\" is inside /proc", raw);
	}
	*ret = out;
	return 0;
}

static bool propagation_parse(const char *s, unsigned long *ret)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} table[] = {
		{ "private", MS_PRIVATE },          { "rprivate", MS_PRIVATE | MS_REC },
		{ "shared", MS_SHARED },            { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },              { "rslave", MS_SLAVE | MS_REC },
	};
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (strcmp(s, table[i].name) == 0) {
			*ret = table[i].flags;
			return true;
		}
	return false;
}

const char *engine_mount_propagation_name(const struct engine_mount *m)
{
	if (m->type == ENGINE_MOUNT_TMPFS)
		return "";
	unsigned long p = m->propagation;
	bool rec = (p & MS_REC) != 0;
	if (p & MS_SHARED)
		return rec ? "rshared" : "shared";
	if (p & MS_SLAVE)
		return rec ? "rslave" : "slave";
	if (p & MS_PRIVATE)
		return rec ? "rprivate" : "private";
	return "rprivate";
}

const char *engine_mount_type_name(enum engine_mount_type t)
{
	static const char *const names[] = { "bind", "volume", "tmpfs", "device" };
	return (size_t)t < ARRAY_SIZE(names) ? names[t] : "?";
}

static bool is_host_path(const char *s)
{
	return s[0] == '/';
}

/* -v options: ro rw z Z U nocopy and a propagation mode, nothing else. */
static int volume_options(const char *spec, const char *opts, struct engine_mount *m,
			  struct engine_error **err)
{
	const char *setting = "volume";
	if (*opts == '\0')
		return bad(err, setting, spec, "empty options");
	for (const char *p = opts; ; ) {
		const char *end = strchrnul(p, ',');
		size_t l = (size_t)(end - p);
		char o[32];
		if (l == 0)
			return bad(err, setting, spec, "empty option");
		if (l >= sizeof(o))
			return bad(err, setting, spec, "invalid option \"%.*s\"", (int)l, p);
		memcpy(o, p, l);
		o[l] = '\0';
		unsigned long prop;
		if (strcmp(o, "ro") == 0)
			m->readonly = true;
		else if (strcmp(o, "rw") == 0)
			m->readonly = false;
		else if (strcmp(o, "z") == 0 || strcmp(o, "Z") == 0)
			m->relabel = true;
		else if (strcmp(o, "U") == 0)
			m->chown = true;
		else if (strcmp(o, "nocopy") == 0)
			m->nocopy = true;
		else if (propagation_parse(o, &prop))
			m->propagation = prop;
		else
			return bad(err, setting, spec, "invalid option \"%s\"", o);
		if (*end == '\0')
			break;
		p = end + 1;
	}
	if (m->type == ENGINE_MOUNT_VOLUME && m->propagation != 0)
		return bad(err, setting, spec, "propagation is only for bind mounts");
	return 0;
}

int engine_mount_parse_volume(const char *spec, struct engine_mount *ret,
			      struct engine_error **err)
{
	const char *setting = "volume";
	struct engine_mount m = { 0 };
	cleanup_free char *copy = NULL;
	char *parts[3];
	size_t n = 0;
	if (split_fields(setting, spec, &copy, parts, &n, err) < 0)
		return -1;
	const char *src = n > 1 ? parts[0] : NULL;
	const char *dst = n > 1 ? parts[1] : parts[0];
	if (src != NULL && *src == '\0')
		return bad(err, setting, spec, "empty source");
	/* A ',' reads as an option list to people and to mount(8); a path
	 * with one can be given to --mount as a quoted field. */
	if ((src != NULL && strchr(src, ',') != NULL) || strchr(dst, ',') != NULL)
		return engine_error_setting(err, "volume,mount", EINVAL,
					    "volume %s: a path with ',' must be given with mount (as a quoted field)",
					    spec);
	if (src == NULL) {
		m.type = ENGINE_MOUNT_VOLUME;
		m.anonymous = true;
	} else if (is_host_path(src)) {
		m.type = ENGINE_MOUNT_BIND;
	} else {
		m.type = ENGINE_MOUNT_VOLUME;
		struct engine_error *why = NULL;
		if (engine_volume_name_check(src, &why) < 0) {
			bad(err, setting, spec,
			    "%s. If you intended to pass a host directory, use absolute path", why->msg);
			engine_error_free(&why);
			return -1;
		}
	}
	if (normalize_target(setting, spec, dst, &m.target, err) < 0)
		return -1;
	if (n == 3 && volume_options(spec, parts[2], &m, err) < 0) {
		engine_mount_clear(&m);
		return -1;
	}
	if (src != NULL && (m.source = strdup(src)) == NULL) {
		engine_mount_clear(&m);
		return oom(err);
	}
	*ret = m;
	return 0;
}

/* Go's encoding/csv for one record, as Docker reads --mount: fields split
 * on ',', a field may be quoted ("a,b"), "" inside quotes is one quote.
 * Returns the fields NUL-separated in *ret_buf and their count. */
static int csv_split(const char *setting, const char *spec, char ***ret_fields, size_t *ret_n,
		     char **ret_buf, struct engine_error **err)
{
	size_t len = strlen(spec);
	char *buf = malloc(len + 1);
	char **fields = calloc(len + 2, sizeof(char *)); /* at most len + 1 */
	if (buf == NULL || fields == NULL) {
		free(buf);
		free(fields);
		return oom(err);
	}
	size_t n = 0, o = 0;
	const char *p = spec;
	for (;;) {
		fields[n++] = buf + o;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0')
					goto bad_quote;
				if (*p == '"') {
					if (p[1] == '"') {
						buf[o++] = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				buf[o++] = *p++;
			}
			if (*p != ',' && *p != '\0')
				goto bad_quote;
		} else {
			while (*p != ',' && *p != '\0') {
				if (*p == '"')
					goto bad_quote;
				buf[o++] = *p++;
			}
		}
		buf[o++] = '\0';
		if (*p == '\0')
			break;
		p++;
	}
	*ret_fields = fields;
	*ret_n = n;
	*ret_buf = buf;
	return 0;
bad_quote:
	free(buf);
	free(fields);
	return bad(err, setting, spec, "bad quoting");
}

static int mount_bool(const char *setting, const char *spec, const char *key, const char *v,
		      bool *ret, struct engine_error **err)
{
	if (v == NULL || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*ret = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*ret = false;
	else
		return bad(err, setting, spec, "invalid value for %s: %s", key, v);
	return 0;
}

static int parse_mode(const char *s, unsigned *ret)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 8);
	if (*s == '\0' || *s == '-' || *s == '+' || errno != 0 || *end != '\0' || v > 07777)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int engine_mount_parse_mount(const char *spec, struct engine_mount *ret,
			     struct engine_error **err)
{
	if (check_text("mount", spec, err) < 0)
		return -1;
	const char *setting = "mount";
	char **fields = NULL, *buf = NULL;
	size_t n = 0;
	if (csv_split(setting, spec, &fields, &n, &buf, err) < 0)
		return -1;
	struct engine_mount m = { .type = ENGINE_MOUNT_VOLUME };
	const char *type = "volume", *source = NULL, *target = NULL;
	bool bind_opt = false, volume_opt = false, tmpfs_opt = false;
	int r = -1;
	for (size_t i = 0; i < n; i++) {
		char *key = fields[i];
		char *eq = strchr(key, '=');
		char *v = NULL;
		if (eq != NULL) {
			*eq = '\0';
			v = eq + 1;
		}
		bool is_bool_key = strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0 ||
				   strcmp(key, "volume-nocopy") == 0;
		if (v == NULL && !is_bool_key) {
			bad(err, setting, spec, "invalid field '%s' must be a key=value pair", key);
			goto out;
		}
		if (strcmp(key, "type") == 0) {
			type = v;
		} else if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0) {
			source = v;
		} else if (strcmp(key, "target") == 0 || strcmp(key, "dst") == 0 ||
			   strcmp(key, "destination") == 0) {
			target = v;
		} else if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) {
			if (mount_bool(setting, spec, key, v, &m.readonly, err) < 0)
				goto out;
		} else if (strcmp(key, "bind-propagation") == 0) {
			if (!propagation_parse(v, &m.propagation)) {
				bad(err, setting, spec, "invalid bind-propagation: %s", v);
				goto out;
			}
			bind_opt = true;
		} else if (strcmp(key, "volume-nocopy") == 0) {
			if (mount_bool(setting, spec, key, v, &m.nocopy, err) < 0)
				goto out;
			volume_opt = true;
		} else if (strcmp(key, "volume-driver") == 0) {
			if (strcmp(v, "local") != 0) {
				bad(err, setting, spec, "volume driver %s is not supported (only local)", v);
				goto out;
			}
			volume_opt = true;
		} else if (strcmp(key, "tmpfs-size") == 0) {
			if (engine_size_parse(v, &m.tmpfs_size) < 0) {
				bad(err, setting, spec, "invalid tmpfs-size: %s", v);
				goto out;
			}
			tmpfs_opt = true;
		} else if (strcmp(key, "tmpfs-mode") == 0) {
			if (parse_mode(v, &m.tmpfs_mode) < 0) {
				bad(err, setting, spec, "invalid tmpfs-mode: %s", v);
				goto out;
			}
			tmpfs_opt = true;
		} else if (strcmp(key, "consistency") == 0) {
			/* macOS file sharing only; Docker on Linux ignores it. */
		} else {
			bad(err, setting, spec, "unexpected key '%s'", key);
			goto out;
		}
	}
	if (strcmp(type, "bind") == 0)
		m.type = ENGINE_MOUNT_BIND;
	else if (strcmp(type, "volume") == 0)
		m.type = ENGINE_MOUNT_VOLUME;
	else if (strcmp(type, "tmpfs") == 0)
		m.type = ENGINE_MOUNT_TMPFS;
	else {
		bad(err, setting, spec, "unsupported mount type \"%s\" (bind, volume or tmpfs)", type);
		goto out;
	}
	if ((bind_opt && m.type != ENGINE_MOUNT_BIND) || (volume_opt && m.type != ENGINE_MOUNT_VOLUME) ||
	    (tmpfs_opt && m.type != ENGINE_MOUNT_TMPFS)) {
		bad(err, setting, spec, "option not allowed for type %s", type);
		goto out;
	}
	if (target == NULL) {
		bad(err, setting, spec, "target is required");
		goto out;
	}
	if (normalize_target(setting, spec, target, &m.target, err) < 0)
		goto out;
	if (source != NULL && *source == '\0')
		source = NULL;
	switch (m.type) {
	case ENGINE_MOUNT_BIND:
		if (source == NULL || !is_host_path(source)) {
			bad(err, setting, spec, source ? "bind source must be an absolute path"
						    : "bind source is required");
			goto out;
		}
		break;
	case ENGINE_MOUNT_VOLUME:
		if (source == NULL) {
			m.anonymous = true;
		} else {
			struct engine_error *why = NULL;
			if (engine_volume_name_check(source, &why) < 0) {
				bad(err, setting, spec, "%s", why->msg);
				engine_error_free(&why);
				goto out;
			}
		}
		break;
	default:
		if (source != NULL) {
			bad(err, setting, spec, "source is not allowed for tmpfs mounts");
			goto out;
		}
		m.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (m.readonly ? MS_RDONLY : 0);
		break;
	}
	if (source != NULL && (m.source = strdup(source)) == NULL) {
		oom(err);
		goto out;
	}
	*ret = m;
	memset(&m, 0, sizeof(m));
	r = 0;
out:
	engine_mount_clear(&m);
	free(fields);
	free(buf);
	return r;
}

int engine_mount_parse_tmpfs(const char *spec, struct engine_mount *ret,
			     struct engine_error **err)
{
	if (check_text("tmpfs", spec, err) < 0)
		return -1;
	const char *setting = "tmpfs";
	struct engine_mount m = { .type = ENGINE_MOUNT_TMPFS,
				  .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC };
	cleanup_free char *copy = strdup(spec);
	if (copy == NULL)
		return oom(err);
	char *colon = strchr(copy, ':');
	char *opts = NULL;
	if (colon != NULL) {
		*colon = '\0';
		opts = colon + 1;
		if (*opts == '\0')
			return bad(err, setting, spec, "empty options");
	}
	if (normalize_target(setting, spec, copy, &m.target, err) < 0)
		return -1;
	static const struct {
		const char *name;
		unsigned long set, clear;
	} flags[] = {
		{ "ro", MS_RDONLY, 0 },     { "rw", 0, MS_RDONLY },
		{ "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
		{ "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
		{ "nodev", MS_NODEV, 0 },   { "dev", 0, MS_NODEV },
	};
	for (char *o = opts; o != NULL;) {
		char *comma = strchr(o, ',');
		if (comma != NULL)
			*comma = '\0';
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(flags) && !known; i++)
			if (strcmp(o, flags[i].name) == 0) {
				m.flags = (m.flags | flags[i].set) & ~flags[i].clear;
				known = true;
			}
		if (!known && !(strncmp(o, "size=", 5) == 0 && engine_size_parse(o + 5, &m.tmpfs_size) == 0) &&
		    !(strncmp(o, "mode=", 5) == 0 && parse_mode(o + 5, &m.tmpfs_mode) == 0)) {
			int r = *o ? bad(err, setting, spec, "invalid option \"%s\"", o)
				   : bad(err, setting, spec, "empty option");
			engine_mount_clear(&m);
			return r;
		}
		o = comma ? comma + 1 : NULL;
	}
	m.readonly = (m.flags & MS_RDONLY) != 0;
	*ret = m;
	return 0;
}

static bool valid_perms(const char *s)
{
	if (*s == '\0' || strlen(s) > 3)
		return false;
	for (const char *p = s; *p; p++)
		if (strchr("rwm", *p) == NULL || strchr(p + 1, *p) != NULL)
			return false;
	return true;
}

int engine_mount_parse_device(const char *spec, struct engine_mount *ret,
			      struct engine_error **err)
{
	const char *setting = "device";
	struct engine_mount m = { .type = ENGINE_MOUNT_DEVICE };
	cleanup_free char *copy = NULL;
	char *parts[3];
	size_t n = 0;
	if (split_fields(setting, spec, &copy, parts, &n, err) < 0)
		return -1;
	const char *src = parts[0], *dst = parts[0], *perms = "rwm";
	if (n == 2) {
		if (valid_perms(parts[1]))
			perms = parts[1];
		else
			dst = parts[1];
	} else if (n == 3) {
		dst = parts[1];
		perms = parts[2];
	}
	if (!valid_perms(perms))
		return bad(err, setting, spec, "invalid device permissions \"%s\" (a subset of rwm)", perms);
	if (src[0] != '/')
		return bad(err, setting, spec, "device path \"%s\" is not an absolute path", src);
	if (normalize_target(setting, spec, dst, &m.target, err) < 0)
		return -1;
	snprintf(m.perms, sizeof(m.perms), "%s", perms);
	/* Without 'w' the node is bound read-only: a bind mount cannot do
	 * finer than that (no device cgroup here). */
	m.readonly = strchr(perms, 'w') == NULL;
	if ((m.source = strdup(src)) == NULL) {
		engine_mount_clear(&m);
		return oom(err);
	}
	*ret = m;
	return 0;
}

int engine_mount_list_add(struct engine_mount **list, size_t *n, struct engine_mount *m,
			  struct engine_error **err)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].target, m->target) == 0) {
			const char *setting = m->type == ENGINE_MOUNT_DEVICE ? "device" : "volume";
			int r = engine_error_setting(err, setting, EINVAL, "%s: Duplicate mount point: %s",
						     setting, m->target);
			engine_mount_clear(m);
			return r;
		}
	struct engine_mount *l = realloc(*list, (*n + 1) * sizeof(*l));
	if (l == NULL) {
		engine_mount_clear(m);
		return oom(err);
	}
	*list = l;
	l[(*n)++] = *m;
	memset(m, 0, sizeof(*m));
	return 0;
}

json_t *engine_mount_to_json(const struct engine_mount *m)
{
	return json_pack("{s:s,s:s?,s:s,s:b,s:b,s:b,s:b,s:s,s:I,s:I,s:I,s:s}", "Type",
			 engine_mount_type_name(m->type), "Source", m->source, "Target", m->target,
			 "ReadOnly", m->readonly, "Anonymous", m->anonymous, "NoCopy", m->nocopy,
			 "Chown", m->chown, "Propagation", engine_mount_propagation_name(m), "Flags",
			 (json_int_t)m->flags, "TmpfsSize", (json_int_t)m->tmpfs_size, "TmpfsMode",
			 (json_int_t)m->tmpfs_mode, "Perms", m->perms);
}

int engine_mount_from_json(json_t *j, struct engine_mount *ret, struct engine_error **err)
{
	struct engine_mount m = { 0 };
	const char *type = json_string_value(json_object_get(j, "Type"));
	const char *source = json_string_value(json_object_get(j, "Source"));
	const char *target = json_string_value(json_object_get(j, "Target"));
	const char *prop = json_string_value(json_object_get(j, "Propagation"));
	const char *perms = json_string_value(json_object_get(j, "Perms"));
	bool found = false;
	for (int t = ENGINE_MOUNT_BIND; type && t <= ENGINE_MOUNT_DEVICE && !found; t++)
		if (strcmp(type, engine_mount_type_name((enum engine_mount_type)t)) == 0) {
			m.type = (enum engine_mount_type)t;
			found = true;
		}
	if (!found || target == NULL)
		return engine_error_set(err, EINVAL, "config.json: bad mount");
	if (normalize_target("mount", target, target, &m.target, err) < 0)
		return -1;
	if (source != NULL && (m.source = strdup(source)) == NULL) {
		engine_mount_clear(&m);
		return oom(err);
	}
	if ((m.type == ENGINE_MOUNT_VOLUME && (m.source == NULL || engine_volume_name_check(m.source, NULL) < 0)) ||
	    ((m.type == ENGINE_MOUNT_BIND || m.type == ENGINE_MOUNT_DEVICE) &&
	     (m.source == NULL || !is_host_path(m.source)))) {
		engine_mount_clear(&m);
		return engine_error_set(err, EINVAL, "config.json: bad mount source for %s", target);
	}
	m.readonly = json_is_true(json_object_get(j, "ReadOnly"));
	m.anonymous = json_is_true(json_object_get(j, "Anonymous"));
	m.nocopy = json_is_true(json_object_get(j, "NoCopy"));
	m.chown = json_is_true(json_object_get(j, "Chown"));
	if (m.type != ENGINE_MOUNT_TMPFS && prop != NULL && !propagation_parse(prop, &m.propagation))
		m.propagation = 0;
	if (m.type == ENGINE_MOUNT_TMPFS)
		m.flags = (unsigned long)json_integer_value(json_object_get(j, "Flags")) &
			  (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	m.tmpfs_size = (uint64_t)json_integer_value(json_object_get(j, "TmpfsSize"));
	m.tmpfs_mode = (unsigned)json_integer_value(json_object_get(j, "TmpfsMode")) & 07777;
	if (perms != NULL && valid_perms(perms))
		snprintf(m.perms, sizeof(m.perms), "%s", perms);
	*ret = m;
	return 0;
}
