/* registries-conf.h: registries.conf, the user's standing rules for
 * registries: which ones may skip TLS verification, which are blocked,
 * which mirrors to try first, and where short names ("busybox") live.
 *
 * The format is a strict subset of the containers-registries.conf(5) TOML
 * that Podman users know, so a file (or a block) copied from Podman reads
 * the same here or is refused with one line:
 *
 *     unqualified-search-registries = ["docker.io"]   # only [0] is used
 *
 *     [[registry]]
 *     location = "registry.example:5000"   # host[:port][/path-prefix]
 *     insecure = true                      # plain HTTP, no certificate check
 *     blocked = false                      # true: pulls are refused
 *
 *     [[registry.mirror]]                  # belongs to the [[registry]] above
 *     location = "127.0.0.1:5000/mirror"
 *     insecure = true
 *
 * Blank lines, "# comments", basic ("...", without escapes) and literal
 * ('...') strings, true/false, and arrays of strings (which may span lines)
 * are read; anything else (another table or key, numbers, escapes,
 * wildcard locations) is an error "FILE:LINE: ...": a typo must not
 * silently turn off a mirror or TLS. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "storage/reference.h"

#define STORAGE_REGISTRIES_CONF_ENV "ENGINE_REGISTRIES_CONF"
#define STORAGE_REGISTRIES_CONF_SYSTEM "/etc/engine/registries.conf"

struct storage_registry_mirror {
	char *location; /* "host[:port][/path]" */
	bool insecure;
};

struct storage_registry_entry {
	char *location; /* "host[:port][/path]"; index.docker.io folded into docker.io */
	bool insecure;
	bool blocked;
	struct storage_registry_mirror *mirrors; /* tried in order, before the registry */
	size_t n_mirrors;
};

struct storage_registries_conf {
	char *path;                /* the file read, for messages; NULL when none was */
	char *short_name_registry; /* unqualified-search-registries[0], or NULL */
	struct storage_registry_entry *registries;
	size_t n_registries;
};

/* Parse LEN bytes of TEXT; NAME (the path) prefixes errors as "NAME:LINE:".
 * *ret is a new configuration (free it with storage_registries_conf_free). */
int storage_registries_conf_parse(const char *text, size_t len, const char *name,
				  struct storage_registries_conf **ret, struct engine_error **err);

/* Read and parse PATH.  A missing file is an empty configuration unless
 * MUST_EXIST (a path the user named). */
int storage_registries_conf_load(const char *path, bool must_exist,
				 struct storage_registries_conf **ret, struct engine_error **err);

/* This user's file: $XDG_CONFIG_HOME/engine/registries.conf, else
 * ~/.config/engine/registries.conf; *ret is NULL for root (who reads only
 * the system file) and when no home directory can be found. */
int storage_registries_conf_user_path(char **ret, struct engine_error **err);

/* The configuration in force: $ENGINE_REGISTRIES_CONF when set (it must
 * exist), else for root /etc/engine/registries.conf, else the user's file
 * when it exists, else /etc/engine/registries.conf.  No file: an empty
 * configuration. */
int storage_registries_conf_load_default(struct storage_registries_conf **ret,
					 struct engine_error **err);

void storage_registries_conf_free(struct storage_registries_conf *conf);

/* The [[registry]] whose location is the longest prefix of
 * REGISTRY/REPOSITORY (on a path-component boundary), or NULL. */
const struct storage_registry_entry *
storage_registries_conf_match(const struct storage_registries_conf *conf, const char *registry,
			      const char *repository);

/* Is HOSTPORT ("host", "host:port", "[v6]:port") marked insecure by a
 * registry or mirror location on that host?  TLS is a property of the
 * host, so a location's path does not narrow it.  A location without a
 * port means the default ports (443, 80). */
bool storage_registries_conf_insecure(const struct storage_registries_conf *conf,
				      const char *hostport);

/* One place to pull from. */
struct storage_registry_endpoint {
	struct storage_reference ref; /* registry and repository to ask; REF's tag and digest */
	bool mirror;
};

/* Where to pull REF from, in order: the mirrors of its [[registry]] (the
 * part of REF's name past the registry's location appended to the
 * mirror's location), then REF's own registry.  A mirror whose result is
 * not a valid name is left out.  -EACCES "registry LOCATION is blocked in
 * registries.conf" when the entry is blocked.  CONF may be NULL. */
int storage_registries_conf_endpoints(const struct storage_registries_conf *conf,
				      const struct storage_reference *ref,
				      struct storage_registry_endpoint **ret, size_t *ret_n,
				      struct engine_error **err);
void storage_registry_endpoints_free(struct storage_registry_endpoint *endpoints, size_t n);
