/* hwm: runs CMD under ptrace and prints to stderr, for every process it
 * starts, its VmHWM (peak RSS), RssAnon and RssFile just before each execve
 * (the image being replaced) and as it exits: which process of a run sets
 * the peak that wait4 reports for the whole run (bench/findings.md).
 *
 *   cc -O2 -o hwm bench/hwm.c && PEX_ROOT=$(mktemp -d) ./hwm ./app
 *
 * Linux x86-64 only (it reads orig_rax). Not used by bench.py; ptrace slows
 * the command, so take timings with bench/measure.c instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPTIONS                                                                       \
  (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
   PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC)

/* report prints the memory figures of the process (or thread) pid. Threads
 * share their process's memory: their exits are not reported. */
static void report(pid_t pid, const char *when) {
  char path[64], line[256], name[64] = "?", cmd[512] = "";
  long hwm = -1, anon = -1, file = -1, tgid = -1;
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmHWM:", 6)) hwm = atol(line + 6);
    if (!strncmp(line, "RssAnon:", 8)) anon = atol(line + 8);
    if (!strncmp(line, "RssFile:", 8)) file = atol(line + 8);
    if (!strncmp(line, "Tgid:", 5)) tgid = atol(line + 5);
    if (!strncmp(line, "Name:", 5)) sscanf(line + 5, "%63s", name);
  }
  fclose(f);
  if (tgid != pid && strcmp(when, "exit") == 0) return;
  snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
  f = fopen(path, "r");
  if (f != NULL) {
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    cmd[n] = 0;
    for (size_t i = 0; i + 1 < n; i++)
      if (cmd[i] == 0 || cmd[i] == '\n') cmd[i] = ' ';
    fclose(f);
  }
  cmd[80] = 0;
  fprintf(stderr, "hwm: pid %d %-6s %-15s VmHWM %6ld kB (anon %6ld, file %6ld)  %s\n", pid, when,
          name, hwm, anon, file, cmd);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: hwm CMD [ARG...]\n");
    return 2;
  }
  pid_t child = fork();
  if (child == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int st, rc = 0;
  waitpid(child, &st, 0);
  ptrace(PTRACE_SETOPTIONS, child, 0, OPTIONS);
  ptrace(PTRACE_SYSCALL, child, 0, 0);
  for (;;) {
    pid_t pid = waitpid(-1, &st, __WALL);
    if (pid < 0) break;
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      if (pid == child) rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      continue;
    }
    int sig = 0, s = WSTOPSIG(st), event = st >> 16;
    if (s == (SIGTRAP | 0x80)) { /* a system call's entry or exit */
      struct user_regs_struct r;
      ptrace(PTRACE_GETREGS, pid, 0, &r);
      if (r.orig_rax == SYS_execve && r.rax == (unsigned long long)-ENOSYS) report(pid, "execve");
    } else if (s == SIGTRAP && event == PTRACE_EVENT_EXIT) {
      report(pid, "exit");
    } else if (s == SIGTRAP && event != 0) {
      /* fork, clone, exec events: nothing to do */
    } else if (s == SIGSTOP) { /* a new child's first stop */
      ptrace(PTRACE_SETOPTIONS, pid, 0, OPTIONS);
    } else {
      sig = s;
    }
    ptrace(PTRACE_SYSCALL, pid, 0, sig);
  }
  return rc;
}
