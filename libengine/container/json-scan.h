/* json-scan.h: walk the members of one JSON object without building it
 * (: `ps -a` over 1,000 containers spent a third of its time in
 * jansson building two documents per container, most of whose values it
 * never looks at).  The scanner finds each member's value as a span of the
 * text; the caller decodes the few it wants (json_scan_str, json_scan_int,
 * or json_loadb on the span for arrays and objects) and skips the rest.
 *
 * It checks the structure it walks (strings, brackets, commas, colons),
 * not every rule of RFC 8259 inside the values it skips: a caller that
 * must reject malformed documents parses them with jansson instead. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called for each member; KEY is the raw text between the quotes (escapes
 * undecoded), VALUE the value's text.  A non-zero return stops the walk
 * and is returned by json_scan_object. */
typedef int (*json_scan_fn)(void *data, const char *key, size_t key_len, const char *value,
			    size_t value_len);

/* Walk the object that TEXT (LEN bytes) holds: 0 when walked to its end
 * (nothing but whitespace after it), -1 when malformed, else FN's return. */
int json_scan_object(const char *text, size_t len, json_scan_fn fn, void *data);

/* Whether KEY (as passed to the callback) is NAME. */
bool json_scan_key_is(const char *key, size_t key_len, const char *name);

/* A string value without escapes: *ret points into VALUE (not
 * NUL-terminated).  False for another type or a string with escapes
 * (decode that one with json_loadb). */
bool json_scan_str(const char *value, size_t value_len, const char **ret, size_t *ret_len);

/* An integer value (no fraction or exponent). */
bool json_scan_int(const char *value, size_t value_len, int64_t *ret);

/* true or false. */
bool json_scan_bool(const char *value, size_t value_len, bool *ret);
