/* registry-push.c: the write side of the distribution API (blob existence,
 * cross-repository mount, upload, manifest PUT) and the credential check
 * behind `login`.
 *
 * The pull side (registry.c) follows redirects itself because blob
 * downloads are redirected to storage hosts; uploads are not redirected by
 * any registry we know, and a redirected request with a body could not be
 * replayed from a pipe anyway, so here a 3xx is simply an unexpected
 * answer (except to a HEAD, see blob_exists).  Everything else is shared
 * with registry.c through registry-internal.h: tokens, the https-to-http
 * fallback for loopback and --tls-verify=false registries, and the rule that
 * Authorization only goes to the registry's own host. */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/registry-internal.h"
#include "storage/registry-push.h"

#define ERROR_BODY_MAX (16u << 10)
#define MAX_CHALLENGES 4

struct request {
	const char *method; /* HEAD, GET, POST, PATCH, PUT */
	const char *url;    /* absolute (an upload's Location), or NULL for PATH */
	const char *path;   /* "/v2/..." on the registry's API host */
	const char *what;   /* for messages: "blob sha256:...", "manifest latest" */
	const char *content_type;
	const char *content_range;
	bool upload;        /* PUT/PATCH with a body (possibly empty) */
	const char *body;   /* the body in memory ... */
	size_t body_len;
	int body_fd;        /* ... or read from this file at offset 0 */
	int64_t fd_len;
	const long *expect; /* accepted statuses, 0-terminated */
	const char *user, *password; /* login: the credentials to check */
};

struct xfer {
	long status;
	char reason[64];
	char *location;
	char *challenges[MAX_CHALLENGES];
	size_t n_challenges;
	char body[ERROR_BODY_MAX];
	size_t body_len;
	const struct request *req;
	int64_t offset; /* upload position */
	int read_errno;
};

static void xfer_reset(struct xfer *x, const struct request *req)
{
	free(x->location);
	for (size_t i = 0; i < x->n_challenges; i++)
		free(x->challenges[i]);
	x->location = NULL;
	x->n_challenges = 0;
	x->status = 0;
	x->reason[0] = '\0';
	x->body_len = 0;
	x->req = req;
	x->offset = 0;
	x->read_errno = 0;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *data)
{
	struct xfer *x = data;
	size_t len = size * nitems;
	if (len > 5 && memcmp(buf, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue): forget the last. */
		const struct request *req = x->req;
		int64_t offset = x->offset;
		xfer_reset(x, req);
		x->offset = offset;
		const char *p = memchr(buf, ' ', len), *end = buf + len;
		for (p = p ? p + 1 : end; p < end && *p >= '0' && *p <= '9' && x->status < 1000; p++)
			x->status = x->status * 10 + (*p - '0');
		if (p < end && *p == ' ')
			p++;
		size_t n = 0;
		while (p + n < end && n < sizeof(x->reason) - 1 && (unsigned char)p[n] >= 0x20)
			x->reason[n] = p[n], n++;
		x->reason[n] = '\0';
		return len;
	}
	size_t nlen, vlen;
	const char *v;
	if (!storage_http_header_field(buf, len, &nlen, &v, &vlen))
		return len;
	if (nlen == 8 && strncasecmp(buf, "Location", 8) == 0) {
		free(x->location);
		x->location = strndup(v, vlen);
	} else if (nlen == 16 && strncasecmp(buf, "WWW-Authenticate", 16) == 0 &&
		   x->n_challenges < MAX_CHALLENGES) {
		char *c = strndup(v, vlen);
		if (c != NULL)
			x->challenges[x->n_challenges++] = c;
	}
	return len;
}

/* Bodies of answers are only read for error messages: keep a bounded start. */
static size_t on_write(char *buf, size_t size, size_t nitems, void *data)
{
	struct xfer *x = data;
	size_t len = size * nitems, room = sizeof(x->body) - x->body_len;
	memcpy(x->body + x->body_len, buf, len < room ? len : room);
	x->body_len += len < room ? len : room;
	return len;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *data)
{
	struct xfer *x = data;
	const struct request *req = x->req;
	size_t want = size * nitems;
	if (req->body != NULL || req->body_fd < 0) {
		size_t left = req->body_len - (size_t)x->offset;
		size_t n = want < left ? want : left;
		memcpy(buf, req->body + x->offset, n);
		x->offset += (int64_t)n;
		return n;
	}
	int64_t left = req->fd_len - x->offset;
	if (left <= 0)
		return 0;
	for (;;) {
		ssize_t n = pread(req->body_fd, buf, (size_t)left < want ? (size_t)left : want, x->offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			x->read_errno = n < 0 ? errno : EIO; /* the file shrank */
			return CURL_READFUNC_ABORT;
		}
		x->offset += n;
		return (size_t)n;
	}
}

