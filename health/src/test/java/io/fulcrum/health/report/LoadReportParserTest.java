package io.fulcrum.health.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoadReportParserTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static LoadReport parse(String s) throws MalformedReportException {
        return LoadReportParser.parse(s, 42, T);
    }

    @Test
    void textFormAsInTheSpec() throws Exception {
        LoadReport r = parse("TEXT cpu_utilization=0.42, mem_utilization=0.30, rps_fractional=120.0, "
                + "named_metrics.connections=17");
        assertEquals(0.42, r.cpuUtilization());
        assertEquals(0.30, r.memUtilization());
        assertEquals(120.0, r.rpsFractional());
        assertTrue(Double.isNaN(r.eps()), "eps was not sent");
        assertEquals(Map.of("connections", 17.0), r.namedMetrics());
        assertEquals(OptionalLong.of(17), r.connections());
        assertEquals(42, r.receivedAtNanos());
        assertEquals(T, r.receivedAt());
    }

    @Test
    void jsonFormWithNestedNamedMetrics() throws Exception {
        LoadReport r = parse("JSON {\"cpu_utilization\":0.42, \"eps\":2, \"rps_fractional\":100,"
                + " \"named_metrics\":{\"connections\":17, \"queue\":3}, \"utilization\":{\"gpu\":0.1}}");
        assertEquals(0.42, r.cpuUtilization());
        assertEquals(2.0, r.eps());
        assertEquals(100.0, r.rpsFractional());
        assertTrue(Double.isNaN(r.memUtilization()));
        assertEquals(Map.of("connections", 17.0, "queue", 3.0), r.namedMetrics());
    }

    @Test
    void formatWordIsCaseInsensitiveAndUnknownPlainKeysAreIgnored() throws Exception {
        LoadReport r = parse("  text cpu_utilization=0.5,application_utilization=0.9  ");
        assertEquals(0.5, r.cpuUtilization());
        assertTrue(r.hasCpu());
        assertFalse(r.connections().isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "TEXT", "TEXT ", "cpu_utilization=0.4", "BIN AAAA", "XML <a/>",
        "TEXT cpu_utilization", "TEXT cpu_utilization=abc", "TEXT cpu_utilization=-0.1",
        "TEXT cpu_utilization=NaN", "TEXT cpu_utilization=Infinity", "TEXT =3", "TEXT named_metrics.=3",
        "TEXT cpu_utilization=0.4,,", "JSON {", "JSON [1,2]", "JSON {\"cpu_utilization\":\"high\"}",
        "JSON {\"named_metrics\":5}", "JSON {\"named_metrics\":{\"connections\":\"many\"}}", "JSON null"
    })
    void malformedInputsAreRejectedWithAReason(String header) {
        MalformedReportException e = assertThrows(MalformedReportException.class, () -> parse(header));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void nullIsMalformed() {
        assertThrows(MalformedReportException.class, () -> parse(null));
    }
}
