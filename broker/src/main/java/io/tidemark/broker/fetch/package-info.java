/**
 * The Fetch API for consumers: zero-copy reads below the high watermark and long polls.
 */
package io.tidemark.broker.fetch;
