// Package serving keeps a repository of models for a prediction server: every
// model file found in DIR/NAME/VERSION/ (the layout of TensorFlow Serving: VERSION
// is a positive integer directory holding one model file, e.g. model.safetensors),
// loaded, checked and swapped in without stopping the requests that are running.
//
// Open scans the directory and loads the versions that the VersionPolicy keeps
// (the highest by default; Latest(n) the n highest, AllVersions every one), then
// polls it (WithPoll, every 2 s by default; polling rather than inotify, so that
// it works the same on every system and on network file systems). A version
// appears as LOADING while it loads in the background, then AVAILABLE or FAILED
// (with the error, which is also logged). A version that fails never replaces a
// working one: Get without a version answers from the highest AVAILABLE one.
//
// A model file must be written whole before it is seen: write it under a name
// starting with '.' or ending in ".tmp" (both are skipped) and rename it into
// place, as layers' Save does (its temporary files are named ".NAME.tmp-N"). A version directory without a
// model file is ignored until one appears; one with several is FAILED.
//
// Get returns a Handle that holds its version: a version that a newer one
// replaces (or whose directory is removed) is closed only when the last Handle
// on it is released, so that requests in flight finish on the version they
// started with. The repository logic has no HTTP in it; cmd/demo's serve -models
// puts an HTTP API on top.
package serving
