/* ignore.c: .dockerignore patterns and the matcher a context walk asks.
 *
 * Docker turns each pattern into a regular expression; here the same
 * language is matched directly: `*` is any run within a path element,
 * `?` one character of one, `**` any number of whole elements (followed
 * by a slash it may match none, at the end it matches everything), `[...]` a class (`^` negates),
 * `\` escapes.  Unlike .gitignore, a pattern without a slash does not
 * match in subdirectories: `*.o` is only the root's.  A directory that a
 * pattern excludes excludes what is below it, unless a later exception
 * matches there: the walk may only skip a directory when no exception
 * could match any path under it, which matching in "prefix" mode
 * answers. */
#include "libengine/build/ignore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* Where the class at P ("[...]") ends (after its ']') and whether C is
 * in it; NULL when the class is malformed. */
static const char *class_end(const char *p, char c, bool *in)
{
	bool negate = *++p == '^';
	bool found = false;
	if (negate)
		p++;
	if (*p == ']')
		return NULL; /* an empty class matches nothing: refused */
	while (*p != ']') {
		char lo = *p++;
		if (lo == '\0')
			return NULL;
		if (lo == '\\' && (lo = *p++) == '\0')
			return NULL;
		char hi = lo;
		if (*p == '-' && p[1] != ']') {
			hi = *++p;
			p++;
			if (hi == '\\' && (hi = *p++) == '\0')
				return NULL;
			if (hi == '\0' || hi < lo)
				return NULL;
		}
		if (c >= lo && c <= hi)
			found = true;
	}
	*in = found != negate;
	return p + 1;
}

/* One match of a pattern against a string.  Stars make the plain
 * backtracking search exponential ("*a*a*a*a*b"); remembering which
 * (pattern, string) positions already failed bounds it by their product. */
struct matcher {
	const char *pattern, *string;
	size_t columns; /* strlen(string) + 1 */
	unsigned char *failed;
	bool prefix; /* whether the pattern could match some string that STRING begins */
};

static bool match_at(struct matcher *m, const char *p, const char *s)
{
	size_t at = (size_t)(p - m->pattern) * m->columns + (size_t)(s - m->string);
	if (m->failed[at / 8] & (1u << (at % 8)))
		return false;
	bool ok = true;
	for (;;) {
		if (*s == '\0' && m->prefix)
			return true;
		switch (*p) {
		case '\0':
			ok = *s == '\0';
			break;
		case '*':
			if (p[1] == '*') {
				const char *rest = p + 2;
				if (*rest == '/')
					rest++;
				if (*rest == '\0' || match_at(m, rest, s))
					return true;
				for (const char *t = s; *t != '\0'; t++)
					if (*t == '/' && match_at(m, rest, t + 1))
						return true;
				ok = false;
				break;
			}
			for (const char *t = s;; t++) {
				if (match_at(m, p + 1, t))
					return true;
				if (*t == '\0' || *t == '/')
					break;
			}
			ok = false;
			break;
		case '?':
			ok = *s != '\0' && *s != '/';
			break;
		case '[': {
			bool in = false;
			const char *end = class_end(p, *s, &in);
			ok = end != NULL && *s != '\0' && *s != '/' && in;
			if (ok)
				p = end - 1; /* the step below passes its ']' */
			break;
		}
		case '\\':
			ok = *++p == *s;
			break;
		default:
			ok = *p == *s;
		}
		if (!ok || *p == '\0')
			break;
		p++;
		s++;
	}
	if (!ok)
		m->failed[at / 8] |= (unsigned char)(1u << (at % 8));
	return ok;
}

/* 1 when PATTERN matches S whole or, PREFIX, could match some string
 * that S begins; 0 when not; -1 when memory is short. */
static int match(const char *pattern, const char *s, bool prefix)
{
	size_t columns = strlen(s) + 1;
	struct matcher m = { .pattern = pattern, .string = s, .columns = columns, .prefix = prefix };
	m.failed = calloc((strlen(pattern) + 1) * columns / 8 + 1, 1);
	if (m.failed == NULL)
		return -1;
	bool r = match_at(&m, pattern, s);
	free(m.failed);
	return r;
}

/* Whether PATTERN is well formed: its classes closed, no lone '\' last. */
static bool pattern_valid(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (*++p == '\0')
				return false;
		} else if (*p == '[') {
			bool in;
			const char *end = class_end(p, 'a', &in);
			if (end == NULL)
				return false;
			p = end - 1;
		}
	}
	return true;
}

/* PATH cleaned as Go's path.Clean: no empty or "." elements, ".." taking
 * the element before it away (or kept at the start of a relative path,
 * dropped at the root), "." for nothing. */
