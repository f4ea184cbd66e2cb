/* test-registry.c: the registry client against the real local registry
 * (127.0.0.1:5000, set up by tests/setup/host-setup.sh) and against small
 * HTTP servers run by this test on 127.0.0.1, which play the parts a real
 * registry cannot be made to play on demand: a connection dropped mid-blob,
 * a bearer-token challenge, a redirect to a blob-storage host, wrong bytes.
 *
 * Not a pure unit test (meson suite 'registry'): when 127.0.0.1:5000 does
 * not answer, the real-registry cases print "not ok", never skip.  No
 * traffic goes anywhere but 127.0.0.1: proxies are switched off first. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "storage/digest.h"
#include "fixtures.h"
#include "storage/manifest.h"
#include "storage/reference.h"
#include "storage/registry.h"
#include "tap.h"

#define REGISTRY "127.0.0.1:5000"
#define ENV_FILE "/var/lib/engine-test/env"

/* ------------------------------------------------------------ sinks */

struct collect {
	char *data;
	size_t len;
	size_t cap;
	bool keep; /* false: only count */
	struct storage_hasher *hasher;
};

static int collect_sink(void *userdata, const void *buf, size_t len)
{
	struct collect *c = userdata;
	if (c->hasher)
		storage_hasher_update(c->hasher, buf, len);
	if (c->keep) {
		if (c->len + len + 1 > c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			while (cap < c->len + len + 1)
				cap *= 2;
			char *n = realloc(c->data, cap);
			if (n == NULL)
				return -ENOMEM;
			c->data = n;
			c->cap = cap;
		}
		memcpy(c->data + c->len, buf, len);
		c->data[c->len + len] = '\0';
	}
	c->len += len;
	return 0;
}

static void collect_reset(struct collect *c, bool keep)
{
	free(c->data);
	storage_hasher_free(c->hasher);
	*c = (struct collect){ .keep = keep, .hasher = storage_hasher_new("sha256") };
}

/* ----------------------------------------------------- helpers */

static const char *expected_digest(const char *var)
{
	static char line[512];
	const char *env = getenv(var);
	if (env != NULL && env[0] != '\0')
		return env;
	FILE *f = fopen(ENV_FILE, "re");
	if (f == NULL)
		return NULL;
	size_t vl = strlen(var);
	const char *found = NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, var, vl) == 0 && line[vl] == '=') {
			line[strcspn(line, "\r\n")] = '\0';
			found = line + vl + 1;
			break;
		}
	}
	fclose(f);
	return found;
}

static void print_error(struct engine_error **err)
{
	if (*err != NULL)
		printf("#   error: %s\n", (*err)->msg);
	engine_error_free(err);
}

/* ok() when the call failed with a message containing NEEDLE. */
static void fails_with(int rc, struct engine_error **err, const char *needle, const char *name)
{
	int good = rc < 0 && *err != NULL && strstr((*err)->msg, needle) != NULL;
	if (!ok(good, "%s", name))
		printf("#   rc %d, error: %s (wanted \"%s\")\n", rc, *err ? (*err)->msg : "(none)",
		       needle);
	else
		printf("#   %s\n", (*err)->msg);
	engine_error_free(err);
}

static void log_to_tap(int level, const char *msg)
{
	printf("# [%d] %s\n", level, msg);
}

/* ------------------------------------------------ the real registry */

struct image_case {
	const char *tag_ref;
	const char *env_var;
	enum storage_manifest_kind kind; /* UNKNOWN: any manifest kind */
};

static const struct image_case images[] = {
	{ REGISTRY "/busybox:latest", "ENGINE_TEST_DIGEST_BUSYBOX_LATEST", STORAGE_KIND_OCI_MANIFEST },
	{ REGISTRY "/busybox:v2s2", "ENGINE_TEST_DIGEST_BUSYBOX_V2S2", STORAGE_KIND_DOCKER_MANIFEST },
	{ REGISTRY "/busybox:multi", "ENGINE_TEST_DIGEST_BUSYBOX_MULTI", STORAGE_KIND_OCI_INDEX },
	{ REGISTRY "/layered:latest", "ENGINE_TEST_DIGEST_LAYERED_LATEST", STORAGE_KIND_UNKNOWN },
	{ REGISTRY "/debian:bookworm", "ENGINE_TEST_DIGEST_DEBIAN_BOOKWORM", STORAGE_KIND_UNKNOWN },
};

