package upgrade

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// PublicURL is the public URL both the fixture's server and the test's run
// with: tokens and id tokens carry it as their issuer.
const PublicURL = "http://genauth.test"

// PostgresServer is the URL of the PostgreSQL server the repository's tests
// use (GENAUTH_TEST_POSTGRES_URL), where fixtures and tests create their
// databases.
func PostgresServer() string {
	if u := os.Getenv("GENAUTH_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Binary is a genauth executable and the flags that choose its database
// (--data-dir, or --database and --secret-key), given to every command.
type Binary struct {
	Path string
	DB   []string
}

// environ is this process's environment without GENAUTH_* variables, so that
// only the flags given choose what the binary does.
func environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GENAUTH_") {
			env = append(env, kv)
		}
	}
	return env
}

// Run runs a CLI command with stdin and returns its standard output; a
// non-zero exit is an error carrying both outputs.
func (b Binary) Run(stdin string, args ...string) (string, error) {
	cmd := exec.Command(b.Path, append(args, b.DB...)...)
	cmd.Env = environ()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("genauth %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// Server is a running `genauth serve`.
type Server struct {
	URL    string   // where it listens, http://127.0.0.1:port
	Stdout []string // standard output up to the listening line
	cmd    *exec.Cmd
	done   chan struct{}
	err    error // the exit, once done is closed
	mu     sync.Mutex
	logs   bytes.Buffer // standard error
}

func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

// Logs returns what the server wrote to standard error so far.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// Serve starts `genauth serve` on a free loopback port with PublicURL and
// returns once it listens.
func (b Binary) Serve(args ...string) (*Server, error) {
	s := &Server{done: make(chan struct{})}
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--public-url", PublicURL, "--log-level", "warn"}, args...)
	s.cmd = exec.Command(b.Path, append(args, b.DB...)...)
	s.cmd.Env = environ()
	s.cmd.Stderr = s
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		s.Stdout = append(s.Stdout, sc.Text())
		if rest, ok := strings.CutPrefix(sc.Text(), "GenAuth is listening on "); ok {
			s.URL, _, _ = strings.Cut(rest, " ")
			go func() {
				io.Copy(io.Discard, stdout)
				s.err = s.cmd.Wait()
				close(s.done)
			}()
			return s, nil
		}
	}
	s.cmd.Wait()
	return nil, fmt.Errorf("genauth serve exited before listening; stdout %q, stderr %q", s.Stdout, s.Logs())
}

// Stop stops the server as an operator does, with SIGINT, and waits for it
// to finish shutting down (SQLite then folds its write-ahead log into the
// database file).
func (s *Server) Stop() error {
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("genauth serve did not stop within 60s of SIGINT; stderr %q", s.Logs())
	}
	if s.err != nil {
		return fmt.Errorf("genauth serve: %v; stderr %q", s.err, s.Logs())
	}
	return nil
}

// Kill ends the server at once, if it still runs.
func (s *Server) Kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// Field returns the value printed on the first start for name ("app_id",
// "app_secret"), or "".
func (s *Server) Field(name string) string {
	for _, line := range s.Stdout {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
