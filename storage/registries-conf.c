/* registries-conf.c: the registries.conf parser (grammar in
 * registries-conf.h) and what the configuration means for a reference:
 * where to pull it from and which hosts may skip TLS.
 *
 * Why a hand-written parser for a TOML subset rather than a TOML library:
 * the subset is a dozen productions, a library would read (and so accept)
 * everything Podman's file may hold, which we would then have to refuse
 * key by key anyway, and the error we want ("FILE:LINE: what is wrong")
 * is easier to give when we own the scanner.  Strict on purpose, as
 * storage-conf.c: one clear line for anything it does not know. */
#include "storage/registries-conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/paths.h"
#include "common/fs.h"
#include "common/strv.h"

#define CONFIG_MAX_BYTES (64u << 10)
#define STRING_MAX 1024
#define ARRAY_MAX 64
#define LOCATION_MAX 255 /* the distribution grammar's limit for a name */

enum table { TABLE_TOP, TABLE_REGISTRY, TABLE_MIRROR };

enum key_bit { KEY_SEARCH = 1, KEY_LOCATION = 2, KEY_INSECURE = 4, KEY_BLOCKED = 8 };

enum value_kind { VALUE_STRING, VALUE_BOOL, VALUE_ARRAY };

struct value {
	enum value_kind kind;
	bool boolean;
	char *string;  /* VALUE_STRING */
	char **items;  /* VALUE_ARRAY: strings */
	size_t n_items;
};

struct parser {
	const char *p, *end;
	const char *name;
	unsigned line;
	struct storage_registries_conf *conf;
	enum table table;
	unsigned table_line; /* the current table's header, for "has no location" */
	unsigned keys_seen;  /* enum key_bit, for the current table */
	unsigned *registry_lines; /* where each [[registry]] began, for duplicates */
	struct engine_error **err;
};

static void value_clear(struct value *v)
{
	free(v->string);
	engine_strv_free_n(v->items, v->n_items);
	*v = (struct value){ 0 };
}

/* "NAME:LINE: MESSAGE", the one error shape of this file. */
static int __attribute__((format(printf, 2, 3))) fail(struct parser *ps, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line, whatever text of the file the message quotes. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return engine_error_set(ps->err, EINVAL, "%s:%u: %s", ps->name, ps->line, msg);
}

/* ------------------------------------------------------------- scanning */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_bare_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static void skip_blanks(struct parser *ps)
{
	while (ps->p < ps->end && is_blank(*ps->p))
		ps->p++;
}

/* The rest of the line at P (at most 40 bytes), for a message. */
static const char *excerpt(const struct parser *ps, const char *p, char buf[static 41])
{
	size_t n = 0;
	while (p + n < ps->end && n < 40 && p[n] != '\n' && p[n] != '\r')
		n++;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* At the end of a line (or file), past blanks and a comment?  Consumes the
 * newline (a CRLF too).  Control characters in a comment are refused, as
 * TOML does: they would hide text from a reader of the file. */
static int end_of_line(struct parser *ps, bool *ret_at_end)
{
	skip_blanks(ps);
	if (ps->p < ps->end && *ps->p == '#') {
		for (; ps->p < ps->end && *ps->p != '\n'; ps->p++) {
			unsigned char c = (unsigned char)*ps->p;
			if ((c < 0x20 && c != '\t' && !(c == '\r' && ps->p + 1 < ps->end &&
							  ps->p[1] == '\n')) ||
			    c == 0x7f)
				return fail(ps, "control character in a comment");
		}
	}
	if (ps->p < ps->end && *ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
		ps->p++;
	if (ps->p >= ps->end) {
		*ret_at_end = true;
		return 0;
	}
	if (*ps->p != '\n') {
		*ret_at_end = false;
		return 0;
	}
	ps->p++;
	ps->line++;
	*ret_at_end = true;
	return 0;
}

/* Skip blanks, comments and newlines (inside an array). */
static int skip_space_and_newlines(struct parser *ps)
{
	for (;;) {
		const char *before = ps->p;
		bool at_end;
		if (end_of_line(ps, &at_end) < 0)
			return -1;
		if (!at_end || ps->p >= ps->end || ps->p == before)
			return 0;
	}
}

/* A bare key at ps->p, into KEY. */
static int bare_key(struct parser *ps, char *key, size_t size)
{
	size_t n = 0;
	while (ps->p < ps->end && is_bare_key_char(*ps->p)) {
		if (n + 1 >= size)
			return fail(ps, "key too long");
		key[n++] = *ps->p++;
	}
	key[n] = '\0';
	if (n == 0) {
		if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\''))
			return fail(ps, "quoted keys are not supported");
		return fail(ps, "expected a key");
	}
	return 0;
}

