package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderBuilderTest {

    private static final byte[] NAME = "x-forwarded-for".getBytes(StandardCharsets.US_ASCII);

    @Test
    void linesAreCopiedIntoTheBufferInOneWriteAndTheBuilderIsEmptiedForTheNextHead() {
        ByteBuf out = Unpooled.buffer();
        try {
            HeaderBuilder b = HeaderBuilder.forThisLoop();
            b.name(NAME).text("192.0.2.1").text(", ").text("127.0.0.1").end().name(NAME).text('x').end();
            String expected = "x-forwarded-for: 192.0.2.1, 127.0.0.1\r\nx-forwarded-for: x\r\n";
            assertEquals(expected.length(), b.length());
            b.writeTo(out);
            assertEquals(expected, out.toString(StandardCharsets.ISO_8859_1));
            assertEquals(0, b.length(), "emptied once written");
            assertSame(b, HeaderBuilder.forThisLoop(), "one builder per thread");
        } finally {
            out.release();
        }
    }

    @Test
    void textIsLatin1OneBytePerCharAndLongValuesGrowTheArray() {
        ByteBuf out = Unpooled.buffer();
        try {
            String longValue = "v".repeat(10_000);
            HeaderBuilder b = HeaderBuilder.forThisLoop();
            b.name(NAME).text("\u00e9").text(longValue).end();
            b.writeTo(out);
            assertEquals("x-forwarded-for: \u00e9" + longValue + "\r\n", out.toString(StandardCharsets.ISO_8859_1));
            // After a large head the builder starts small again, and still works.
            out.clear();
            HeaderBuilder.forThisLoop().name(NAME).text("a").end().writeTo(out);
            assertEquals("x-forwarded-for: a\r\n", out.toString(StandardCharsets.ISO_8859_1));
        } finally {
            out.release();
        }
    }
}
