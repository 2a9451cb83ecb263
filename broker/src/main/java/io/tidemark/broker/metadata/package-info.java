/**
 * The broker's view of cluster metadata (from an injected {@code Controller}) and the application of
 * metadata images to the partitions hosted here.
 */
package io.tidemark.broker.metadata;
