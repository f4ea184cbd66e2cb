/* dir.c: see dir.h. */
#include "common/dir.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

DIR *engine_fdopendir(int fd)
{
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return d;
}

DIR *engine_opendir_at(int dirfd, const char *path)
{
	return engine_fdopendir(openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

DIR *engine_opendir_dup(int fd)
{
	return engine_fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
}

struct dirent *engine_readdir(DIR *d)
{
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			break;
	return e;
}
