/* paths.c: the storage and run-state locations, as Podman chooses them
 * (XDG for users, /var/lib and /run for root). */
#include "storage/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

static int dup_or_fail(char **ret, int r, struct engine_error **err)
{
	if (r < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	(void)ret;
	return 0;
}

/* Root's ROOT_DIR, or the user's $XDG_VAR/engine where that variable
 * names an absolute path: 1 with *RET set, 0 when neither applies. */
static int root_or_xdg(const char *root_dir, const char *xdg_var, char **ret,
		       struct engine_error **err)
{
	const char *xdg = getenv(xdg_var);
	int r = 0;
	if (geteuid() == 0)
		r = dup_or_fail(ret, asprintf(ret, "%s", root_dir), err);
	else if (xdg != NULL && xdg[0] == '/')
		r = dup_or_fail(ret, asprintf(ret, "%s/engine", xdg), err);
	else
		return 0;
	return r < 0 ? r : 1;
}

int storage_default_root(char **ret, struct engine_error **err)
{
	int r = root_or_xdg("/var/lib/engine", "XDG_DATA_HOME", ret, err);
	if (r != 0)
		return r < 0 ? r : 0;
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (home == NULL || home[0] != '/')
		return engine_error_setting(err, "store root", ENOENT, "cannot find a home directory for the storage root; "
						     "set XDG_DATA_HOME or store root");
	return dup_or_fail(ret, asprintf(ret, "%s/.local/share/engine", home), err);
}

/* The fallback without XDG_RUNTIME_DIR: $TMPDIR (as Podman's), else /tmp,
 * a directory every user can create names in. */
static int shared_tmp_runroot(char **ret)
{
	const char *tmp = getenv("TMPDIR");
	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	return asprintf(ret, "%s/engine-%u", tmp, (unsigned)getuid());
}

int storage_default_runroot(char **ret, struct engine_error **err)
{
	int r = root_or_xdg("/run/engine", "XDG_RUNTIME_DIR", ret, err);
	if (r != 0)
		return r < 0 ? r : 0;
	return dup_or_fail(ret, shared_tmp_runroot(ret), err);
}

/* The run directory holds what the engine reads back and trusts: the
 * compiled seccomp filters, the monitors' attach sockets, slirp4netns's API
 * sockets.  Whoever can write in it can weaken the user's containers or
 * receive their input, so it must be the user's alone.  In a shared /tmp
 * another user can make the name first (mode 0777, or a symlink to a
 * directory of theirs): the owner and mode are checked on the directory
 * itself, opened without following a symlink.  /tmp is sticky, so a
 * directory that passes cannot be renamed or replaced by anyone else
 * afterwards. */
int storage_runroot_check(const char *dir, bool create, struct engine_error **err)
{
	cleanup_free char *shared = NULL;
	if (shared_tmp_runroot(&shared) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	bool in_shared_tmp = strcmp(dir, shared) == 0;
	if (create) {
		/* The shared fallback's parent is /tmp: only the last name is
		 * ours to make.  mkdir never follows a symlink there. */
		if (!in_shared_tmp) {
			if (engine_mkdir_p(dir, 0700, err) < 0)
				return engine_error_prefix(err, "create run directory %s", dir);
		} else if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			return engine_error_errno(err, errno, "create run directory %s", dir);
		}
	}
	/* O_PATH: the owner and mode of a directory we cannot read are still
	 * ours to see. */
	cleanup_close int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		struct stat lst;
		if (e == ENOENT && !create)
			return 0; /* nothing there to trust yet: made and checked on first use */
		if (lstat(dir, &lst) == 0 && S_ISLNK(lst.st_mode))
			return engine_error_setting(err, "run root", ELOOP,
						"run directory %s is a symbolic link: refused (remove it, "
						"or set XDG_RUNTIME_DIR or run root)",
						dir);
		return engine_error_errno(err, e, "run directory %s", dir);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return engine_error_errno(err, errno, "stat run directory %s", dir);
	if (st.st_uid != geteuid())
		return engine_error_setting(err, "run root", EPERM,
					"run directory %s is owned by uid %u, not by you (uid %u): "
					"refused (remove it, or set XDG_RUNTIME_DIR or run root)",
					dir, (unsigned)st.st_uid, (unsigned)geteuid());
	mode_t mode = st.st_mode & 07777;
	if (in_shared_tmp ? mode != 0700 : (mode & 022) != 0)
		return engine_error_setting(err, "run root", EPERM,
					"run directory %s has mode %04o, %s: refused (remove it, or set XDG_RUNTIME_DIR or run root)",
					dir, (unsigned)mode,
					in_shared_tmp ? "not 0700" : "writable by other users");
	return 0;
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
