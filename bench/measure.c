/* measure: runs a command and writes its wall time, CPU time, peak RSS and
 * exit status to a file, for bench/bench.py.
 *
 *   measure RESULT CMD [ARG...]
 *
 * RESULT gets one line: "wall_ns user_us sys_us maxrss_kb exit_code" where
 * exit_code is 128+N when CMD was killed by signal N. The figures come from
 * wait4's rusage (the command and every child it waited for), as GNU time's
 * %e %U %S %M do; wall time is CLOCK_MONOTONIC around fork..wait4.
 *
 * Why not time the command from Python directly: a process forked from a
 * large parent inherits the parent's resident pages in its peak RSS until it
 * execs, so ru_maxrss of a child of the Python harness is never below the
 * harness's own size. This program is small, so its children start small.
 * measure's own exit status is 0 when it wrote RESULT (whatever CMD's status;
 * 127 there when CMD could not be executed), 2 on errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: measure RESULT CMD [ARG...]\n");
    return 2;
  }
  FILE *out = fopen(argv[1], "w");
  if (out == NULL) {
    fprintf(stderr, "measure: opening %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "measure: fork: %s\n", strerror(errno));
    return 2;
  }
  if (pid == 0) {
    fclose(out);
    execvp(argv[2], argv + 2);
    fprintf(stderr, "measure: executing %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
      return 2;
    }
  }
  long long wall = now_ns() - t0;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  fprintf(out, "%lld %lld %lld %ld %d\n", wall,
          (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec,
          (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec, ru.ru_maxrss, code);
  if (fclose(out) != 0) {
    fprintf(stderr, "measure: writing %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  return 0;
}
