/* rm.c: `engine rm` and `container prune`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-run.h" /* cgroups (#6) */
#include "cleanup.h"
#include "container-repair.h"
#include "cmd.h"
#include "flags.h"
#include "containers.h"
#include "ctr-common.h"
#include "idmap.h"
#include "image.h"
#include "volumes.h"
#include "container-net.h" /* networking (#5) */

int cmd_rm_one(struct storage_store *store, const char *what, bool force,
		  struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	int r = 0;
	/* the monitor (issue #4): between two runs of a restart policy */
	if (c->state.status == ENGINE_CONTAINER_RESTARTING) {
		if (!force) {
			r = engine_error_set(err, EBUSY,
					     "cannot remove container \"/%s\": container is restarting: stop "
					     "the container before removing or force remove", c->name);
			goto out;
		}
		engine_container_stop_request(store->root, c->id, NULL);
		if (!cmd_wait_monitor(c, 10000))
			kill(c->state.monitor_pid, SIGKILL);
		cmd_wait_monitor(c, 5000);
	}
	if (c->state.status == ENGINE_CONTAINER_RUNNING) {
		if (!force) {
			r = engine_error_set(err, EBUSY,
					     "cannot remove container \"/%s\": container is running: stop the "
					     "container before removing or force remove",
					     c->name);
			goto out;
		}
		engine_container_stop_request(store->root, c->id, NULL);
		cmd_signal_container(c, SIGKILL);
		engine_cgroup_state_signaled(&c->state, SIGKILL); /* cgroups (#6) */
		if (!cmd_wait_monitor(c, 10000)) {
			/* A monitor that does not go: kill it, the container dies
			 * with it. */
			kill(c->state.monitor_pid, SIGKILL);
			cmd_wait_monitor(c, 5000);
		}
	} else if (cmd_monitor_alive(c)) {
		/* Exited, and its monitor is still cleaning up (--rm, layer). */
		cmd_wait_monitor(c, 10000);
	}
	/* The writable layer holds files of subordinate ids: it goes from
	 * inside the user namespace. */
	json_t *layers = json_object_get(json_object_get(c->config, "Spec"), "layers");
	if (json_array_size(layers) > 0 && getuid() != 0) {
		static struct engine_idmap map;
		struct engine_error *local = NULL;
		char rel[128];
		snprintf(rel, sizeof(rel), "containers/%s/config.json", c->id);
		if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (engine_idmap_detect(&map, &local) < 0 ||
		     engine_container_dir_remove(store->root, &map, c->id, &local) < 0))
			engine_log(ENGINE_LOG_WARN, "remove the writable layer of %s: %s", c->id,
				   local ? local->msg : "failed");
		engine_error_free(&local);
	}
	/* networking (#5): a killed monitor's slirp4netns went with it, but
	 * left its API socket. */
	engine_net_cleanup(json_string_value(json_object_get(json_object_get(c->config, "Spec"), "run_root")),
			   c->id);
	r = engine_container_forget(store, c->id, c->name, err);
	/* The attach socket's directory: a killed monitor left it. */
	struct engine_error *local = NULL;
	if (r == 0 &&
	    engine_container_run_dir_remove(
		    json_string_value(json_object_get(json_object_get(c->config, "Spec"), "run_root")),
		    c->id, &local) < 0)
		engine_log(ENGINE_LOG_WARN, "%s", local->msg);
	engine_error_free(&local);
out:
	engine_container_free(c);
	return r;
}

struct rm_opts {
	bool force;
	bool volumes; /* -v: the container's anonymous volumes go too (#4) */
	char *run_root;
};

/* WHAT that engine_container_get could not read (GET_ERR): a record
 * damaged past reading, or a name or directory without one.  rm -f
 * removes whatever of it is there; rm without -f says so. */
