/* fs.h: file helpers every layer shares: bounded reads confined to a root,
 * atomic writes (temp file, fsync, rename), openat2 with a fallback. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* RESOLVE_* flags as <linux/openat2.h> defines them (kept here so that the
 * callers need not include a kernel header). */
#define ENGINE_RESOLVE_NO_XDEV 0x01
#define ENGINE_RESOLVE_NO_MAGICLINKS 0x02
#define ENGINE_RESOLVE_NO_SYMLINKS 0x04
#define ENGINE_RESOLVE_BENEATH 0x08
#define ENGINE_RESOLVE_IN_ROOT 0x10

/* openat2(2); returns an fd or -errno.  ENOSYS when the kernel lacks it.
 * EAGAIN (a rename or mount raced a confined lookup) is retried here. */
int engine_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve);

/* Read a regular file of at most max_size bytes, NUL-terminated.  Fails with
 * EFBIG when larger, EINVAL when not a regular file (a FIFO or a device is
 * opened non-blocking and refused, never waited on).  A file that reports
 * size 0 (/proc, /sys) is read in one read of max_size + 1 bytes: sysctl
 * files answer a read at an offset with EOF. */
int engine_read_file(int dirfd, const char *path, unsigned long long resolve, size_t max_size,
		     char **ret_buf, size_t *ret_len, struct engine_error **err);

/* Write through PATH.tmp.XXXXXX, fsync, rename over PATH, fsync the
 * directory: a crash leaves the old or the new content, never half. */
int engine_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode,
			     struct engine_error **err);

/* The same rename over PATH with only the fsyncs SYNC asks for (,
 * run -d): none for a record that a crash makes moot anyway (the state of
 * processes a power loss kills); the file's alone when a later fsync of
 * the same directory makes the new entry durable.  Readers still see the
 * old or the new content, never half; after a power loss a file written
 * without ENGINE_SYNC_FILE may be the old one, or (on a filesystem
 * without ext4's auto_da_alloc) empty. */
enum { ENGINE_SYNC_FILE = 1, ENGINE_SYNC_DIR = 2 };
int engine_write_file_replace(const char *path, const void *buf, size_t len, mode_t mode,
			      int sync, struct engine_error **err);

/* write(2) until all LEN bytes are written (EINTR retried); 0 or -errno. */
int engine_write_all(int fd, const void *buf, size_t len);

/* One read(2) for a relay loop on a non-blocking FD: the byte count (> 0),
 * 0 when there is nothing now (EINTR, EAGAIN), -1 at EOF or on an error
 * (the stream is over either way). */
ssize_t engine_read_some(int fd, void *buf, size_t size);

/* mkdir -p with MODE for the created components. */
int engine_mkdir_p(const char *path, mode_t mode, struct engine_error **err);
