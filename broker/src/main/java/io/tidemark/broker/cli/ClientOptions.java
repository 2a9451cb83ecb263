package io.tidemark.broker.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import picocli.CommandLine.Option;

/**
 * Options shared by the client commands: where the cluster is and extra client properties.
 */
final class ClientOptions
{
    @Option(names = "--bootstrap-server", required = true, paramLabel = "HOST:PORT", description = "A broker to connect to.")
    String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "FILE", description = "Client properties file (passed to the Kafka client).")
    Path commandConfig;

    /**
     * @return the client properties: the file's, then the bootstrap server.
     * @throws IOException if the file cannot be read.
     */
    Properties properties() throws IOException
    {
        final Properties p = new Properties();
        if (commandConfig != null)
        {
            try (Reader r = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8))
            {
                p.load(r);
            }
        }
        p.put("bootstrap.servers", bootstrapServer);
        return p;
    }
}
