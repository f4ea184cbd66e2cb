/* lifecycle-create.c: create, start and remove a container, each one call
 * on the handle of engine.h (see lifecycle-create.h).
 *
 * Create does in order what used to be spread over the CLI's run: the
 * image (looked up, pulled through the face's callback, its config's
 * defaults applied, its layers claimed), the user namespace's copy of it
 * (auto, keep-id), the ports, the volumes, and the record.  The image
 * claim is a directory under containers/ that may hold files of
 * subordinate ids, so every failure after it removes that directory from
 * inside the user namespace: nothing of a container that failed to be
 * created stays.  Nothing here reads the record back on the way to a
 * start: run -d starts from the spec in memory (start-up latency). */
#include "libengine/container/lifecycle-create.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/runtime/container.h"
#include "libengine/image/image.h"
#include "storage/reference.h"
#include "libengine/runtime/storage-driver.h"
#include "libengine/userns/auto.h"
#include "libengine/userns/keep-id.h"
#include "libengine/container/volumes.h"
#include "netns/ports.h"

static bool any_volume(const struct engine_run_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].type == ENGINE_MOUNT_VOLUME)
			return true;
	return false;
}

bool engine_container_new_needs_store(const struct engine_run_spec *spec, bool record)
{
	return record || spec->image != NULL || spec->network == NETNS_MODE_CONTAINER ||
	       any_volume(spec);
}