/* A '...' or "..." string (no escapes: no value we read needs one). */
static int string_value(struct parser *ps, char **ret)
{
	char quote = *ps->p;
	if (ps->end - ps->p >= 3 && ps->p[1] == quote && ps->p[2] == quote)
		return fail(ps, "multi-line strings are not supported");
	const char *start = ++ps->p;
	for (; ps->p < ps->end && *ps->p != quote; ps->p++) {
		unsigned char c = (unsigned char)*ps->p;
		if (c == '\n' || c == '\r')
			return fail(ps, "unterminated string");
		if (c == '\\' && quote == '"')
			return fail(ps, "escape sequences are not supported in strings");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(ps, "control character in a string");
	}
	if (ps->p >= ps->end)
		return fail(ps, "unterminated string");
	size_t n = (size_t)(ps->p - start);
	ps->p++;
	if (n > STRING_MAX)
		return fail(ps, "string longer than %u bytes", STRING_MAX);
	*ret = strndup(start, n);
	if (*ret == NULL)
		return engine_error_set(ps->err, ENOMEM, "out of memory");
	return 0;
}

static int array_value(struct parser *ps, struct value *v)
{
	v->kind = VALUE_ARRAY;
	ps->p++; /* '[' */
	for (;;) {
		if (skip_space_and_newlines(ps) < 0)
			return -1;
		if (ps->p >= ps->end)
			return fail(ps, "unterminated array");
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (*ps->p != '"' && *ps->p != '\'')
			return fail(ps, "arrays may hold only quoted strings");
		if (v->n_items >= ARRAY_MAX)
			return fail(ps, "more than %d entries in an array", ARRAY_MAX);
		char **items = realloc(v->items, (v->n_items + 1) * sizeof(*items));
		if (items == NULL)
			return engine_error_set(ps->err, ENOMEM, "out of memory");
		v->items = items;
		if (string_value(ps, &v->items[v->n_items]) < 0)
			return -1;
		v->n_items++;
		if (skip_space_and_newlines(ps) < 0)
			return -1;
		if (ps->p < ps->end && *ps->p == ',')
			ps->p++;
		else if (ps->p < ps->end && *ps->p != ']')
			return fail(ps, "expected ',' or ']' in an array");
	}
}

static int value(struct parser *ps, struct value *v)
{
	if (ps->p >= ps->end || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '#')
		return fail(ps, "a key without a value");
	if (*ps->p == '"' || *ps->p == '\'') {
		v->kind = VALUE_STRING;
		return string_value(ps, &v->string);
	}
	if (*ps->p == '[')
		return array_value(ps, v);
	const char *start = ps->p;
	while (ps->p < ps->end && is_bare_key_char(*ps->p))
		ps->p++;
	size_t n = (size_t)(ps->p - start);
	if ((n == 4 && memcmp(start, "true", 4) == 0) || (n == 5 && memcmp(start, "false", 5) == 0)) {
		v->kind = VALUE_BOOL;
		v->boolean = n == 4;
		return 0;
	}
	char buf[41];
	ps->p = start;
	return fail(ps, "expected a quoted string, true, false or an array of strings, got: %s",
		    excerpt(ps, start, buf));
}

/* ------------------------------------------------------------ meanings */

/* "host[:port][/path]" as a reference's name begins; index.docker.io is
 * folded into docker.io as references fold it.  *ret: the normalised copy. */