static void test_manifests_by_tag_and_digest(struct storage_registry *client)
{
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		struct storage_reference ref = ref_of(images[i].tag_ref);
		struct engine_error *err = NULL;
		char *buf = NULL, *mt = NULL, digest[STORAGE_DIGEST_MAX] = "";
		size_t len = 0;
		int rc = storage_registry_get_manifest(client, &ref, ref.tag, &buf, &len, &mt, digest,
						       &err);
		if (!ok(rc == 0, "manifest of %s by tag", images[i].tag_ref)) {
			print_error(&err);
			storage_reference_clear(&ref);
			continue;
		}
		const char *want = expected_digest(images[i].env_var);
		if (want != NULL)
			is_str(digest, want, "  its digest is %s's", images[i].env_var);
		enum storage_manifest_kind kind = STORAGE_KIND_UNKNOWN;
		rc = storage_manifest_detect(buf, len, mt, &kind, &err);
		ok(rc == 0 && (images[i].kind == STORAGE_KIND_UNKNOWN || kind == images[i].kind),
		   "  kind %d from Content-Type %s", kind, mt);
		print_error(&err);

		char *buf2 = NULL, *mt2 = NULL, digest2[STORAGE_DIGEST_MAX] = "";
		size_t len2 = 0;
		rc = storage_registry_get_manifest(client, &ref, digest, &buf2, &len2, &mt2, digest2,
						   &err);
		ok(rc == 0 && len2 == len && memcmp(buf, buf2, len) == 0 &&
			   strcmp(digest, digest2) == 0 && strcmp(mt, mt2) == 0,
		   "  the same bytes by digest");
		print_error(&err);
		free(buf);
		free(buf2);
		free(mt);
		free(mt2);
		storage_reference_clear(&ref);
	}
}

/* Fetch and parse the manifest REF names (by tag or digest). */
static int fetch_manifest(struct storage_registry *client, struct storage_reference *ref,
			  const char *what, struct storage_manifest *m)
{
	struct engine_error *err = NULL;
	char *buf = NULL, *mt = NULL, digest[STORAGE_DIGEST_MAX];
	size_t len = 0;
	int rc = storage_registry_get_manifest(client, ref, what, &buf, &len, &mt, digest, &err);
	if (rc == 0)
		rc = storage_manifest_parse(buf, len, mt, m, &err);
	print_error(&err);
	free(buf);
	free(mt);
	return rc;
}

