/* log.h: a detached container's log as its monitor writes it
 * (log.c): k8s-file, json-file or none.  Internal to libengine. */
#pragma once

#include <stddef.h>

#include "libengine/runtime/spec.h"

struct monitor_log;
/* Open the log of SPEC's container as its --log-driver says (k8s-file,
 * json-file, or none: nothing written).  NULL only when out of memory. */
struct monitor_log *monitor_log_open(const struct engine_run_spec *spec);
/* Output of STREAM (1 stdout, 2 stderr): cut into lines, one record each. */
void monitor_log_output(struct monitor_log *l, int stream, const char *buf, size_t len);
/* The container exited: write what is left of an unfinished line. */
void monitor_log_flush(struct monitor_log *l);
void monitor_log_close(struct monitor_log *l);
