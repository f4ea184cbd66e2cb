/* reference.c: parse and normalise image references.
 *
 * The grammar is the distribution project's ("reference := name [':' tag]
 * ['@' digest]", name := [domain '/'] path), and the normalisation is
 * Docker's: a bare "busybox" means docker.io/library/busybox:latest.  Getting
 * this exactly as Docker and Podman do matters more than elegance, since a
 * user's muscle memory (and every Dockerfile) relies on it.  We validate every
 * part here, so what later becomes a URL path or a directory name is known to
 * hold only the grammar's characters. */
#include "storage/reference.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "storage/digest.h"
#include "common/hex.h"

/* The distribution project's limits: 255 for "domain/path", 128 for tags. */
#define NAME_MAX_TOTAL 255
#define TAG_MAX 128
/* Longer input cannot be valid: name + ':' + tag + '@' + longest digest. */
#define REFERENCE_MAX (NAME_MAX_TOTAL + 1 + TAG_MAX + 1 + STORAGE_DIGEST_MAX)

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool valid_domain_name(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_alnum(s[i]) && s[i] != '-')
				return false;
			continue;
		}
		/* A component is s[start, i). */
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

static bool valid_port(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v <= 65535;
}

bool storage_reference_valid_registry(const char *registry)
{
	if (registry == NULL || registry[0] == '\0' || strlen(registry) > NAME_MAX_TOTAL)
		return false;
	const char *port = NULL;
	if (registry[0] == '[') {
		/* "[" IPv6address "]" as RFC 3986 writes it (no zone ids). */
		const char *close = strchr(registry, ']');
		if (close == NULL || (size_t)(close - registry) > INET6_ADDRSTRLEN)
			return false;
		char addr[INET6_ADDRSTRLEN + 1];
		size_t n = (size_t)(close - registry - 1);
		memcpy(addr, registry + 1, n);
		addr[n] = '\0';
		struct in6_addr a6;
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return false;
		if (close[1] == '\0')
			return true;
		if (close[1] != ':')
			return false;
		port = close + 2;
	} else {
		const char *colon = strchr(registry, ':');
		size_t hostlen = colon ? (size_t)(colon - registry) : strlen(registry);
		if (!valid_domain_name(registry, hostlen))
			return false;
		if (colon == NULL)
			return true;
		port = colon + 1;
	}
	return valid_port(port);
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*
 * separator      := [_.] | "__" | [-]+ */
static bool valid_path_component(const char *s, size_t len)
{
	size_t i = 0;
	if (len == 0 || !is_lower_alnum(s[0]))
		return false;
	while (i < len) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
		else if (s[i] == '-')
			while (i < len && s[i] == '-')
				i++;
		else
			return false;
		if (i >= len || !is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

bool storage_reference_valid_repository(const char *repository)
{
	if (repository == NULL || repository[0] == '\0' || strlen(repository) > NAME_MAX_TOTAL)
		return false;
	const char *p = repository;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (!valid_path_component(p, len))
			return false;
		if (slash == NULL)
			return true;
		p = slash + 1;
	}
}

/* tag := [\w][\w.-]{0,127} */
bool storage_reference_valid_tag(const char *tag)
{
	if (tag == NULL || tag[0] == '\0' || strlen(tag) > TAG_MAX)
		return false;
	for (size_t i = 0; tag[i] != '\0'; i++) {
		char c = tag[i];
		bool word = is_alnum(c) || c == '_';
		if (!word && (i == 0 || (c != '.' && c != '-')))
			return false;
	}
	return true;
}

/* Set once by the CLI before anything else runs (no lock: no thread
 * exists yet); a buffer rather than a pointer so the caller's string may
 * go away. */
static char short_name_registry[NAME_MAX_TOTAL + 1] = STORAGE_DOCKER_HUB;

int storage_reference_set_short_name_registry(const char *registry)
{
	if (registry == NULL)
		registry = STORAGE_DOCKER_HUB;
	if (!storage_reference_valid_registry(registry))
		return -EINVAL;
	if (strcmp(registry, "index.docker.io") == 0)
		registry = STORAGE_DOCKER_HUB;
	snprintf(short_name_registry, sizeof(short_name_registry), "%s", registry);
	return 0;
}

const char *storage_reference_short_name_registry(void)
{
	return short_name_registry;
}

const char *storage_reference_api_host(const char *registry)
{
	if (registry != NULL && strcmp(registry, STORAGE_DOCKER_HUB) == 0)
		return STORAGE_DOCKER_HUB_API;
	return registry;
}

void storage_reference_clear(struct storage_reference *ref)
{
	if (ref == NULL)
		return;
	free(ref->registry);
	free(ref->repository);
	free(ref->tag);
	free(ref->digest);
	*ref = (struct storage_reference){ 0 };
}

/* Docker's rule for "is the first component a registry?". */
static bool looks_like_registry(const char *first, size_t len)
{
	if (memchr(first, '.', len) != NULL || memchr(first, ':', len) != NULL)
		return true;
	if (len == strlen("localhost") && memcmp(first, "localhost", len) == 0)
		return true;
	for (size_t i = 0; i < len; i++)
		if (first[i] >= 'A' && first[i] <= 'Z')
			return true;
	return false;
}

/* Why REPOSITORY is invalid, as one phrase. */
static const char *repository_problem(const char *repository)
{
	bool upper = false;
	cleanup_free char *lower = strdup(repository);
	if (lower == NULL)
		return "out of memory";
	for (char *p = lower; *p; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			*p = (char)(*p - 'A' + 'a');
			upper = true;
		}
	}
	if (upper && storage_reference_valid_repository(lower))
		return "repository name must be lowercase";
	if (strstr(repository, "//") != NULL || repository[strlen(repository) - 1] == '/')
		return "empty path component";
	return "repository components are lowercase letters and digits, separated by '.', '_', "
	       "'__' or dashes";
}

int storage_reference_parse(const char *s, struct storage_reference *ret,
			    struct engine_error **err)
{
	if (s == NULL || s[0] == '\0')
		return engine_error_set(err, EINVAL, "invalid reference: empty");
	size_t slen = strlen(s);
	if (slen > REFERENCE_MAX)
		return engine_error_set(err, EINVAL, "invalid reference \"%.64s...\": too long", s);
	if (engine_is_hex(s, 64, 64))
		return engine_error_set(err, EINVAL,
					"invalid reference \"%s\": a 64-digit hex string is an image ID, "
					"not a repository name",
					s);

	cleanup_free char *copy = strdup(s);
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	struct storage_reference r = { 0 };
	int rc = -EINVAL;

	char *at = strchr(copy, '@');
	if (at != NULL) {
		*at = '\0';
		struct engine_error *derr = NULL;
		if (storage_digest_validate(at + 1, &derr) < 0) {
			engine_error_set(err, EINVAL, "invalid reference \"%s\": %s", s, derr->msg);
			engine_error_free(&derr);
			goto fail;
		}
		r.digest = strdup(at + 1);
		if (r.digest == NULL)
			goto oom;
	}
	/* A ':' after the last '/' starts the tag; one before it is a port. */
	char *name = copy;
	char *colon = strrchr(name, ':');
	char *lastslash = strrchr(name, '/');
	if (colon != NULL && (lastslash == NULL || colon > lastslash)) {
		*colon = '\0';
		if (!storage_reference_valid_tag(colon + 1)) {
			engine_error_set(err, EINVAL,
					 "invalid reference \"%s\": invalid tag \"%.140s\" (letters, "
					 "digits, '_', '.', '-', at most 128, not starting with '.' "
					 "or '-')",
					 s, colon + 1);
			goto fail;
		}
		r.tag = strdup(colon + 1);
		if (r.tag == NULL)
			goto oom;
	}
	if (name[0] == '\0') {
		engine_error_set(err, EINVAL, "invalid reference \"%s\": no repository name", s);
		goto fail;
	}

	char *slash = strchr(name, '/');
	const char *remote;
	if (slash != NULL && looks_like_registry(name, (size_t)(slash - name))) {
		*slash = '\0';
		if (!storage_reference_valid_registry(name)) {
			engine_error_set(err, EINVAL, "invalid reference \"%s\": invalid registry \"%s\"",
					 s, name);
			goto fail;
		}
		r.registry = strdup(strcmp(name, "index.docker.io") == 0 ? STORAGE_DOCKER_HUB : name);
		remote = slash + 1;
	} else {
		r.registry = strdup(short_name_registry);
		remote = name;
	}
	if (r.registry == NULL)
		goto oom;
	if (strcmp(r.registry, STORAGE_DOCKER_HUB) == 0 && strchr(remote, '/') == NULL) {
		if (asprintf(&r.repository, "library/%s", remote) < 0) {
			r.repository = NULL;
			goto oom;
		}
	} else {
		r.repository = strdup(remote);
		if (r.repository == NULL)
			goto oom;
	}
	if (strlen(r.registry) + 1 + strlen(r.repository) > NAME_MAX_TOTAL) {
		engine_error_set(err, EINVAL,
				 "invalid reference \"%.64s...\": name longer than %d characters", s,
				 NAME_MAX_TOTAL);
		goto fail;
	}
	if (remote[0] == '\0' || !storage_reference_valid_repository(r.repository)) {
		engine_error_set(err, EINVAL, "invalid reference \"%s\": %s", s,
				 remote[0] == '\0' ? "no repository name"
						   : repository_problem(r.repository));
		goto fail;
	}
	if (r.tag == NULL && r.digest == NULL) {
		r.tag = strdup("latest");
		if (r.tag == NULL)
			goto oom;
	}
	*ret = r;
	return 0;

oom:
	rc = engine_error_set(err, ENOMEM, "out of memory");
fail:
	storage_reference_clear(&r);
	return rc;
}

int storage_reference_format(const struct storage_reference *ref, char **ret)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s%s%s%s%s", ref->registry, ref->repository, ref->tag ? ":" : "",
		     ref->tag ? ref->tag : "", ref->digest ? "@" : "",
		     ref->digest ? ref->digest : "") < 0)
		return -ENOMEM;
	*ret = s;
	return 0;
}

int storage_reference_name(const struct storage_reference *ref, char **ret)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s", ref->registry, ref->repository) < 0)
		return -ENOMEM;
	*ret = s;
	return 0;
}

void storage_reference_error_prefix(struct engine_error **err, const char *what,
				    const struct storage_reference *ref)
{
	cleanup_free char *name = NULL;
	if (storage_reference_name(ref, &name) == 0)
		engine_error_prefix(err, "%s %s", what, name);
}

const char *storage_reference_familiar(const char *name)
{
	if (strncmp(name, "docker.io/library/", 18) == 0)
		return name + 18;
	if (strncmp(name, "docker.io/", 10) == 0)
		return name + 10;
	return name;
}
