package io.tidemark.replication.controller.raft;

/**
 * Bytes that do not decode as what they claim to be: a Raft message, a controller operation, a
 * result, a snapshot or a store record. The only exception the controller codecs throw on bad input.
 */
public final class CodecException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and where.
     */
    public CodecException(final String message)
    {
        super(message);
    }
}
