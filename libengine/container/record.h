/* record.h: a container's record on disk, config.json and
 * state.json, as typed structs.  One field table (record.c)
 * names every member, its type and where it lives in struct
 * engine_container, struct engine_run_spec or struct
 * engine_container_state; the writer, the reader and the fast scanner
 * that `ps` uses all walk that table, so a field added there is written,
 * read back and listed alike.
 *
 * Enums are written as strings, so that reordering an enum cannot change
 * what an existing record means; records written before that (version 0,
 * integers) are still read.  Each document carries "version". */
#pragma once

#include <stddef.h>

#include <jansson.h>

#include "libengine/container/containers.h"
#include "common/error.h"

/* Written into both documents.  0: no "version" (enums as integers). */
#define ENGINE_RECORD_VERSION 1

/* The bounds every reader applies. */
#define ENGINE_RECORD_CONFIG_MAX (1u << 20)
#define ENGINE_RECORD_STATE_MAX (64u << 10)

/* config.json of C: its ID, name, image and creation time, and C->spec
 * under "Spec" (new ref; NULL without memory). */
json_t *engine_record_config_json(const struct engine_container *c);
/* state.json (new ref; NULL without memory). */
json_t *engine_record_state_json(const struct engine_container_state *state);

/* Fill C (name, image, creation time, C->spec, C->record_version) from
 * config.json J; C->id is the caller's.  A value that cannot be read is
 * kept as the first error in C->record_error (start reports it; ps, rm
 * and inspect still see the rest): -1 only without memory. */
int engine_record_config_from_json(json_t *j, struct engine_container *c,
				   struct engine_error **err);
/* STATE from state.json J; what cannot be read keeps its zero value. */
void engine_record_state_from_json(json_t *j, struct engine_container_state *state);

/* The fast path of ps: walk config.json's TEXT without building it and
 * fill only the fields the listing shows (the table's summary fields).
 * 0 when read; non-zero when the caller must parse it in full (escapes
 * where a plain value was expected, a malformed document). */
int engine_record_config_scan(const char *text, size_t len, struct engine_container *c);
/* The same for state.json: every field. */
int engine_record_state_scan(const char *text, size_t len, struct engine_container_state *state);

/* A deep copy of SPEC through the record (what config.json would give
 * back): RET is zeroed first and is the caller's to free. */
int engine_record_spec_copy(const struct engine_run_spec *spec, struct engine_run_spec *ret,
			    struct engine_error **err);