static void test_index_and_blobs(struct storage_registry *client)
{
	struct storage_reference ref = ref_of(REGISTRY "/busybox:multi");
	struct engine_error *err = NULL;
	char *buf = NULL, *mt = NULL, digest[STORAGE_DIGEST_MAX];
	size_t len = 0;
	struct storage_index idx = { 0 };
	int rc = storage_registry_get_manifest(client, &ref, "multi", &buf, &len, &mt, digest, &err);
	if (rc == 0)
		rc = storage_index_parse(buf, len, mt, &idx, &err);
	ok(rc == 0 && idx.n_manifests == 2, "busybox:multi is an index of two");
	print_error(&err);
	free(buf);
	free(mt);

	const struct storage_descriptor *amd64 = NULL, *arm64 = NULL;
	ok(rc == 0 && storage_index_select(&idx, "linux", "amd64", NULL, &amd64, &err) == 0,
	   "select linux/amd64 from busybox:multi");
	print_error(&err);
	const char *latest = expected_digest("ENGINE_TEST_DIGEST_BUSYBOX_LATEST");
	if (amd64 != NULL && latest != NULL)
		is_str(amd64->digest, latest, "  it is busybox:latest");
	ok(rc == 0 && storage_index_select(&idx, "linux", "arm64", NULL, &arm64, &err) == 0 &&
		   arm64 != amd64,
	   "select linux/arm64 (v8 by default)");
	print_error(&err);

	struct storage_manifest m = { 0 };
	rc = amd64 ? fetch_manifest(client, &ref, amd64->digest, &m) : -1;
	ok(rc == 0 && m.n_layers >= 1, "the amd64 manifest, by digest, parses");
	if (rc == 0) {
		struct collect c = { 0 };
		collect_reset(&c, true);
		rc = storage_registry_get_blob(client, &ref, m.config.digest, m.config.size,
					       collect_sink, &c, &err);
		ok(rc == 0 && (int64_t)c.len == m.config.size, "config blob streamed (%zu bytes)",
		   c.len);
		print_error(&err);
		struct storage_image_config cfg = { 0 };
		rc = rc == 0 ? storage_image_config_parse(c.data, c.len, &cfg, &err) : -1;
		ok(rc == 0 && cfg.n_diff_ids == m.n_layers && cfg.architecture &&
			   strcmp(cfg.architecture, "amd64") == 0,
		   "config parses: one diff_id per layer, amd64");
		print_error(&err);
		storage_image_config_clear(&cfg);

		collect_reset(&c, false);
		rc = storage_registry_get_blob(client, &ref, m.layers[0].digest, m.layers[0].size,
					       collect_sink, &c, &err);
		char got[STORAGE_DIGEST_MAX] = "";
		storage_hasher_final(c.hasher, got);
		ok(rc == 0 && (int64_t)c.len == m.layers[0].size &&
			   strcmp(got, m.layers[0].digest) == 0,
		   "layer blob streamed (%zu bytes), the sink saw every byte once", c.len);
		print_error(&err);

		/* Wrong sizes and unknown digests. */
		collect_reset(&c, false);
		rc = storage_registry_get_blob(client, &ref, m.layers[0].digest, 1000, collect_sink,
					       &c, &err);
		fails_with(rc, &err, "more than the expected 1000 bytes",
			   "a blob larger than its descriptor says is cut off");
		ok(c.len <= 1000, "  the sink got no more than 1000 bytes");
		collect_reset(&c, false);
		rc = storage_registry_get_blob(client, &ref, m.config.digest, m.config.size + 10,
					       collect_sink, &c, &err);
		fails_with(rc, &err, "size mismatch", "a blob shorter than expected fails");
		collect_reset(&c, false);
		const char *missing =
			"sha256:0000000000000000000000000000000000000000000000000000000000000000";
		rc = storage_registry_get_blob(client, &ref, missing, 10, collect_sink, &c, &err);
		fails_with(rc, &err,
			   "127.0.0.1:5000/busybox: blob sha256:0000000000000000000000000000000000000000"
			   "000000000000000000000000: 404 Not Found (BLOB_UNKNOWN",
			   "an unknown blob: 404 naming registry, repository and digest");
		rc = storage_registry_get_blob(client, &ref, "sha256:../../x", 10, collect_sink, &c,
					       &err);
		fails_with(rc, &err, "invalid digest", "an invalid digest never becomes a URL");
		collect_reset(&c, false);
		free(c.data);
		storage_hasher_free(c.hasher);
	}
	storage_manifest_clear(&m);
	if (arm64 != NULL) {
		rc = fetch_manifest(client, &ref, arm64->digest, &m);
		ok(rc == 0, "the arm64 manifest, by digest, parses");
		storage_manifest_clear(&m);
	}
	storage_index_clear(&idx);
	storage_reference_clear(&ref);
}

static void test_errors(struct storage_registry *client)
{
	struct storage_reference ref = ref_of(REGISTRY "/busybox:nope");
	struct engine_error *err = NULL;
	char *buf = NULL, *mt = NULL, digest[STORAGE_DIGEST_MAX];
	size_t len = 0;
	int rc = storage_registry_get_manifest(client, &ref, "nope", &buf, &len, &mt, digest, &err);
	fails_with(rc, &err,
		   "127.0.0.1:5000/busybox: manifest nope: 404 Not Found (MANIFEST_UNKNOWN: manifest "
		   "unknown)",
		   "a missing tag: one clear line");
	storage_reference_clear(&ref);
	ref = ref_of(REGISTRY "/no-such-repository");
	rc = storage_registry_get_manifest(client, &ref, "latest", &buf, &len, &mt, digest, &err);
	fails_with(rc, &err, "127.0.0.1:5000/no-such-repository: manifest latest: 404 Not Found",
		   "a missing repository");
	const char *zero = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	rc = storage_registry_get_manifest(client, &ref, zero, &buf, &len, &mt, digest, &err);
	fails_with(rc, &err, "404", "a missing digest");
	rc = storage_registry_get_manifest(client, &ref, "bad tag", &buf, &len, &mt, digest, &err);
	fails_with(rc, &err, "invalid tag", "an invalid tag never becomes a URL");
	storage_reference_clear(&ref);
}

/* Several threads share one client, as layer downloads do. */
struct thread_job {
	struct storage_registry *client;
	struct storage_reference *ref;
	const struct storage_descriptor *layer;
	int rc;
	char msg[512];
	struct collect c;
};

static void *download_thread(void *arg)
{
	struct thread_job *j = arg;
	struct engine_error *err = NULL;
	collect_reset(&j->c, false);
	j->rc = storage_registry_get_blob(j->client, j->ref, j->layer->digest, j->layer->size,
					  collect_sink, &j->c, &err);
	if (err)
		snprintf(j->msg, sizeof(j->msg), "%s", err->msg);
	engine_error_free(&err);
	return NULL;
}

