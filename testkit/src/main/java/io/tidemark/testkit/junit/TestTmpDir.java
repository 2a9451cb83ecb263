package io.tidemark.testkit.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Creates the test JVM's {@code java.io.tmpdir} (Surefire points it at {@code target/tmp}) when the JUnit
 * launcher session opens, before any test or extension runs: Jazzer's {@code @FuzzTest} attaches its agent
 * through a temporary jar and fails with "No such file or directory" when the directory is missing.
 *
 * <p>Registered through {@code META-INF/services}; runs on the launcher's thread, once per test JVM.
 */
public final class TestTmpDir implements LauncherSessionListener
{
    @Override
    public void launcherSessionOpened(final LauncherSession session)
    {
        final String tmp = System.getProperty("java.io.tmpdir");
        if (tmp == null || tmp.isEmpty())
        {
            return;
        }
        try
        {
            Files.createDirectories(Path.of(tmp));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create java.io.tmpdir " + tmp, ex);
        }
    }
}
