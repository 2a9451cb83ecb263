package io.tidemark.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import io.tidemark.broker.Broker;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 5 of issue 12: every wrong startup setting ends {@code tidemark broker} with exit code 2 and one line
 * on stderr naming the key, the value and the reason; never a stack trace.
 */
@Tag(Tags.INTEGRATION)
class BrokerStartupErrorsTest
{
    @TempDir
    Path dir;

    /**
     * Runs {@code tidemark broker} in-process on a config file.
     *
     * @return the lines written to stderr; asserts exit code 2.
     */
    private List<String> refused(final String... lines) throws IOException
    {
        final Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n", lines) + "\n");
        final PrintStream saved = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            exit = TidemarkCli.execute("broker", "--config", config.toString());
        }
        finally
        {
            System.setErr(saved);
        }
        final String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, text);
        final List<String> errLines = text.lines().toList();
        assertEquals(1, errLines.size(), text);
        for (final String l : errLines)
        {
            assertFalse(l.trim().startsWith("at "), text);
        }
        return errLines;
    }

    private static void assertNames(final List<String> err, final String... parts)
    {
        for (final String p : parts)
        {
            assertTrue(err.get(0).contains(p), "'" + p + "' missing from: " + err.get(0));
        }
    }

    private String logDirs()
    {
        return "log.dirs=" + dir.resolve("logs");
    }

    @Test
    void shouldNameTheListenerWhenItsHostDoesNotResolve() throws IOException
    {
        final List<String> err = refused(logDirs(), "listeners=PLAINTEXT://no-such-host.invalid:0");
        assertNames(err, "listeners=PLAINTEXT://no-such-host.invalid:0", "does not resolve");
    }

    @Test
    void shouldNameTheListenerWhenItsAddressIsNotOnThisMachine() throws IOException
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a machine
        final List<String> err = refused(logDirs(), "listeners=PLAINTEXT://192.0.2.1:0");
        assertNames(err, "listeners=PLAINTEXT://192.0.2.1:0", "not an address of this machine");
    }

    @Test
    void shouldNameTheListenerWhenItsPortIsInUse() throws IOException
    {
        try (ServerSocket taken = new ServerSocket())
        {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final String listener = "PLAINTEXT://127.0.0.1:" + taken.getLocalPort();
            final List<String> err = refused(logDirs(), "listeners=" + listener);
            assertNames(err, "listeners=" + listener, "port " + taken.getLocalPort() + " is already in use");
        }
    }

    @Test
    void shouldNameTheControllerListenerWhenItsPortIsInUse() throws IOException
    {
        try (ServerSocket taken = new ServerSocket())
        {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final int port = taken.getLocalPort();
            final List<String> err = refused(logDirs(), "node.id=1", "process.roles=broker,controller",
                "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + port, "controller.listener.names=CONTROLLER",
                "controller.quorum.voters=1@127.0.0.1:" + port);
            assertNames(err, "listeners=", "CONTROLLER://127.0.0.1:" + port, "port " + port + " is already in use");
        }
    }

    @Test
    void shouldNameLogDirsWhenItIsAFile() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        final List<String> err = refused("log.dirs=" + file, "listeners=PLAINTEXT://127.0.0.1:0");
        assertNames(err, "log.dirs=" + file, "not a directory");
    }

    @Test
    void shouldNameLogDirsWhenItIsNotWritable() throws IOException
    {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
            "root writes through directory permissions; BrokerLogDirErrorsTest covers this case through the storage seam");
        final Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try
        {
            final List<String> err = refused("log.dirs=" + readOnly.resolve("logs"), "listeners=PLAINTEXT://127.0.0.1:0");
            assertNames(err, "log.dirs=" + readOnly.resolve("logs"), "permission denied");
        }
        finally
        {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void shouldNameLogDirsWhenAnotherBrokerHoldsThem() throws IOException
    {
        final Path logs = dir.resolve("logs");
        try (Broker running = TestBrokers.start(logs))
        {
            final List<String> err = refused("log.dirs=" + logs, "listeners=PLAINTEXT://127.0.0.1:0");
            assertNames(err, "log.dirs=" + logs, "locked by another broker");
            assertTrue(running.port() > 0, "the running broker keeps its directories");
        }
    }

    @Test
    void shouldRequireControllerListenerNamesInCombinedMode() throws IOException
    {
        final List<String> err = refused(logDirs(), "node.id=1", "process.roles=broker,controller",
            "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0", "controller.quorum.voters=1@127.0.0.1:19093");
        assertNames(err, "controller.listener.names=", "required with process.roles=broker,controller");
    }

    @Test
    void shouldRefuseToServeASecurityListenerAsPlaintext() throws IOException
    {
        final List<String> err = refused(logDirs(), "listeners=SASL_SSL://127.0.0.1:0");
        assertNames(err, "listeners=SASL_SSL://127.0.0.1:0", "security protocol SASL_SSL");
    }

    @Test
    void shouldNameNodeIdWhenTheLogDirectoryBelongsToAnotherNode() throws IOException
    {
        final Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("meta.properties"), "version=1\nnode.id=7\ncluster.id=Zm9yZWlnbi1jbHVzdGVyLWlk\n");
        final List<String> err = refused(logDirs(), "node.id=1", "listeners=PLAINTEXT://127.0.0.1:0");
        assertNames(err, "node.id=1", "belongs to node 7");
    }

    @Test
    void shouldNameMetadataLogDirWhenTheRaftStoreCannotBeOpened() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        final int port = Ports.freePort();
        final List<String> err = refused(logDirs(), "node.id=1", "process.roles=broker,controller",
            "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + port, "controller.listener.names=CONTROLLER",
            "controller.quorum.voters=1@127.0.0.1:" + port, "metadata.log.dir=" + file);
        assertNames(err, "metadata.log.dir=" + file, "Raft store");
    }
}
