/* registry-auth.h: tokens and credentials for a registry that answered 401
 * (registry-auth.c).  Internal to storage/. */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "storage/registry.h"

/* The cached Authorization value for HOST and SCOPE (malloc'd), or NULL. */
char *storage_registry_cached_auth(struct storage_registry *client, const char *host,
				   const char *scope);
/* Answer a 401's CHALLENGES (WWW-Authenticate values) for SCOPE on
 * API_HOST: a bearer token or Basic credentials, cached for the retry.
 * USER/PASSWORD (login) are used when given; otherwise the credential files
 * are searched for REF's registry and repository. */
int storage_registry_authenticate(struct storage_registry *client,
				  const struct storage_reference *ref, const char *name,
				  const char *api_host, const char *scope, char *const *challenges,
				  size_t n_challenges, const char *user, const char *password,
				  struct engine_error **err);
