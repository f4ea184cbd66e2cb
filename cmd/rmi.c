/* rmi.c: `engine rmi [-f] IMAGE...` / `engine image rm`.  Untagged and
 * Deleted lines as Docker prints them; layers no other image uses are
 * removed inside the user namespace (their files belong to subordinate
 * ids). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/rmi.h"
#include "cmd/store-root.h"
#include "cmd/parse.h"
#include "libengine/image/image.h"
#include "storage/reference.h"

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int cmd_rmi(int argc, char **argv, struct cmd_global *g)
{
	bool force = false;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "force", CMD_BIND_BOOL, &force });
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	if (engine_idmap_detect(&map, &err) < 0 || cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	struct storage_store *store = NULL;
	if (storage_store_open(root, &store, &err) < 0)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		/* Names are stored normalised: try that first, then as typed. */
		const char *what = argv[i];
		cleanup_free char *normal = NULL;
		struct storage_reference ref;
		struct engine_error *perr = NULL;
		if (storage_reference_parse(what, &ref, &perr) == 0) {
			if (storage_reference_format(&ref, &normal) == 0) {
				struct storage_image *probe = NULL;
				struct engine_error *gerr = NULL;
				if (storage_image_get(store, normal, &probe, &gerr) == 0 &&
				    probe->n_names > 0)
					what = normal;
				storage_image_free(probe);
				engine_error_free(&gerr);
			}
			storage_reference_clear(&ref);
		}
		engine_error_free(&perr);
		/* Docker refuses, even with -f, to delete an image a running
		 * container uses (untagging one of several names is fine). */
		struct storage_image *target = NULL;
		struct engine_error *terr = NULL;
		if (storage_image_get(store, what, &target, &terr) == 0) {
			char cid[65];
			/* Only a removal that deletes the image can conflict:
			 * by name while other names remain, -f or not, only
			 * untags. */
			const char *as_id = strncmp(what, "sha256:", 7) == 0 ? what + 7 : what;
			bool deletes = strncmp(target->id, as_id, strlen(as_id)) == 0 ||
				       storage_image_untag_plan(target, what, NULL) == 0;
			int use = deletes ? storage_image_in_use(store, target->id, cid) : 0;
			if (use != 0) {
				/* A stopped container needs its image for the next
				 * start: unlike Docker, -f does not untag it away. */
				engine_error_set(&err, EBUSY,
						 "conflict: unable to delete %.12s (cannot be forced) - image is being used by %s container %.12s",
						 target->id,
						 use == 1 ? "running" : "stopped", cid);
				cmd_report(err);
				engine_error_free(&err);
				storage_image_free(target);
				engine_error_free(&terr);
				rc = 1;
				continue;
			}
		}
		storage_image_free(target);
		engine_error_free(&terr);
		char **untagged = NULL, **unused = NULL;
		size_t n_untagged = 0, n_unused = 0;
		char *removed = NULL;
		if (storage_image_untag_or_remove(store, what, force, &untagged, &n_untagged, &removed,
						  &unused, &n_unused, &err) < 0) {
			/* Docker's text for a missing image. */
			if (err->status == ENOENT) {
				engine_error_free(&err);
				engine_error_set(&err, ENOENT, "No such image: %s", argv[i]);
			}
			rc = cmd_report(err) == 0 ? 0 : 1;
			engine_error_free(&err);
			continue;
		}
		for (size_t k = 0; k < n_untagged; k++)
			printf("Untagged: %s\n", untagged[k]);
		if (removed != NULL)
			printf("Deleted: sha256:%s\n", removed);
		if (engine_layers_remove(root, &map, unused, n_unused, &err) < 0) {
			cmd_warn("removing layers of %s: %s", argv[i], err->msg);
			engine_error_free(&err);
		}
		free(removed);
		free_strv(untagged, n_untagged);
		free_strv(unused, n_unused);
	}
	storage_store_close(store);
	return rc;
}
