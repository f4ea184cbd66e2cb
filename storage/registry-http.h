/* registry-http.h: one HTTP exchange with a registry (registry-http.c).
 * Internal to storage/'s registry files. */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "storage/registry.h"

#define MAX_CHALLENGES 4
/* No header value we use (WWW-Authenticate included) is legitimately longer. */
#define HEADER_VALUE_MAX (8u << 10)

struct buffer {
	char *data;
	size_t len, cap, max;
};

struct response {
	long status;
	char reason[64];
	char *content_type;
	char *location;
	char *content_range;
	char *challenges[MAX_CHALLENGES]; /* WWW-Authenticate values */
	size_t n_challenges;
};

struct transfer;
/* Receives a 2xx response's body; returns < 0 to abort, having set err. */
typedef int (*storage_http_data_fn)(struct transfer *t, const char *buf, size_t len);

struct transfer {
	const char *name; /* "registry/repository", for messages */
	const char *what; /* "manifest latest", "blob sha256:...", "token" */
	storage_http_data_fn on_data;
	void *data;
	struct response resp;
	struct buffer error_body; /* non-2xx bodies, for the registry's message */
	struct engine_error *err; /* set inside a callback */
	unsigned hops;            /* redirects followed for the final response */
};

struct http_request {
	const char *url;         /* where to start */
	const char *auth_header; /* full "Authorization: ..." line, or NULL */
	const char *accept;      /* full "Accept: ..." line, or NULL */
	int64_t range_start;     /* >= 0: ask for bytes range_start- */
};

/* Append, keeping a NUL after the data.  -EFBIG past max. */
int storage_http_buffer_append(struct buffer *b, const void *p, size_t n);
/* "host:port" of a URL's parts, with IPv6 brackets, for
 * storage_registry_insecure_allowed. */
void storage_http_join_hostport(const char *host, const char *port, char *out, size_t size);
/* A "Name: value" header line of LEN bytes at BUF: the name's length in
 * *RET_NAME_LEN, the value without the blanks and line end around it in
 * *RET_VALUE and *RET_VALUE_LEN.  False for a line with no colon or a
 * value longer than HEADER_VALUE_MAX (no header we use is that long). */
bool storage_http_header_field(const char *buf, size_t len, size_t *ret_name_len,
			       const char **ret_value, size_t *ret_value_len);
void storage_http_transfer_init(struct transfer *t, const char *name, const char *what);
void storage_http_transfer_clear(struct transfer *t);
/* T set up for a request about NAME's WHAT, its 2xx body handed to
 * ON_DATA (DATA in t->data), and a curl handle of C's that fills it;
 * NULL when out of memory (T then holds nothing to clear). */
CURL *storage_http_transfer_new(struct storage_registry *c, struct transfer *t, const char *name,
				const char *what, storage_http_data_fn on_data, void *data,
				char *errbuf);
/* The lowercased host and the port (default filled in) of URL. */
int storage_http_url_authority(const char *url, char **ret_host, char **ret_port, char **ret_scheme);
/* A connection that died mid-response: worth resuming a blob. */
bool storage_http_resumable_error(CURLcode code);
/* GET REQ->url, following redirects by our rules, until a final response
 * (whatever its status) is in t->resp.  Authorization goes only to the
 * authority REQ->url names.  On a transport failure: negative with *err set
 * and *ret_code saying what curl saw. */
int storage_http_follow(struct storage_registry *c, CURL *curl, struct transfer *t,
			const struct http_request *req, char *errbuf, CURLcode *ret_code,
			struct engine_error **err);
/* The error for a final response that is not what we wanted. */
int storage_http_status_error(struct transfer *t, struct engine_error **err);

/* Lent to registry-push.c, so that pushes speak with the same rules. */
/* Options every easy handle of CLIENT gets (share, user agent, timeouts,
 * protocols, no redirects by curl). */
void storage_registry_easy_setup(struct storage_registry *client, CURL *curl);
/* A connect- or TLS-level failure, after which plain HTTP is worth a try. */
bool storage_registry_tls_or_connect_error(CURLcode code);
/* The error for an unexpected final response, with the registry's own
 * explanation from BODY: "NAME: WHAT: 404 Not Found (BLOB_UNKNOWN: ...)". */
int storage_registry_status_error(const char *name, const char *what, long status,
				  const char *reason, const char *body, size_t body_len,
				  struct engine_error **err);
