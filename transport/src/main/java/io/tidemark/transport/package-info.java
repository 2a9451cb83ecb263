/**
 * NIO transport: int32 length-prefixed frames, bounded per-connection queues with back-pressure,
 * zero-copy file-region sends and the internal request/response codec.
 */
package io.tidemark.transport;
