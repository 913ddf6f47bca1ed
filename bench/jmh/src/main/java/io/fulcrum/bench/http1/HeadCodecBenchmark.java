package io.fulcrum.bench.http1;

import io.fulcrum.proxy.http1.RequestHead;
import io.fulcrum.proxy.http1.RequestHeadEncoder;
import io.fulcrum.proxy.http1.RequestParser;
import io.fulcrum.proxy.http1.ResponseHead;
import io.fulcrum.proxy.http1.ResponseHeadEncoder;
import io.fulcrum.proxy.http1.ResponseParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One head through the proxy's codec per operation: read from bytes, then written out as the other
 * side gets it, for the two heads every proxied request has — the client's request (as curl or a load
 * generator sends it) and the backend's response (as nginx answers). {@code fulcrum*} runs Fulcrum's
 * own parsers and encoders (package http1), {@code netty*} Netty's HTTP/1 decoder and encoder on the
 * same bytes, which is what the proxy ran before. Each side runs in an {@link EmbeddedChannel}, so the
 * handler and pipeline costs are counted for both. The request side leaves out the forwarding headers,
 * which both would add the same way; the response side strips nothing but what the head carries.
 * See bench/README.md for the command and numbers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseParallelGC",
        "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class HeadCodecBenchmark {

    private static final byte[] REQUEST = ("GET /api/v1/items?id=42 HTTP/1.1\r\n"
            + "Host: api.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n"
            + "Accept: application/json\r\n"
            + "Accept-Encoding: gzip, deflate\r\n"
            + "Cookie: sid=abc123; theme=dark\r\n"
            + "Connection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\n"
            + "Server: nginx\r\n"
            + "Date: Tue, 01 Dec 2026 18:00:00 GMT\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 13\r\n"
            + "Connection: keep-alive\r\n\r\n"
            + "Hello, world!").getBytes(StandardCharsets.US_ASCII);

    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private EmbeddedChannel fulcrumRequests;
    private EmbeddedChannel fulcrumResponses;
    private EmbeddedChannel nettyRequestsIn;
    private EmbeddedChannel nettyRequestsOut;
    private EmbeddedChannel nettyResponsesIn;
    private EmbeddedChannel nettyResponsesOut;

    @Setup
    public void setUp() {
        fulcrumRequests = new EmbeddedChannel(new RequestParser(8192, 16384, () -> { }));
        fulcrumResponses = new EmbeddedChannel(new ResponseParser(65536));
        nettyRequestsIn = new EmbeddedChannel(new HttpRequestDecoder());
        nettyRequestsOut = new EmbeddedChannel(new HttpRequestEncoder());
        nettyResponsesIn = new EmbeddedChannel(new HttpResponseDecoder());
        nettyResponsesOut = new EmbeddedChannel(new HttpResponseEncoder());
        for (EmbeddedChannel ch : new EmbeddedChannel[] {fulcrumRequests, fulcrumResponses, nettyRequestsIn,
                nettyRequestsOut, nettyResponsesIn, nettyResponsesOut}) {
            ch.config().setAllocator(alloc);
        }
    }

    @TearDown
    public void tearDown() {
        fulcrumRequests.finishAndReleaseAll();
        fulcrumResponses.finishAndReleaseAll();
        nettyRequestsIn.finishAndReleaseAll();
        nettyRequestsOut.finishAndReleaseAll();
        nettyResponsesIn.finishAndReleaseAll();
        nettyResponsesOut.finishAndReleaseAll();
    }

    private ByteBuf bytes(byte[] b) {
        return alloc.directBuffer(b.length).writeBytes(b);
    }

    @Benchmark
    public int fulcrumRequest() {
        fulcrumRequests.writeInbound(bytes(REQUEST));
        RequestHead head = fulcrumRequests.readInbound();
        if (head.hasBody()) {
            throw new IllegalStateException("the benchmark's GET has no body, so no body piece follows its head");
        }
        ByteBuf out = RequestHeadEncoder.start(alloc, head, 0, 64);
        RequestHeadEncoder.end(out);
        int n = out.readableBytes() + head.uri().length();
        out.release();
        head.release();
        return n;
    }

    @Benchmark
    public int nettyRequest() {
        nettyRequestsIn.writeInbound(bytes(REQUEST));
        HttpRequest head = nettyRequestsIn.readInbound();
        HttpObject last = nettyRequestsIn.readInbound();
        head.headers().remove("connection");
        nettyRequestsOut.writeOutbound(head, last);
        int n = 0;
        ByteBuf out;
        while ((out = nettyRequestsOut.readOutbound()) != null) {
            n += out.readableBytes();
            out.release();
        }
        return n + head.uri().length();
    }

    @Benchmark
    public int fulcrumResponse() {
        fulcrumResponses.pipeline().get(ResponseParser.class).expect(false, true);
        fulcrumResponses.writeInbound(bytes(RESPONSE));
        ResponseHead head = fulcrumResponses.readInbound();
        if (!head.complete()) {
            throw new IllegalStateException("nginx's 13-byte answer comes whole: head and body are one message");
        }
        // As the proxy writes a whole response (Exchange.writeCompleteResponse): nginx's head is forwarded
        // as it came, its Connection: keep-alive line cut out in place, head and body in one buffer.
        ByteBuf out = ResponseHeadEncoder.asItCame(head, false, false, false) ? head.retainedMessage()
                : ResponseHeadEncoder.encode(alloc, head, false, false, false, head.bodyLength());
        if (!ResponseHeadEncoder.asItCame(head, false, false, false)) {
            head.writeBodyTo(out);
        }
        int n = out.readableBytes() + (head.keepAlive() ? 1 : 0);
        out.release();
        head.release();
        return n;
    }

    @Benchmark
    public int nettyResponse() {
        nettyResponsesIn.writeInbound(bytes(RESPONSE));
        HttpResponse head = nettyResponsesIn.readInbound();
        HttpObject body = nettyResponsesIn.readInbound();
        head.headers().remove("connection");
        nettyResponsesOut.writeOutbound(head, body);
        int n = 0;
        ByteBuf out;
        while ((out = nettyResponsesOut.readOutbound()) != null) {
            n += out.readableBytes();
            out.release();
        }
        Object extra;
        while ((extra = nettyResponsesIn.readInbound()) != null) {
            ReferenceCountUtil.release(extra);
        }
        return n;
    }
}
