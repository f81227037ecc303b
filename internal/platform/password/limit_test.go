package password

import (
	"context"
	"crypto/rand"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// waitFor polls cond; the deadline only stops a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLimiterQueueThenRefuse: with one slot and a queue of one, a second
// request waits and a third is refused with model.ErrBusy at once; the
// waiting one runs when the slot frees.
func TestLimiterQueueThenRefuse(t *testing.T) {
	l := NewLimiter(1, 1, time.Hour)
	release, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	hash, err := Hash(rand.Reader, "a password")
	if err != nil {
		t.Fatal(err)
	}
	queued := make(chan error, 1)
	go func() {
		ok, err := l.Verify(context.Background(), hash, "a password")
		if err == nil && !ok {
			err = errors.New("the right password did not verify")
		}
		queued <- err
	}()
	waitFor(t, "queued", func() bool { return l.Queued() == 1 })
	if _, err := l.Verify(t.Context(), hash, "a password"); !errors.Is(err, model.ErrBusy) {
		t.Fatalf("third request: %v, want ErrBusy", err)
	}
	if _, err := l.Hash(t.Context(), rand.Reader, "another"); !errors.Is(err, model.ErrBusy) {
		t.Fatalf("a hash beside them: %v, want ErrBusy", err)
	}
	release()
	if err := <-queued; err != nil {
		t.Fatalf("the queued request: %v", err)
	}
	if n := l.Refused(); n != 2 {
		t.Errorf("Refused = %d, want 2", n)
	}
	if l.Running() != 0 || l.Queued() != 0 {
		t.Errorf("after: %d running, %d queued", l.Running(), l.Queued())
	}
}

// TestLimiterWaitAndCancel: a queued request gives up with ErrBusy when its
// wait runs out, and with the context's error when that ends first.
func TestLimiterWaitAndCancel(t *testing.T) {
	l := NewLimiter(1, 4, time.Millisecond)
	release, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := l.Acquire(t.Context()); !errors.Is(err, model.ErrBusy) {
		t.Errorf("after the wait: %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := NewLimiter(1, 4, time.Hour).Acquire(ctx); err != nil {
		t.Errorf("a free slot with a done context: %v (taking a free slot does not wait)", err)
	}
	if _, err := (&Limiter{slots: l.slots, queue: make(chan struct{}, 1), wait: time.Hour}).Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting with a done context: %v, want context.Canceled", err)
	}
}

// TestDummyCostsAVerification: Dummy has this package's parameters, so it
// verifies (to false) with the same work as a stored hash.
func TestDummyCostsAVerification(t *testing.T) {
	real, err := Hash(rand.Reader, "x")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[1:4], "$") }
	if params(Dummy) != params(real) {
		t.Errorf("Dummy's parameters %q differ from a hash's %q", params(Dummy), params(real))
	}
	if ok, err := Verify(Dummy, "genauth"); ok || err != nil {
		t.Errorf("Verify(Dummy) = %v, %v; want false, nil", ok, err)
	}
}

// TestOnlyLimitedHashing: outside this package, nothing in the server calls
// the unlimited Hash or Verify; every hashing path goes through a Limiter.
// The load tool hashes one seed password, outside any request.
func TestOnlyLimitedHashing(t *testing.T) {
	allowed := map[string]bool{"internal/loadtest/env.go": true}
	root := filepath.Join("..", "..", "..")
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || rel == filepath.Join("internal", "platform", "password")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || allowed[filepath.ToSlash(rel)] {
			return nil
		}
		files++
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "password" && (sel.Sel.Name == "Hash" || sel.Sel.Name == "Verify") {
				t.Errorf("%s calls password.%s, outside any Limiter", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no Go file scanned")
	}
}
