/* cs-parallel.c: splitting rows over workers and running the workers on pthreads. */
#include "config.h"

#include <pthread.h>

#include "cs-parallel.h"

size_t
cs_parallel_split (size_t  n,
                   int     n_threads,
                   size_t  block,
                   size_t *per)
{
  size_t nt = n_threads > 1 ? (size_t) n_threads : 1;

  if (nt > CS_MAX_THREADS)
    nt = CS_MAX_THREADS;
  if (nt > (n + block - 1) / block)
    nt = (n + block - 1) / block;
  if (nt < 1)
    nt = 1;
  *per = ((n + nt - 1) / nt + block - 1) / block * block;
  /* whole blocks per worker can leave the last ones without rows: drop them */
  if (*per > 0 && nt > (n + *per - 1) / *per)
    nt = (n + *per - 1) / *per;
  return nt > 0 ? nt : 1;
}

void
cs_parallel_run (size_t   n_jobs,
                 size_t   job_size,
                 void    *jobs,
                 void  *(*fn) (void *))
{
  pthread_t tid[CS_MAX_THREADS];
  int started[CS_MAX_THREADS];

  if (n_jobs == 0)
    return;
  for (size_t t = 1; t < n_jobs && t < CS_MAX_THREADS; t++)
    started[t] = pthread_create (&tid[t], NULL, fn, (char *) jobs + t * job_size) == 0;
  fn (jobs);
  for (size_t t = 1; t < n_jobs; t++)
    {
      if (t < CS_MAX_THREADS && started[t])
        pthread_join (tid[t], NULL);
      else
        fn ((char *) jobs + t * job_size);
    }
}
