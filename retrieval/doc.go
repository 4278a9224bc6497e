// Package retrieval finds, for each query embedding, the items whose
// embeddings score highest against it: exact brute-force top-k search for
// two-tower recommenders and other embedding models.
//
// Items form an (N, d) float32 matrix and queries a (q, d) one, both
// row-major in flat slices. NewIndex keeps a copy of the items, laid out in
// blocks for a blocked matrix product (gonum's BLAS: the pure-Go one, or
// OpenBLAS when the program installs it with blas32.Use, as the module's
// `-tags openblas` build does); Index.Search scores every item against every
// query, block by block, and keeps the k best per query in a small heap, so
// that besides the copy of the items a search holds, whatever N is, at most
// q*k heap entries and a buffer of min(q, 256)*block scores per worker. TopK
// does both in one call.
//
// Scores are dot products by default, or cosine similarities with Cosine().
// The result is exact: every item is scored, and the k best are returned in
// decreasing score order, ties going to the lower item index. With gonum's
// BLAS the scores, and so the result, are bit-identical for any number of
// workers and any block size.
//
// Nothing in the package panics on bad input: shapes that do not fit, k out
// of range and non-finite values are errors naming the sizes. The package
// imports no other package of this module.
package retrieval
