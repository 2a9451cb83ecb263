package io.tidemark.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A hand-driven RPC server on a blocking socket: the test decides when (and in which order) to answer, which
 * a real {@link TransportServer} never does out of order.
 */
final class RawRpcPeer implements AutoCloseable
{
    record Request(int correlationId, short apiKey, short apiVersion, byte[] body)
    {
    }

    private final ServerSocket listener;
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;

    RawRpcPeer() throws IOException
    {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(10_000);
    }

    InetSocketAddress address()
    {
        return new InetSocketAddress("127.0.0.1", listener.getLocalPort());
    }

    RawRpcPeer accept() throws IOException
    {
        socket = listener.accept();
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
        return this;
    }

    Request readRequest() throws IOException
    {
        final int length = in.readInt();
        final int correlationId = in.readInt();
        final short apiKey = in.readShort();
        final short apiVersion = in.readShort();
        final byte[] body = new byte[length - RpcRequestHeaderEncoder.ENCODED_LENGTH];
        in.readFully(body);
        return new Request(correlationId, apiKey, apiVersion, body);
    }

    void respond(final int correlationId, final int errorCode, final byte[] body) throws IOException
    {
        out.writeInt(RpcResponseHeaderEncoder.ENCODED_LENGTH + body.length);
        out.writeInt(correlationId);
        out.writeShort(errorCode);
        out.write(body);
        out.flush();
    }

    void closeConnection() throws IOException
    {
        socket.close();
    }

    @Override
    public void close() throws IOException
    {
        if (null != socket)
        {
            socket.close();
        }
        listener.close();
    }
}
