package clientconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Env is everything Load looks at, injected so that tests run against a fake
// machine and Load never reaches for the real one by itself.
type Env struct {
	// Home is the user's home directory (absolute).
	Home string
	// ProjectDir is the directory Claude Code would be started in (absolute).
	ProjectDir string
	// OS is "linux", "darwin" or "windows"; it decides where managed
	// settings live and whether login credentials sit in a file or the
	// macOS keychain.
	OS string
	// Vars is the shell's environment, name to value.
	Vars map[string]string
	// FS reads files by absolute path with the leading "/" removed (the
	// fs.FS convention), e.g. "home/u/.claude/settings.json". Nil means
	// OSFS().
	FS fs.FS
	// Now is the clock used to decide whether a login has expired. Nil
	// means time.Now.
	Now func() time.Time
}

// validate says, in one line, what is wrong with env.
func (e Env) validate() error {
	switch e.OS {
	case "linux", "darwin", "windows":
	default:
		return fmt.Errorf("clientconfig: unsupported OS %q (want linux, darwin or windows)", e.OS)
	}
	if e.Home == "" || !isAbs(e.Home) {
		return fmt.Errorf("clientconfig: home directory %q is not an absolute path", e.Home)
	}
	if e.ProjectDir == "" || !isAbs(e.ProjectDir) {
		return fmt.Errorf("clientconfig: project directory %q is not an absolute path", e.ProjectDir)
	}
	return nil
}

// isAbs accepts both "/x" and Windows "C:\x" or "C:/x", whatever the host
// OS, because Env may describe another machine in tests.
func isAbs(p string) bool {
	p = filepath.ToSlash(p)
	return strings.HasPrefix(p, "/") || (len(p) >= 3 && p[1] == ':' && p[2] == '/')
}

// join builds an absolute slash path from an Env directory and elements.
func join(dir string, elem ...string) string {
	return path.Join(append([]string{filepath.ToSlash(dir)}, elem...)...)
}

// fsName turns an absolute path into an fs.FS name rooted at "/".
func fsName(p string) string {
	return strings.TrimPrefix(path.Clean(filepath.ToSlash(p)), "/")
}

// OSFS returns a file system rooted at "/" over the real disk. It opens
// files with O_NONBLOCK so that a FIFO planted where a settings file should
// be cannot hang the reader, even if it appears between the check and the
// open.
func OSFS() fs.FS { return osFS{} }

type osFS struct{}

// osPath maps an fs.FS name back to a host path: "C:/x" stays as it is,
// anything else gets its leading "/" back.
func osPath(name string) string {
	if len(name) >= 2 && name[1] == ':' {
		return filepath.FromSlash(name)
	}
	return filepath.FromSlash("/" + name)
}

func (osFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenFile(osPath(name), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stat lets fs.Stat look at a path without opening it.
func (osFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	return os.Stat(osPath(name))
}

// errNotFound is what a read of an absent file reports: not a finding.
var errNotFound = errors.New("not found")
