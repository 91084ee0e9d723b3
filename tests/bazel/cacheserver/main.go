// Command cacheserver is the remote cache of the e2e suite (tests/bazel/run):
// one content-addressed store on disk, served over both of Bazel's remote
// cache protocols, so that a build can fill it over one and read it over the
// other.
//
//   - HTTP: GET, HEAD and PUT of /ac/SHA256 and /cas/SHA256 (Bazel's
//     --remote_cache=http://...). An AC entry is a serialized ActionResult,
//     as Bazel's HTTP cache client writes it.
//   - gRPC: the cache part of the Remote Execution API v2 (Capabilities,
//     ActionCache, ContentAddressableStorage, ByteStream), for
//     --remote_cache=grpc://... No Execution service.
//
// It stands in for bazel-remote, whose source the Go module proxy refused
// (403 for github.com/buchgr/bazel-remote/v2@v2.4.4's zip) when this was
// written. Swapping bazel-remote in means changing start_cache in
// tests/bazel/run, and the remote step's check of the /status counters,
// which are this server's own.
//
// Like bazel-remote it checks CAS uploads against their digests and answers
// an AC lookup only when every output blob of the result is in the CAS, which
// Build without the Bytes relies on. It never evicts: -max_size bounds the
// store, and an upload that would pass it fails (RESOURCE_EXHAUSTED, or HTTP
// 507).
//
// Both listeners bind to loopback addresses only. With port 0 the kernel
// picks a free port; -ports_file receives "http=PORT grpc=PORT" once both
// are listening, which is how the suite learns them. GET /status answers
// JSON counters of hits, misses and uploads per protocol.
//
// usage: cacheserver -dir DIR [-max_size BYTES] [-http ADDR] [-grpc ADDR] [-ports_file FILE]
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	smpb "github.com/bazelbuild/remote-apis/build/bazel/semver"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// emptySHA256 is the digest of the empty blob, which every CAS holds.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// errFull is returned by store.put when a blob would take the store past
// its -max_size.
var errFull = errors.New("the cache is full (-max_size)")

// errDigest is returned by store.put when a CAS blob's content does not hash
// to its key.
var errDigest = errors.New("content does not match its sha256")

// store keeps blobs as files DIR/ac/HASH and DIR/cas/HASH, written through a
// temporary file and a rename, so that a reader never sees half a blob.
type store struct {
	dir     string
	maxSize int64
	size    atomic.Int64
	mu      sync.Mutex // serializes the size check with the rename
}

func newStore(dir string, maxSize int64) (*store, error) {
	s := &store{dir: dir, maxSize: maxSize}
	for _, kind := range []string{"ac", "cas", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, kind), 0o755); err != nil {
			return nil, err
		}
	}
	for _, kind := range []string{"ac", "cas"} {
		entries, err := os.ReadDir(filepath.Join(dir, kind))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if info, err := e.Info(); err == nil {
				s.size.Add(info.Size())
			}
		}
	}
	return s, nil
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

func (s *store) path(kind, hash string) string { return filepath.Join(s.dir, kind, hash) }

// get returns the blob, or nil and os.ErrNotExist.
func (s *store) get(kind, hash string) ([]byte, error) {
	if kind == "cas" && hash == emptySHA256 {
		return []byte{}, nil
	}
	return os.ReadFile(s.path(kind, hash))
}

func (s *store) has(kind, hash string) bool {
	if kind == "cas" && hash == emptySHA256 {
		return true
	}
	_, err := os.Stat(s.path(kind, hash))
	return err == nil
}

// put stores data under kind/hash; a CAS blob must hash to its key.
func (s *store) put(kind, hash string, data []byte) error {
	if kind == "cas" {
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != hash {
			return fmt.Errorf("cas/%s: %w", hash, errDigest)
		}
		if s.has(kind, hash) {
			return nil
		}
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), hash)
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var old int64
	if info, err := os.Stat(s.path(kind, hash)); err == nil {
		old = info.Size()
	}
	if s.maxSize > 0 && s.size.Load()-old+int64(len(data)) > s.maxSize {
		return fmt.Errorf("%s/%s (%d bytes): %w", kind, hash, len(data), errFull)
	}
	if err := os.Rename(f.Name(), s.path(kind, hash)); err != nil {
		return err
	}
	s.size.Add(int64(len(data)) - old)
	return nil
}

