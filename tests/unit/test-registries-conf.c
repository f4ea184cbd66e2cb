/* test-registries-conf.c: the registries.conf parser (strict: every mistake
 * is one line naming the file and line), what a configuration means
 * (longest-prefix match, mirror endpoints, blocked registries, insecure
 * hosts, including a non-loopback one the integration tests cannot
 * reach), which file is read, and the short-name registry it sets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-parse.h"
#include "fixtures.h"
#include "storage/reference.h"
#include "storage/registries-conf.h"
#include "storage/registry-internal.h"
#include "storage/registry.h"
#include "tap.h"

static struct storage_registries_conf *parse(const char *text, char *msg, size_t msg_size)
{
	struct engine_error *err = NULL;
	struct storage_registries_conf *conf = NULL;
	msg[0] = '\0';
	if (storage_registries_conf_parse(text, strlen(text), "r.conf", &conf, &err) < 0) {
		snprintf(msg, msg_size, "%s", err->msg);
		engine_error_free(&err);
		return NULL;
	}
	return conf;
}

/* storage_registries_conf_parse as conf-parse.h calls it. */
static int parse_only(const char *text, size_t len, struct engine_error **err)
{
	struct storage_registries_conf *conf = NULL;
	int r = storage_registries_conf_parse(text, len, "r.conf", &conf, err);
	storage_registries_conf_free(conf);
	return r;
}

static void bad(const char *text, const char *want_msg, const char *what)
{
	conf_refused(parse_only, text, want_msg, what);
}

static const char full[] =
	"# Podman-style\n"
	"unqualified-search-registries = [\n"
	"  \"docker.io\",  # the default\n"
	"  'quay.io',\n"
	"]\n"
	"\n"
	"[[registry]]\n"
	"location = \"docker.io\"\n"
	"[[registry.mirror]]\n"
	"location = \"127.0.0.1:1/mirror\"\n"
	"[[ registry . mirror ]]   # blanks as TOML allows\n"
	"location = '127.0.0.1:5000/mirror'\r\n"
	"insecure = false\n"
	"\n"
	"[[registry]]\n"
	"location = \"registry.example:5000\"\n"
	"insecure = true\n"
	"[[registry]]\n"
	"location = \"index.docker.io/library/blocked\"\n"
	"blocked = true\n"
	"[[registry]]\n"
	"location = \"docker.io/library\"\n"
	"[[registry.mirror]]\n"
	"location = \"mirror.example\"\n"
	"insecure = true\n";

static void test_good(void)
{
	char msg[512];
	struct storage_registries_conf *conf = parse("", msg, sizeof(msg));
	ok(conf != NULL && conf->n_registries == 0 && conf->short_name_registry == NULL,
	   "an empty file is an empty configuration");
	storage_registries_conf_free(conf);
	conf = parse("# only a comment\n\n  \t\n", msg, sizeof(msg));
	ok(conf != NULL && conf->n_registries == 0, "comments and blank lines");
	storage_registries_conf_free(conf);

	conf = parse(full, msg, sizeof(msg));
	ok(conf != NULL, "the full example parses");
	if (conf == NULL) {
		printf("#   error: %s\n", msg);
		return;
	}
	is_str(conf->short_name_registry, "docker.io", "the first search registry is the short-name one");
	is_int(conf->n_registries, 4, "four registries");
	is_str(conf->registries[0].location, "docker.io", "first location");
	is_int(conf->registries[0].n_mirrors, 2, "two mirrors, in order");
	is_str(conf->registries[0].mirrors[0].location, "127.0.0.1:1/mirror", "first mirror");
	is_str(conf->registries[0].mirrors[1].location, "127.0.0.1:5000/mirror",
	       "second mirror (a literal string, a CRLF line end)");
	ok(conf->registries[1].insecure && !conf->registries[1].blocked, "insecure = true");
	is_str(conf->registries[2].location, "docker.io/library/blocked",
	       "index.docker.io is folded into docker.io");
	ok(conf->registries[2].blocked, "blocked = true");
	ok(conf->registries[3].mirrors[0].insecure, "a mirror's insecure");
	storage_registries_conf_free(conf);

	conf = parse("unqualified-search-registries=['index.docker.io']", msg, sizeof(msg));
	is_str(conf ? conf->short_name_registry : msg, "docker.io",
	       "no blanks, no newline at the end, folded search registry");
	storage_registries_conf_free(conf);
}

