/* save.c: `save`: the images a user names, looked up in the store,
 * written out by storage's archive writer under the names they were asked
 * by. */
#include "libengine/image/save.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "libengine/image/image.h"
#include "storage/reference.h"

int engine_image_save(const char *root, char *const *what, size_t n,
		      enum storage_archive_format format, int out_fd, struct engine_error **err)
{
	struct storage_store *store = NULL;
	struct storage_archive_save_image *images = calloc(n + 1, sizeof(*images));
	char **ids = calloc(n + 1, sizeof(char *));
	char ***names = calloc(n + 1, sizeof(char **));
	size_t n_images = 0;
	int rc = -1;
	if (images == NULL || ids == NULL || names == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (storage_store_open(root, &store, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct storage_image *img = NULL;
		if (engine_image_lookup(store, what[i], &img, err) < 0)
			goto out;
		/* Saved under the name it was asked by; by id, under none. */
		cleanup_free char *name = NULL;
		struct storage_reference ref;
		struct engine_error *perr = NULL;
		if (storage_reference_parse(what[i], &ref, &perr) == 0) {
			if (storage_reference_format(&ref, &name) == 0) {
				bool has = false;
				for (size_t k = 0; k < img->n_names && !has; k++)
					has = strcmp(img->names[k], name) == 0;
				if (!has) {
					free(name);
					name = NULL;
				}
			}
			storage_reference_clear(&ref);
		}
		engine_error_free(&perr);
		size_t slot = n_images;
		for (size_t k = 0; k < n_images; k++)
			if (strcmp(ids[k], img->id) == 0)
				slot = k;
		if (slot == n_images) {
			ids[slot] = strdup(img->id);
			names[slot] = calloc(n + 1, sizeof(char *));
			images[slot].id = ids[slot];
			images[slot].names = (const char *const *)names[slot];
			n_images++;
		}
		storage_image_free(img);
		if (ids[slot] == NULL || names[slot] == NULL) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		bool dup = name == NULL;
		for (size_t k = 0; k < images[slot].n_names && !dup; k++)
			dup = strcmp(names[slot][k], name) == 0;
		if (!dup)
			names[slot][images[slot].n_names++] = steal_pointer(&name);
	}
	rc = storage_archive_save(store, images, n_images, format, out_fd, err);
out:
	for (size_t i = 0; i < n_images; i++) {
		for (size_t k = 0; names[i] != NULL && k < images[i].n_names; k++)
			free(names[i][k]);
		free(names[i]);
		free(ids[i]);
	}
	free(names);
	free(ids);
	free(images);
	storage_store_close(store);
	return rc;
}

