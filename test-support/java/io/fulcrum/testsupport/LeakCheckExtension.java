package io.fulcrum.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when a Netty buffer was leaked while it ran (or before it, unnoticed).
 *
 * <p>Registered for every test class by JUnit's extension auto-detection
 * ({@code junit-platform.properties} in test-support/resources). Leaks are only reported when the
 * garbage collector has reclaimed the lost buffer and a later allocation is tracked, so after each
 * class this forces a few GC cycles and allocates tracked buffers to flush the reports out.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            ByteBuf a = UnpooledByteBufAllocator.DEFAULT.directBuffer(1);
            ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(1);
            ByteBuf c = UnpooledByteBufAllocator.DEFAULT.heapBuffer(1);
            a.release();
            b.release();
            c.release();
        }
        List<String> leaks = new ArrayList<>(CountingLeakDetector.LEAKS);
        CountingLeakDetector.LEAKS.clear();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) detected during "
                    + context.getDisplayName() + ":\n" + String.join("\n----\n", leaks));
        }
    }
}
