/* cp.h: `engine cp` between the host and a container's root, running or
 * stopped, with Docker's rules for where things land. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "libengine/container/containers.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"

struct engine_cp_options {
	bool archive; /* -a: keep uid/gid (as the copying side sees them) */
	bool follow;  /* -L: follow a symlink given as the source */
};

/* CONTAINER:SRC -> host DEST (files become the user's). */
/* PATH in the container's root ROOTFD, a directory or regular file that
 * *ST describes (as seen through an O_PATH fd first, so that a device or
 * FIFO is never opened), opened for reading and checked to be that same
 * node: the fd, or -EAGAIN with *ERR set when it changed meanwhile. */
int engine_cp_open_checked(int rootfd, const char *path, const struct stat *st,
			   struct engine_error **err);

int engine_cp_from_container(const struct engine_container *c, const struct engine_idmap *map,
			     const char *src, const char *dest, const struct engine_cp_options *o,
			     struct engine_error **err);
/* host SRC -> CONTAINER:DEST (files become the container's root's). */
int engine_cp_to_container(const struct engine_container *c, const struct engine_idmap *map,
			   const char *src, const char *dest, const struct engine_cp_options *o,
			   struct engine_error **err);
