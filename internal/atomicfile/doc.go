// Package atomicfile writes files so that a reader never sees them half-written:
// the content goes to a temporary file in the same folder, is synced, and is then
// renamed over the target, and the folder is synced so that the rename survives a
// crash. A failed write leaves the previous file as it was.
//
// What Write does with the target, as editors do:
//
//   - A symbolic link is followed (through chains of links, up to 40): the file it
//     points to is replaced and the link stays a link. A link to a file that does
//     not exist yet creates that file. A hard link is not kept: the name written
//     gets a new file, other names keep the old one.
//   - An existing file keeps its permission bits; a new file gets 0666 less the
//     process's umask (and the folder's default ACL, if any), as os.Create gives.
//     The file belongs to the user who writes it.
//   - A target that exists and is not a regular file (a folder, a device, a pipe)
//     is an error: nothing is written.
//
// Temporary files are named ".NAME.tmp-DIGITS" beside the target. A process
// killed while writing leaves its temporary file behind; the next Write of the
// same target removes the ones left behind: those not modified for a minute and,
// where the system has advisory locks (Linux, macOS, the BSDs), not locked by a
// writer (each Write holds a lock on its temporary file while it writes). A slow
// writer on a system without locks whose file goes a minute without a write may
// lose it, and then fails with an error rather than writing a partial file.
package atomicfile
