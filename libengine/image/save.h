/* save.h: `save`, images out of the store into an archive. */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "storage/image-archive.h"

/* Write the images named by WHAT (names as the user typed them, or ids) to
 * OUT_FD as a FORMAT archive.  An image given by name is saved with that
 * name; one given by id without names, as docker save does. */
int engine_image_save(const char *root, char *const *what, size_t n,
		      enum storage_archive_format format, int out_fd, struct engine_error **err);