static void test_threads(struct storage_registry *client)
{
	struct storage_reference ref = ref_of(REGISTRY "/layered:latest");
	struct storage_manifest m = { 0 };
	int rc = fetch_manifest(client, &ref, "latest", &m);
	ok(rc == 0 && m.n_layers == 3, "layered:latest has three layers");
	if (rc == 0) {
		struct thread_job jobs[6];
		pthread_t threads[6];
		size_t n = m.n_layers * 2;
		for (size_t i = 0; i < n; i++) {
			jobs[i] = (struct thread_job){ .client = client,
						       .ref = &ref,
						       .layer = &m.layers[i % m.n_layers] };
			pthread_create(&threads[i], NULL, download_thread, &jobs[i]);
		}
		int good = 0;
		for (size_t i = 0; i < n; i++) {
			pthread_join(threads[i], NULL);
			if (jobs[i].rc == 0 && (int64_t)jobs[i].c.len == jobs[i].layer->size)
				good++;
			else
				printf("#   thread %zu: %s\n", i, jobs[i].msg);
			free(jobs[i].c.data);
			storage_hasher_free(jobs[i].c.hasher);
		}
		is_int(good, (int)n, "%zu concurrent layer downloads on one client", n);
	}
	storage_manifest_clear(&m);
	storage_reference_clear(&ref);
}

/* --------------------------------------------- in-test HTTP servers */

#define BLOB_SIZE (200 * 1024)

static char *blob;          /* BLOB_SIZE bytes of a pattern */
static char blob_digest[STORAGE_DIGEST_MAX];
static char other_digest[STORAGE_DIGEST_MAX]; /* what the "bad" routes claim */
static char manifest_digest[STORAGE_DIGEST_MAX];
static const char *manifest_body =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
	"\"sha256:1bdef5d4e5f70968b5ddbf4a4e61ff22a746f63fb501f91751875a27d71dd2c3\",\"size\":400},"
	"\"layers\":[]}";

struct server {
	int fd;
	int port;
	pthread_t thread;
	int stop; /* __atomic */
	pthread_mutex_t lock;
	/* what it saw */
	int tls_hellos;
	int requests;
	int blob_requests;
	int token_requests;
	int auth_headers; /* requests that carried Authorization */
	char last_token_query[2048];
	char last_token_auth[512];
	char last_range[64];
};

static struct server server_a, server_b;

struct http_request {
	char method[8];
	char path[1024];
	char auth[512];
	long long range; /* -1: none */
};

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void respond(int fd, const char *status, const char *headers, const char *body,
		    size_t len)
{
	char head[2048];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
			 len, headers ? headers : "");
	send_all(fd, head, (size_t)n);
	if (len > 0)
		send_all(fd, body, len);
}

static int read_request(struct server *s, int fd, struct http_request *rq)
{
	char buf[8192];
	size_t len = 0;
	for (;;) {
		ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (r <= 0)
			return -1;
		/* A TLS ClientHello (0x16 ...): we only speak plain HTTP, like a
		 * registry without TLS; the client must fall back. */
		if (len == 0 && !(buf[0] >= 'A' && buf[0] <= 'Z')) {
			pthread_mutex_lock(&s->lock);
			s->tls_hellos++;
			pthread_mutex_unlock(&s->lock);
			return -1;
		}
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
		if (len == sizeof(buf) - 1)
			return -1;
	}
	*rq = (struct http_request){ .range = -1 };
	if (sscanf(buf, "%7s %1023s", rq->method, rq->path) != 2)
		return -1;
	for (char *line = strstr(buf, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
		char *h = line + 2;
		size_t hl = strcspn(h, "\r");
		if (strncasecmp(h, "Authorization: ", 15) == 0)
			snprintf(rq->auth, sizeof(rq->auth), "%.*s", (int)(hl - 15), h + 15);
		else if (strncasecmp(h, "Range: bytes=", 13) == 0)
			rq->range = atoll(h + 13);
	}
	return 0;
}

static void challenge(struct server *s, int fd)
{
	char hdr[512];
	snprintf(hdr, sizeof(hdr),
		 "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\",service=\"x\","
		 "scope=\"repository:auth:pull\"\r\nContent-Type: application/json\r\n",
		 s->port);
	const char *body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication "
			   "required\",\"detail\":null}]}";
	respond(fd, "401 Unauthorized", hdr, body, strlen(body));
}

static bool bearer_ok(const struct http_request *rq)
{
	return strcmp(rq->auth, "Bearer good-token") == 0;
}

/* Serve the blob from RANGE, or all of it. */
static void serve_blob_range(int fd, const struct http_request *rq, const char *data, size_t len)
{
	if (rq->range >= 0) {
		char hdr[256];
		snprintf(hdr, sizeof(hdr), "Content-Range: bytes %lld-%zu/%zu\r\n", rq->range,
			 len - 1, len);
		respond(fd, "206 Partial Content", hdr, data + rq->range, len - (size_t)rq->range);
	} else {
		respond(fd, "200 OK", NULL, data, len);
	}
}

/* Headers for the whole blob, then only the first CUT bytes from OFFSET. */
static void serve_then_drop(int fd, const struct http_request *rq, size_t cut)
{
	size_t start = rq->range >= 0 ? (size_t)rq->range : 0;
	char head[512];
	int n;
	if (rq->range >= 0)
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 206 Partial Content\r\nContent-Length: %zu\r\n"
			     "Content-Range: bytes %zu-%d/%d\r\nConnection: close\r\n\r\n",
			     (size_t)BLOB_SIZE - start, start, BLOB_SIZE - 1, BLOB_SIZE);
	else
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
			     BLOB_SIZE);
	send_all(fd, head, (size_t)n);
	if (start + cut > BLOB_SIZE)
		cut = BLOB_SIZE - start;
	send_all(fd, blob + start, cut);
}

