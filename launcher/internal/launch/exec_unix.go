//go:build unix

package launch

import (
	"os"
	"os/exec"
	"syscall"
)

func execve(path string, argv, env []string) error {
	return syscall.Exec(path, argv, env)
}

// detach makes cmd start in its own session, away from the terminal's
// signals.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}

// lowerPriority makes this process (and what it starts) yield the CPU to
// everything else.
func lowerPriority() {
	syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19)
}

// inheritable returns a descriptor of f that survives exec.
func inheritable(f *os.File) (int, error) {
	return syscall.Dup(int(f.Fd())) // dup never sets close-on-exec
}

// writable reports whether the current user may create files in dir.
func writable(dir string) bool {
	return syscall.Access(dir, 0x2 /* W_OK */) == nil
}
