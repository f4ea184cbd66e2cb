/* fuzz-registries-conf.c: libFuzzer harness for the registries.conf parser:
 * any bytes either parse to a configuration whose locations are valid
 * names (and whose endpoints for a reference are valid references), or
 * fail with one line naming the file and line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/registries-conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_location(const char *location)
{
	if (location == NULL || location[0] == '\0' || strchr(location, '\n') != NULL)
		abort();
	size_t n = strcspn(location, "/");
	char host[300];
	if (n >= sizeof(host))
		abort();
	memcpy(host, location, n);
	host[n] = '\0';
	if (!storage_reference_valid_registry(host))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_error *err = NULL;
	struct storage_registries_conf *conf = NULL;
	if (storage_registries_conf_parse((const char *)data, size, "r.conf", &conf, &err) < 0) {
		if (err == NULL || strncmp(err->msg, "r.conf", 6) != 0 || strchr(err->msg, '\n') != NULL)
			abort();
		engine_error_free(&err);
		return 0;
	}
	if (conf->short_name_registry != NULL &&
	    !storage_reference_valid_registry(conf->short_name_registry))
		abort();
	for (size_t i = 0; i < conf->n_registries; i++) {
		const struct storage_registry_entry *r = &conf->registries[i];
		check_location(r->location);
		for (size_t j = 0; j < r->n_mirrors; j++)
			check_location(r->mirrors[j].location);
		(void)storage_registries_conf_insecure(conf, r->location);
		/* Every endpoint of a name under this location is a valid name. */
		struct storage_reference ref = { .tag = (char *)"latest" };
		char *copy = strdup(r->location);
		if (copy == NULL)
			abort();
		char *slash = strchr(copy, '/');
		ref.registry = copy;
		ref.repository = (char *)(slash ? slash + 1 : "x");
		if (slash != NULL)
			*slash = '\0';
		struct storage_registry_endpoint *ep = NULL;
		size_t n = 0;
		if (storage_registries_conf_endpoints(conf, &ref, &ep, &n, &err) == 0) {
			for (size_t k = 0; k < n; k++)
				if (!storage_reference_valid_registry(ep[k].ref.registry) ||
				    !storage_reference_valid_repository(ep[k].ref.repository))
					abort();
			storage_registry_endpoints_free(ep, n);
		} else {
			/* Only a blocked registry is refused. */
			const struct storage_registry_entry *m =
				storage_registries_conf_match(conf, ref.registry, ref.repository);
			if (m == NULL || !m->blocked)
				abort();
		}
		engine_error_free(&err);
		free(copy);
	}
	storage_registries_conf_free(conf);
	return 0;
}
