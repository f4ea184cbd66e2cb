/* auth.c: registry credentials, in the files Podman and Docker keep them.
 *
 * We read the same files the other tools write, so a user logged in with
 * `podman login` or `docker login` is logged in here too: Podman's
 * auth.json first, then Docker's config.json.  Both hold
 * {"auths": {"KEY": {"auth": base64("user:password")}}}, where KEY is
 * "host", "host/namespace" (Podman), or a URL ("https://host",
 * "https://index.docker.io/v1/" for Docker Hub).  Credential helpers
 * (credsStore, credHelpers) are not supported yet.
 *
 * Writing (login/logout) goes through engine_write_file_atomic with mode
 * 0600: the file holds passwords, and a crash must not leave half of it. */
#include "storage/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "storage/reference.h"

#define AUTH_FILE_MAX (4u << 20)

static char *base64_encode(const char *s, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

/* Decode standard padded base64; NULL when malformed. */
static char *base64_decode(const char *s, size_t *ret_len)
{
	size_t n = strlen(s);
	if (n == 0 || n % 4 != 0 || n > 65536)
		return NULL;
	unsigned char *out = malloc(n / 4 * 3 + 1);
	if (out == NULL)
		return NULL;
	int r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (r < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	size_t len = (size_t)r;
	for (size_t i = n; i > 0 && s[i - 1] == '=' && len > 0; i--)
		len--;
	out[len] = '\0';
	*ret_len = len;
	return (char *)out;
}

/* ------------------------------------------------------------- reading */

static int default_auth_file(char **ret)
{
	const char *env = getenv("REGISTRY_AUTH_FILE");
	if (env != NULL && env[0] != '\0') {
		*ret = strdup(env);
		return *ret ? 0 : -ENOMEM;
	}
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int r;
	if (xdg != NULL && xdg[0] != '\0')
		r = asprintf(ret, "%s/containers/auth.json", xdg);
	else
		r = asprintf(ret, "/run/user/%u/containers/auth.json", (unsigned)getuid());
	return r < 0 ? -ENOMEM : 0;
}

static int default_docker_config(char **ret)
{
	const char *dir = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");
	int r;
	if (dir != NULL && dir[0] != '\0')
		r = asprintf(ret, "%s/config.json", dir);
	else if (home != NULL && home[0] != '\0')
		r = asprintf(ret, "%s/.docker/config.json", home);
	else {
		*ret = NULL;
		return 0;
	}
	return r < 0 ? -ENOMEM : 0;
}

int storage_auth_default_path(char **ret, struct engine_error **err)
{
	if (default_auth_file(ret) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

/* An auths key in the form we compare: "https://index.docker.io/v1/" ->
 * "docker.io", "https://quay.io" -> "quay.io", "quay.io/ns" stays. */
static void normalize_auth_key(const char *key, char *out, size_t size)
{
	bool had_scheme = false;
	if (strncmp(key, "https://", 8) == 0) {
		key += 8;
		had_scheme = true;
	} else if (strncmp(key, "http://", 7) == 0) {
		key += 7;
		had_scheme = true;
	}
	/* Docker's keys are URLs whose path is an API version, not a namespace. */
	size_t n = had_scheme ? strcspn(key, "/") : strlen(key);
	while (n > 0 && key[n - 1] == '/')
		n--;
	const char *hubs[] = { "index.docker.io", "registry-1.docker.io" };
	for (size_t i = 0; i < ARRAY_SIZE(hubs); i++) {
		size_t hl = strlen(hubs[i]);
		if (n >= hl && strncmp(key, hubs[i], hl) == 0 && (n == hl || key[hl] == '/')) {
			snprintf(out, size, "docker.io%.*s", (int)(n - hl), key + hl);
			return;
		}
	}
	snprintf(out, size, "%.*s", (int)n, key);
}

/* How well auth key KEY (normalised) fits REGISTRY/REPOSITORY: 0 not at
 * all, else the length matched (the longest, most specific key wins). */
static size_t auth_key_score(const char *key, const char *registry, const char *repository)
{
	size_t rl = strlen(registry);
	if (strncmp(key, registry, rl) != 0)
		return 0;
	if (key[rl] == '\0')
		return rl;
	if (key[rl] != '/' || repository == NULL)
		return 0;
	const char *ns = key + rl + 1;
	size_t nl = strlen(ns);
	if (strncmp(repository, ns, nl) == 0 && (repository[nl] == '\0' || repository[nl] == '/'))
		return rl + 1 + nl;
	return 0;
}

static int read_json_file(const char *path, json_t **ret, struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct engine_error *rerr = NULL;
	int r = engine_read_file(AT_FDCWD, path, 0, AUTH_FILE_MAX, &buf, &len, &rerr);
	if (r < 0) {
		if (r == -ENOENT || r == -ENOTDIR) {
			engine_error_free(&rerr);
			*ret = NULL;
			return 0;
		}
		if (err != NULL && *err == NULL)
			*err = rerr;
		else
			engine_error_free(&rerr);
		return r;
	}
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		return engine_error_set(err, EINVAL, "%s: invalid JSON%s%s", path,
					root ? "" : ": ", root ? "" : jerr.text);
	}
	*ret = root;
	return 0;
}

/* Credentials for REGISTRY/REPOSITORY from one auth file; 1 when found. */
static int credentials_from_file(const char *path, const char *registry, const char *repository,
				 char **ret_user, char **ret_password, struct engine_error **err)
{
	cleanup_json json_t *root = NULL;
	int r = read_json_file(path, &root, err);
	if (r < 0 || root == NULL)
		return r;
	json_t *auths = json_object_get(root, "auths");
	if (auths == NULL)
		return 0;
	if (!json_is_object(auths))
		return engine_error_set(err, EINVAL, "%s: \"auths\" must be an object", path);
	const char *key, *best = NULL;
	json_t *value, *best_value = NULL;
	size_t best_score = 0;
	json_object_foreach(auths, key, value) {
		char norm[512];
		normalize_auth_key(key, norm, sizeof(norm));
		size_t score = auth_key_score(norm, registry, repository);
		if (score > best_score && json_is_object(value) &&
		    json_is_string(json_object_get(value, "auth"))) {
			best_score = score;
			best = key;
			best_value = value;
		}
	}
	if (best == NULL)
		return 0;
	size_t len = 0;
	cleanup_free char *decoded =
		base64_decode(json_string_value(json_object_get(best_value, "auth")), &len);
	char *colon = decoded ? memchr(decoded, ':', len) : NULL;
	if (colon == NULL || colon == decoded || memchr(decoded, '\0', len) != NULL)
		return engine_error_set(err, EINVAL,
					"%s: the \"auth\" of \"%s\" is not base64 of USER:PASSWORD",
					path, best);
	*colon = '\0';
	*ret_user = strdup(decoded);
	*ret_password = strdup(colon + 1);
	if (*ret_user == NULL || *ret_password == NULL) {
		free(*ret_user);
		free(*ret_password);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	engine_debug("auth: using credentials for %s from %s", best, path);
	return 1;
}

int storage_auth_lookup(const char *auth_file_path, const char *docker_config_path,
			const char *registry, const char *repository, char **ret_user,
			char **ret_password, struct engine_error **err)
{
	cleanup_free char *auth_file = NULL, *docker_config = NULL;
	if (auth_file_path ? !(auth_file = strdup(auth_file_path)) : default_auth_file(&auth_file) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (docker_config_path ? !(docker_config = strdup(docker_config_path))
			       : default_docker_config(&docker_config) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	const char *files[] = { auth_file, docker_config };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (files[i] == NULL)
			continue;
		int r = credentials_from_file(files[i], registry, repository, ret_user, ret_password,
					      err);
		if (r != 0)
			return r;
	}
	return 0;
}

char *storage_auth_basic_header(const char *user, const char *password)
{
	cleanup_free char *pair = NULL;
	if (asprintf(&pair, "%s:%s", user, password) < 0)
		return NULL;
	cleanup_free char *b64 = base64_encode(pair, strlen(pair));
	char *h = NULL;
	if (b64 == NULL || asprintf(&h, "Basic %s", b64) < 0)
		return NULL;
	return h;
}

/* ---------------------------------------------------------- login/logout */

/* The auth file login and logout edit, loaded. */
struct auth_file {
	const char *path;   /* as given; the default one where NULL */
	char *default_path; /* what path points to when it was NULL */
	json_t *root;
	json_t *auths; /* root's "auths" object, made when missing */
};

static void auth_file_clear(struct auth_file *f)
{
	free(f->default_path);
	json_decref(f->root);
}
#define cleanup_auth_file __attribute__((cleanup(auth_file_clear)))

static int load_auth_file(struct auth_file *f, struct engine_error **err)
{
	if (f->path == NULL) {
		int r = storage_auth_default_path(&f->default_path, err);
		if (r < 0)
			return r;
		f->path = f->default_path;
	}
	const char *path = f->path;
	json_t *root = NULL;
	int r = read_json_file(path, &root, err);
	if (r < 0)
		return r;
	if (root == NULL && (root = json_object()) == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	json_t *auths = json_object_get(root, "auths");
	if (auths == NULL) {
		auths = json_object();
		if (auths == NULL || json_object_set_new(root, "auths", auths) < 0) {
			json_decref(root);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
	} else if (!json_is_object(auths)) {
		json_decref(root);
		return engine_error_set(err, EINVAL, "%s: \"auths\" must be an object", path);
	}
	f->root = root;
	f->auths = auths;
	return 0;
}

static int save_auth_file(const char *path, json_t *root, struct engine_error **err)
{
	cleanup_free char *text = json_dumps(root, JSON_INDENT(1));
	cleanup_free char *dir = strdup(path);
	if (text == NULL || dir == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	int r = engine_mkdir_p(dirname(dir), 0700, err);
	if (r < 0)
		return r;
	size_t len = strlen(text);
	/* json_dumps leaves no final newline; editors and cat like one. */
	char *nl = realloc(text, len + 2);
	if (nl == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	text = nl;
	text[len++] = '\n';
	text[len] = '\0';
	return engine_write_file_atomic(path, text, len, 0600, err);
}

/* "REGISTRY" or "REGISTRY/NAMESPACE", as auth.json keys may be. */
static int check_auth_key(const char *key, struct engine_error **err)
{
	cleanup_free char *copy = key ? strdup(key) : NULL;
	char *slash = copy ? strchr(copy, '/') : NULL;
	if (slash != NULL)
		*slash = '\0';
	if (copy == NULL || !storage_reference_valid_registry(copy) ||
	    (slash != NULL && !storage_reference_valid_repository(slash + 1)))
		return engine_error_set(err, EINVAL, "invalid registry \"%s\"", key ? key : "");
	return 0;
}

int storage_auth_store(const char *path, const char *registry, const char *user,
		       const char *password, struct engine_error **err)
{
	if (check_auth_key(registry, err) < 0)
		return -1;
	if (user == NULL || user[0] == '\0' || strchr(user, ':') != NULL)
		return engine_error_set(err, EINVAL, "invalid user name (empty or with a ':')");
	if (password == NULL)
		return engine_error_set(err, EINVAL, "no password");
	cleanup_auth_file struct auth_file f = { .path = path };
	int r = load_auth_file(&f, err);
	if (r < 0)
		return r;
	cleanup_free char *pair = NULL;
	if (asprintf(&pair, "%s:%s", user, password) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_free char *b64 = base64_encode(pair, strlen(pair));
	json_t *entry = b64 ? json_pack("{s:s}", "auth", b64) : NULL;
	if (entry == NULL || json_object_set_new(f.auths, registry, entry) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return save_auth_file(f.path, f.root, err);
}

int storage_auth_remove(const char *path, const char *registry, struct engine_error **err)
{
	if (check_auth_key(registry, err) < 0)
		return -1;
	cleanup_auth_file struct auth_file f = { .path = path };
	int r = load_auth_file(&f, err);
	if (r < 0)
		return r;
	char want[512];
	normalize_auth_key(registry, want, sizeof(want));
	size_t removed = 0;
	const char *key;
	json_t *value;
	void *tmp;
	json_object_foreach_safe(f.auths, tmp, key, value) {
		char norm[512];
		normalize_auth_key(key, norm, sizeof(norm));
		if (strcmp(norm, want) == 0) {
			json_object_del(f.auths, key);
			removed++;
		}
	}
	if (removed == 0)
		return engine_error_set(err, ENOENT, "not logged in to %s", registry);
	return save_auth_file(f.path, f.root, err);
}