static int check_location(struct parser *ps, const char *what, const char *s, bool allow_path,
			  char **ret)
{
	if (s[0] == '\0')
		return fail(ps, "%s is empty", what);
	if (strstr(s, "://") != NULL)
		return fail(ps, "%s \"%.200s\": write host[:port]%s, without a scheme", what, s,
			    allow_path ? "[/path]" : "");
	if (s[0] == '*')
		return fail(ps, "%s \"%.200s\": wildcards are not supported", what, s);
	if (strlen(s) > LOCATION_MAX)
		return fail(ps, "%s longer than %d characters", what, LOCATION_MAX);
	const char *slash = strchr(s, '/');
	cleanup_free char *host = strndup(s, slash ? (size_t)(slash - s) : strlen(s));
	if (host == NULL)
		return engine_error_set(ps->err, ENOMEM, "out of memory");
	if (!storage_reference_valid_registry(host))
		return fail(ps, "%s \"%.200s\": \"%.200s\" is not a registry host[:port]", what, s,
			    host);
	if (slash != NULL && !allow_path)
		return fail(ps, "%s \"%.200s\": must be a registry host[:port], without a path", what, s);
	if (slash != NULL && !storage_reference_valid_repository(slash + 1))
		return fail(ps,
			    "%s \"%.200s\": the path must be repository components (lowercase "
			    "letters and digits, separated by '.', '_', '__' or dashes)",
			    what, s);
	const char *h = strcmp(host, "index.docker.io") == 0 ? STORAGE_DOCKER_HUB : host;
	if (asprintf(ret, "%s%s", h, slash ? slash : "") < 0) {
		*ret = NULL;
		return engine_error_set(ps->err, ENOMEM, "out of memory");
	}
	return 0;
}

static struct storage_registry_entry *current_registry(struct parser *ps)
{
	return &ps->conf->registries[ps->conf->n_registries - 1];
}

static int want_kind(struct parser *ps, const char *key, const struct value *v,
		     enum value_kind kind)
{
	static const char *const what[] = { "a quoted string", "true or false",
					    "an array of strings" };
	if (v->kind != kind)
		return fail(ps, "%s must be %s", key, what[kind]);
	return 0;
}

static const struct key {
	enum table table;
	const char *name;
	enum key_bit bit;
	enum value_kind kind;
} keys[] = {
	{ TABLE_TOP, "unqualified-search-registries", KEY_SEARCH, VALUE_ARRAY },
	{ TABLE_REGISTRY, "location", KEY_LOCATION, VALUE_STRING },
	{ TABLE_REGISTRY, "insecure", KEY_INSECURE, VALUE_BOOL },
	{ TABLE_REGISTRY, "blocked", KEY_BLOCKED, VALUE_BOOL },
	{ TABLE_MIRROR, "location", KEY_LOCATION, VALUE_STRING },
	{ TABLE_MIRROR, "insecure", KEY_INSECURE, VALUE_BOOL },
};

/* KEY in the current table, checked before its value is read so that a
 * misspelt or misplaced key is named as such, whatever its value. */
static int lookup_key(struct parser *ps, const char *key, const struct key **ret)
{
	static const char *const expected[] = {
		[TABLE_TOP] = "the top level takes only unqualified-search-registries",
		[TABLE_REGISTRY] = "[[registry]] takes location, insecure and blocked",
		[TABLE_MIRROR] = "[[registry.mirror]] takes location and insecure",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].table != ps->table || strcmp(keys[i].name, key) != 0)
			continue;
		if (ps->keys_seen & keys[i].bit)
			return fail(ps, "%s is set twice", key);
		ps->keys_seen |= keys[i].bit;
		*ret = &keys[i];
		return 0;
	}
	return fail(ps, "unknown key \"%s\" (%s)", key, expected[ps->table]);
}

