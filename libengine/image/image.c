/* image.c: images as a container uses them: look up by name or id, turn
 * the config into a run spec, remove layers and containers' writable
 * layers inside the user namespace, prune.  Pulling is in pull.c. */
#include "libengine/image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strv.h"
#include "storage/reference.h"
#include "storage/remove.h"
#include "libengine/userns/store-job.h"
#include "storage/vfs.h"

int engine_image_lookup(struct storage_store *store, const char *what, struct storage_image **ret,
			struct engine_error **err)
{
	struct storage_reference ref;
	struct engine_error *local = NULL;
	if (storage_reference_parse(what, &ref, &local) == 0) {
		cleanup_free char *name = NULL;
		int r = storage_reference_format(&ref, &name);
		storage_reference_clear(&ref);
		if (r == 0 && storage_image_get(store, name, ret, &local) == 0)
			return 0;
		engine_error_free(&local);
	}
	engine_error_free(&local);
	if (storage_image_get(store, what, ret, &local) == 0)
		return 0;
	engine_error_free(&local);
	return engine_error_set(err, ENOENT, "No such image: %s", what);
}

/* ---- image config -> run spec ------------------------------------------ */

static char **strv_copy(char *const *v, size_t *ret_n)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	char **out = calloc(n + 1, sizeof(char *));
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((out[i] = strdup(v[i])) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(out[k]);
			free(out);
			return NULL;
		}
	if (ret_n)
		*ret_n = n;
	return out;
}

static char **json_strv(json_t *a)
{
	if (!json_is_array(a))
		return NULL;
	char **v = calloc(json_array_size(a) + 1, sizeof(char *));
	size_t i, n = 0;
	json_t *e;
	json_array_foreach(a, i, e) if (json_is_string(e) && v) v[n++] = strdup(json_string_value(e));
	return v;
}

