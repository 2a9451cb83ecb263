package io.tidemark.testkit.net;

import java.io.File;

/** Open file descriptors of this JVM (Linux /proc), to prove that sockets are closed. */
final class Fds
{
    private Fds()
    {
    }

    static int count()
    {
        final String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }
}
