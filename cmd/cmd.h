/* cmd.h: the subcommands and the CLI's shared printing helpers. */
#pragma once

#include "error.h"
#include "registries-conf.h"

struct cmd_global {
	const char *root;    /* --root */
	const char *runroot; /* --runroot */
	const char *storage_driver; /* --storage-driver, checked to be one we know */
	/* registries.conf, read by main before any command that may name an
	 * image (never NULL there). */
	struct storage_registries_conf *registries;
};

int cmd_run(int argc, char **argv, struct cmd_global *g);
int cmd_pull(int argc, char **argv, struct cmd_global *g);
int cmd_images(int argc, char **argv, struct cmd_global *g);
int cmd_rmi(int argc, char **argv, struct cmd_global *g);
int cmd_tag(int argc, char **argv, struct cmd_global *g);
int cmd_inspect(int argc, char **argv, struct cmd_global *g);
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
#include "image.h"
void cmd_pull_progress(void *userdata, enum engine_pull_event event, size_t layer, size_t n,
		       const char *detail, uint64_t done, uint64_t total);
int cmd_info(int argc, char **argv, struct cmd_global *g);
int cmd_version(int argc, char **argv, struct cmd_global *g);

/* The engine-image helper (cmd/helper.c). */
void cmd_save_argv(int argc, char **argv);
int cmd_helper_path(char *out, size_t size, struct engine_error **err);
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

/* system prune (wt-cmds): image prune's work without its prompt and total
 * (prune.c): prints "Deleted Images:" and the lines under it, if any. */
int cmd_prune_images(const struct cmd_global *g, bool all, int64_t *ret_reclaimed,
		     bool *ret_printed, struct engine_error **err);