static int rm_damaged(struct storage_store *store, const char *what, const struct rm_opts *o,
		      struct engine_error **get_err, struct engine_error **err)
{
	char id[65];
	struct engine_error *local = NULL;
	if (engine_container_resolve_any(store, what, id, &local) < 0) {
		engine_error_free(&local);
		*err = steal_pointer(get_err);
		return -1;
	}
	/* Without -f only what nobody owns: a record that is there but
	 * unreadable may belong to a running container. */
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s", id);
	int cfd = openat(store->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool orphan = cfd >= 0 && (engine_container_orphaned(cfd, id) ||
				   (faccessat(cfd, id, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT));
	if (cfd >= 0)
		close(cfd);
	if (!o->force && !orphan) {
		engine_error_set(err, (*get_err)->status,
				 "%s: the record cannot be read (%s): rm -f removes what is left of it", what,
				 (*get_err)->msg);
		engine_error_free(get_err);
		return -1;
	}
	engine_error_free(get_err);
	static struct engine_idmap map;
	if (engine_idmap_detect(&map, err) < 0 ||
	    engine_container_remove_damaged(store, &map, o->run_root, id, err) < 0)
		return engine_error_prefix(err, "remove %s", what);
	return 0;
}

static int rm_each(struct storage_store *store, const char *what, void *data,
		   struct engine_error **err)
{
	const struct rm_opts *o = data;
	struct engine_container *c = NULL;
	struct engine_error *get_err = NULL;
	if (engine_container_get(store, what, &c, &get_err) < 0)
		return rm_damaged(store, what, o, &get_err, err);
	if (!o->volumes) {
		engine_container_free(c);
		return cmd_rm_one(store, what, o->force, err);
	}
	/* Named volumes stay, as Docker keeps them. */
	json_t *mounts = json_incref(json_object_get(json_object_get(c->config, "Spec"), "mounts"));
	engine_container_free(c);
	int r = cmd_rm_one(store, what, o->force, err);
	static struct engine_idmap map;
	bool mapped = false;
	for (size_t i = 0; r == 0 && i < json_array_size(mounts); i++) {
		json_t *m = json_array_get(mounts, i);
		const char *name = json_string_value(json_object_get(m, "Source"));
		if (!json_is_true(json_object_get(m, "Anonymous")) || name == NULL ||
		    strcmp(json_string_value(json_object_get(m, "Type")) ?: "", "volume") != 0)
			continue;
		char user[65];
		struct engine_error *local = NULL;
		if (engine_volume_in_use(store, name, user))
			continue;
		if ((!mapped && engine_idmap_detect(&map, &local) < 0) ||
		    engine_volume_remove(store, &map, name, &local) < 0)
			cmd_warn("remove volume %s: %s", name, local ? local->msg : "failed");
		mapped = true;
		engine_error_free(&local);
	}
	json_decref(mounts);
	return r;
}

/* rm -a (Podman's): every container, printing each full ID; a running
 * one without -f is refused as a named one would be. */
static int rm_all(const struct cmd_global *g, struct rm_opts *o)
{
	cleanup_error struct engine_error *err = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	cmd_sweep_store(store);
	struct engine_container **list = NULL;
	size_t n = 0;
	if (engine_container_list(store, &list, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		/* A container that went meanwhile (its own --rm) is not an error. */
		if (rm_each(store, list[i]->id, o, &err) < 0) {
			if (err != NULL && err->status == ENOENT)
				engine_error_free(&err);
			else
				rc = cmd_report_1(&err);
		} else {
			puts(list[i]->id);
		}
		engine_container_free(list[i]);
	}
	free(list);
	storage_store_close(store);
	return rc;
}

int cmd_rm(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },   { "volumes", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },    { "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	struct rm_opts o = { 0 };
	bool all = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "fva", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 'f':
			o.force = true;
			break;
		case 'v':
			o.volumes = true;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			puts("Usage: engine rm [OPTIONS] CONTAINER [CONTAINER...]\n\n"
			     "  -a, --all     remove every container (running ones too with -f)\n"
			     "  -f, --force   kill a running container first\n"
			     "  -v, --volumes remove the container's anonymous volumes too");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (all && optind < argc) {
		engine_error_set(&err, EINVAL, "--all and container names are mutually exclusive");
		return cmd_report(err);
	}
	if (optind >= argc && !all) {
		engine_error_set(&err, EINVAL, "\"engine rm\" requires at least 1 argument");
		return cmd_report(err);
	}
	cleanup_free char *run_root = NULL;
	if (cmd_store_runroot(g, &run_root, &err) < 0)
		return cmd_report(err);
	o.run_root = run_root;
	if (all)
		return rm_all(g, &o);
	int rc = cmd_each_container(g, argc - optind, argv + optind, rm_each, &o);
	struct storage_store *store = cmd_open_store(g, &err);
	if (store != NULL)
		cmd_sweep_store(store);
	storage_store_close(store);
	return rc;
}

/* container prune: every container that is not running goes. */
int cmd_container_prune(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	bool force = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "f", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			puts("Usage: engine container prune [OPTIONS]");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (!force && !cmd_confirm("WARNING! This will remove all stopped containers.\n"))
		return 0;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	cmd_sweep_store(store);
	struct engine_container **list = NULL;
	size_t n = 0;
	if (engine_container_list(store, &list, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	int rc = 0;
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		if (list[i]->state.status != ENGINE_CONTAINER_RUNNING &&
		    list[i]->state.status != ENGINE_CONTAINER_RESTARTING) {
			if (cmd_rm_one(store, list[i]->id, false, &err) < 0) {
				rc = cmd_report_1(&err);
			} else {
				if (!header)
					puts("Deleted Containers:");
				header = true;
				puts(list[i]->id);
			}
		}
		engine_container_free(list[i]);
	}
	free(list);
	storage_store_close(store);
	if (header)
		putchar('\n');
	puts("Total reclaimed space: 0B");
	return rc;
}