// complete reports whether every blob an ActionResult names is in the CAS.
func (s *store) complete(r *repb.ActionResult) bool {
	digests := []*repb.Digest{r.StdoutDigest, r.StderrDigest}
	for _, f := range r.OutputFiles {
		digests = append(digests, f.Digest)
	}
	for _, d := range r.OutputDirectories {
		digests = append(digests, d.TreeDigest)
	}
	for _, d := range digests {
		if d != nil && !s.has("cas", d.Hash) {
			return false
		}
	}
	return true
}

// counters are the numbers GET /status reports.
type counters struct {
	HTTPACHits, HTTPACMisses, HTTPCASHits, HTTPCASMisses, HTTPUploads   atomic.Int64
	GRPCACHits, GRPCACMisses, GRPCCASReads, GRPCCASMissing, GRPCUploads atomic.Int64
}

func (c *counters) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]int64{
		"http_ac_hits": c.HTTPACHits.Load(), "http_ac_misses": c.HTTPACMisses.Load(),
		"http_cas_hits": c.HTTPCASHits.Load(), "http_cas_misses": c.HTTPCASMisses.Load(),
		"http_uploads": c.HTTPUploads.Load(),
		"grpc_ac_hits": c.GRPCACHits.Load(), "grpc_ac_misses": c.GRPCACMisses.Load(),
		"grpc_cas_reads": c.GRPCCASReads.Load(), "grpc_cas_missing": c.GRPCCASMissing.Load(),
		"grpc_uploads": c.GRPCUploads.Load(),
	})
}

type server struct {
	st    *store
	stats counters
	repb.UnimplementedActionCacheServer
	repb.UnimplementedContentAddressableStorageServer
	repb.UnimplementedCapabilitiesServer
	bspb.UnimplementedByteStreamServer
}

// ServeHTTP answers Bazel's HTTP cache protocol and /status.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/status" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(&s.stats)
		return
	}
	// Bazel puts an instance name, if any, in front: take the last two parts.
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || (parts[len(parts)-2] != "ac" && parts[len(parts)-2] != "cas") || !validHash(parts[len(parts)-1]) {
		http.Error(w, "want /ac/SHA256 or /cas/SHA256", http.StatusNotFound)
		return
	}
	kind, hash := parts[len(parts)-2], parts[len(parts)-1]
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		data, err := s.st.get(kind, hash)
		hit := err == nil
		if hit && kind == "ac" {
			var ar repb.ActionResult
			hit = proto.Unmarshal(data, &ar) == nil && s.st.complete(&ar)
		}
		switch {
		case !hit && kind == "ac":
			s.stats.HTTPACMisses.Add(1)
		case !hit:
			s.stats.HTTPCASMisses.Add(1)
		case kind == "ac":
			s.stats.HTTPACHits.Add(1)
		default:
			s.stats.HTTPCASHits.Add(1)
		}
		if !hit {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		if r.Method == http.MethodGet {
			w.Write(data)
		}
	case http.MethodPut:
		data, err := io.ReadAll(r.Body)
		if err == nil {
			err = s.st.put(kind, hash, data)
		}
		switch {
		case errors.Is(err, errFull):
			http.Error(w, err.Error(), http.StatusInsufficientStorage)
		case errors.Is(err, errDigest):
			http.Error(w, err.Error(), http.StatusBadRequest)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			s.stats.HTTPUploads.Add(1)
		}
	default:
		http.Error(w, "GET, HEAD or PUT", http.StatusMethodNotAllowed)
	}
}

func (s *server) GetCapabilities(context.Context, *repb.GetCapabilitiesRequest) (*repb.ServerCapabilities, error) {
	return &repb.ServerCapabilities{
		CacheCapabilities: &repb.CacheCapabilities{
			DigestFunctions:               []repb.DigestFunction_Value{repb.DigestFunction_SHA256},
			ActionCacheUpdateCapabilities: &repb.ActionCacheUpdateCapabilities{UpdateEnabled: true},
			MaxBatchTotalSizeBytes:        4 << 20,
			SymlinkAbsolutePathStrategy:   repb.SymlinkAbsolutePathStrategy_ALLOWED,
		},
		LowApiVersion:  &smpb.SemVer{Major: 2},
		HighApiVersion: &smpb.SemVer{Major: 2},
	}, nil
}

func badDigest(d *repb.Digest) error {
	if d == nil || !validHash(d.Hash) || d.SizeBytes < 0 {
		return status.Errorf(codes.InvalidArgument, "want a sha256 digest, got %v", d)
	}
	return nil
}

