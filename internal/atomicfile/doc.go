// Package atomicfile writes files so that a reader never sees them half-written:
// the content goes to a temporary file in the same folder, is synced, and is then
// renamed over the target. A failed write leaves the previous file as it was.
package atomicfile
