package io.tidemark.perf.bench;

import java.io.File;

/**
 * Finds a Chromium binary for the rendering test: {@code -Dtidemark.chromium=PATH}, else {@code chromium},
 * {@code chromium-browser} or {@code google-chrome} on the PATH.
 */
final class Chromium
{
    private Chromium()
    {
    }

    static String find()
    {
        final String configured = System.getProperty("tidemark.chromium");
        if (configured != null && new File(configured).canExecute())
        {
            return configured;
        }
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String name : new String[] { "chromium", "chromium-browser", "google-chrome" })
        {
            for (final String dir : path.split(File.pathSeparator))
            {
                final File f = new File(dir, name);
                if (f.canExecute())
                {
                    return f.getAbsolutePath();
                }
            }
        }
        return null;
    }
}
