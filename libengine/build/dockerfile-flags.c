/* dockerfile-flags.c: the `--name=value` options before an instruction's
 * arguments.  Each instruction knows its own, and an unknown one is an
 * error, as in Docker, rather than a silent no-op.  RUN's --mount values
 * are read into struct engine_dockerfile_mount, HEALTHCHECK's durations
 * as Go writes them. */
#include "libengine/build/dockerfile-flags.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static int no_memory(struct engine_error **err)
{
	return engine_error_set(err, ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ flags */

enum flag_type { FLAG_STRING, FLAG_BOOL, FLAG_LIST };
struct flag_spec {
	const char *name;
	enum flag_type type;
};

static const struct flag_spec from_flags[] = { { "platform", FLAG_STRING }, { NULL, 0 } };
static const struct flag_spec run_flags[] = {
	{ "mount", FLAG_LIST }, { "network", FLAG_STRING }, { "security", FLAG_STRING }, { NULL, 0 }
};
static const struct flag_spec copy_flags[] = {
	{ "from", FLAG_STRING }, { "chown", FLAG_STRING }, { "chmod", FLAG_STRING }, { "link", FLAG_BOOL },
	{ "parents", FLAG_BOOL }, { "exclude", FLAG_LIST }, { NULL, 0 }
};
static const struct flag_spec add_flags[] = {
	{ "chown", FLAG_STRING }, { "chmod", FLAG_STRING }, { "link", FLAG_BOOL }, { "checksum", FLAG_STRING },
	{ "keep-git-dir", FLAG_BOOL }, { "exclude", FLAG_LIST }, { NULL, 0 }
};
static const struct flag_spec health_flags[] = {
	{ "interval", FLAG_STRING }, { "timeout", FLAG_STRING }, { "start-period", FLAG_STRING },
	{ "start-interval", FLAG_STRING }, { "retries", FLAG_STRING }, { NULL, 0 }
};
static const struct flag_spec no_flags[] = { { NULL, 0 } };

static const struct flag_spec *flags_of(enum engine_dockerfile_kind kind)
{
	switch (kind) {
	case ENGINE_DOCKERFILE_FROM: return from_flags;
	case ENGINE_DOCKERFILE_RUN: return run_flags;
	case ENGINE_DOCKERFILE_COPY: return copy_flags;
	case ENGINE_DOCKERFILE_ADD: return add_flags;
	case ENGINE_DOCKERFILE_HEALTHCHECK: return health_flags;
	default: return no_flags;
	}
}

static int check_flag(const struct engine_dockerfile_instruction *in, const struct engine_dockerfile_flag *f,
		      struct engine_error **err)
{
	const struct flag_spec *spec = flags_of(in->kind);
	while (spec->name != NULL && strcmp(spec->name, f->name) != 0)
		spec++;
	if (spec->name == NULL)
		return engine_error_set(err, EINVAL, "unknown flag: %s", f->name);
	if (spec->type != FLAG_LIST)
		for (size_t i = 0; i + 1 < in->n_flags; i++)
			if (strcmp(in->flags[i].name, f->name) == 0)
				return engine_error_set(err, EINVAL, "duplicate flag specified: %s", f->name);
	if (spec->type == FLAG_BOOL) {
		if (f->value != NULL && strcasecmp(f->value, "true") != 0 && strcasecmp(f->value, "false") != 0)
			return engine_error_set(err, EINVAL, "expecting boolean value for flag %s, not: %s", f->name,
						f->value);
	} else if (f->value == NULL) {
		return engine_error_set(err, EINVAL, "missing a value on flag: %s", f->name);
	}
	return 0;
}

/* The leading "--name[=value]" words of TEXT, their quotes removed, into
 * IN's flags; *AFTER points past them.  A bare "--" ends them. */
int engine_dockerfile_flags_take(struct engine_dockerfile_instruction *in, const char *text, char escape, const char **after,
		      struct engine_error **err)
{
	cleanup_free char *word = malloc(strlen(text) + 1);
	if (word == NULL)
		return no_memory(err);
	const char *p = text;
	for (;;) {
		while (blank(*p))
			p++;
		if (strncmp(p, "--", 2) != 0)
			break;
		size_t w = 0;
		char quote = 0;
		for (p += 2; *p != '\0' && (quote != 0 || !blank(*p)); p++) {
			if (quote == 0 && (*p == '\'' || *p == '"')) {
				quote = *p;
				continue;
			}
			if (*p == quote) {
				quote = 0;
				continue;
			}
			if (*p == escape && quote != '\'' && p[1] != '\0')
				p++;
			word[w++] = *p;
		}
		word[w] = '\0';
		if (w == 0)
			break; /* "--" ends the flags */
		struct engine_dockerfile_flag *grown = realloc(in->flags, (in->n_flags + 1) * sizeof(*grown));
		if (grown == NULL)
			return no_memory(err);
		in->flags = grown;
		char *eq = strchr(word, '=');
		struct engine_dockerfile_flag *f = &grown[in->n_flags++];
		f->name = strndup(word, eq != NULL ? (size_t)(eq - word) : w);
		f->value = eq != NULL ? strdup(eq + 1) : NULL;
		if (f->name == NULL || (eq != NULL && f->value == NULL))
			return no_memory(err);
		if (check_flag(in, f, err) < 0)
			return -1;
	}
	while (blank(*p))
		p++;
	*after = p;
	return 0;
}

/* ------------------------------------------------------------ RUN --mount */

static bool parse_bool(const char *value, bool *ret)
{
	if (value == NULL || strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*ret = true;
	else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*ret = false;
	else
		return false;
	return true;
}

static bool parse_number(const char *value, int base, long long *ret)
{
	char *end;
	errno = 0;
	long long v = value != NULL && *value != '\0' ? strtoll(value, &end, base) : -1;
	if (value == NULL || *value == '\0' || errno != 0 || *end != '\0' || v < 0)
		return false;
	*ret = v;
	return true;
}

/* tmpfs size=64m: Docker's RAMInBytes, binary units. */
static bool parse_size(const char *value, long long *ret)
{
	char *end;
	if (value == NULL || !isdigit((unsigned char)value[0]))
		return false;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	const char *units = "kmgtp";
	const char *unit = *end != '\0' ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (unit != NULL) {
		for (const char *u = units; u <= unit; u++) {
			if (v > __LONG_LONG_MAX__ / 1024)
				return false;
			v *= 1024;
		}
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (errno != 0 || *end != '\0')
		return false;
	*ret = v;
	return true;
}

/* Where VALUE (any case) stands in the NULL-terminated WORDS, or -1. */
static int word_index(const char *const *words, const char *value)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcasecmp(words[i], value) == 0)
			return i;
	return -1;
}

static int mount_field(struct engine_dockerfile_mount *m, const char *field, bool *readonly_set,
		       struct engine_error **err)
{
	const char *eq = strchr(field, '=');
	size_t key_len = eq != NULL ? (size_t)(eq - field) : strlen(field);
	const char *value = eq != NULL ? eq + 1 : NULL;
	char key[32];
	if (key_len >= sizeof(key))
		return engine_error_set(err, EINVAL, "unexpected key '%.*s' in '%s'", (int)key_len, field, field);
	memcpy(key, field, key_len);
	key[key_len] = '\0';
	char **slot = NULL;
	if (strcasecmp(key, "readonly") == 0 || strcasecmp(key, "ro") == 0 || strcasecmp(key, "readwrite") == 0 ||
	    strcasecmp(key, "rw") == 0 || strcasecmp(key, "required") == 0) {
		bool b;
		if (!parse_bool(value, &b))
			return engine_error_set(err, EINVAL, "invalid value for %s: %s", key, value);
		if (strcasecmp(key, "required") == 0) {
			m->required = b;
		} else {
			bool writable = strcasecmp(key, "readwrite") == 0 || strcasecmp(key, "rw") == 0;
			m->readonly = writable ? !b : b;
			*readonly_set = true;
		}
		return 0;
	}
	if (value == NULL)
		return engine_error_set(err, EINVAL, "invalid field '%s' must be a key=value pair", field);
	if (strcasecmp(key, "type") == 0) {
		static const char *const types[] = { "bind", "cache", "tmpfs", "secret", "ssh", NULL };
		int i = word_index(types, value);
		if (i < 0)
			return engine_error_set(err, EINVAL, "unsupported mount type \"%s\"", value);
		m->type = (enum engine_dockerfile_mount_type)i;
		return 0;
	} else if (strcasecmp(key, "sharing") == 0) {
		static const char *const modes[] = { "shared", "private", "locked", NULL };
		int i = word_index(modes, value);
		if (i < 0)
			return engine_error_set(err, EINVAL, "unsupported sharing value \"%s\"", value);
		m->sharing = (enum engine_dockerfile_mount_sharing)i;
		return 0;
	} else if (strcasecmp(key, "uid") == 0 || strcasecmp(key, "gid") == 0 || strcasecmp(key, "mode") == 0) {
		long long *n = key[0] == 'u' || key[0] == 'U' ? &m->uid : key[0] == 'g' || key[0] == 'G' ? &m->gid : &m->mode;
		if (!parse_number(value, n == &m->mode ? 8 : 10, n))
			return engine_error_set(err, EINVAL, "invalid value for %s: %s", key, value);
		return 0;
	} else if (strcasecmp(key, "size") == 0) {
		if (!parse_size(value, &m->size))
			return engine_error_set(err, EINVAL, "invalid value for size: %s", value);
		return 0;
	} else if (strcasecmp(key, "target") == 0 || strcasecmp(key, "dst") == 0 ||
		   strcasecmp(key, "destination") == 0) {
		slot = &m->target;
	} else if (strcasecmp(key, "source") == 0 || strcasecmp(key, "src") == 0) {
		slot = &m->source;
	} else if (strcasecmp(key, "from") == 0) {
		slot = &m->from;
	} else if (strcasecmp(key, "id") == 0) {
		slot = &m->id;
	} else if (strcasecmp(key, "env") == 0) {
		slot = &m->env;
	} else {
		return engine_error_set(err, EINVAL, "unexpected key '%s' in '%s'", key, field);
	}
	free(*slot);
	*slot = strdup(value);
	return *slot == NULL ? no_memory(err) : 0;
}

/* One --mount value: comma-separated fields, a field double-quoted when
 * it holds a comma (the CSV reading Docker gives it). */
static int parse_mount(struct engine_dockerfile_mount *m, const char *spec, struct engine_error **err)
{
	*m = (struct engine_dockerfile_mount){ .uid = -1, .gid = -1, .mode = -1 };
	bool readonly_set = false;
	cleanup_free char *field = malloc(strlen(spec) + 1);
	if (field == NULL)
		return no_memory(err);
	for (const char *p = spec;;) {
		size_t w = 0;
		bool quoted = false;
		for (; *p != '\0' && (quoted || *p != ','); p++) {
			if (*p == '"') {
				if (quoted && p[1] == '"')
					field[w++] = *++p;
				else
					quoted = !quoted;
				continue;
			}
			field[w++] = *p;
		}
		field[w] = '\0';
		if (w > 0 && mount_field(m, field, &readonly_set, err) < 0)
			return -1;
		if (*p == '\0')
			break;
		p++;
	}
	/* bind mounts are read-only unless asked otherwise, the others not */
	if (!readonly_set)
		m->readonly = m->type == ENGINE_DOCKERFILE_MOUNT_BIND;
	if (m->target == NULL && m->type != ENGINE_DOCKERFILE_MOUNT_SECRET && m->type != ENGINE_DOCKERFILE_MOUNT_SSH)
		return engine_error_set(err, EINVAL, "invalid mount target \"\"");
	return 0;
}

void engine_dockerfile_mount_clear(struct engine_dockerfile_mount *m)
{
	free(m->target);
	free(m->source);
	free(m->from);
	free(m->id);
	free(m->env);
}

int engine_dockerfile_run_options(struct engine_dockerfile_instruction *in, struct engine_error **err)
{
	for (size_t i = 0; i < in->n_flags; i++) {
		const struct engine_dockerfile_flag *f = &in->flags[i];
		if (strcmp(f->name, "mount") == 0) {
			struct engine_dockerfile_mount *grown = realloc(in->mounts, (in->n_mounts + 1) * sizeof(*grown));
			if (grown == NULL)
				return no_memory(err);
			in->mounts = grown;
			int r = parse_mount(&grown[in->n_mounts], f->value, err);
			in->n_mounts++;
			if (r < 0)
				return -1;
		} else if (strcmp(f->name, "network") == 0 && strcmp(f->value, "default") != 0 &&
			   strcmp(f->value, "none") != 0 && strcmp(f->value, "host") != 0) {
			return engine_error_set(err, EINVAL, "unsupported network mode \"%s\"", f->value);
		} else if (strcmp(f->name, "security") == 0 && strcmp(f->value, "sandbox") != 0 &&
			   strcmp(f->value, "insecure") != 0) {
			return engine_error_set(err, EINVAL, "unsupported security mode \"%s\"", f->value);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ HEALTHCHECK */

/* Go's time.ParseDuration: "1m30s", "1.5h", "300ms"; a sign allowed. */
static bool parse_duration(const char *s, long long *ret)
{
	static const struct {
		const char *unit;
		long long ns;
	} units[] = { { "ns", 1 },	     { "us", 1000 },	     { "\xc2\xb5s", 1000 },	  { "ms", 1000000 },
		      { "s", 1000000000LL }, { "m", 60000000000LL }, { "h", 3600000000000LL } };
	bool negative = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (strcmp(s, "0") == 0) {
		*ret = 0;
		return true;
	}
	if (*s == '\0')
		return false;
	long double total = 0;
	while (*s != '\0') {
		char *end;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return false;
		long double v = strtold(s, &end);
		if (end == s)
			return false;
		s = end;
		size_t i = ARRAY_SIZE(units);
		for (size_t k = 0; k < ARRAY_SIZE(units); k++)
			if (strncmp(s, units[k].unit, strlen(units[k].unit)) == 0 &&
			    (i == ARRAY_SIZE(units) || strlen(units[k].unit) > strlen(units[i].unit)))
				i = k;
		if (i == ARRAY_SIZE(units))
			return false;
		s += strlen(units[i].unit);
		total += v * (long double)units[i].ns;
		if (total > 9.2e18L)
			return false;
	}
	*ret = (long long)(negative ? -total : total);
	return true;
}

int engine_dockerfile_health_options(struct engine_dockerfile_instruction *in, struct engine_error **err)
{
	struct engine_dockerfile_health *h = &in->health;
	h->retries = -1;
	for (size_t i = 0; i < in->n_flags; i++) {
		const struct engine_dockerfile_flag *f = &in->flags[i];
		if (strcmp(f->name, "retries") == 0) {
			char *end;
			errno = 0;
			h->retries = strtoll(f->value, &end, 10);
			if (errno != 0 || end == f->value || *end != '\0')
				return engine_error_set(err, EINVAL, "strconv.ParseInt: parsing \"%s\": invalid syntax",
							f->value);
			if (h->retries < 0)
				return engine_error_set(err, EINVAL, "--retries cannot be negative (%lld)", h->retries);
			continue;
		}
		long long d;
		if (!parse_duration(f->value, &d))
			return engine_error_set(err, EINVAL, "time: invalid duration \"%s\"", f->value);
		if (d != 0 && d < 1000000)
			return engine_error_set(err, EINVAL, "Interval \"%s\" cannot be less than 1ms", f->name);
		if (strcmp(f->name, "interval") == 0)
			h->interval = d;
		else if (strcmp(f->name, "timeout") == 0)
			h->timeout = d;
		else if (strcmp(f->name, "start-period") == 0)
			h->start_period = d;
		else
			h->start_interval = d;
	}
	return 0;
}