static void handle(struct server *s, int fd)
{
	struct http_request rq;
	if (read_request(s, fd, &rq) < 0)
		return;
	pthread_mutex_lock(&s->lock);
	s->requests++;
	if (rq.auth[0] != '\0')
		s->auth_headers++;
	snprintf(s->last_range, sizeof(s->last_range), "%lld", rq.range);
	pthread_mutex_unlock(&s->lock);
	char path[1200];

	/* Server B: blob storage reached by redirect. */
	if (s == &server_b) {
		if (strncmp(rq.path, "/storage/blob", 13) == 0)
			serve_blob_range(fd, &rq, blob, BLOB_SIZE);
		else
			respond(fd, "404 Not Found", NULL, NULL, 0);
		return;
	}
	if (strncmp(rq.path, "/token?", 7) == 0) {
		pthread_mutex_lock(&s->lock);
		s->token_requests++;
		snprintf(s->last_token_query, sizeof(s->last_token_query), "%s", rq.path + 7);
		snprintf(s->last_token_auth, sizeof(s->last_token_auth), "%s", rq.auth);
		pthread_mutex_unlock(&s->lock);
		const char *body = "{\"token\":\"good-token\",\"expires_in\":300}";
		respond(fd, "200 OK", "Content-Type: application/json\r\n", body, strlen(body));
		return;
	}
	snprintf(path, sizeof(path), "/v2/flaky/blobs/%s", blob_digest);
	if (strcmp(rq.path, path) == 0) {
		pthread_mutex_lock(&s->lock);
		int nth = ++s->blob_requests;
		pthread_mutex_unlock(&s->lock);
		if (nth == 1)
			serve_then_drop(fd, &rq, BLOB_SIZE / 2);
		else
			serve_blob_range(fd, &rq, blob, BLOB_SIZE);
		return;
	}
	snprintf(path, sizeof(path), "/v2/always-drops/blobs/%s", blob_digest);
	if (strcmp(rq.path, path) == 0) {
		serve_then_drop(fd, &rq, 1000);
		return;
	}
	snprintf(path, sizeof(path), "/v2/norange/blobs/%s", blob_digest);
	if (strcmp(rq.path, path) == 0) {
		if (rq.range < 0)
			serve_then_drop(fd, &rq, BLOB_SIZE / 2);
		else
			respond(fd, "200 OK", NULL, blob, BLOB_SIZE); /* ignores Range */
		return;
	}
	snprintf(path, sizeof(path), "/v2/bad/blobs/%s", other_digest);
	if (strcmp(rq.path, path) == 0) {
		respond(fd, "200 OK", NULL, blob, BLOB_SIZE);
		return;
	}
	snprintf(path, sizeof(path), "/v2/bad/manifests/%s", other_digest);
	if (strcmp(rq.path, path) == 0) {
		respond(fd, "200 OK", "Content-Type: " STORAGE_MEDIA_OCI_MANIFEST "\r\n",
			manifest_body, strlen(manifest_body));
		return;
	}
	if (strcmp(rq.path, "/v2/auth/manifests/t") == 0) {
		if (!bearer_ok(&rq))
			challenge(s, fd);
		else
			respond(fd, "200 OK", "Content-Type: " STORAGE_MEDIA_OCI_MANIFEST "\r\n",
				manifest_body, strlen(manifest_body));
		return;
	}
	if (strcmp(rq.path, "/v2/basic/manifests/t") == 0) {
		/* base64("user:pa:ss") */
		if (strcmp(rq.auth, "Basic dXNlcjpwYTpzcw==") != 0)
			respond(fd, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"r\"\r\n", NULL,
				0);
		else
			respond(fd, "200 OK", "Content-Type: " STORAGE_MEDIA_OCI_MANIFEST "\r\n",
				manifest_body, strlen(manifest_body));
		return;
	}
	snprintf(path, sizeof(path), "/v2/redir/blobs/%s", blob_digest);
	if (strcmp(rq.path, path) == 0) {
		if (!bearer_ok(&rq)) {
			challenge(s, fd);
			return;
		}
		char hdr[256];
		snprintf(hdr, sizeof(hdr),
			 "Location: http://127.0.0.1:%d/storage/blob?signature=abc\r\n",
			 server_b.port);
		respond(fd, "307 Temporary Redirect", hdr, NULL, 0);
		return;
	}
	snprintf(path, sizeof(path), "/v2/loop/blobs/%s", blob_digest);
	if (strcmp(rq.path, path) == 0) {
		char hdr[256];
		/* A relative Location, back to itself. */
		snprintf(hdr, sizeof(hdr), "Location: /v2/loop/blobs/%s\r\n", blob_digest);
		respond(fd, "302 Found", hdr, NULL, 0);
		return;
	}
	const char *body = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name "
			   "not known to registry\"}]}";
	respond(fd, "404 Not Found", "Content-Type: application/json\r\n", body, strlen(body));
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		if (poll(&p, 1, 100) <= 0)
			continue;
		int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		struct timeval tv = { .tv_sec = 5 };
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		handle(s, c);
		close(c);
	}
	return NULL;
}

