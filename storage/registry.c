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
 * are read only when a registry answers 401. */
#include "registry.h"

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

#include "cleanup.h"
#include "config.h"
#include "manifest.h"
#include "registry-internal.h"

#define MAX_REDIRECTS 10
#define MAX_RESUMES 5
#define TOKEN_MAX (4u << 20)
#define ERROR_BODY_MAX (64u << 10)
#define HEADER_VALUE_MAX (8u << 10)
#define MAX_CHALLENGES 4

static const char manifest_accept[] =
	"Accept: " STORAGE_MEDIA_OCI_MANIFEST ", " STORAGE_MEDIA_OCI_INDEX
	", " STORAGE_MEDIA_DOCKER_MANIFEST ", " STORAGE_MEDIA_DOCKER_LIST;

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

/* ------------------------------------------------------------- small bits */

struct buffer {
	char *data;
	size_t len, cap, max;
};

/* Append, keeping a NUL after the data.  -EFBIG past max. */
static int buffer_append(struct buffer *b, const void *p, size_t n)
{
	if (n > b->max - b->len)
		return -EFBIG;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (d == NULL)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static void buffer_reset(struct buffer *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static time_t now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Make a server-supplied string safe for a one-line message. */
static void one_line(char *s, size_t max)
{
	size_t i;
	for (i = 0; s[i] != '\0' && i < max; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	s[i] = '\0';
}

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

/* "host:port" of a URL's parts, with IPv6 brackets, for insecure_allowed. */
static void join_hostport(const char *host, const char *port, char *out, size_t size)
{
	bool v6 = strchr(host, ':') != NULL && host[0] != '[';
	snprintf(out, size, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
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

/* A copy of the cached Authorization value for HOST and SCOPE, or NULL. */
static char *cached_auth_get(struct storage_registry *c, const char *host, const char *scope)
{
	char *ret = NULL;
	time_t now = now_monotonic();
	pthread_mutex_lock(&c->lock);
	for (struct cached_auth *a = c->auths; a; a = a->next) {
		if (strcmp(a->host, host) != 0 || (a->expires != 0 && a->expires <= now))
			continue;
		if (strcmp(a->scope, scope) == 0 || a->scope[0] == '\0') {
			ret = strdup(a->header);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

static void cached_auth_put(struct storage_registry *c, const char *host, const char *scope,
			    const char *header, time_t expires)
{
	struct cached_auth *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return;
	n->host = strdup(host);
	n->scope = strdup(scope);
	n->header = strdup(header);
	n->expires = expires;
	if (n->host == NULL || n->scope == NULL || n->header == NULL) {
		free(n->host);
		free(n->scope);
		free(n->header);
		free(n);
		return;
	}
	pthread_mutex_lock(&c->lock);
	/* Replace an older entry for the same key (an expired token). */
	for (struct cached_auth **pp = &c->auths; *pp;) {
		struct cached_auth *a = *pp;
		if (strcmp(a->host, host) == 0 && strcmp(a->scope, scope) == 0) {
			*pp = a->next;
			free(a->host);
			free(a->scope);
			free(a->header);
			free(a);
		} else {
			pp = &a->next;
		}
	}
	n->next = c->auths;
	c->auths = n;
	pthread_mutex_unlock(&c->lock);
}

/* --------------------------------------------------------- open and close */

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

/* --------------------------------------------------------- one transfer */

struct response {
	long status;
	char reason[64];
	char *content_type;
	char *location;
	char *content_range;
	char *challenges[MAX_CHALLENGES]; /* WWW-Authenticate values */
	size_t n_challenges;
};

static void response_clear(struct response *r)
{
	free(r->content_type);
	free(r->location);
	free(r->content_range);
	for (size_t i = 0; i < r->n_challenges; i++)
		free(r->challenges[i]);
	*r = (struct response){ 0 };
}

struct transfer {
	const char *name; /* "registry/repository", for messages */
	const char *what; /* "manifest latest", "blob sha256:...", "token" */
	/* Receives a 2xx response's body; returns < 0 to abort, having set err. */
	int (*on_data)(struct transfer *t, const char *buf, size_t len);
	void *data;
	struct response resp;
	struct buffer error_body; /* non-2xx bodies, for the registry's message */
	struct engine_error *err; /* set inside a callback */
	unsigned hops;            /* redirects followed for the final response */
};

static size_t on_header(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * nitems;
	struct response *r = &t->resp;
	/* Each response (a redirect, an interim 100) starts with its status
	 * line: forget what the previous one said. */
	if (len > 5 && memcmp(buf, "HTTP/", 5) == 0) {
		response_clear(r);
		buffer_reset(&t->error_body);
		const char *p = memchr(buf, ' ', len);
		if (p != NULL) {
			long status = 0;
			const char *end = buf + len;
			for (p++; p < end && *p >= '0' && *p <= '9' && status < 1000; p++)
				status = status * 10 + (*p - '0');
			r->status = status;
			if (p < end && *p == ' ')
				p++;
			size_t n = (size_t)(end - p);
			while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
				n--;
			if (n >= sizeof(r->reason))
				n = sizeof(r->reason) - 1;
			memcpy(r->reason, p, n);
			r->reason[n] = '\0';
			one_line(r->reason, sizeof(r->reason));
		}
		return len;
	}
	const char *colon = memchr(buf, ':', len);
	if (colon == NULL)
		return len;
	size_t nlen = (size_t)(colon - buf);
	const char *v = colon + 1, *end = buf + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vlen = (size_t)(end - v);
	if (vlen > HEADER_VALUE_MAX)
		return len; /* no header we use is legitimately this long */
	char **slot = NULL;
	if (nlen == 12 && strncasecmp(buf, "Content-Type", 12) == 0)
		slot = &r->content_type;
	else if (nlen == 8 && strncasecmp(buf, "Location", 8) == 0)
		slot = &r->location;
	else if (nlen == 13 && strncasecmp(buf, "Content-Range", 13) == 0)
		slot = &r->content_range;
	else if (nlen == 16 && strncasecmp(buf, "WWW-Authenticate", 16) == 0 &&
		 r->n_challenges < MAX_CHALLENGES)
		slot = &r->challenges[r->n_challenges++];
	if (slot != NULL) {
		free(*slot);
		*slot = strndup(v, vlen);
	}
	return len;
}

static size_t on_write(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * nitems;
	if (t->resp.status >= 200 && t->resp.status < 300) {
		if (t->on_data != NULL && t->on_data(t, buf, len) < 0)
			return 0; /* makes curl stop with CURLE_WRITE_ERROR */
		return len;
	}
	/* An error page: keep the start for the message, drop the rest. */
	size_t room = t->error_body.max - t->error_body.len;
	(void)buffer_append(&t->error_body, buf, len < room ? len : room);
	return len;
}

static void transfer_init(struct transfer *t, const char *name, const char *what)
{
	*t = (struct transfer){ .name = name, .what = what };
	t->error_body.max = ERROR_BODY_MAX;
}

static void transfer_clear(struct transfer *t)
{
	response_clear(&t->resp);
	free(t->error_body.data);
	engine_error_free(&t->err);
}

/* Move an error raised inside a callback to the caller's. */
static int take_transfer_error(struct transfer *t, struct engine_error **err)
{
	int r = t->err->status ? -t->err->status : -1;
	if (err != NULL && *err == NULL)
		*err = steal_pointer(&t->err);
	else
		engine_error_free(&t->err);
	return r;
}

static CURL *easy_new(struct storage_registry *c, struct transfer *t, char *errbuf)
{
	CURL *curl = curl_easy_init();
	if (curl == NULL)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_SHARE, c->share);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer (under 1 byte/s for a minute) is treated as a
	 * dropped connection, so blob downloads resume instead of hanging. */
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	return curl;
}

/* The lowercased host and the port (default filled in) of URL. */
static int url_authority(const char *url, char **ret_host, char **ret_port, char **ret_scheme)
{
	CURLU *u = curl_url();
	if (u == NULL)
		return -ENOMEM;
	int r = -EINVAL;
	char *host = NULL, *port = NULL, *scheme = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
		for (char *p = host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		*ret_host = strdup(host);
		*ret_port = strdup(port);
		*ret_scheme = strdup(scheme);
		r = 0;
		if (!*ret_host || !*ret_port || !*ret_scheme) {
			free(*ret_host);
			free(*ret_port);
			free(*ret_scheme);
			r = -ENOMEM;
		}
	}
	curl_free(host);
	curl_free(port);
	curl_free(scheme);
	curl_url_cleanup(u);
	return r;
}

/* Resolve LOCATION (absolute or relative) against BASE. */
static int resolve_location(const char *base, const char *location, char **ret)
{
	CURLU *u = curl_url();
	if (u == NULL)
		return -ENOMEM;
	char *s = NULL;
	int r = -EINVAL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
		*ret = strdup(s);
		r = *ret ? 0 : -ENOMEM;
	}
	curl_free(s);
	curl_url_cleanup(u);
	return r;
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Is a failure of this kind one where the server never spoke HTTP to us
 * over TLS (so plain HTTP is worth a try)? */
static bool is_tls_or_connect_error(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_GOT_NOTHING:
		return true;
	default:
		return false;
	}
}

/* A connection that died mid-response: worth resuming a blob. */
static bool is_resumable_error(CURLcode code)
{
	switch (code) {
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

struct request {
	const char *url;         /* where to start */
	const char *auth_header; /* full "Authorization: ..." line, or NULL */
	const char *accept;      /* full "Accept: ..." line, or NULL */
	int64_t range_start;     /* >= 0: ask for bytes range_start- */
};

/* GET REQ->url, following redirects by our rules, until a final response
 * (whatever its status) is in t->resp.  Authorization goes only to the
 * authority REQ->url names.  On a transport failure: negative with *err set
 * and *ret_code saying what curl saw. */
static int follow(struct storage_registry *c, CURL *curl, struct transfer *t,
		  const struct request *req, char *errbuf, CURLcode *ret_code,
		  struct engine_error **err)
{
	cleanup_free char *auth_host = NULL, *auth_port = NULL, *auth_scheme = NULL;
	cleanup_free char *url = strdup(req->url);
	*ret_code = CURLE_OK;
	if (url == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (url_authority(url, &auth_host, &auth_port, &auth_scheme) < 0)
		return engine_error_set(err, EINVAL, "%s: %s: invalid URL %s", t->name, t->what, url);
	for (t->hops = 0;; t->hops++) {
		cleanup_free char *host = NULL, *port = NULL, *scheme = NULL;
		if (url_authority(url, &host, &port, &scheme) < 0)
			return engine_error_set(err, EINVAL, "%s: %s: invalid URL %s", t->name,
						t->what, url);
		bool same = strcmp(host, auth_host) == 0 && strcmp(port, auth_port) == 0 &&
			    strcmp(scheme, auth_scheme) == 0;
		struct curl_slist *headers = NULL, *h;
		char range[64] = "";
		bool oom = false;
		if (req->accept && (h = curl_slist_append(headers, req->accept)) != NULL)
			headers = h;
		else if (req->accept)
			oom = true;
		if (req->range_start >= 0) {
			snprintf(range, sizeof(range), "Range: bytes=%" PRId64 "-", req->range_start);
			if ((h = curl_slist_append(headers, range)) != NULL)
				headers = h;
			else
				oom = true;
		}
		if (same && req->auth_header) {
			if ((h = curl_slist_append(headers, req->auth_header)) != NULL)
				headers = h;
			else
				oom = true;
		}
		if (oom) {
			curl_slist_free_all(headers);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
		/* Loopback registries, those registries.conf marks insecure
		 * (and all, with --tls-verify=false) are Docker's insecure
		 * registries: no certificate check either. */
		char hostport[300];
		join_hostport(host, port, hostport, sizeof(hostport));
		long verify = insecure_allowed(c, hostport) ? 0L : 1L;
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, verify);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
		response_clear(&t->resp);
		buffer_reset(&t->error_body);
		errbuf[0] = '\0';
		engine_debug("registry: GET %s%s%s", url, req->range_start >= 0 ? " " : "",
			     req->range_start >= 0 ? range : "");
		CURLcode code = curl_easy_perform(curl);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(headers);
		if (t->err != NULL)
			return take_transfer_error(t, err);
		/* A response whose status we have is final even if its (error)
		 * body was cut short: the status says more than curl would. */
		if (code != CURLE_OK && t->resp.status >= 300)
			engine_debug("registry: GET %s: %ld, then %s", url, t->resp.status,
				     curl_easy_strerror(code));
		else if (code != CURLE_OK) {
			*ret_code = code;
			one_line(errbuf, CURL_ERROR_SIZE - 1);
			return engine_error_set(err, EIO, "%s: %s: GET %s: %s", t->name, t->what, url,
						errbuf[0] ? errbuf : curl_easy_strerror(code));
		}
		if (!is_redirect(t->resp.status) || t->resp.location == NULL)
			return 0;
		if (t->hops + 1 > MAX_REDIRECTS)
			return engine_error_set(err, ELOOP, "%s: %s: more than %d redirects", t->name,
						t->what, MAX_REDIRECTS);
		cleanup_free char *next = NULL;
		cleanup_free char *nhost = NULL, *nport = NULL, *nscheme = NULL;
		if (resolve_location(url, t->resp.location, &next) < 0 ||
		    url_authority(next, &nhost, &nport, &nscheme) < 0 ||
		    (strcmp(nscheme, "http") != 0 && strcmp(nscheme, "https") != 0)) {
			one_line(t->resp.location, 200);
			return engine_error_set(err, EPROTO, "%s: %s: redirect to an invalid URL \"%s\"",
						t->name, t->what, t->resp.location);
		}
		if (strcmp(scheme, "https") == 0 && strcmp(nscheme, "http") == 0)
			return engine_error_set(err, EPERM,
						"%s: %s: refusing a redirect from https to plain http "
						"(%s)",
						t->name, t->what, next);
		free(url);
		url = steal_pointer(&next);
	}
}

/* The registry's own explanation from a JSON error body, as
 * " (CODE: message; CODE: message)", or "" when there is none. */
static char *registry_error_detail(const struct buffer *body)
{
	if (body->len == 0)
		return strdup("");
	cleanup_json json_t *root = json_loadb(body->data, body->len, 0, NULL);
	json_t *errors = root ? json_object_get(root, "errors") : NULL;
	if (!json_is_array(errors) || json_array_size(errors) == 0)
		return strdup("");
	char out[512];
	size_t used = 0;
	size_t i;
	json_t *e;
	out[0] = '\0';
	json_array_foreach(errors, i, e) {
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (code == NULL && msg == NULL)
			continue;
		int w = snprintf(out + used, sizeof(out) - used, "%s%s%s%.200s", used ? "; " : "",
				 code ? code : "", code && msg ? ": " : "", msg ? msg : "");
		if (w < 0 || (size_t)w >= sizeof(out) - used)
			break;
		used += (size_t)w;
	}
	one_line(out, sizeof(out) - 1);
	char *s = NULL;
	if (asprintf(&s, used ? " (%s)" : "%s", out) < 0)
		return NULL;
	return s;
}

static const char *reason_phrase(const struct response *r)
{
	static const struct {
		long status;
		const char *text;
	} known[] = {
		{ 400, "Bad Request" },	       { 401, "Unauthorized" },
		{ 403, "Forbidden" },	       { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
		{ 416, "Range Not Satisfiable" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i].status == r->status)
			return known[i].text;
	return r->reason;
}

/* The error for a final response that is not what we wanted. */
static int http_status_error(struct transfer *t, struct engine_error **err)
{
	cleanup_free char *detail = registry_error_detail(&t->error_body);
	long s = t->resp.status;
	int e = s == 404 ? ENOENT : (s == 401 || s == 403) ? EACCES : EIO;
	const char *reason = reason_phrase(&t->resp);
	return engine_error_set(err, e, "%s: %s: %ld%s%s%s", t->name, t->what, s,
				reason[0] ? " " : "", reason, detail ? detail : "");
}

/* ----------------------------------------------------------- auth challenge */

struct challenge {
	char scheme[16]; /* "bearer", "basic" */
	char *realm, *service;
};

static void challenge_clear(struct challenge *ch)
{
	free(ch->realm);
	free(ch->service);
	*ch = (struct challenge){ 0 };
}

/* Parse `Bearer realm="...",service="...",scope="..."` (RFC 7235
 * auth-params: token=token / token=quoted-string). */
static int parse_challenge(const char *s, struct challenge *ch)
{
	*ch = (struct challenge){ 0 };
	size_t n = strcspn(s, " \t");
	if (n == 0 || n >= sizeof(ch->scheme))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		ch->scheme[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	const char *p = s + n;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		const char *name = p;
		while (*p && *p != '=' && *p != ' ' && *p != ',')
			p++;
		size_t nlen = (size_t)(p - name);
		if (*p != '=')
			return -EINVAL;
		p++;
		char value[HEADER_VALUE_MAX + 1];
		size_t vlen = 0;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (vlen < HEADER_VALUE_MAX)
					value[vlen++] = *p;
			}
			if (*p != '"')
				return -EINVAL;
			p++;
		} else {
			while (*p && *p != ',' && *p != ' ' && vlen < HEADER_VALUE_MAX)
				value[vlen++] = *p++;
		}
		value[vlen] = '\0';
		char **slot = NULL;
		if (nlen == 5 && strncasecmp(name, "realm", 5) == 0)
			slot = &ch->realm;
		else if (nlen == 7 && strncasecmp(name, "service", 7) == 0)
			slot = &ch->service;
		if (slot != NULL) {
			free(*slot);
			if ((*slot = strdup(value)) == NULL)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The first Bearer and the first Basic challenge among a response's
 * WWW-Authenticate values; the others are ignored. */
static void pick_challenges(char *const *values, size_t n, struct challenge *bearer,
			    struct challenge *basic)
{
	for (size_t i = 0; i < n; i++) {
		struct challenge ch;
		if (parse_challenge(values[i], &ch) < 0) {
			challenge_clear(&ch);
			continue;
		}
		if (strcmp(ch.scheme, "bearer") == 0 && bearer->scheme[0] == '\0')
			*bearer = ch;
		else if (strcmp(ch.scheme, "basic") == 0 && basic->scheme[0] == '\0')
			*basic = ch;
		else
			challenge_clear(&ch);
	}
}

static int token_on_data(struct transfer *t, const char *buf, size_t len)
{
	int r = buffer_append(t->data, buf, len);
	if (r < 0)
		return engine_error_set(&t->err, -r, "%s: %s: response larger than %u bytes",
					t->name, t->what, TOKEN_MAX);
	return 0;
}

/* A token goes into a header: refuse anything that could break out of it. */
static bool valid_token(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Get a bearer token as CH says, using USER/PASSWORD when given. */
static int fetch_token(struct storage_registry *c, const char *name, const struct challenge *ch,
		       const char *scope, const char *user, const char *password,
		       char **ret_header, time_t *ret_expires, struct engine_error **err)
{
	if (ch->realm == NULL)
		return engine_error_set(err, EPROTO, "%s: bearer challenge without a realm", name);
	cleanup_free char *rhost = NULL, *rport = NULL, *rscheme = NULL;
	if (url_authority(ch->realm, &rhost, &rport, &rscheme) < 0 ||
	    (strcmp(rscheme, "https") != 0 && strcmp(rscheme, "http") != 0))
		return engine_error_set(err, EPROTO, "%s: invalid token realm \"%.200s\"", name,
					ch->realm);
	/* Credentials (and the token) must not cross the network in clear text
	 * unless the realm is one we would talk plain HTTP to anyway. */
	char rhostport[300];
	join_hostport(rhost, rport, rhostport, sizeof(rhostport));
	if (strcmp(rscheme, "http") == 0 && !insecure_allowed(c, rhostport))
		return engine_error_set(err, EPERM,
					"%s: refusing to fetch a token over plain http from %s", name,
					ch->realm);
	CURL *tmp = curl_easy_init();
	if (tmp == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	char *esc_service = ch->service ? curl_easy_escape(tmp, ch->service, 0) : NULL;
	char *esc_scope = curl_easy_escape(tmp, scope, 0);
	cleanup_free char *url = NULL;
	int ar = asprintf(&url, "%s%s%s%s%sscope=%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?",
			  esc_service ? "service=" : "", esc_service ? esc_service : "",
			  esc_service ? "&" : "", esc_scope ? esc_scope : "");
	curl_free(esc_service);
	curl_free(esc_scope);
	curl_easy_cleanup(tmp);
	if (ar < 0)
		return engine_error_set(err, ENOMEM, "out of memory");

	cleanup_free char *basic = NULL, *auth_line = NULL;
	if (user != NULL) {
		basic = storage_auth_basic_header(user, password);
		if (basic == NULL || asprintf(&auth_line, "Authorization: %s", basic) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	struct buffer body = { .max = TOKEN_MAX };
	struct transfer t;
	char errbuf[CURL_ERROR_SIZE];
	transfer_init(&t, name, "token");
	t.on_data = token_on_data;
	t.data = &body;
	CURL *curl = easy_new(c, &t, errbuf);
	if (curl == NULL) {
		transfer_clear(&t);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	struct request req = { .url = url, .auth_header = auth_line, .range_start = -1 };
	CURLcode code;
	int r = follow(c, curl, &t, &req, errbuf, &code, err);
	curl_easy_cleanup(curl);
	if (r == 0 && t.resp.status != 200)
		r = http_status_error(&t, err);
	transfer_clear(&t);
	if (r < 0) {
		free(body.data);
		return r;
	}
	cleanup_json json_t *root = body.data ? json_loadb(body.data, body.len, 0, NULL) : NULL;
	free(body.data);
	const char *token = NULL;
	if (json_is_object(root)) {
		token = json_string_value(json_object_get(root, "token"));
		if (token == NULL || token[0] == '\0')
			token = json_string_value(json_object_get(root, "access_token"));
	}
	if (!valid_token(token))
		return engine_error_set(err, EPROTO, "%s: token: the response from %s holds no token",
					name, ch->realm);
	/* The spec's default lifetime is 60 s; renew a little early. */
	json_int_t expires_in = 60;
	json_t *e = json_object_get(root, "expires_in");
	if (json_is_integer(e) && json_integer_value(e) > 60)
		expires_in = json_integer_value(e);
	if (expires_in > 86400)
		expires_in = 86400;
	if (asprintf(ret_header, "Bearer %s", token) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	*ret_expires = now_monotonic() + (time_t)expires_in - 10;
	return 0;
}

/* Answer the 401's challenges: get and cache what the retry will send. */
static int authenticate(struct storage_registry *c, const struct storage_reference *ref,
			const char *name, const char *api_host, const char *scope,
			const struct response *resp, struct engine_error **err)
{
	struct challenge bearer = { 0 }, basic = { 0 };
	pick_challenges(resp->challenges, resp->n_challenges, &bearer, &basic);
	cleanup_free char *user = NULL, *password = NULL, *header = NULL;
	int r = 0;
	if (bearer.scheme[0] == '\0' && basic.scheme[0] == '\0') {
		r = engine_error_set(err, EACCES,
				     "%s: 401 Unauthorized without a Bearer or Basic challenge", name);
		goto out;
	}
	r = storage_auth_lookup(c->auth_file, c->docker_config, ref->registry, ref->repository,
				&user, &password, err);
	if (r < 0) {
		engine_error_prefix(err, "%s: credentials", name);
		goto out;
	}
	if (bearer.scheme[0] != '\0') {
		time_t expires = 0;
		r = fetch_token(c, name, &bearer, scope, user, password, &header, &expires, err);
		if (r == 0)
			cached_auth_put(c, api_host, scope, header, expires);
	} else if (user != NULL) {
		header = storage_auth_basic_header(user, password);
		if (header == NULL)
			r = engine_error_set(err, ENOMEM, "out of memory");
		else
			cached_auth_put(c, api_host, "", header, 0);
	} else {
		r = engine_error_set(err, EACCES,
				     "%s: 401 Unauthorized: the registry wants a password and there "
				     "are no credentials for %s (log in first)",
				     name, ref->registry);
	}
out:
	challenge_clear(&bearer);
	challenge_clear(&basic);
	return r;
}

/* ---------------------------------------------------- a registry request */

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
		auth = cached_auth_get(c, api_host, scope);
		if (auth != NULL && asprintf(&auth_line, "Authorization: %s", auth) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		struct request req = { .url = url,
				       .auth_header = auth_line,
				       .accept = accept,
				       .range_start = range_start };
		struct engine_error *ferr = NULL;
		int r = follow(c, curl, t, &req, errbuf, ret_code, &ferr);
		if (r < 0 && !plain && !fell_back && t->hops == 0 &&
		    is_tls_or_connect_error(*ret_code) && insecure_allowed(c, api_host)) {
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
			r = authenticate(c, ref, ctx, api_host, scope, &t->resp, err);
			if (r < 0)
				return r;
			continue;
		}
		return 0;
	}
}

static int validate_ref(const struct storage_reference *ref, struct engine_error **err)
{
	if (ref == NULL || !storage_reference_valid_registry(ref->registry) ||
	    !storage_reference_valid_repository(ref->repository))
		return engine_error_set(err, EINVAL, "invalid registry or repository name");
	return 0;
}

/* ---------------------------------------------------------------- manifest */

static int manifest_on_data(struct transfer *t, const char *buf, size_t len)
{
	int r = buffer_append(t->data, buf, len);
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
	int r = validate_ref(ref, err);
	if (r < 0)
		return r;
	cleanup_free char *name = NULL, *what = NULL, *path = NULL;
	if (storage_reference_name(ref, &name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
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
	transfer_init(&t, name, what);
	t.on_data = manifest_on_data;
	t.data = &body;
	CURL *curl = easy_new(c, &t, errbuf);
	if (curl == NULL) {
		transfer_clear(&t);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	CURLcode code;
	r = registry_get(c, curl, &t, ref, path, manifest_accept, -1, errbuf, &code, err);
	curl_easy_cleanup(curl);
	if (r == 0 && t.resp.status != 200)
		r = http_status_error(&t, err);
	char media_type[256] = "";
	if (r == 0 && t.resp.content_type != NULL) {
		size_t n = strcspn(t.resp.content_type, "; \t");
		if (n < sizeof(media_type))
			snprintf(media_type, sizeof(media_type), "%.*s", (int)n, t.resp.content_type);
	}
	transfer_clear(&t);
	if (r < 0) {
		free(body.data);
		return r;
	}
	if (body.data == NULL && buffer_append(&body, "", 0) < 0)
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

/* -------------------------------------------------------------------- blob */

struct blob_state {
	struct storage_hasher *hasher;
	storage_blob_sink sink;
	void *userdata;
	int64_t received;
	int64_t expected;
	bool range_requested;
	bool first_chunk_seen;
};

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
	int r = validate_ref(ref, err);
	if (r < 0)
		return r;
	cleanup_free char *name = NULL, *what = NULL, *path = NULL;
	if (storage_reference_name(ref, &name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
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
	transfer_init(&t, name, what);
	t.on_data = blob_on_data;
	t.data = &b;
	CURL *curl = easy_new(c, &t, errbuf);
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
		if ((r < 0 && is_resumable_error(code)) || short_read) {
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
			r = engine_error_set(err, EBADMSG,
					     "%s: %s: size mismatch (got %" PRId64 " bytes, expected %" PRId64
					     ")",
					     name, what, b.received, b.expected);
		} else if (t.resp.status != 200 && t.resp.status != 206) {
			r = http_status_error(&t, err);
		} else if (b.expected >= 0 && b.received != b.expected) {
			r = engine_error_set(err, EBADMSG,
					     "%s: %s: size mismatch (got %" PRId64 " bytes, expected %" PRId64
					     ")",
					     name, what, b.received, b.expected);
		}
		break;
	}
	curl_easy_cleanup(curl);
	transfer_clear(&t);
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

/* ------------------------------------ lent to registry-push.c (internal) */

void storage_registry_easy_setup(struct storage_registry *c, CURL *curl)
{
	curl_easy_setopt(curl, CURLOPT_SHARE, c->share);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
}

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

bool storage_registry_tls_or_connect_error(CURLcode code)
{
	return is_tls_or_connect_error(code);
}

char *storage_registry_cached_auth(struct storage_registry *c, const char *host, const char *scope)
{
	return cached_auth_get(c, host, scope);
}

int storage_registry_authenticate(struct storage_registry *c, const struct storage_reference *ref,
				  const char *name, const char *api_host, const char *scope,
				  char *const *challenges, size_t n_challenges, const char *user,
				  const char *password, struct engine_error **err)
{
	struct response resp = { .status = 401 };
	for (size_t i = 0; i < n_challenges && i < MAX_CHALLENGES; i++)
		resp.challenges[resp.n_challenges++] = challenges[i];
	if (user == NULL)
		return authenticate(c, ref, name, api_host, scope, &resp, err);
	/* Login: the credentials being checked, not the stored ones. */
	struct challenge bearer = { 0 }, basic = { 0 };
	pick_challenges(resp.challenges, resp.n_challenges, &bearer, &basic);
	cleanup_free char *header = NULL;
	time_t expires = 0;
	int r;
	if (bearer.scheme[0] != '\0') {
		r = fetch_token(c, name, &bearer, scope, user, password, &header, &expires, err);
	} else if (basic.scheme[0] != '\0') {
		header = storage_auth_basic_header(user, password);
		r = header ? 0 : engine_error_set(err, ENOMEM, "out of memory");
		scope = "";
	} else {
		r = engine_error_set(err, EACCES,
				     "%s: 401 Unauthorized without a Bearer or Basic challenge", name);
	}
	if (r == 0)
		cached_auth_put(c, api_host, scope, header, expires);
	challenge_clear(&bearer);
	challenge_clear(&basic);
	return r;
}

int storage_registry_status_error(const char *name, const char *what, long status,
				  const char *reason, const char *body, size_t body_len,
				  struct engine_error **err)
{
	struct transfer t;
	transfer_init(&t, name, what);
	t.resp.status = status;
	snprintf(t.resp.reason, sizeof(t.resp.reason), "%s", reason ? reason : "");
	t.error_body.data = (char *)body;
	t.error_body.len = body_len;
	return http_status_error(&t, err);
}