static void test_bad(void)
{
	bad("[aliases]\n", "r.conf:1: unknown table [aliases]", "a table we do not read");
	bad("[registry]\nlocation = \"x.io\"\n", "r.conf:1: unknown table [registry]",
	    "[registry] is not [[registry]]");
	bad("[[registry.mirror.x]]\n", "r.conf:1: unknown table", "a deeper table");
	bad("# c\n[[registry.mirror]]\nlocation = \"m.io\"\n",
	    "r.conf:2: [[registry.mirror]] before any [[registry]]", "a mirror without a registry");
	bad("[[registry]]\ninsecure = true\n\n[[registry]]\nlocation = \"a.io\"\n",
	    "r.conf:1: [[registry]] without a location", "no location: the header's line");
	bad("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\n",
	    "r.conf:3: [[registry.mirror]] without a location", "a mirror without a location at the end");
	bad("[[registry]]\nlocation = \"a.io\"\nprefix = \"a.io\"\n", "r.conf:3: unknown key \"prefix\"",
	    "a Podman key we do not read");
	bad("[[registry]]\nlocation = \"a.io\"\nmirror = 1\n", "r.conf:3: unknown key \"mirror\"",
	    "an unknown key is named before its value is judged");
	bad("short-name-mode = \"enforcing\"\n", "r.conf:1: unknown key \"short-name-mode\"",
	    "an unknown top-level key");
	bad("[[registry]]\nlocation = \"a.io\"\nlocation = \"b.io\"\n", "r.conf:3: location is set twice",
	    "a key set twice");
	bad("[[registry]]\nlocation = \"a.io\"\ninsecure = \"yes\"\n",
	    "r.conf:3: insecure must be true or false", "a string for a boolean");
	bad("[[registry]]\nlocation = true\n", "r.conf:2: location must be a quoted string",
	    "a boolean for a string");
	bad("[[registry]]\nlocation = \"a.io\"\ninsecure = 1\n", "r.conf:3: expected a quoted string",
	    "a number");
	bad("[[registry]]\nlocation = \"a\\\\b\"\n", "r.conf:2: escape sequences are not supported",
	    "an escape");
	bad("[[registry]]\nlocation = \"a.io\n", "r.conf:2: unterminated string", "unterminated string");
	bad("[[registry]]\nlocation = \"\"\"a.io\"\"\"\n", "multi-line strings are not supported",
	    "a multi-line string");
	bad("registry.location = \"a.io\"\n", "r.conf:1: dotted keys are not supported", "a dotted key");
	bad("\"location\" = \"a.io\"\n", "r.conf:1: quoted keys are not supported", "a quoted key");
	bad("[[registry]]\nlocation = \"*.example.com\"\n", "r.conf:2: location \"*.example.com\": wildcards",
	    "a wildcard location");
	bad("[[registry]]\nlocation = \"https://a.io\"\n", "without a scheme", "a URL");
	bad("[[registry]]\nlocation = \"a_b:5000\"\n", "is not a registry host[:port]", "an invalid host");
	bad("[[registry]]\nlocation = \"a.io:99999\"\n", "is not a registry host[:port]", "an invalid port");
	bad("[[registry]]\nlocation = \"a.io/Upper\"\n", "the path must be repository components",
	    "an invalid path");
	bad("[[registry]]\nlocation = \"\"\n", "r.conf:2: location is empty", "an empty location");
	bad("unqualified-search-registries = []\n", "r.conf:1: unqualified-search-registries is empty",
	    "an empty search list");
	bad("unqualified-search-registries = [\"docker.io/library\"]\n", "without a path",
	    "a search registry with a path");
	bad("unqualified-search-registries = \"docker.io\"\n", "must be an array of strings",
	    "a string for an array");
	bad("unqualified-search-registries = [\n\"a.io\",\n", "r.conf:3: unterminated array",
	    "an unterminated array (the line where the file ends)");
	bad("unqualified-search-registries = [\"a.io\" \"b.io\"]\n", "expected ',' or ']'",
	    "a missing comma");
	bad("unqualified-search-registries = [true]\n", "arrays may hold only quoted strings",
	    "a boolean in an array");
	bad("[[registry]]\nlocation = \"a.io\" extra\n", "r.conf:2: unexpected text: extra",
	    "text after a value");
	bad("[[registry]] x\n", "r.conf:1: unexpected text: x", "text after a header");
	bad("[[registry]]\nlocation =\n", "r.conf:2: a key without a value", "no value");
	bad("[[registry]]\nlocation \"a.io\"\n", "r.conf:2: expected '=' after location", "no '='");
	bad("[[registry]]\nlocation = \"a.io\"\n[[registry]]\nlocation = \"index.docker.io\"\n"
	    "[[registry]]\nlocation = \"a.io\"\n",
	    "r.conf:6: registry \"a.io\" is listed twice (first at line 1)", "a registry listed twice");
	bad("# a \x01 control\n", "r.conf:1: control character in a comment", "a control character");
	bad("= 1\n", "r.conf:1: expected a key", "a line starting with '='");

	conf_limits(parse_only, "[[registry]]\n", 1);
}

