/* registry.c: the pull side of the Docker Registry HTTP API v2 / OCI
 * distribution API, over libcurl.
 *
 * Why the pieces are shaped as they are:
 *  - Redirects are followed here, not by curl's FOLLOWLOCATION, because the
 *    rules are ours: at most 10, never from https to http, and the
 *    registry's Authorization header never travels to the blob-storage host
 *    a registry redirects to (a signed S3 URL must not see a Docker Hub
 *    token).  curl would either forward or drop custom headers wholesale.
 *  - One easy handle per call, and a CURLSH sharing the DNS cache and TLS
 *    sessions under mutexes: layer downloads run on several threads at once,
 *    and an easy handle must not be used by two threads.
 *  - Loopback registries may speak plain HTTP (Docker's default
 *    insecure-registries), as may those registries.conf marks insecure and
 *    any with --tls-verify=false: we try https
 *    first and fall back on a connect- or TLS-level failure, remembering the
 *    host for the client's lifetime so later calls do not pay twice.
 *  - Proxies come from the environment (curl's default), as for every other
 *    tool on the machine.
 *  - Every byte of a blob is hashed on its way to the sink; the digest that
 *    named the blob is the only thing that makes it trustworthy.
 * Credentials (auth.json, Docker's config.json) are auth.c's business; they
 * are read only when a registry answers 401.  One HTTP exchange (redirects,
 * error bodies) is registry-http.c's; tokens and challenges are
 * registry-auth.c's. */
#include "storage/registry.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/cleanup.h"
#include "config.h"
#include "storage/manifest.h"
#include "storage/registry-auth.h"
#include "storage/registry-http.h"
#include "storage/registry-internal.h"

#define MAX_RESUMES 5

static const char manifest_accept[] =
	"Accept: " STORAGE_MEDIA_OCI_MANIFEST ", " STORAGE_MEDIA_OCI_INDEX
	", " STORAGE_MEDIA_DOCKER_MANIFEST ", " STORAGE_MEDIA_DOCKER_LIST;

/* ------------------------------------------------------------ hosts */

