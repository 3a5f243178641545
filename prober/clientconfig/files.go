package clientconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"unicode/utf8"
)

// maxFileSize caps every file Load reads: Claude Code's files are a few
// kilobytes, and a 100 MB file planted in their place must not be slurped.
const maxFileSize = 1 << 20

// readFile reads a small regular UTF-8 file. It returns errNotFound for an
// absent file, and otherwise an error whose text is fit for a Finding: it
// never quotes the file's contents.
func readFile(fsys fs.FS, p string) ([]byte, error) {
	name := fsName(p)
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, describeOpenErr(err)
	}
	if err := checkInfo(info); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, describeOpenErr(err)
	}
	defer f.Close()
	// Check again on the open file: the path may have been swapped for a
	// FIFO or a directory between Stat and Open.
	if info, err = f.Stat(); err != nil {
		return nil, describeOpenErr(err)
	}
	if err := checkInfo(info); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, describeOpenErr(err)
	}
	if len(data) > maxFileSize {
		return nil, errors.New("is larger than 1 MiB")
	}
	if !utf8.Valid(data) {
		return nil, errors.New("is not valid UTF-8")
	}
	return data, nil
}

// checkInfo refuses anything but a regular file of a sane size.
func checkInfo(info fs.FileInfo) error {
	switch {
	case info.IsDir():
		return errors.New("is a directory, not a file")
	case !info.Mode().IsRegular():
		return fmt.Errorf("is not a regular file (%s)", info.Mode().Type())
	case info.Size() > maxFileSize:
		return errors.New("is larger than 1 MiB")
	}
	return nil
}

// describeOpenErr keeps the reason and drops the path, which the Finding
// names on its own.
func describeOpenErr(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errNotFound
	case errors.Is(err, fs.ErrPermission):
		return errors.New("cannot be read: permission denied")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot be read: %v", pe.Err)
	}
	return fmt.Errorf("cannot be read: %v", err)
}

// decodeJSON unmarshals data into v and, on failure, says where: a line and
// column a person can jump to, never the text around it (which may hold a
// key).
func decodeJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := lineCol(data, syn.Offset)
		return fmt.Errorf("is not valid JSON: line %d, column %d: %s", line, col, syn.Error())
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		line, col := lineCol(data, typ.Offset)
		return fmt.Errorf("has a wrong type at line %d, column %d: field %q must not be a JSON %s",
			line, col, typ.Field, typ.Value)
	}
	return fmt.Errorf("is not valid JSON: %v", err)
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
			continue
		}
		col++
	}
	return line, col
}
