/*
 * report.h - provenance reports (docs/REPORTS.md). One model, the JSON
 * report object (avow-report/v1), is built from audited records by
 * report.c; every format is rendered from it.
 */
#ifndef AVOW_CMD_REPORT_H
#define AVOW_CMD_REPORT_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Renderers: each writes the whole report to out and returns 0, or -1 on
 * a write error or when out of memory. `report` is the object documented
 * in docs/REPORTS.md. */
int render_text(const cJSON *report, FILE *out, int colour);
int render_md(const cJSON *report, FILE *out);
int render_html(const cJSON *report, FILE *out);
int render_dot(const cJSON *report, FILE *out);
int render_prov(const cJSON *report, FILE *out);

#endif
