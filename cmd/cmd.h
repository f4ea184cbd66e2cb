/* cmd.h: what every command is handed: the global flags and the command
 * running (struct cmd_global).  Each command file has its own header for
 * what it gives the others (cmd/run.h, cmd/report.h, ...). */
#pragma once

#include "common/error.h"
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
