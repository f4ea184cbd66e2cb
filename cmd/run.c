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

#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/attach.h"
#include "cmd/helper.h"
#include "cmd/report.h"
#include "cmd/run.h"
#include "cmd/store-root.h"
#include "cmd/commands.h"
#include "libengine/runtime/container.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/userns/idmap.h"
#include "libengine/container/lifecycle-create.h"
#include "cmd/run-args.h"
#include "netns/ports.h"

/* The library's pull step: the engine-image helper, which prints its own
 * progress and errors. */
struct run_pull {
	const struct cmd_global *g;
	int status; /* the helper's exit status when it failed */
};

static int run_pull(void *data, const char *root, const struct engine_run_spec *spec,
		    struct engine_error **err)
{
	struct run_pull *p = data;
	if (cmd_helper_pull(p->g, root, spec->image, spec->platform, spec->tls_verify_off,
			    &p->status, err) < 0)
		return -1;
	if (p->status != 0)
		return engine_error_set(err, ECANCELED, "pull %s: exit status %d", spec->image,
					p->status);
	return 0;
}

/* what the run options need from the host before anything is
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

/* slirp4netns joins the container's user namespace as
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

/* --network container:NAME names a container of this
 * store; it must run (for run; for create, when it starts). */
static int resolve_network_container(struct engine_run_spec *spec, struct engine *e, bool create,
				     struct engine_error **err)
{
	struct engine_container *c = NULL;
	int r = engine_container_find(e, spec->network_join, &c, err);
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
	struct engine *e = r == 0 ? cmd_open_engine(g, &err) : NULL;
	struct engine_container *c = NULL;
	if (e != NULL && engine_container_find(e, spec->id, &c, &err) < 0)
		c = NULL;
	engine_close(e);
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
	struct engine *e = NULL;
	cleanup_free char *name = NULL;
	int help = 0, exit_code = 0, rc;
	int cidfd = -1; /* --cidfile, until the ID is written */
	static struct engine_idmap map; /* large: keep it off the stack */

	if (cmd_run_parse(argc, argv, &spec, &help, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	spec.cgroup_manager = g->cgroup_manager;
	if (help) {
		rc = cmd_help(argv[0]);
		goto out;
	}
	if (engine_idmap_detect(&map, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	/* A foreground run is recorded, as Docker keeps every container that
	 * is not --rm (a generated name, as run -d's): ps sees it, its output
	 * is in its log, it stays after the exit.  A named --rm one too: its
	 * name is reserved while it runs.  An unnamed --rootfs run is not:
	 * it has no image, and nothing of it is in the store. */
	bool recorded = create || spec.detach || spec.name != NULL ||
			(!spec.remove && spec.image != NULL);
	/* Bad input is one line: before the mapping's warning. */
	if (prepare_run_options(&spec, &map, &cidfd, &err) < 0 ||
	    network_for_mapping(&spec, &map, &err) < 0 ||
	    /* A record too large from the flags alone: before the pull too
	     * (create checks it again with the image's part). */
	    (recorded && engine_container_record_check(&spec, NULL, &err) < 0)) {
		rc = cmd_report(err);
		goto out;
	}
	if (map.warning[0] != '\0')
		cmd_warn("%s", map.warning);
	/* the manager, detected once for the monitor too;
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
	if (engine_container_new_needs_store(&spec, recorded) &&
	    (e = cmd_open_engine(g, &err)) == NULL) {
		rc = cmd_report(err);
		goto out;
	}
	/* --network container:NAME is recorded by ID, as Docker does. */
	if ((spec.network == NETNS_MODE_CONTAINER &&
	     resolve_network_container(&spec, e, create, &err) < 0) ||
	    cmd_store_runroot(g, &spec.run_root, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	struct run_pull pull = { .g = g };
	struct engine_create_options co = {
		.map = &map,
		.pull = run_pull,
		.pull_data = &pull,
		.record = recorded,
	};
	if (engine_container_new(e, &spec, &co, &name, &err) < 0) {
		/* engine-image printed the error line already. */
		rc = pull.status != 0 ? pull.status : cmd_report(err);
		goto out;
	}
	/* What runs next holds no handle on the store (the monitor is a
	 * fork of this process). */
	engine_close(e);
	e = NULL;
	if (create || spec.detach) {
		/* The ID goes into the cidfile before the monitor starts, as
		 * Docker writes it at create. */
		rc = write_cidfile(&spec, &cidfd, &err) < 0 ||
				     (!create && engine_monitor_start(&spec, &map, name, &err) < 0)
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
	if (recorded) {
		/* run -it can detach (Docker's detach keys work on a tty
		 * alone): the container needs a monitor other than us.  Not
		 * --rm: its exit code goes with its record.  Without -t our
		 * relay stays: it loses nothing, which a monitor's input
		 * pipe, written without blocking, could. */
		if (spec.interactive && spec.tty && !spec.remove && spec.image != NULL)
			rc = run_attached(&spec, &map, g, name);
		else if (engine_container_run_recorded(&spec, &map, name, &exit_code, &err) < 0)
			rc = cmd_report(err);
		else
			rc = exit_code;
		goto out;
	}
	/* An unnamed --rm (or --rootfs) run is not recorded: nobody can name
	 * it, and its writable layer and anonymous volumes go with it. */
	if (spec.remove && spec.n_mounts > 0 && spec.store_root != NULL &&
	    (e = cmd_open_engine(g, &err)) == NULL)
		engine_error_free(&err);
	rc = engine_container_run_unrecorded(e, &spec, &map, &exit_code, &err) < 0 ? cmd_report(err) :
										      exit_code;
out:
	if (cidfd >= 0) {
		/* Nothing was created: no cidfile either. */
		close(cidfd);
		unlink(spec.cidfile);
	}
	engine_close(e);
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
