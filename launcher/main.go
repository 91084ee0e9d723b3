// Command launcher is the native program at the start of every rules_pex
// archive. It takes no flags of its own: the user's arguments pass through
// to the application. See docs/launcher.md for what it does and the
// environment variables that control it; the work is in launcher/internal/launch.
//
// The go:debug settings below spare each start the reading of cgroup files
// and a background goroutine that Go otherwise uses to size GOMAXPROCS to
// the container: a launcher runs for about a millisecond and then execs.

//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"os"

	"github.com/rules-pex/rules_pex/launcher/internal/launch"
)

func main() {
	os.Exit(launch.Main())
}
