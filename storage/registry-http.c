/* registry-http.c: one HTTP exchange with a registry, over libcurl: the
 * response's headers and body collected, redirects followed by our rules
 * (at most 10, never from https to http, the Authorization header only for
 * the authority it was meant for), and the error for a status we did not
 * want, with the registry's own explanation.  Used by the pull side
 * (registry.c) and the token fetch (registry-auth.c). */
#include "storage/registry-http.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "storage/registry-internal.h"

#define MAX_REDIRECTS 10
#define ERROR_BODY_MAX (64u << 10)

/* Append, keeping a NUL after the data.  -EFBIG past max. */
int storage_http_buffer_append(struct buffer *b, const void *p, size_t n)
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

/* Make a server-supplied string safe for a one-line message. */
static void one_line(char *s, size_t max)
{
	size_t i;
	for (i = 0; s[i] != '\0' && i < max; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	s[i] = '\0';
}

/* "host:port" of a URL's parts, with IPv6 brackets, for insecure_allowed. */
void storage_http_join_hostport(const char *host, const char *port, char *out, size_t size)
{
	bool v6 = strchr(host, ':') != NULL && host[0] != '[';
	snprintf(out, size, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

static void response_clear(struct response *r)
{
	free(r->content_type);
	free(r->location);
	free(r->content_range);
	for (size_t i = 0; i < r->n_challenges; i++)
		free(r->challenges[i]);
	*r = (struct response){ 0 };
}

bool storage_http_header_field(const char *buf, size_t len, size_t *ret_name_len,
			       const char **ret_value, size_t *ret_value_len)
{
	const char *colon = memchr(buf, ':', len);
	if (colon == NULL)
		return false;
	const char *v = colon + 1, *end = buf + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - v) > HEADER_VALUE_MAX)
		return false;
	*ret_name_len = (size_t)(colon - buf);
	*ret_value = v;
	*ret_value_len = (size_t)(end - v);
	return true;
}

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
	size_t nlen, vlen;
	const char *v;
	if (!storage_http_header_field(buf, len, &nlen, &v, &vlen))
		return len;
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
	(void)storage_http_buffer_append(&t->error_body, buf, len < room ? len : room);
	return len;
}

void storage_http_transfer_init(struct transfer *t, const char *name, const char *what)
{
	*t = (struct transfer){ .name = name, .what = what };
	t->error_body.max = ERROR_BODY_MAX;
}

void storage_http_transfer_clear(struct transfer *t)
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

CURL *storage_http_transfer_new(struct storage_registry *c, struct transfer *t, const char *name,
				const char *what, storage_http_data_fn on_data, void *data,
				char *errbuf)
{
	storage_http_transfer_init(t, name, what);
	t->on_data = on_data;
	t->data = data;
	CURL *curl = curl_easy_init();
	if (curl == NULL)
		return NULL;
	storage_registry_easy_setup(c, curl);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	return curl;
}

/* The lowercased host and the port (default filled in) of URL. */
int storage_http_url_authority(const char *url, char **ret_host, char **ret_port, char **ret_scheme)
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
bool storage_http_resumable_error(CURLcode code)
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

/* GET REQ->url, following redirects by our rules, until a final response
 * (whatever its status) is in t->resp.  Authorization goes only to the
 * authority REQ->url names.  On a transport failure: negative with *err set
 * and *ret_code saying what curl saw. */
int storage_http_follow(struct storage_registry *c, CURL *curl, struct transfer *t,
			const struct http_request *req, char *errbuf, CURLcode *ret_code,
			struct engine_error **err)
{
	cleanup_free char *auth_host = NULL, *auth_port = NULL, *auth_scheme = NULL;
	cleanup_free char *url = strdup(req->url);
	*ret_code = CURLE_OK;
	if (url == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (storage_http_url_authority(url, &auth_host, &auth_port, &auth_scheme) < 0)
		return engine_error_set(err, EINVAL, "%s: %s: invalid URL %s", t->name, t->what, url);
	for (t->hops = 0;; t->hops++) {
		cleanup_free char *host = NULL, *port = NULL, *scheme = NULL;
		if (storage_http_url_authority(url, &host, &port, &scheme) < 0)
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
		storage_http_join_hostport(host, port, hostport, sizeof(hostport));
		long verify = storage_registry_insecure_allowed(c, hostport) ? 0L : 1L;
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
		    storage_http_url_authority(next, &nhost, &nport, &nscheme) < 0 ||
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
int storage_http_status_error(struct transfer *t, struct engine_error **err)
{
	cleanup_free char *detail = registry_error_detail(&t->error_body);
	long s = t->resp.status;
	int e = s == 404 ? ENOENT : (s == 401 || s == 403) ? EACCES : EIO;
	const char *reason = reason_phrase(&t->resp);
	return engine_error_set(err, e, "%s: %s: %ld%s%s%s", t->name, t->what, s,
				reason[0] ? " " : "", reason, detail ? detail : "");
}

/* ---------------------------------------- lent to registry-push.c */

void storage_registry_easy_setup(struct storage_registry *c, CURL *curl)
{
	curl_easy_setopt(curl, CURLOPT_SHARE, c->share);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer (under 1 byte/s for a minute) is treated as a
	 * dropped connection, so blob downloads resume instead of hanging. */
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
}

bool storage_registry_tls_or_connect_error(CURLcode code)
{
	return is_tls_or_connect_error(code);
}

int storage_registry_status_error(const char *name, const char *what, long status,
				  const char *reason, const char *body, size_t body_len,
				  struct engine_error **err)
{
	struct transfer t;
	storage_http_transfer_init(&t, name, what);
	t.resp.status = status;
	snprintf(t.resp.reason, sizeof(t.resp.reason), "%s", reason ? reason : "");
	t.error_body.data = (char *)body;
	t.error_body.len = body_len;
	return storage_http_status_error(&t, err);
}
