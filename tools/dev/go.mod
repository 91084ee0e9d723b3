module github.com/rules-pex/rules_pex/tools/dev

go 1.26

require (
	github.com/bazelbuild/bazel-gazelle v0.40.0
	github.com/bazelbuild/buildtools v0.0.0-20260904073137-eaa4d125b423
)

require (
	github.com/bmatcuk/doublestar/v4 v4.7.1 // indirect
	github.com/golang/protobuf v1.5.0 // indirect
	github.com/google/safeopen v0.0.0-20260327150837-43626d6f4685 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	golang.org/x/mod v0.21.0 // indirect
	golang.org/x/sync v0.8.0 // indirect
	golang.org/x/sys v0.26.0 // indirect
	golang.org/x/tools/go/vcs v0.1.0-deprecated // indirect
	google.golang.org/protobuf v1.33.0 // indirect
)
