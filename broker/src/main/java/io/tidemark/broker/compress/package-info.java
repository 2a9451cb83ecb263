/**
 * Reading the records of compressed record batches (gzip, snappy, lz4, zstd) with every declared length
 * checked before anything is allocated and the decompressed size bounded, so a small hostile batch
 * cannot make the broker allocate or inflate more than the limit.
 */
package io.tidemark.broker.compress;