int engine_spec_apply_image(struct engine_run_spec *spec, const struct storage_image *image,
			    const char *entrypoint, bool entrypoint_set, char **user_cmd,
			    struct engine_error **err)
{
	json_t *cfg = json_object_get(image->config, "config");
	/* Image Env first; the user's -e (already in spec->env) wins. */
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(cfg, "Env"), i, e) {
		const char *kv = json_string_value(e);
		if (kv == NULL || strchr(kv, '=') == NULL)
			continue;
		char key[256];
		size_t kl = (size_t)(strchr(kv, '=') - kv);
		if (kl == 0 || kl >= sizeof(key))
			continue;
		memcpy(key, kv, kl);
		key[kl] = '\0';
		if (engine_env_get(spec, key) == NULL && engine_env_add(spec, kv, err) < 0)
			return -1;
	}
	/* labels: the image's Labels under the user's -l, as Docker
	 * merges them; a label the user could not have set is dropped. */
	const char *label_key;
	json_t *label_value;
	json_object_foreach(json_object_get(cfg, "Labels"), label_key, label_value) {
		if (!json_is_string(label_value) || engine_label_get(spec, label_key) != NULL)
			continue;
		cleanup_free char *kv = NULL;
		if (asprintf(&kv, "%s=%s", label_key, json_string_value(label_value)) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		struct engine_error *ignored = NULL;
		engine_label_add(spec, kv, &ignored);
		engine_error_free(&ignored);
	}
	const char *wd = json_string_value(json_object_get(cfg, "WorkingDir"));
	if (spec->workdir == NULL && wd != NULL && wd[0] == '/') {
		if ((spec->workdir = strdup(wd)) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	/* the image's StopSignal unless --stop-signal was given; a
	 * name we do not know is left for SIGTERM. */
	const char *stopsig = json_string_value(json_object_get(cfg, "StopSignal"));
	if (spec->stop_signal == 0 && stopsig != NULL && engine_signal_parse(stopsig) > 0)
		spec->stop_signal = engine_signal_parse(stopsig);
	/* the EXPOSEd ports, for -P. */
	const char *exposed_key;
	json_t *exposed_value;
	json_object_foreach(json_object_get(cfg, "ExposedPorts"), exposed_key, exposed_value) {
		char **l = realloc(spec->exposed, (spec->n_exposed + 2) * sizeof(char *));
		if (l == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		spec->exposed = l;
		if ((l[spec->n_exposed] = strdup(exposed_key)) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		l[++spec->n_exposed] = NULL;
	}
	const char *user = json_string_value(json_object_get(cfg, "User"));
	if (spec->user == NULL && user != NULL && user[0] != '\0') {
		if (engine_user_spec_check(user, err) < 0)
			return engine_error_prefix(err, "image config User");
		if ((spec->user = strdup(user)) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	}

	/* Docker's rule: --entrypoint replaces Entrypoint and clears the
	 * image's Cmd; a command on the command line replaces Cmd. */
	char **ep = NULL;
	if (entrypoint_set) {
		if (entrypoint != NULL && entrypoint[0] != '\0') {
			ep = calloc(2, sizeof(char *));
			if (ep != NULL)
				ep[0] = strdup(entrypoint);
		} else {
			ep = calloc(1, sizeof(char *));
		}
	} else {
		ep = json_strv(json_object_get(cfg, "Entrypoint"));
	}
	char **cmd = NULL;
	if (user_cmd != NULL && user_cmd[0] != NULL)
		cmd = strv_copy(user_cmd, NULL);
	else if (!entrypoint_set)
		cmd = json_strv(json_object_get(cfg, "Cmd"));
	size_t ne = 0, nc = 0;
	while (ep && ep[ne])
		ne++;
	while (cmd && cmd[nc])
		nc++;
	if (ne + nc == 0) {
		engine_strv_free(ep);
		engine_strv_free(cmd);
		return engine_error_set(err, EINVAL,
					"no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
	}
	char **argv = calloc(ne + nc + 1, sizeof(char *));
	if (argv == NULL) {
		engine_strv_free(ep);
		engine_strv_free(cmd);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < ne; k++)
		argv[k] = ep[k];
	for (size_t k = 0; k < nc; k++)
		argv[ne + k] = cmd[k];
	free(ep);
	free(cmd);
	engine_strv_free(spec->argv);
	spec->argv = argv;
	return 0;
}

/* ---- removal inside the user namespace --------------------------------- */

struct remove_ctx {
	char **diff_ids;
	size_t n;
	const char *container_id;
};

static int remove_in_store(struct storage_store *store, void *data, struct engine_error **err)
{
	struct remove_ctx *c = data;
	for (size_t i = 0; i < c->n; i++)
		if (storage_layer_remove(store, c->diff_ids[i], err) < 0)
			return -1;
	if (c->container_id != NULL) {
		char rel[128];
		snprintf(rel, sizeof(rel), "containers/%s", c->container_id);
		if (storage_remove_tree(store->rootfd, rel, err) < 0)
			return -1;
	} else if (storage_vfs_prune(store, err) < 0) {
		return -1; /* an image went: so may its vfs root */
	}
	return 0;
}

int engine_layers_remove(const char *root, const struct engine_idmap *map, char **diff_ids,
			 size_t n, struct engine_error **err)
{
	/* With no layer to remove, only a vfs root may be left to prune. */
	cleanup_free char *vfs = NULL;
	if (n == 0 && (asprintf(&vfs, "%s/vfs", root) < 0 || access(vfs, F_OK) < 0))
		return 0;
	struct remove_ctx c = { .diff_ids = diff_ids, .n = n };
	return engine_userns_store_job(root, map, remove_in_store, &c, err);
}

int engine_container_dir_remove(const char *root, const struct engine_idmap *map, const char *id,
				struct engine_error **err)
{
	struct remove_ctx c = { .container_id = id };
	return engine_userns_store_job(root, map, remove_in_store, &c, err);
}

/* ---- prune and disk usage ---------------------------------------------- */

int engine_image_prune(const char *root, const struct engine_idmap *map, bool all,
		       engine_prune_report_fn report, void *report_data, int64_t *ret_reclaimed,
		       struct engine_error **err)
{
	struct storage_store *store = NULL;
	struct storage_image **imgs = NULL;
	size_t n = 0;
	int64_t reclaimed = 0;
	if (storage_store_open(root, &store, err) < 0 ||
	    storage_image_list(store, &imgs, &n, err) < 0) {
		storage_store_close(store);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* -a removes the images no container uses (running, stopped
		 * or created: a recorded container needs its image to start). */
		if (!all && imgs[i]->n_names > 0)
			continue;
		char user[65];
		if (storage_image_in_use(store, imgs[i]->id, user) != 0)
			continue;
		char **untagged = NULL, **unused = NULL, *removed = NULL;
		size_t n_untagged = 0, n_unused = 0;
		if (storage_image_untag_or_remove(store, imgs[i]->id, true, &untagged, &n_untagged,
						  &removed, &unused, &n_unused, err) < 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < n_unused; k++)
			reclaimed += storage_layer_size(store, unused[k]);
		for (size_t k = 0; report && k < n_untagged; k++)
			report(report_data, untagged[k], NULL);
		if (report && removed != NULL) {
			char id[80];
			snprintf(id, sizeof(id), "sha256:%s", removed);
			report(report_data, NULL, id);
		}
		rc = engine_layers_remove(root, map, unused, n_unused, err);
		for (size_t k = 0; k < n_untagged; k++)
			free(untagged[k]);
		free(untagged);
		for (size_t k = 0; k < n_unused; k++)
			free(unused[k]);
		free(unused);
		free(removed);
	}
	for (size_t i = 0; i < n; i++)
		storage_image_free(imgs[i]);
	free(imgs);
	storage_store_close(store);
	if (rc == 0 && ret_reclaimed != NULL)
		*ret_reclaimed = reclaimed;
	return rc;
}

int engine_image_disk_usage(const char *root, struct engine_disk_usage *ret,
			    struct engine_error **err)
{
	struct storage_store *store = NULL;
	struct storage_image **imgs = NULL;
	size_t n = 0;
	if (storage_store_open(root, &store, err) < 0 ||
	    storage_image_list(store, &imgs, &n, err) < 0) {
		storage_store_close(store);
		return -1;
	}
	/* Shared layers count once, as docker system df counts them; an image
	 * a container (running or not) uses is active, and its layers are not
	 * reclaimable. */
	cleanup_json json_t *seen = json_object();
	cleanup_json json_t *kept = json_object();
	int64_t size = 0, kept_size = 0;
	size_t active = 0;
	for (size_t i = 0; i < n; i++) {
		char user[65];
		bool in_use = storage_image_in_use(store, imgs[i]->id, user) > 0;
		active += in_use;
		for (size_t k = 0; k < imgs[i]->n_layers; k++) {
			const char *d = imgs[i]->diff_ids[k];
			int64_t layer = -1;
			if (json_object_get(seen, d) == NULL) {
				json_object_set_new(seen, d, json_true());
				layer = storage_layer_size(store, d);
				size += layer;
			}
			if (in_use && json_object_get(kept, d) == NULL) {
				json_object_set_new(kept, d, json_true());
				kept_size += layer >= 0 ? layer : storage_layer_size(store, d);
			}
		}
		storage_image_free(imgs[i]);
	}
	free(imgs);
	storage_store_close(store);
	*ret = (struct engine_disk_usage){ .images = n, .active_images = active, .images_size = size,
					   .reclaimable = size - kept_size };
	return 0;
}
