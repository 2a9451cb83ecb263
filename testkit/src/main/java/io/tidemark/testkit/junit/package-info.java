/**
 * JUnit 5 support: {@link io.tidemark.testkit.junit.FailureDiagnostics} reports the seed, fault schedule,
 * node output and checker report of a failed test.
 */
package io.tidemark.testkit.junit;
