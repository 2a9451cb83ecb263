/**
 * Replication: partition replicas, the ISR, the high watermark, leader epochs, the replica fetcher
 * and the controller quorum.
 */
package io.tidemark.replication;
