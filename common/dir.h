/* dir.h: directory walks.  Every store directory (containers, images,
 * layers, volumes, names) is listed the same way: open it relative to a
 * directory fd with O_CLOEXEC, skip "." and "..", close it on every path
 * out (cleanup_dir in cleanup.h). */
#pragma once

#include <dirent.h>

/* PATH under DIRFD (AT_FDCWD, or "." for DIRFD itself: the stream gets its
 * own fd, DIRFD stays the caller's) as a stream; NULL with errno set. */
DIR *engine_opendir_at(int dirfd, const char *path);

/* fdopendir(FD) that owns FD either way: closed when the stream cannot be
 * made (errno kept).  FD < 0 (a failed open passed straight in) gives NULL
 * with the open's errno. */
DIR *engine_fdopendir(int fd);

/* A stream over a copy of FD (F_DUPFD_CLOEXEC), so that closing the
 * stream leaves FD the caller's; NULL with errno set.  The copy shares FD's
 * position: a walk reads the directory once. */
DIR *engine_opendir_dup(int fd);

/* The next entry other than "." and ".."; NULL at the end.  errno is left
 * as readdir(3) sets it, so a caller that cares clears it first. */
struct dirent *engine_readdir(DIR *d);
