package io.tidemark.broker.config;

/**
 * Idempotent-producer state settings.
 *
 * @param expirationMs              {@code producer.id.expiration.ms}: forget a producer id silent this long.
 * @param expirationCheckIntervalMs {@code producer.id.expiration.check.interval.ms}.
 * @param snapshotIntervalMs        {@code producer.state.snapshot.interval.ms}: how often state is snapshotted.
 */
public record ProducerStateSettings(long expirationMs, long expirationCheckIntervalMs, long snapshotIntervalMs)
{
}
