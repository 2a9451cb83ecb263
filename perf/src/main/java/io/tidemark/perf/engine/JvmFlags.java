package io.tidemark.perf.engine;

import java.util.List;

/**
 * JVM flags for the JMH forks, as compile-time constants so {@code @Fork(jvmArgsAppend = ...)} can use
 * them. The Tidemark flags mirror the parent pom's {@code tidemark.jvm.flags} property; a test keeps
 * the two in step. The Chronicle flags are Chronicle's documented Java 17 list.
 */
public final class JvmFlags
{
    /** Agrona's Unsafe access. */
    public static final String OPEN_MISC = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** Explicit unmapping of mapped segments. */
    public static final String OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Direct buffer internals. */
    public static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    /** Heap for every benchmark fork: fixed, so GC sizing does not differ between runs. */
    public static final String HEAP_MIN = "-Xms2g";
    /** Heap for every benchmark fork. */
    public static final String HEAP_MAX = "-Xmx2g";

    /** Chronicle on Java 17. */
    public static final String CQ_EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_EXPORT_NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_EXPORT_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_EXPORT_JAVAC_FILE = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_OPEN_JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    /** Chronicle on Java 17. */
    public static final String CQ_OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    /** Chronicle's usage reporting stays off (its module is excluded from the build too). */
    public static final String CQ_NO_ANALYTICS = "-Dchronicle.analytics.disable=true";

    private JvmFlags()
    {
    }

    /**
     * @return the flags that mirror {@code tidemark.jvm.flags}, in order.
     */
    public static List<String> tidemark()
    {
        return List.of(OPEN_MISC, OPEN_NIO_CH, OPEN_NIO);
    }
}
