/*
 * report_build.h - building the report model from audited records
 * (report.c); used by `avow report` and `avow search`.
 */
#ifndef AVOW_CMD_REPORT_BUILD_H
#define AVOW_CMD_REPORT_BUILD_H

#include "model.h"
#include "report.h"

typedef struct rbuild rbuild;

/* Start a report over model m of audit `audit`, seeing records up to seq
 * `last` (the audit's size - 1 for the whole log). NULL when out of
 * memory. */
rbuild *report_begin(model *m, avow_audit *audit, uint64_t last);
void report_end(rbuild *b);
int report_oom(const rbuild *b);

/* The STATEMENT object of docs/REPORTS.md for r; with nested, its
 * responses are threaded under it. NULL when out of memory. */
cJSON *report_statement(rbuild *b, const mrec *r, int nested);
/* The ACTOR objects of every actor named so far, in id order. */
cJSON *report_actors(rbuild *b);
/* r's body with its amendments up to the report's last seq (a copy). */
cJSON *report_body(rbuild *b, const mrec *r);
/* Whether actor id is root or (transitively) part_of it. */
int report_part_of(rbuild *b, const char *id, const char *root);
/* Append the id, name and aliases of actor id (as of the report) to out,
 * one per line: what a search matches an actor by. */
void report_actor_words(rbuild *b, const char *id, avow_buf *out);
/* The holder text of a key id. */
const char *report_holder(rbuild *b, const char *key_id);
/* "July 2023" for "2023-07", and so on. */
void report_human_date(const char *d, char *out, size_t n);

#endif
