/* storage-conf.c: the storage.conf parser (grammar in storage-conf.h).  Strict on
 * purpose: one clear line for anything it does not know, never a guess. */
#include "storage/storage-conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/paths.h"
#include "common/fs.h"

#define CONFIG_MAX_BYTES (64u << 10)

int storage_config_path(char **ret, struct engine_error **err)
{
	*ret = NULL;
	if (geteuid() != 0)
		return storage_user_config_path("storage.conf", ret, err);
	if ((*ret = strdup("/etc/engine/storage.conf")) == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

void storage_config_clear(struct storage_config *config)
{
	free(config->root);
	free(config->runroot);
	config->root = config->runroot = NULL;
	config->driver = STORAGE_DRIVER_NONE;
}

enum config_key { KEY_DRIVER, KEY_ROOT, KEY_RUNROOT, N_KEYS };
static const char *const key_names[N_KEYS] = { "driver", "root", "runroot" };

#define EXPECTED \
	"expected driver = \"overlay|fuse-overlayfs|vfs\", root = \"/PATH\" or runroot = \"/PATH\""

/* One key's value: the driver's name, or a path that must be absolute. */
static int set_value(struct storage_config *c, enum config_key key, const char *v, char *msg,
		     size_t msg_size)
{
	if (key == KEY_DRIVER) {
		c->driver = storage_driver_from_name(v);
		if (c->driver != STORAGE_DRIVER_NONE)
			return 0;
		snprintf(msg, msg_size,
			 "unknown storage driver \"%.64s\": expected overlay, fuse-overlayfs or vfs", v);
		return -1;
	}
	/* TOML would read escapes in a basic string; we read none, so a
	 * backslash would mean one path to Podman and another to us. */
	if (v[0] != '/' || strchr(v, '\\') != NULL) {
		snprintf(msg, msg_size, "%s must be an absolute path without escapes (~ is not "
					"expanded), got \"%.64s\"",
			 key_names[key], v);
		return -1;
	}
	char *copy = strdup(v);
	if (copy == NULL) {
		snprintf(msg, msg_size, "out of memory");
		return -1;
	}
	*(key == KEY_ROOT ? &c->root : &c->runroot) = copy;
	return 0;
}

/* One line, trimmed of surrounding blanks, into C; or an error message in
 * MSG.  SEEN says which keys earlier lines set. */
static int parse_line(char *line, struct storage_config *c, bool seen[N_KEYS], char *msg,
		      size_t msg_size)
{
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if (line[0] == '[') {
		if (strcmp(line, "[storage]") == 0)
			return 0;
		snprintf(msg, msg_size, "unknown table %.64s: only [storage] is read", line);
		return -1;
	}
	char *eq = strchr(line, '=');
	char *key_end = eq ? eq : line + strlen(line);
	while (key_end > line && is_blank(key_end[-1]))
		key_end--;
	enum config_key key = N_KEYS;
	for (int k = 0; eq != NULL && k < N_KEYS; k++)
		if ((size_t)(key_end - line) == strlen(key_names[k]) &&
		    strncmp(line, key_names[k], strlen(key_names[k])) == 0)
			key = (enum config_key)k;
	if (key == N_KEYS) {
		snprintf(msg, msg_size, EXPECTED ", got: %.64s", line);
		return -1;
	}
	char *v = eq + 1;
	while (is_blank(*v))
		v++;
	char *close_quote = v[0] == '"' ? strchr(v + 1, '"') : NULL;
	if (close_quote == NULL) {
		snprintf(msg, msg_size, "the %s must be a quoted string, got: %.64s", key_names[key], v);
		return -1;
	}
	char *rest = close_quote + 1;
	while (is_blank(*rest))
		rest++;
	if (*rest != '\0' && *rest != '#') {
		snprintf(msg, msg_size, "unexpected text after the %s: %.64s", key_names[key], rest);
		return -1;
	}
	*close_quote = '\0';
	if (seen[key]) {
		snprintf(msg, msg_size, "%s is set twice", key_names[key]);
		return -1;
	}
	seen[key] = true;
	return set_value(c, key, v + 1, msg, msg_size);
}

int storage_config_parse(const char *text, size_t len, const char *name,
			 struct storage_config *ret, struct engine_error **err)
{
	if (len > CONFIG_MAX_BYTES)
		return engine_error_set(err, EFBIG, "%s: larger than %u bytes", name, CONFIG_MAX_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return engine_error_set(err, EINVAL, "%s: not a text file (NUL byte)", name);
	struct storage_config c = { .driver = STORAGE_DRIVER_NONE };
	bool seen[N_KEYS] = { false };
	size_t lineno = 0;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len;
		char line[512];
		lineno++;
		size_t start = off;
		while (start < end && is_blank(text[start]))
			start++;
		size_t stop = end;
		while (stop > start && is_blank(text[stop - 1]))
			stop--;
		if (stop - start >= sizeof(line)) {
			storage_config_clear(&c);
			return engine_error_set(err, EINVAL, "%s:%zu: line too long", name, lineno);
		}
		memcpy(line, text + start, stop - start);
		line[stop - start] = '\0';
		char msg[256];
		if (parse_line(line, &c, seen, msg, sizeof(msg)) < 0) {
			storage_config_clear(&c);
			return engine_error_set(err, EINVAL, "%s:%zu: %s", name, lineno, msg);
		}
		off = end + 1;
	}
	*ret = c;
	return 0;
}

int storage_config_load(const char *path, struct storage_config *ret, struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct engine_error *local = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, CONFIG_MAX_BYTES, &buf, &len, &local) < 0) {
		if (local->status == ENOENT || local->status == ENOTDIR) {
			engine_error_free(&local);
			*ret = (struct storage_config){ .driver = STORAGE_DRIVER_NONE };
			return 0;
		}
		*err = local;
		return -1;
	}
	return storage_config_parse(buf, len, path, ret, err);
}

int storage_config_read(struct storage_config *ret, char **ret_path, struct engine_error **err)
{
	cleanup_free char *path = NULL;
	if (storage_config_path(&path, err) < 0)
		return -1;
	struct storage_config c = { .driver = STORAGE_DRIVER_NONE };
	if (path != NULL && storage_config_load(path, &c, err) < 0)
		return -1;
	*ret = c;
	if (ret_path != NULL)
		*ret_path = steal_pointer(&path);
	return 0;
}
