/* storage-conf.c: the storage.conf parser (grammar in storage-conf.h).  Strict on
 * purpose: one clear line for anything it does not know, never a guess. */
#include "storage-conf.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"

#define CONFIG_MAX_BYTES (64u << 10)

int storage_config_path(char **ret, struct engine_error **err)
{
	int r;
	*ret = NULL;
	if (geteuid() == 0) {
		r = asprintf(ret, "/etc/engine/storage.conf");
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");
		if (xdg != NULL && xdg[0] == '/') {
			r = asprintf(ret, "%s/engine/storage.conf", xdg);
		} else {
			if (home == NULL || home[0] != '/') {
				struct passwd *pw = getpwuid(getuid());
				home = pw ? pw->pw_dir : NULL;
			}
			if (home == NULL || home[0] != '/')
				return 0;
			r = asprintf(ret, "%s/.config/engine/storage.conf", home);
		}
	}
	if (r < 0) {
		*ret = NULL;
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One line, trimmed of surrounding blanks: the value of the driver key
 * (NONE when the line sets nothing), or an error message in MSG. */
static int parse_line(char *line, enum storage_driver *driver, bool *seen, char *msg,
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
	if (eq == NULL || key_end - line != 6 || strncmp(line, "driver", 6) != 0) {
		snprintf(msg, msg_size, "expected driver = \"overlay|fuse-overlayfs|vfs\", got: %.64s", line);
		return -1;
	}
	char *v = eq + 1;
	while (is_blank(*v))
		v++;
	char *close_quote = v[0] == '"' ? strchr(v + 1, '"') : NULL;
	if (close_quote == NULL) {
		snprintf(msg, msg_size, "the driver must be a quoted string, got: %.64s", v);
		return -1;
	}
	char *rest = close_quote + 1;
	while (is_blank(*rest))
		rest++;
	if (*rest != '\0' && *rest != '#') {
		snprintf(msg, msg_size, "unexpected text after the driver: %.64s", rest);
		return -1;
	}
	*close_quote = '\0';
	if (*seen) {
		snprintf(msg, msg_size, "driver is set twice");
		return -1;
	}
	*seen = true;
	*driver = storage_driver_from_name(v + 1);
	if (*driver == STORAGE_DRIVER_NONE) {
		snprintf(msg, msg_size,
			 "unknown storage driver \"%.64s\": expected overlay, fuse-overlayfs or vfs", v + 1);
		return -1;
	}
	return 0;
}

int storage_config_parse(const char *text, size_t len, const char *name,
			 enum storage_driver *ret_driver, struct engine_error **err)
{
	if (len > CONFIG_MAX_BYTES)
		return engine_error_set(err, EFBIG, "%s: larger than %u bytes", name, CONFIG_MAX_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return engine_error_set(err, EINVAL, "%s: not a text file (NUL byte)", name);
	enum storage_driver driver = STORAGE_DRIVER_NONE;
	bool seen = false;
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
		if (stop - start >= sizeof(line))
			return engine_error_set(err, EINVAL, "%s:%zu: line too long", name, lineno);
		memcpy(line, text + start, stop - start);
		line[stop - start] = '\0';
		char msg[256];
		if (parse_line(line, &driver, &seen, msg, sizeof(msg)) < 0)
			return engine_error_set(err, EINVAL, "%s:%zu: %s", name, lineno, msg);
		off = end + 1;
	}
	*ret_driver = driver;
	return 0;
}

int storage_config_load(const char *path, enum storage_driver *ret_driver,
			struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct engine_error *local = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, CONFIG_MAX_BYTES, &buf, &len, &local) < 0) {
		if (local->status == ENOENT || local->status == ENOTDIR) {
			engine_error_free(&local);
			*ret_driver = STORAGE_DRIVER_NONE;
			return 0;
		}
		*err = local;
		return -1;
	}
	return storage_config_parse(buf, len, path, ret_driver, err);
}
