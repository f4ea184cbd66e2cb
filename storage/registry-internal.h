/* registry-internal.h: what registry.c lends registry-push.c (the push side
 * and login), so that both speak to a registry with one set of rules: one
 * curl share, one token cache, one https-to-http fallback policy, one
 * challenge parser.  Not for use outside storage/. */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>

#include "registry.h"

/* Options every easy handle of CLIENT gets (share, user agent, timeouts,
 * protocols, no redirects by curl). */
void storage_registry_easy_setup(struct storage_registry *client, CURL *curl);
/* Does HOSTPORT get plain HTTP and no certificate check (loopback, or
 * --tls-verify=false)? */
bool storage_registry_insecure_allowed(struct storage_registry *client, const char *hostport);
/* Is HOST known to speak plain HTTP?  REMEMBER: note that it does. */
bool storage_registry_plain_host(struct storage_registry *client, const char *host, bool remember);
/* A connect- or TLS-level failure, after which plain HTTP is worth a try. */
bool storage_registry_tls_or_connect_error(CURLcode code);
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
/* The error for an unexpected final response, with the registry's own
 * explanation from BODY: "NAME: WHAT: 404 Not Found (BLOB_UNKNOWN: ...)". */
int storage_registry_status_error(const char *name, const char *what, long status,
				  const char *reason, const char *body, size_t body_len,
				  struct engine_error **err);
