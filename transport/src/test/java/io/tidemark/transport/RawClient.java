package io.tidemark.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A plain blocking socket speaking (or deliberately breaking) the length-prefixed framing, for driving a server
 * byte by byte in tests.
 */
final class RawClient implements AutoCloseable
{
    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;

    RawClient(final int port) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    RawClient writeFrame(final byte[] body) throws IOException
    {
        out.writeInt(body.length);
        out.write(body);
        out.flush();
        return this;
    }

    RawClient writeInt(final int value) throws IOException
    {
        out.writeInt(value);
        out.flush();
        return this;
    }

    RawClient writeBytes(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        return this;
    }

    byte[] readFrame() throws IOException
    {
        final int length = in.readInt();
        final byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    /**
     * @return true when the server closed the connection (EOF or reset) within the socket timeout.
     */
    boolean awaitClosedByPeer() throws IOException
    {
        final InputStream is = socket.getInputStream();
        try
        {
            while (true)
            {
                if (is.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final EOFException | SocketException ex)
        {
            return true;
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static String string(final byte[] b)
    {
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
