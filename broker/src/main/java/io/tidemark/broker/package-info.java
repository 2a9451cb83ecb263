/**
 * The Kafka wire-protocol broker, producer state, configuration loading and the {@code tidemark} CLI.
 */
package io.tidemark.broker;
