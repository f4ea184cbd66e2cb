/* commit.h: a container's files as tar streams: `commit`
 * makes an image layer of its changes, `export` writes its whole root.
 * Both need libarchive and so live in engine-image only. */
#pragma once

#include <stdbool.h>

#include "libengine/container/containers.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "libengine/container/cp.h"
#include "libengine/image/image.h"

struct engine_commit_options {
	char *const *changes; /* -c Dockerfile instructions */
	size_t n_changes;
	const char *message;   /* -m */
	const char *author;    /* -a */
	const char *reference; /* REPOSITORY[:TAG] or NULL */
	bool pause;            /* -p: freeze a running container where we can */
};

/* A new image: the container's image's layers plus one layer of its
 * changes (OCI whiteouts, owners as the container sees them), the
 * container's command, environment and working directory in its config.
 * RET_ID gets "sha256:HEX". */
int engine_container_commit(const char *root, const struct engine_idmap *map,
			    const struct engine_container *c, const struct engine_commit_options *o,
			    char ret_id[72], struct engine_error **err);

/* The container's whole root file system as a tar stream on OUT_FD. */
int engine_container_export(const struct engine_container *c, const struct engine_idmap *map,
			    int out_fd, struct engine_error **err);

/* cp CONTAINER:SRC - : SRC (resolved in the container's root, followed
 * with -L) as a tar on OUT_FD, named by its base name ("SRC/.": its
 * contents). */
int engine_cp_tar_out(const struct engine_container *c, const struct engine_idmap *map,
		      const char *src, const struct engine_cp_options *o, int out_fd,
		      struct engine_error **err);
/* cp - CONTAINER:DEST : the tar on IN_FD unpacked into the directory DEST
 * by the layer unpacker (nothing may leave DEST; entries replace what is
 * there); owned by the container's root, or as the tar says with -a. */
int engine_cp_tar_in(const struct engine_container *c, const struct engine_idmap *map, int in_fd,
		     const char *dest, const struct engine_cp_options *o, struct engine_error **err);
