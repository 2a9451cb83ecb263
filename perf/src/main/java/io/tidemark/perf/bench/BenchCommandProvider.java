package io.tidemark.perf.bench;

import java.util.List;

import io.tidemark.broker.cli.CliCommandProvider;

/**
 * Adds {@code bench} to {@code tidemark}.
 */
public final class BenchCommandProvider implements CliCommandProvider
{
    @Override
    public List<Object> commands()
    {
        return List.of(new BenchCommand());
    }
}
