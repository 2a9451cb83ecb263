package io.tidemark.broker.config;

/**
 * The scrubber of sealed segments.
 *
 * @param enable         {@code log.scrub.enable}.
 * @param bytesPerSecond {@code log.scrub.bytes.per.second}.
 * @param intervalMs     {@code log.scrub.interval.ms}.
 */
public record ScrubSettings(boolean enable, long bytesPerSecond, long intervalMs)
{
}
