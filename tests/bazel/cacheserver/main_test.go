package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// fixture is a cache server on loopback ports, with clients of both sides.
type fixture struct {
	base string // http://127.0.0.1:PORT
	conn *grpc.ClientConn
	ac   repb.ActionCacheClient
	cas  repb.ContentAddressableStorageClient
	bs   bspb.ByteStreamClient
}

func start(t *testing.T, maxSize int64) *fixture {
	t.Helper()
	st, err := newStore(t.TempDir(), maxSize)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{st: st}
	hl, err := listenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gl, err := listenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := s.grpcServer()
	hs := &http.Server{Handler: s}
	go gs.Serve(gl)
	go hs.Serve(hl)
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		gs.Stop()
		hs.Close()
	})
	return &fixture{
		base: "http://" + hl.Addr().String(),
		conn: conn,
		ac:   repb.NewActionCacheClient(conn),
		cas:  repb.NewContentAddressableStorageClient(conn),
		bs:   bspb.NewByteStreamClient(conn),
	}
}

func digest(data []byte) *repb.Digest {
	sum := sha256.Sum256(data)
	return &repb.Digest{Hash: hex.EncodeToString(sum[:]), SizeBytes: int64(len(data))}
}

func (f *fixture) put(t *testing.T, path string, data []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, f.base+path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (f *fixture) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(f.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func (f *fixture) read(t *testing.T, d *repb.Digest) ([]byte, error) {
	t.Helper()
	stream, err := f.bs.Read(context.Background(), &bspb.ReadRequest{ResourceName: fmt.Sprintf("blobs/%s/%d", d.Hash, d.SizeBytes)})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		buf.Write(resp.Data)
	}
}

func (f *fixture) write(t *testing.T, d *repb.Digest, data []byte) error {
	t.Helper()
	stream, err := f.bs.Write(context.Background())
	if err != nil {
		return err
	}
	name := fmt.Sprintf("uploads/3f0e1a2b-0000-4000-8000-000000000000/blobs/%s/%d", d.Hash, d.SizeBytes)
	half := len(data) / 2
	if err := stream.Send(&bspb.WriteRequest{ResourceName: name, Data: data[:half]}); err != nil {
		return err
	}
	if err := stream.Send(&bspb.WriteRequest{WriteOffset: int64(half), Data: data[half:], FinishWrite: true}); err != nil {
		return err
	}
	_, err = stream.CloseAndRecv()
	return err
}

// A blob put over HTTP is read over gRPC, and the other way round.
func TestCASAcrossProtocols(t *testing.T) {
	f := start(t, 0)
	a := []byte("put over HTTP")
	if code := f.put(t, "/cas/"+digest(a).Hash, a); code != http.StatusOK {
		t.Fatalf("PUT /cas: %d", code)
	}
	missing, err := f.cas.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{
		BlobDigests: []*repb.Digest{digest(a), digest([]byte("never stored")), digest(nil)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing.MissingBlobDigests) != 1 || missing.MissingBlobDigests[0].Hash != digest([]byte("never stored")).Hash {
		t.Errorf("FindMissingBlobs: %v, want only the blob never stored (the empty one is always there)", missing.MissingBlobDigests)
	}
	if got, err := f.read(t, digest(a)); err != nil || !bytes.Equal(got, a) {
		t.Errorf("ByteStream.Read: %q, %v; want %q", got, err, a)
	}

	b := bytes.Repeat([]byte("written over gRPC "), 100000) // more than one chunk
	if err := f.write(t, digest(b), b); err != nil {
		t.Fatal(err)
	}
	if code, got := f.get(t, "/cas/"+digest(b).Hash); code != http.StatusOK || !bytes.Equal(got, b) {
		t.Errorf("GET /cas: %d, %d bytes; want 200, %d bytes", code, len(got), len(b))
	}
	if got, err := f.read(t, digest(b)); err != nil || !bytes.Equal(got, b) {
		t.Errorf("ByteStream.Read of a chunked blob: %d bytes, %v", len(got), err)
	}
}

// An action result is answered only while every blob it names is in the CAS.
func TestActionResultNeedsItsBlobs(t *testing.T) {
	f := start(t, 0)
	out := []byte("the output")
	action := digest([]byte("an action"))
	ar := &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "bin/out", Digest: digest(out)}}}
	data, err := proto.Marshal(ar)
	if err != nil {
		t.Fatal(err)
	}
	if code := f.put(t, "/ac/"+action.Hash, data); code != http.StatusOK {
		t.Fatalf("PUT /ac: %d", code)
	}
	_, err = f.ac.GetActionResult(context.Background(), &repb.GetActionResultRequest{ActionDigest: action})
	if status.Code(err) != codes.NotFound {
		t.Errorf("GetActionResult with its output missing: %v, want NotFound", err)
	}
	if code, _ := f.get(t, "/ac/"+action.Hash); code != http.StatusNotFound {
		t.Errorf("GET /ac with its output missing: %d, want 404", code)
	}
	resp, err := f.cas.BatchUpdateBlobs(context.Background(), &repb.BatchUpdateBlobsRequest{
		Requests: []*repb.BatchUpdateBlobsRequest_Request{{Digest: digest(out), Data: out}},
	})
	if err != nil || codes.Code(resp.Responses[0].Status.Code) != codes.OK {
		t.Fatalf("BatchUpdateBlobs: %v, %v", resp, err)
	}
	got, err := f.ac.GetActionResult(context.Background(), &repb.GetActionResultRequest{ActionDigest: action})
	if err != nil || !proto.Equal(got, ar) {
		t.Errorf("GetActionResult: %v, %v; want %v", got, err, ar)
	}

	// Written over gRPC, read over HTTP.
	action2 := digest([]byte("another action"))
	if _, err := f.ac.UpdateActionResult(context.Background(), &repb.UpdateActionResultRequest{ActionDigest: action2, ActionResult: ar}); err != nil {
		t.Fatal(err)
	}
	code, data := f.get(t, "/ac/"+action2.Hash)
	var back repb.ActionResult
	if code != http.StatusOK || proto.Unmarshal(data, &back) != nil || !proto.Equal(&back, ar) {
		t.Errorf("GET /ac of a result written over gRPC: %d, %v", code, &back)
	}
}

