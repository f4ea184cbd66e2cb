/* run.c: `engine run`: parse, find (or pull) the image, decide the id
 * mapping, run in the foreground, exit with the container's status. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cgroup-run.h" /* cgroups (#6) */
#include "cleanup.h"
#include "cmd.h"
#include "container.h"
#include "containers.h"
#include "ctr-common.h"
#include "remove.h"
#include "idmap.h"
#include "image.h"
#include "paths.h"
#include "reference.h"
#include "run-args.h"
#include "storage-conf.h"
#include "storage-driver.h"
#include "userns-auto.h"
#include "userns-keep-id.h"
#include "volumes.h"
#include "ports.h" /* networking (#5) */

/* FLAG, else storage.conf's KEY, else the default: one order for both
 * locations, so that every command (and the engine-image helper, which
 * parses the same flags) agrees on where the store is. */
static int location(const char *flag, bool runroot, char **ret, struct engine_error **err)
{
	if (flag != NULL) {
		*ret = strdup(flag);
		return *ret ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	struct storage_config config;
	if (storage_config_read(&config, NULL, err) < 0)
		return -1;
	char **from_config = runroot ? &config.runroot : &config.root;
	if (*from_config != NULL) {
		*ret = steal_pointer(from_config);
		storage_config_clear(&config);
		return 0;
	}
	storage_config_clear(&config);
	return runroot ? storage_default_runroot(ret, err) : storage_default_root(ret, err);
}

int cmd_store_root(const struct cmd_global *g, char **ret, struct engine_error **err)
{
	return location(g->root, false, ret, err);
}

int cmd_store_runroot(const struct cmd_global *g, char **ret, struct engine_error **err)
{
	if (location(g->runroot, true, ret, err) < 0)
		return -1;
	/* Before anything is written there or read back (paths.c). */
	if (storage_runroot_check(*ret, false, err) < 0) {
		free(*ret);
		*ret = NULL;
		return -1;
	}
	return 0;
}

/* Image -> spec: look up, pull per --pull, take the config's defaults. */
static int prepare_image(struct engine_run_spec *spec, const struct cmd_global *g,
			 const struct engine_idmap *map, int *ret_status, struct engine_error **err)
{
	cleanup_free char *root = NULL;
	if (cmd_store_root(g, &root, err) < 0)
		return -1;
	enum storage_driver driver;
	if (engine_storage_driver_resolve(root, g->storage_driver, map, ENGINE_STORAGE_RECORD, NULL,
					  &driver, NULL, err) < 0)
		return -1;
	struct storage_store *store = NULL;
	if (storage_store_open(root, &store, err) < 0)
		return -1;
	const char *policy = spec->pull_policy ? spec->pull_policy : "missing";
	struct storage_image *img = NULL;
	struct engine_error *lookup_err = NULL;
	char **cmd = NULL;
	bool found = engine_image_lookup(store, spec->image, &img, &lookup_err) == 0;
	int r = -1;
	if (strcmp(policy, "always") == 0 || (!found && strcmp(policy, "never") != 0)) {
		engine_error_free(&lookup_err);
		storage_image_free(img);
		img = NULL;
		int status = 0;
		if (cmd_helper_pull(g, root, spec->image, spec->platform, spec->tls_verify_off, &status,
				    err) < 0)
			goto out;
		if (status != 0) {
			/* engine-image printed the error line already. */
			r = -2;
			*ret_status = status;
			goto out;
		}
		cleanup_free char *name = NULL;
		struct storage_reference ref;
		if (storage_reference_parse(spec->image, &ref, err) < 0)
			goto out;
		int fr = storage_reference_format(&ref, &name);
		storage_reference_clear(&ref);
		if (fr < 0) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		if (storage_image_get(store, name, &img, err) < 0)
			goto out;
	} else if (!found) {
		*err = steal_pointer(&lookup_err);
		goto out;
	}
	cmd = spec->argv;
	spec->argv = NULL;
	r = engine_spec_apply_image(spec, img, spec->entrypoint, spec->entrypoint_set, cmd, err);
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
	    engine_vfs_prepare(root, map, spec->layers, spec->n_layers, err) < 0)
		goto out;
	/* rmi must not pull the layers from under this container. */
	if (storage_container_claim(store, spec->id, img->id, err) < 0)
		goto out;
	if ((spec->image_id = strdup(img->id)) == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	spec->storage_driver = driver;
	spec->store_root = steal_pointer(&root);
	r = 0;
out:
	for (size_t i = 0; cmd != NULL && cmd[i] != NULL; i++)
		free(cmd[i]);
	free(cmd);
	storage_image_free(img);
	storage_store_close(store);
	return r;
}

/* run -d and create: record the container in the store; run -d then
 * starts it under its monitor.  Prints the full ID as Docker does. */
static int record(struct engine_run_spec *spec, const struct engine_idmap *map,
		  const struct cmd_global *g, bool start, char **ret_name, struct engine_error **err)
{
	if (spec->store_root == NULL && cmd_store_root(g, &spec->store_root, err) < 0)
		return -1;
	struct storage_store *store = NULL;
	if (storage_store_open(spec->store_root, &store, err) < 0)
		return -1;
	cleanup_free char *name = NULL;
	int r = engine_container_create(store, spec, spec->name, spec->image_id, &name, err);
	storage_store_close(store);
	if (r < 0) {
		/* The directory may hold the image claim and an auto
		 * container's copy of the image (subordinate ids): drop it
		 * with the rest, from inside the user namespace. */
		struct engine_error *ignored = NULL;
		engine_container_dir_remove(spec->store_root, map, spec->id, &ignored);
		engine_error_free(&ignored);
	}
	if (r < 0)
		return -1;
	free(spec->recorded_name);
	spec->recorded_name = strdup(name);
	if (ret_name != NULL) {
		*ret_name = steal_pointer(&name);
		return 0;
	}
	if (start && engine_monitor_start(spec, map, name, err) < 0)
		return -1;
	printf("%s\n", spec->id);
	fflush(stdout);
	return 0;
}

/* issue #4: what the run options need from the host before anything is
 * created: --userns=keep-id only rootless, engine-init for --init, and the
 * --cidfile, created exclusively (*ret_cidfd) so that two runs cannot
 * share one. */
static int prepare_run_options(struct engine_run_spec *spec, const struct engine_idmap *map,
			       int *ret_cidfd, struct engine_error **err)
{
	if (spec->userns != NULL && map->mode == ENGINE_IDMAP_ROOT)
		return engine_error_set(err, EINVAL, "--userns=%s is only supported in rootless mode",
					spec->userns);
	if (spec->userns != NULL && strcmp(spec->userns, "auto") == 0) {
		if (map->mode != ENGINE_IDMAP_SUBID)
			return engine_error_set(err, EINVAL,
						"--userns=auto needs subordinate ids (/etc/subuid and "
						"/etc/subgid ranges for %s)", getenv("USER") ?: "the user");
		if (spec->image == NULL)
			return engine_error_set(err, EINVAL, "--userns=auto needs an image, not --rootfs");
	}
	if (spec->init) {
		char path[PATH_MAX];
		if (cmd_init_path(path, sizeof(path), err) < 0)
			return -1;
		if ((spec->init_path = strdup(path)) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	if (spec->cidfile != NULL) {
		int fd = open(spec->cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0 && errno == EEXIST)
			return engine_error_set(err, EEXIST,
						"Container ID file found, make sure the other container "
						"isn't running or delete %s", spec->cidfile);
		if (fd < 0)
			return engine_error_errno(err, errno, "--cidfile %s", spec->cidfile);
		*ret_cidfd = fd;
	}
	return 0;
}

/* networking (#5): slirp4netns joins the container's user namespace as
 * its uid 0; --userns=keep-id without subordinate ids maps no uid 0, so
 * such a container gets its own namespace with only lo (and -p cannot be). */
static int network_for_mapping(struct engine_run_spec *spec, const struct engine_idmap *map,
			       struct engine_error **err)
{
	if (spec->userns == NULL || strcmp(spec->userns, "keep-id") != 0 ||
	    map->mode == ENGINE_IDMAP_SUBID || spec->network != NETNS_MODE_DEFAULT)
		return 0;
	if (spec->ports.count > 0 || spec->publish_all)
		return engine_error_set(err, ENOTSUP,
					"--userns=keep-id without subordinate ids: published ports need "
					"slirp4netns, which needs uid 0 mapped (add a range to /etc/subuid)");
	spec->network = NETNS_MODE_NONE;
	return 0;
}

/* Write the ID into the --cidfile once the container exists. */
static int write_cidfile(const struct engine_run_spec *spec, int *cidfd, struct engine_error **err)
{
	if (*cidfd < 0)
		return 0;
	size_t len = strlen(spec->id);
	int r = write(*cidfd, spec->id, len) == (ssize_t)len ? 0 : -1;
	if (r < 0)
		engine_error_errno(err, errno, "write --cidfile %s", spec->cidfile);
	close(*cidfd);
	*cidfd = -1;
	return r;
}

/* volumes (#4): give anonymous volumes their names and create the named
 * ones, in the store, before the container is recorded. */
static int prepare_volumes(struct engine_run_spec *spec, const struct cmd_global *g,
			   struct engine_error **err)
{
	bool any = false;
	for (size_t i = 0; i < spec->n_mounts; i++)
		any |= spec->mounts[i].type == ENGINE_MOUNT_VOLUME;
	if (!any)
		return 0;
	if (spec->store_root == NULL && cmd_store_root(g, &spec->store_root, err) < 0)
		return -1;
	struct storage_store *store = NULL;
	if (storage_store_open(spec->store_root, &store, err) < 0)
		return -1;
	int r = engine_volumes_prepare(store, spec, err);
	storage_store_close(store);
	return r;
}

/* networking (#5): --network container:NAME names a container of this
 * store; it must run (for run; for create, when it starts). */
static int resolve_network_container(struct engine_run_spec *spec, const struct cmd_global *g,
				     bool create, struct engine_error **err)
{
	if (spec->store_root == NULL && cmd_store_root(g, &spec->store_root, err) < 0)
		return -1;
	struct storage_store *store = NULL;
	if (storage_store_open(spec->store_root, &store, err) < 0)
		return -1;
	struct engine_container *c = NULL;
	int r = engine_container_get(store, spec->network_join, &c, err);
	if (r < 0) {
		engine_error_prefix(err, "--network container:%s", spec->network_join);
	} else if (!create && c->state.status != ENGINE_CONTAINER_RUNNING) {
		r = engine_error_set(err, EINVAL, "--network container:%s: the container is not running",
				     spec->network_join);
	} else {
		free(spec->network_join);
		spec->network_join = strdup(c->id);
		if (spec->network_join == NULL)
			r = engine_error_set(err, ENOMEM, "out of memory");
	}
	engine_container_free(c);
	storage_store_close(store);
	return r;
}

/* run -it: under its own monitor, as run -d, attached in-process (the
 * monitor's first client, before the command runs, as start -a), so that
 * the detach keys can leave the container running.  The container's exit
 * code, 0 after a detach. */
static int run_attached(struct engine_run_spec *spec, const struct engine_idmap *map,
			const struct cmd_global *g, const char *name)
{
	cleanup_error struct engine_error *err = NULL;
	struct cmd_attach_opts o = {
		.use_stdin = true,
		.close_stdin_at_eof = true,
		/* Docker: with -t the signals are the terminal's, typed
		 * into the pty, whatever --sig-proxy says. */
		.sig_proxy = false,
		.keys = { 16, 17 },
		.n_keys = 2,
		.quiet_stdout = spec->quiet_stdout,
		.quiet_stderr = spec->quiet_stderr,
	};
	if (spec->n_detach_keys > 0) {
		memcpy(o.keys, spec->detach_keys, spec->n_detach_keys);
		o.n_keys = spec->n_detach_keys;
	}
	cmd_console_size(spec);
	spec->attach_wait = true;
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		engine_error_errno(&err, errno, "socketpair");
		return cmd_report(err);
	}
	int r = engine_monitor_start_attached(spec, map, name, sp[1], &err);
	close(sp[1]);
	struct storage_store *store = r == 0 ? cmd_open_store(g, &err) : NULL;
	struct engine_container *c = NULL;
	if (store != NULL && engine_container_get(store, spec->id, &c, &err) < 0)
		c = NULL;
	storage_store_close(store);
	if (c == NULL) {
		close(sp[0]);
		return cmd_report(err);
	}
	int code = cmd_attach_stream(g, c, sp[0], &o);
	close(sp[0]);
	engine_container_free(c);
	return code;
}

static int run_or_create(int argc, char **argv, struct cmd_global *g, bool create)
{
	struct engine_run_spec spec = { 0 };
	cleanup_error struct engine_error *err = NULL;
	cleanup_free char *name_for_start = NULL;
	int help = 0, exit_code = 0, rc;
	int cidfd = -1; /* issue #4: --cidfile, until the ID is written */
	static struct engine_idmap map; /* large: keep it off the stack */

	if (cmd_run_parse(argc, argv, &spec, &help, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	spec.cgroup_manager = g->cgroup_manager;
	if (help) {
		fputs(cmd_run_usage, stdout);
		rc = 0;
		goto out;
	}
	if (engine_idmap_detect(&map, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	/* Bad input is one line: before the mapping's warning. */
	if (prepare_run_options(&spec, &map, &cidfd, &err) < 0 ||
	    network_for_mapping(&spec, &map, &err) < 0 ||
	    /* A record too large from the flags alone: before the pull too
	     * (create checks it again with the image's part). */
	    ((create || spec.detach || spec.name != NULL || (!spec.remove && spec.image != NULL)) &&
	     engine_container_record_check(&spec, NULL, &err) < 0)) {
		rc = cmd_report(err);
		goto out;
	}
	if (map.warning[0] != '\0')
		cmd_warn("%s", map.warning);
	/* cgroups (#6): the manager, detected once for the monitor too;
	 * limits asked for where none can be applied: one warning saying
	 * why, as Podman's. */
	static struct engine_cgroup_detection cgroup_det;
	if (engine_cgroup_spec_detect(&spec, &cgroup_det, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	spec.cgroup_det = &cgroup_det;
	if (cgroup_det.manager == ENGINE_CGROUP_MANAGER_DISABLED &&
	    (engine_cgroup_spec_any(&spec) || spec.cgroup_parent != NULL))
		cmd_warn("%s not applied: %s",
			 !engine_cgroup_spec_any(&spec) ? "--cgroup-parent is" :
			 spec.cgroup_parent != NULL     ? "resource limits and --cgroup-parent are" :
							  "resource limits are",
			 strcmp(cgroup_det.reason, ENGINE_CGROUP_MODE_DISABLED_REASON) == 0 ? "--cgroups disabled" : cgroup_det.reason);
	int pull_status = 0;
	int pr = spec.image != NULL ? prepare_image(&spec, g, &map, &pull_status, &err) : 0;
	if (pr == -2) {
		rc = pull_status;
		goto out;
	}
	if (pr < 0) {
		rc = cmd_report(err);
		goto out;
	}
	/* issue #4: an auto container's slice and its copy of the image. */
	if (spec.userns != NULL && strcmp(spec.userns, "auto") == 0 &&
	    engine_userns_auto_prepare(&spec, &map, &err) < 0) {
		struct engine_error *ignored = NULL;
		engine_container_dir_remove(spec.store_root, &map, spec.id, &ignored);
		engine_error_free(&ignored);
		rc = cmd_report(err);
		goto out;
	}
	/* keep-id: the image's owners unchanged in its namespace. */
	if (engine_userns_keep_id_prepare(&spec, &map, &err) < 0) {
		struct engine_error *ignored = NULL;
		engine_container_dir_remove(spec.store_root, &map, spec.id, &ignored);
		engine_error_free(&ignored);
		rc = cmd_report(err);
		goto out;
	}
	/* networking (#5): -P's EXPOSEd ports, and every host port chosen
	 * and checked before anything is recorded or started; container:NAME
	 * is recorded by ID, as Docker does. */
	if ((spec.publish_all &&
	     netns_ports_publish_exposed(&spec.ports, (const char *const *)spec.exposed, spec.n_exposed,
					 &err) < 0) ||
	    netns_ports_allocate(&spec.ports, &err) < 0 ||
	    (spec.network == NETNS_MODE_CONTAINER &&
	     resolve_network_container(&spec, g, create, &err) < 0)) {
		if (spec.image != NULL && spec.store_root != NULL) {
			struct engine_error *ignored = NULL;
			engine_container_dir_remove(spec.store_root, &map, spec.id, &ignored);
			engine_error_free(&ignored);
		}
		rc = cmd_report(err);
		goto out;
	}
	/* volumes (#4): name anonymous volumes, create named ones. */
	if (prepare_volumes(&spec, g, &err) < 0 || cmd_store_runroot(g, &spec.run_root, &err) < 0) {
		/* The image claim's directory goes: nothing is created. */
		if (spec.image != NULL && spec.store_root != NULL) {
			struct engine_error *ignored = NULL;
			engine_container_dir_remove(spec.store_root, &map, spec.id, &ignored);
			engine_error_free(&ignored);
		}
		rc = cmd_report(err);
		goto out;
	}
	if (create || spec.detach) {
		/* The ID goes into the cidfile before the monitor starts, as
		 * Docker writes it at create. */
		rc = record(&spec, &map, g, false, &name_for_start, &err) < 0 ||
				     write_cidfile(&spec, &cidfd, &err) < 0 ||
				     (!create && engine_monitor_start(&spec, &map, name_for_start, &err) < 0)
			     ? cmd_report(err)
			     : 0;
		if (rc == 0) {
			printf("%s\n", spec.id);
			fflush(stdout);
		}
		goto out;
	}
	if (write_cidfile(&spec, &cidfd, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	/* A foreground run is recorded, as Docker keeps every container that
	 * is not --rm (a generated name, as run -d's): ps sees it, its output
	 * is in its log, it stays after the exit.  A named --rm one too: its
	 * name is reserved while it runs.  An unnamed --rootfs run is not:
	 * it has no image, and nothing of it is in the store. */
	if (spec.name != NULL || (!spec.remove && spec.image != NULL)) {
		cleanup_free char *name = NULL;
		/* run -it can detach (Docker's detach keys work on a tty
		 * alone): the container needs a monitor other than us.  Not
		 * --rm: its exit code goes with its record.  Without -t our
		 * relay stays: it loses nothing, which a monitor's input
		 * pipe, written without blocking, could. */
		if (spec.interactive && spec.tty && !spec.remove && spec.image != NULL) {
			rc = record(&spec, &map, g, false, &name, &err) < 0 ?
				     cmd_report(err) :
				     run_attached(&spec, &map, g, name);
			goto out;
		}
		if (record(&spec, &map, g, false, &name, &err) < 0 ||
		    engine_container_run_recorded(&spec, &map, name, &exit_code, &err) < 0)
			rc = cmd_report(err);
		else
			rc = exit_code;
		goto out;
	}
	/* An unnamed --rm (or --rootfs) run is not recorded: nobody can name
	 * it, and its writable layer goes with it. */
	rc = engine_container_run(&spec, &map, &exit_code, &err) < 0 ? cmd_report(err) : exit_code;
	/* Nobody can name this container later: its anonymous volumes go
	 * with it when --rm asks, as Docker removes them. */
	if (spec.remove && spec.n_mounts > 0) {
		struct storage_store *store = NULL;
		struct engine_error *ignored = NULL;
		if (spec.store_root != NULL && storage_store_open(spec.store_root, &store, &ignored) == 0)
			engine_volumes_remove_anonymous(store, &map, &spec);
		engine_error_free(&ignored);
		storage_store_close(store);
	}
out:
	if (cidfd >= 0) {
		/* Nothing was created: no cidfile either. */
		close(cidfd);
		unlink(spec.cidfile);
	}
	engine_run_spec_free(&spec);
	return rc;
}

int cmd_run(int argc, char **argv, struct cmd_global *g)
{
	return run_or_create(argc, argv, g, false);
}

int cmd_create(int argc, char **argv, struct cmd_global *g)
{
	return run_or_create(argc, argv, g, true);
}
