/* gotemplate-funcs.c: the functions a --format can call: Go's builtins
 * (len, index, slice, not, eq, ne, lt, le, gt, ge, print, printf, println,
 * html, urlquery; and/or live in the evaluator because they are lazy) and
 * Docker's (json, split, join, title, lower, upper, pad, truncate), with
 * Go's argument checks and messages.  printf follows Go's fmt over JSON
 * values: %v %s %d %q %t %x %X %o %b %c %U %e %f %g, flags, width and
 * precision, and Go's "%!d(string=abc)" for a verb that does not fit. */
#include "cmd/gotemplate-funcs.h"
#include "cmd/gotemplate-exec.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CALL_OK = 0, CALL_ARGS = -1, CALL_FAILED = -2 };

__attribute__((format(printf, 3, 4))) static int set_msg(char **msg, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*msg = gt_vformat(fmt, ap);
	va_end(ap);
	return code;
}

static const char *type_of(json_t *v)
{
	return v == NULL ? "invalid value" : gt_type_name(v);
}

/* An argument of JSON type TYPE, which Go names NAME; else Go's error. */
static int want_type(json_t *v, json_type type, const char *name, char **msg)
{
	if (v == NULL)
		return set_msg(msg, CALL_ARGS, "invalid value; expected %s", name);
	if (json_typeof(v) != type)
		return set_msg(msg, CALL_ARGS, "wrong type for value; expected %s; got %s", name, gt_type_name(v));
	return 0;
}

static int want_string(json_t *v, char **msg)
{
	return want_type(v, JSON_STRING, "string", msg);
}

static int want_int(json_t *v, char **msg)
{
	return want_type(v, JSON_INTEGER, "int", msg);
}

static json_t *string_of(struct gt_buf *b)
{
	if (b->overflow) {
		free(b->data);
		return NULL;
	}
	json_t *s = json_stringn_nocheck(b->data ? b->data : "", b->len);
	free(b->data);
	return s;
}

/* ---- fmt ------------------------------------------------------------------ */

struct spec {
	bool minus, plus, sharp, space, zero;
	int width, prec; /* -1: none */
	char verb;
};

