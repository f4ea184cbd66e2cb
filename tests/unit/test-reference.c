/* test-reference.c: image reference parsing and Docker's normalisation. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "storage/reference.h"
#include "fixtures.h"
#include "tap.h"

#define D256 "sha256:1b18bc70d602f923a49514154de9fa6428b1cc3ef8e2d29a19b5123f10d4016a"

/* Parse S and compare every part (NULL = expect none). */
static void check(const char *s, const char *registry, const char *repository, const char *tag,
		  const char *digest, const char *canonical)
{
	struct storage_reference r = { 0 };
	struct engine_error *err = NULL;
	int rc = storage_reference_parse(s, &r, &err);
	if (!ok(rc == 0, "parse \"%s\"", s)) {
		printf("#   error: %s\n", err ? err->msg : "(none)");
		engine_error_free(&err);
		return;
	}
	char *text = NULL;
	storage_reference_format(&r, &text);
	int same = strcmp(r.registry, registry) == 0 && strcmp(r.repository, repository) == 0 &&
		   ((tag == NULL && r.tag == NULL) || (tag && r.tag && strcmp(tag, r.tag) == 0)) &&
		   ((digest == NULL && r.digest == NULL) ||
		    (digest && r.digest && strcmp(digest, r.digest) == 0));
	if (!ok(same, "  \"%s\" -> %s %s %s %s", s, registry, repository, tag ? tag : "-",
		digest ? "digest" : "-"))
		printf("#   got %s %s %s %s\n", r.registry, r.repository, r.tag ? r.tag : "-",
		       r.digest ? r.digest : "-");
	is_str(text, canonical, "  canonical form of \"%s\"", s);
	free(text);
	storage_reference_clear(&r);
}

/* S must be refused with an error containing WHY. */
static void refuse(const char *s, const char *why)
{
	struct storage_reference r = { 0 };
	struct engine_error *err = NULL;
	int rc = storage_reference_parse(s, &r, &err);
	int good = rc < 0 && err != NULL && strstr(err->msg, why) != NULL && r.registry == NULL;
	if (!ok(good, "refuse \"%s\" (%s)", s ? s : "(null)", why))
		printf("#   rc %d, error: %s\n", rc, err ? err->msg : "(none)");
	engine_error_free(&err);
	storage_reference_clear(&r);
}

/* References that parse, each with its parts (NULL = none) and the
 * canonical form it formats to. */
static const struct parse_case {
	const char *in, *registry, *repository, *tag, *digest, *canonical;
} parses[] = {
	/* Docker Hub normalisation. */
	{ "busybox", "docker.io", "library/busybox", "latest", NULL,
	  "docker.io/library/busybox:latest" },
	{ "busybox:1.36", "docker.io", "library/busybox", "1.36", NULL,
	  "docker.io/library/busybox:1.36" },
	{ "library/busybox", "docker.io", "library/busybox", "latest", NULL,
	  "docker.io/library/busybox:latest" },
	{ "docker.io/busybox", "docker.io", "library/busybox", "latest", NULL,
	  "docker.io/library/busybox:latest" },
	{ "docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", NULL,
	  "docker.io/library/busybox:latest" },
	{ "index.docker.io/busybox", "docker.io", "library/busybox", "latest", NULL,
	  "docker.io/library/busybox:latest" },
	{ "someone/tool", "docker.io", "someone/tool", "latest", NULL,
	  "docker.io/someone/tool:latest" },
	{ "a/b/c/d", "docker.io", "a/b/c/d", "latest", NULL, "docker.io/a/b/c/d:latest" },

	/* Registries with ports, localhost, IPs. */
	{ "127.0.0.1:5000/busybox:v2s2", "127.0.0.1:5000", "busybox", "v2s2", NULL,
	  "127.0.0.1:5000/busybox:v2s2" },
	{ "127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", "latest", NULL,
	  "127.0.0.1:5000/busybox:latest" },
	{ "localhost/x", "localhost", "x", "latest", NULL, "localhost/x:latest" },
	{ "localhost:5000/ns/x:1", "localhost:5000", "ns/x", "1", NULL,
	  "localhost:5000/ns/x:1" },
	{ "quay.io/podman/hello", "quay.io", "podman/hello", "latest", NULL,
	  "quay.io/podman/hello:latest" },
	{ "[::1]:5000/busybox", "[::1]:5000", "busybox", "latest", NULL,
	  "[::1]:5000/busybox:latest" },
	{ "my-registry.example.com:443/a_b__c-d---e.f/g", "my-registry.example.com:443",
	  "a_b__c-d---e.f/g", "latest", NULL,
	  "my-registry.example.com:443/a_b__c-d---e.f/g:latest" },
	/* Docker's rule: an uppercase first component is a registry too. */
	{ "Registry/x", "Registry", "x", "latest", NULL, "Registry/x:latest" },
	/* No '/': "localhost:5000" is the image localhost with tag 5000. */
	{ "localhost:5000", "docker.io", "library/localhost", "5000", NULL,
	  "docker.io/library/localhost:5000" },

	/* Digests. */
	{ "busybox@" D256, "docker.io", "library/busybox", NULL, D256,
	  "docker.io/library/busybox@" D256 },
	{ "busybox:1.36@" D256, "docker.io", "library/busybox", "1.36", D256,
	  "docker.io/library/busybox:1.36@" D256 },
	{ "127.0.0.1:5000/busybox@" D256, "127.0.0.1:5000", "busybox", NULL, D256,
	  "127.0.0.1:5000/busybox@" D256 },

	/* Tags at the limits. */
	{ "x:_under", "docker.io", "library/x", "_under", NULL, "docker.io/library/x:_under" },
};

