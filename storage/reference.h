/* reference.h: image references ("busybox", "127.0.0.1:5000/busybox:v2s2",
 * "repo@sha256:...") parsed and normalised as Docker and Podman do, so that
 * a name typed for one of them means the same image here. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define STORAGE_DOCKER_HUB "docker.io"
#define STORAGE_DOCKER_HUB_API "registry-1.docker.io"

struct storage_reference {
	char *registry;   /* "docker.io", "127.0.0.1:5000", "localhost", "[::1]:5000" */
	char *repository; /* "library/busybox": lowercase, per the grammar */
	char *tag;        /* NULL when only a digest was given; "latest" when neither */
	char *digest;     /* NULL, or a validated "sha256:..." / "sha512:..." */
};

/* Parse and normalise S:
 *   busybox                 -> docker.io library/busybox tag latest
 *   127.0.0.1:5000/busybox:v2s2, localhost/x, repo@sha256:..., repo:tag@sha256:...
 * A first path component is a registry when it contains '.' or ':', is
 * "localhost", or has an uppercase letter (as Docker decides); otherwise
 * the registry is the short-name registry (below; docker.io by default,
 * where one-component names live under library/).
 * index.docker.io is folded into docker.io.  -EINVAL with *err naming S and
 * the rule broken.  *ret is filled only on success. */
int storage_reference_parse(const char *s, struct storage_reference *ret,
			    struct engine_error **err);

/* The registry short names ("busybox", "user/app") belong to: docker.io
 * (where one-component names live under library/), unless the CLI set
 * another at start-up from registries.conf's unqualified-search-registries.
 * One setting for the process, made before any reference is parsed, so
 * that every command resolves a short name alike.  NULL goes back to
 * docker.io; an invalid name is refused with -EINVAL. */
int storage_reference_set_short_name_registry(const char *registry);
const char *storage_reference_short_name_registry(void);

/* Canonical text: "docker.io/library/busybox:latest",
 * "docker.io/library/busybox@sha256:..." when there is only a digest, or
 * "REG/REPO:TAG@DIGEST" with both. */
int storage_reference_format(const struct storage_reference *ref, char **ret);

/* "REGISTRY/REPOSITORY", for messages. */
int storage_reference_name(const struct storage_reference *ref, char **ret);
/* Puts "WHAT REGISTRY/REPOSITORY" ("pull docker.io/library/alpine")
 * before *ERR's message, as a failed transfer of REF reports itself. */
void storage_reference_error_prefix(struct engine_error **err, const char *what,
				    const struct storage_reference *ref);

void storage_reference_clear(struct storage_reference *ref);
/* The name as Docker shows it: "docker.io/library/busybox:latest" ->
 * "busybox:latest", "docker.io/x/y" -> "x/y"; others unchanged. */
const char *storage_reference_familiar(const char *name);

/* The host the registry API answers on: docker.io's is registry-1.docker.io;
 * every other registry answers on its own name. */
const char *storage_reference_api_host(const char *registry);

/* The grammar's pieces, for callers that receive parts separately (the
 * registry client re-checks what it puts into a URL). */
bool storage_reference_valid_registry(const char *registry);
bool storage_reference_valid_repository(const char *repository);
bool storage_reference_valid_tag(const char *tag);