/* "host:port" of URL (default port filled in), lowercased by curl. */
static int authority(const char *url, char *out, size_t size)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int r = -EINVAL;
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		snprintf(out, size, "%s:%s", host, port);
		for (char *p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		r = 0;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return r;
}

static char *resolve(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *s = NULL, *ret = NULL;
	if (u != NULL && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		ret = strdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return ret;
}

static bool expected(const struct request *req, long status)
{
	for (const long *e = req->expect; *e != 0; e++)
		if (*e == status)
			return true;
	return false;
}

/* One request: https first (plain http for insecure registries that do not
 * speak TLS), authenticating on a 401 once.  0 with *ret_status (and the
 * resolved Location in *ret_location, when asked) for an expected status;
 * an error naming NAME and REQ->what otherwise. */
static int request(struct storage_registry *c, const struct storage_reference *ref,
		   const char *name, const char *scope, const struct request *req, long *ret_status,
		   char **ret_location, struct engine_error **err)
{
	const char *api_host = storage_reference_api_host(ref->registry);
	struct xfer *x = calloc(1, sizeof(*x));
	CURL *curl = curl_easy_init();
	int rc = -1;
	bool authenticated = false, fell_back = false;
	if (x == NULL || curl == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		bool plain = storage_registry_plain_host(c, api_host, false);
		cleanup_free char *url = NULL, *base = NULL, *auth = NULL, *auth_line = NULL;
		if (asprintf(&base, "%s://%s/", plain ? "http" : "https", api_host) < 0 ||
		    (url = req->url ? strdup(req->url) : NULL, req->url == NULL &&
		     asprintf(&url, "%s://%s%s", plain ? "http" : "https", api_host, req->path) < 0) ||
		    url == NULL) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		char want[300], got[300];
		if (authority(base, want, sizeof(want)) < 0 || authority(url, got, sizeof(got)) < 0) {
			engine_error_set(err, EINVAL, "%s: %s: invalid URL %.200s", name, req->what, url);
			goto out;
		}
		/* Credentials only for the registry itself. */
		if (strcmp(want, got) == 0 && (auth = storage_registry_cached_auth(c, api_host, scope)) &&
		    asprintf(&auth_line, "Authorization: %s", auth) < 0) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		struct curl_slist *headers = NULL, *h;
		char ct[300] = "", cr[80] = "";
		if (req->content_type)
			snprintf(ct, sizeof(ct), "Content-Type: %s", req->content_type);
		if (req->content_range)
			snprintf(cr, sizeof(cr), "Content-Range: %s", req->content_range);
		const char *lines[] = { "Expect:", ct[0] ? ct : NULL, cr[0] ? cr : NULL, auth_line };
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			if (lines[i] == NULL)
				continue;
			if ((h = curl_slist_append(headers, lines[i])) == NULL) {
				curl_slist_free_all(headers);
				engine_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			headers = h;
		}
		curl_easy_reset(curl);
		storage_registry_easy_setup(c, curl);
		char errbuf[CURL_ERROR_SIZE] = "";
		char hostport[300];
		snprintf(hostport, sizeof(hostport), "%s", got);
		long verify = storage_registry_insecure_allowed(c, hostport) ? 0L : 1L;
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, verify);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
		curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(curl, CURLOPT_HEADERDATA, x);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, x);
		if (strcmp(req->method, "HEAD") == 0) {
			curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
		} else if (strcmp(req->method, "POST") == 0) {
			curl_easy_setopt(curl, CURLOPT_POST, 1L);
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
			curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
		} else if (req->upload) {
			curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(curl, CURLOPT_READDATA, x);
			curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
					 (curl_off_t)(req->body != NULL || req->body_fd < 0 ? (int64_t)req->body_len
											      : req->fd_len));
			if (strcmp(req->method, "PUT") != 0)
				curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
		}
		xfer_reset(x, req);
		engine_debug("registry: %s %s", req->method, url);
		CURLcode code = curl_easy_perform(curl);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(headers);
		if (code != CURLE_OK && x->status == 0) {
			if (!plain && !fell_back && req->url == NULL &&
			    storage_registry_tls_or_connect_error(code) &&
			    storage_registry_insecure_allowed(c, api_host)) {
				engine_debug("registry: %s: https failed (%s); trying plain http", api_host,
					     errbuf[0] ? errbuf : curl_easy_strerror(code));
				storage_registry_plain_host(c, api_host, true);
				fell_back = true;
				continue;
			}
			if (x->read_errno != 0)
				engine_error_errno(err, x->read_errno, "%s: %s: read", name, req->what);
			else
				engine_error_set(err, EIO, "%s: %s: %s %s: %s", name, req->what, req->method,
						 url, errbuf[0] ? errbuf : curl_easy_strerror(code));
			goto out;
		}
		if (x->status == 401 && !authenticated && !expected(req, 401)) {
			authenticated = true;
			cleanup_free char *ctx = NULL;
			if (asprintf(&ctx, "%s: %s", name, req->what) < 0) {
				engine_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			if (storage_registry_authenticate(c, ref, ctx, api_host, scope, x->challenges,
							  x->n_challenges, req->user, req->password, err) < 0)
				goto out;
			continue;
		}
		if (!expected(req, x->status)) {
			storage_registry_status_error(name, req->what, x->status, x->reason, x->body,
						      x->body_len, err);
			goto out;
		}
		if (ret_location != NULL) {
			*ret_location = x->location ? resolve(url, x->location) : NULL;
			if (x->location != NULL && *ret_location == NULL) {
				engine_error_set(err, EPROTO, "%s: %s: invalid Location", name, req->what);
				goto out;
			}
		}
		*ret_status = x->status;
		rc = 0;
		goto out;
	}