/* References refused, each with what the error must say: why. */
static const struct text_case refusals[] = {
	{ "", "empty" },
	{ NULL, "empty" },
	{ "BusyBox", "must be lowercase" },
	{ "127.0.0.1:5000/BusyBox:latest", "must be lowercase" },
	{ "busybox:", "invalid tag" },
	{ "busybox:-x", "invalid tag" },
	{ "busybox:a b", "invalid tag" },
	{ "busybox@sha256:abc", "invalid digest" },
	{ "busybox@md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported algorithm" },
	{ "-busybox", "repository components" },
	{ "busybox-", "repository components" },
	{ "a//b", "empty path component" },
	{ "a/b/", "empty path component" },
	{ "a..b", "repository components" },
	{ "a___b", "repository components" },
	{ "localhost/", "no repository name" },
	{ ":tag", "no repository name" },
	{ "-bad.example.com/x", "invalid registry" },
	{ "registry.example.com:99999/x", "invalid registry" },
	{ "registry.example.com:/x", "invalid registry" },
	{ "[::g]:5000/x", "invalid registry" },
	{ "https://registry.example.com/x", "invalid registry" },
	{ "1b18bc70d602f923a49514154de9fa6428b1cc3ef8e2d29a19b5123f10d4016a", "image ID" },
};

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(parses); i++)
		check(parses[i].in, parses[i].registry, parses[i].repository, parses[i].tag,
		      parses[i].digest, parses[i].canonical);

	/* A tag at the length limit and one past it. */
	char longtag[200];
	strcpy(longtag, "x:");
	memset(longtag + 2, 'a', 128);
	longtag[130] = '\0';
	struct storage_reference r = { 0 };
	struct engine_error *err = NULL;
	ok(storage_reference_parse(longtag, &r, &err) == 0, "a 128-character tag is allowed");
	storage_reference_clear(&r);
	engine_error_free(&err);
	longtag[130] = 'a';
	longtag[131] = '\0';
	refuse(longtag, "invalid tag");

	/* Invalid ones, with errors that say why. */
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
		refuse(refusals[i].input, refusals[i].want);
	char longname[400];
	memset(longname, 'a', 300);
	longname[300] = '\0';
	refuse(longname, "longer than 255");

	/* Helpers. */
	is_str(storage_reference_api_host("docker.io"), "registry-1.docker.io",
	       "docker.io's API host");
	is_str(storage_reference_api_host("127.0.0.1:5000"), "127.0.0.1:5000",
	       "other registries answer on their own name");
	ok(storage_reference_valid_tag("v1.0-rc_1"), "valid tag");
	ok(!storage_reference_valid_tag(".hidden"), "tag starting with '.'");
	ok(!storage_reference_valid_repository("a/../b"), "'..' is not a component");
	ok(!storage_reference_valid_registry("host:port"), "non-numeric port");

	struct storage_reference d = { 0 };
	storage_reference_parse("127.0.0.1:5000/busybox:v2s2", &d, &err);
	char *name = NULL;
	storage_reference_name(&d, &name);
	is_str(name, "127.0.0.1:5000/busybox", "name for messages");
	free(name);
	storage_reference_clear(&d);
	storage_reference_clear(&d);
	ok(d.registry == NULL, "clear twice is safe");
	is_str(storage_reference_familiar("docker.io/library/busybox:latest"), "busybox:latest",
	       "familiar: official images lose docker.io/library/");
	is_str(storage_reference_familiar("docker.io/user/app:1"), "user/app:1",
	       "familiar: other Docker Hub images lose docker.io/");
	is_str(storage_reference_familiar("127.0.0.1:5000/busybox:v2s2"), "127.0.0.1:5000/busybox:v2s2",
	       "familiar: other registries keep their name");
	return done_testing();
}
