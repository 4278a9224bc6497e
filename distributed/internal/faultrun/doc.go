// Command faultrun is the program of distributed/run_fault_test.sh: it trains
// an MLP data-parallel across the ranks mpirun starts (build it with -tags
// mpi), rank 0 writing a checkpoint every few epochs, so that the script can
// kill a rank in the middle of an epoch, check that the job stops, resume from
// the last checkpoint and compare the final weights with a run never stopped.
//
//	faultrun -dir D [-epochs N] [-every N] [-resume FILE] [-stall-epoch E] [-weights FILE]
//	faultrun -compare A B [-tol F]
//
// Each rank writes its pid to D/pid.RANK. Rank 0 writes the checkpoints
// D/ck-EPOCH.safetensors (every -every epochs) and, at the end, the weights as
// little-endian float64 to -weights. With -stall-epoch E, rank 1 writes D/mid
// halfway through epoch E (from 0) and sleeps 60 s there, in the middle of the
// epoch, for the script to kill it. -compare prints the largest absolute
// difference of two weight files and fails above -tol.
package main
