package keys

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/llm-probe/probe/prober/provider"
)

// KeySources says where a command may find the key.
type KeySources struct {
	// Getenv reads the environment (injected so tests need no real one).
	Getenv func(string) string
	// File is --key-file; empty when not given.
	File string
	// Stdin is read when UseStdin (--key-stdin) is set.
	Stdin    io.Reader
	UseStdin bool
	// Provider names the environment variables to read; nil means Anthropic.
	Provider *provider.Provider
	// Strict turns the warning about a key file others can read into an error.
	Strict bool
	// Demo is the simulated API's demo key, which the environment holds
	// when --scenario stands in for a missing key: found there, its source
	// is said truly (DemoSource), not as the variable.
	Demo string
}

// DemoSource is the source of a key that is the simulated API's demo key.
const DemoSource = "demo key of the simulated API"

// errNoKey means no source held a key.
var errNoKey = errors.New("no key")

// maxKeyFile bounds what is read from a key file or stdin; keys are short,
// and a wrong path to a big file must not be read whole.
const maxKeyFile = 16 << 10

// LoadKey finds the key: --key-stdin, then --key-file, then
// ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN. Surrounding whitespace is
// removed because a header cannot carry it; each such repair is reported
// in warnings so the user can fix the source. Warnings never contain the key.
func LoadKey(src KeySources) (Key, []string, error) {
	var warnings []string
	clean := func(raw, source string, kind provider.KeyKind) (Key, error) {
		k, warn, err := cleanKey(src, raw, source, kind)
		if warn != "" {
			warnings = append(warnings, warn)
		}
		return k, err
	}
	switch {
	case src.UseStdin:
		b, err := readStdin(src)
		if err != nil {
			return Key{}, nil, err
		}
		k, err := clean(string(b), "stdin", provider.APIKey)
		return k, warnings, err
	case src.File != "":
		b, warn, err := readKeyFile(src)
		if err != nil {
			return Key{}, nil, err
		}
		if warn != "" {
			warnings = append(warnings, warn)
		}
		k, err := clean(string(b), "--key-file", provider.APIKey)
		return k, warnings, err
	}
	getenv := src.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	p := cmp.Or(src.Provider, provider.Anthropic)
	for _, env := range p.Keys {
		if v := getenv(env.Name); v != "" {
			k, err := clean(v, env.Name, env.Kind)
			if err == nil && src.Demo != "" && v == src.Demo {
				k.Source = DemoSource
			}
			return k, warnings, err
		}
	}
	return Key{}, nil, fmt.Errorf("%w: set %s, or use --key-file FILE or --key-stdin", errNoKey, p.KeyEnvNames())
}

// cleanKey trims the key read from source and names its kind. Whitespace
// beyond one final newline (how files and piped input end) is worth a
// warning: an application reading the same source may send it as is.
func cleanKey(src KeySources, raw, source string, kind provider.KeyKind) (Key, string, error) {
	k := strings.TrimSpace(raw)
	warn := ""
	if k != raw && k+"\n" != raw {
		warn = fmt.Sprintf("the key from %s had surrounding whitespace or a newline; it was trimmed for this run, but an application reading the same source may send it as is", source)
	}
	if k == "" {
		return Key{}, warn, fmt.Errorf("the key from %s is empty", source)
	}
	if strings.ContainsAny(k, "\r\n\x00") {
		return Key{}, warn, fmt.Errorf("the key from %s spans several lines: put only the key in it", source)
	}
	if strings.HasPrefix(k, "sk-ant-oat") && kind == provider.APIKey && source != "ANTHROPIC_API_KEY" {
		kind = provider.AuthToken
	}
	if src.Provider != nil && src.Provider != provider.Anthropic && (source == "stdin" || source == "--key-file") {
		kind = src.Provider.Keys[0].Kind
	}
	return NewKey(k, source, kind), warn, nil
}

// readStdin reads --key-stdin, bounded.
func readStdin(src KeySources) ([]byte, error) {
	if src.Stdin == nil {
		return nil, errors.New("--key-stdin: no standard input")
	}
	b, err := io.ReadAll(io.LimitReader(src.Stdin, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("--key-stdin: %v", err)
	}
	if err := notAKey(b); err != nil {
		return nil, fmt.Errorf("--key-stdin: %v", err)
	}
	return b, nil
}

// readKeyFile reads --key-file, bounded, and warns (or, with --strict,
// refuses) when others can read it.
func readKeyFile(src KeySources) ([]byte, string, error) {
	info, err := os.Stat(src.File)
	if err != nil {
		return nil, "", fmt.Errorf("--key-file %s: %w", src.File, unwrapPath(err))
	}
	if info.IsDir() {
		return nil, "", fmt.Errorf("--key-file %s: is a directory", src.File)
	}
	warn := ""
	if info.Mode().Perm()&0o077 != 0 {
		warn = fmt.Sprintf("--key-file %s is readable by others (mode %04o): chmod 600 it", src.File, info.Mode().Perm())
		if src.Strict {
			return nil, "", errors.New(warn + " (refused with --strict)")
		}
	}
	f, err := os.Open(src.File)
	if err != nil {
		return nil, "", fmt.Errorf("--key-file %s: %w", src.File, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, "", fmt.Errorf("--key-file %s: %v", src.File, err)
	}
	if err := notAKey(b); err != nil {
		return nil, "", fmt.Errorf("--key-file %s: %v", src.File, err)
	}
	return b, warn, nil
}

// envLine matches a NAME=value line, as in a .env file.
var envLine = regexp.MustCompile(`^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=\S`)

// notAKey names what a key file or stdin holds when it is not one key in
// UTF-8 text. Its messages never quote the content: it may be a key.
func notAKey(b []byte) error {
	switch {
	case len(b) > maxKeyFile:
		return fmt.Errorf("is over %d KiB: not a key (a wrong path?); refused rather than cut", maxKeyFile>>10)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) ||
		len(b) >= 4 && (b[1] == 0 && b[3] == 0 || b[0] == 0 && b[2] == 0):
		return errors.New("is UTF-16 text (as Windows editors save it): save it as UTF-8 or ASCII")
	case bytes.IndexByte(b, 0) >= 0:
		return errors.New("contains NUL bytes: not a text file with a key")
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return errors.New("starts with a byte-order mark (BOM), which would become part of the key: save it as UTF-8 without BOM")
	case envLine.Match(b):
		return errors.New("holds NAME=value lines (an env file?): put only the key in it")
	}
	return nil
}

// unwrapPath drops the operation and path from an *os.PathError, which the
// caller already names, keeping the cause for errors.Is.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