// Content that does not hash to its key is refused on both sides.
func TestDigestMismatch(t *testing.T) {
	f := start(t, 0)
	if code := f.put(t, "/cas/"+digest([]byte("one")).Hash, []byte("two")); code != http.StatusBadRequest {
		t.Errorf("PUT /cas of other content: %d, want 400", code)
	}
	if err := f.write(t, digest([]byte("one")), []byte("owt")); status.Code(err) != codes.InvalidArgument {
		t.Errorf("ByteStream.Write of other content: %v, want InvalidArgument", err)
	}
	if code := f.put(t, "/cas/not-a-hash", []byte("x")); code != http.StatusNotFound {
		t.Errorf("PUT /cas/not-a-hash: %d, want 404", code)
	}
}

// An upload past -max_size fails; what fits is kept.
func TestMaxSize(t *testing.T) {
	f := start(t, 100)
	small, big := bytes.Repeat([]byte("s"), 60), bytes.Repeat([]byte("b"), 60)
	if code := f.put(t, "/cas/"+digest(small).Hash, small); code != http.StatusOK {
		t.Fatalf("PUT of 60 bytes into 100: %d", code)
	}
	if code := f.put(t, "/cas/"+digest(big).Hash, big); code != http.StatusInsufficientStorage {
		t.Errorf("PUT of 60 more bytes into 100: %d, want 507", code)
	}
	if err := f.write(t, digest(big), big); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("ByteStream.Write of 60 more bytes into 100: %v, want ResourceExhausted", err)
	}
	if code, _ := f.get(t, "/cas/"+digest(small).Hash); code != http.StatusOK {
		t.Errorf("GET of the blob that fit: %d", code)
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if l, err := listenLoopback(addr); err == nil {
			l.Close()
			t.Errorf("listenLoopback(%q) listened; want an error", addr)
		}
	}
}