static int server_start(struct server *s)
{
	*s = (struct server){ .fd = -1 };
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof(a);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->fd, 16) < 0 || getsockname(s->fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thread, NULL, server_main, s) == 0 ? 0 : -1;
}

static void server_stop(struct server *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->thread, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}

static int server_count(struct server *s, int *field)
{
	pthread_mutex_lock(&s->lock);
	int v = *field;
	pthread_mutex_unlock(&s->lock);
	return v;
}

static struct storage_reference local_ref(const char *repository)
{
	char s[128];
	snprintf(s, sizeof(s), "127.0.0.1:%d/%s", server_a.port, repository);
	return ref_of(s);
}

/* Blob DIGEST of 127.0.0.1:PORT/REPOSITORY is refused with an error that
 * contains WANT; C collects what arrives (its length is the caller's to check). */
static void blob_refused(struct storage_registry *client, const char *repository, const char *digest,
			 struct collect *c, const char *want, const char *what)
{
	struct storage_reference ref = local_ref(repository);
	struct engine_error *err = NULL;
	collect_reset(c, false);
	int rc = storage_registry_get_blob(client, &ref, digest, BLOB_SIZE, collect_sink, c, &err);
	fails_with(rc, &err, want, what);
	storage_reference_clear(&ref);
}

static void test_resume(struct storage_registry *client)
{
	struct storage_reference ref = local_ref("flaky");
	struct engine_error *err = NULL;
	struct collect c = { 0 };
	collect_reset(&c, true);
	int rc = storage_registry_get_blob(client, &ref, blob_digest, BLOB_SIZE, collect_sink, &c,
					   &err);
	ok(rc == 0, "a blob whose connection drops halfway arrives");
	print_error(&err);
	ok(c.len == BLOB_SIZE && memcmp(c.data, blob, BLOB_SIZE) == 0,
	   "  whole, each byte once, in order");
	is_int(server_count(&server_a, &server_a.blob_requests), 2, "  in two requests");
	char want_range[32];
	snprintf(want_range, sizeof(want_range), "%d", BLOB_SIZE / 2);
	is_str(server_a.last_range, want_range, "  the second asked for bytes=%d-", BLOB_SIZE / 2);
	is_int(server_count(&server_a, &server_a.tls_hellos), 1,
	       "  https was tried once, then plain http remembered for the host");
	storage_reference_clear(&ref);

	blob_refused(client, "norange", blob_digest, &c, "not 206",
		     "a 200 answer to a Range request is an error");
	blob_refused(client, "always-drops", blob_digest, &c, "blob sha256:",
		     "a connection that keeps dropping: give up");
	is_int(c.len, 6000, "  after the first try and 5 resumes");

	char want[400];
	snprintf(want, sizeof(want), "blob %s: digest mismatch (got %s)", other_digest, blob_digest);
	blob_refused(client, "bad", other_digest, &c, want,
		     "wrong bytes for a blob: digest mismatch naming both");
	ref = local_ref("bad");
	char *buf = NULL, *mt = NULL, digest[STORAGE_DIGEST_MAX];
	size_t len;
	rc = storage_registry_get_manifest(client, &ref, other_digest, &buf, &len, &mt, digest, &err);
	snprintf(want, sizeof(want), "manifest %s: digest mismatch (got %s)", other_digest,
		 manifest_digest);
	fails_with(rc, &err, want, "wrong bytes for a manifest by digest: mismatch naming both");
	storage_reference_clear(&ref);
	free(c.data);
	storage_hasher_free(c.hasher);
}

