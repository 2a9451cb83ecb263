package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * bin/tidemark starts the JVM with the flags of the parent pom's {@code tidemark.jvm.flags} property (passed to
 * this test by Surefire): one list, kept in step.
 */
class JvmFlagsTest
{
    @Test
    void shouldStartTheJvmWithTheParentPomsFlags() throws IOException
    {
        final String expected = System.getProperty("tidemark.jvm.flags");
        assertNotNull(expected, "surefire passes tidemark.jvm.flags");
        final String script = Files.readString(Path.of("..", "bin", "tidemark"));
        final Matcher m = Pattern.compile("(?m)^TIDEMARK_JVM_FLAGS=\"([^\"]*)\"$").matcher(script);
        assertTrue(m.find(), "bin/tidemark defines TIDEMARK_JVM_FLAGS");
        assertEquals(expected.trim().replaceAll("\\s+", " "), m.group(1).trim().replaceAll("\\s+", " "));
        assertTrue(script.contains("$TIDEMARK_JVM_FLAGS $JAVA_OPTS -jar \"$jar\""), "flags, then JAVA_OPTS, then the jar");
    }
}
