/* cs-parallel.h: the model's one pthread fan-out (internal, not API, not installed). */
#pragma once

#include <stddef.h>

/* At most this many workers in one fan-out. */
#define CS_MAX_THREADS 64

/* Workers for n rows in blocks of `block` (> 0): n_threads (values below 1 mean
 * 1), at most CS_MAX_THREADS and at most one per block. *per is the rows of a
 * worker, a multiple of block, so worker t has rows [t per, min ((t + 1) per, n)).
 * The count returned is of workers that have rows (1 when n is 0), so every
 * worker has something to do. */
size_t cs_parallel_split (size_t n,
                          int    n_threads,
                          size_t block,
                          size_t *per);

/* Run fn on n_jobs jobs that lie job_size bytes apart from jobs on: job 0 on the
 * calling thread, each of the others on a thread of its own, or on the calling
 * thread after job 0 when its thread cannot be started (or beyond
 * CS_MAX_THREADS jobs). Returns when every job has finished. fn's return value
 * is ignored: jobs report through their own struct. */
void   cs_parallel_run   (size_t   n_jobs,
                          size_t   job_size,
                          void    *jobs,
                          void  *(*fn) (void *));
