/* cmd.h: the subcommands and the CLI's shared printing helpers. */
#pragma once

#include "common/error.h"
#include "libengine/image/pull.h"
#include "storage/registries-conf.h"

struct cmd_command;

struct cmd_global {
	const char *root;    /* --root */
	const char *runroot; /* --runroot */
	const char *storage_driver; /* --storage-driver, checked to be one we know */
	/* --cgroup-manager, else $ENGINE_CGROUP_MANAGER; NULL: detect */
	const char *cgroup_manager;
	/* registries.conf, read by main before any command that may name an
	 * image (never NULL there). */
	struct storage_registries_conf *registries;
	/* The command running, set by the dispatcher: its table entry and
	 * its path ("container ls"), for cmd_parse, --help and messages. */
	const struct cmd_command *command;
	const char *path;
};

int cmd_run(int argc, char **argv, struct cmd_global *g);
int cmd_pull(int argc, char **argv, struct cmd_global *g);
int cmd_images(int argc, char **argv, struct cmd_global *g);
int cmd_rmi(int argc, char **argv, struct cmd_global *g);
int cmd_tag(int argc, char **argv, struct cmd_global *g);
int cmd_inspect(int argc, char **argv, struct cmd_global *g);
/* inspect looking only for containers or only for images (ONLY), as
 * `container inspect` and `image inspect` do; --type can still say. */
int cmd_inspect_as(int argc, char **argv, struct cmd_global *g, const char *only);
int cmd_image(int argc, char **argv, struct cmd_global *g);
int cmd_save(int argc, char **argv, struct cmd_global *g);
int cmd_load(int argc, char **argv, struct cmd_global *g);
int cmd_import(int argc, char **argv, struct cmd_global *g);
int cmd_push(int argc, char **argv, struct cmd_global *g);
int cmd_history(int argc, char **argv, struct cmd_global *g);
int cmd_login(int argc, char **argv, struct cmd_global *g);
int cmd_logout(int argc, char **argv, struct cmd_global *g);
int cmd_image_prune(int argc, char **argv, struct cmd_global *g);
int cmd_system(int argc, char **argv, struct cmd_global *g);
int cmd_create(int argc, char **argv, struct cmd_global *g);
int cmd_ps(int argc, char **argv, struct cmd_global *g);
int cmd_start(int argc, char **argv, struct cmd_global *g);
int cmd_stop(int argc, char **argv, struct cmd_global *g);
int cmd_kill(int argc, char **argv, struct cmd_global *g);
int cmd_rm(int argc, char **argv, struct cmd_global *g);
int cmd_wait(int argc, char **argv, struct cmd_global *g);
int cmd_logs(int argc, char **argv, struct cmd_global *g);
int cmd_restart(int argc, char **argv, struct cmd_global *g);
int cmd_container(int argc, char **argv, struct cmd_global *g);
int cmd_container_prune(int argc, char **argv, struct cmd_global *g);
/* exec and top */
int cmd_exec(int argc, char **argv, struct cmd_global *g);
int cmd_top(int argc, char **argv, struct cmd_global *g);
/* cgroups */
int cmd_stats(int argc, char **argv, struct cmd_global *g);
int cmd_update(int argc, char **argv, struct cmd_global *g);
/* cp, diff, commit, export, rename, pause/unpause. */
int cmd_rename(int argc, char **argv, struct cmd_global *g);
int cmd_pause(int argc, char **argv, struct cmd_global *g);
int cmd_unpause(int argc, char **argv, struct cmd_global *g);
int cmd_cp(int argc, char **argv, struct cmd_global *g);
/* cp with "-": engine-image's (cp-tar.c); in engine, exec engine-image. */
struct engine_idmap;
struct engine_cp_options;
struct engine_container;
#include <stdbool.h>
int cmd_cp_tar(const struct engine_idmap *map, const struct engine_container *ctr,
	       const char *ctr_path, bool out, const struct engine_cp_options *o);
int cmd_diff(int argc, char **argv, struct cmd_global *g);
int cmd_commit(int argc, char **argv, struct cmd_global *g); /* engine-image */
int cmd_export(int argc, char **argv, struct cmd_global *g); /* engine-image */
int cmd_unshare(int argc, char **argv, struct cmd_global *g);
int cmd_volume(int argc, char **argv, struct cmd_global *g);
/* A recorded container as `inspect` shows it (cmd/container-inspect.c). */
struct engine_container;
#include <jansson.h>
json_t *cmd_container_inspect_json(const struct engine_container *c);

