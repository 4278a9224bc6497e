//go:build !mpi

package distributed

// Enabled reports whether the package was built with MPI (-tags mpi). Without
// it, Init returns a single-process Comm.
const Enabled = false

// Init returns the Comm of every process started together (MPI_COMM_WORLD).
// This build has no MPI (build with -tags mpi for it): Init returns Single(),
// a group of one process, so that code written for several ranks runs as one.
func Init() (Comm, error) { return Single(), nil }

// Finalize ends MPI; without MPI (this build) it does nothing.
func Finalize() error { return nil }
