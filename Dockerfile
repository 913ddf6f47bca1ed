# Multi-stage build: compile with Maven on a full JDK, run on a slim JRE as an unprivileged user.
#   docker build -t fulcrum .
#   docker run --rm -p 8080:8080 -v $PWD/my.conf:/opt/fulcrum/conf/fulcrum.conf fulcrum
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so that code changes do not download them again.
COPY pom.xml .
COPY .mvn .mvn
COPY health/pom.xml health/
COPY admin-api/pom.xml admin-api/
COPY proxy/pom.xml proxy/
RUN mvn -B -q -pl proxy -am dependency:go-offline -DexcludeArtifactIds=fulcrum-health,fulcrum-admin-api || true
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --home /opt/fulcrum --shell /usr/sbin/nologin fulcrum
WORKDIR /opt/fulcrum
COPY --from=build /src/proxy/target/fulcrum.jar lib/fulcrum.jar
COPY conf conf
# A second copy of the JVM flags, for a container that mounts a whole folder of its own over conf/:
# without it that container would start the JVM with its defaults (no fixed heap, another collector).
COPY conf/jvm.options lib/jvm.options
# The shipped config listens on loopback (right for a host, useless in a container): listen on every
# interface here. Its backends are the demo's; mount your own config over conf/fulcrum.conf. The admin
# API stays on the container's loopback unless you give it a token (FULCRUM_ADMIN_TOKEN) and a bind.
RUN sed -i 's/bind = "127.0.0.1:8080"/bind = "0.0.0.0:8080"/' conf/fulcrum.conf \
    && grep -q 'bind = "0.0.0.0:8080"' conf/fulcrum.conf \
    && chown -R fulcrum:fulcrum conf
USER fulcrum
EXPOSE 8080 9090
# JVM flags: conf/jvm.options, as the launcher reads them (the image runs java without the launcher),
# or the image's own copy when the mounted conf/ has none; FULCRUM_JAVA_OPTS=... (docker run -e)
# replaces them all.
# SIGTERM from `docker stop` is a graceful shutdown (shutdown-grace); give it as long with --stop-timeout.
ENTRYPOINT ["sh", "-c", "opts=conf/jvm.options; [ -r $opts ] || opts=lib/jvm.options; exec java ${FULCRUM_JAVA_OPTS:-$(grep -v '^[[:space:]]*#' $opts)} -Dfulcrum.home=/opt/fulcrum -jar lib/fulcrum.jar \"$@\"", "fulcrum"]
CMD ["run", "--config", "conf/fulcrum.conf"]