static void test_meaning(void)
{
	char msg[512];
	struct storage_registries_conf *conf = parse(full, msg, sizeof(msg));
	if (conf == NULL)
		return;

	const struct storage_registry_entry *e =
		storage_registries_conf_match(conf, "docker.io", "library/busybox");
	is_str(e ? e->location : NULL, "docker.io/library", "the longest prefix wins");
	e = storage_registries_conf_match(conf, "docker.io", "libraryx/busybox");
	is_str(e ? e->location : NULL, "docker.io", "a prefix matches whole path components only");
	ok(storage_registries_conf_match(conf, "registry.example", "x") == NULL,
	   "a location with a port does not match the host without it");
	ok(storage_registries_conf_match(NULL, "docker.io", "x") == NULL, "no configuration, no match");

	/* Mirrors, then the registry; the name past the location is kept. */
	struct storage_reference r = ref_of("docker.io/someone/app:v1");
	struct storage_registry_endpoint *ep = NULL;
	size_t n = 0;
	struct engine_error *err = NULL;
	ok(storage_registries_conf_endpoints(conf, &r, &ep, &n, &err) == 0 && n == 3,
	   "two mirrors and the registry");
	if (n == 3) {
		is_str(ep[0].ref.registry, "127.0.0.1:1", "first mirror's registry");
		is_str(ep[0].ref.repository, "mirror/someone/app", "REPO mapped to PREFIX/REPO");
		is_str(ep[1].ref.repository, "mirror/someone/app", "second mirror");
		ok(ep[0].mirror && ep[1].mirror && !ep[2].mirror, "the registry itself comes last");
		is_str(ep[2].ref.registry, "docker.io", "the registry");
		is_str(ep[1].ref.tag, "v1", "the tag travels");
	}
	storage_registry_endpoints_free(ep, n);
	storage_reference_clear(&r);

	/* docker.io/library: its own mirror, which has no path. */
	r = ref_of("busybox@sha256:1b18bc70d602f923a49514154de9fa6428b1cc3ef8e2d29a19b5123f10d4016a");
	ok(storage_registries_conf_endpoints(conf, &r, &ep, &n, &err) == 0 && n == 2,
	   "the longest prefix's mirrors only");
	if (n == 2) {
		is_str(ep[0].ref.registry, "mirror.example", "mirror without a path");
		is_str(ep[0].ref.repository, "busybox", "the part past docker.io/library");
		ok(ep[0].ref.tag == NULL && ep[0].ref.digest != NULL &&
			   strcmp(ep[0].ref.digest, r.digest) == 0,
		   "the digest travels");
	}
	storage_registry_endpoints_free(ep, n);
	storage_reference_clear(&r);

	r = ref_of("docker.io/library/blocked/x:1");
	ok(storage_registries_conf_endpoints(conf, &r, &ep, &n, &err) < 0 &&
		   strstr(err->msg, "registry docker.io/library/blocked is blocked in registries.conf") &&
		   err->status == EACCES,
	   "a blocked registry is refused");
	engine_error_free(&err);
	storage_reference_clear(&r);

	r = ref_of("quay.io/x/y");
	ok(storage_registries_conf_endpoints(NULL, &r, &ep, &n, &err) == 0 && n == 1 &&
		   strcmp(ep[0].ref.registry, "quay.io") == 0 && strcmp(ep[0].ref.repository, "x/y") == 0,
	   "no configuration: the registry alone");
	storage_registry_endpoints_free(ep, n);
	storage_reference_clear(&r);

	/* A mirror whose result is no valid name is left out. */
	struct storage_registries_conf *c2 =
		parse("[[registry]]\nlocation = \"a.io/x/y\"\n[[registry.mirror]]\nlocation = \"m.io\"\n"
		      "[[registry.mirror]]\nlocation = \"m.io/z\"\n",
		      msg, sizeof(msg));
	r = ref_of("a.io/x/y:t");
	ok(c2 != NULL && storage_registries_conf_endpoints(c2, &r, &ep, &n, &err) == 0 && n == 2 &&
		   strcmp(ep[0].ref.registry, "m.io") == 0 && strcmp(ep[0].ref.repository, "z") == 0,
	   "a mirror leaving no repository is skipped; an exact location maps to the mirror's path");
	storage_registry_endpoints_free(ep, n);
	storage_reference_clear(&r);
	storage_registries_conf_free(c2);

	/* Insecure hosts: (e) of the integration plan, which has only loopback. */
	ok(storage_registries_conf_insecure(conf, "registry.example:5000"), "an insecure registry");
	ok(!storage_registries_conf_insecure(conf, "registry.example:5001") &&
		   !storage_registries_conf_insecure(conf, "registry.example"),
	   "only on its port");
	ok(storage_registries_conf_insecure(conf, "mirror.example") &&
		   storage_registries_conf_insecure(conf, "mirror.example:443") &&
		   storage_registries_conf_insecure(conf, "MIRROR.example:80"),
	   "a mirror without a port: the default ports, any case");
	ok(!storage_registries_conf_insecure(conf, "mirror.example:5000"), "not another port");
	ok(!storage_registries_conf_insecure(conf, "docker.io") &&
		   !storage_registries_conf_insecure(conf, "registry-1.docker.io:443"),
	   "docker.io is not insecure");
	ok(!storage_registries_conf_insecure(NULL, "registry.example:5000"), "no configuration");

	/* The client's one decision: loopback, configured, or --tls-verify=false. */
	struct storage_registry *client = NULL;
	struct storage_registry_options o = { .tls_verify = true, .registries = conf };
	if (storage_registry_open(&o, &client, &err) == 0) {
		ok(storage_registry_insecure_allowed(client, "registry.example:5000"),
		   "the client allows plain HTTP to a configured non-loopback registry");
		ok(!storage_registry_insecure_allowed(client, "other.example:5000"),
		   "and not to another");
		ok(storage_registry_insecure_allowed(client, "127.0.0.1:5000") &&
			   storage_registry_insecure_allowed(client, "[::1]:5000"),
		   "loopback stays insecure");
		storage_registry_close(client);
	} else {
		ok(0, "open a client: %s", err->msg);
		engine_error_free(&err);
	}
	storage_registries_conf_free(conf);
}

