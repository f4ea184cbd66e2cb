/* json-scan.c: see json-scan.h. */
#include "libengine/container/json-scan.h"

#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* P at an opening quote: just past the closing one, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
	}
	return NULL;
}

/* P at a value: just past it, or NULL.  Nested arrays and objects are
 * skipped by counting brackets outside strings. */
static const char *skip_value(const char *p, const char *end)
{
	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p == '{' || *p == '[') {
		char stack[64];
		size_t depth = 0;
		while (p < end) {
			char c = *p;
			if (c == '"') {
				p = skip_string(p, end);
				if (p == NULL)
					return NULL;
				continue;
			}
			if (c == '{' || c == '[') {
				if (depth == sizeof(stack))
					return NULL;
				stack[depth++] = c == '{' ? '}' : ']';
			} else if (c == '}' || c == ']') {
				if (depth == 0 || stack[depth - 1] != c)
					return NULL;
				if (--depth == 0)
					return p + 1;
			}
			p++;
		}
		return NULL;
	}
	/* a number, true, false or null */
	const char *start = p;
	while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '-' ||
			   *p == '+' || *p == '.' || *p == 'E'))
		p++;
	return p > start ? p : NULL;
}

int json_scan_object(const char *text, size_t len, json_scan_fn fn, void *data)
{
	const char *p = text, *end = text + len;
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		if (p >= end || *p != '"')
			return -1;
		const char *key = p + 1;
		const char *key_end = skip_string(p, end);
		if (key_end == NULL)
			return -1;
		p = skip_ws(key_end, end);
		if (p >= end || *p != ':')
			return -1;
		p = skip_ws(p + 1, end);
		const char *value = p;
		p = skip_value(p, end);
		if (p == NULL)
			return -1;
		int r = fn(data, key, (size_t)(key_end - 1 - key), value, (size_t)(p - value));
		if (r != 0)
			return r;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			return skip_ws(p + 1, end) == end ? 0 : -1;
		return -1;
	}
}

bool json_scan_key_is(const char *key, size_t key_len, const char *name)
{
	return strlen(name) == key_len && memcmp(key, name, key_len) == 0;
}

bool json_scan_str(const char *value, size_t value_len, const char **ret, size_t *ret_len)
{
	if (value_len < 2 || value[0] != '"' || value[value_len - 1] != '"' ||
	    memchr(value, '\\', value_len) != NULL)
		return false;
	*ret = value + 1;
	*ret_len = value_len - 2;
	return true;
}

bool json_scan_int(const char *value, size_t value_len, int64_t *ret)
{
	size_t i = 0;
	bool neg = value_len > 0 && value[0] == '-';
	if (neg)
		i++;
	if (i == value_len || value_len - i > 19)
		return false;
	uint64_t v = 0;
	for (; i < value_len; i++) {
		if (value[i] < '0' || value[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(value[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return false;
	*ret = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool json_scan_bool(const char *value, size_t value_len, bool *ret)
{
	if (value_len == 4 && memcmp(value, "true", 4) == 0)
		*ret = true;
	else if (value_len == 5 && memcmp(value, "false", 5) == 0)
		*ret = false;
	else
		return false;
	return true;
}