/* The storage root: --root, else storage.conf's root, else the default for
 * this user; likewise the run state directory with --runroot and runroot. */
int cmd_store_root(const struct cmd_global *g, char **ret, struct engine_error **err);
int cmd_store_runroot(const struct cmd_global *g, char **ret, struct engine_error **err);

/* Pull progress (cmd/progress.c), an engine_pull_progress_fn. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
struct cmd_progress {
	FILE *out;
	bool quiet;
	int lines;
	int drawn[64];
};
#include "libengine/image/image.h"
void cmd_pull_progress(void *userdata, enum engine_pull_event event, size_t layer, size_t n,
		       const char *detail, uint64_t done, uint64_t total);
int cmd_info(int argc, char **argv, struct cmd_global *g);
int cmd_version(int argc, char **argv, struct cmd_global *g);

/* The engine-image helper (cmd/helper.c). */
void cmd_save_argv(int argc, char **argv);
int cmd_helper_path(char *out, size_t size, struct engine_error **err);
/* engine-init for --init, found as engine-image is. */
int cmd_init_path(char *out, size_t size, struct engine_error **err);
/* exec the helper with this process's command line; returns only on error */
int cmd_exec_helper(void);
/* Run `engine-image --root ROOT pull IMAGE` and wait: *ret_status is its
 * exit status (it has printed its own error when non-zero). */
int cmd_helper_pull(const struct cmd_global *g, const char *root, const char *image,
		    const char *platform, bool tls_verify_off, int *ret_status,
		    struct engine_error **err);

/* Print "Error: MESSAGE" on one line and return the exit code for it. */
int cmd_report(struct engine_error *err);
/* getopt returned ':' (missing value) or '?' (unknown flag): report it as
 * Docker does, in one line; returns the exit code. */
int cmd_bad_flag(int c, char **argv);
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The monitor: attach (cmd/attach.c), shared with start -a. */
int cmd_attach(int argc, char **argv, struct cmd_global *g);
int cmd_monitor_resume(int argc, char **argv, struct cmd_global *g); /* cmd/start.c */
struct engine_container;
struct cmd_attach_opts {
	bool use_stdin;          /* send our stdin to the container */
	bool close_stdin_at_eof; /* start -a -i: our EOF closes its stdin */
	bool sig_proxy;
	unsigned char keys[16];  /* the detach keys */
	size_t n_keys;
	bool quiet_stdout, quiet_stderr; /* run -a: streams not relayed */
};
struct engine_run_spec;
/* -t: our terminal's size into SPEC, for the monitor to size the pty
 * with before the command runs. */
void cmd_console_size(struct engine_run_spec *spec);
/* A connection to the container's attach socket, or -1. */
int cmd_attach_connect(const struct engine_container *c, struct engine_error **err);
/* Relay until detach (0) or the container's exit (its exit code). */
int cmd_attach_stream(const struct cmd_global *g, const struct engine_container *c, int sock,
		      const struct cmd_attach_opts *o);
/* system prune: image prune's work without its prompt and total
 * (prune.c): prints "Deleted Images:" and the lines under it, if any. */
int cmd_prune_images(const struct cmd_global *g, bool all, int64_t *ret_reclaimed,
		     bool *ret_printed, struct engine_error **err);
/* `engine port` (port.c). */
int cmd_port(int argc, char **argv, struct cmd_global *g);
/* The subcommands of the groups that have no top-level spelling
 * (container.c, image.c, volume.c, system.c), and the files the command
 * table generates (completion.c, manpage.c). */
int cmd_container_inspect(int argc, char **argv, struct cmd_global *g);
int cmd_image_inspect(int argc, char **argv, struct cmd_global *g);
int cmd_volume_create(int argc, char **argv, struct cmd_global *g);
int cmd_volume_ls(int argc, char **argv, struct cmd_global *g);
int cmd_volume_inspect(int argc, char **argv, struct cmd_global *g);
int cmd_volume_rm(int argc, char **argv, struct cmd_global *g);
int cmd_volume_prune(int argc, char **argv, struct cmd_global *g);
int cmd_system_df(int argc, char **argv, struct cmd_global *g);
int cmd_system_prune(int argc, char **argv, struct cmd_global *g);
int cmd_system_reset(int argc, char **argv, struct cmd_global *g);
int cmd_completion(int argc, char **argv, struct cmd_global *g);
int cmd_man(int argc, char **argv, struct cmd_global *g);
