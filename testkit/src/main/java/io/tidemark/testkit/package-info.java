/**
 * Test-only support shared by every module's tests: tags, waiting on conditions, seeded randomness
 * and leak checks. Nothing here is used by production code.
 */
package io.tidemark.testkit;
