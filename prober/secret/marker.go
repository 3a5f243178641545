package secret

import "strings"

// markers are tried in order. The first whose edges and inside cannot help
// form a secret is used: a secret that contains "redacted" or '[' would
// otherwise reappear around its own marker.
var markers = []string{Marker, "<redacted>", "{redacted}", "«redacted»", "[hidden]", "«hidden»", "█", "▒", "¤"}

// chooseMarker returns the marker for these secret forms, and whether Scrub
// must repeat because only the empty marker is safe.
func chooseMarker(long, short []string) (string, bool) {
	for _, m := range markers {
		if safeMarker(m, long, short) {
			return m, false
		}
	}
	return "", true
}

// safeMarker reports whether no secret can be seen in text once m stands in
// it: any window that overlaps m's edge holds m's first or last byte, which
// no secret has, and no window inside m is part of a secret.
func safeMarker(m string, long, short []string) bool {
	for _, f := range append(long[:len(long):len(long)], short...) {
		if strings.IndexByte(f, m[0]) >= 0 || strings.IndexByte(f, m[len(m)-1]) >= 0 {
			return false
		}
	}
	for _, f := range short {
		if strings.Contains(m, f) {
			return false
		}
	}
	for i := 0; i+MinSlice <= len(m); i++ {
		for _, f := range long {
			if strings.Contains(f, m[i:i+MinSlice]) {
				return false
			}
		}
	}
	return true
}