static size_t rune_count(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* S padded to the spec's width, by runes as Go counts them. */
static void pad_out(struct gt_buf *b, const struct spec *sp, const char *s, size_t n, bool zero_ok)
{
	size_t runes = rune_count(s, n);
	size_t fill = sp->width > 0 && (size_t)sp->width > runes ? (size_t)sp->width - runes : 0;
	if (sp->minus) {
		gt_buf_put(b, s, n);
		for (size_t i = 0; i < fill && !b->overflow; i++)
			gt_buf_put(b, " ", 1);
		return;
	}
	bool zero = sp->zero && zero_ok;
	size_t sign = zero && n > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
	gt_buf_put(b, s, sign);
	for (size_t i = 0; i < fill && !b->overflow; i++)
		gt_buf_put(b, zero ? "0" : " ", 1);
	gt_buf_put(b, s + sign, n - sign);
}

/* %v of a float64, or %g without a precision: the shortest digits that
 * read back the same, with an exponent below 1e-4 and from 1e6 on
 * (fmt.Println(1e6) prints 1e+06). */
void gt_format_float_shortest(char *out, size_t size, double d)
{
	if (isnan(d) || isinf(d)) {
		snprintf(out, size, "%s", isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
		return;
	}
	int prec = 1;
	for (; prec < 17; prec++) {
		snprintf(out, size, "%.*e", prec - 1, d);
		if (strtod(out, NULL) == d)
			break;
	}
	snprintf(out, size, "%.*e", prec - 1, d);
	const char *e = strchr(out, 'e');
	int exp = e ? atoi(e + 1) : 0;
	if (exp >= -4 && exp < 6)
		snprintf(out, size, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
}

static void fmt_value(struct gt_buf *b, const struct spec *sp, json_t *v, int depth);

static void bad_verb(struct gt_buf *b, const struct spec *sp, json_t *v)
{
	char head[8];
	snprintf(head, sizeof(head), "%%!%c(", sp->verb);
	gt_buf_puts(b, head);
	if (v == NULL || json_is_null(v)) {
		gt_buf_puts(b, "<nil>");
	} else {
		gt_buf_puts(b, gt_type_name(v));
		gt_buf_puts(b, "=");
		gt_print_value(b, v);
	}
	gt_buf_puts(b, ")");
}

/* Go's strconv.Quote: printable text as is, the rest escaped. */
static void quote(struct gt_buf *out, const char *s, size_t n)
{
	gt_buf_puts(out, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char hex[8];
		switch (c) {
		case '\a': esc = "\\a"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\v': esc = "\\v"; break;
		case '\\': esc = "\\\\"; break;
		case '"': esc = "\\\""; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(hex, sizeof(hex), "\\x%02x", c);
				esc = hex;
			}
		}
		if (esc)
			gt_buf_puts(out, esc);
		else
			gt_buf_put(out, s + i, 1);
	}
	gt_buf_puts(out, "\"");
}

static void put_rune(struct gt_buf *b, unsigned long cp)
{
	char u[4];
	size_t n = 0;
	if (cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[n++] = (char)cp;
	} else if (cp < 0x800) {
		u[n++] = (char)(0xC0 | (cp >> 6));
		u[n++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		u[n++] = (char)(0xE0 | (cp >> 12));
		u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[n++] = (char)(0x80 | (cp & 0x3F));
	} else {
		u[n++] = (char)(0xF0 | (cp >> 18));
		u[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[n++] = (char)(0x80 | (cp & 0x3F));
	}
	gt_buf_put(b, u, n);
}

static void fmt_int(struct gt_buf *b, const struct spec *sp, long long v)
{
	struct gt_buf t = { 0 };
	unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int base = 10;
	const char *digits = "0123456789abcdef", *prefix = "";
	switch (sp->verb) {
	case 'c':
	case 'q':
		if (sp->verb == 'c') {
			put_rune(&t, (unsigned long)mag);
		} else {
			gt_buf_puts(&t, "'");
			if (mag == '\'' || mag == '\\')
				gt_buf_puts(&t, "\\");
			put_rune(&t, (unsigned long)mag);
			gt_buf_puts(&t, "'");
		}
		pad_out(b, sp, t.data ? t.data : "", t.len, false);
		free(t.data);
		return;
	case 'U': {
		char u[32];
		snprintf(u, sizeof(u), "U+%04llX", mag);
		pad_out(b, sp, u, strlen(u), false);
		return;
	}
	case 'x':
		base = 16, prefix = sp->sharp ? "0x" : "";
		break;
	case 'X':
		base = 16, digits = "0123456789ABCDEF", prefix = sp->sharp ? "0X" : "";
		break;
	case 'o':
		base = 8, prefix = sp->sharp ? "0" : "";
		break;
	case 'O':
		base = 8, prefix = "0o";
		break;
	case 'b':
		base = 2;
		break;
	default:
		break;
	}
	char num[80];
	size_t n = sizeof(num);
	num[--n] = '\0';
	do {
		num[--n] = digits[mag % (unsigned)base];
		mag /= (unsigned)base;
	} while (mag > 0 && n > 0);
	if (v < 0)
		gt_buf_puts(&t, "-");
	else if (sp->plus)
		gt_buf_puts(&t, "+");
	else if (sp->space)
		gt_buf_puts(&t, " ");
	gt_buf_puts(&t, prefix);
	size_t nd = strlen(num + n);
	for (int i = (int)nd; i < sp->prec && !t.overflow; i++)
		gt_buf_puts(&t, "0");
	if (!(sp->prec == 0 && v == 0))
		gt_buf_puts(&t, num + n);
	pad_out(b, sp, t.data ? t.data : "", t.len, sp->prec < 0);
	free(t.data);
}

static void fmt_float(struct gt_buf *b, const struct spec *sp, double d)
{
	char out[512];
	char verb = sp->verb == 'F' ? 'f' : sp->verb;
	if ((verb == 'v' || verb == 'g' || verb == 'G') && sp->prec < 0) {
		gt_format_float_shortest(out, sizeof(out), d);
		if (verb == 'G')
			for (char *c = out; *c; c++)
				*c = (char)toupper((unsigned char)*c);
	} else {
		int prec = sp->prec < 0 ? 6 : sp->prec > 300 ? 300 : sp->prec;
		switch (verb) {
		case 'e':
			snprintf(out, sizeof(out), "%.*e", prec, d);
			break;
		case 'E':
			snprintf(out, sizeof(out), "%.*E", prec, d);
			break;
		case 'G':
			snprintf(out, sizeof(out), "%.*G", prec, d);
			break;
		case 'g':
		case 'v':
			snprintf(out, sizeof(out), "%.*g", prec, d);
			break;
		default:
			snprintf(out, sizeof(out), "%.*f", prec, d);
		}
	}
	if ((sp->plus || sp->space) && out[0] != '-' && out[0] != '+' && strlen(out) + 2 < sizeof(out)) {
		memmove(out + 1, out, strlen(out) + 1);
		out[0] = sp->plus ? '+' : ' ';
	}
	pad_out(b, sp, out, strlen(out), !isinf(d) && !isnan(d));
}

static void fmt_string(struct gt_buf *b, const struct spec *sp, const char *s, size_t n)
{
	if (sp->prec >= 0) { /* at most PREC runes */
		size_t runes = 0, i = 0;
		for (; i < n; i++) {
			if (((unsigned char)s[i] & 0xC0) != 0x80 && runes++ == (size_t)sp->prec)
				break;
		}
		n = i;
	}
	struct gt_buf t = { 0 };
	if (sp->verb == 'q') {
		quote(&t, s, n);
	} else if (sp->verb == 'x' || sp->verb == 'X') {
		for (size_t i = 0; i < n && !t.overflow; i++) {
			char h[4];
			snprintf(h, sizeof(h), sp->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
			gt_buf_puts(&t, h);
		}
	} else {
		gt_buf_put(&t, s, n);
	}
	pad_out(b, sp, t.data ? t.data : "", t.len, false);
	free(t.data);
}

static void fmt_value(struct gt_buf *b, const struct spec *sp, json_t *v, int depth)
{
	if (depth > GOTEMPLATE_MAX_DEPTH || b->overflow)
		return;
	char verb = sp->verb;
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL:
		if (verb == 'v')
			pad_out(b, sp, "<nil>", 5, false);
		else
			bad_verb(b, sp, v);
		return;
	case JSON_TRUE:
	case JSON_FALSE:
		if (verb == 'v' || verb == 't') {
			const char *t = json_is_true(v) ? "true" : "false";
			pad_out(b, sp, t, strlen(t), false);
		} else {
			bad_verb(b, sp, v);
		}
		return;
	case JSON_INTEGER:
		if (strchr("vdbcoOqxXU", verb))
			fmt_int(b, sp, (long long)json_integer_value(v));
		else
			bad_verb(b, sp, v);
		return;
	case JSON_REAL:
		if (strchr("vbeEfFgGxX", verb) && verb != 'b' && verb != 'x' && verb != 'X')
			fmt_float(b, sp, json_real_value(v));
		else
			bad_verb(b, sp, v);
		return;
	case JSON_STRING:
		if (strchr("vsqxX", verb))
			fmt_string(b, sp, json_string_value(v), json_string_length(v));
		else
			bad_verb(b, sp, v);
		return;
	case JSON_ARRAY: {
		/* Go applies the verb to each element */
		size_t i;
		json_t *e;
		gt_buf_puts(b, "[");
		json_array_foreach(v, i, e) {
			if (i > 0)
				gt_buf_puts(b, " ");
			fmt_value(b, sp, e, depth + 1);
		}
		gt_buf_puts(b, "]");
		return;
	}
	case JSON_OBJECT: {
		size_t n;
		const char **keys = gt_sorted_keys(v, &n);
		gt_buf_puts(b, "map[");
		for (size_t i = 0; keys && i < n; i++) {
			json_t *k = json_string(keys[i]);
			if (i > 0)
				gt_buf_puts(b, " ");
			fmt_value(b, sp, k, depth + 1);
			json_decref(k);
			gt_buf_puts(b, ":");
			fmt_value(b, sp, json_object_get(v, keys[i]), depth + 1);
		}
		free(keys);
		gt_buf_puts(b, "]");
		return;
	}
	}
}

/* Go's fmt.Sprintf over JSON values. */
static void sprintf_go(struct gt_buf *b, const char *f, size_t flen, json_t **argv, size_t argc)
{
	size_t arg = 0;
	for (size_t i = 0; i < flen && !b->overflow;) {
		if (f[i] != '%') {
			size_t j = i;
			while (j < flen && f[j] != '%')
				j++;
			gt_buf_put(b, f + i, j - i);
			i = j;
			continue;
		}
		i++;
		struct spec sp = { .width = -1, .prec = -1 };
		for (; i < flen && strchr("+-# 0", f[i]) && f[i]; i++) {
			sp.plus |= f[i] == '+';
			sp.minus |= f[i] == '-';
			sp.sharp |= f[i] == '#';
			sp.space |= f[i] == ' ';
			sp.zero |= f[i] == '0';
		}
		if (i < flen && f[i] == '*') {
			i++;
			if (arg < argc && json_is_integer(argv[arg])) {
				json_int_t w = json_integer_value(argv[arg++]);
				if (w < 0)
					sp.minus = true, w = -w;
				sp.width = w > 1000000 ? 1000000 : (int)w;
			} else {
				gt_buf_puts(b, "%!(BADWIDTH)");
			}
		}
		for (; i < flen && isdigit((unsigned char)f[i]); i++)
			sp.width = (sp.width < 0 ? 0 : sp.width) * 10 > 1000000 ? 1000000
										     : (sp.width < 0 ? 0 : sp.width) * 10 + (f[i] - '0');
		if (i < flen && f[i] == '.') {
			i++;
			sp.prec = 0;
			if (i < flen && f[i] == '*') {
				i++;
				if (arg < argc && json_is_integer(argv[arg]) && json_integer_value(argv[arg]) >= 0) {
					json_int_t p = json_integer_value(argv[arg++]);
					sp.prec = p > 1000000 ? 1000000 : (int)p;
				} else {
					gt_buf_puts(b, "%!(BADPREC)");
				}
			}
			for (; i < flen && isdigit((unsigned char)f[i]); i++)
				sp.prec = sp.prec * 10 > 1000000 ? 1000000 : sp.prec * 10 + (f[i] - '0');
		}
		if (sp.minus)
			sp.zero = false;
		if (i >= flen) {
			gt_buf_puts(b, "%!(NOVERB)");
			break;
		}
		sp.verb = f[i++];
		if (sp.verb == '%') {
			gt_buf_puts(b, "%");
			continue;
		}
		if (arg >= argc) {
			char m[32];
			snprintf(m, sizeof(m), "%%!%c(MISSING)", sp.verb);
			gt_buf_puts(b, m);
			continue;
		}
		json_t *v = argv[arg++];
		if (sp.verb == 's' && (json_is_array(v) || json_is_object(v))) {
			fmt_value(b, &sp, v, 0);
		} else if (strchr("vsdqtxXobcOUeEfFgG", sp.verb) == NULL) {
			bad_verb(b, &sp, v);
		} else {
			fmt_value(b, &sp, v, 0);
		}
	}
	if (arg < argc) {
		gt_buf_puts(b, "%!(EXTRA ");
		for (size_t k = arg; k < argc; k++) {
			if (k > arg)
				gt_buf_puts(b, ", ");
			if (argv[k] == NULL || json_is_null(argv[k])) {
				gt_buf_puts(b, "<nil>");
			} else {
				gt_buf_puts(b, gt_type_name(argv[k]));
				gt_buf_puts(b, "=");
				gt_print_value(b, argv[k]);
			}
		}
		gt_buf_puts(b, ")");
	}
}

/* ---- the functions -------------------------------------------------------- */

/* fmt.Sprint adds a space between operands when neither is a string;
 * Sprintln always, and a newline. */
static int fn_print(json_t **argv, size_t argc, bool ln, json_t **ret)
{
	struct gt_buf b = { 0 };
	gt_buf_puts(&b, "");
	for (size_t i = 0; i < argc; i++) {
		json_t *v = argv[i] ? argv[i] : json_null();
		if (i > 0 && (ln || (!json_is_string(argv[i - 1]) && !json_is_string(v))))
			gt_buf_puts(&b, " ");
		gt_print_value(&b, v);
		if (argv[i] == NULL)
			json_decref(v);
	}
	if (ln)
		gt_buf_puts(&b, "\n");
	*ret = string_of(&b);
	return 0;
}

/* Go's basic kinds for comparisons: 0 invalid/nil, 1 bool, 2 number,
 * 3 string, 4 not comparable here (array, object). */
static int kind_of(json_t *v)
{
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v))
		return 1;
	if (json_is_number(v))
		return 2;
	if (json_is_string(v))
		return 3;
	return 4;
}

static int compare(json_t *a, json_t *b, int *cmp, bool ordered, char **msg)
{
	int ka = kind_of(a), kb = kind_of(b);
	if (ordered && (ka == 0 || kb == 0 || ka == 1 || kb == 1 || ka == 4 || kb == 4))
		return set_msg(msg, CALL_FAILED, "invalid type for comparison");
	if (ka != kb) {
		if (ka != 0 && kb != 0)
			return set_msg(msg, CALL_FAILED, "incompatible types for comparison");
		*cmp = 1; /* one is nil: never equal */
		return 0;
	}
	switch (ka) {
	case 0:
		*cmp = 0;
		break;
	case 1:
		*cmp = json_is_true(a) != json_is_true(b);
		break;
	case 2:
		if (json_is_integer(a) && json_is_integer(b)) {
			json_int_t x = json_integer_value(a), y = json_integer_value(b);
			*cmp = x < y ? -1 : x > y;
		} else {
			double x = json_number_value(a), y = json_number_value(b);
			*cmp = x < y ? -1 : x > y;
		}
		break;
	case 3: {
		size_t la = json_string_length(a), lb = json_string_length(b);
		int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
		*cmp = c != 0 ? c : la < lb ? -1 : la > lb;
		break;
	}
	default:
		return set_msg(msg, CALL_FAILED, "non-comparable type %s", gt_type_name(a));
	}
	return 0;
}

static int fn_index(json_t **argv, size_t argc, json_t **ret, char **msg)
{
	json_t *item = argv[0];
	if (item == NULL || json_is_null(item))
		return set_msg(msg, CALL_FAILED, "index of untyped nil");
	json_t *cur = json_incref(item);
	for (size_t i = 1; i < argc; i++) {
		json_t *idx = argv[i], *next = NULL;
		if (json_is_array(cur) || json_is_string(cur)) {
			size_t len = json_is_array(cur) ? json_array_size(cur) : json_string_length(cur);
			if (!json_is_integer(idx)) {
				json_decref(cur);
				return set_msg(msg, CALL_FAILED, "cannot index slice/array with type %s", type_of(idx));
			}
			json_int_t x = json_integer_value(idx);
			if (x < 0 || (size_t)x >= len) {
				json_decref(cur);
				return set_msg(msg, CALL_FAILED, "index out of range: %lld", (long long)x);
			}
			next = json_is_array(cur) ? json_incref(json_array_get(cur, (size_t)x))
						  : json_integer((unsigned char)json_string_value(cur)[x]);
		} else if (json_is_object(cur)) {
			if (!json_is_string(idx)) {
				json_decref(cur);
				return set_msg(msg, CALL_FAILED, "value has type %s; should be string", type_of(idx));
			}
			next = json_object_get(cur, json_string_value(idx));
			if (next != NULL) {
				json_incref(next);
			} else {
				/* the map's zero value: "" for a map of strings (labels) */
				bool strings = true;
				const char *k;
				json_t *e;
				json_object_foreach(cur, k, e) strings = strings && json_is_string(e);
				next = strings ? json_string("") : json_null();
			}
		} else {
			const char *t = json_is_null(cur) ? "<nil>" : gt_type_name(cur);
			json_decref(cur);
			return set_msg(msg, CALL_FAILED, "can't index item of type %s", t);
		}
		json_decref(cur);
		cur = next;
	}
	*ret = cur;
	return 0;
}

static int fn_slice(json_t **argv, size_t argc, json_t **ret, char **msg)
{
	json_t *item = argv[0];
	if (item == NULL || json_is_null(item))
		return set_msg(msg, CALL_FAILED, "slice of untyped nil");
	if (!json_is_array(item) && !json_is_string(item))
		return set_msg(msg, CALL_FAILED, "can't slice item of type %s", gt_type_name(item));
	if (argc > 4 || (argc == 4 && json_is_string(item)))
		return set_msg(msg, CALL_FAILED, "too many slice indexes: %zu", argc - 1);
	size_t len = json_is_array(item) ? json_array_size(item) : json_string_length(item);
	long long idx[3] = { 0, (long long)len, (long long)len };
	for (size_t i = 1; i < argc; i++) {
		if (!json_is_integer(argv[i]))
			return set_msg(msg, CALL_FAILED, "cannot index slice/array with type %s", type_of(argv[i]));
		idx[i - 1] = json_integer_value(argv[i]);
		if (idx[i - 1] < 0 || idx[i - 1] > (long long)len)
			return set_msg(msg, CALL_FAILED, "index out of range: %lld", idx[i - 1]);
	}
	if (idx[0] > idx[1])
		return set_msg(msg, CALL_FAILED, "invalid slice index: %lld > %lld", idx[0], idx[1]);
	if (json_is_string(item)) {
		*ret = json_stringn_nocheck(json_string_value(item) + idx[0], (size_t)(idx[1] - idx[0]));
		return 0;
	}
	json_t *a = json_array();
	for (long long i = idx[0]; a && i < idx[1]; i++)
		json_array_append(a, json_array_get(item, (size_t)i));
	*ret = a;
	return 0;
}

static json_t *hide_methods(json_t *v)
{
	if (!json_is_object(v))
		return json_incref(v);
	json_t *copy = json_object();
	const char *k;
	json_t *e;
	json_object_foreach(v, k, e) if (k[0] != '#') json_object_set(copy, k, e);
	return copy;
}

static int fn_json(json_t *v, json_t **ret)
{
	json_t *shown = v ? hide_methods(v) : json_null();
	char *s = json_dumps(shown, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(shown);
	*ret = json_string(s ? s : "null");
	free(s);
	return 0;
}

static int fn_split(json_t *s, json_t *sep, json_t **ret)
{
	const char *p = json_string_value(s), *d = json_string_value(sep);
	size_t n = json_string_length(s), dn = json_string_length(sep);
	json_t *a = json_array();
	if (dn == 0) { /* one element per character */
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			while (j < n && ((unsigned char)p[j] & 0xC0) == 0x80)
				j++;
			json_array_append_new(a, json_stringn_nocheck(p + i, j - i));
			i = j;
		}
		*ret = a;
		return 0;
	}
	size_t start = 0;
	for (size_t i = 0; i + dn <= n;) {
		if (memcmp(p + i, d, dn) == 0) {
			json_array_append_new(a, json_stringn_nocheck(p + start, i - start));
			i += dn;
			start = i;
		} else {
			i++;
		}
	}
	json_array_append_new(a, json_stringn_nocheck(p + start, n - start));
	*ret = a;
	return 0;
}

static int fn_join(json_t *arr, json_t *sep, json_t **ret, char **msg)
{
	size_t i;
	json_t *e;
	if (!json_is_array(arr))
		return set_msg(msg, CALL_ARGS, "wrong type for value; expected []string; got %s", type_of(arr));
	json_array_foreach(arr, i, e) if (!json_is_string(e)) return set_msg(
		msg, CALL_ARGS, "wrong type for value; expected []string; got []interface {}");
	struct gt_buf b = { 0 };
	gt_buf_puts(&b, "");
	json_array_foreach(arr, i, e) {
		if (i > 0)
			gt_buf_put(&b, json_string_value(sep), json_string_length(sep));
		gt_buf_put(&b, json_string_value(e), json_string_length(e));
	}
	*ret = string_of(&b);
	return 0;
}

/* lower, upper, title (strings.Title: the first letter of each word). */
static json_t *map_case(json_t *s, int mode)
{
	char *t = strndup(json_string_value(s), json_string_length(s));
	size_t n = json_string_length(s);
	bool word_start = true;
	for (size_t i = 0; t && i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (mode == 0)
			t[i] = (char)tolower(c);
		else if (mode == 1)
			t[i] = (char)toupper(c);
		else if (word_start && c < 0x80)
			t[i] = (char)toupper(c);
		word_start = !(isalnum(c) || c == '_' || c == '\'' || c >= 0x80);
	}
	json_t *r = t ? json_stringn_nocheck(t, n) : NULL;
	free(t);
	return r;
}

static int fn_escape(json_t **argv, size_t argc, bool url, json_t **ret)
{
	struct gt_buf b = { 0 };
	json_t *printed = NULL;
	gt_buf_puts(&b, "");
	fn_print(argv, argc, false, &printed);
	const char *s = json_string_value(printed);
	size_t n = json_string_length(printed);
	for (size_t i = 0; s && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char h[8];
		if (url) {
			if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
				gt_buf_put(&b, s + i, 1);
			} else if (c == ' ') {
				gt_buf_puts(&b, "+");
			} else {
				snprintf(h, sizeof(h), "%%%02X", c);
				gt_buf_puts(&b, h);
			}
			continue;
		}
		switch (c) {
		case '"': gt_buf_puts(&b, "&#34;"); break;
		case '\'': gt_buf_puts(&b, "&#39;"); break;
		case '&': gt_buf_puts(&b, "&amp;"); break;
		case '<': gt_buf_puts(&b, "&lt;"); break;
		case '>': gt_buf_puts(&b, "&gt;"); break;
		case '\0': gt_buf_puts(&b, "\xEF\xBF\xBD"); break;
		default: gt_buf_put(&b, s + i, 1);
		}
	}
	json_decref(printed);
	*ret = string_of(&b);
	return 0;
}

struct function {
	const char *name;
	int min, max; /* arguments; max -1: any number */
};

static const struct function functions[] = {
	{ "and", 1, -1 },     { "or", 1, -1 },      { "not", 1, 1 },      { "len", 1, 1 },
	{ "index", 1, -1 },   { "slice", 1, -1 },   { "eq", 1, -1 },      { "ne", 2, 2 },
	{ "lt", 2, 2 },       { "le", 2, 2 },       { "gt", 2, 2 },       { "ge", 2, 2 },
	{ "print", 0, -1 },   { "printf", 1, -1 },  { "println", 0, -1 }, { "html", 0, -1 },
	{ "urlquery", 0, -1 }, { "json", 1, 1 },    { "split", 2, 2 },    { "join", 2, 2 },
	{ "title", 1, 1 },    { "lower", 1, 1 },    { "upper", 1, 1 },    { "pad", 3, 3 },
	{ "truncate", 2, 2 },
};

bool gt_function_exists(const char *name)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strcmp(functions[i].name, name) == 0)
			return true;
	return false;
}

