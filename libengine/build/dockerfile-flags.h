/* dockerfile-flags.h: the flags of a Dockerfile instruction (which each
 * instruction takes, RUN's mounts and network, HEALTHCHECK's options),
 * for dockerfile-args.c. */
#pragma once

#include "libengine/build/dockerfile.h"

/* The leading "--name[=value]" words of TEXT, their quotes removed, into
 * IN's flags, each checked against what IN's kind takes; *AFTER points
 * past them.  A bare "--" ends them. */
int engine_dockerfile_flags_take(struct engine_dockerfile_instruction *in, const char *text, char escape,
				 const char **after, struct engine_error **err);
/* RUN: its --mount values into IN's mounts, --network and --security
 * checked. */
int engine_dockerfile_run_options(struct engine_dockerfile_instruction *in, struct engine_error **err);
/* HEALTHCHECK: its flags into IN's health. */
int engine_dockerfile_health_options(struct engine_dockerfile_instruction *in, struct engine_error **err);
void engine_dockerfile_mount_clear(struct engine_dockerfile_mount *m);