static void test_bearer_and_redirect(struct storage_registry *client)
{
	struct storage_reference ref = local_ref("auth");
	struct engine_error *err = NULL;
	char *buf = NULL, *mt = NULL, digest[STORAGE_DIGEST_MAX];
	size_t len = 0;
	int rc = storage_registry_get_manifest(client, &ref, "t", &buf, &len, &mt, digest, &err);
	ok(rc == 0 && len == strlen(manifest_body), "bearer: 401, token, retry with the token");
	print_error(&err);
	is_str(mt, STORAGE_MEDIA_OCI_MANIFEST, "  media type from Content-Type");
	is_str(digest, manifest_digest, "  digest of the bytes");
	free(buf);
	free(mt);
	is_int(server_count(&server_a, &server_a.token_requests), 1, "  one token request");
	is_str(server_a.last_token_query, "service=x&scope=repository%3Aauth%3Apull",
	       "  with service and scope");
	is_str(server_a.last_token_auth, "", "  anonymously (no credentials)");
	buf = mt = NULL;
	rc = storage_registry_get_manifest(client, &ref, "t", &buf, &len, &mt, digest, &err);
	ok(rc == 0, "a second fetch");
	print_error(&err);
	is_int(server_count(&server_a, &server_a.token_requests), 1, "  reuses the cached token");
	free(buf);
	free(mt);
	storage_reference_clear(&ref);

	ref = local_ref("redir");
	struct collect c = { 0 };
	collect_reset(&c, true);
	int auth_before = server_count(&server_a, &server_a.auth_headers);
	rc = storage_registry_get_blob(client, &ref, blob_digest, BLOB_SIZE, collect_sink, &c, &err);
	ok(rc == 0 && c.len == BLOB_SIZE, "a blob redirected to another host:port arrives");
	print_error(&err);
	ok(server_count(&server_a, &server_a.auth_headers) > auth_before,
	   "  the registry got the Authorization header");
	is_int(server_count(&server_b, &server_b.requests), 1, "  the storage host got one request");
	is_int(server_count(&server_b, &server_b.auth_headers), 0,
	       "  and no Authorization header");
	storage_reference_clear(&ref);

	blob_refused(client, "loop", blob_digest, &c, "more than 10 redirects",
		     "a redirect loop stops after 10");

	ref = local_ref("basic");
	rc = storage_registry_get_manifest(client, &ref, "t", &buf, &len, &mt, digest, &err);
	fails_with(rc, &err, "no credentials for 127.0.0.1:",
		   "a Basic challenge without credentials says so");
	storage_reference_clear(&ref);
	free(c.data);
	storage_hasher_free(c.hasher);
}

