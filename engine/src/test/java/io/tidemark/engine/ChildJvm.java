package io.tidemark.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM running a main class of the test classpath with the flags the
 * engine needs (the parent pom's {@code tidemark.jvm.flags}).
 */
final class ChildJvm
{
    /** The flags of the surefire {@code argLine} the engine needs on Java 17. */
    static final List<String> ENGINE_FLAGS = List.of(
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED");

    private ChildJvm()
    {
    }

    /**
     * @return the java executable running this JVM.
     */
    static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @param mainClass the class whose {@code main} runs.
     * @param args      its arguments.
     * @return the command: java, flags, a small heap, the test classpath, the class and its arguments.
     */
    static List<String> command(final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(ENGINE_FLAGS);
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }
}