/* The image after the pull policy: the store's, or pulled first. */
static int image_find(struct engine *e, struct engine_run_spec *spec,
		      const struct engine_create_options *o, struct storage_image **ret,
		      struct engine_error **err)
{
	const char *policy = spec->pull_policy ? spec->pull_policy : "missing";
	struct storage_image *img = NULL;
	struct engine_error *lookup_err = NULL;
	bool found = engine_image_lookup(e->store, spec->image, &img, &lookup_err) == 0;
	if (!(strcmp(policy, "always") == 0 || (!found && strcmp(policy, "never") != 0)) ||
	    o->pull == NULL) {
		if (!found) {
			*err = steal_pointer(&lookup_err);
			return -1;
		}
		*ret = img;
		return 0;
	}
	engine_error_free(&lookup_err);
	storage_image_free(img);
	if (o->pull(o->pull_data, e->store->root, spec, err) < 0)
		return -1;
	cleanup_free char *name = NULL;
	struct storage_reference ref;
	if (storage_reference_parse(spec->image, &ref, err) < 0)
		return -1;
	int fr = storage_reference_format(&ref, &name);
	storage_reference_clear(&ref);
	if (fr < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return storage_image_get(e->store, name, ret, err);
}

/* Image -> spec: the config's defaults, the layers (vfs: flattened), the
 * claim that keeps rmi from taking them. */
static int image_prepare(struct engine *e, struct engine_run_spec *spec,
			 const struct engine_create_options *o, struct engine_error **err)
{
	enum storage_driver driver;
	if (engine_storage_driver_resolve(e->store->root, e->storage_driver, o->map,
					  ENGINE_STORAGE_RECORD, NULL, &driver, NULL, err) < 0)
		return -1;
	struct storage_image *img = NULL;
	if (image_find(e, spec, o, &img, err) < 0)
		return -1;
	char **cmd = spec->argv;
	spec->argv = NULL;
	int r = engine_spec_apply_image(spec, img, spec->entrypoint, spec->entrypoint_set, cmd, err);
	for (size_t i = 0; cmd != NULL && cmd[i] != NULL; i++)
		free(cmd[i]);
	free(cmd);
	if (r < 0)
		goto out;
	r = -1;
	spec->layers = calloc(img->n_layers + 1, sizeof(char *));
	if (spec->layers == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < img->n_layers; i++)
		spec->layers[spec->n_layers++] = strdup(img->diff_ids[i]);
	if (driver == STORAGE_DRIVER_VFS &&
	    engine_vfs_prepare(e->store->root, o->map, spec->layers, spec->n_layers, err) < 0)
		goto out;
	if (storage_container_claim(e->store, spec->id, img->id, err) < 0)
		goto out;
	if ((spec->image_id = strdup(img->id)) == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	spec->storage_driver = driver;
	r = 0;
out:
	storage_image_free(img);
	return r;
}

/* Everything after the image claim, up to the record. */
static int prepare_rest(struct engine *e, struct engine_run_spec *spec,
			const struct engine_create_options *o, struct engine_error **err)
{
	if (spec->userns != NULL && strcmp(spec->userns, "auto") == 0 &&
	    engine_userns_auto_prepare(spec, o->map, err) < 0)
		return -1;
	if (engine_userns_keep_id_prepare(spec, o->map, err) < 0)
		return -1;
	if (spec->publish_all &&
	    netns_ports_publish_exposed(&spec->ports, (const char *const *)spec->exposed,
					spec->n_exposed, err) < 0)
		return -1;
	if (netns_ports_allocate(&spec->ports, err) < 0)
		return -1;
	if (any_volume(spec) && engine_volumes_prepare(e->store, spec, err) < 0)
		return -1;
	return 0;
}

int engine_container_new(struct engine *e, struct engine_run_spec *spec,
			 const struct engine_create_options *o, char **ret_name,
			 struct engine_error **err)
{
	if (e != NULL && spec->image != NULL && image_prepare(e, spec, o, err) < 0)
		return -1;
	if (e != NULL && spec->store_root == NULL &&
	    (spec->store_root = strdup(e->store->root)) == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_free char *name = NULL;
	if (prepare_rest(e, spec, o, err) < 0 ||
	    (o->record &&
	     engine_container_create(e->store, spec, spec->name, spec->image_id, &name, err) < 0)) {
		/* The claim's directory may hold an auto container's copy
		 * of the image (subordinate ids): from inside the user
		 * namespace. */
		if (spec->store_root != NULL && (spec->image != NULL || o->record)) {
			struct engine_error *ignored = NULL;
			engine_container_dir_remove(spec->store_root, o->map, spec->id, &ignored);
			engine_error_free(&ignored);
		}
		return -1;
	}
	if (!o->record)
		return 0;
	free(spec->recorded_name);
	if ((spec->recorded_name = strdup(name)) == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (ret_name != NULL)
		*ret_name = steal_pointer(&name);
	return 0;
}

int engine_container_run_unrecorded(struct engine *e, const struct engine_run_spec *spec,
				    const struct engine_idmap *map, int *ret_exit_code,
				    struct engine_error **err)
{
	int r = engine_container_run(spec, map, ret_exit_code, err);
	if (e != NULL && spec->remove && spec->n_mounts > 0)
		engine_volumes_remove_anonymous(e->store, map, spec);
	return r;
}

int engine_container_find(struct engine *e, const char *what, struct engine_container **ret,
			  struct engine_error **err)
{
	return engine_container_get(e->store, what, ret, err);
}

/* The one place that reads a start setting out of the record. */
bool engine_container_interactive(const struct engine_container *c)
{
	return c->spec.interactive;
}

/* Start C (not running) from its record, under a new monitor. */
static int start_record(struct engine *e, const struct engine_container *c,
			const struct engine_start_options *o, int *ret_attach_fd,
			struct engine_error **err)
{
	struct engine_run_spec spec = { 0 };
	cleanup_free struct engine_idmap *map = calloc(1, sizeof(*map));
	int sp[2] = { -1, -1 };
	int r = map != NULL ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	if (r == 0 && o->attach && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		r = engine_error_errno(err, errno, "socketpair");
	if (r == 0)
		r = engine_container_spec(c, &spec, err);
	spec.cgroup_manager = e->cgroup_manager;
	if (r == 0 && c->image_id[0] != '\0' && (spec.image_id = strdup(c->image_id)) == NULL)
		r = engine_error_set(err, ENOMEM, "out of memory");
	if (r == 0)
		r = engine_idmap_detect(map, err);
	if (r == 0 && o->attach && spec.tty && (o->console_rows != 0 || o->console_cols != 0)) {
		spec.console_rows = o->console_rows;
		spec.console_cols = o->console_cols;
	}
	if (r == 0)
		r = o->attach ? engine_monitor_start_attached(&spec, map, c->name, sp[1], err) :
				engine_monitor_start(&spec, map, c->name, err);
	engine_run_spec_free(&spec);
	if (sp[1] >= 0)
		close(sp[1]);
	if (r == 0 && o->attach)
		*ret_attach_fd = sp[0];
	else if (sp[0] >= 0)
		close(sp[0]);
	return r;
}

int engine_container_start(struct engine *e, const char *what,
			   const struct engine_start_options *o, int *ret_attach_fd,
			   struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(e->store, what, &c, err) < 0)
		return -1;
	int r = 0;
	if (c->state.status != ENGINE_CONTAINER_RUNNING)
		r = start_record(e, c, o, ret_attach_fd, err);
	else if (o->attach)
		*ret_attach_fd = -1;
	engine_container_free(c);
	return r;
}

int engine_container_remove(struct engine *e, char *const *what, size_t n,
			    const struct engine_remove_options *o,
			    struct engine_remove_result *results, struct engine_error **err)
{
	return engine_containers_remove(e->store, what, n, o, results, err);
}

int engine_container_remove_all(struct engine *e, const struct engine_remove_options *o,
				struct engine_remove_result **ret_results, size_t *ret_n,
				struct engine_error **err)
{
	return engine_containers_remove_all(e->store, o, ret_results, ret_n, err);
}

int engine_container_resume(const struct engine_options *o, const char *id,
			    const struct engine_monitor_resume *resume)
{
	struct engine_error *err = NULL;
	struct engine *e = NULL;
	struct engine_container *c = NULL;
	struct engine_run_spec spec = { 0 };
	static struct engine_idmap map;
	int rc = 125;
	if (engine_open(o, &e, &err) == 0 && engine_container_get(e->store, id, &c, &err) == 0 &&
	    engine_container_spec(c, &spec, &err) == 0 && engine_idmap_detect(&map, &err) == 0 &&
	    (c->image_id[0] == '\0' || (spec.image_id = strdup(c->image_id)) != NULL)) {
		spec.cgroup_manager = o->cgroup_manager;
		/* The monitor lives on: no handle on the store. */
		engine_close(e);
		e = NULL;
		rc = engine_monitor_resume(&spec, &map, c->name, resume);
	}
	engine_close(e);
	engine_error_free(&err);
	engine_run_spec_free(&spec);
	engine_container_free(c);
	return rc;
}