static void test_credentials(const char *dir)
{
	char auth_file[512], docker_config[512];
	snprintf(auth_file, sizeof(auth_file), "%s/containers/auth.json", dir);
	snprintf(docker_config, sizeof(docker_config), "%s/docker/config.json", dir);
	char host[64];
	snprintf(host, sizeof(host), "127.0.0.1:%d", server_a.port);
	struct engine_error *err = NULL;

	ok(storage_auth_store(auth_file, host, "user", "pa:ss", &err) == 0,
	   "login writes auth.json");
	print_error(&err);
	ok(storage_auth_store(auth_file, "quay.io", "other", "x", &err) == 0, "a second login");
	print_error(&err);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "test \"$(stat -c %%a %s)\" = 600", auth_file);
	ok(system(cmd) == 0, "  auth.json has mode 0600");

	struct storage_registry_options opts = { .tls_verify = true,
						 .auth_file = auth_file,
						 .docker_config = docker_config };
	struct storage_registry *client = NULL;
	storage_registry_open(&opts, &client, &err);
	struct storage_reference ref = local_ref("basic");
	char *buf = NULL, *mt = NULL, digest[STORAGE_DIGEST_MAX];
	size_t len = 0;
	int rc = storage_registry_get_manifest(client, &ref, "t", &buf, &len, &mt, digest, &err);
	ok(rc == 0, "a Basic challenge answered from auth.json (a ':' in the password)");
	print_error(&err);
	free(buf);
	free(mt);
	storage_reference_clear(&ref);

	ref = local_ref("auth");
	buf = mt = NULL;
	rc = storage_registry_get_manifest(client, &ref, "t", &buf, &len, &mt, digest, &err);
	ok(rc == 0, "bearer with credentials");
	print_error(&err);
	is_str(server_a.last_token_auth, "Basic dXNlcjpwYTpzcw==",
	       "  the token request carried them");
	free(buf);
	free(mt);
	storage_reference_clear(&ref);
	storage_registry_close(client);

	ok(storage_auth_remove(auth_file, host, &err) == 0, "logout");
	print_error(&err);
	rc = storage_auth_remove(auth_file, host, &err);
	fails_with(rc, &err, "not logged in", "logout twice");
	rc = storage_auth_store(auth_file, "bad host", "u", "p", &err);
	fails_with(rc, &err, "invalid registry", "login to an invalid registry name");
	rc = storage_auth_store(auth_file, host, "a:b", "p", &err);
	fails_with(rc, &err, "invalid user", "a user name with ':'");

	/* Docker's config.json, with a "https://" key, read after auth.json. */
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/docker && printf '{\"auths\":{\"https://%s\":{\"auth\":"
		 "\"dXNlcjpwYTpzcw==\"}}}' > %s",
		 dir, host, docker_config);
	ok(system(cmd) == 0, "write a Docker config.json");
	storage_registry_open(&opts, &client, &err);
	ref = local_ref("basic");
	buf = mt = NULL;
	rc = storage_registry_get_manifest(client, &ref, "t", &buf, &len, &mt, digest, &err);
	ok(rc == 0, "credentials from config.json under an https:// key");
	print_error(&err);
	free(buf);
	free(mt);
	storage_registry_close(client);

	snprintf(cmd, sizeof(cmd), "printf '{\"auths\":{\"%s\":{\"auth\":\"!!!\"}}}' > %s", host,
		 docker_config);
	ok(system(cmd) == 0, "write a broken config.json");
	storage_registry_open(&opts, &client, &err);
	rc = storage_registry_get_manifest(client, &ref, "t", &buf, &len, &mt, digest, &err);
	fails_with(rc, &err, "not base64", "a broken auth entry is reported, naming the file");
	storage_registry_close(client);
	storage_reference_clear(&ref);
}

int main(void)
{
	/* Nothing may leave 127.0.0.1, whatever proxy the environment names. */
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	setenv("no_proxy", "*", 1);
	setenv("NO_PROXY", "*", 1);
	if (getenv("ENGINE_TEST_DEBUG"))
		engine_log_set_handler(log_to_tap, ENGINE_LOG_DEBUG);

	char dir[] = "/tmp/test-registry-XXXXXX";
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	char auth_file[256], docker_config[256];
	snprintf(auth_file, sizeof(auth_file), "%s/none/auth.json", dir);
	snprintf(docker_config, sizeof(docker_config), "%s/none/config.json", dir);
	struct storage_registry_options opts = { .tls_verify = true,
						 .auth_file = auth_file,
						 .docker_config = docker_config };
	struct storage_registry *client = NULL;
	struct engine_error *err = NULL;
	ok(storage_registry_open(&opts, &client, &err) == 0, "open a client");
	print_error(&err);

	printf("# the real registry on %s\n", REGISTRY);
	test_manifests_by_tag_and_digest(client);
	test_index_and_blobs(client);
	test_errors(client);
	test_threads(client);
	storage_registry_close(client);

	printf("# in-test servers\n");
	blob = malloc(BLOB_SIZE);
	for (size_t i = 0; i < BLOB_SIZE; i++)
		blob[i] = (char)(i * 7 + i / 251);
	storage_digest_buffer(blob, BLOB_SIZE, "sha256", blob_digest);
	storage_digest_buffer("other", 5, "sha256", other_digest);
	storage_digest_buffer(manifest_body, strlen(manifest_body), "sha256", manifest_digest);
	ok(server_start(&server_a) == 0 && server_start(&server_b) == 0,
	   "start two HTTP servers on 127.0.0.1");
	client = NULL;
	storage_registry_open(&opts, &client, &err);
	test_resume(client);
	test_bearer_and_redirect(client);
	storage_registry_close(client);
	test_credentials(dir);
	server_stop(&server_a);
	server_stop(&server_b);
	free(blob);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
