/* test-dir.c: the directory walk: "." and ".." skipped, every entry once,
 * errors with errno, cleanup_dir closing the stream. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "tap.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

int main(void)
{
	char tmp[] = "/tmp/test-dir.XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	int root = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	mkdirat(root, "sub", 0755);
	close(openat(root, "sub/a", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	close(openat(root, "sub/b", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));

	int before = count_fds();
	{
		cleanup_dir DIR *d = engine_opendir_at(root, "sub");
		ok(d != NULL, "opens a directory under a dirfd");
		int n = 0, dots = 0;
		struct dirent *e;
		while (d != NULL && (e = engine_readdir(d)) != NULL) {
			n++;
			dots += e->d_name[0] == '.';
		}
		is_int(n, 2, "two entries");
		is_int(dots, 0, "no . or ..");
	}
	is_int(count_fds(), before, "cleanup_dir closed the stream");
	{
		cleanup_dir DIR *d = engine_opendir_at(root, ".");
		ok(d != NULL && fcntl(root, F_GETFD) >= 0, "\".\" leaves the caller's fd open");
		struct dirent *e = d ? engine_readdir(d) : NULL;
		is_str(e ? e->d_name : NULL, "sub", "the only entry");
	}
	{
		int sub = openat(root, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		{
			cleanup_dir DIR *d = engine_opendir_dup(sub);
			int n = 0;
			while (d != NULL && engine_readdir(d) != NULL)
				n++;
			is_int(n, 2, "a copy of a dirfd walks it");
		}
		ok(fcntl(sub, F_GETFD) >= 0, "the dirfd is still the caller's");
		cleanup_dir DIR *owned = engine_fdopendir(sub);
		ok(owned != NULL, "fdopendir takes a dirfd");
	}
	is_int(count_fds(), before, "the taken dirfd closed with its stream");
	errno = 0;
	ok(engine_fdopendir(-1) == NULL, "no fd, no stream");
	{
		int file = openat(root, "sub/a", O_RDONLY | O_CLOEXEC);
		errno = 0;
		ok(engine_fdopendir(file) == NULL && errno == ENOTDIR, "a file: ENOTDIR");
	}
	is_int(count_fds(), before, "and the file's fd closed");
	errno = 0;
	ok(engine_opendir_at(root, "missing") == NULL && errno == ENOENT, "ENOENT");
	errno = 0;
	ok(engine_opendir_at(root, "sub/a") == NULL && errno == ENOTDIR, "ENOTDIR");
	is_int(count_fds(), before, "failures leak no fd");
	{
		/* A NULL stream (a failed open) is left alone on the way out. */
		cleanup_dir DIR *none = NULL;
		(void)none;
	}

	unlinkat(root, "sub/a", 0);
	unlinkat(root, "sub/b", 0);
	unlinkat(root, "sub", AT_REMOVEDIR);
	close(root);
	rmdir(tmp);
	return done_testing();
}