/* The host part of "host[:port]" / "[v6]:port", lowercased, into OUT. */
static void host_of(const char *hostport, char *out, size_t size)
{
	const char *start = hostport, *end;
	if (hostport[0] == '[') {
		start = hostport + 1;
		end = strchr(start, ']');
		if (end == NULL)
			end = start + strlen(start);
	} else {
		end = strchr(hostport, ':');
		if (end == NULL)
			end = hostport + strlen(hostport);
	}
	size_t n = (size_t)(end - start) < size - 1 ? (size_t)(end - start) : size - 1;
	memcpy(out, start, n);
	out[n] = '\0';
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

/* 127.0.0.0/8, ::1 and localhost: Docker's default insecure registries. */
static bool host_is_loopback(const char *host)
{
	if (strcmp(host, "localhost") == 0)
		return true;
	struct in_addr a4;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	struct in6_addr a6;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static bool insecure_allowed(const struct storage_registry *c, const char *hostport)
{
	char host[256];
	host_of(hostport, host, sizeof(host));
	return !c->tls_verify || host_is_loopback(host) ||
	       storage_registries_conf_insecure(c->registries, hostport);
}

static bool is_plain_host(struct storage_registry *c, const char *host)
{
	bool found = false;
	pthread_mutex_lock(&c->lock);
	for (struct plain_host *p = c->plain_hosts; p && !found; p = p->next)
		found = strcmp(p->host, host) == 0;
	pthread_mutex_unlock(&c->lock);
	return found;
}

static void remember_plain_host(struct storage_registry *c, const char *host)
{
	if (is_plain_host(c, host))
		return;
	struct plain_host *p = calloc(1, sizeof(*p));
	if (p == NULL || (p->host = strdup(host)) == NULL) {
		free(p);
		return; /* only an optimisation: the next call tries https again */
	}
	pthread_mutex_lock(&c->lock);
	p->next = c->plain_hosts;
	c->plain_hosts = p;
	pthread_mutex_unlock(&c->lock);
}

/* --------------------------------------------------- open and close */

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr)
{
	struct storage_registry *c = userptr;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userptr)
{
	struct storage_registry *c = userptr;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&c->share_locks[data]);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

/* curl_global_init is not thread-safe in every libcurl build: run it once. */
static void curl_init_once(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int storage_registry_open(const struct storage_registry_options *opts,
			  struct storage_registry **ret, struct engine_error **err)
{
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_result != CURLE_OK)
		return engine_error_set(err, EIO, "libcurl: %s", curl_easy_strerror(curl_init_result));
	struct storage_registry *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	c->tls_verify = opts ? opts->tls_verify : true;
	c->registries = opts ? opts->registries : NULL;
	if (opts && opts->auth_file)
		c->auth_file = strdup(opts->auth_file);
	if (opts && opts->docker_config)
		c->docker_config = strdup(opts->docker_config);
	c->user_agent = strdup(opts && opts->user_agent ? opts->user_agent : "engine/" ENGINE_VERSION);
	pthread_mutex_init(&c->lock, NULL);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_locks[i], NULL);
	c->share = curl_share_init();
	if (c->user_agent == NULL || c->share == NULL ||
	    (opts && opts->auth_file && !c->auth_file) ||
	    (opts && opts->docker_config && !c->docker_config)) {
		storage_registry_close(c);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*ret = c;
	return 0;
}

void storage_registry_close(struct storage_registry *c)
{
	if (c == NULL)
		return;
	if (c->share != NULL)
		curl_share_cleanup(c->share);
	for (struct cached_auth *a = c->auths, *n; a; a = n) {
		n = a->next;
		free(a->host);
		free(a->scope);
		free(a->header);
		free(a);
	}
	for (struct plain_host *p = c->plain_hosts, *n; p; p = n) {
		n = p->next;
		free(p->host);
		free(p);
	}
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c->share_locks[i]);
	pthread_mutex_destroy(&c->lock);
	free(c->auth_file);
	free(c->docker_config);
	free(c->user_agent);
	free(c);
}

/* ----------------------------------------------- a registry request */

/* GET PATH on REF's registry: https (or plain http for insecure registries
 * that do not speak TLS), authenticating on a 401 once, following
 * redirects.  0 with the final response in t->resp; negative on transport
 * errors, *ret_code saying what curl saw. */
