package io.fulcrum.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fulcrum.health.ProbeSettings;
import io.fulcrum.health.ProbeType;
import io.fulcrum.health.outlier.OutlierSettings;
import io.fulcrum.health.weight.WeightSettings;
import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.config.PoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config's health, outlier and slow-start keys as the health library receives them. */
class PoolHealthSettingsTest {

    private static PoolConfig pool(String text) throws Exception {
        return ConfigLoader.parse("p.conf", """
                fulcrum {
                  listeners = [ { name = web, bind = "127.0.0.1:0", routes = [ { pool = web } ] } ]
                  pools.web {
                    backends = [ { address = "127.0.0.1:9001" } ]
                %s
                  }
                }
                """.formatted(text), Path.of("target"), Map.of()).pools().get("web");
    }

    @Test
    void defaultsAreSpecs() throws Exception {
        PoolConfig p = pool("");
        assertEquals(ProbeSettings.DEFAULTS, PoolHealthSettings.probe(p));
        assertEquals(OutlierSettings.DEFAULTS, PoolHealthSettings.outlier(p));
        assertEquals(WeightSettings.of(Duration.ofSeconds(2), Duration.ofSeconds(10)), PoolHealthSettings.weights(p));
    }

    @Test
    void everyKeyIsCarriedOver() throws Exception {
        PoolConfig p = pool("""
                slow-start = 0s
                health { type = tcp, path = "/ping", interval = 500ms, timeout = 200ms, rise = 4, fall = 5, agent-port = 7777 }
                outlier { consecutive-failures = 3, base-ejection-time = 2s, max-ejection-time = 20s }
                """);
        assertEquals(new ProbeSettings(ProbeType.TCP, "/ping", Duration.ofMillis(500), Duration.ofMillis(200), 4, 5,
                7777), PoolHealthSettings.probe(p));
        assertEquals(new OutlierSettings(3, Duration.ofSeconds(2), Duration.ofSeconds(20)),
                PoolHealthSettings.outlier(p));
        assertEquals(WeightSettings.of(Duration.ofMillis(500), Duration.ZERO), PoolHealthSettings.weights(p));
    }
}
