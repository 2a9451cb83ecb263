/**
 * Broker configuration: {@code server.properties} with Kafka's key names parsed into validated,
 * immutable records ({@link io.tidemark.broker.config.BrokerConfig}); every key, default and range is in
 * {@link io.tidemark.broker.config.BrokerConfigKeys}.
 */
package io.tidemark.broker.config;
