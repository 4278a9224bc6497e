//go:build mpi

package distributed

/*
#cgo pkg-config: ompi
#include <stdlib.h>
#include <mpi.h>

static int gk_init(int *provided) { return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided); }
static int gk_errors_return(void) { return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }
static int gk_initialized(int *flag) { return MPI_Initialized(flag); }
static int gk_finalized(int *flag) { return MPI_Finalized(flag); }
static int gk_finalize(void) { return MPI_Finalize(); }
static int gk_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int gk_size(int *s) { return MPI_Comm_size(MPI_COMM_WORLD, s); }
static int gk_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static int gk_bcast_f32(float *buf, int n, int root) { return MPI_Bcast(buf, n, MPI_FLOAT, root, MPI_COMM_WORLD); }
static int gk_bcast_f64(double *buf, int n, int root) { return MPI_Bcast(buf, n, MPI_DOUBLE, root, MPI_COMM_WORLD); }
static int gk_allreduce_f32(float *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
static int gk_allreduce_f64(double *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
static void gk_error_string(int code, char *buf, int *len) {
	if (MPI_Error_string(code, buf, len) != MPI_SUCCESS) *len = 0;
}
static int gk_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
*/
import "C"

import (
	"sync"
	"unsafe"

	"github.com/pkg/errors"
)

// Enabled reports whether the package was built with MPI (-tags mpi).
const Enabled = true

// maxCount is the most elements one MPI call moves (MPI counts are C ints);
// longer buffers go in chunks.
const maxCount = 1 << 30

// mpiState is MPI's process-global state, kept once per process as MPI keeps
// it (the package's one global): mu serializes every MPI call (MPI is
// initialized with MPI_THREAD_SERIALIZED, and goroutines move between threads).
var mpiState struct {
	mu        sync.Mutex
	world     *world
	finalized bool
}

// Init initializes MPI on its first call (MPI_Init_thread, serialized calls,
// and MPI_ERRORS_RETURN on MPI_COMM_WORLD so that failures come back as
// errors) and returns the Comm of every process mpirun started
// (MPI_COMM_WORLD); later calls return the same Comm. A program started
// without mpirun is a group of one (MPI's singleton mode). After Finalize,
// Init is an error: MPI cannot be initialized twice.
func Init() (Comm, error) {
	s := &mpiState
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.world != nil {
		return s.world, nil
	}
	if s.finalized {
		return nil, errors.New("distributed: MPI was finalized; it cannot be initialized again in this process")
	}
	var flag C.int
	if err := mpiErr("MPI_Initialized", C.gk_initialized(&flag)); err != nil {
		return nil, err
	}
	if flag == 0 {
		var provided C.int
		if err := mpiErr("MPI_Init_thread", C.gk_init(&provided)); err != nil {
			return nil, err
		}
		if provided < C.gk_thread_serialized() {
			C.gk_finalize()
			s.finalized = true
			return nil, errors.Errorf("distributed: this MPI gives thread level %d, below MPI_THREAD_SERIALIZED which Go programs need (goroutines move between threads)", int(provided))
		}
	}
	if err := mpiErr("MPI_Comm_set_errhandler", C.gk_errors_return()); err != nil {
		return nil, err
	}
	var r, n C.int
	if err := mpiErr("MPI_Comm_rank", C.gk_rank(&r)); err != nil {
		return nil, err
	}
	if err := mpiErr("MPI_Comm_size", C.gk_size(&n)); err != nil {
		return nil, err
	}
	s.world = &world{rank: int(r), size: int(n)}
	return s.world, nil
}

// Finalize ends MPI (MPI_Finalize) if Init started it; every rank must call it
// after its last collective. Calling it again, or without Init, does nothing.
func Finalize() error {
	s := &mpiState
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.world == nil || s.finalized {
		return nil
	}
	s.finalized = true
	s.world.done = true
	return mpiErr("MPI_Finalize", C.gk_finalize())
}

// world is MPI_COMM_WORLD.
type world struct {
	rank, size int
	done       bool // finalized: collectives are errors
}

func (w *world) Rank() int { return w.rank }
func (w *world) Size() int { return w.size }

// call runs f under the MPI lock, unless MPI was finalized.
func (w *world) call(what string, f func() C.int) error {
	mpiState.mu.Lock()
	defer mpiState.mu.Unlock()
	if w.done {
		return errors.Errorf("distributed: %s after Finalize", what)
	}
	return mpiErr(what, f())
}

func (w *world) Barrier() error {
	return w.call("MPI_Barrier", func() C.int { return C.gk_barrier() })
}

func (w *world) BroadcastFloat32(buf []float32, root int) error {
	if err := checkRoot("broadcast", root, w.size); err != nil {
		return err
	}
	return chunks(len(buf), func(lo, hi int) error {
		return w.call("MPI_Bcast", func() C.int {
			return C.gk_bcast_f32((*C.float)(unsafe.Pointer(&buf[lo])), C.int(hi-lo), C.int(root))
		})
	})
}

func (w *world) BroadcastFloat64(buf []float64, root int) error {
	if err := checkRoot("broadcast", root, w.size); err != nil {
		return err
	}
	return chunks(len(buf), func(lo, hi int) error {
		return w.call("MPI_Bcast", func() C.int {
			return C.gk_bcast_f64((*C.double)(unsafe.Pointer(&buf[lo])), C.int(hi-lo), C.int(root))
		})
	})
}

func (w *world) AllreduceSumFloat32(buf []float32) error {
	return chunks(len(buf), func(lo, hi int) error {
		return w.call("MPI_Allreduce", func() C.int {
			return C.gk_allreduce_f32((*C.float)(unsafe.Pointer(&buf[lo])), C.int(hi-lo))
		})
	})
}

func (w *world) AllreduceSumFloat64(buf []float64) error {
	return chunks(len(buf), func(lo, hi int) error {
		return w.call("MPI_Allreduce", func() C.int {
			return C.gk_allreduce_f64((*C.double)(unsafe.Pointer(&buf[lo])), C.int(hi-lo))
		})
	})
}

// chunks calls f on [lo, hi) pieces of at most maxCount of n elements (none
// for n == 0: an empty buffer moves nothing, on every rank alike).
func chunks(n int, f func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += maxCount {
		if err := f(lo, min(lo+maxCount, n)); err != nil {
			return err
		}
	}
	return nil
}

// mpiErr turns an MPI return code into an error naming the call.
func mpiErr(what string, code C.int) error {
	if code == C.MPI_SUCCESS {
		return nil
	}
	buf := (*C.char)(C.malloc(C.MPI_MAX_ERROR_STRING + 1))
	defer C.free(unsafe.Pointer(buf))
	var n C.int
	C.gk_error_string(code, buf, &n)
	msg := C.GoStringN(buf, n)
	if msg == "" {
		msg = "unknown MPI error"
	}
	return errors.Errorf("distributed: %s: %s (MPI error %d)", what, msg, int(code))
}