out:
	if (x != NULL)
		xfer_reset(x, NULL);
	free(x);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	return rc;
}

static int setup(const struct storage_reference *ref, const char *digest, char **ret_name,
		 char **ret_scope, struct engine_error **err)
{
	if (ref == NULL || !storage_reference_valid_registry(ref->registry) ||
	    !storage_reference_valid_repository(ref->repository))
		return engine_error_set(err, EINVAL, "invalid registry or repository name");
	if (storage_reference_name(ref, ret_name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (digest != NULL && storage_digest_validate(digest, err) < 0)
		return engine_error_prefix(err, "%s: blob", *ret_name);
	if (asprintf(ret_scope, "repository:%s:pull,push", ref->repository) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

static int blob_exists(struct storage_registry *c, const struct storage_reference *ref,
		       const char *name, const char *scope, const char *digest, const char *what,
		       struct engine_error **err)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "/v2/%s/blobs/%s", ref->repository, digest) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	/* A registry backed by object storage answers a HEAD for a blob it
	 * has with a redirect to it. */
	static const long ok[] = { 200, 404, 307, 302, 0 };
	struct request req = { .method = "HEAD", .path = path, .what = what, .body_fd = -1,
			       .expect = ok };
	long status;
	if (request(c, ref, name, scope, &req, &status, NULL, err) < 0)
		return -1;
	return status == 404 ? 0 : 1;
}

int storage_registry_blob_exists(struct storage_registry *c, const struct storage_reference *ref,
				 const char *digest, struct engine_error **err)
{
	cleanup_free char *name = NULL, *scope = NULL, *what = NULL;
	if (setup(ref, digest, &name, &scope, err) < 0)
		return -1;
	if (asprintf(&what, "blob %s", digest) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return blob_exists(c, ref, name, scope, digest, what, err);
}

/* LOCATION with "digest=DIGEST" added to its query. */
static char *with_digest(const char *location, const char *digest)
{
	char *s = NULL;
	char *esc = curl_easy_escape(NULL, digest, 0);
	if (esc == NULL)
		return NULL;
	if (asprintf(&s, "%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?", esc) < 0)
		s = NULL;
	curl_free(esc);
	return s;
}

int storage_registry_push_blob(struct storage_registry *c, const struct storage_reference *ref,
			       const char *digest, int64_t size, int fd, const void *buf,
			       const char *from_repository, enum storage_push_outcome *ret_outcome,
			       struct engine_error **err)
{
	cleanup_free char *name = NULL, *scope = NULL, *what = NULL, *path = NULL;
	cleanup_free char *location = NULL;
	if (setup(ref, digest, &name, &scope, err) < 0)
		return -1;
	if (asprintf(&what, "blob %s", digest) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	int r = blob_exists(c, ref, name, scope, digest, what, err);
	if (r != 0) {
		if (r > 0)
			*ret_outcome = STORAGE_PUSH_EXISTED;
		return r < 0 ? r : 0;
	}
	long status = 0;
	if (from_repository != NULL && storage_reference_valid_repository(from_repository) &&
	    strcmp(from_repository, ref->repository) != 0) {
		/* 201: mounted.  202: the registry would not (no access to the
		 * source, or no such blob there) and opened an upload instead. */
		cleanup_free char *esc = curl_easy_escape(NULL, digest, 0);
		cleanup_free char *mount_scope = NULL;
		if (esc == NULL ||
		    asprintf(&path, "/v2/%s/blobs/uploads/?mount=%s&from=%s", ref->repository, esc,
			     from_repository) < 0 ||
		    asprintf(&mount_scope, "%s repository:%s:pull", scope, from_repository) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		static const long ok[] = { 201, 202, 0 };
		struct request req = { .method = "POST", .path = path, .what = what, .body_fd = -1,
				       .expect = ok };
		if (request(c, ref, name, mount_scope, &req, &status, &location, err) < 0)
			return -1;
		if (status == 201) {
			*ret_outcome = STORAGE_PUSH_MOUNTED;
			return 0;
		}
	} else {
		if (asprintf(&path, "/v2/%s/blobs/uploads/", ref->repository) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		static const long ok[] = { 202, 0 };
		struct request req = { .method = "POST", .path = path, .what = what, .body_fd = -1,
				       .expect = ok };
		if (request(c, ref, name, scope, &req, &status, &location, err) < 0)
			return -1;
	}
	if (location == NULL)
		return engine_error_set(err, EPROTO, "%s: %s: the registry opened an upload without a Location",
					name, what);
	if (size > 0) {
		/* The bytes in one PATCH (Content-Range as the spec's chunked
		 * upload has it, which also works for registries that only do
		 * streamed uploads), then a PUT with the digest to close. */
		char range[64];
		snprintf(range, sizeof(range), "0-%" PRId64, size - 1);
		static const long ok[] = { 202, 0 };
		struct request req = { .method = "PATCH", .url = location, .what = what,
				       .content_type = "application/octet-stream", .content_range = range,
				       .upload = true, .body = buf, .body_len = (size_t)size, .body_fd = fd,
				       .fd_len = size, .expect = ok };
		if (fd >= 0)
			req.body = NULL;
		char *next = NULL;
		if (request(c, ref, name, scope, &req, &status, &next, err) < 0)
			return -1;
		if (next != NULL) {
			free(location);
			location = next;
		}
	}
	cleanup_free char *final = with_digest(location, digest);
	if (final == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	static const long ok[] = { 201, 204, 0 };
	struct request req = { .method = "PUT", .url = final, .what = what, .upload = true,
			       .body = "", .body_len = 0, .body_fd = -1,
			       .content_type = "application/octet-stream", .expect = ok };
	if (request(c, ref, name, scope, &req, &status, NULL, err) < 0)
		return -1;
	*ret_outcome = STORAGE_PUSH_UPLOADED;
	return 0;
}

int storage_registry_put_manifest(struct storage_registry *c, const struct storage_reference *ref,
				  const char *tag_or_digest, const char *media_type, const char *buf,
				  size_t len, char ret_digest[STORAGE_DIGEST_MAX],
				  struct engine_error **err)
{
	cleanup_free char *name = NULL, *scope = NULL, *what = NULL, *path = NULL;
	if (setup(ref, NULL, &name, &scope, err) < 0)
		return -1;
	if (strchr(tag_or_digest, ':') != NULL ? storage_digest_validate(tag_or_digest, err) < 0
					       : !storage_reference_valid_tag(tag_or_digest))
		return engine_error_set(err, EINVAL, "%s: invalid tag \"%.140s\"", name, tag_or_digest);
	if (asprintf(&what, "manifest %s", tag_or_digest) < 0 ||
	    asprintf(&path, "/v2/%s/manifests/%s", ref->repository, tag_or_digest) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	char digest[STORAGE_DIGEST_MAX];
	if (storage_digest_buffer(buf, len, "sha256", digest) < 0)
		return engine_error_set(err, EIO, "%s: %s: hashing failed", name, what);
	static const long ok[] = { 201, 200, 0 };
	struct request req = { .method = "PUT", .path = path, .what = what, .content_type = media_type,
			       .upload = true, .body = buf, .body_len = len, .body_fd = -1,
			       .expect = ok };
	long status;
	if (request(c, ref, name, scope, &req, &status, NULL, err) < 0)
		return -1;
	memcpy(ret_digest, digest, sizeof(digest));
	return 0;
}

int storage_registry_login(struct storage_registry *c, const char *registry, const char *user,
			   const char *password, struct engine_error **err)
{
	if (!storage_reference_valid_registry(registry))
		return engine_error_set(err, EINVAL, "invalid registry name \"%.200s\"", registry);
	/* Only the registry matters here: the repository is a placeholder
	 * for the shared request code. */
	struct storage_reference ref = { .registry = (char *)registry, .repository = (char *)"x" };
	static const long ok[] = { 200, 0 };
	struct request req = { .method = "GET", .path = "/v2/", .what = "login", .body_fd = -1,
			       .expect = ok, .user = user, .password = password ? password : "" };
	long status;
	struct engine_error *local = NULL;
	if (request(c, &ref, registry, "", &req, &status, NULL, &local) == 0)
		return 0;
	/* A 401 after answering the challenge: the credentials are wrong. */
	if (local->status == EACCES) {
		engine_error_free(&local);
		return engine_error_set(err, EACCES, "login to %s: unauthorized: incorrect username or password",
					registry);
	}
	if (err != NULL && *err == NULL)
		*err = local;
	else
		engine_error_free(&local);
	return engine_error_prefix(err, "login to %s", registry);
}
