/* registry-auth.c: answering a registry's 401: its WWW-Authenticate
 * challenges parsed, a bearer token fetched from the realm (or Basic
 * credentials), and the Authorization value cached per host and scope for
 * the client's lifetime, so that parallel layer downloads share one token.
 * Credentials come from auth.c; they never go in clear text to a realm we
 * would not talk plain HTTP to anyway. */
#include "storage/registry-auth.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/cleanup.h"
#include "storage/registry-http.h"
#include "storage/registry-internal.h"

#define TOKEN_MAX (4u << 20)

static time_t now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
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
	int r = storage_http_buffer_append(t->data, buf, len);
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
	if (storage_http_url_authority(ch->realm, &rhost, &rport, &rscheme) < 0 ||
	    (strcmp(rscheme, "https") != 0 && strcmp(rscheme, "http") != 0))
		return engine_error_set(err, EPROTO, "%s: invalid token realm \"%.200s\"", name,
					ch->realm);
	/* Credentials (and the token) must not cross the network in clear text
	 * unless the realm is one we would talk plain HTTP to anyway. */
	char rhostport[300];
	storage_http_join_hostport(rhost, rport, rhostport, sizeof(rhostport));
	if (strcmp(rscheme, "http") == 0 && !storage_registry_insecure_allowed(c, rhostport))
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
	CURL *curl = storage_http_transfer_new(c, &t, name, "token", token_on_data, &body, errbuf);
	if (curl == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	struct http_request req = { .url = url, .auth_header = auth_line, .range_start = -1 };
	CURLcode code;
	int r = storage_http_follow(c, curl, &t, &req, errbuf, &code, err);
	curl_easy_cleanup(curl);
	if (r == 0 && t.resp.status != 200)
		r = storage_http_status_error(&t, err);
	storage_http_transfer_clear(&t);
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
