package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README honest: the embedding example there is exactly the code run here, and the engine
 * configuration tables name every field of the config records with their real defaults.
 */
class EmbeddingExampleTest
{
    @TempDir
    Path dir;

    private static String readme() throws IOException
    {
        Path p = Path.of("README.md").toAbsolutePath();
        while (!Files.exists(p) && p.getParent() != null && p.getParent().getParent() != null)
        {
            p = p.getParent().getParent().resolve("README.md");
        }
        return Files.readString(p);
    }

    @Test
    void shouldRunTheReadmeExampleAndPrintTheRecord() throws IOException
    {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            // ---- begin README example ----
            try (Log log = Log.options(dir).flushPolicy(FlushPolicy.BATCH).open()) {
                AppendResult written = log.append("key".getBytes(), "hello".getBytes());  // offset 0, durability SYNCED
                try (LogCursor cursor = log.cursor().seek(written.baseOffset())) {
                    while (cursor.nextRecord()) System.out.println(new String(cursor.record().valueBytes()));
                }
            }
            // ---- end README example ----
        }
        finally
        {
            System.setOut(original);
        }
        assertEquals("hello" + System.lineSeparator(), captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldShowTheSameExampleInTheReadme() throws IOException
    {
        final String source = Files.readString(Path.of("src/test/java/io/tidemark/engine/EmbeddingExampleTest.java"));
        final String begin = "// ---- begin README example ----\n";
        final String example = source.substring(source.indexOf(begin) + begin.length(),
            source.indexOf("            // ---- end README example ----"));
        final StringBuilder unindented = new StringBuilder();
        for (final String line : example.split("\n"))
        {
            unindented.append(line.length() >= 12 ? line.substring(12) : line.strip()).append('\n');
        }
        assertTrue(readme().contains("```java\n" + unindented + "```"),
            "README's embedding example must be exactly:\n" + unindented);
    }

    @Test
    void shouldListEveryConfigFieldWithItsDefaultInTheReadme() throws IOException
    {
        final String readme = readme();
        final LogConfig defaults = LogConfig.defaults();
        for (final RecordComponent c : LogConfig.class.getRecordComponents())
        {
            final Object value;
            try
            {
                value = c.getAccessor().invoke(defaults);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new AssertionError(ex);
            }
            assertTrue(readme.contains("| `" + c.getName() + "` | " + value + " |"),
                "README's LogConfig table lacks field " + c.getName() + " with default " + value);
        }
        final LogManagerConfig managerDefaults = LogManagerConfig.builder(dir).build();
        for (final RecordComponent c : LogManagerConfig.class.getRecordComponents())
        {
            if (!c.getType().isPrimitive())
            {
                continue;
            }
            final String field = c.getName();
            final Object value;
            try
            {
                value = c.getAccessor().invoke(managerDefaults);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new AssertionError(ex);
            }
            assertTrue(readme.contains("| `" + field + "` | " + value + " |"),
                "README's LogManagerConfig table lacks field " + field + " with default " + value);
        }
        assertTrue(readme.contains("| `logDirs` |"), "README documents log.dirs");
    }
}
