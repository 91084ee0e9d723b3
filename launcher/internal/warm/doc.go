// Package warm owns what a warm start needs, shared by the first stage
// (launcher/first) and the full launcher: the plan file and its keys, the
// identities (FileID) it watches, the cache root's name, how the process
// names its archive and sys.argv[0], the environment's lock, and the
// command and environment that run the application.
//
// The first stage links this package on every start of every archive, so
// it imports nothing with a costly init or a large footprint: no fmt, no
// encoding/json, no compression, no os/exec. A test keeps it so.
package warm
