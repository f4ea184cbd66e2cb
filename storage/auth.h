/* auth.h: registry credentials as Podman (auth.json) and Docker
 * (config.json) store them: looked up by the registry client when a
 * registry asks for a password, written by `login`, removed by `logout`. */
#pragma once

#include "common/error.h"

/* The auth.json `login` writes when given no path: $REGISTRY_AUTH_FILE,
 * else $XDG_RUNTIME_DIR/containers/auth.json, else
 * /run/user/UID/containers/auth.json. */
int storage_auth_default_path(char **ret, struct engine_error **err);

/* Credentials for REGISTRY/REPOSITORY: from AUTH_FILE (NULL: the default
 * above), then DOCKER_CONFIG (NULL: $DOCKER_CONFIG/config.json, else
 * ~/.docker/config.json).  The most specific key wins ("host/ns" over
 * "host").  1 with *ret_user and *ret_password set when found, 0 when there
 * are none (missing files are not an error), negative when a file is
 * unreadable or malformed. */
int storage_auth_lookup(const char *auth_file, const char *docker_config, const char *registry,
			const char *repository, char **ret_user, char **ret_password,
			struct engine_error **err);

/* "Basic base64(USER:PASSWORD)", for an Authorization header; NULL when out
 * of memory. */
char *storage_auth_basic_header(const char *user, const char *password);

/* Record USER:PASSWORD for REGISTRY (or "REGISTRY/NAMESPACE") in the
 * auth.json at PATH (NULL: the default), written atomically, mode 0600,
 * keeping the other entries. */
int storage_auth_store(const char *path, const char *registry, const char *user,
		       const char *password, struct engine_error **err);
/* Drop REGISTRY's entries (including "https://REGISTRY" forms).  -ENOENT
 * with "not logged in to REGISTRY" when there was none. */
int storage_auth_remove(const char *path, const char *registry, struct engine_error **err);