static int set_key(struct parser *ps, const struct key *k, struct value *v)
{
	const char *key = k->name;
	if (want_kind(ps, key, v, k->kind) < 0)
		return -1;

	if (ps->table == TABLE_TOP) {
		if (v->n_items == 0)
			return fail(ps, "unqualified-search-registries is empty: refusing short names "
					"is not supported (leave the key out for docker.io)");
		for (size_t j = 0; j < v->n_items; j++) {
			cleanup_free char *loc = NULL;
			if (check_location(ps, "unqualified-search-registries entry", v->items[j],
					   false, &loc) < 0)
				return -1;
			if (j == 0)
				ps->conf->short_name_registry = steal_pointer(&loc);
		}
		return 0;
	}
	struct storage_registry_entry *reg = current_registry(ps);
	struct storage_registry_mirror *mirror =
		ps->table == TABLE_MIRROR ? &reg->mirrors[reg->n_mirrors - 1] : NULL;
	switch (k->bit) {
	case KEY_LOCATION: {
		char *loc = NULL;
		if (check_location(ps, "location", v->string, true, &loc) < 0)
			return -1;
		if (mirror != NULL) {
			mirror->location = loc;
			return 0;
		}
		for (size_t j = 0; j + 1 < ps->conf->n_registries; j++) {
			if (strcmp(ps->conf->registries[j].location, loc) == 0) {
				free(loc);
				return fail(ps, "registry \"%.200s\" is listed twice (first at line %u)",
					    v->string, ps->registry_lines[j]);
			}
		}
		reg->location = loc;
		return 0;
	}
	case KEY_INSECURE:
		if (mirror != NULL)
			mirror->insecure = v->boolean;
		else
			reg->insecure = v->boolean;
		return 0;
	case KEY_BLOCKED:
		reg->blocked = v->boolean;
		return 0;
	default:
		return 0;
	}
}

/* The table that ends here must have had a location. */
static int end_table(struct parser *ps)
{
	if (ps->table == TABLE_TOP || (ps->keys_seen & KEY_LOCATION))
		return 0;
	ps->line = ps->table_line;
	return fail(ps, "%s without a location",
		    ps->table == TABLE_REGISTRY ? "[[registry]]" : "[[registry.mirror]]");
}

/* "[[registry]]" or "[[registry.mirror]]" (blanks allowed around the parts,
 * as TOML allows); any other table is refused by name. */
static int table_header(struct parser *ps)
{
	const char *start = ps->p;
	bool array = ps->end - ps->p >= 2 && ps->p[1] == '[';
	ps->p += array ? 2 : 1;
	char parts[2][64];
	size_t n = 0;
	for (;;) {
		skip_blanks(ps);
		if (n == 2) {
			char buf[41];
			return fail(ps, "unknown table %s: only [[registry]] and [[registry.mirror]] are read",
				    excerpt(ps, start, buf));
		}
		if (bare_key(ps, parts[n], sizeof(parts[n])) < 0)
			return -1;
		n++;
		skip_blanks(ps);
		if (ps->p < ps->end && *ps->p == '.') {
			ps->p++;
			continue;
		}
		break;
	}
	const char *close = array ? "]]" : "]";
	size_t close_len = strlen(close);
	if ((size_t)(ps->end - ps->p) < close_len || memcmp(ps->p, close, close_len) != 0)
		return fail(ps, "expected %s to close the table header", close);
	ps->p += close_len;
	bool registry = n >= 1 && strcmp(parts[0], "registry") == 0;
	bool is_mirror = registry && n == 2 && strcmp(parts[1], "mirror") == 0;
	if (!array || !registry || (n == 2 && !is_mirror)) {
		int len = (int)(ps->p - start);
		return fail(ps, "unknown table %.*s: only [[registry]] and [[registry.mirror]] are read",
			    len < 64 ? len : 64, start);
	}
	if (end_table(ps) < 0)
		return -1;
	struct storage_registries_conf *conf = ps->conf;
	if (is_mirror) {
		if (conf->n_registries == 0)
			return fail(ps, "[[registry.mirror]] before any [[registry]]");
		struct storage_registry_entry *reg = current_registry(ps);
		struct storage_registry_mirror *m =
			realloc(reg->mirrors, (reg->n_mirrors + 1) * sizeof(*m));
		if (m == NULL)
			return engine_error_set(ps->err, ENOMEM, "out of memory");
		reg->mirrors = m;
		m[reg->n_mirrors++] = (struct storage_registry_mirror){ 0 };
		ps->table = TABLE_MIRROR;
	} else {
		struct storage_registry_entry *r =
			realloc(conf->registries, (conf->n_registries + 1) * sizeof(*r));
		unsigned *lines = realloc(ps->registry_lines,
					  (conf->n_registries + 1) * sizeof(*lines));
		if (r != NULL)
			conf->registries = r;
		if (lines != NULL)
			ps->registry_lines = lines;
		if (r == NULL || lines == NULL)
			return engine_error_set(ps->err, ENOMEM, "out of memory");
		lines[conf->n_registries] = ps->line;
		r[conf->n_registries++] = (struct storage_registry_entry){ 0 };
		ps->table = TABLE_REGISTRY;
	}
	ps->table_line = ps->line;
	ps->keys_seen = 0;
	return 0;
}