static char *clean(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2);
	if (out == NULL)
		return NULL;
	bool rooted = path[0] == '/';
	size_t r = 0, w = 0, floor = 0; /* FLOOR: where ".." may no longer pop */
	if (rooted)
		out[w++] = '/', r = floor = 1;
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > floor) {
				w--;
				while (w > floor && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				floor = w;
			}
		} else {
			if (w != (rooted ? 1 : 0))
				out[w++] = '/';
			while (r < n && path[r] != '/')
				out[w++] = path[r++];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

static int add_pattern(struct engine_dockerignore *ig, const char *text, size_t len, unsigned line,
		       const char *file, struct engine_error **err)
{
	bool exception = len > 0 && text[0] == '!';
	if (exception) {
		text++, len--;
		while (len > 0 && (*text == ' ' || *text == '\t'))
			text++, len--;
		if (len == 0)
			return engine_error_set(err, EINVAL, "%s:%u: illegal exclusion pattern: \"!\"", file, line);
	}
	cleanup_free char *raw = strndup(text, len);
	cleanup_free char *cleaned = raw != NULL ? clean(raw) : NULL;
	struct engine_dockerignore_pattern *grown =
		cleaned != NULL ? realloc(ig->patterns, (ig->n_patterns + 1) * sizeof(*grown)) : NULL;
	if (grown == NULL)
		return engine_error_set(err, ENOMEM, "%s: out of memory", file);
	ig->patterns = grown;
	char *pattern = cleaned;
	if (pattern[0] == '/' && pattern[1] != '\0')
		memmove(pattern, pattern + 1, strlen(pattern));
	/* the matcher's memory grows with the pattern times the path */
	if (strlen(pattern) > 4096)
		return engine_error_set(err, EINVAL, "%s:%u: pattern too long", file, line);
	if (!pattern_valid(pattern))
		return engine_error_set(err, EINVAL, "%s:%u: syntax error in pattern: %s", file, line, pattern);
	grown[ig->n_patterns++] = (struct engine_dockerignore_pattern){
		.pattern = steal_pointer(&cleaned), .exception = exception, .line = line
	};
	return 0;
}

int engine_dockerignore_parse(const char *data, size_t size, const char *file_name, struct engine_dockerignore **ret,
			      struct engine_error **err)
{
	const char *file = file_name != NULL ? file_name : ".dockerignore";
	struct engine_dockerignore *ig = calloc(1, sizeof(*ig));
	if (ig == NULL)
		return engine_error_set(err, ENOMEM, "%s: out of memory", file);
	size_t pos = size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (unsigned line = 1; pos < size; line++) {
		const char *start = data + pos;
		const char *nl = memchr(start, '\n', size - pos);
		size_t len = nl != NULL ? (size_t)(nl - start) : size - pos;
		pos += len + 1;
		if (memchr(start, '\0', len) != NULL) {
			engine_dockerignore_free(&ig);
			return engine_error_set(err, EINVAL, "%s:%u: NUL byte in line", file, line);
		}
		/* a comment is a '#' in the first column, before any trimming */
		if (len > 0 && start[0] == '#')
			continue;
		while (len > 0 && (start[0] == ' ' || start[0] == '\t' || start[0] == '\r' || start[0] == '\v' ||
				   start[0] == '\f'))
			start++, len--;
		while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t' || start[len - 1] == '\r' ||
				   start[len - 1] == '\v' || start[len - 1] == '\f'))
			len--;
		if (len == 0)
			continue;
		if (add_pattern(ig, start, len, line, file, err) < 0) {
			engine_dockerignore_free(&ig);
			return -1;
		}
	}
	*ret = ig;
	return 0;
}

void engine_dockerignore_free(struct engine_dockerignore **ig)
{
	if (*ig == NULL)
		return;
	for (size_t i = 0; i < (*ig)->n_patterns; i++)
		free((*ig)->patterns[i].pattern);
	free((*ig)->patterns);
	free(*ig);
	*ig = NULL;
}

/* 1 when PATTERN matches PATH (cleaned, writable) or a directory above
 * it, 0 when not, -1 when memory is short. */
static int match_or_parent(const char *pattern, char *path)
{
	int r = match(pattern, path, false);
	for (char *p = path; r == 0 && *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		r = match(pattern, path, false);
		*p = '/';
	}
	return r;
}

/* PATH as the patterns see it: cleaned, relative to the context's root
 * ("." for the root itself). */
static char *relative_path(const char *path)
{
	char *cleaned = clean(path);
	if (cleaned == NULL)
		return NULL;
	size_t lead = strspn(cleaned, "/");
	if (cleaned[lead] == '\0')
		strcpy(cleaned, ".");
	else if (lead > 0)
		memmove(cleaned, cleaned + lead, strlen(cleaned + lead) + 1);
	return cleaned;
}

int engine_dockerignore_excluded(const struct engine_dockerignore *ig, const char *path)
{
	cleanup_free char *relative = relative_path(path);
	if (relative == NULL)
		return -ENOMEM;
	/* the root is the context itself: always sent */
	if (strcmp(relative, ".") == 0)
		return 0;
	bool excluded = false;
	for (size_t i = 0; i < ig->n_patterns; i++) {
		const struct engine_dockerignore_pattern *p = &ig->patterns[i];
		/* an exclusion cannot add to an excluded path, nor an
		 * exception to one that is sent */
		if (p->exception != excluded)
			continue;
		int r = match_or_parent(p->pattern, relative);
		if (r < 0)
			return -ENOMEM;
		if (r > 0)
			excluded = !p->exception;
	}
	return excluded;
}

int engine_dockerignore_skip_dir(const struct engine_dockerignore *ig, const char *dir)
{
	int r = engine_dockerignore_excluded(ig, dir);
	if (r <= 0)
		return r;
	cleanup_free char *relative = relative_path(dir);
	cleanup_free char *below = relative != NULL ? malloc(strlen(relative) + 2) : NULL;
	if (below == NULL)
		return -ENOMEM;
	strcpy(below, relative);
	strcat(below, "/");
	for (size_t i = 0; i < ig->n_patterns; i++) {
		if (!ig->patterns[i].exception)
			continue;
		r = match(ig->patterns[i].pattern, below, true);
		if (r != 0)
			return r < 0 ? -ENOMEM : 0;
	}
	return 1;
}
