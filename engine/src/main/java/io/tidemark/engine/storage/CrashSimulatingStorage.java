package io.tidemark.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory file system that can lose power. Each file has a current image (what the program
 * sees, page cache included) and a durable image (what survived the last sync). A power cut keeps
 * only the durable state, except that in every 4 KiB page whose bytes were changed but not synced
 * the changed bytes independently come back (page by page) with their new content, their old content,
 * zeros or garbage; bytes synced and not rewritten since are never lost. A file whose size changed
 * comes back with either size.
 *
 * <p>Directory entries follow the same rule: creations, renames and deletions of files are durable
 * once {@link #fsyncDirectory} of the parent returned; on a cut each directory keeps a random prefix
 * of its unsynced entry operations, as a journaling file system would. Directories themselves (mkdir,
 * rename or delete of a directory) are durable at once: a documented simplification.
 *
 * <p>Crash points: {@link #armCrash(long, long)} makes the n-th following operation cut the power
 * part-way (a force syncs a random subset of pages, a write lands partly, a rename may or may not
 * happen); {@link #powerCut(long)} cuts now. After a cut every operation fails with an
 * {@link IOException} and {@link #afterCut()} returns the storage as it is found after a reboot.
 *
 * <p>Thread safe; mapped memory is plain heap memory written without the lock, as real mappings are.
 * Files are limited to 2 GiB and a mapped file cannot grow beyond its mapped size while mapped.
 */
public final class CrashSimulatingStorage implements Storage
{
    /** The unit in which unsynced data tears. */
    public static final int PAGE_SIZE = 4096;

    /** How an unsynced page comes back after a cut. */
    public enum TearMode
    {
        /** Each page independently: new, old, zeros or garbage. */
        RANDOM,
        /** Unsynced content survives (like kill -9: the page cache is kept). */
        NEW,
        /** Only synced content survives. */
        OLD,
        /** Unsynced pages read as zeros. */
        ZEROS,
        /** Unsynced pages read as garbage. */
        GARBAGE
    }

    private enum OpKind
    {
        CREATE, MOVE, DELETE
    }

    private record DirOp(OpKind kind, Path from, Path to, Inode inode)
    {
    }

    private static final class Inode
    {
        byte[] data;
        long length;
        byte[] durable;
        long durableLength;
        int mappings;
        int writableMappings;

        Inode(final byte[] data, final long length)
        {
            this.data = data;
            this.length = length;
            this.durable = Arrays.copyOf(data, (int)length);
            this.durableLength = length;
        }
    }

    private final TreeMap<Path, Inode> files = new TreeMap<>();
    private final TreeMap<Path, Inode> durableFiles = new TreeMap<>();
    private final TreeSet<Path> dirs = new TreeSet<>();
    private final Map<Path, List<DirOp>> pendingOps = new LinkedHashMap<>();
    private final Set<Path> locks = new HashSet<>();
    private TearMode tearMode = TearMode.RANDOM;
    private long operations;
    private long crashAtOperation = -1;
    private Random crashRandom;
    private volatile boolean cut;
    private CrashSimulatingStorage afterCut;
    private java.util.function.Consumer<String> tracer;

    /**
     * An empty file system.
     */
    public CrashSimulatingStorage()
    {
    }

    /**
     * @param mode how unsynced pages come back after a cut.
     * @return this.
     */
    public synchronized CrashSimulatingStorage tearMode(final TearMode mode)
    {
        this.tearMode = mode;
        return this;
    }

    /**
     * @param tracer told of every counted operation (for diagnosing a failed crash test), or null.
     * @return this.
     */
    public synchronized CrashSimulatingStorage trace(final java.util.function.Consumer<String> tracer)
    {
        this.tracer = tracer;
        return this;
    }

    private void traceOp(final String what)
    {
        if (tracer != null)
        {
            tracer.accept("op " + operations + ": " + what);
        }
    }

    /**
     * @return operations performed so far (file and directory operations; mapped memory accesses are
     *         not operations).
     */
    public synchronized long operationCount()
    {
        return operations;
    }

    /**
     * Arms a power cut: the {@code n}-th operation from now is cut part-way.
     *
     * @param n    1 for the next operation.
     * @param seed randomness of the partial effect and of the tearing.
     */
    public synchronized void armCrash(final long n, final long seed)
    {
        if (n < 1)
        {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        crashAtOperation = operations + n;
        crashRandom = new Random(seed);
    }

    /**
     * @return true once the power was cut.
     */
    public boolean isCut()
    {
        return cut;
    }

    /**
     * Cuts the power now.
     *
     * @param seed randomness of the tearing.
     * @return the storage as found after the reboot.
     */
    public synchronized CrashSimulatingStorage powerCut(final long seed)
    {
        if (!cut)
        {
            crashRandom = new Random(seed);
            doCut();
        }
        return afterCut;
    }

    /**
     * @return the storage as found after the reboot that followed the cut.
     * @throws IllegalStateException if the power was not cut.
     */
    public synchronized CrashSimulatingStorage afterCut()
    {
        if (!cut)
        {
            throw new IllegalStateException("the power was not cut");
        }
        return afterCut;
    }

    /**
     * @return the paths of all files in the current namespace.
     */
    public synchronized Set<Path> filePaths()
    {
        return new TreeSet<>(files.keySet());
    }

    /**
     * @param path a file.
     * @return a copy of its current bytes.
     * @throws NoSuchFileException if missing.
     */
    public synchronized byte[] readAllBytes(final Path path) throws NoSuchFileException
    {
        final Inode inode = files.get(normalize(path));
        if (inode == null)
        {
            throw new NoSuchFileException(path.toString());
        }
        return Arrays.copyOf(inode.data, (int)inode.length);
    }

    /**
     * @return every file with its current and durable sizes, and the unsynced directory operations:
     *         for diagnosing a failed crash test.
     */
    public synchronized String describe()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<Path, Inode> e : files.entrySet())
        {
            sb.append(e.getKey()).append(" length=").append(e.getValue().length).append(" durable=")
                .append(e.getValue().durableLength).append(durableFiles.get(e.getKey()) == e.getValue() ? "" : " (entry not durable)")
                .append('\n');
        }
        for (final Map.Entry<Path, List<DirOp>> e : pendingOps.entrySet())
        {
            for (final DirOp op : e.getValue())
            {
                sb.append("pending ").append(op.kind()).append(' ').append(op.from()).append(" -> ").append(op.to()).append('\n');
            }
        }
        return sb.toString();
    }

    // ----------------------------------------------------------------------------------------------
    // Storage
    // ----------------------------------------------------------------------------------------------

    @Override
    public synchronized StorageFile open(final Path rawPath, final boolean create) throws IOException
    {
        final Path path = normalize(rawPath);
        Inode inode = files.get(path);
        if (inode == null)
        {
            if (!create)
            {
                checkAlive();
                throw new NoSuchFileException(path.toString());
            }
            requireParent(path);
            if (dirs.contains(path))
            {
                throw new FileAlreadyExistsException(path + " is a directory");
            }
            if (crashDue("create " + path))
            {
                if (crashRandom.nextBoolean())
                {
                    createEntry(path);
                }
                throw powerCutNow();
            }
            inode = createEntry(path);
        }
        else
        {
            checkAlive();
        }
        return new SimFile(path, inode);
    }

    private Inode createEntry(final Path path)
    {
        final Inode inode = new Inode(new byte[0], 0);
        files.put(path, inode);
        pending(path.getParent()).add(new DirOp(OpKind.CREATE, null, path, inode));
        return inode;
    }

    @Override
    public synchronized boolean exists(final Path path)
    {
        final Path p = normalize(path);
        return files.containsKey(p) || dirs.contains(p);
    }

    @Override
    public synchronized boolean isDirectory(final Path path)
    {
        return dirs.contains(normalize(path));
    }

    @Override
    public synchronized List<Path> list(final Path rawDir) throws IOException
    {
        checkAlive();
        final Path dir = normalize(rawDir);
        if (!dirs.contains(dir))
        {
            throw new NoSuchFileException(dir.toString());
        }
        final TreeSet<Path> result = new TreeSet<>();
        for (final Path p : files.keySet())
        {
            if (dir.equals(p.getParent()))
            {
                result.add(p);
            }
        }
        for (final Path p : dirs)
        {
            if (dir.equals(p.getParent()))
            {
                result.add(p);
            }
        }
        return new ArrayList<>(result);
    }

    @Override
    public synchronized void createDirectories(final Path rawDir) throws IOException
    {
        checkAlive();
        Path dir = normalize(rawDir);
        while (dir != null && !dirs.contains(dir))
        {
            if (files.containsKey(dir))
            {
                throw new FileAlreadyExistsException(dir + " is a file");
            }
            dirs.add(dir);
            dir = dir.getParent();
        }
    }

    @Override
    public synchronized void move(final Path rawFrom, final Path rawTo) throws IOException
    {
        final Path from = normalize(rawFrom);
        final Path to = normalize(rawTo);
        if (dirs.contains(from))
        {
            checkAlive();
            moveDirectory(from, to);
            return;
        }
        final Inode inode = files.get(from);
        if (inode == null)
        {
            checkAlive();
            throw new NoSuchFileException(from.toString());
        }
        requireParent(to);
        if (crashDue("move " + from + " -> " + to))
        {
            if (crashRandom.nextBoolean())
            {
                moveEntry(from, to, inode);
            }
            throw powerCutNow();
        }
        moveEntry(from, to, inode);
    }

    private void moveEntry(final Path from, final Path to, final Inode inode)
    {
        files.remove(from);
        files.put(to, inode);
        pending(to.getParent()).add(new DirOp(OpKind.MOVE, from, to, inode));
    }

    private void moveDirectory(final Path from, final Path to) throws IOException
    {
        if (exists(to))
        {
            throw new FileAlreadyExistsException(to.toString());
        }
        requireParent(to);
        rekey(files, from, to);
        rekey(durableFiles, from, to);
        final TreeSet<Path> movedDirs = new TreeSet<>();
        for (final Path d : dirs)
        {
            if (d.startsWith(from))
            {
                movedDirs.add(d);
            }
        }
        for (final Path d : movedDirs)
        {
            dirs.remove(d);
            dirs.add(to.resolve(from.relativize(d)));
        }
        final Map<Path, List<DirOp>> moved = new LinkedHashMap<>();
        pendingOps.entrySet().removeIf(e ->
        {
            if (e.getKey().startsWith(from))
            {
                final List<DirOp> ops = new ArrayList<>();
                for (final DirOp op : e.getValue())
                {
                    ops.add(new DirOp(op.kind(), op.from() == null ? null : to.resolve(from.relativize(op.from())),
                        op.to() == null ? null : to.resolve(from.relativize(op.to())), op.inode()));
                }
                moved.put(to.resolve(from.relativize(e.getKey())), ops);
                return true;
            }
            return false;
        });
        pendingOps.putAll(moved);
    }

    private static void rekey(final TreeMap<Path, Inode> map, final Path from, final Path to)
    {
        final List<Path> keys = new ArrayList<>();
        for (final Path p : map.keySet())
        {
            if (p.startsWith(from))
            {
                keys.add(p);
            }
        }
        for (final Path p : keys)
        {
            map.put(to.resolve(from.relativize(p)), map.remove(p));
        }
    }

    @Override
    public synchronized void delete(final Path rawPath) throws IOException
    {
        final Path path = normalize(rawPath);
        if (dirs.contains(path))
        {
            checkAlive();
            for (final Path p : files.keySet())
            {
                if (path.equals(p.getParent()))
                {
                    throw new IOException("directory not empty: " + path);
                }
            }
            for (final Path d : dirs)
            {
                if (path.equals(d.getParent()))
                {
                    throw new IOException("directory not empty: " + path);
                }
            }
            dirs.remove(path);
            durableFiles.keySet().removeIf(p -> p.startsWith(path));
            pendingOps.remove(path);
            return;
        }
        final Inode inode = files.get(path);
        if (inode == null)
        {
            checkAlive();
            return;
        }
        if (crashDue("delete " + path))
        {
            if (crashRandom.nextBoolean())
            {
                deleteEntry(path, inode);
            }
            throw powerCutNow();
        }
        deleteEntry(path, inode);
    }

    private void deleteEntry(final Path path, final Inode inode)
    {
        files.remove(path);
        pending(path.getParent()).add(new DirOp(OpKind.DELETE, path, null, inode));
    }

    @Override
    public synchronized void fsyncDirectory(final Path rawDir) throws IOException
    {
        final Path dir = normalize(rawDir);
        if (!dirs.contains(dir))
        {
            checkAlive();
            throw new NoSuchFileException(dir.toString());
        }
        final List<DirOp> ops = pending(dir);
        if (crashDue("fsync dir " + dir))
        {
            applyPrefix(durableFiles, ops, crashRandom.nextInt(ops.size() + 1));
            ops.clear();
            throw powerCutNow();
        }
        applyPrefix(durableFiles, ops, ops.size());
        ops.clear();
    }

    @Override
    public synchronized Closeable lock(final Path rawLockFile) throws IOException
    {
        final Path lockFile = normalize(rawLockFile);
        open(lockFile, true).close();
        if (!locks.add(lockFile))
        {
            throw new IOException("lock " + lockFile + " is already held");
        }
        return () ->
        {
            synchronized (CrashSimulatingStorage.this)
            {
                locks.remove(lockFile);
            }
        };
    }

    // ----------------------------------------------------------------------------------------------
    // power cut
    // ----------------------------------------------------------------------------------------------

    private List<DirOp> pending(final Path dir)
    {
        return pendingOps.computeIfAbsent(dir, d -> new ArrayList<>());
    }

    private static void applyPrefix(final TreeMap<Path, Inode> namespace, final List<DirOp> ops, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final DirOp op = ops.get(i);
            switch (op.kind())
            {
                case CREATE -> namespace.put(op.to(), op.inode());
                case MOVE ->
                {
                    namespace.remove(op.from());
                    namespace.put(op.to(), op.inode());
                }
                case DELETE -> namespace.remove(op.from());
                default -> throw new IllegalStateException(op.kind().name());
            }
        }
    }

    private void checkAlive() throws IOException
    {
        if (cut)
        {
            throw new IOException("simulated power cut: the storage is gone");
        }
    }

    private boolean crashDue(final String what) throws IOException
    {
        checkAlive();
        operations++;
        traceOp(what);
        return operations == crashAtOperation;
    }

    private IOException powerCutNow()
    {
        doCut();
        return new IOException("simulated power cut at operation " + operations);
    }

    private void doCut()
    {
        final Random random = crashRandom;
        final TreeMap<Path, Inode> namespace = new TreeMap<>(durableFiles);
        for (final List<DirOp> ops : pendingOps.values())
        {
            applyPrefix(namespace, ops, tearMode == TearMode.NEW ? ops.size() :
                tearMode == TearMode.OLD ? 0 : random.nextInt(ops.size() + 1));
        }
        final CrashSimulatingStorage image = new CrashSimulatingStorage();
        image.dirs.addAll(dirs);
        for (final Map.Entry<Path, Inode> e : namespace.entrySet())
        {
            final byte[] content = resolve(e.getValue(), random);
            final Inode inode = new Inode(content, content.length);
            image.files.put(e.getKey(), inode);
            image.durableFiles.put(e.getKey(), inode);
        }
        afterCut = image;
        cut = true;
    }

    private byte[] resolve(final Inode inode, final Random random)
    {
        final long length;
        if (inode.length == inode.durableLength)
        {
            length = inode.length;
        }
        else
        {
            length = switch (tearMode)
            {
                case NEW -> inode.length;
                case OLD -> inode.durableLength;
                default -> random.nextBoolean() ? inode.length : inode.durableLength;
            };
        }
        final byte[] result = new byte[(int)length];
        copyPage(inode.durable, inode.durableLength, 0, (int)length, result);
        final byte[] garbage = new byte[PAGE_SIZE];
        for (int start = 0; start < length; start += PAGE_SIZE)
        {
            final int end = (int)Math.min(length, start + (long)PAGE_SIZE);
            if (samePage(inode, start, end))
            {
                continue;
            }
            final TearMode mode = tearMode != TearMode.RANDOM ? tearMode : TearMode.values()[1 + random.nextInt(4)];
            if (mode == TearMode.OLD)
            {
                continue;
            }
            random.nextBytes(garbage);
            // only the bytes changed since the last sync tear: bytes that were synced and not
            // rewritten are on the disk whichever way the page write went
            for (int i = start; i < end; i++)
            {
                final byte now = i < inode.length ? inode.data[i] : 0;
                final byte then = i < inode.durableLength ? inode.durable[i] : 0;
                if (now != then)
                {
                    result[i] = switch (mode)
                    {
                        case NEW -> now;
                        case ZEROS -> 0;
                        default -> garbage[i - start];
                    };
                }
            }
        }
        return result;
    }

    private static boolean samePage(final Inode inode, final int start, final int end)
    {
        for (int i = start; i < end; i++)
        {
            final byte now = i < inode.length ? inode.data[i] : 0;
            final byte then = i < inode.durableLength ? inode.durable[i] : 0;
            if (now != then)
            {
                return false;
            }
        }
        return true;
    }

    private static void copyPage(final byte[] source, final long sourceLength, final int start, final int end, final byte[] dst)
    {
        final int n = (int)Math.max(0, Math.min(end, sourceLength) - start);
        if (n > 0)
        {
            System.arraycopy(source, start, dst, start, n);
        }
    }

    private void syncRange(final Inode inode, final long from, final long to)
    {
        if (inode.durable.length < inode.length)
        {
            inode.durable = Arrays.copyOf(inode.durable, (int)inode.length);
        }
        final int start = (int)Math.max(0, from);
        final int end = (int)Math.min(to, inode.length);
        if (end > start)
        {
            System.arraycopy(inode.data, start, inode.durable, start, end - start);
        }
    }

    private void syncAll(final Inode inode)
    {
        syncRange(inode, 0, inode.length);
        if (inode.durable.length > inode.length)
        {
            Arrays.fill(inode.durable, (int)inode.length, inode.durable.length, (byte)0);
        }
        inode.durableLength = inode.length;
    }

    private void syncRandomPages(final Inode inode, final Random random)
    {
        for (long start = 0; start < inode.length; start += PAGE_SIZE)
        {
            if (random.nextBoolean())
            {
                syncRange(inode, start, start + PAGE_SIZE);
            }
        }
    }

    private static Path normalize(final Path path)
    {
        return path.toAbsolutePath().normalize();
    }

    private void requireParent(final Path path) throws IOException
    {
        final Path parent = path.getParent();
        if (parent == null || !dirs.contains(parent))
        {
            checkAlive();
            throw new NoSuchFileException(String.valueOf(parent), null, "parent directory of " + path + " is missing");
        }
    }

    private static void ensureCapacity(final Inode inode, final long size)
    {
        if (size > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("simulated files are limited to 2 GiB: " + size);
        }
        if (size > inode.data.length)
        {
            if (inode.writableMappings > 0)
            {
                throw new IllegalStateException("simulated file cannot grow past its mapped size while mapped read-write");
            }
            // read-only mappings taken before the growth keep seeing the old bytes (a snapshot)
            inode.data = Arrays.copyOf(inode.data, (int)Math.max(size, Math.min(Integer.MAX_VALUE - 8, inode.data.length * 2L)));
        }
    }

    // ----------------------------------------------------------------------------------------------
    // files
    // ----------------------------------------------------------------------------------------------

    private final class SimFile implements StorageFile
    {
        private final Path path;
        private final Inode inode;
        private final SimChannel channel;

        SimFile(final Path path, final Inode inode)
        {
            this.path = path;
            this.inode = inode;
            this.channel = new SimChannel(inode);
        }

        @Override
        public Path path()
        {
            return path;
        }

        @Override
        public long size() throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                checkAlive();
                return inode.length;
            }
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                checkAlive();
                return readInto(inode, dst, position);
            }
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                final int n = src.remaining();
                if (crashDue("write " + path + " @" + position + " +" + src.remaining()))
                {
                    final int partial = n == 0 ? 0 : crashRandom.nextInt(n + 1);
                    final ByteBuffer part = src.duplicate();
                    part.limit(part.position() + partial);
                    writeFrom(inode, part, position);
                    throw powerCutNow();
                }
                return writeFrom(inode, src, position);
            }
        }

        @Override
        public void setLength(final long size) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                if (crashDue("setLength " + path + " " + size))
                {
                    throw powerCutNow();
                }
                if (size < inode.length)
                {
                    Arrays.fill(inode.data, (int)size, (int)inode.length, (byte)0);
                }
                else
                {
                    ensureCapacity(inode, size);
                }
                inode.length = size;
            }
        }

        @Override
        public void allocate(final long position, final long length) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                if (crashDue("allocate " + path + " @" + position + " +" + length))
                {
                    throw powerCutNow();
                }
                final long end = position + length;
                ensureCapacity(inode, end);
                Arrays.fill(inode.data, (int)position, (int)end, (byte)0);
                inode.length = Math.max(inode.length, end);
            }
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                if (crashDue("force " + path))
                {
                    syncRandomPages(inode, crashRandom);
                    throw powerCutNow();
                }
                syncAll(inode);
            }
        }

        @Override
        public MappedRegion map(final long position, final long length, final boolean writable) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                if (crashDue("map " + path + " +" + length))
                {
                    throw powerCutNow();
                }
                final long end = position + length;
                if (end > inode.length)
                {
                    ensureCapacity(inode, end);
                    inode.length = end;
                }
                inode.mappings++;
                if (writable)
                {
                    inode.writableMappings++;
                }
                ByteBuffer view = ByteBuffer.wrap(inode.data, (int)position, (int)length).slice();
                if (!writable)
                {
                    view = view.asReadOnlyBuffer();
                }
                return new SimMapping(inode, position, view, writable);
            }
        }

        @Override
        public FileChannel channel()
        {
            return channel;
        }

        @Override
        public void close()
        {
            channel.closeQuietly();
        }

        @Override
        public String toString()
        {
            return path.toString();
        }
    }

    private static int readInto(final Inode inode, final ByteBuffer dst, final long position)
    {
        if (position >= inode.length)
        {
            return -1;
        }
        final int n = (int)Math.min(dst.remaining(), inode.length - position);
        dst.put(inode.data, (int)position, n);
        return n;
    }

    private static int writeFrom(final Inode inode, final ByteBuffer src, final long position)
    {
        final int n = src.remaining();
        final long end = position + n;
        ensureCapacity(inode, end);
        src.get(inode.data, (int)position, n);
        inode.length = Math.max(inode.length, end);
        return n;
    }

    private final class SimMapping implements MappedRegion
    {
        private final Inode inode;
        private final long position;
        private final boolean writable;
        private ByteBuffer view;

        SimMapping(final Inode inode, final long position, final ByteBuffer view, final boolean writable)
        {
            this.inode = inode;
            this.position = position;
            this.view = view;
            this.writable = writable;
        }

        @Override
        public ByteBuffer buffer()
        {
            return view;
        }

        @Override
        public void force(final int offset, final int length) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                if (crashDue("force mapping"))
                {
                    syncRandomPages(inode, crashRandom);
                    throw powerCutNow();
                }
                syncRange(inode, position + offset, position + offset + length);
                inode.durableLength = Math.max(inode.durableLength, Math.min(inode.length, position + offset + length));
            }
        }

        @Override
        public void close()
        {
            synchronized (CrashSimulatingStorage.this)
            {
                if (view != null)
                {
                    view = null;
                    inode.mappings--;
                    if (writable)
                    {
                        inode.writableMappings--;
                    }
                }
            }
        }
    }

    /**
     * A {@link FileChannel} over a simulated file so readers can {@code transferTo} from it.
     */
    private final class SimChannel extends FileChannel
    {
        private final Inode inode;
        private long position;

        SimChannel(final Inode inode)
        {
            this.inode = inode;
        }

        void closeQuietly()
        {
            try
            {
                close();
            }
            catch (final IOException ignore)
            {
                // implCloseChannel does nothing that can fail
            }
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            final int n = read(dst, position);
            if (n > 0)
            {
                position += n;
            }
            return n;
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException
        {
            long total = 0;
            for (int i = offset; i < offset + length; i++)
            {
                final int n = read(dsts[i]);
                if (n < 0)
                {
                    return total == 0 ? -1 : total;
                }
                total += n;
                if (dsts[i].hasRemaining())
                {
                    break;
                }
            }
            return total;
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            final int n = write(src, position);
            position += n;
            return n;
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
        {
            long total = 0;
            for (int i = offset; i < offset + length; i++)
            {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long position()
        {
            return position;
        }

        @Override
        public FileChannel position(final long newPosition)
        {
            position = newPosition;
            return this;
        }

        @Override
        public long size() throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                checkAlive();
                return inode.length;
            }
        }

        @Override
        public FileChannel truncate(final long size) throws IOException
        {
            throw new IOException("truncate through StorageFile.setLength");
        }

        @Override
        public void force(final boolean metaData) throws IOException
        {
            throw new IOException("force through StorageFile.force");
        }

        @Override
        public long transferTo(final long position, final long count, final WritableByteChannel target)
            throws IOException
        {
            final ByteBuffer chunk;
            synchronized (CrashSimulatingStorage.this)
            {
                checkAlive();
                if (position >= inode.length)
                {
                    return 0;
                }
                final int n = (int)Math.min(Math.min(count, inode.length - position), 1 << 20);
                chunk = ByteBuffer.wrap(Arrays.copyOfRange(inode.data, (int)position, (int)position + n));
            }
            long written = 0;
            while (chunk.hasRemaining())
            {
                final int w = target.write(chunk);
                if (w <= 0)
                {
                    break;
                }
                written += w;
            }
            return written;
        }

        @Override
        public long transferFrom(final ReadableByteChannel src, final long position, final long count)
            throws IOException
        {
            final ByteBuffer chunk = ByteBuffer.allocate((int)Math.min(count, 1 << 20));
            final int n = src.read(chunk);
            if (n <= 0)
            {
                return 0;
            }
            chunk.flip();
            return write(chunk, position);
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                checkAlive();
                return readInto(inode, dst, position);
            }
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            synchronized (CrashSimulatingStorage.this)
            {
                if (crashDue("channel write @" + position))
                {
                    throw powerCutNow();
                }
                return writeFrom(inode, src, position);
            }
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size) throws IOException
        {
            throw new IOException("a simulated file is mapped through StorageFile.map");
        }

        @Override
        public FileLock lock(final long position, final long size, final boolean shared) throws IOException
        {
            throw new IOException("simulated files are locked through Storage.lock");
        }

        @Override
        public FileLock tryLock(final long position, final long size, final boolean shared) throws IOException
        {
            throw new IOException("simulated files are locked through Storage.lock");
        }

        @Override
        protected void implCloseChannel()
        {
        }
    }
}
