package io.tidemark.testkit.history;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValuesTest
{
    @Test
    void shouldRoundTripWithAndWithoutPadding()
    {
        for (final long v : new long[] {0, 1, 42, Long.MAX_VALUE, (5L << 40) | 7})
        {
            assertEquals(v, Values.decode(Values.encode(v)));
            assertEquals(v, Values.decode(Values.encode(v, 1000)));
            assertEquals(Values.MIN_LENGTH + 1000, Values.encode(v, 1000).length);
        }
    }

    @Test
    void shouldDetectEverySingleBitFlip()
    {
        final byte[] good = Values.encode(123456789L, 16);
        for (int bit = 0; bit < good.length * 8; bit++)
        {
            final byte[] bad = good.clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            assertEquals(Values.CORRUPT, Values.decode(bad), "bit " + bit);
        }
    }

    @Test
    void shouldRejectTruncatedExtendedAndMissingBytes()
    {
        final byte[] good = Values.encode(9, 8);
        assertEquals(Values.CORRUPT, Values.decode(java.util.Arrays.copyOf(good, good.length - 1)));
        assertEquals(Values.CORRUPT, Values.decode(java.util.Arrays.copyOf(good, good.length + 1)));
        assertEquals(Values.CORRUPT, Values.decode(new byte[3]));
        assertEquals(Values.CORRUPT, Values.decode(new byte[40]));
        assertEquals(Values.CORRUPT, Values.decode(null));
        assertThrows(IllegalArgumentException.class, () -> Values.encode(-1));
    }

    @Test
    void shouldDecodeInsideALargerBuffer()
    {
        final byte[] value = Values.encode(77, 3);
        final byte[] buffer = new byte[value.length + 10];
        System.arraycopy(value, 0, buffer, 5, value.length);
        assertEquals(77, Values.decode(buffer, 5, value.length));
    }

    @Test
    void shouldMakeUniqueValuesAcrossWriters()
    {
        final Set<Long> seen = new HashSet<>();
        for (int writer = 0; writer < 4; writer++)
        {
            final Values.Sequence seq = new Values.Sequence(writer);
            for (int i = 0; i < 1000; i++)
            {
                final long v = seq.next();
                assertTrue(v >= 0);
                assertTrue(seen.add(v));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Values.Sequence(1 << 23));
    }
}
