package io.tidemark.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.Broker;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TidemarkCliTest
{
    @TempDir
    Path dir;

    @Test
    void shouldOfferTheBuiltInCommandsAndThoseContributedThroughServiceLoader()
    {
        final CommandLine cli = TidemarkCli.commandLine();
        assertTrue(cli.getSubcommands().keySet().containsAll(Set.of("broker", "topics", "produce", "consume", "dump-log",
            "contributed-by-test")), cli.getSubcommands().keySet().toString());
        assertEquals(42, cli.execute("contributed-by-test"));
        assertEquals(2, TidemarkCli.commandLine().execute("no-such-command"));
        assertEquals(2, TidemarkCli.commandLine().execute("topics", "--list"), "--bootstrap-server is required");
    }

    @Test
    void shouldRefuseABrokerConfigNamingTheBadKey() throws Exception
    {
        final Path config = dir.resolve("server.properties");
        java.nio.file.Files.writeString(config, "log.dirs=" + dir + "\nnum.io.threads=0\n");
        final PrintStream saved = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(2, TidemarkCli.execute("broker", "--config", config.toString()));
        }
        finally
        {
            System.setErr(saved);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("num.io.threads=0"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Tag(Tags.INTEGRATION)
    void shouldDumpAndVerifyTheLogsABrokerWrote() throws Exception
    {
        Assumptions.assumeTrue(DumpLogCommand.logDump() != null,
            "this build's engine has no LogDump yet (it comes with the engine-tests branch); dump-log answers exit 2");
        final Path logs = dir.resolve("logs");
        try (Broker broker = TestBrokers.start(logs);
            KafkaProducer<String, String> producer = TestBrokers.producer(broker, Map.of("compression.type", "gzip")))
        {
            for (int i = 0; i < 50; i++)
            {
                producer.send(new ProducerRecord<>("dumped", 0, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int exit = new CommandLine(new DumpLogCommand(new PrintStream(out, true, StandardCharsets.UTF_8), System.err))
            .execute(logs.toString(), "--verify", "--print-records");
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, text);
        assertTrue(text.contains("dumped-0"), text);
        assertTrue(text.contains("gzip"), text);
    }
}