static int statement(struct parser *ps)
{
	if (*ps->p == '[')
		return table_header(ps);
	char key[64];
	if (bare_key(ps, key, sizeof(key)) < 0)
		return -1;
	skip_blanks(ps);
	if (ps->p < ps->end && *ps->p == '.')
		return fail(ps, "dotted keys are not supported (%s...)", key);
	if (ps->p >= ps->end || *ps->p != '=')
		return fail(ps, "expected '=' after %s", key);
	ps->p++;
	skip_blanks(ps);
	const struct key *k = NULL;
	if (lookup_key(ps, key, &k) < 0)
		return -1;
	struct value v = { 0 };
	int r = value(ps, &v);
	if (r == 0)
		r = set_key(ps, k, &v);
	value_clear(&v);
	return r;
}

int storage_registries_conf_parse(const char *text, size_t len, const char *name,
				  struct storage_registries_conf **ret, struct engine_error **err)
{
	if (len > CONFIG_MAX_BYTES)
		return engine_error_set(err, EFBIG, "%s: larger than %u bytes", name, CONFIG_MAX_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return engine_error_set(err, EINVAL, "%s: not a text file (NUL byte)", name);
	struct storage_registries_conf *conf = calloc(1, sizeof(*conf));
	if (conf == NULL || (conf->path = strdup(name)) == NULL) {
		free(conf);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	struct parser ps = { .p = text, .end = text + len, .name = name, .line = 1,
			     .conf = conf, .err = err };
	int r = 0;
	while (r == 0 && ps.p < ps.end) {
		bool at_end;
		skip_blanks(&ps);
		if (ps.p < ps.end && *ps.p != '#' && *ps.p != '\n' && *ps.p != '\r')
			r = statement(&ps);
		if (r == 0)
			r = end_of_line(&ps, &at_end);
		char buf[41];
		if (r == 0 && !at_end)
			r = fail(&ps, "unexpected text: %s", excerpt(&ps, ps.p, buf));
	}
	if (r == 0)
		r = end_table(&ps);
	free(ps.registry_lines);
	if (r < 0) {
		storage_registries_conf_free(conf);
		return r;
	}
	*ret = conf;
	return 0;
}

void storage_registries_conf_free(struct storage_registries_conf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; i < conf->n_registries; i++) {
		struct storage_registry_entry *r = &conf->registries[i];
		for (size_t j = 0; j < r->n_mirrors; j++)
			free(r->mirrors[j].location);
		free(r->mirrors);
		free(r->location);
	}
	free(conf->registries);
	free(conf->short_name_registry);
	free(conf->path);
	free(conf);
}

/* ---------------------------------------------------------------- files */

/* As storage_registries_conf_load; *ret_unreadable tells a file that could
 * not be read (the caller may say why it was read) from one that is wrong
 * (whose error names it already). */
static int load(const char *path, bool must_exist, struct storage_registries_conf **ret,
		bool *ret_unreadable, struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct engine_error *local = NULL;
	*ret_unreadable = false;
	if (engine_read_file(AT_FDCWD, path, 0, CONFIG_MAX_BYTES, &buf, &len, &local) < 0) {
		if (!must_exist && (local->status == ENOENT || local->status == ENOTDIR)) {
			engine_error_free(&local);
			*ret = calloc(1, sizeof(**ret));
			return *ret ? 0 : engine_error_set(err, ENOMEM, "out of memory");
		}
		*ret_unreadable = true;
		if (err != NULL && *err == NULL)
			*err = local;
		else
			engine_error_free(&local);
		return -1;
	}
	return storage_registries_conf_parse(buf, len, path, ret, err);
}

int storage_registries_conf_load(const char *path, bool must_exist,
				 struct storage_registries_conf **ret, struct engine_error **err)
{
	bool unreadable;
	return load(path, must_exist, ret, &unreadable, err);
}

int storage_registries_conf_user_path(char **ret, struct engine_error **err)
{
	*ret = NULL;
	if (geteuid() == 0)
		return 0;
	return storage_user_config_path("registries.conf", ret, err);
}

int storage_registries_conf_load_default(struct storage_registries_conf **ret,
					 struct engine_error **err)
{
	const char *env = getenv(STORAGE_REGISTRIES_CONF_ENV);
	if (env != NULL && env[0] != '\0') {
		bool unreadable;
		if (load(env, true, ret, &unreadable, err) < 0)
			return unreadable ? engine_error_prefix(err, "%s", STORAGE_REGISTRIES_CONF_ENV) : -1;
		return 0;
	}
	cleanup_free char *user = NULL;
	if (storage_registries_conf_user_path(&user, err) < 0)
		return -1;
	/* The user's file replaces the system's when it exists (as Podman's
	 * does): merging would make a user unable to drop a system mirror. */
	if (user != NULL && access(user, F_OK) == 0)
		return storage_registries_conf_load(user, true, ret, err);
	return storage_registries_conf_load(STORAGE_REGISTRIES_CONF_SYSTEM, false, ret, err);
}

/* ------------------------------------------------------------- meanings */

const struct storage_registry_entry *
storage_registries_conf_match(const struct storage_registries_conf *conf, const char *registry,
			      const char *repository)
{
	if (conf == NULL || registry == NULL)
		return NULL;
	const struct storage_registry_entry *best = NULL;
	size_t best_len = 0, reg_len = strlen(registry);
	for (size_t i = 0; i < conf->n_registries; i++) {
		const char *loc = conf->registries[i].location;
		size_t n = strlen(loc);
		if (n < reg_len || strncmp(loc, registry, reg_len) != 0)
			continue;
		/* LOC is REGISTRY, or REGISTRY/PATH where PATH is REPOSITORY
		 * or its leading components. */
		bool match = loc[reg_len] == '\0';
		if (!match && loc[reg_len] == '/' && repository != NULL) {
			const char *path = loc + reg_len + 1;
			size_t plen = strlen(path);
			match = strncmp(repository, path, plen) == 0 &&
				(repository[plen] == '\0' || repository[plen] == '/');
		}
		if (match && n >= best_len) {
			best = &conf->registries[i];
			best_len = n;
		}
	}
	return best;
}

/* Split "host[:port]" / "[v6][:port]" (a location's host part, or a
 * URL's authority) into HOST (lowercased, brackets kept) and PORT ("" when
 * none). */
static void split_hostport(const char *s, size_t len, char *host, size_t hsize, char *port,
			   size_t psize)
{
	size_t hlen = len;
	const char *colon = NULL;
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (close != NULL && close + 1 < s + len && close[1] == ':')
			colon = close + 1;
	} else {
		colon = memchr(s, ':', len);
	}
	if (colon != NULL)
		hlen = (size_t)(colon - s);
	snprintf(host, hsize, "%.*s", (int)hlen, s);
	for (char *p = host; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	snprintf(port, psize, "%.*s", colon ? (int)(s + len - colon - 1) : 0, colon ? colon + 1 : "");
}

static bool default_port(const char *port)
{
	return port[0] == '\0' || strcmp(port, "443") == 0 || strcmp(port, "80") == 0;
}

/* Does LOCATION's host part name HOST:PORT?  docker.io's API answers on
 * registry-1.docker.io, so a location on docker.io names that host too. */
static bool location_on_host(const char *location, const char *host, const char *port)
{
	char lhost[300], lport[16];
	size_t n = strcspn(location, "/");
	split_hostport(location, n, lhost, sizeof(lhost), lport, sizeof(lport));
	if (strcmp(lhost, host) != 0 &&
	    !(strcmp(lhost, STORAGE_DOCKER_HUB) == 0 && strcmp(host, STORAGE_DOCKER_HUB_API) == 0))
		return false;
	if (lport[0] == '\0')
		return default_port(port);
	return strcmp(lport, port) == 0 || (port[0] == '\0' && strcmp(lport, "443") == 0);
}

bool storage_registries_conf_insecure(const struct storage_registries_conf *conf,
				      const char *hostport)
{
	if (conf == NULL || hostport == NULL)
		return false;
	char host[300], port[16];
	split_hostport(hostport, strlen(hostport), host, sizeof(host), port, sizeof(port));
	for (size_t i = 0; i < conf->n_registries; i++) {
		const struct storage_registry_entry *r = &conf->registries[i];
		if (r->insecure && location_on_host(r->location, host, port))
			return true;
		for (size_t j = 0; j < r->n_mirrors; j++)
			if (r->mirrors[j].insecure && location_on_host(r->mirrors[j].location, host, port))
				return true;
	}
	return false;
}

/* REF with its registry and repository taken from NAME ("host/repo"). */
static int endpoint_from_name(const char *name, const struct storage_reference *ref,
			      struct storage_reference *out)
{
	const char *slash = strchr(name, '/');
	*out = (struct storage_reference){ 0 };
	if (slash == NULL || strlen(name) > LOCATION_MAX)
		return -EINVAL;
	out->registry = strndup(name, (size_t)(slash - name));
	out->repository = strdup(slash + 1);
	out->tag = ref->tag ? strdup(ref->tag) : NULL;
	out->digest = ref->digest ? strdup(ref->digest) : NULL;
	if (out->registry == NULL || out->repository == NULL || (ref->tag && !out->tag) ||
	    (ref->digest && !out->digest)) {
		storage_reference_clear(out);
		return -ENOMEM;
	}
	if (!storage_reference_valid_registry(out->registry) ||
	    !storage_reference_valid_repository(out->repository)) {
		storage_reference_clear(out);
		return -EINVAL;
	}
	return 0;
}

int storage_registries_conf_endpoints(const struct storage_registries_conf *conf,
				      const struct storage_reference *ref,
				      struct storage_registry_endpoint **ret, size_t *ret_n,
				      struct engine_error **err)
{
	const struct storage_registry_entry *entry =
		storage_registries_conf_match(conf, ref->registry, ref->repository);
	if (entry != NULL && entry->blocked)
		return engine_error_set(err, EACCES, "registry %s is blocked in registries.conf (%s)",
					entry->location, conf->path ? conf->path : "");
	size_t n_mirrors = entry ? entry->n_mirrors : 0, n = 0;
	struct storage_registry_endpoint *e = calloc(n_mirrors + 1, sizeof(*e));
	cleanup_free char *name = NULL;
	if (e == NULL || storage_reference_name(ref, &name) < 0) {
		free(e);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	/* What follows the entry's location in REF's name: "" or "/...". */
	const char *rest = entry ? name + strlen(entry->location) : "";
	for (size_t i = 0; i < n_mirrors; i++) {
		cleanup_free char *mname = NULL;
		if (asprintf(&mname, "%s%s", entry->mirrors[i].location, rest) < 0) {
			storage_registry_endpoints_free(e, n);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
		int r = endpoint_from_name(mname, ref, &e[n].ref);
		if (r == -ENOMEM) {
			storage_registry_endpoints_free(e, n);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
		if (r < 0) {
			engine_debug("registries.conf: mirror %s: %s is not a valid name; skipped",
				     entry->mirrors[i].location, mname);
			continue;
		}
		e[n++].mirror = true;
	}
	/* REF itself, last: a valid reference is a valid name. */
	int r = endpoint_from_name(name, ref, &e[n].ref);
	if (r < 0) {
		storage_registry_endpoints_free(e, n);
		return r == -ENOMEM ? engine_error_set(err, ENOMEM, "out of memory")
				    : engine_error_set(err, EINVAL, "invalid name %s", name);
	}
	n++;
	*ret = e;
	*ret_n = n;
	return 0;
}

void storage_registry_endpoints_free(struct storage_registry_endpoint *endpoints, size_t n)
{
	if (endpoints == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		storage_reference_clear(&endpoints[i].ref);
	free(endpoints);
}