func putError(err error) error {
	switch {
	case errors.Is(err, errFull):
		return status.Error(codes.ResourceExhausted, err.Error())
	case errors.Is(err, errDigest):
		return status.Error(codes.InvalidArgument, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

func (s *server) GetActionResult(_ context.Context, req *repb.GetActionResultRequest) (*repb.ActionResult, error) {
	if err := badDigest(req.ActionDigest); err != nil {
		return nil, err
	}
	data, err := s.st.get("ac", req.ActionDigest.Hash)
	var ar repb.ActionResult
	if err != nil || proto.Unmarshal(data, &ar) != nil || !s.st.complete(&ar) {
		s.stats.GRPCACMisses.Add(1)
		return nil, status.Errorf(codes.NotFound, "ac/%s", req.ActionDigest.Hash)
	}
	s.stats.GRPCACHits.Add(1)
	return &ar, nil
}

func (s *server) UpdateActionResult(_ context.Context, req *repb.UpdateActionResultRequest) (*repb.ActionResult, error) {
	if err := badDigest(req.ActionDigest); err != nil {
		return nil, err
	}
	data, err := proto.Marshal(req.ActionResult)
	if err == nil {
		err = s.st.put("ac", req.ActionDigest.Hash, data)
	}
	if err != nil {
		return nil, putError(err)
	}
	s.stats.GRPCUploads.Add(1)
	return req.ActionResult, nil
}

func (s *server) FindMissingBlobs(_ context.Context, req *repb.FindMissingBlobsRequest) (*repb.FindMissingBlobsResponse, error) {
	resp := &repb.FindMissingBlobsResponse{}
	for _, d := range req.BlobDigests {
		if err := badDigest(d); err != nil {
			return nil, err
		}
		if !s.st.has("cas", d.Hash) {
			resp.MissingBlobDigests = append(resp.MissingBlobDigests, d)
		}
	}
	return resp, nil
}

func (s *server) BatchUpdateBlobs(_ context.Context, req *repb.BatchUpdateBlobsRequest) (*repb.BatchUpdateBlobsResponse, error) {
	resp := &repb.BatchUpdateBlobsResponse{}
	for _, r := range req.Requests {
		st := status.New(codes.OK, "")
		if err := badDigest(r.Digest); err != nil {
			st, _ = status.FromError(err)
		} else if err := s.st.put("cas", r.Digest.Hash, r.Data); err != nil {
			st, _ = status.FromError(putError(err))
		} else {
			s.stats.GRPCUploads.Add(1)
		}
		resp.Responses = append(resp.Responses, &repb.BatchUpdateBlobsResponse_Response{Digest: r.Digest, Status: st.Proto()})
	}
	return resp, nil
}

func (s *server) BatchReadBlobs(_ context.Context, req *repb.BatchReadBlobsRequest) (*repb.BatchReadBlobsResponse, error) {
	resp := &repb.BatchReadBlobsResponse{}
	for _, d := range req.Digests {
		if err := badDigest(d); err != nil {
			return nil, err
		}
		r := &repb.BatchReadBlobsResponse_Response{Digest: d}
		data, err := s.st.get("cas", d.Hash)
		if err != nil {
			s.stats.GRPCCASMissing.Add(1)
			r.Status = status.New(codes.NotFound, "cas/"+d.Hash).Proto()
		} else {
			s.stats.GRPCCASReads.Add(1)
			r.Data, r.Status = data, status.New(codes.OK, "").Proto()
		}
		resp.Responses = append(resp.Responses, r)
	}
	return resp, nil
}

// blobResource parses "[INSTANCE/]blobs/HASH/SIZE" (a read) or
// "[INSTANCE/]uploads/UUID/blobs/HASH/SIZE[/...]" (a write).
func blobResource(name string) (hash string, size int64, err error) {
	parts := strings.Split(name, "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "blobs" && validHash(parts[i+1]) {
			size, err := strconv.ParseInt(parts[i+2], 10, 64)
			if err == nil && size >= 0 {
				return parts[i+1], size, nil
			}
		}
	}
	return "", 0, status.Errorf(codes.InvalidArgument, "resource name %q has no blobs/SHA256/SIZE", name)
}

func (s *server) Read(req *bspb.ReadRequest, stream bspb.ByteStream_ReadServer) error {
	hash, _, err := blobResource(req.ResourceName)
	if err != nil {
		return err
	}
	data, err := s.st.get("cas", hash)
	if err != nil {
		s.stats.GRPCCASMissing.Add(1)
		return status.Errorf(codes.NotFound, "cas/%s", hash)
	}
	s.stats.GRPCCASReads.Add(1)
	if req.ReadOffset < 0 || req.ReadOffset > int64(len(data)) {
		return status.Errorf(codes.OutOfRange, "read_offset %d of a %d-byte blob", req.ReadOffset, len(data))
	}
	data = data[req.ReadOffset:]
	if req.ReadLimit > 0 && req.ReadLimit < int64(len(data)) {
		data = data[:req.ReadLimit]
	}
	const chunk = 1 << 20
	for first := true; first || len(data) > 0; first = false {
		n := min(chunk, len(data))
		if err := stream.Send(&bspb.ReadResponse{Data: data[:n]}); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func (s *server) Write(stream bspb.ByteStream_WriteServer) error {
	var buf bytes.Buffer
	var hash string
	var size int64
	for {
		req, err := stream.Recv()
		if err != nil {
			return err
		}
		if hash == "" {
			if hash, size, err = blobResource(req.ResourceName); err != nil {
				return err
			}
			if s.st.has("cas", hash) {
				// Already there: say so at once, as the API allows.
				return stream.SendAndClose(&bspb.WriteResponse{CommittedSize: size})
			}
		}
		if req.WriteOffset != int64(buf.Len()) {
			return status.Errorf(codes.InvalidArgument, "write_offset %d, want %d", req.WriteOffset, buf.Len())
		}
		buf.Write(req.Data)
		if req.FinishWrite {
			break
		}
	}
	if int64(buf.Len()) != size {
		return status.Errorf(codes.InvalidArgument, "got %d bytes for a %d-byte blob", buf.Len(), size)
	}
	if err := s.st.put("cas", hash, buf.Bytes()); err != nil {
		return putError(err)
	}
	s.stats.GRPCUploads.Add(1)
	return stream.SendAndClose(&bspb.WriteResponse{CommittedSize: size})
}

func (s *server) QueryWriteStatus(_ context.Context, req *bspb.QueryWriteStatusRequest) (*bspb.QueryWriteStatusResponse, error) {
	hash, size, err := blobResource(req.ResourceName)
	if err != nil {
		return nil, err
	}
	if s.st.has("cas", hash) {
		return &bspb.QueryWriteStatusResponse{CommittedSize: size, Complete: true}, nil
	}
	return &bspb.QueryWriteStatusResponse{}, nil
}

// grpcServer returns a gRPC server with the cache's four services.
func (s *server) grpcServer() *grpc.Server {
	gs := grpc.NewServer(grpc.MaxRecvMsgSize(16 << 20))
	repb.RegisterActionCacheServer(gs, s)
	repb.RegisterContentAddressableStorageServer(gs, s)
	repb.RegisterCapabilitiesServer(gs, s)
	bspb.RegisterByteStreamServer(gs, s)
	return gs
}

// listenLoopback listens on addr, which must name a loopback address.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s is not a loopback address", addr)
	}
	return net.Listen("tcp", addr)
}

func main() {
	log.SetPrefix("cacheserver: ")
	log.SetFlags(0)
	dir := flag.String("dir", "", "where the blobs are kept (required)")
	maxSize := flag.Int64("max_size", 1<<30, "the most bytes the store holds; an upload past it fails (0: no limit)")
	httpAddr := flag.String("http", "127.0.0.1:0", "the HTTP listener (a loopback address; port 0: any free port)")
	grpcAddr := flag.String("grpc", "127.0.0.1:0", "the gRPC listener (a loopback address; port 0: any free port)")
	portsFile := flag.String("ports_file", "", `a file to write "http=PORT grpc=PORT" to once both listen`)
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	st, err := newStore(*dir, *maxSize)
	if err != nil {
		log.Fatal(err)
	}
	hl, err := listenLoopback(*httpAddr)
	if err != nil {
		log.Fatal(err)
	}
	gl, err := listenLoopback(*grpcAddr)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{st: st}
	gs := s.grpcServer()
	hs := &http.Server{Handler: s}
	var stopping atomic.Bool
	serve := func(err error) {
		if !stopping.Load() {
			log.Fatal(err)
		}
	}
	go func() { serve(gs.Serve(gl)) }()
	go func() { serve(hs.Serve(hl)) }()
	if *portsFile != "" {
		ports := fmt.Sprintf("http=%d grpc=%d\n", hl.Addr().(*net.TCPAddr).Port, gl.Addr().(*net.TCPAddr).Port)
		tmp := *portsFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(ports), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *portsFile); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("serving %s over HTTP on %s and gRPC on %s", *dir, hl.Addr(), gl.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	stats, _ := json.Marshal(&s.stats)
	log.Printf("stopping; %s", stats)
	stopping.Store(true)
	gs.Stop()
	hs.Close()
}
