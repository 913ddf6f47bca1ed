package io.fulcrum.proxy.config;

import com.typesafe.config.ConfigObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads and checks {@code fulcrum.admin}, reading the token file now. Confined to the loading thread. */
final class AdminReader {

    private final ConfigFiles files;

    AdminReader(ConfigFiles files) {
        this.files = files;
    }

    AdminConfig read(Section fulcrum, ConfigObject template, List<BindSite> binds) {
        Section a = fulcrum.object("admin", template);
        if (a == null) {
            return null;
        }
        HostPort bind = Addresses.read(a, "bind", 0);
        if (bind != null) {
            binds.add(new BindSite(bind, a.value("bind").origin(), a.pathOf("bind"), "the admin API"));
        }
        Optional<String> token = Optional.empty();
        boolean hasToken = a.has("token");
        if (hasToken && a.has("token-file")) {
            a.error("token-file", "token and token-file are exclusive: set one of them");
        } else if (hasToken) {
            String t = a.string("token");
            if (t != null && t.isBlank()) {
                a.error("token", "must not be empty (leave token out for no token)");
            } else if (t != null) {
                token = Optional.of(t);
            }
        } else if (a.has("token-file")) {
            token = tokenFile(a);
        }
        Path stateFile = null;
        String state = a.string("state-file");
        if (state != null) {
            if (state.isBlank()) {
                a.error("state-file", "must not be empty");
            } else {
                stateFile = files.resolve(state);
            }
        }
        return new AdminConfig(bind, token, stateFile);
    }

    /** The token is the file's content without surrounding whitespace (editors add a final newline). */
    private Optional<String> tokenFile(Section a) {
        String name = a.string("token-file");
        if (name == null) {
            return Optional.empty();
        }
        Path file = files.resolve(name);
        String text = ConfigFiles.readText(file, a, "token-file");
        if (text == null) {
            return Optional.empty();
        }
        String token = text.strip();
        if (token.isEmpty()) {
            a.error("token-file", file + " is empty");
            return Optional.empty();
        }
        return Optional.of(token);
    }
}