static int registry_get(struct storage_registry *c, CURL *curl, struct transfer *t,
			const struct storage_reference *ref, const char *path,
			const char *accept, int64_t range_start, char *errbuf,
			CURLcode *ret_code, struct engine_error **err)
{
	const char *api_host = storage_reference_api_host(ref->registry);
	cleanup_free char *scope = NULL;
	if (asprintf(&scope, "repository:%s:pull", ref->repository) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	bool authenticated = false, fell_back = false;
	for (;;) {
		bool plain = is_plain_host(c, api_host);
		cleanup_free char *url = NULL, *auth = NULL, *auth_line = NULL;
		if (asprintf(&url, "%s://%s%s", plain ? "http" : "https", api_host, path) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		auth = storage_registry_cached_auth(c, api_host, scope);
		if (auth != NULL && asprintf(&auth_line, "Authorization: %s", auth) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		struct http_request req = { .url = url,
				       .auth_header = auth_line,
				       .accept = accept,
				       .range_start = range_start };
		struct engine_error *ferr = NULL;
		int r = storage_http_follow(c, curl, t, &req, errbuf, ret_code, &ferr);
		if (r < 0 && !plain && !fell_back && t->hops == 0 &&
		    storage_registry_tls_or_connect_error(*ret_code) && insecure_allowed(c, api_host)) {
			engine_debug("registry: %s: https failed (%s); trying plain http", api_host,
				     ferr->msg);
			engine_error_free(&ferr);
			remember_plain_host(c, api_host);
			fell_back = true;
			continue;
		}
		if (r < 0) {
			if (!plain && !insecure_allowed(c, api_host) && ferr != NULL &&
			    (*ret_code == CURLE_PEER_FAILED_VERIFICATION ||
			     *ret_code == CURLE_SSL_CONNECT_ERROR))
				engine_error_setting(err, "tls-verify", ferr->status,
						 "%s (for a registry without valid TLS, use "
						 "tls-verify=false or mark it insecure in "
						 "registries.conf)",
						 ferr->msg);
			else if (err != NULL && *err == NULL)
				*err = steal_pointer(&ferr);
			engine_error_free(&ferr);
			return r;
		}
		if (t->resp.status == 401 && t->hops == 0 && !authenticated) {
			authenticated = true;
			cleanup_free char *ctx = NULL;
			if (asprintf(&ctx, "%s: %s", t->name, t->what) < 0)
				return engine_error_set(err, ENOMEM, "out of memory");
			r = storage_registry_authenticate(c, ref, ctx, api_host, scope,
							  t->resp.challenges, t->resp.n_challenges,
							  NULL, NULL, err);
			if (r < 0)
				return r;
			continue;
		}
		return 0;
	}
}

/* REF checked, and its "registry/repository" in *RET_NAME for messages. */
static int ref_name(const struct storage_reference *ref, char **ret_name, struct engine_error **err)
{
	if (ref == NULL || !storage_reference_valid_registry(ref->registry) ||
	    !storage_reference_valid_repository(ref->repository))
		return engine_error_set(err, EINVAL, "invalid registry or repository name");
	if (storage_reference_name(ref, ret_name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

/* --------------------------------------------------------- manifest */

static int manifest_on_data(struct transfer *t, const char *buf, size_t len)
{
	int r = storage_http_buffer_append(t->data, buf, len);
	if (r == -EFBIG)
		return engine_error_set(&t->err, EFBIG, "%s: %s: larger than %u bytes", t->name,
					t->what, STORAGE_MANIFEST_MAX);
	if (r < 0)
		return engine_error_set(&t->err, -r, "out of memory");
	return 0;
}

int storage_registry_get_manifest(struct storage_registry *c,
				  const struct storage_reference *ref, const char *tag_or_digest,
				  char **ret_buf, size_t *ret_len, char **ret_media_type,
				  char ret_digest[STORAGE_DIGEST_MAX], struct engine_error **err)
{
	cleanup_free char *name = NULL, *what = NULL, *path = NULL;
	int r = ref_name(ref, &name, err);
	if (r < 0)
		return r;
	bool by_digest = tag_or_digest != NULL && strchr(tag_or_digest, ':') != NULL;
	if (by_digest) {
		r = storage_digest_validate(tag_or_digest, err);
		if (r < 0)
			return engine_error_prefix(err, "%s: manifest", name);
	} else if (!storage_reference_valid_tag(tag_or_digest)) {
		return engine_error_set(err, EINVAL, "%s: invalid tag \"%.140s\"", name,
					tag_or_digest ? tag_or_digest : "");
	}
	if (asprintf(&what, "manifest %s", tag_or_digest) < 0 ||
	    asprintf(&path, "/v2/%s/manifests/%s", ref->repository, tag_or_digest) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");

	struct buffer body = { .max = STORAGE_MANIFEST_MAX };
	struct transfer t;
	char errbuf[CURL_ERROR_SIZE];
	CURL *curl = storage_http_transfer_new(c, &t, name, what, manifest_on_data, &body, errbuf);
	if (curl == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	CURLcode code;
	r = registry_get(c, curl, &t, ref, path, manifest_accept, -1, errbuf, &code, err);
	curl_easy_cleanup(curl);
	if (r == 0 && t.resp.status != 200)
		r = storage_http_status_error(&t, err);
	char media_type[256] = "";
	if (r == 0 && t.resp.content_type != NULL) {
		size_t n = strcspn(t.resp.content_type, "; \t");
		if (n < sizeof(media_type))
			snprintf(media_type, sizeof(media_type), "%.*s", (int)n, t.resp.content_type);
	}
	storage_http_transfer_clear(&t);
	if (r < 0) {
		free(body.data);
		return r;
	}
	if (body.data == NULL && storage_http_buffer_append(&body, "", 0) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");

	char algorithm[8] = "sha256", got[STORAGE_DIGEST_MAX];
	if (by_digest)
		storage_digest_algorithm(tag_or_digest, algorithm);
	r = storage_digest_buffer(body.data, body.len, algorithm, got);
	if (r < 0) {
		free(body.data);
		return engine_error_set(err, -r, "%s: %s: hashing failed", name, what);
	}
	if (by_digest && strcmp(got, tag_or_digest) != 0) {
		free(body.data);
		return engine_error_set(err, EBADMSG, "%s: manifest %s: digest mismatch (got %s)",
					name, tag_or_digest, got);
	}
	char *mt = strdup(media_type);
	if (mt == NULL) {
		free(body.data);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret_buf = body.data;
	if (ret_len != NULL)
		*ret_len = body.len;
	if (ret_media_type != NULL)
		*ret_media_type = mt;
	else
		free(mt);
	if (ret_digest != NULL)
		memcpy(ret_digest, got, sizeof(got));
	return 0;
}

/* ------------------------------------------------------------- blob */

struct blob_state {
	struct storage_hasher *hasher;
	storage_blob_sink sink;
	void *userdata;
	int64_t received;
	int64_t expected;
	bool range_requested;
	bool first_chunk_seen;
};

static int size_mismatch(const struct blob_state *b, const char *name, const char *what,
			 struct engine_error **err)
{
	return engine_error_set(err, EBADMSG,
				"%s: %s: size mismatch (got %" PRId64 " bytes, expected %" PRId64 ")", name,
				what, b->received, b->expected);
}

/* "bytes START-END/TOTAL": the START, or -1. */
static int64_t content_range_start(const char *s)
{
	if (s == NULL || strncasecmp(s, "bytes ", 6) != 0)
		return -1;
	s += 6;
	int64_t v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return *s == '-' ? v : -1;
}

static int blob_on_data(struct transfer *t, const char *buf, size_t len)
{
	struct blob_state *b = t->data;
	if (!b->first_chunk_seen) {
		b->first_chunk_seen = true;
		/* The sink has the first bytes already: a 200 to a Range request
		 * would feed them twice. */
		if (b->range_requested && t->resp.status != 206)
			return engine_error_set(&t->err, EPROTO,
						"%s: %s: resuming at byte %" PRId64
						" failed: the server answered %ld, not 206",
						t->name, t->what, b->received, t->resp.status);
		if (b->range_requested && content_range_start(t->resp.content_range) != b->received)
			return engine_error_set(&t->err, EPROTO,
						"%s: %s: resuming at byte %" PRId64
						": the server sent another range",
						t->name, t->what, b->received);
		if (!b->range_requested && t->resp.status != 200)
			return engine_error_set(&t->err, EPROTO, "%s: %s: unexpected status %ld",
						t->name, t->what, t->resp.status);
	}
	if (b->expected >= 0 && (int64_t)len > b->expected - b->received)
		return engine_error_set(&t->err, EFBIG, "%s: %s: more than the expected %" PRId64
					" bytes", t->name, t->what, b->expected);
	if (storage_hasher_update(b->hasher, buf, len) < 0)
		return engine_error_set(&t->err, EIO, "%s: %s: hashing failed", t->name, t->what);
	int r = b->sink(b->userdata, buf, len);
	if (r < 0) {
		if (r < -1)
			return engine_error_errno(&t->err, -r, "%s: %s: write", t->name, t->what);
		return engine_error_set(&t->err, EIO, "%s: %s: the download was aborted", t->name,
					t->what);
	}
	b->received += (int64_t)len;
	return 0;
}

int storage_registry_get_blob(struct storage_registry *c, const struct storage_reference *ref,
			      const char *digest, int64_t expected_size, storage_blob_sink sink,
			      void *userdata, struct engine_error **err)
{
	cleanup_free char *name = NULL, *what = NULL, *path = NULL;
	int r = ref_name(ref, &name, err);
	if (r < 0)
		return r;
	r = storage_digest_validate(digest, err);
	if (r < 0)
		return engine_error_prefix(err, "%s: blob", name);
	if (asprintf(&what, "blob %s", digest) < 0 ||
	    asprintf(&path, "/v2/%s/blobs/%s", ref->repository, digest) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	char algorithm[8];
	storage_digest_algorithm(digest, algorithm);
	struct blob_state b = {
		.hasher = storage_hasher_new(algorithm),
		.sink = sink,
		.userdata = userdata,
		.expected = expected_size < 0 ? -1 : expected_size,
	};
	if (b.hasher == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	struct transfer t;
	char errbuf[CURL_ERROR_SIZE];
	CURL *curl = storage_http_transfer_new(c, &t, name, what, blob_on_data, &b, errbuf);
	if (curl == NULL) {
		storage_hasher_free(b.hasher);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	for (int attempt = 0;; attempt++) {
		struct engine_error *gerr = NULL;
		CURLcode code = CURLE_OK;
		b.range_requested = b.received > 0;
		b.first_chunk_seen = false;
		r = registry_get(c, curl, &t, ref, path, NULL, b.received > 0 ? b.received : -1,
				 errbuf, &code, &gerr);
		bool short_read = r == 0 && (t.resp.status == 200 || t.resp.status == 206) &&
				  b.expected >= 0 && b.received < b.expected;
		if ((r < 0 && storage_http_resumable_error(code)) || short_read) {
			if (attempt < MAX_RESUMES) {
				engine_debug("registry: %s: %s: interrupted after %" PRId64
					     " bytes (%s); resuming",
					     name, what, b.received,
					     gerr ? gerr->msg : "connection closed");
				engine_error_free(&gerr);
				continue;
			}
		}
		if (r < 0) {
			if (err != NULL && *err == NULL)
				*err = steal_pointer(&gerr);
			engine_error_free(&gerr);
		} else if (t.resp.status == 416 && b.range_requested && b.expected >= 0) {
			/* We asked for the rest of a blob that has no rest. */
			r = size_mismatch(&b, name, what, err);
		} else if (t.resp.status != 200 && t.resp.status != 206) {
			r = storage_http_status_error(&t, err);
		} else if (b.expected >= 0 && b.received != b.expected) {
			r = size_mismatch(&b, name, what, err);
		}
		break;
	}
	curl_easy_cleanup(curl);
	storage_http_transfer_clear(&t);
	char got[STORAGE_DIGEST_MAX];
	if (r == 0 && storage_hasher_final(b.hasher, got) < 0)
		r = engine_error_set(err, EIO, "%s: %s: hashing failed", name, what);
	storage_hasher_free(b.hasher);
	if (r < 0)
		return r;
	if (strcmp(got, digest) != 0)
		return engine_error_set(err, EBADMSG, "%s: blob %s: digest mismatch (got %s)", name,
					digest, got);
	return 0;
}

/* --------------------------- lent to registry-http.c and registry-push.c */

bool storage_registry_insecure_allowed(struct storage_registry *c, const char *hostport)
{
	return insecure_allowed(c, hostport);
}

bool storage_registry_plain_host(struct storage_registry *c, const char *host, bool remember)
{
	if (remember)
		remember_plain_host(c, host);
	return is_plain_host(c, host);
}