static void test_files(const char *dir)
{
	char path[512];
	struct engine_error *err = NULL;
	struct storage_registries_conf *conf = NULL;
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	ok(storage_registries_conf_load(path, false, &conf, &err) == 0 && conf->n_registries == 0,
	   "a missing file is an empty configuration");
	storage_registries_conf_free(conf);
	conf = NULL;
	ok(storage_registries_conf_load(path, true, &conf, &err) < 0 && err->status == ENOENT,
	   "unless it must exist");
	engine_error_free(&err);

	snprintf(path, sizeof(path), "%s/registries.conf", dir);
	FILE *f = fopen(path, "w");
	fputs("\n[[registry]]\nlocation = 5\n", f);
	fclose(f);
	setenv(STORAGE_REGISTRIES_CONF_ENV, path, 1);
	char want[600];
	snprintf(want, sizeof(want), "%s:3: ", path);
	ok(storage_registries_conf_load_default(&conf, &err) < 0 &&
		   strncmp(err->msg, want, strlen(want)) == 0,
	   "ENGINE_REGISTRIES_CONF is read; its error starts with path and line");
	engine_error_free(&err);
	f = fopen(path, "w");
	fputs("[[registry]]\nlocation = \"a.io\"\n", f);
	fclose(f);
	ok(storage_registries_conf_load_default(&conf, &err) == 0 && conf->n_registries == 1 &&
		   strcmp(conf->path, path) == 0,
	   "a good one is read");
	storage_registries_conf_free(conf);
	snprintf(path, sizeof(path), "%s/nope.conf", dir);
	setenv(STORAGE_REGISTRIES_CONF_ENV, path, 1);
	ok(storage_registries_conf_load_default(&conf, &err) < 0 &&
		   strncmp(err->msg, "ENGINE_REGISTRIES_CONF: ", 24) == 0,
	   "a named file that is missing is an error naming the variable");
	engine_error_free(&err);
	unsetenv(STORAGE_REGISTRIES_CONF_ENV);

	char *p = NULL;
	if (geteuid() == 0) {
		ok(storage_registries_conf_user_path(&p, &err) == 0 && p == NULL,
		   "root reads only /etc/engine/registries.conf");
	} else {
		setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
		ok(storage_registries_conf_user_path(&p, &err) == 0 &&
			   strcmp(p, "/x/cfg/engine/registries.conf") == 0,
		   "a user reads $XDG_CONFIG_HOME/engine/registries.conf");
	}
	free(p);
}

