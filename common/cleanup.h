/* cleanup.h: scope-bound release of resources, as systemd and crun do it.
 * Declare with cleanup_free / cleanup_close / cleanup_dir / ..., hand
 * ownership away with steal_pointer() or take_fd(). */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <jansson.h>

#include "common/error.h"

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void cleanup_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}
static inline void cleanup_dirp(DIR **d)
{
	if (*d != NULL) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}
static inline void cleanup_jsonp(json_t **j)
{
	json_decref(*j);
}
static inline void cleanup_errorp(struct engine_error **e)
{
	engine_error_free(e);
}

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(cleanup_dirp)))
#define cleanup_json __attribute__((cleanup(cleanup_jsonp)))
#define cleanup_error __attribute__((cleanup(cleanup_errorp)))

static inline void *steal_pointer_impl(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))steal_pointer_impl(pp))

static inline int take_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
