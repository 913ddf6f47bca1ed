package io.fulcrum.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket client for what java.net.http will not send: malformed requests, pipelining,
 * hand-made framing. Reads answers as raw text.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    public RawHttp(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    public RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads one response (head plus a Content-Length or chunked body) and returns it as text. */
    public String readResponse() throws IOException {
        String head = readHead();
        if (head == null) {
            return null;
        }
        String lower = head.toLowerCase();
        StringBuilder out = new StringBuilder(head);
        int cl = lower.indexOf("\r\ncontent-length:");
        if (cl >= 0) {
            int end = lower.indexOf("\r\n", cl + 2);
            int n = Integer.parseInt(head.substring(cl + 17, end).trim());
            out.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
        } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
            while (true) {
                String sizeLine = readLine();
                int n = Integer.parseInt(sizeLine.trim(), 16);
                if (n == 0) {
                    readLine();
                    break;
                }
                out.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
                readLine();
            }
        }
        return out.toString();
    }

    /** Reads only a response head: for HEAD requests, 304s and 1xx, whose answers carry no body. */
    public String readHeadOnly() throws IOException {
        return readHead();
    }

    /** Reads exactly {@code n} bytes (a tunnel's payload), as text. */
    public String readBytes(int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    /** True when the server closed the connection (read returns EOF) within the socket timeout. */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                buf.write(b);
            }
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
