/* driver.c: detect the mount driver by trying it, not by kernel version:
 * distributions backport overlay-in-userns (and some disable it), so only a
 * real mount attempt tells the truth. */
#include "driver.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int storage_probe_overlay(const char *dir, int userxattr, struct engine_error **err)
{
	static const char *const names[] = { "lower", "upper", "work", "merged" };
	char p[4][4096];
	for (int i = 0; i < 4; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/%s", dir, names[i]);
		if (mkdir(p[i], 0700) < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "mkdir %s", p[i]);
	}
	char opts[4096 * 3 + 64];
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s%s", p[0], p[1], p[2],
		 userxattr ? ",userxattr" : "");
	int r = mount("overlay", p[3], "overlay", 0, opts);
	int e = errno;
	if (r == 0)
		umount2(p[3], MNT_DETACH);
	/* The kernel leaves work/work behind with mode 000. */
	char ww[4200];
	snprintf(ww, sizeof(ww), "%s/work", p[2]);
	chmod(ww, 0700);
	rmdir(ww);
	for (int i = 3; i >= 0; i--)
		rmdir(p[i]);
	if (r < 0)
		return engine_error_errno(err, e, "overlay mount");
	return 0;
}
