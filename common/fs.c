/* fs.c: see fs.h. */
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

int engine_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)flags,
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = resolve,
	};
	/* With RESOLVE_IN_ROOT or RESOLVE_BENEATH a lookup through ".." fails
	 * with EAGAIN when a rename or mount happened anywhere meanwhile (the
	 * kernel cannot prove it stayed inside): openat2(2) says to retry. */
	for (int tries = 0;; tries++) {
		long r = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (r >= 0)
			return (int)r;
		if (errno != EAGAIN || tries == 1000)
			return -errno;
	}
}

int engine_read_file(int dirfd, const char *path, unsigned long long resolve, size_t max_size,
		     char **ret_buf, size_t *ret_len, struct engine_error **err)
{
	/* O_NONBLOCK: a FIFO (an image's /etc/passwd can be one) would block
	 * the open until a writer came; non-blocking, it opens at once and
	 * the fstat below refuses it.  Regular files ignore the flag. */
	cleanup_close int fd = -1;
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	if (resolve != 0)
		fd = engine_openat2(dirfd, path, flags, 0, resolve);
	else {
		fd = openat(dirfd, path, flags);
		if (fd < 0)
			fd = -errno;
	}
	if (fd < 0)
		return engine_error_errno(err, -fd, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return engine_error_errno(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return engine_error_set(err, EINVAL, "%s: not a regular file", path);
	if ((unsigned long long)st.st_size > max_size)
		return engine_error_set(err, EFBIG, "%s: larger than %zu bytes", path, max_size);
	/* /proc and /sys files report size 0, and sysctl files (/proc/sys)
	 * answer a read at a non-zero offset with EOF: sized from st_size, the
	 * first read got one byte and the second nothing ("maxUserNamespaces"
	 * was its first digit).  A size-0 file is read in one read of a
	 * buffer of max_size + 1 (one more byte tells a too-large file). */
	bool pseudo = st.st_size == 0;
	size_t cap = pseudo ? max_size + 1 : (size_t)st.st_size + 1, len = 0;
	cleanup_free char *buf = malloc(cap + 1);
	if (buf == NULL)
		return engine_error_set(err, ENOMEM, "out of memory reading %s", path);
	if (pseudo) {
		ssize_t r;
		while ((r = read(fd, buf, cap)) < 0 && errno == EINTR)
			;
		if (r < 0)
			return engine_error_errno(err, errno, "read %s", path);
		len = (size_t)r;
		if (len > max_size)
			return engine_error_set(err, EFBIG, "%s: larger than %zu bytes", path, max_size);
		/* max_size may be large (a 16 MiB spec): keep only what was read. */
		char *n = realloc(buf, len + 1);
		if (n != NULL)
			buf = n;
		buf[len] = '\0';
		*ret_buf = steal_pointer(&buf);
		if (ret_len != NULL)
			*ret_len = len;
		return 0;
	}
	/* The size may change under us: read until EOF, never past max_size. */
	for (;;) {
		if (len == cap) {
			if (cap > max_size)
				return engine_error_set(err, EFBIG, "%s: larger than %zu bytes", path,
							max_size);
			cap *= 2;
			char *n = realloc(buf, cap + 1);
			if (n == NULL)
				return engine_error_set(err, ENOMEM, "out of memory reading %s", path);
			buf = n;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return engine_error_errno(err, errno, "read %s", path);
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max_size)
		return engine_error_set(err, EFBIG, "%s: larger than %zu bytes", path, max_size);
	buf[len] = '\0';
	*ret_buf = steal_pointer(&buf);
	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}

int engine_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

ssize_t engine_read_some(int fd, void *buf, size_t size)
{
	ssize_t r = read(fd, buf, size);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	return r == 0 ? -1 : r;
}

int engine_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode,
			     struct engine_error **err)
{
	return engine_write_file_replace(path, buf, len, mode, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err);
}

int engine_write_file_replace(const char *path, const void *buf, size_t len, mode_t mode,
			      int sync, struct engine_error **err)
{
	cleanup_free char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "create %s", tmp);
	int r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (r == 0)
		r = engine_write_all(fd, buf, len);
	if (r == 0 && (sync & ENGINE_SYNC_FILE) && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return engine_error_errno(err, -r, "write %s", path);
	}
	if (!(sync & ENGINE_SYNC_DIR))
		return 0;
	cleanup_free char *dircopy = strdup(path);
	if (dircopy != NULL) {
		cleanup_close int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0)
			(void)fsync(dfd);
	}
	return 0;
}

int engine_mkdir_p(const char *path, mode_t mode, struct engine_error **err)
{
	cleanup_free char *p = strdup(path);
	if (p == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return engine_error_errno(err, errno, "mkdir %s", p);
			*s = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}
