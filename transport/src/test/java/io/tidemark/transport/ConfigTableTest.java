package io.tidemark.transport;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Keeps the knob table in {@link TransportConfig}'s Javadoc in step with the record: every component is listed,
 * with its real default.
 */
class ConfigTableTest
{
    @Test
    void shouldDocumentEveryKnobWithItsDefault() throws Exception
    {
        final Map<String, String> table = readTable(
            Path.of("src/main/java/io/tidemark/transport/TransportConfig.java"));
        final TransportConfig defaults = TransportConfig.defaults();

        final List<String> components = new java.util.ArrayList<>();
        for (final RecordComponent component : TransportConfig.class.getRecordComponents())
        {
            components.add(component.getName());
            final Object value = component.getAccessor().invoke(defaults);
            final String documented = table.get(component.getName());
            if ("nanoClock".equals(component.getName()))
            {
                assertEquals("system", documented);
                assertSame(SystemNanoClock.INSTANCE, value);
            }
            else
            {
                assertEquals(String.valueOf(value), documented, "default of " + component.getName());
            }
        }
        assertEquals(components, List.copyOf(table.keySet()), "table rows, in record order");
    }

    private static Map<String, String> readTable(final Path source) throws Exception
    {
        final Map<String, String> table = new LinkedHashMap<>();
        boolean inTable = false;
        for (final String line : Files.readAllLines(source))
        {
            final String text = line.replaceFirst("^\\s*\\*\\s?", "").trim();
            if (text.startsWith("knob") && text.contains("default"))
            {
                inTable = true;
                continue;
            }
            if (inTable)
            {
                if (text.startsWith("</pre>"))
                {
                    break;
                }
                final String[] columns = text.split("\\s+");
                table.put(columns[0], columns[1]);
            }
        }
        return table;
    }
}
