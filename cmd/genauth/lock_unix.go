//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// errInUse says the database is held by another process.
var errInUse = errors.New("in use")

// lockDatabase takes a lock on the file lockPath beside the SQLite database:
// shared for every server using it, exclusive for restore. It fails with
// errInUse at once, without waiting, when the other kind is held. The
// operating system drops the lock with the process, however it ends.
func lockDatabase(lockPath string, exclusive bool) (release func(), err error) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errInUse
		}
		return nil, fmt.Errorf("lock file %s: %w", lockPath, err)
	}
	return func() { f.Close() }, nil
}