static void test_short_names(void)
{
	struct storage_reference r = ref_of("busybox");
	is_str(r.registry, "docker.io", "short names default to docker.io");
	is_str(r.repository, "library/busybox", "with library/");
	storage_reference_clear(&r);
	ok(storage_reference_set_short_name_registry("quay.io") == 0, "set another");
	r = ref_of("busybox");
	ok(r.registry && strcmp(r.registry, "quay.io") == 0 && strcmp(r.repository, "busybox") == 0,
	   "then a short name lives there, without library/");
	storage_reference_clear(&r);
	r = ref_of("docker.io/busybox");
	is_str(r.repository, "library/busybox", "a docker.io name keeps library/");
	storage_reference_clear(&r);
	ok(storage_reference_set_short_name_registry("not a host") == -EINVAL &&
		   strcmp(storage_reference_short_name_registry(), "quay.io") == 0,
	   "an invalid name is refused and changes nothing");
	storage_reference_set_short_name_registry(NULL);
	is_str(storage_reference_short_name_registry(), "docker.io", "NULL goes back to docker.io");
}

int main(void)
{
	char dir[] = "/tmp/test-registries-conf-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	unsetenv(STORAGE_REGISTRIES_CONF_ENV);
	test_good();
	test_bad();
	test_meaning();
	test_files(dir);
	test_short_names();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
