/*
 * pipeline.h - signatures verified and records hashed on worker threads
 * ahead of the audit (pipeline.c).
 */
#ifndef AVOW_PIPELINE_H
#define AVOW_PIPELINE_H

#include "audit.h"

typedef struct avow_pipe avow_pipe;

/* Start jobs workers (0: one per core) reading ahead from src. NULL when
 * one thread would do (or threads cannot start): read src directly. */
avow_pipe *avow_pipe_start(avow_source *src, unsigned jobs);

/* As src->next, in order, with the work done ahead in *hint. The record
 * stays valid until the next call. */
avow_status avow_pipe_next(avow_pipe *p, const uint8_t **rec, size_t *len,
			   avow_error *err, const avow_feed_hint **hint);

/* Tell the workers the public key of a key id the audit accepted. */
void avow_pipe_add_key(avow_pipe *p, const char *id, const uint8_t pk[32]);

void avow_pipe_stop(avow_pipe *p);

#endif
