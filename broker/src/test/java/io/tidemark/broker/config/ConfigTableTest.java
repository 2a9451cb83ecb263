package io.tidemark.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * Keeps the key table in {@link BrokerConfigKeys}' Javadoc in step with the key definitions. On a mismatch
 * the expected table is written to {@code target/broker-config-table.txt} to paste in.
 */
class ConfigTableTest
{
    static String table()
    {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(" * %-44s %-28s %-32s %s%n", "key", "default", "allowed", "meaning"));
        for (final ConfigKey k : BrokerConfigKeys.ALL)
        {
            final String def = k.defaultValue() == null ? "(none)" : k.defaultValue().isEmpty() ? "\"\"" : k.defaultValue();
            b.append(String.format(" * %-44s %-28s %-32s %s%n", k.name(), def, k.allowedText(), k.doc()).replaceAll("\\s+\\n", "\n"));
        }
        return b.toString();
    }

    @Test
    void shouldDocumentEveryKeyInTheJavadocTable() throws IOException
    {
        final Path source = Path.of("src/main/java/io/tidemark/broker/config/BrokerConfigKeys.java");
        final String text = Files.readString(source);
        final String begin = " * <pre>\n";
        final int start = text.indexOf(begin) + begin.length();
        final int end = text.indexOf(" * </pre>", start);
        final String documented = text.substring(start, end);
        final String expected = table();
        if (!expected.equals(documented))
        {
            Files.writeString(Path.of("target/broker-config-table.txt"), expected);
        }
        assertEquals(expected, documented, "BrokerConfigKeys' Javadoc table is out of date: see target/broker-config-table.txt");
    }
}