static int call(const char *name, json_t **argv, size_t argc, json_t **ret, char **msg)
{
	if (strcmp(name, "not") == 0) {
		*ret = json_boolean(!gt_truth(argv[0]));
	} else if (strcmp(name, "len") == 0) {
		json_t *v = argv[0];
		if (json_is_string(v))
			*ret = json_integer((json_int_t)json_string_length(v));
		else if (json_is_array(v))
			*ret = json_integer((json_int_t)json_array_size(v));
		else if (json_is_object(v)) {
			size_t n;
			free(gt_sorted_keys(v, &n));
			*ret = json_integer((json_int_t)n);
		} else if (v == NULL || json_is_null(v))
			return set_msg(msg, CALL_FAILED, "len of nil pointer");
		else
			return set_msg(msg, CALL_FAILED, "len of type %s", gt_type_name(v));
	} else if (strcmp(name, "index") == 0) {
		return fn_index(argv, argc, ret, msg);
	} else if (strcmp(name, "slice") == 0) {
		return fn_slice(argv, argc, ret, msg);
	} else if (strcmp(name, "eq") == 0 || strcmp(name, "ne") == 0 || strcmp(name, "lt") == 0 ||
		   strcmp(name, "le") == 0 || strcmp(name, "gt") == 0 || strcmp(name, "ge") == 0) {
		if (argc < 2)
			return set_msg(msg, CALL_FAILED, "missing argument for comparison");
		bool ordered = name[0] == 'l' || name[0] == 'g', truth = false;
		for (size_t i = 1; i < argc; i++) {
			int cmp = 0;
			if (compare(argv[0], argv[i], &cmp, ordered, msg) < 0)
				return CALL_FAILED;
			if (strcmp(name, "eq") == 0)
				truth = truth || cmp == 0;
			else if (strcmp(name, "ne") == 0)
				truth = cmp != 0;
			else if (strcmp(name, "lt") == 0)
				truth = cmp < 0;
			else if (strcmp(name, "le") == 0)
				truth = cmp <= 0;
			else if (strcmp(name, "gt") == 0)
				truth = cmp > 0;
			else
				truth = cmp >= 0;
		}
		*ret = json_boolean(truth);
	} else if (strcmp(name, "print") == 0 || strcmp(name, "println") == 0) {
		return fn_print(argv, argc, name[5] == 'l', ret);
	} else if (strcmp(name, "printf") == 0) {
		if (want_string(argv[0], msg) < 0)
			return CALL_ARGS;
		struct gt_buf b = { 0 };
		gt_buf_puts(&b, "");
		for (size_t i = 1; i < argc; i++)
			if (argv[i] == NULL)
				argv[i] = json_null(); /* Go passes an invalid value as nil */
		sprintf_go(&b, json_string_value(argv[0]), json_string_length(argv[0]), argv + 1, argc - 1);
		*ret = string_of(&b);
	} else if (strcmp(name, "html") == 0 || strcmp(name, "urlquery") == 0) {
		return fn_escape(argv, argc, name[0] == 'u', ret);
	} else if (strcmp(name, "json") == 0) {
		return fn_json(argv[0], ret);
	} else if (strcmp(name, "split") == 0) {
		if (want_string(argv[0], msg) < 0 || want_string(argv[1], msg) < 0)
			return CALL_ARGS;
		return fn_split(argv[0], argv[1], ret);
	} else if (strcmp(name, "join") == 0) {
		if (want_string(argv[1], msg) < 0)
			return CALL_ARGS;
		return fn_join(argv[0], argv[1], ret, msg);
	} else if (strcmp(name, "title") == 0 || strcmp(name, "lower") == 0 || strcmp(name, "upper") == 0) {
		if (want_string(argv[0], msg) < 0)
			return CALL_ARGS;
		*ret = map_case(argv[0], name[0] == 'l' ? 0 : name[0] == 'u' ? 1 : 2);
	} else if (strcmp(name, "pad") == 0) {
		if (want_string(argv[0], msg) < 0 || want_int(argv[1], msg) < 0 || want_int(argv[2], msg) < 0)
			return CALL_ARGS;
		json_int_t pre = json_integer_value(argv[1]), post = json_integer_value(argv[2]);
		size_t n = json_string_length(argv[0]);
		if (n == 0) {
			*ret = json_incref(argv[0]);
			return 0;
		}
		if (pre < 0 || post < 0)
			return set_msg(msg, CALL_FAILED, "strings: negative Repeat count");
		if ((unsigned long long)pre + (unsigned long long)post + n > GOTEMPLATE_MAX_OUTPUT)
			return set_msg(msg, CALL_FAILED, "output larger than %u bytes", GOTEMPLATE_MAX_OUTPUT);
		struct gt_buf b = { 0 };
		gt_buf_puts(&b, "");
		for (json_int_t i = 0; i < pre; i++)
			gt_buf_put(&b, " ", 1);
		gt_buf_put(&b, json_string_value(argv[0]), n);
		for (json_int_t i = 0; i < post; i++)
			gt_buf_put(&b, " ", 1);
		*ret = string_of(&b);
	} else if (strcmp(name, "truncate") == 0) {
		if (want_string(argv[0], msg) < 0 || want_int(argv[1], msg) < 0)
			return CALL_ARGS;
		json_int_t l = json_integer_value(argv[1]);
		size_t n = json_string_length(argv[0]);
		if ((json_int_t)n < l) {
			*ret = json_incref(argv[0]);
			return 0;
		}
		if (l < 0)
			return set_msg(msg, CALL_FAILED, "slice bounds out of range [:%lld]", (long long)l);
		*ret = json_stringn_nocheck(json_string_value(argv[0]), (size_t)l);
	} else {
		return set_msg(msg, CALL_ARGS, "function \"%s\" not defined", name);
	}
	return 0;
}

int gt_call_function(const char *name, json_t **argv, size_t argc, json_t **ret, char **msg)
{
	*ret = NULL;
	*msg = NULL;
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		const struct function *f = &functions[i];
		if (strcmp(f->name, name) != 0)
			continue;
		if ((f->max >= 0 && (int)argc > f->max) || (int)argc < f->min) {
			if (f->max == f->min)
				return set_msg(msg, CALL_ARGS, "wrong number of args for %s: want %d got %zu", name,
					       f->min, argc);
			return set_msg(msg, CALL_ARGS, "wrong number of args for %s: want at least %d got %zu",
				       name, f->min, argc);
		}
		int r = call(name, argv, argc, ret, msg);
		if (r == 0 && *ret == NULL)
			return set_msg(msg, CALL_FAILED, "output larger than %u bytes or out of memory",
				       GOTEMPLATE_MAX_OUTPUT);
		return r;
	}
	return set_msg(msg, CALL_ARGS, "function \"%s\" not defined", name);
}
