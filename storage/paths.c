/* paths.c: the storage and run-state locations, as Podman chooses them
 * (XDG for users, /var/lib and /run for root). */
#include "paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int dup_or_fail(char **ret, int r, struct engine_error **err)
{
	if (r < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	(void)ret;
	return 0;
}

int storage_default_root(char **ret, struct engine_error **err)
{
	if (geteuid() == 0)
		return dup_or_fail(ret, asprintf(ret, "/var/lib/engine"), err);
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg != NULL && xdg[0] == '/')
		return dup_or_fail(ret, asprintf(ret, "%s/engine", xdg), err);
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (home == NULL || home[0] != '/')
		return engine_error_set(err, ENOENT, "cannot find a home directory for the storage root; "
						     "set XDG_DATA_HOME or --root");
	return dup_or_fail(ret, asprintf(ret, "%s/.local/share/engine", home), err);
}

int storage_default_runroot(char **ret, struct engine_error **err)
{
	if (geteuid() == 0)
		return dup_or_fail(ret, asprintf(ret, "/run/engine"), err);
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg != NULL && xdg[0] == '/')
		return dup_or_fail(ret, asprintf(ret, "%s/engine", xdg), err);
	return dup_or_fail(ret, asprintf(ret, "/tmp/engine-%u", (unsigned)getuid()), err);
}

int storage_user_config_path(const char *name, char **ret, struct engine_error **err)
{
	*ret = NULL;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	int r;
	if (xdg != NULL && xdg[0] == '/') {
		r = asprintf(ret, "%s/engine/%s", xdg, name);
	} else {
		const char *home = getenv("HOME");
		if (home == NULL || home[0] != '/') {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (home == NULL || home[0] != '/')
			return 0;
		r = asprintf(ret, "%s/.config/engine/%s", home, name);
	}
	if (r < 0) {
		*ret = NULL;
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}
