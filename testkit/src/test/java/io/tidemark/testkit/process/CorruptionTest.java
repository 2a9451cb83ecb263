package io.tidemark.testkit.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorruptionTest
{
    @TempDir
    Path dir;
    private Path file;
    private byte[] original;

    @BeforeEach
    void setUp() throws IOException
    {
        original = new byte[256];
        for (int i = 0; i < original.length; i++)
        {
            original[i] = (byte)i;
        }
        file = dir.resolve("00000000000000000000.log");
        Files.write(file, original);
    }

    private byte[] now() throws IOException
    {
        return Files.readAllBytes(file);
    }

    private static int differingBits(final byte[] a, final byte[] b)
    {
        int bits = 0;
        for (int i = 0; i < a.length; i++)
        {
            bits += Integer.bitCount((a[i] ^ b[i]) & 0xff);
        }
        return bits;
    }

    @Test
    void shouldFlipExactlyOneBitCountingNegativePositionsFromTheEnd() throws IOException
    {
        final String what = Corruption.flipBit(-1, 7).apply(file);

        final byte[] expected = original.clone();
        expected[255] ^= (byte)0x80;
        assertArrayEquals(expected, now());
        assertTrue(what.contains("byte 255 (0xff -> 0x7f)"), what);
    }

    @Test
    void shouldFlipOneRandomBitInTheTailReproduciblyFromTheSeed() throws IOException
    {
        final String first = Corruption.flipRandomBit(16, 42).apply(file);
        final byte[] flipped = now();
        assertEquals(1, differingBits(original, flipped));
        for (int i = 0; i < 240; i++)
        {
            assertEquals(original[i], flipped[i], "only the last 16 bytes may change");
        }
        Files.write(file, original);
        assertEquals(first, Corruption.flipRandomBit(16, 42).apply(file), "same seed, same bit");
    }

    @Test
    void shouldTruncateToLengthOrByTail() throws IOException
    {
        Corruption.truncate(100).apply(file);
        assertEquals(100, Files.size(file));
        Corruption.truncateTail(30).apply(file);
        assertEquals(70, Files.size(file));
        assertThrows(IllegalArgumentException.class, () -> Corruption.truncate(500).apply(file));
    }

    @Test
    void shouldZeroAndGarbageRanges() throws IOException
    {
        Corruption.zero(10, 5).apply(file);
        final byte[] zeroed = now();
        for (int i = 10; i < 15; i++)
        {
            assertEquals(0, zeroed[i]);
        }
        assertEquals(original[15], zeroed[15]);

        Files.write(file, original);
        Corruption.garbage(-8, 8, 7).apply(file);
        final byte[] a = now();
        assertTrue(differingBits(original, a) > 0);
        Files.write(file, original);
        Corruption.garbage(-8, 8, 7).apply(file);
        assertArrayEquals(a, now(), "garbage is a function of the seed");
        assertThrows(IllegalArgumentException.class, () -> Corruption.zero(250, 10).apply(file));
    }

    @Test
    void shouldCopyChunkOverAnotherPart() throws IOException
    {
        Corruption.copyChunk(0, 100, 10).apply(file);

        final byte[] after = now();
        for (int i = 0; i < 10; i++)
        {
            assertEquals(original[i], after[100 + i]);
        }
        assertEquals(original[110], after[110]);
    }

    @Test
    void shouldRollRangeOrWholeFileBackToSnapshot() throws IOException
    {
        final FileSnapshot whole = Corruption.snapshot(file);
        final FileSnapshot tail = Corruption.snapshot(file, -56, 56);
        assertEquals(200, tail.position());
        final byte[] newer = new byte[300];
        Files.write(file, newer);

        Corruption.rollBack(tail, 200, 20).apply(file);

        final byte[] partly = now();
        assertEquals(300, partly.length);
        assertEquals(original[210], partly[210]);
        assertEquals(0, partly[199]);
        assertEquals(0, partly[220]);
        assertThrows(IllegalArgumentException.class, () -> Corruption.rollBack(tail, 10, 5).apply(file), "outside the snapshot");
        assertThrows(IllegalArgumentException.class, () -> Corruption.rollBack(tail), "not a whole-file snapshot");

        Corruption.rollBack(whole).apply(file);

        assertArrayEquals(original, now());
    }
}
