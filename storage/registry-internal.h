/* registry-internal.h: the registry client's state, shared by the files
 * that speak to a registry with one set of rules (registry.c,
 * registry-http.c, registry-auth.c, registry-push.c): one curl share, one
 * token cache, one https-to-http fallback policy.  Types only; not for use
 * outside storage/. */
#pragma once

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "storage/registry-auth.h"
#include "storage/registry-http.h"
#include "storage/registry.h"

/* A cached Authorization header value for a host (and a scope, for bearer
 * tokens; "" for Basic, which applies to the whole host). */
struct cached_auth {
	struct cached_auth *next;
	char *host;
	char *scope;
	char *header; /* "Bearer ..." or "Basic ..." */
	time_t expires; /* CLOCK_MONOTONIC seconds; 0: never */
};

struct plain_host {
	struct plain_host *next;
	char *host;
};

struct storage_registry {
	bool tls_verify;
	const struct storage_registries_conf *registries; /* borrowed; may be NULL */
	char *auth_file;     /* explicit, or NULL for the default */
	char *docker_config; /* explicit, or NULL for the default */
	char *user_agent;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t lock; /* guards auths and plain_hosts */
	struct cached_auth *auths;
	struct plain_host *plain_hosts;
};
