/* dir.h: directory walks.  Every store directory (containers, images,
 * layers, volumes, names) is listed the same way: open it relative to a
 * directory fd with O_CLOEXEC, skip "." and "..", close it on every path
 * out (cleanup_dir in cleanup.h). */
#pragma once

#include <dirent.h>

/* PATH under DIRFD (AT_FDCWD, or "." for DIRFD itself: the stream gets its
 * own fd, DIRFD stays the caller's) as a stream; NULL with errno set. */
DIR *engine_opendir_at(int dirfd, const char *path);

/* The next entry other than "." and ".."; NULL at the end.  errno is left
 * as readdir(3) sets it, so a caller that cares clears it first. */
struct dirent *engine_readdir(DIR *d);
